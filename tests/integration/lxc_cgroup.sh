#!/bin/sh
# Real LXC containers (Debian's lxc, busybox template): --once --stdout
# reports cpu, memory, pids and io for each, agrees with the cgroup files
# read at the same moment, honours the limits, and the output is line
# protocol that a real influxd accepts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/lxc.sh"
need_lxc

p=lxct$$
# 16 MiB of tmpfs charged to each container: the kernel's per-CPU charge
# batching moves a cgroup's usage by up to 64 pages per CPU, which would
# be more than 5% of an idle busybox container's few hundred KiB
LXCT_RC='dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 2>/dev/null'
lxct_create "${p}a" \
	"lxc.cgroup.memory.limit_in_bytes = 268435456" \
	"lxc.cgroup.cpu.cfs_quota_us = 50000" \
	"lxc.cgroup.cpu.cfs_period_us = 100000" \
	"lxc.cgroup.pids.max = 200" || { not_ok "create ${p}a"; t_done; exit 1; }
lxct_create "${p}b" || { not_ok "create ${p}b"; t_done; exit 1; }
lxct_create "${p}c" || { not_ok "create ${p}c"; t_done; exit 1; }
for c in a b c; do
	check "container ${p}$c started" lxct_start "${p}$c"
done
# something to count: a little CPU and memory in one container
lxc-attach -n "${p}b" -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' 2>/dev/null
sleep 1 # let the attached shell's memory be uncharged before comparing

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
cat >"$tmp/c.ini" <<EOC
[collector]
include = ${p}*
metrics = cpu, memory, pids, io, pressure
EOC
out=$("$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err")
rc=$?
# read the cgroup files right after the daemon did
eq "exit status of --once --stdout" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/err"

for c in a b c; do
	n=${p}$c
	for m in container_cpu container_memory container_pids container_io; do
		got=$(printf '%s\n' "$out" | grep -c "^$m,host=[^ ]*,container=$n ")
		eq "$n: one $m point" "$got" 1
	done
	cg=/sys/fs/cgroup
	near "$n: usage_ns vs cpuacct.usage" "$(field "$out" container_cpu "container=$n" usage_ns)" \
		"$(cat $cg/cpuacct/lxc.payload.$n/cpuacct.usage)" 1
	near "$n: usage_bytes vs memory.usage_in_bytes" \
		"$(field "$out" container_memory "container=$n" usage_bytes)" \
		"$(cat $cg/memory/lxc.payload.$n/memory.usage_in_bytes)" 5
	eq "$n: pids current" "$(field "$out" container_pids "container=$n" current)" \
		"$(cat $cg/pids/lxc.payload.$n/pids.current)"
	# hybrid: pressure comes from the v2 tree
	if [ -f "$cg/unified/lxc.payload.$n/cpu.pressure" ]; then
		got=$(printf '%s\n' "$out" | grep -c "^container_pressure,host=[^ ]*,container=$n,resource=")
		eq "$n: three container_pressure points" "$got" 3
	fi
done
a=${p}a
eq "$a: limit_bytes" "$(field "$out" container_memory "container=$a" limit_bytes)" 268435456
eq "$a: limit_cpus" "$(field "$out" container_cpu "container=$a" limit_cpus)" 0.5
eq "$a: pids limit" "$(field "$out" container_pids "container=$a" limit)" 200
eq "${p}b: no limit_bytes (unlimited)" "$(field "$out" container_memory "container=${p}b" limit_bytes)" ""
eq "${p}b: no pids limit (max)" "$(field "$out" container_pids "container=${p}b" limit)" ""
got=$(printf '%s\n' "$out" | grep -c -e 'monitor' -e 'pivot')
eq "nothing for monitors or pivots" "$got" 0
ts=$(printf '%s\n' "$out" | awk '{print $NF}' | sort -u | wc -l)
eq "one timestamp for the whole cycle" "$ts" 1
iv=$(printf '%s\n' "$out" | awk 'NR==1 {print ($NF % 10000000000)}')
eq "timestamp on a multiple of the interval" "$iv" 0
check "self point lxcollectd with containers=3i" \
	sh -c "printf '%s\n' \"\$1\" | grep -q '^lxcollectd,host=[^ ]* containers=3i,'" _ "$out"

# valid line protocol: a real influxd stores every line
influxd_start || { not_ok "influxd started"; t_done; exit 1; }
influx_createdb lxd
printf '%s\n' "$out" >"$tmp/lines"
eq "influxd accepts the output" "$(influx_write lxd "$tmp/lines")" 204
want=$(wc -l <"$tmp/lines")
got=$(influx_q lxd 'SELECT count(usage_ns) FROM container_cpu' | jq '.results[0].series[0].values[0][1]')
eq "influxd stored container_cpu of all three" "$got" 3
t_done
