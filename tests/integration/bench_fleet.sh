#!/bin/sh
# The benchmark's fleet simulator (tests/bench/fleet.sh) at a small N: the
# daemon finds every container with its network points and host_interface
# tags, and `fleet.sh down` leaves nothing behind (cgroups, veths, bridge,
# processes). No timings here: `make bench` measures.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_cmd unshare ip
N=5
P=bf$(($$ % 100000))
export FLEET_PREFIX=$P
FLEET=$TOP/tests/bench/fleet.sh
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
t_defer "'$FLEET' down"

check "fleet of $N comes up" "$FLEET" up $N
hiers=$(awk '$9 == "cgroup" || $9 == "cgroup2" { if (index($5, "/sys/fs/cgroup") == 1 && !seen[$5]++) print $5 }' /proc/self/mountinfo)
nh=$(echo "$hiers" | wc -l)
eq "a cgroup per container in every hierarchy" \
	"$(for h in $hiers; do ls -d "$h"/lxc.payload."$P"-* 2>/dev/null; done | wc -l)" $((N * nh))
inits=$(cat /sys/fs/cgroup/pids/lxc.payload."$P"-*/cgroup.procs 2>/dev/null ||
	cat /sys/fs/cgroup/lxc.payload."$P"-*/cgroup.procs)
eq "one init per container" "$(echo "$inits" | wc -w)" $N
pid1=0
for p in $inits; do
	[ "$(awk '/^NSpid:/ { print $NF }' /proc/"$p"/status)" = 1 ] && pid1=$((pid1 + 1))
done
eq "every init is PID 1 of its own pid namespace" $pid1 $N
unshares=$(cat "${TMPDIR:-/tmp}/lxcollectd-fleet-$P/pids")
eq "host ends of the veths on the bridge" \
	"$(ip -o link show master "${P}br0" | grep -c ": $P[0-9]*@")" $N

printf '[collector]\ninclude = %s-*\n' "$P" >"$tmp/c.ini"
out=$("$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err")
check "daemon exits 0" [ $? = 0 ]
eq "daemon finds all $N" "$(printf '%s\n' "$out" | grep -c "^container_pids,host=[^,]*,container=$P-")" $N
i=1 good=0
while [ $i -le $N ]; do
	name=$(printf '%s-%05d' "$P" $i); hif=$(printf '%s%05d' "$P" $i)
	printf '%s\n' "$out" | grep -q "^container_net,host=[^,]*,container=$name,interface=eth0,host_interface=$hif " &&
		good=$((good + 1))
	i=$((i + 1))
done
eq "eth0 with the right host_interface for every container" $good $N
eq "lo left out (interfaces_exclude)" "$(printf '%s\n' "$out" | grep -c 'interface=lo ')" 0
eq "quiet links: no packets on any eth0" \
	"$(printf '%s\n' "$out" | grep "^container_net," | grep -vc 'rx_packets=0i,tx_packets=0i')" 0

check "fleet goes down" "$FLEET" down
eq "no cgroups left" "$(for h in $hiers; do ls -d "$h"/lxc.payload."$P"-* 2>/dev/null; done | wc -l)" 0
eq "no veths left" "$(ip -o link show | grep -c ": $P[0-9]*[@:]")" 0
check "no bridge left" sh -c "! ip link show '${P}br0' >/dev/null 2>&1"
alive=0
for p in $inits $unshares; do
	c=$(cat /proc/"$p"/comm 2>/dev/null) || continue
	case $c in sleep|unshare|sh) alive=$((alive + 1)) ;; esac
done
eq "no processes left" $alive 0
check "fleet.sh check: nothing left" "$FLEET" check
t_done
