#!/bin/sh
# lxcollectd top against real LXC containers: one busy under a 0.5 CPU
# quota that also pings an address on a bridge of our own (a known number
# of bytes each way), one idle on a second bridge. `top -b -n 3 -d 2`
# must show the busy one's CPU within 10 % of the CPU time its busy loop
# used (from /proc/PID/stat, not from the cgroup top reads), its RX/TX
# rates times each frame's interval within 10 % of the bytes and packets
# the pings put on the wire, and the idle one at zero. Then the same as
# a user with only the daemon's two capabilities (network columns) and
# with none (no network columns, said once on stderr). Last, the
# interactive view in tmux: the containers on screen, sorting by a key, a
# resize, and q quits.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
need_lxc
need_cmd ip awk setpriv tmux

p=top$$
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
chmod 755 "$tmp"
old_def=$(sysctl -n net.ipv6.conf.default.disable_ipv6 2>/dev/null || echo 0)
sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
t_defer "sysctl -qw net.ipv6.conf.default.disable_ipv6=$old_def"
for b in b c; do
	ip link add "${p}$b" type bridge || { not_ok "bridge ${p}$b"; t_done; exit 1; }
	t_defer "ip link del ${p}$b"
	ip link set "${p}$b" up
done
ip addr add 10.207.0.1/24 dev "${p}b"
noip6="lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1"
noip6d="lxc.sysctl.net.ipv6.conf.default.disable_ipv6 = 1"
lxct_create "${p}1" "$noip6" "$noip6d" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${p}b" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.ipv4.address = 10.207.0.2/24" \
	"lxc.cgroup.memory.limit_in_bytes = 268435456" \
	"lxc.cgroup.cpu.cfs_quota_us = 50000" "lxc.cgroup.cpu.cfs_period_us = 100000" ||
	{ not_ok "create ${p}1"; t_done; exit 1; }
lxct_create "${p}2" "$noip6" "$noip6d" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${p}c" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.ipv4.address = 10.207.1.2/24" ||
	{ not_ok "create ${p}2"; t_done; exit 1; }
for c in 1 2; do check "container ${p}$c started" lxct_start "${p}$c"; done
# ARP settles before anything is measured
check "the bridge answers ${p}1" sh -c "lxc-attach -n ${p}1 -- ping -c 1 -W 2 10.207.0.1 >/dev/null 2>&1"

# a busy loop in ${p}1 (its quota: half a CPU), found on the host by its
# CPU time among the container's processes
lxc-attach -n "${p}1" -- sh -c 'while :; do :; done' >/dev/null 2>&1 &
t_defer "kill -9 $!"
sleep 1
busy=$(for q in $(cat /sys/fs/cgroup/cpuacct/lxc.payload.${p}1/cgroup.procs 2>/dev/null ||
	cat /sys/fs/cgroup/lxc.payload.${p}1/cgroup.procs); do
	awk -v q="$q" '{ sub(/^.*\) /, ""); print $12 + $13, q }' /proc/"$q"/stat 2>/dev/null
done | sort -n | tail -n1 | cut -d' ' -f2)
check "busy loop found (pid $busy)" [ -n "$busy" ]
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$busy"/stat; }
hz=$(getconf CLK_TCK)

