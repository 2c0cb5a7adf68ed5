#!/bin/sh
# The daemon with exactly the capabilities network figures need,
# CAP_SYS_ADMIN and CAP_SYS_PTRACE (the systemd unit's, less the
# CAP_DAC_READ_SEARCH that container_state's listing takes: see
# state_privs.sh), started through setpriv(1): (a) as root with only
# those two in the bounding set, (b) as an unprivileged user holding them
# as ambient capabilities (what the unit does with DynamicUser=). Each run
# must read a synthetic container's veth counters exactly as `ip -s link`
# shows them inside its namespace, the collector must end up without any
# capability and the helper with just the two. Then: each of the two is
# needed, and /proc mounted as the unit's ProcSubset=pid keeps working
# while hidepid (ProtectProc=invisible) would lose the network figures.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
need_root
need_cmd setpriv unshare nsenter ip jq
[ -x /bin/busybox ] || skip_all "needs busybox-static (make deps)"

s=prv$$
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
chmod 755 "$tmp"   # the unprivileged runs read their configuration here

# the container: a synthetic init in its own netns, one veth end inside;
# the other end in a second namespace of ours, so that traffic between
# the two stays off the host's own links
syn_mkcg "lxc.payload.$s" || { not_ok "create cgroups"; t_done; exit 1; }
cpid=$(syn_init "lxc.payload.$s") || { not_ok "start the init"; t_done; exit 1; }
unshare --net sleep 100000 >/dev/null 2>&1 &
ppid_=$!
t_defer "kill -9 $ppid_"
for n in $cpid $ppid_; do
	nsenter -t "$n" -n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add "${s}x" type veth peer name "${s}y" || { not_ok "veth"; t_done; exit 1; }
t_defer "ip link del ${s}x"
ip link set "${s}y" netns "$cpid"
ip link set "${s}x" netns "$ppid_"
nsenter -t "$cpid" -n sh -c "ip addr add 10.203.0.2/24 dev ${s}y && ip link set ${s}y up"
nsenter -t "$ppid_" -n sh -c "ip addr add 10.203.0.1/24 dev ${s}x && ip link set ${s}x up"
check "traffic into the container" sh -c "nsenter -t $ppid_ -n /bin/busybox ping -q -A -c 3 -W 2 10.203.0.2 >/dev/null"
sleep 0.3

printf '[collector]\ninclude = %s\nmetrics = net, cpu, pids\n' "$s" >"$tmp/c.ini"
chmod 644 "$tmp/c.ini"
ipj() { nsenter -t "$cpid" -n ip -s -j link show "${s}y" | jq -r ".[0].stats64.$1"; }

BND="--bounding-set -all,+sys_admin,+sys_ptrace"
AS_ROOT="setpriv --no-new-privs $BND --inh-caps -all"
AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps -all,+sys_admin,+sys_ptrace --ambient-caps +sys_admin,+sys_ptrace $BND"

