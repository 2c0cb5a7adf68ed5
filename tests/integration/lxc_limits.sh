#!/bin/sh
# Real LXC containers: limits changed with lxc-cgroup while the daemon runs
# show within a minute (limits are read once a minute, not held open),
# effective_cpus among them (the count of the v1 cpuset, the quota aside,
# as LXD counts); the
# daemon holds no limit file open, at most 11 cgroup files per container on
# a hybrid host with every default metric, and no pidfd.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
need_lxc

p=lxl$$
lxct_create "${p}a" \
	"lxc.cgroup.memory.limit_in_bytes = 268435456" \
	"lxc.cgroup.cpu.cfs_quota_us = 50000" \
	"lxc.cgroup.cpu.cfs_period_us = 100000" \
	"lxc.cgroup.pids.max = 200" || { not_ok "create ${p}a"; t_done; exit 1; }
lxct_create "${p}b" || { not_ok "create ${p}b"; t_done; exit 1; }
lxct_create "${p}c" "lxc.cgroup.cpuset.cpus = 0" || { not_ok "create ${p}c"; t_done; exit 1; }
for c in a b c; do
	check "container ${p}$c started" lxct_start "${p}$c"
done

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
printf '[collector]\ninclude = %s*\n[log]\nlevel = info\n' "$p" >"$tmp/c.ini"
# 75 cycles of 1 s: more than a minute after the change
"$LXCOLLECTD" -c "$tmp/c.ini" --stdout --interval 1 --count 75 >"$tmp/out" 2>"$tmp/err" &
dpid=$!
t_bound "$dpid" 120
t_defer "kill -9 $dpid 2>/dev/null"
i=0
until [ "$(grep -c ' containers, ' "$tmp/err")" -ge 3 ]; do
	i=$((i + 1)); [ $i -gt 200 ] && break
	sleep 0.1
done

# what the daemon holds open: cgroup files by path, no limit, no pidfd
for c in a b; do
	n=$(for f in /proc/$dpid/fd/*; do readlink "$f"; done | grep -c "/lxc.payload.${p}$c/")
	check "${p}$c: at most 11 cgroup files held ($n)" test "$n" -le 11 -a "$n" -ge 8
done
n=$(for f in /proc/$dpid/fd/*; do readlink "$f"; done |
	grep -c -e 'limit_in_bytes$' -e 'cfs_quota_us$' -e 'cfs_period_us$' -e 'pids.max$' -e 'memory.max$' -e 'cpu.max$' \
		-e 'effective_cpus$' -e 'cpus.effective$')
eq "no limit file held open" "$n" 0
n=$(for f in /proc/$dpid/fd/*; do readlink "$f"; done | grep -c 'pidfd')
eq "no pidfd held" "$n" 0

# change the limits: a lower one for a, new ones for b (which had none)
t_change=$(date +%s)
check "lxc-cgroup memory.limit_in_bytes" lxc-cgroup -n "${p}a" memory.limit_in_bytes 134217728
check "lxc-cgroup pids.max" lxc-cgroup -n "${p}a" pids.max 100
check "lxc-cgroup cpu.cfs_quota_us (b)" lxc-cgroup -n "${p}b" cpu.cfs_quota_us 25000
check "lxc-cgroup memory.limit_in_bytes (b)" lxc-cgroup -n "${p}b" memory.limit_in_bytes 67108864
ncpu=$(getconf _NPROCESSORS_ONLN)
[ "$ncpu" -ge 2 ] && check "lxc-cgroup cpuset.cpus 0-1 (c)" lxc-cgroup -n "${p}c" cpuset.cpus 0-1
wait "$dpid"
eq "daemon exit status" "$?" 0

# when the new value first shows, and that it stays: seconds after the change
# (a point's timestamp is its cycle's tick)
first_seen() { # MEASUREMENT CONTAINER FIELD VALUE
	awk -v m="$1" -v c="container=$2" -v f="$3" -v v="$4" -v t0="$t_change" '
	{
		split($1, mt, ","); if (mt[1] != m || index("," $1 ",", "," c ",") == 0) next
		k = split($2, fs, ","); val = ""
		for (i = 1; i <= k; i++) { split(fs[i], kv, "="); if (kv[1] == f) { val = kv[2]; sub(/i$/, "", val) } }
		ts = int($3 / 1000000000)
		if (val == v && first == "") first = ts
		if (first != "" && val != v) flapped = 1
	}
	END { if (first == "" || flapped) print "never"; else print first - t0 }' "$tmp/out"
}
within_minute() { # DESCRIPTION SECONDS
	case $2 in
	never) not_ok "$1 (never, or not for good)" ;;
	*) if [ "$2" -le 61 ]; then ok "$1 (after ${2} s)"; else not_ok "$1 (after ${2} s)"; fi ;;
	esac
}
within_minute "${p}a: new memory limit within a minute" \
	"$(first_seen container_memory "${p}a" limit_bytes 134217728)"
within_minute "${p}a: new pids limit within a minute" \
	"$(first_seen container_pids "${p}a" limit 100)"
within_minute "${p}b: new CPU limit within a minute" \
	"$(first_seen container_cpu "${p}b" limit_cpus 0.25)"
within_minute "${p}b: new memory limit within a minute" \
	"$(first_seen container_memory "${p}b" limit_bytes 67108864)"
# the old value until then: the first cycle had the configured limit
eq "${p}a: the first cycle had the configured memory limit" \
	"$(field "$(head -n 20 "$tmp/out")" container_memory "container=${p}a" limit_bytes)" 268435456
# effective_cpus: the cpuset's count; a's quota of 0.5 CPU does not lower it
head -n 40 "$tmp/out" >"$tmp/first"
eq "${p}a: effective_cpus is every online CPU despite the 0.5 quota" \
	"$(field "$(cat "$tmp/first")" container_cpu "container=${p}a" effective_cpus)" "$ncpu"
eq "${p}a: limit_cpus 0.5 beside it" \
	"$(field "$(cat "$tmp/first")" container_cpu "container=${p}a" limit_cpus)" 0.5
eq "${p}c: effective_cpus 1 with lxc.cgroup.cpuset.cpus = 0" \
	"$(field "$(cat "$tmp/first")" container_cpu "container=${p}c" effective_cpus)" 1
[ "$ncpu" -ge 2 ] && within_minute "${p}c: cpuset widened to 0-1 shows within a minute" \
	"$(first_seen container_cpu "${p}c" effective_cpus 2)"
# b now has a quota: its throttling counters are read every cycle
last=$(grep "^container_cpu,[^ ]*container=${p}b[ ,]" "$tmp/out" | tail -n 1)
check "${p}b: periods still reported" [ -n "$(field "$last" container_cpu "container=${p}b" periods)" ]
cycles=$(grep -c "^container_cpu,[^ ]*container=${p}a[ ,]" "$tmp/out")
eq "a point every cycle" "$cycles" 75
t_done
