# lxc.sh: real LXC containers for the integration tests (sourced after
# common.sh). Containers come from Debian's busybox template with our own
# rcS (the template's runs udhcpc), no AppArmor, and are destroyed at exit.

# lxct_bridges NAME...: up bridges for containers' veths, with IPv6 off on
# every link made from now on (router solicitations and MLD would make idle
# counters drift); all undone at exit. The test ends if one fails.
lxct_bridges() {
	_old6=$(sysctl -n net.ipv6.conf.default.disable_ipv6 2>/dev/null || echo 0)
	sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	t_defer "sysctl -qw net.ipv6.conf.default.disable_ipv6=$_old6"
	for _b; do
		ip link add "$_b" type bridge || { not_ok "bridge $_b"; t_done; exit 1; }
		t_defer "ip link del $_b"
		ip link set "$_b" up
	done
}

need_lxc() {
	need_root
	need_cmd lxc-create lxc-start lxc-stop lxc-destroy lxc-info
	[ -x /bin/busybox ] || skip_all "needs busybox-static (make deps)"
}

# lxct_create NAME [CONFIG-LINE...]: create a stopped container without
# network (lxc.net.0.type = empty) unless config lines say otherwise.
lxct_create() {
	_n=$1; shift
	t_defer "lxct_destroy '$_n'"
	lxc-create -t busybox -n "$_n" >/dev/null 2>&1 || { echo "# lxc-create $_n failed"; return 1; }
	_cfg=/var/lib/lxc/$_n/config
	sed -i -e '/^lxc.net.0/d' -e '/^lxc.apparmor/d' "$_cfg"
	echo "lxc.apparmor.profile = unconfined" >>"$_cfg"
	_has_net=""
	for _l; do
		echo "$_l" >>"$_cfg"
		case $_l in lxc.net.0.*) _has_net=1 ;; esac
	done
	[ -n "$_has_net" ] || echo "lxc.net.0.type = empty" >>"$_cfg"
	# rcS: bring lo up, run what LXCT_RC says (addresses), then stay idle
	cat >"/var/lib/lxc/$_n/rootfs/etc/init.d/rcS" <<EOR
#!/bin/sh
/bin/mount -a 2>/dev/null
ip link set lo up
${LXCT_RC:-}
exec /bin/sleep 2147483647
EOR
	chmod 755 "/var/lib/lxc/$_n/rootfs/etc/init.d/rcS"
}

# lxct_start NAME: start and wait until RUNNING with an init PID
lxct_start() {
	lxc-start -n "$1" -o "/var/lib/lxc/$1/start.log" -l WARN || return 1
	_i=0
	until [ "$(lxc-info -n "$1" -s -H 2>/dev/null)" = RUNNING ] && [ -n "$(lxct_pid "$1")" ]; do
		_i=$((_i + 1)); [ $_i -gt 100 ] && return 1
		sleep 0.1
	done
}

lxct_pid() { lxc-info -n "$1" -p -H 2>/dev/null; }

lxct_destroy() {
	lxc-stop -k -n "$1" >/dev/null 2>&1
	lxc-destroy -f -n "$1" >/dev/null 2>&1
	# lxc-stop leaves empty lxc.pivot groups; our own leftovers too
	for _h in /sys/fs/cgroup/*/; do
		rmdir "$_h/lxc.payload.$1" "$_h/lxc.monitor.$1" 2>/dev/null
	done
	return 0
}
