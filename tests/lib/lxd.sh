# lxd.sh: a private LXD 5.0 for the integration tests (sourced after
# common.sh and daemon.sh): its own LXD_DIR under $W, a dir storage pool,
# no managed network (nothing but what the test adds), a busybox image
# made from LXC's busybox template, metrics on loopback without
# authentication. Stopped, with every instance, at exit. The test must
# hold the global lock (it starts real containers).

need_lxd() {
	need_root
	need_cmd lxd lxc
	[ -x /usr/share/lxc/templates/lxc-busybox ] || skip_all "needs lxc's busybox template (make deps)"
	[ -x /bin/busybox ] || skip_all "needs busybox-static (make deps)"
}

# lxd_up PORT: start LXD, serve its API (and /1.0/metrics) on
# 127.0.0.1:PORT; 1 when it does not come up
lxd_up() {
	export LXD_DIR="$W/lxd"
	mkdir -p "$LXD_DIR"
	chmod 711 "$W"
	setsid lxd --group root --logfile "$W/lxd.log" >/dev/null 2>&1 </dev/null &
	LXD_PID=$!
	t_defer "lxd_down"
	lxd waitready --timeout=60 || return 1
	lxd init --preseed >/dev/null <<EOP || return 1
config:
  core.https_address: 127.0.0.1:$1
  core.metrics_authentication: "false"
storage_pools:
- name: default
  driver: dir
profiles:
- name: default
  devices:
    root: { path: /, pool: default, type: disk }
EOP
}

# lxd_down: delete every instance, stop LXD, remove what it mounted
lxd_down() {
	for _i in $(lxc list --format csv -c n 2>/dev/null); do lxc delete -f "$_i" >/dev/null 2>&1; done
	lxd shutdown --timeout=20 >/dev/null 2>&1 || kill -9 "$LXD_PID" 2>/dev/null
	wait "$LXD_PID" 2>/dev/null
	grep " $LXD_DIR" /proc/mounts | awk '{ print $2 }' | sort -r | while read -r _m; do umount -l "$_m"; done
}

# lxd_image ALIAS: a busybox image with a quiet init (lo up, then sleep)
lxd_image() {
	_ld="$W/img"
	mkdir -p "$_ld/rootfs"
	/usr/share/lxc/templates/lxc-busybox --path="$_ld" --name=img --rootfs="$_ld/rootfs" >/dev/null 2>&1 || return 1
	cat >"$_ld/rootfs/etc/init.d/rcS" <<'EOR'
#!/bin/sh
/bin/mount -a 2>/dev/null
ip link set lo up
exec /bin/sleep 2147483647
EOR
	chmod 755 "$_ld/rootfs/etc/init.d/rcS"
	printf 'architecture: x86_64\ncreation_date: %s\nproperties:\n  description: busybox\n' \
		"$(date +%s)" >"$_ld/metadata.yaml"
	tar -C "$_ld" -czf "$_ld/img.tar.gz" metadata.yaml rootfs || return 1
	lxc image import "$_ld/img.tar.gz" --alias "$1" >/dev/null
}
