#!/bin/sh
# Too few file descriptors for every container (RLIMIT_NOFILE lowered with
# prlimit, CAP_SYS_RESOURCE dropped so that the daemon cannot raise it
# again): one warning names the limit, the number needed and the fix, and
# every container still has its cpu, memory and network points, equal to
# the kernel's, in every cycle: the containers beyond the budget are read
# cold (files opened and closed per cycle), never skipped.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
need_root
need_cmd setpriv prlimit unshare nsenter ip jq
[ -x /bin/busybox ] || skip_all "needs busybox-static (make deps)"

s=fdl$$
N=10
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
for i in $(seq 1 $N); do
	syn_mkcg "lxc.payload.$s$i" || { not_ok "create cgroups"; t_done; exit 1; }
	pid=$(syn_init "lxc.payload.$s$i") || { not_ok "start the init"; t_done; exit 1; }
	echo "$pid" >"$tmp/pid$i"
	# traffic of a different size in each container's own namespace
	nsenter -t "$pid" -n sh -c "sysctl -qw net.ipv6.conf.all.disable_ipv6=1; ip link set lo up; /bin/busybox ping -q -c $i -s $((i * 100)) -A -W 1 127.0.0.1 >/dev/null"
	# a process that spends some CPU and memory inside, then sleeps: the
	# cpu and memory figures are not zero
	sh -c "sleep 0.3; i=0; while [ \$i -lt $((i * 3000)) ]; do i=\$((i + 1)); done; exec sleep 100000" &
	t_defer "kill -9 $!"
	syn_move $! "lxc.payload.$s$i" || not_ok "move a process into $s$i"
	if [ -d /sys/fs/cgroup/memory ]; then
		echo $((i * 64 * 1048576)) >"/sys/fs/cgroup/memory/lxc.payload.$s$i/memory.limit_in_bytes"
	else
		echo $((i * 64 * 1048576)) >"/sys/fs/cgroup/lxc.payload.$s$i/memory.max"
	fi
done
sleep 2

printf '[collector]\ninclude = %s*\nmetrics = cpu, memory, pids, pressure, net\ninterfaces_exclude = none\ninterval = 1s\n' "$s" >"$tmp/c.ini"
NORES="setpriv --bounding-set -sys_resource --inh-caps -sys_resource"

# fds_open INCLUDE: fds of a daemon holding the containers INCLUDE names,
# once it has read them twice
fds_open() {
	sed "s/^include = .*/include = $1/" "$tmp/c.ini" >"$tmp/m.ini"
	"$LXCOLLECTD" -c "$tmp/m.ini" --count 100 --stdout >/dev/null 2>"$tmp/m.err" &
	_p=$!
	_i=0
	while [ "$(grep -c ' cycle ' "$tmp/m.err")" -lt 2 ] && [ $_i -lt 100 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	ls "/proc/$_p/fd" | wc -l
	kill $_p; wait $_p
}
base=$(fds_open "none$s")
all=$(fds_open "$s*")
per=$(( (all - base + N - 1) / N ))
# room for about half of them: the start-up fds, the budget's reserve of
# 32 (collector/fdbudget.h), three containers and one to read a cold one;
# below what they all hold open when every one is kept open
limit=$((base + 32 + (N / 2 + 1) * per))
diag "fds: $base without containers, $all with $N, ~$per each; limit $limit"
check "the limit ($limit) is below what $N containers held open need ($all)" [ "$limit" -lt "$all" ]

out=$(prlimit --nofile=$limit:$limit $NORES "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --stdout 2>"$tmp/err")
eq "exit 0" "$?" 0
grep -v ' info: cycle ' "$tmp/err" | sed 's/^/# /' | head -20

eq "one warning about file descriptors" "$(grep -c 'file descriptors' "$tmp/err")" 1
eq "no other warning" "$(grep -c ' warning: ' "$tmp/err")" 1
line=$(grep 'file descriptors' "$tmp/err")
check "it names the limit" sh -c "printf '%s' '$line' | grep -qF 'but the limit (RLIMIT_NOFILE) is $limit: '"
need=$(printf '%s' "$line" | sed -n 's/.* containers need about \([0-9]*\) file descriptors.*/\1/p')
check "it names the number needed ($need), above the limit" [ "${need:-0}" -gt "$limit" ]
check "it names the fix" sh -c "printf '%s' '$line' | grep -qF 'Raise the limit to at least $need: LimitNOFILE= in the systemd unit, or ulimit -n before starting lxcollectd'"
check "it says $N containers" sh -c "printf '%s' '$line' | grep -qF 'open files: $N containers need about'"
cold=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) of them are read by opening their files every cycle.*/\1/p')
check "some containers, not all, are read cold ($cold)" [ "${cold:-0}" -ge 1 ] && [ "${cold:-0}" -lt $N ]
check "not 'no init process found'" sh -c "! grep -q 'no init process' '$tmp/err'"

last=$(printf '%s\n' "$out" | awk '{print $NF}' | sort -u | tail -n1)
eq "three cycles" "$(printf '%s\n' "$out" | awk '{print $NF}' | sort -u | wc -l)" 3
lastout=$(printf '%s\n' "$out" | grep " $last\$")
cpuacct=/sys/fs/cgroup/cpuacct; [ -d $cpuacct ] || cpuacct=
memcg=/sys/fs/cgroup/memory; [ -d $memcg ] || memcg=
for i in $(seq 1 $N); do
	c=$s$i pid=$(cat "$tmp/pid$i")
	for m in container_cpu container_memory container_pids container_net; do
		eq "$c: $m in each of the 3 cycles" \
			"$(printf '%s\n' "$out" | grep -c "^$m,.*container=$c[, ]")" 3
	done
	if [ -n "$cpuacct" ]; then k=$(cat "$cpuacct/lxc.payload.$c/cpuacct.usage")
	else k=$(( $(awk '$1 == "usage_usec" {print $2}' "/sys/fs/cgroup/lxc.payload.$c/cpu.stat") * 1000 )); fi
	check "$c: the kernel counted some CPU time ($k ns)" [ "$k" -gt 0 ]
	eq "$c: cpu usage_ns equals the kernel's" "$(field "$lastout" container_cpu "container=$c" usage_ns)" "$k"
	# usage moves by itself (the kernel charges in per-CPU batches): the
	# limit, set apart for each container, is the exact memory check
	if [ -n "$memcg" ]; then k=$(cat "$memcg/lxc.payload.$c/memory.limit_in_bytes")
	else k=$(cat "/sys/fs/cgroup/lxc.payload.$c/memory.max"); fi
	eq "$c: memory limit_bytes equals the kernel's" "$(field "$lastout" container_memory "container=$c" limit_bytes)" "$k"
	check "$c: memory usage_bytes is there" [ "$(field "$lastout" container_memory "container=$c" usage_bytes)" -gt 0 ]
	for k in rx.packets:rx_packets rx.bytes:rx_bytes tx.bytes:tx_bytes; do
		eq "$c: lo ${k#*:} equals ip -s link" \
			"$(field "$lastout" container_net "container=$c,interface=lo" "${k#*:}")" \
			"$(nsenter -t "$pid" -n ip -s -j link show lo | jq -r ".[0].stats64.${k%%:*}")"
	done
done
t_done
