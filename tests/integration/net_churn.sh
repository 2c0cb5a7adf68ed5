#!/bin/sh
# 200 container births and deaths (synthetic: own cgroup, an init that is
# PID 1 of its own pid and network namespaces) under a running --interval 1
# collection with network metrics on: the collector's and the helper's open
# fds are the same afterwards, and every container shows up in the output.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
need_root
need_cmd unshare pgrep

s=chn$$
rounds=20 per=10
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
printf '[collector]\ninclude = %s*\nmetrics = pids, net\n' "$s" >"$tmp/c.ini"
# two steady containers so sockets exist at the baseline too
syn_mkcg "lxc.payload.${s}s1" && syn_init "lxc.payload.${s}s1" >/dev/null
syn_mkcg "lxc.payload.${s}s2" && syn_init "lxc.payload.${s}s2" >/dev/null

: >"$tmp/out" # exists before the first cycles() below: the & redirects later
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 1 --stdout >"$tmp/out" 2>"$tmp/err" &
dpid=$!
t_defer "kill -9 $dpid"
cycles() { grep -c '^lxcollectd,' "$tmp/out"; }
wait_cycles() { # wait_cycles N: until N more cycles have run
	_t=$(($(cycles) + $1)); _i=0
	while [ "$(cycles)" -lt $_t ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
wait_cycles 2
hpid=$(pgrep -P $dpid | head -n1)
[ -n "$hpid" ] || { diag "no netns helper after two cycles"; tail -5 "$tmp/err" | sed 's/^/# /'; }
fds0=$(ls /proc/$dpid/fd | wc -l)
hfds0=$(ls /proc/$hpid/fd | wc -l)
diag "baseline: collector $fds0 fds, helper $hfds0 fds"

hiers=$(syn_hiers)
r=0
while [ $r -lt $rounds ]; do
	i=0; pids=""
	while [ $i -lt $per ]; do
		n=lxc.payload.${s}r${r}i$i
		for h in $hiers; do mkdir "$h/$n"; done
		unshare --pid --net --mount-proc --fork sleep 100000 >/dev/null 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	sleep 0.2
	i=0
	for u in $pids; do
		c=$(pgrep -P "$u" | head -n1)
		n=lxc.payload.${s}r${r}i$i
		[ -n "$c" ] && for h in $hiers; do echo "$c" >"$h/$n/cgroup.procs"; done
		i=$((i + 1))
	done
	sleep 1.5 # at least one cycle sees each of them
	for u in $pids; do pkill -9 -P "$u"; kill -9 "$u"; done 2>/dev/null
	for u in $pids; do wait "$u" 2>/dev/null; done
	i=0
	while [ $i -lt $per ]; do
		for h in $hiers; do rmdir "$h/lxc.payload.${s}r${r}i$i" 2>/dev/null; done
		i=$((i + 1))
	done
	r=$((r + 1))
done
wait_cycles 3
fds1=$(ls /proc/$dpid/fd | wc -l)
hfds1=$(ls /proc/$hpid/fd | wc -l)
eq "collector fds after $((rounds * per)) births and deaths" "$fds1" "$fds0"
eq "helper fds after the churn" "$hfds1" "$hfds0"
check "collector still running" kill -0 $dpid
seen=$(grep -o "^container_pids,host=[^,]*,container=${s}r[0-9]*i[0-9]* " "$tmp/out" | sort -u | wc -l)
eq "every container appeared in the output" "$seen" $((rounds * per))
left=$(ls -d /sys/fs/cgroup/*/lxc.payload.${s}r* /sys/fs/cgroup/lxc.payload.${s}r* 2>/dev/null | wc -l)
eq "all churn cgroups removed" "$left" 0
kill -TERM $dpid; wait $dpid
eq "collector exits 0 on SIGTERM" "$?" 0
check "nothing logged above info" sh -c "! grep -E ' (error|warning):' '$tmp/err'"
grep -E ' (error|warning):' "$tmp/err" | head -5 | sed 's/^/# /'
t_done
