#!/bin/sh
# fleet.sh: a fleet of synthetic containers that look like LXC 5 ones to
# lxcollectd (and to collectd, netdata, ...), for benchmarks and tests.
#
#   fleet.sh up N      bring up N containers (1000 in about 15 s on 2 cores)
#   fleet.sh down      tear down everything a fleet made (idempotent)
#   fleet.sh check     exit 0 when nothing is left, else list what is
#
# Each container NAME = $FLEET_PREFIX-NNNNN (default prefix "lxb") has:
#   - a cgroup lxc.payload.NAME at the root of every cgroup hierarchy
#     (v1 controllers, the named systemd one and cgroup2), as LXC 5 makes;
#   - an init that is PID 1 of its own pid and network namespaces (a shell
#     that becomes `sleep infinity`), alone in that cgroup;
#   - lo and eth0 up inside, eth0 a veth whose host end $FLEET_PREFIX$NNNNN
#     is a port of the bridge ${FLEET_PREFIX}br0 (up, no address);
#   - IPv6 off on every link, inside and out, no address anywhere and no
#     multicast snooping on the bridge: the links are quiet (no router
#     solicitations, no DAD, no IGMP queries), nothing is sent.
#
# Everything is named after the prefix, so `down` finds it all again even
# after a crash; the PIDs of the unshare processes are kept in
# ${TMPDIR:-/tmp}/lxcollectd-fleet-PREFIX/pids. `up` tears down what it
# made when it fails or is interrupted. Root only.
set -u
P=${FLEET_PREFIX:-lxb}
case $P in *[!a-z0-9]*|"") echo "fleet.sh: FLEET_PREFIX must be [a-z0-9]+" >&2; exit 64 ;; esac
[ ${#P} -le 8 ] || { echo "fleet.sh: FLEET_PREFIX too long (8 at most)" >&2; exit 64; }
BR=${P}br0
STATE=${TMPDIR:-/tmp}/lxcollectd-fleet-$P
CG=${FLEET_CGROUP_ROOT:-/sys/fs/cgroup}

# Mount points of every cgroup hierarchy under $CG (co-mounted ones once).
hiers() {
	awk -v root="$CG" '$9 == "cgroup" || $9 == "cgroup2" {
		if (index($5, root) == 1 && !seen[$5]++) print $5 }' /proc/self/mountinfo
}

# The fleet's container cgroups in every hierarchy.
fleet_cgroups() {
	for _h in $(hiers); do
		for _d in "$_h"/lxc.payload."$P"-*; do [ -d "$_d" ] && echo "$_d"; done
	done
}

fleet_links() {
	ip -o link show 2>/dev/null | awk -F': ' -v p="$P" '{ sub(/@.*/, "", $2) }
		$2 ~ "^" p "[0-9]+$" || $2 == p "br0" { print $2 }'
}

fleet_pids() {
	[ -f "$STATE/pids" ] || return 0
	while read -r _p; do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = unshare ] && echo "$_p"
	done <"$STATE/pids"
	return 0
}

down() {
	# the inits first: PID 1 of a pid namespace takes everything in it
	# along, and then its unshare parent exits by itself
	for _d in $(fleet_cgroups); do
		while read -r _p; do kill -9 "$_p" 2>/dev/null; done <"$_d/cgroup.procs"
	done
	for _p in $(fleet_pids); do kill -9 "$_p" 2>/dev/null; done
	_i=0
	while [ $_i -lt 100 ]; do
		_busy=0
		for _d in $(fleet_cgroups); do
			[ -s "$_d/cgroup.procs" ] && { _busy=1; break; }
		done
		[ $_busy = 0 ] && break
		_i=$((_i + 1)); sleep 0.05
	done
	fleet_cgroups | xargs -r rmdir 2>/dev/null
	# the unshare parents exit once their child is reaped
	_i=0
	while [ $_i -lt 100 ] && [ -n "$(fleet_pids)" ]; do
		_i=$((_i + 1)); sleep 0.05
	done
	# a veth goes with its namespace, asynchronously; what someone still
	# pins (or what a crash left) is deleted here
	_i=0
	while [ $_i -lt 100 ] && [ -n "$(fleet_links | grep -v "^$BR\$")" ]; do
		_i=$((_i + 1)); sleep 0.05
	done
	fleet_links | sed 's/^/link del /' | ip -force -batch - >/dev/null 2>&1
	rm -rf "$STATE"
	check >/dev/null
}

check() {
	_left=0
	for _d in $(fleet_cgroups); do echo "left: cgroup $_d"; _left=1; done
	for _l in $(fleet_links); do echo "left: link $_l"; _left=1; done
	for _p in $(fleet_pids); do echo "left: process $_p"; _left=1; done
	return $_left
}

