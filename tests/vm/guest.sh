#!/bin/sh
# tests/vm/guest.sh IO: the package on a real Debian 12 host, run inside the
# guest (tests/vm/run.sh) as root under systemd, with pure cgroup v2. IO is
# the host's share: lxcollectd.deb and lib/common.sh come in, facts.txt and
# (on failure) journal.txt go out; the checks go to standard output.
#
# Two LXC containers (c1 privileged, c2 unprivileged), one LXD instance
# (a1 in project p1); the package installed with dpkg; then known load
# (c1: a busy loop under cpu.max 0.5, pings of 1000 bytes to c2; c2: 64 MiB
# in a tmpfs) and the daemon's figures against the kernel's own files, its
# privileges, reload, the watchdog, an InfluxDB outage across a restart,
# the sandbox's exposure, the journal, and purge.
io=$1
. "$io/lib/common.sh"
. "$io/lib/daemon.sh"
. "$io/lib/lxdcmp.sh"
set -u
DB=lxd
INFLUX_URL=http://127.0.0.1:8086
IV=5
PROM_ADDR=127.0.0.1:9101
LXD_ADDR=127.0.0.1:8443
U=lxcollectd.service
CG=/sys/fs/cgroup
t0=$(date +%s)
tdiag() { diag "[$(( $(date +%s) - t0 ))s] $*"; }
# the daemon sends nothing to the journal above info in normal operation;
# the window where that must hold starts at install and ends before faults
# are injected
since_normal=""
until_normal=""

dump() {
	{
		echo "=== systemctl status"
		systemctl status --no-pager -l "$U" 2>&1 | head -n 30
		echo "=== journalctl -u $U (last 150)"
		journalctl -b --no-pager -o short-monotonic -u "$U" | tail -n 150
		echo "=== journalctl -k (last 40)"
		journalctl -b --no-pager -k -o short-monotonic | tail -n 40
		echo "=== lxd"
		journalctl -b --no-pager -u lxd -u snap.lxd.daemon | tail -n 30
	} >"$io/journal.txt" 2>&1
}
t_defer 'dump_if_failed'
dump_if_failed() { [ "$T_FAILED" = 0 ] || dump; }

# fatal DESCRIPTION: a step everything after depends on failed
fatal() { not_ok "$1"; dump; t_done; exit 1; }

influx_q() {
	curl -sS -G "$INFLUX_URL/query" --data-urlencode "db=$DB" --data-urlencode "epoch=s" \
		--data-urlencode "q=$1"
}
# series MEAS FIELD CONTAINER [PROJECT]: "time value" lines (time in s)
series() {
	_w="\"container\" = '$3'"
	[ -n "${4:-}" ] && _w="$_w AND \"project\" = '$4'"
	influx_q "SELECT \"$2\" FROM \"$1\" WHERE $_w" |
		jq -r '.results[0].series[0].values[]? | "\(.[0]) \(.[1])"'
}
# at MEAS FIELD CONTAINER TIME [PROJECT] [EXTRA]: the value at TIME (s)
at() {
	_w="\"container\" = '$3' AND time = ${4}s"
	[ -n "${5:-}" ] && _w="$_w AND \"project\" = '$5'"
	[ -n "${6:-}" ] && _w="$_w AND $6"
	influx_q "SELECT \"$2\" FROM \"$1\" WHERE $_w" | jq -r '.results[0].series[0].values[0][1] // empty'
}
main_pid() { systemctl show -p MainPID --value "$U"; }
# logged_ticks: every tick the daemon logged ("cycle TICK: ...", debug)
logged_ticks() {
	journalctl -b --no-pager -o cat -u "$U" | sed -n 's/^cycle \([0-9T:-]*Z\): .*/\1/p' |
		date -u -f - +%s | sort -nu
}
last_logged() { logged_ticks | tail -n1; }
# wait_tick_after T: wait until the daemon logged a tick > T; prints it
wait_tick_after() {
	_end=$(( $(date +%s) + 30 ))
	while [ "$(date +%s)" -le $_end ]; do
		_l=$(last_logged)
		[ -n "$_l" ] && [ "$_l" -gt "$1" ] && { echo "$_l"; return 0; }
		sleep "${TICK_POLL:-0.5}"
	done
	return 1
}
# in_influx TICK: all three containers' cpu points of TICK are stored
in_influx() {
	[ "$(influx_q "SELECT count(usage_ns) FROM container_cpu WHERE time = ${1}s GROUP BY container" |
		jq '[.results[0].series[]?] | length')" = 3 ]
}
wait_stored() { wait_until 60 in_influx "$1"; }