# 1. -b -n 3 -d 2 as root; the pings start once the first frame is out
: >"$tmp/out" # before the background job's own redirection: no race with grep
t0=$(date +%s.%N); k0=$(ticks)
"$LXCOLLECTD" top -b -n 3 -d 2 >"$tmp/out" 2>"$tmp/err" &
top_pid=$!
t_bound $top_pid 30
i=0; while [ "$(grep -c '^$' "$tmp/out")" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
# 15 pings of 1000 bytes, 5 a second: 1042 bytes on the wire each way
# (14 ethernet + 20 IP + 8 ICMP + 1000), over by the third frame (an ARP
# refresh may add a 42-byte packet each way)
lxc-attach -n "${p}1" -- ping -q -c 15 -i 0.2 -s 1000 10.207.0.1 >/dev/null 2>&1
wait $top_pid; rc=$?
t1=$(date +%s.%N); k1=$(ticks)
eq "top -b -n 3 -d 2 exits 0" "$rc" 0
eq "three frames" "$(grep -c '^time=' "$tmp/out")" 3
eq "nothing on stderr" "$(wc -c <"$tmp/err")" 0
hdr=$(sed -n 2p "$tmp/out")
eq "column names" "$hdr" "NAME PROJECT CPU CPULIM MEM MEMLIM PIDS READ WRITE RX TX RXPK TXPK PSICPU PSIMEM PSIIO"
# every row of every frame has as many cells as the header names
eq "no space inside a cell" "$(awk 'NF && !/^time=/ && NF != 16' "$tmp/out" | wc -l)" 0
eq "first frame after one interval" \
	"$(awk '/^time=/ { for (i = 1; i <= NF; i++) if ($i ~ /^interval=/) { sub(/interval=/, "", $i); print ($i >= 1.9 && $i <= 2.6) ? "yes" : $i; exit } }' "$tmp/out")" yes

# col NAME COLUMN: that container's values of COLUMN, one per frame
col() {
	awk -v n="$1" -v c="$2" '
	/^time=/ { getline; for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	$1 == n { print $k }' "$tmp/out"
}
# total NAME COLUMN: sum over the frames of rate x the frame's interval
total() {
	awk -v n="$1" -v c="$2" '
	/^time=/ { for (i = 1; i <= NF; i++) if ($i ~ /^interval=/) { iv = $i; sub(/interval=/, "", iv) }
		   getline; for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
	$1 == n { s += $k * iv }
	END { printf "%.1f\n", s }' "$tmp/out"
}
# the busy loop's CPU over top's run, % of one CPU
want_cpu=$(awk -v a="$k0" -v b="$k1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN { printf "%.1f\n", (b - a) / hz / (e - s) * 100 }')
got_cpu=$(col "${p}1" CPU | awk '{ s += $1 } END { printf "%.1f\n", s / NR }')
near "${p}1 CPU (mean of 3 frames) vs its busy loop's CPU time" "$got_cpu" "$want_cpu" 10
check "${p}1 CPU about half a CPU (its quota): $got_cpu" awk -v v="$got_cpu" 'BEGIN { exit !(v > 35 && v < 55) }'
for v in $(col "${p}1" CPULIM); do
	lim_ok=$(awk -v v="$v" -v c="$got_cpu" 'BEGIN { print (v > 1.6 * c && v < 2.4 * c) ? 1 : 0 }')
	[ "$lim_ok" = 1 ] || break
done
eq "${p}1 CPULIM is CPU over its 0.5 CPU limit" "$lim_ok" 1
eq "${p}1 MEMLIM" "$(col "${p}1" MEMLIM | sort -u)" 268435456
eq "${p}2 MEMLIM unlimited" "$(col "${p}2" MEMLIM | sort -u)" -
near "${p}1 RX bytes (rate x interval, 3 frames)" "$(total "${p}1" RX)" $((15 * 1042)) 10
near "${p}1 TX bytes (rate x interval, 3 frames)" "$(total "${p}1" TX)" $((15 * 1042)) 10
near "${p}1 RX packets" "$(total "${p}1" RXPK)" 15 10
near "${p}1 TX packets" "$(total "${p}1" TXPK)" 15 10
v=$(col "${p}1" RX | head -n1)
eq "${p}1 RX in the first frame, before the pings" "$v" 0
[ "$v" = 0 ] || sed 's/^/# /' "$tmp/out"
for c in CPU RX TX RXPK TXPK READ WRITE; do
	eq "${p}2 (idle) $c zero in every frame" "$(col "${p}2" $c | tr '\n' ' ')" \
		"$(case $c in CPU | RXPK | TXPK) echo '0.0 0.0 0.0 ' ;; *) echo '0 0 0 ' ;; esac)"
done
check "${p}2 has its pids" [ "$(col "${p}2" PIDS | head -n1)" -ge 1 ]
eq "sorted by CPU: ${p}1 above ${p}2" \
	"$(awk -v a="${p}1" -v b="${p}2" '$1 == a { print "a"; exit } $1 == b { print "b"; exit }' "$tmp/out")" a
"$LXCOLLECTD" top -b -n 1 -d 0.5 -s name >"$tmp/byname" 2>/dev/null
eq "-s name sorts A to Z" "$(awk -v a="${p}1" -v b="${p}2" '$1 == a || $1 == b' "$tmp/byname" | cut -d' ' -f1 | tr '\n' ' ')" "${p}1 ${p}2 "

# 2. the daemon's two capabilities as a user, and none
BND="--bounding-set -all,+sys_admin,+sys_ptrace"
CAPS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps -all,+sys_admin,+sys_ptrace --ambient-caps +sys_admin,+sys_ptrace $BND"
NONE="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps -all --bounding-set -all"
$CAPS "$LXCOLLECTD" top -b -n 2 -d 1 >"$tmp/caps" 2>"$tmp/caps.err"
eq "two capabilities: exit 0" "$?" 0
eq "two capabilities: nothing on stderr" "$(cat "$tmp/caps.err")" ""
check "two capabilities: RX and TX columns" grep -q '^NAME PROJECT CPU .* RX TX RXPK TXPK' "$tmp/caps"
eq "two capabilities: ${p}1 busy" \
	"$(awk -v n="${p}1" '$1 == n { print ($3 > 30) ? "busy" : $3 }' "$tmp/caps" | tail -n1)" busy
$NONE "$LXCOLLECTD" top -b -n 2 -d 1 >"$tmp/none" 2>"$tmp/none.err"
eq "no capabilities: exit 0" "$?" 0
eq "no capabilities: said once" "$(grep -c 'no network columns' "$tmp/none.err")" 1
eq "no capabilities: said nothing else" "$(wc -l <"$tmp/none.err")" 1
eq "no capabilities: columns without the network" "$(sed -n 2p "$tmp/none")" \
	"NAME PROJECT CPU CPULIM MEM MEMLIM PIDS READ WRITE PSICPU PSIMEM PSIIO"
eq "no capabilities: ${p}1 busy" \
	"$(awk -v n="${p}1" '$1 == n { print ($3 > 30) ? "busy" : $3 }' "$tmp/none" | tail -n1)" busy

# 3. interactive, in tmux
T="tmux -L $p"
t_defer "$T kill-server"
$T new-session -d -x 150 -y 30 -s top "$LXCOLLECTD top -d 1; echo \$? >$tmp/rc; sleep 30" ||
	{ not_ok "tmux"; t_done; exit 1; }
screen() { $T capture-pane -p -t top; }
# wait_for TEXT: until the screen shows TEXT (10 s at most)
wait_for() {
	_i=0
	until screen | grep -q -- "$1"; do
		_i=$((_i + 1)); [ $_i -gt 100 ] && return 1
		sleep 0.1
	done
}
check "screen: collecting before the first frame" wait_for "first frame comes after one interval"
check "screen: ${p}1 shown" wait_for "^${p}1 "
check "screen: ${p}2 shown" wait_for "^${p}2 "
screen >"$tmp/screen1"
check "screen: column names" grep -q 'NAME .*CPU .*MEM .*RX .*TX' "$tmp/screen1"
check "screen: host line" grep -q '^Host: .*CPU .*mem ' "$tmp/screen1"
check "screen: containers line" grep -q '^Containers: ' "$tmp/screen1"
check "screen: human units (MEMLIM 256M)" sh -c "grep '^${p}1 ' '$tmp/screen1' | grep -q ' 256M '"
eq "screen: sorted by CPU, ${p}1 first" "$(grep -E "^${p}[12] " "$tmp/screen1" | head -n1 | cut -d' ' -f1)" "${p}1"
$T send-keys -t top n
check "key n: sorted by NAME" wait_for "sorted by NAME"
$T send-keys -t top '>'
check "key >: next column" wait_for "sorted by PROJECT"
$T send-keys -t top m
check "key m: sorted by MEM" wait_for "sorted by MEM"
$T resize-window -t top -x 70 -y 12
check "resize: redrawn at 70 columns" sh -c "sleep 1.5; [ \$($T capture-pane -p -t top | awk '{ if (length(\$0) > m) m = length(\$0) } END { print m }') -le 70 ]"
check "resize: containers still shown" wait_for "^${p}1 "
$T send-keys -t top q
i=0; while [ ! -s "$tmp/rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
eq "q quits, exit 0" "$(cat "$tmp/rc" 2>/dev/null)" 0
eq "q: the terminal is restored (no alternate screen left)" "$(screen | grep -c 'sorted by')" 0

# without capabilities the screen says it once, on its status line
$T new-session -d -x 150 -y 30 -s nocap "$NONE $LXCOLLECTD top -d 1; sleep 30" ||
	{ not_ok "tmux"; t_done; exit 1; }
i=0; until $T capture-pane -p -t nocap | grep -q "^${p}1 " || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
$T capture-pane -p -t nocap >"$tmp/screen2"
eq "screen without capabilities: said once" "$(grep -c 'no network columns' "$tmp/screen2")" 1
check "screen without capabilities: ${p}1 shown" grep -q "^${p}1 " "$tmp/screen2"
eq "screen without capabilities: no RX column" "$(grep -c 'NAME .* RX ' "$tmp/screen2")" 0
$T send-keys -t nocap q

t_done