# run_priv NAME SETPRIV-ARGS...: one cycle, its figures against ip -s link
run_priv() {
	_name=$1; shift
	_out=$("$@" "$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err.$_name")
	eq "$_name: exit 0" "$?" 0
	eq "$_name: no warning" "$(grep -c -e warning -e error "$tmp/err.$_name")" 0
	for k in rx.bytes:rx_bytes rx.packets:rx_packets tx.bytes:tx_bytes tx.packets:tx_packets; do
		eq "$_name: ${k#*:} equals ip -s link" \
			"$(field "$_out" container_net "container=$s,interface=${s}y" "${k#*:}")" "$(ipj "${k%%:*}")"
	done
	check "$_name: rx_packets > 0 (the pings came in)" \
		[ "$(field "$_out" container_net "container=$s,interface=${s}y" rx_packets)" -gt 3 ]
	eq "$_name: cgroup figures too" "$(field "$_out" container_pids "container=$s" current)" 1
}

# status_of PID KEY: a field of /proc/PID/status
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
# watch_priv NAME UID SETPRIV-ARGS...: the credentials of both processes
watch_priv() {
	_name=$1; _uid=$2; shift 2
	"$@" "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout >"$tmp/run.$_name" 2>&1 &
	_d=$!
	_i=0; while ! grep -q '^lxcollectd' "$tmp/run.$_name" 2>/dev/null && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
	_h=$(pgrep -P $_d | head -n1)
	for k in CapEff CapPrm CapInh CapAmb; do
		eq "$_name: collector $k" "$(status_of $_d $k)" 0000000000000000
	done
	eq "$_name: collector NoNewPrivs" "$(status_of $_d NoNewPrivs)" 1
	eq "$_name: collector uid" "$(status_of $_d Uid)" "$_uid"
	eq "$_name: helper CapEff: CAP_SYS_ADMIN, CAP_SYS_PTRACE" "$(status_of "$_h" CapEff)" 0000000000280000
	eq "$_name: helper CapAmb" "$(status_of "$_h" CapAmb)" 0000000000000000
	eq "$_name: helper NoNewPrivs" "$(status_of "$_h" NoNewPrivs)" 1
	wait $_d
	eq "$_name: --count 3 exits 0" "$?" 0
	eq "$_name: three cycles of net points" "$(grep -c "^container_net,.*container=$s," "$tmp/run.$_name")" 3
}

# (a) root with the unit's bounding set (and no_new_privs, as the unit)
run_priv root $AS_ROOT
watch_priv root 0 $AS_ROOT

# (b) uid 65534 with the two as ambient capabilities
run_priv nonroot $AS_USER
watch_priv nonroot 65534 $AS_USER

# each of the two is needed: without it (or both) no network figures, and
# a warning that names what is missing and how to grant it
for c in sys_admin sys_ptrace none; do
	case $c in
	sys_admin) other=sys_ptrace; lacks=CAP_SYS_ADMIN ;;
	sys_ptrace) other=sys_admin; lacks=CAP_SYS_PTRACE ;;
	none) other=; lacks="CAP_SYS_ADMIN and CAP_SYS_PTRACE" ;;
	esac
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps -all${other:+,+$other} \
		${other:+--ambient-caps +$other} --bounding-set -all${other:+,+$other} \
		"$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err.no$c")
	eq "without $c: no net points" "$(printf '%s\n' "$out" | grep -c '^container_net,')" 0
	eq "without $c: the cgroup figures still come" "$(field "$out" container_pids "container=$s" current)" 1
	eq "without $c: one warning" "$(grep -c warning "$tmp/err.no$c")" 1
	check "without $c: it says the process lacks $lacks" \
		grep -q "network figures disabled: .* and this process lacks $lacks\. Run lxcollectd as root" "$tmp/err.no$c"
	check "without $c: it says how to grant them" \
		grep -q "AmbientCapabilities=CAP_SYS_ADMIN CAP_SYS_PTRACE in the systemd unit, or start it through setpriv --inh-caps +sys_admin,+sys_ptrace --ambient-caps +sys_admin,+sys_ptrace" "$tmp/err.no$c"
	check "without $c: not the kernel's bare EPERM" sh -c "! grep -q 'Operation not permitted' '$tmp/err.no$c'"
done

# /proc as the unit mounts it: ProcSubset=pid works; hidepid (what
# ProtectProc=invisible would do) hides the container's init from the
# capability-less collector, so the unit keeps ProtectProc=default
procrun() {
	unshare --mount --propagation private sh -c \
		"mount -t proc -o $1 proc /proc && exec $AS_USER '$LXCOLLECTD' -c '$tmp/c.ini' --once --stdout" 2>"$tmp/err.proc"
}
out=$(procrun subset=pid)
eq "proc subset=pid: rx_packets as ip -s link" \
	"$(field "$out" container_net "container=$s,interface=${s}y" rx_packets)" "$(ipj rx.packets)"
out=$(procrun hidepid=invisible)
eq "proc hidepid=invisible: no net points" "$(printf '%s\n' "$out" | grep -c '^container_net,')" 0
t_done