# ---------------------------------------------------------------- platform
kver=$(uname -r)
cgfs=$(stat -fc %T $CG)
sdv=$(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
lxcv=$(lxc-start --version 2>/dev/null)
lxdv=$(dpkg-query -W -f='${Version}' lxd 2>/dev/null)
. /etc/os-release
cat >"$io/facts.txt" <<EOF
distribution: $PRETTY_NAME
kernel: $kver
cgroup: $cgfs
systemd: $sdv
lxc: $lxcv
lxd: $lxdv
EOF
sed 's/^/# guest /' "$io/facts.txt"
eq "pure cgroup v2 (the unified hierarchy at $CG)" "$cgfs" cgroup2fs
eq "systemd is PID 1" "$(cat /proc/1/comm)" systemd
# this test is itself a start-up job: the system counts as "starting"
eq "multi-user.target reached" "$(systemctl is-active multi-user.target)" active
failed_units=$(systemctl list-units --state=failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')
eq "no failed unit at boot" "${failed_units:-none}" none

# ---------------------------------------------------------------- network
# a bridge of the guest's own; IPv6 off so that idle links stay idle (no
# router solicitations, no MLD), in the containers' namespaces too: a new
# namespace takes the initial one's settings only with devconf_inherit_init_net
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 || fatal "sysctl: IPv6 off"
ip link add br0 type bridge && sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 &&
	ip addr add 10.0.3.1/24 dev br0 && ip link set br0 up || fatal "bridge br0"
# ports: what each bridge port passed, to tell where a stray frame came from
ports() {
	ip -s -j link show master br0 | jq -r '.[] | "# \(.ifname): from the container \(.stats64.rx.packets) packets \(.stats64.rx.bytes) bytes, to it \(.stats64.tx.packets) packets \(.stats64.tx.bytes) bytes"'
}

# ---------------------------------------------------------------- LXC
quiet_rcs() {
	# the template's rcS runs udhcpc; ours only mounts what init needs
	cat >"$1/etc/init.d/rcS" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys 2>/dev/null
EOF
	chmod 755 "$1/etc/init.d/rcS"
}
lxc_conf() { # NAME ADDR [idmap]
	cat <<EOF
lxc.net.0.type = veth
lxc.net.0.link = br0
lxc.net.0.flags = up
lxc.net.0.ipv4.address = $2/24
lxc.apparmor.profile = unconfined
lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1
lxc.sysctl.net.ipv6.conf.default.disable_ipv6 = 1
lxc.cgroup2.cpu.max = 50000 100000
lxc.cgroup2.memory.max = 268435456
lxc.cgroup2.pids.max = 64
EOF
	[ -n "${3:-}" ] && printf 'lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n'
}
mk_lxc() { # NAME ADDR [idmap]
	lxc_conf "$@" >"/tmp/$1.conf"
	lxc-create -t busybox -n "$1" -f "/tmp/$1.conf" >"/tmp/$1.create.log" 2>&1 || return 1
	chmod 755 "/var/lib/lxc/$1"
	quiet_rcs "/var/lib/lxc/$1/rootfs"
	lxc-start -n "$1" >"/tmp/$1.start.log" 2>&1 && lxc-wait -n "$1" -s RUNNING -t 30
}

# ---------------------------------------------------------------- LXD
mk_lxd() {
	systemctl start lxd.socket lxd.service 2>/dev/null
	lxd waitready --timeout=120 || return 1
	lxd init --auto --storage-backend=dir || return 1
	d=/tmp/lxdimg
	rm -rf $d && mkdir -p $d
	/usr/share/lxc/templates/lxc-busybox --path=$d --name=img --rootfs=$d/rootfs >/dev/null 2>&1 || return 1
	quiet_rcs $d/rootfs
	printf 'architecture: x86_64\ncreation_date: %s\nproperties:\n  description: busybox\n' \
		"$(date +%s)" >$d/metadata.yaml
	tar -C $d -czf /tmp/bb.tar.gz metadata.yaml rootfs || return 1
	lxc image import /tmp/bb.tar.gz --alias bb >/dev/null || return 1
	lxc project create p1 -c features.images=false -c features.profiles=false >/dev/null || return 1
	lxc init bb a1 --project p1 -c limits.memory=128MiB -c limits.processes=50 \
		-c linux.sysctl.net.ipv6.conf.all.disable_ipv6=1 \
		-c linux.sysctl.net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	lxc config device add a1 eth0 nic nictype=bridged parent=br0 --project p1 >/dev/null || return 1
	lxc start a1 --project p1
}

tdiag "creating containers"
mk_lxc c1 10.0.3.11 >/tmp/c1.log 2>&1 &
p1=$!
mk_lxc c2 10.0.3.12 idmap >/tmp/c2.log 2>&1 &
p2=$!
mk_lxd >/tmp/lxd.log 2>&1 &
p3=$!
wait $p1 && ok "privileged LXC container c1 running" ||
	{ cat /tmp/c1*.log | sed 's/^/#   /'; fatal "privileged LXC container c1"; }
wait $p2 && ok "unprivileged LXC container c2 running (lxc.idmap)" ||
	{ cat /tmp/c2*.log | sed 's/^/#   /'; fatal "unprivileged LXC container c2"; }
wait $p3 && ok "LXD instance a1 running in project p1" ||
	{ sed 's/^/#   /' /tmp/lxd.log; fatal "LXD instance a1 in project p1"; }
tdiag "containers up"
eq "c2's init runs as uid 100000 on the host" \
	"$(stat -c %u "/proc/$(lxc-info -n c2 -pH)")" 100000
A1PID=$(lxc query "/1.0/instances/a1/state?project=p1" | jq -r .pid)
check "a1's cgroup is lxc.payload.p1_a1" test -d $CG/lxc.payload.p1_a1
check "a1 is unprivileged" test "$(stat -c %u "/proc/$A1PID")" != 0

# ---------------------------------------------------------------- install
check "influxdb.service answers /ping" wait_until 60 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $INFLUX_URL/ping)\" = 204 ]"
influx_q "CREATE DATABASE $DB" >/dev/null
since_normal=$(date '+%Y-%m-%d %H:%M:%S')
sleep 1
check "dpkg -i lxcollectd.deb" sh -c "dpkg -i '$io/lxcollectd.deb' >/tmp/dpkg.log 2>&1" ||
	sed 's/^/#   /' /tmp/dpkg.log
eq "unit enabled by the package" "$(systemctl is-enabled $U)" enabled
eq "unit started by the package" "$(systemctl is-active $U)" active
eq "Type=notify" "$(systemctl show -p Type --value $U)" notify
# the unit became active only after the daemon's first cycle: its start
# line (logged before the first cycle) precedes the unit's activation
started_mono=$(journalctl -b -u "$U" -o json --output-fields=MESSAGE |
	jq -r 'select(.MESSAGE | test("^lxcollectd .* started")) | .__MONOTONIC_TIMESTAMP' | head -n1)
active_mono=$(systemctl show -p ActiveEnterTimestampMonotonic --value $U)
check "active ($active_mono us) only after the daemon started and did its first cycle ($started_mono us)" \
	test -n "$started_mono" -a "$active_mono" -gt "${started_mono:-0}"
PID0=$(main_pid)
# default configuration: interval 10 s
first_c1() {
	influx_q "SELECT usage_ns FROM container_cpu WHERE container = 'c1' LIMIT 1" |
		jq -r '.results[0].series[0].values[0][0] // empty'
}
have_first() { [ -n "$(first_c1)" ]; }
wait_until 30 have_first
first=$(first_c1)
[ -n "$first" ] || fatal "first points in InfluxDB"
eq "default interval: the first tick is a multiple of 10 s" "$((first % 10))" 0

# ---------------------------------------------------------------- privileges
st() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
eq "collector CapEff" "$(st "$PID0" CapEff)" 0000000000000000
eq "collector CapPrm" "$(st "$PID0" CapPrm)" 0000000000000000
check "collector runs under a dynamic uid, not root" test "$(st "$PID0" Uid | awk '{print $2}')" != 0
kids=$(pgrep -P "$PID0" | tr '\n' ' ')
eq "one child process of the collector: the netns helper" "$(echo $kids | wc -w)" 1
# CAP_SYS_ADMIN is bit 21, CAP_SYS_PTRACE bit 19, CAP_DAC_READ_SEARCH bit 2
for k in $kids; do
	eq "helper ($(cat /proc/$k/comm)) CapEff exactly SYS_ADMIN|SYS_PTRACE|DAC_READ_SEARCH" "$(st "$k" CapEff)" 0000000000280004
done

# ---------------------------------------------------------------- reload
sed -i -e "s/^interval = .*/interval = ${IV}s/" -e 's/^level = .*/level = debug/' /etc/lxcollectd/lxcollectd.ini
check "lxcollectd -t accepts the changed configuration" sh -c 'lxcollectd -t | grep -q "configuration OK"'
# under the journal the first cycle's line is at info level, the others at
# debug: the ticks after the reload are the ones after now
R=$(date +%s)
systemctl reload "$U"
check "reload: journal says configuration reloaded" wait_until 20 sh -c \
	"journalctl -b -o cat -u $U | grep -q 'configuration reloaded'"
eq "reload keeps the MainPID" "$(main_pid)" "$PID0"
T=$(wait_tick_after "$R") || fatal "a cycle logged after reload (log level debug)"
T2=$(wait_tick_after "$T") || fatal "a second cycle after reload"
eq "reload applied the new interval: ticks $T, $T2" "$((T2 - T))" "$IV"
tdiag "reloaded, ticks $T $T2"

# ---------------------------------------------------------------- known load
# before: stored figures of a tick with no load
wait_stored "$T2" || fatal "tick $T2 stored"
tx0=$(at container_net tx_bytes c1 "$T2" "" "interface = 'eth0'")
txp0=$(at container_net tx_packets c1 "$T2" "" "interface = 'eth0'")
rx0=$(at container_net rx_bytes c2 "$T2" "" "interface = 'eth0'")
mem0=$(at container_memory usage_bytes c2 "$T2")
thr0=$(at container_cpu throttled_periods c1 "$T2")
ports
tdiag "load: busy loop in c1 (cpu.max 0.5), 10 pings of 1000 bytes c1 -> c2, 64 MiB tmpfs in c2"
lxc-attach -n c1 -- timeout 16 sh -c 'while :; do :; done' >/dev/null 2>&1 &
busy=$!
check "10 pings of 1000 bytes from c1 to c2 answered" sh -c \
	"lxc-attach -n c1 -- ping -c 10 -s 1000 -q 10.0.3.12 | grep -q '10 packets received'"
check "64 MiB written to a tmpfs in c2" lxc-attach -n c2 -- sh -c \
	'mkdir -p /tmp/m && mount -t tmpfs -o size=100m tmpfs /tmp/m && dd if=/dev/zero of=/tmp/m/x bs=1048576 count=64 2>/dev/null'
wait $busy
Tl=$(wait_tick_after "$(last_logged)") || fatal "a cycle after the load"
Tq=$(wait_tick_after "$Tl") || fatal "a quiet cycle after the load"
wait_stored "$Tq" || fatal "tick $Tq stored"
tdiag "load done at tick $Tl"
ports
# CPU: the rate over each interval of the busy loop, the highest of them
rates=$(series container_cpu usage_ns c1 | awk -v a="$T2" -v b="$Tl" -v iv="$IV" '
	$1 >= a && $1 <= b { if (pt != "" && $1 - pt == iv) printf "%.4f\n", ($2 - pv) / (iv * 1e9); pt = $1; pv = $2 }')
diag "c1 CPU per interval (CPUs): $(echo $rates)"
rmax=$(printf '%s\n' "$rates" | sort -n | tail -n1)
check "busy loop under cpu.max 50000/100000: the busiest interval used 0.45..0.52 CPU ($rmax)" \
	awk -v r="$rmax" 'BEGIN { exit !(r != "" && r >= 0.45 && r <= 0.52) }'
thr1=$(at container_cpu throttled_periods c1 "$Tq")
check "c1 was throttled ($thr0 -> $thr1 periods)" test "${thr1:-0}" -gt "${thr0:-0}"
eq "c1 limit_cpus" "$(at container_cpu limit_cpus c1 "$Tq")" 0.5
# network: ICMP 1000 + 8, IPv4 20, Ethernet 14 = 1042 bytes a frame; one
# ARP exchange (42-byte frames) may come on top
tx1=$(at container_net tx_bytes c1 "$Tq" "" "interface = 'eth0'")
txp1=$(at container_net tx_packets c1 "$Tq" "" "interface = 'eth0'")
rx1=$(at container_net rx_bytes c2 "$Tq" "" "interface = 'eth0'")
check "c1 eth0 sent the 10 echo requests: tx_bytes +$((tx1 - tx0)) in 10420..10504" between $((tx1 - tx0)) 10420 10504
check "c1 eth0 tx_packets +$((txp1 - txp0)) in 10..12" between $((txp1 - txp0)) 10 12
check "c2 eth0 received them: rx_bytes +$((rx1 - rx0)) in 10420..10504" between $((rx1 - rx0)) 10420 10504
mem1=$(at container_memory usage_bytes c2 "$Tq")
check "c2 memory grew by the 64 MiB ($mem0 -> $mem1)" test $((mem1 - mem0)) -ge $((64 * 1048576 * 95 / 100))

# ---------------------------------------------------------------- exact figures
# kernel FILE KEY: a value of a flat keyed cgroup file
kv() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# snap CGROUP PID: the kernel's figures, read at once into $SNAP (influx
# queries are slow under emulation: read first, compare after)
SNAP=/tmp/vmcheck.snap
snap() {
	_cg=$CG/$1
	{
		echo "usage_ns $(($(kv $_cg/cpu.stat usage_usec) * 1000))"
		echo "periods $(kv $_cg/cpu.stat nr_periods)"
		echo "throttled_periods $(kv $_cg/cpu.stat nr_throttled)"
		echo "usage_bytes $(cat $_cg/memory.current)"
		echo "limit_bytes $(cat $_cg/memory.max)"
		echo "pids_current $(cat $_cg/pids.current)"
		echo "pids_limit $(cat $_cg/pids.max)"
		nsenter -t "$2" -n ip -s -j link show dev eth0 |
			jq -r '.[0].stats64 | "rx_bytes \(.rx.bytes)", "rx_packets \(.rx.packets)", "rx_errors \(.rx.errors)",
				"rx_dropped \(.rx.dropped)", "tx_bytes \(.tx.bytes)", "tx_packets \(.tx.packets)",
				"tx_errors \(.tx.errors)", "tx_dropped \(.tx.dropped)"'
	} >"$SNAP"
}
kget() { awk -v k="$1" '$1 == k { print $2 }' "$SNAP"; }
compare() { # NAME PROJECT TICK VERBOSE: stored figures of TICK against $SNAP
	_n=$1 _p=$2 _t=$3 _v=$4 _bad=0
	_q() { at "$1" "$2" "$_n" "$_t" "$_p" "${3:-}"; }
	_eq() { if [ "$2" = "$3" ]; then [ "$_v" = 1 ] && ok "$_n $1 ($2)"; else _bad=1; [ "$_v" = 1 ] && not_ok "$_n $1 (got '$2', kernel '$3')"; fi; }
	_near() { if awk -v g="$2" -v w="$3" -v p="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && w > 0 && d <= w * p / 100) }'; then
			[ "$_v" = 1 ] && ok "$_n $1 ($2 vs kernel $3, within $4%)"
		else _bad=1; [ "$_v" = 1 ] && not_ok "$_n $1 ($2 vs kernel $3, not within $4%)"; fi; }
	_near "cpu usage_ns" "$(_q container_cpu usage_ns)" "$(kget usage_ns)" 1
	_near "memory usage_bytes" "$(_q container_memory usage_bytes)" "$(kget usage_bytes)" 5
	_eq "memory limit_bytes" "$(_q container_memory limit_bytes)" "$(kget limit_bytes)"
	_eq "pids current" "$(_q container_pids current)" "$(kget pids_current)"
	_eq "pids limit" "$(_q container_pids limit)" "$(kget pids_limit)"
	_eq "cpu periods" "$(_q container_cpu periods)" "$(kget periods)"
	_eq "cpu throttled_periods" "$(_q container_cpu throttled_periods)" "$(kget throttled_periods)"
	for _f in rx_bytes tx_bytes rx_packets tx_packets rx_errors tx_errors rx_dropped tx_dropped; do
		_eq "eth0 $_f" "$(_q container_net $_f "interface = 'eth0'")" "$(kget $_f)"
	done
	return $_bad
}
C1PID=$(lxc-info -n c1 -pH) C2PID=$(lxc-info -n c2 -pH)
# each container against the kernel read right after the daemon logged a
# cycle; a counter that moved in between (a stray frame: a rare race)
# gets two more ticks, a wrong figure fails every time
for spec in "c1::lxc.payload.c1:$C1PID" "c2::lxc.payload.c2:$C2PID" "a1:p1:lxc.payload.p1_a1:$A1PID"; do
	n=$(echo "$spec" | cut -d: -f1) p=$(echo "$spec" | cut -d: -f2)
	cg=$(echo "$spec" | cut -d: -f3) pid=$(echo "$spec" | cut -d: -f4)
	tries=0
	while :; do
		t=$(TICK_POLL=0.05 wait_tick_after "$(last_logged)") || fatal "a tick for $n"
		snap "$cg" "$pid"
		wait_stored "$t" || fatal "tick $t stored"
		tries=$((tries + 1))
		if [ $tries = 3 ]; then compare "$n" "$p" "$t" 1; break; fi
		compare "$n" "$p" "$t" 0 && { compare "$n" "$p" "$t" 1; break; }
		diag "$n: tick $t differs from the kernel, trying the next"
	done
done
eq "a1 has its project tag" "$(influx_q "SHOW TAG VALUES FROM container_cpu WITH KEY = project WHERE container = 'a1'" | jq -r '.results[0].series[0].values[0][1]')" p1

until_normal=$(date '+%Y-%m-%d %H:%M:%S')
warn=$(journalctl -q -b --no-pager -o short-monotonic -p warning -u "$U" --since "$since_normal" --until "$until_normal")
eq "no warning in the journal from install to now" "$(printf '%s' "$warn" | grep -c .)" 0
[ -n "$warn" ] && printf '%s\n' "$warn" | sed 's/^/#   /'

# ---------------------------------------------------------------- watchdog
# a short watchdog for the test, and a forbidden system call kills instead
# of failing with EPERM, so that it shows up in the kernel's audit log
# (and from this start on, the Prometheus endpoint: [prometheus] changes
# take effect at a start, which also reads LXC's directory: c3 is there)
# lxc-create makes NAME 0770 root:root and LXD its instance directories
# 0711: the daemon's dynamic uid can read neither, its netns helper lists
# them (CAP_DAC_READ_SEARCH); both stay as they were made
check "LXC container c3 created, never started" sh -c \
	'lxc-create -t busybox -n c3 >/tmp/c3.create.log 2>&1 &&
	[ "$(lxc-info -n c3 -sH)" = STOPPED ]'
eq "c3's directory as lxc-create made it" "$(stat -c '%a %u' /var/lib/lxc/c3)" "770 0"
check "LXD instance a2 created in project p1, never started" sh -c \
	'lxc init bb a2 --project p1 >/tmp/a2.init.log 2>&1 &&
	[ "$(lxc list a2 --project p1 -c s -f csv)" = STOPPED ]'
eq "LXD's instance directory as LXD made it" "$(stat -c '%a %u' /var/lib/lxd/containers)" "711 0"
sed -i "s/^listen = .*/listen = $PROM_ADDR/" /etc/lxcollectd/lxcollectd.ini
mkdir -p /run/systemd/system/$U.d
cat >/run/systemd/system/$U.d/test.conf <<EOF
[Service]
WatchdogSec=2s
RestartSec=500ms
SystemCallErrorNumber=kill
EOF
systemctl daemon-reload
systemctl restart "$U"
eq "restart with the test drop-in: active" "$(systemctl is-active $U)" active
PID1=$(main_pid)
nr0=$(systemctl show -p NRestarts --value $U)
t=$(wait_tick_after "$(last_logged)") || fatal "a cycle after restart"
sleep 0.3
tdiag "SIGSTOP $PID1 after tick $t"
kill -STOP "$PID1"
check "the watchdog restarted the stopped daemon" wait_until 40 sh -c \
	"p=\$(systemctl show -p MainPID --value $U); [ \"\$p\" != 0 ] && [ \"\$p\" != $PID1 ] && [ \"\$(systemctl is-active $U)\" = active ]"
check "journal: watchdog timeout" sh -c "journalctl -b -o cat -u $U | grep -qi 'watchdog timeout'"
nr1=$(systemctl show -p NRestarts --value $U)
eq "NRestarts counted the restart" "$((nr1 - nr0))" 1
t2=$(wait_tick_after "$(( $(last_logged) + IV ))") || fatal "cycles after the watchdog restart"
wait_stored "$t2"
ticks=$(influx_q "SELECT usage_ns FROM container_cpu WHERE container = 'c2' AND time >= ${t}s AND time <= ${t2}s" |
	jq -r '.results[0].series[0].values[]?[0]' | tr '\n' ' ')
want=$(seq "$t" "$IV" "$t2" | tr '\n' ' ')
eq "no tick missing across the watchdog restart" "$ticks" "$want"

# ---------------------------------------------------------------- Prometheus
# both endpoints under the real unit (ProcSubset=pid, /sys read-only), on
# pure v2: /metrics well formed, a container never started STOPPED;
# /1.0/metrics of a1 against LXD's own, a loop device with known I/O
# (its name looked up in /sys/dev/block under the sandbox) included
tdiag "prometheus"
lxc config set core.https_address "$LXD_ADDR" && lxc config set core.metrics_authentication false ||
	fatal "LXD serves its metrics on $LXD_ADDR"
# the loop device's file in a tmpfs: no block device beneath it whose I/O
# the instance's cgroup would be charged with later (writeback)
truncate -s 16M /run/xblk.img
loop=$(losetup -f --show /run/xblk.img 2>/tmp/losetup.log) || { sed 's/^/#   /' /tmp/losetup.log; fatal "a loop device"; }
ldev=${loop#/dev/}
check "a1 gets the loop device $loop" sh -c \
	"lxc config device add a1 xblk unix-block source=$loop path=/dev/xblk --project p1 >/dev/null"
# 100 direct writes of 4 KiB and 50 direct reads: the instance's own I/O,
# counted in its io.stat without any throttle rule on v2
check "a1 writes its block device (100 x 4 KiB, O_DIRECT)" \
	timeout 60 lxc exec a1 --project p1 -- dd if=/dev/zero of=/dev/xblk bs=4096 count=100 oflag=direct
check "and reads it (50 x 4 KiB)" \
	timeout 60 lxc exec a1 --project p1 -- dd if=/dev/xblk of=/dev/null bs=4096 count=50 iflag=direct
diag "a1 io.stat: $(cat $CG/lxc.payload.p1_a1/io.stat | tr '\n' ';')"
t=$(wait_tick_after "$(date +%s)") || fatal "a cycle after the I/O"
# the two scrapes right after a cycle was published; a counter that moved
# in between (a stray frame) gets two more cycles, a wrong figure fails
# every time
PD=/tmp/prom
mkdir -p $PD
tries=0
while :; do
	t=$(TICK_POLL=0.05 wait_tick_after "$(last_logged)") || fatal "a cycle for the scrapes"
	code=$(curl -s -o $PD/ours.raw -w '%{http_code}' "http://$PROM_ADDR/1.0/metrics")
	curl -sk -o $PD/lxd.raw "https://$LXD_ADDR/1.0/metrics"
	lxdcmp_norm a1 p1 <$PD/lxd.raw >$PD/lxd.txt
	lxdcmp_norm a1 p1 <$PD/ours.raw >$PD/ours.txt
	lxdcmp_pairs $PD/lxd.txt $PD/ours.txt >$PD/pairs
	missing=$(lxdcmp_missing $PD/lxd.txt $PD/ours.txt)
	bad=$(lxdcmp_differs $PD/pairs)
	tries=$((tries + 1))
	[ -z "$missing$bad" ] && [ -s $PD/lxd.txt ] && break
	[ $tries = 3 ] && break
	diag "tick $t: the scrapes differ, trying the next"
done
eq "/1.0/metrics answers 200" "$code" 200
diag "LXD: $(wc -l <$PD/lxd.txt) series of a1 in p1, lxcollectd: $(wc -l <$PD/ours.txt)"
check "LXD reports a1 in p1" test -s $PD/lxd.txt
eq "every series LXD has for a1, lxcollectd has (same names and labels)" "$missing" ""
extra=$(lxdcmp_missing $PD/ours.txt $PD/lxd.txt)
[ -n "$extra" ] && diag "only lxcollectd has: $(echo $extra)"
[ -n "$bad" ] && printf '%s\n' "$bad" | sed 's/^/# differs: /'
eq "every shared figure agrees with LXD's ($(wc -l <$PD/pairs) compared)" "$bad" ""
lxdcmp_diag $PD/pairs
lxdcmp_cpu_diag $PD/pairs
cpus() { grep -o '^lxd_cpu_seconds_total{cpu="[0-9]*"' "$1" | sort -u | sed 's/.*{//' | tr '\n' ' '; }
eq "v2: lxd_cpu_seconds_total of LXD only cpu=\"0\"" "$(cpus $PD/lxd.txt)" 'cpu="0" '
eq "v2: lxd_cpu_seconds_total of lxcollectd only cpu=\"0\"" "$(cpus $PD/ours.txt)" 'cpu="0" '
sel="{device=\"$ldev\",name=\"a1\",project=\"p1\",type=\"container\"}"
for f in "written_bytes 409600" "writes_completed 100" "read_bytes 204800" "reads_completed 50"; do
	set -- $f
	eq "lxd_disk_$1_total of $ldev: what dd did" \
		"$(grep -F "lxd_disk_$1_total$sel " $PD/ours.txt | cut -d' ' -f2)" "$2"
	eq "lxd_disk_$1_total of $ldev: LXD says the same" \
		"$(grep -F "lxd_disk_$1_total$sel " $PD/lxd.txt | cut -d' ' -f2)" "$2"
done

# /metrics: 200, the text format's essentials (every sample under a
# family's # TYPE, each family once, names, labels and values well formed),
# and promtool's verdict (the host's, lent by tests/vm/run.sh)
code=$(curl -s -o $PD/own.txt -w '%{http_code}' "http://$PROM_ADDR/metrics")
eq "/metrics answers 200" "$code" 200
fmt=$(awk '
	/^# TYPE / { if ($3 in seen) print NR ": family " $3 " twice"; seen[$3] = 1; fam = $3; next }
	/^# HELP / { next }
	/^#/ { print NR ": stray comment"; next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { print NR ": bad name"; next }
		n = substr($0, 1, RLENGTH); r = substr($0, RLENGTH + 1)
		if (fam == "" || (n != fam && index(n, fam "_") != 1)) print NR ": " n " outside its family (" fam ")"
		if (r !~ /^(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)?\})? [-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)( [0-9]+)?$/)
			print NR ": bad labels or value"
		samples++
	}
	END { if (samples < 10) print "only " samples + 0 " samples" }' $PD/own.txt)
[ -n "$fmt" ] && printf '%s\n' "$fmt" | head -n 10 | sed 's/^/#   /'
eq "/metrics: the text format's essentials ($(grep -vc '^#' $PD/own.txt) samples)" "$(printf '%s' "$fmt" | grep -c .)" 0
pt=$("$io/promtool" check metrics <$PD/own.txt 2>&1)
check "promtool check metrics accepts /metrics" test $? = 0 -a -z "$pt"
[ -n "$pt" ] && printf '%s\n' "$pt" | head -n 10 | sed 's/^/#   /'
state() { grep "^lxcollectd_container_state{" $PD/own.txt | grep -F "container=\"$1\"" | grep -F "state=\"$2\"" | awk '{ print $NF }'; }
eq "container_state: c3 (never started) STOPPED" "$(state c3 STOPPED)" 1
eq "container_state: a2 in p1 (never started) STOPPED" \
	"$(grep "^lxcollectd_container_state{" $PD/own.txt | grep -F 'container="a2"' | grep -F 'project="p1"' | grep -F 'state="STOPPED"' | awk '{ print $NF }')" 1
eq "container_state: c1 RUNNING" "$(state c1 RUNNING)" 1
fs_size=$(grep '^lxcollectd_container_fs_size_bytes{' $PD/own.txt | grep -F 'container="c1"' | grep -F 'mountpoint="/"' | awk '{ print $NF }')
eq "container_fs: c1's / as large as the file system under its rootfs" "$fs_size" \
	"$(stat -f -c '%b %S' /var/lib/lxc/c1/rootfs | awk '{ printf "%.0f", $1 * $2 }')"
lxc config device remove a1 xblk --project p1 >/dev/null
losetup -d "$loop"
lxc-destroy -n c3 >/dev/null 2>&1
lxc delete a2 --project p1 >/dev/null 2>&1

# ---------------------------------------------------------------- outage
tdiag "outage: influxdb stopped"
systemctl stop influxdb
a=$(wait_tick_after "$(last_logged)") && b=$(wait_tick_after "$a") || fatal "cycles during the outage"
systemctl stop "$U"
eq "stopped with InfluxDB down" "$(systemctl is-active $U)" inactive
spool=$(find /var/lib/private/lxcollectd -type f | wc -l)
check "the undelivered cycles are in the spool ($spool files)" test "$spool" -gt 0
systemctl start influxdb
check "influxdb back" wait_until 60 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $INFLUX_URL/ping)\" = 204 ]"
systemctl start "$U"
eq "started with InfluxDB up" "$(systemctl is-active $U)" active
c=$(wait_tick_after "$(last_logged)") || fatal "cycles after the outage"
wait_stored "$c"
# every cycle ever logged (debug, from the reload on), all three
# containers, in InfluxDB: across the reload, the restarts and the outage
# the last cycle line says "spool empty" rather than "N bytes spooled"
spool_empty() { journalctl -b -o cat -u $U | grep '^cycle ' | tail -n1 | grep -q '; spool empty'; }
check "spool drained (the daemon's count)" wait_until 60 spool_empty
logged=$(logged_ticks | tr '\n' ' ')
for spec in c1: c2: a1:p1; do
	n=${spec%%:*} p=${spec#*:}
	w="\"container\" = '$n'"
	[ -n "$p" ] && w="$w AND \"project\" = '$p'"
	have=$(influx_q "SELECT usage_ns FROM container_cpu WHERE $w" | jq -r '.results[0].series[0].values[]?[0]')
	miss=""
	for k in $logged; do printf '%s\n' "$have" | grep -qx "$k" || miss="$miss $k"; done
	eq "$n: every one of the $(echo $logged | wc -w) logged cycles is in InfluxDB" "${miss:-none}" none
done
eq "no tick skipped (the daemon's own count)" \
	"$(journalctl -b -o cat -u $U | grep '^cycle ' | grep -c 'ticks\? skipped')" 0

# ---------------------------------------------------------------- sandbox
sec=$(systemd-analyze security --no-pager "$U" 2>&1)
lvl=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
check "systemd-analyze security on the live unit: exposure $lvl <= 2.5" \
	awk -v l="$lvl" 'BEGIN { exit !(l != "" && l <= 2.5) }'
# since the install: seccomp kills (audit type 1326), LSM denials (1400)
den=$(journalctl -q -b -k -o cat --since "$since_normal" |
	grep -iE 'type=1326|type=1400|seccomp|denied|lxcollectd|netns-helper')
eq "no seccomp, audit or capability denial in the kernel log" "$(printf '%s' "$den" | grep -c .)" 0
[ -n "$den" ] && printf '%s\n' "$den" | head -n 20 | sed 's/^/#   /'

# ---------------------------------------------------------------- purge
rm -rf /run/systemd/system/$U.d
systemctl daemon-reload
check "dpkg --purge lxcollectd" sh -c "dpkg --purge lxcollectd >/tmp/purge.log 2>&1" ||
	sed 's/^/#   /' /tmp/purge.log
eq "no lxcollectd process left" "$(pgrep -c -x lxcollectd)" 0
eq "unit gone" "$(systemctl list-unit-files --no-legend $U | wc -l)" 0
eq "unit not loaded" "$(systemctl show -p LoadState --value $U)" not-found
left=""
for f in /etc/lxcollectd /var/lib/lxcollectd /var/lib/private/lxcollectd /usr/sbin/lxcollectd \
	/lib/systemd/system/$U /etc/systemd/system/multi-user.target.wants/$U /usr/share/lxcollectd; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
eq "purge leaves nothing behind" "${left:-nothing}" nothing
tdiag "done"
t_done
