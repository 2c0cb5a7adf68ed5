#!/bin/sh
# Network figures of real LXC containers, read inside each container's
# network namespace: agreement with `ip -s link` in that namespace, the
# host-side veth peer, exact counter deltas for a known transfer in both
# directions, no points for a container with only lo, setns only at the
# first sight of a container, and the collector's empty capability sets.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
need_lxc
need_cmd ip nsenter jq strace

p=lxn$$
lxct_bridges "${p}a" "${p}b"
noip6="lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1"
noip6d="lxc.sysctl.net.ipv6.conf.default.disable_ipv6 = 1"
lxct_create "${p}1" "$noip6" "$noip6d" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${p}a" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.veth.pair = ${p}h0" "lxc.net.0.ipv4.address = 10.201.0.2/24" \
	"lxc.net.1.type = veth" "lxc.net.1.link = ${p}b" "lxc.net.1.flags = up" \
	"lxc.net.1.name = eth1" "lxc.net.1.veth.pair = ${p}h1" "lxc.net.1.ipv4.address = 10.202.0.2/24" ||
	{ not_ok "create ${p}1"; t_done; exit 1; }
lxct_create "${p}2" "$noip6" || { not_ok "create ${p}2"; t_done; exit 1; }
lxct_create "${p}3" "$noip6" "$noip6d" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${p}a" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.veth.pair = ${p}h3" "lxc.net.0.ipv4.address = 10.201.0.3/24" ||
	{ not_ok "create ${p}3"; t_done; exit 1; }
for c in 1 2 3; do check "container ${p}$c started" lxct_start "${p}$c"; done
pid1=$(lxct_pid "${p}1")

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
printf '[collector]\ninclude = %s*\nmetrics = net\n' "$p" >"$tmp/c.ini"

# ARP settles before anything is measured
lxc-attach -n "${p}1" -- ping -c 1 -W 2 10.201.0.3 >/dev/null 2>&1
lxc-attach -n "${p}3" -- ping -c 1 -W 2 10.201.0.2 >/dev/null 2>&1
sleep 0.5

# 1. idle links: the daemon's figures equal `ip -s link` in the namespace
out=$("$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err")
eq "--once exits 0" "$?" 0
nsenter -t "$pid1" -n ip -s -j link show >"$tmp/ip.json"
for ifc in eth0 eth1; do
	for k in rx:bytes:rx_bytes rx:packets:rx_packets tx:bytes:tx_bytes tx:packets:tx_packets; do
		dir=${k%%:*}; rest=${k#*:}; jk=${rest%%:*}; f=${rest#*:}
		want=$(jq -r ".[] | select(.ifname==\"$ifc\") | .stats64.$dir.$jk" "$tmp/ip.json")
		eq "${p}1 $ifc $f equals ip -s link" "$(field "$out" container_net "interface=$ifc" "$f")" "$want"
	done
done
eq "${p}1 eth0 host_interface" "$(printf '%s\n' "$out" | grep "container=${p}1,interface=eth0," | sed 's/.*host_interface=\([^ ,]*\).*/\1/')" "${p}h0"
eq "${p}1 eth1 host_interface" "$(printf '%s\n' "$out" | grep "container=${p}1,interface=eth1," | sed 's/.*host_interface=\([^ ,]*\).*/\1/')" "${p}h1"
eq "no lo points (interfaces_exclude)" "$(printf '%s\n' "$out" | grep -c 'interface=lo')" 0
eq "no net points for ${p}2 (only lo)" "$(printf '%s\n' "$out" | grep -c "^container_net,host=[^,]*,container=${p}2,")" 0

# 2. exact deltas: 5 pings of 100 bytes out of ${p}1 (request 142 bytes on
# the wire: 14 ethernet + 20 IP + 8 ICMP + 100), 3 pings of 200 bytes into
# it (242 bytes each way)
"$LXCOLLECTD" -c "$tmp/c.ini" --count 4 --interval 1 --stdout >"$tmp/run" 2>"$tmp/err" &
dpid=$!
i=0; while ! grep -q '^lxcollectd' "$tmp/run" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
lxc-attach -n "${p}1" -- ping -A -q -c 5 -s 100 10.201.0.3 >/dev/null 2>&1
lxc-attach -n "${p}3" -- ping -A -q -c 3 -s 200 10.201.0.2 >/dev/null 2>&1
wait $dpid
eq "--count 4 exits 0" "$?" 0
first=$(awk '{print $NF}' "$tmp/run" | sort -u | head -n1)
last=$(awk '{print $NF}' "$tmp/run" | sort -u | tail -n1)
f1=$(grep " $first\$" "$tmp/run"); f4=$(grep " $last\$" "$tmp/run")
for k in rx_packets:8 tx_packets:8 rx_bytes:$((5 * 142 + 3 * 242)) tx_bytes:$((5 * 142 + 3 * 242)) rx_errors:0 tx_dropped:0; do
	f=${k%%:*}; want=${k#*:}
	a=$(field "$f1" container_net "container=${p}1,interface=eth0" "$f")
	b=$(field "$f4" container_net "container=${p}1,interface=eth0" "$f")
	eq "${p}1 eth0 $f delta" "$((b - a))" "$want"
done
a=$(field "$f1" container_net "container=${p}1,interface=eth1" rx_bytes)
b=$(field "$f4" container_net "container=${p}1,interface=eth1" rx_bytes)
eq "${p}1 eth1 untouched" "$((b - a))" 0
a=$(field "$f1" container_net "container=${p}3,interface=eth0" tx_packets)
b=$(field "$f4" container_net "container=${p}3,interface=eth0" tx_packets)
eq "${p}3 eth0 tx_packets delta (the other end)" "$((b - a))" 8
eq "four cycles, four timestamps" "$(awk '{print $NF}' "$tmp/run" | sort -u | wc -l)" 4

# 3. setns only when a container is first seen: as many with 1 cycle as with 4
setns_calls() {
	strace -f -qq -c -e trace=setns -o "$tmp/strace" "$LXCOLLECTD" -c "$tmp/c.ini" "$@" --stdout >/dev/null 2>&1
	awk '$NF == "setns" { print $4 }' "$tmp/strace"
}
one=$(setns_calls --once)
four=$(setns_calls --count 4 --interval 1)
eq "setns calls for 3 containers, one cycle (in and back out)" "$one" 6
eq "setns calls over four cycles: none after the first" "$four" 6

# 4. privileges: the collector holds nothing, the helper only setns' needs
"$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout >/dev/null 2>&1 &
dpid=$!
sleep 1.5
for k in CapEff CapPrm CapBnd CapAmb; do
	eq "collector $k" "$(awk -v k="$k:" '$1 == k { print $2 }' /proc/$dpid/status)" 0000000000000000
done
hpid=$(pgrep -P $dpid | head -n1)
# CAP_SYS_ADMIN bit 21, CAP_SYS_PTRACE bit 19, CAP_DAC_READ_SEARCH bit 2
eq "helper CapEff: CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH only" \
	"$(awk '$1 == "CapEff:" { print $2 }' /proc/$hpid/status 2>/dev/null)" 0000000000280004
eq "helper CapBnd: the same three" \
	"$(awk '$1 == "CapBnd:" { print $2 }' /proc/$hpid/status 2>/dev/null)" 0000000000280004
wait $dpid
check "helper gone with the collector" sh -c "! kill -0 $hpid 2>/dev/null"
t_done