up() {
	_n=$1
	case $_n in ''|*[!0-9]*) echo "fleet.sh: up needs a number" >&2; return 64 ;; esac
	[ "$(id -u)" = 0 ] || { echo "fleet.sh: needs root" >&2; return 77; }
	command -v unshare >/dev/null && command -v ip >/dev/null ||
		{ echo "fleet.sh: needs unshare and ip" >&2; return 77; }
	if ! check >/dev/null; then
		echo "fleet.sh: a fleet with prefix $P exists already: fleet.sh down first" >&2
		return 1
	fi
	mkdir -p "$STATE" || return 1
	: >"$STATE/pids"
	_hiers=$(hiers)
	[ -n "$_hiers" ] || { echo "fleet.sh: no cgroup hierarchy under $CG" >&2; return 1; }

	# the bridge, quiet (snooping would send IGMP queries to every port)
	ip link add "$BR" type bridge mcast_snooping 0 || return 1
	echo 1 >"/proc/sys/net/ipv6/conf/$BR/disable_ipv6"
	ip link set "$BR" up || return 1

	# the cgroups, all at once; a v1 cpuset child starts empty and takes
	# no process until it has cpus and mems (LXC copies the parent's)
	_i=1
	while [ $_i -le "$_n" ]; do
		_name=$(printf '%s-%05d' "$P" $_i)
		for _h in $_hiers; do echo "$_h/lxc.payload.$_name"; done
		_i=$((_i + 1))
	done | xargs mkdir || return 1
	for _h in $_hiers; do
		[ -f "$_h/cpuset.cpus" ] || continue
		_cpus=$(cat "$_h/cpuset.cpus"); _mems=$(cat "$_h/cpuset.mems")
		for _d in "$_h"/lxc.payload."$P"-*; do
			echo "$_cpus" >"$_d/cpuset.cpus"; echo "$_mems" >"$_d/cpuset.mems"
		done
	done

	# the inits: each moves itself into its cgroups (writing 0 to
	# cgroup.procs moves the writer), makes its veth with the host end in
	# the host namespace (inherited as fd 9), and becomes sleep
	exec 9</proc/self/ns/net
	_i=1
	while [ $_i -le "$_n" ]; do
		_name=$(printf '%s-%05d' "$P" $_i)
		_if=$(printf '%s%05d' "$P" $_i)
		_dirs=""
		for _h in $_hiers; do _dirs="$_dirs $_h/lxc.payload.$_name"; done
		unshare --pid --net --mount-proc --fork sh -c '
			echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
			echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6
			for d in $1; do echo 0 >"$d/cgroup.procs" || exit 1; done
			printf "link add eth0 type veth peer name %s netns /proc/self/fd/9\nlink set lo up\nlink set eth0 up\n" "$2" |
				ip -batch - || exit 1
			exec sleep infinity' sh "$_dirs" "$_if" </dev/null >/dev/null 2>&1 &
		echo $! >>"$STATE/pids"
		_i=$((_i + 1))
	done
	exec 9<&-

	# wait for every host end, then make it quiet and plug it in
	_t=0
	while :; do
		_have=$(ls /sys/class/net | grep -c "^$P[0-9]")
		[ "$_have" -ge "$_n" ] && break
		_t=$((_t + 1))
		if [ $_t -gt 1200 ]; then
			echo "fleet.sh: only $_have of $_n containers came up" >&2
			return 1
		fi
		sleep 0.05
	done
	_i=1
	while [ $_i -le "$_n" ]; do
		_if=$(printf '%s%05d' "$P" $_i)
		echo 1 >"/proc/sys/net/ipv6/conf/$_if/disable_ipv6" || return 1
		echo "link set $_if master $BR up"
		_i=$((_i + 1))
	done | ip -batch - || return 1
	# every init alone in its cgroup and PID 1 of its namespace
	for _h in $_hiers; do
		_bad=0
		for _d in "$_h"/lxc.payload."$P"-*; do
			[ "$(wc -l <"$_d/cgroup.procs")" = 1 ] || _bad=$((_bad + 1))
		done
		[ $_bad = 0 ] || { echo "fleet.sh: $_bad cgroups in $_h without their init" >&2; return 1; }
	done
	return 0
}

case ${1:-} in
up)
	trap 'exit 130' INT TERM HUP
	trap 'rc=$?; [ "$rc" = 0 ] || down; exit $rc' EXIT
	up "${2:-}"
	;;
down) down ;;
check) check ;;
*) echo "usage: fleet.sh up N | down | check" >&2; exit 64 ;;
esac
