#!/bin/sh
# 500 container births and deaths, each a synthetic container with its own
# cgroup, an init that is PID 1 of its own pid and network namespaces, and
# a veth whose container end is eth0, in batches of 25 that live ~2.2 s
# each under a running --interval 1 collection with network metrics on:
# afterwards the collector's fd count and RSS equal those before (within
# 2 fds and 2 MiB), the helper's fds too, and every container (each lived
# at least two cycles) appears in the output, with its eth0 and the right
# host-side peer. (net_churn.sh does 200 without veths.)
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
need_root
# between VALUE LOW HIGH (integers)
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
need_cmd unshare pgrep ip

s=vc$$
batches=${VC_BATCHES:-20} per=25
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
hiers=$(syn_hiers)
printf '[collector]\ninclude = %s*\nmetrics = pids, net\n' "$s" >"$tmp/c.ini"
syn_mkcg "lxc.payload.${s}s1" && syn_init "lxc.payload.${s}s1" >/dev/null
syn_mkcg "lxc.payload.${s}s2" && syn_init "lxc.payload.${s}s2" >/dev/null
vc_cleanup() {
	for _u in $(cat "$tmp/pids" 2>/dev/null); do pkill -9 -P "$_u"; kill -9 "$_u"; done 2>/dev/null
	sleep 0.2
	for _h in $hiers; do
		find "$_h" -maxdepth 1 -name "lxc.payload.${s}b*" -type d -exec rmdir {} + 2>/dev/null
	done
	ip -o link show | sed -n "s/^[0-9]*: \(v$$b[0-9]*i[0-9]*\)[@:].*/\1/p" |
		while read -r _l; do ip link del "$_l" 2>/dev/null; done
	return 0
}
t_defer vc_cleanup

# ASan keeps freed memory in a 256 MiB quarantine, which would read as
# growth here: without it the sanitizer build's RSS means the same
case $LXC_BUILD in *san*) export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" ;; esac
: >"$tmp/out" # exists before the first cycles() below: the & redirects later
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 1 --stdout >"$tmp/out" 2>"$tmp/err" &
dpid=$!
t_defer "kill -9 $dpid"
t_bound $dpid 300
cycles() { grep -c '^lxcollectd,' "$tmp/out"; }
wait_cycles() { # wait_cycles N: until N more cycles have run
	_t=$(($(cycles) + $1)); _i=0
	while [ "$(cycles)" -lt $_t ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$1/status; }
wait_cycles 3
hpid=$(pgrep -P $dpid | head -n1)
fds0=$(ls /proc/$dpid/fd | wc -l) hfds0=$(ls /proc/$hpid/fd | wc -l) rss0=$(rss $dpid)
diag "before: collector $fds0 fds, ${rss0} kB RSS; helper $hfds0 fds"

# setup BATCH I UNSHARE-PID: the cgroup, the init (the unshare's child,
# PID 1 of new pid and net namespaces) moved into it, a veth into its
# namespace. The unshares are started by the main shell, which reaps them.
setup() {
	_n=lxc.payload.${s}b$1i$2
	for _h in $hiers; do mkdir "$_h/$_n"; done
	_c=""; _k=0
	while [ -z "$_c" ] && [ $_k -lt 100 ]; do
		_c=$(pgrep -P "$3" | head -n1); [ -n "$_c" ] || sleep 0.02; _k=$((_k + 1))
	done
	[ -n "$_c" ] || { echo "# no init for $_n"; return 1; }
	for _h in $hiers; do echo "$_c" >"$_h/$_n/cgroup.procs"; done
	ip link add name "v$$b$1i$2" type veth peer name eth0 netns "$_c" ||
		echo "# veth for $_n failed"
}

t0=$(date +%s)
b=0
while [ $b -lt $batches ]; do
	pids="" setups=""
	i=0
	while [ $i -lt $per ]; do
		unshare --pid --net --mount-proc --fork sleep 100000 >/dev/null 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	echo "$pids" >"$tmp/pids"
	i=0
	for u in $pids; do setup $b $i $u & setups="$setups $!"; i=$((i + 1)); done
	for x in $setups; do wait "$x"; done
	sleep 2.2
	for u in $pids; do pkill -9 -P "$u"; kill -9 "$u"; done 2>/dev/null
	for u in $pids; do wait "$u" 2>/dev/null; done
	i=0
	while [ $i -lt $per ]; do
		for h in $hiers; do
			_k=0
			while ! rmdir "$h/lxc.payload.${s}b${b}i$i" 2>/dev/null && [ -d "$h/lxc.payload.${s}b${b}i$i" ] && [ $_k -lt 50 ]; do
				sleep 0.02; _k=$((_k + 1))
			done
		done
		i=$((i + 1))
	done
	b=$((b + 1))
done
diag "churn of $((batches * per)) containers took $(( $(date +%s) - t0 )) s"
# the namespaces (and veths) of the last batch go away asynchronously
_k=0
while ip -o link show | grep -q "v$$b" && [ $_k -lt 100 ]; do sleep 0.1; _k=$((_k + 1)); done
wait_cycles 3
fds1=$(ls /proc/$dpid/fd | wc -l) hfds1=$(ls /proc/$hpid/fd | wc -l) rss1=$(rss $dpid)
diag "after: collector $fds1 fds, ${rss1} kB RSS; helper $hfds1 fds"
check "collector fds after the churn within 2 of before ($fds1 vs $fds0)" \
	test $((fds1 - fds0)) -le 2 -a $((fds0 - fds1)) -le 2
check "collector RSS after the churn within 2 MiB of before (${rss1} vs ${rss0} kB)" \
	between "$((rss1 - rss0))" -2048 2048
eq "helper fds after the churn" "$hfds1" "$hfds0"
check "collector still running" kill -0 $dpid
n=$((batches * per))
seen=$(grep -o "^container_pids,host=[^,]*,container=${s}b[0-9]*i[0-9]* " "$tmp/out" | sort -u | wc -l)
eq "every container appeared in container_pids" "$seen" $n
[ -n "${VC_KEEP:-}" ] && cp "$tmp/out" "$tmp/err" "$VC_KEEP/"
two=$(grep -o "^container_pids,host=[^,]*,container=${s}b[0-9]*i[0-9]* " "$tmp/out" | sort | uniq -c |
	awk '$1 >= 2' | wc -l)
eq "every container was seen in at least two cycles" "$two" $n
netok=$(grep -E "^container_net,host=[^,]*,container=${s}b[0-9]+i[0-9]+,interface=eth0,host_interface=v$$b[0-9]+i[0-9]+ " "$tmp/out" |
	sed -E "s/^container_net,host=[^,]*,container=${s}b([0-9]+)i([0-9]+),interface=eth0,host_interface=v$$b([0-9]+)i([0-9]+) .*/\1 \2 \3 \4/" |
	awk '$1 == $3 && $2 == $4 { print $1 "i" $2 }' | sort -u | wc -l)
eq "every container's eth0 appeared with its own host-side peer" "$netok" $n
left=$(ls -d /sys/fs/cgroup/*/lxc.payload.${s}b* /sys/fs/cgroup/lxc.payload.${s}b* 2>/dev/null | wc -l)
eq "all churn cgroups removed" "$left" 0
kill -TERM $dpid; wait $dpid
eq "collector exits 0 on SIGTERM" "$?" 0
nw=$(grep -cE ' (error|warning):' "$tmp/err")
eq "nothing logged above info" "$nw" 0
grep -E ' (error|warning):' "$tmp/err" | head -5 | sed 's/^/# /'
t_done
