#!/bin/sh
# /1.0/metrics against LXD's own: a private LXD 5.0 runs one container
# (busybox, a veth on a bridge of ours, a loop device of ours as a block
# device it writes and reads with O_DIRECT), lxcollectd watches it, and
# one Prometheus scrapes both /1.0/metrics endpoints. Every expression of
# LXD's Grafana dashboard (lxd_dashboard.promql) that returns data for
# LXD's job returns data for lxcollectd's; two scrapes taken at the same
# moment agree on every figure of the instance, CPU time per CPU and disk
# figures per device included (exactly where the figure cannot move in
# between, within a small margin where it can).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/daemon.sh"
. "$TOP/tests/lib/lxd.sh"
. "$TOP/tests/lib/prometheus.sh"
. "$TOP/tests/lib/lxdcmp.sh"
need_lxd
d_setup lxdc prometheus ip
s=lx$$
lport=$(free_port)
cport=$((lport + 1)); while ss -Hltn "sport = :$cport" | grep -q .; do cport=$((cport + 1)); done

lxct_bridges "${s}br"
# a block device of our own for the instance's I/O: the dir pool's disk
# is not one blkio accounts
truncate -s 64M "$W/disk.img"
loop=$(losetup -f --show "$W/disk.img") || loop=""
[ -n "$loop" ] && t_defer "losetup -d $loop"
check "a loop device for the instance ($loop)" test -b "$loop"
devno=$(printf '%d:%d' "0x$(stat -c %t "$loop")" "0x$(stat -c %T "$loop")")
check "LXD starts" lxd_up "$lport"
check "busybox image imported" lxd_image bb
inst=${s}a
lxc init bb "$inst" >/dev/null 2>&1 &&
	lxc config set "$inst" security.privileged true &&
	lxc config set "$inst" raw.lxc "lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1" &&
	lxc config device add "$inst" eth0 nic nictype=bridged parent="${s}br" name=eth0 >/dev/null &&
	lxc config device add "$inst" xblk unix-block source="$loop" path=/dev/xblk >/dev/null
check "instance $inst started" lxc start "$inst"
wait_until 20 sh -c "[ \"\$(lxc list -c s --format csv '$inst')\" = RUNNING ]"
# I/O of known size on the loop device: 100 writes of 4 KiB and 50 reads,
# direct, so that the container's processes issue them (not writeback).
# v1 blkio.throttle counts only on a device that has a throttle rule (on
# recent kernels the throttle is set up for a device at its first rule),
# so the instance gets one no transfer will reach; v2 io.stat needs none.
if [ -d /sys/fs/cgroup/blkio/lxc.payload.$inst ]; then
	echo "$devno 1099511627776" >"/sys/fs/cgroup/blkio/lxc.payload.$inst/blkio.throttle.read_bps_device"
fi
check "the instance writes its block device" \
	timeout 20 lxc exec "$inst" -- dd if=/dev/zero of=/dev/xblk bs=4096 count=100 oflag=direct
check "and reads it" \
	timeout 20 lxc exec "$inst" -- dd if=/dev/xblk of=/dev/null bs=4096 count=50 iflag=direct
# traffic on lo, and on eth0: ARP for an address nobody has
timeout 10 lxc exec "$inst" -- ping -c 3 -i 0.2 127.0.0.1 >/dev/null 2>&1
timeout 10 lxc exec "$inst" -- ip addr add 10.203.0.2/24 dev eth0 >/dev/null 2>&1
timeout 10 lxc exec "$inst" -- ping -c 2 -i 0.2 -W 1 10.203.0.3 >/dev/null 2>&1

cat >"$W/c.ini" <<EOC
[collector]
include = $inst
[prometheus]
listen = 127.0.0.1:$cport
EOC
D_LIFETIME=120 d_start lxc -c "$W/c.ini" --stdout --interval 1
wait_until 20 d_cycles_ge lxc 1 2>/dev/null

# --- the same moment, both endpoints ---
curl -sk "https://127.0.0.1:$lport/1.0/metrics" | lxdcmp_norm "$inst" >"$W/lxd.txt"
curl -s "http://127.0.0.1:$cport/1.0/metrics" | lxdcmp_norm "$inst" >"$W/ours.txt"
diag "LXD: $(wc -l <"$W/lxd.txt") series of $inst, lxcollectd: $(wc -l <"$W/ours.txt")"
check "LXD reports the instance" test -s "$W/lxd.txt"
eq "every series LXD has for $inst, lxcollectd has" "$(lxdcmp_missing "$W/lxd.txt" "$W/ours.txt")" ""
extra=$(lxdcmp_missing "$W/ours.txt" "$W/lxd.txt")
[ -n "$extra" ] && diag "only lxcollectd has: $(echo $extra)"
lxdcmp_pairs "$W/lxd.txt" "$W/ours.txt" >"$W/pairs"
bad=$(lxdcmp_differs "$W/pairs")
[ -n "$bad" ] && printf '%s\n' "$bad" | sed 's/^/# differs: /'
eq "every shared figure agrees with LXD's ($(wc -l <"$W/pairs") compared)" "$bad" ""
lxdcmp_diag "$W/pairs"
# per CPU: a series for each CPU the cgroup reports (v1: every possible
# CPU, idle ones too; v2: cpu="0" only), on both sides
ncpu_lxd=$(lxdcmp_ncpu "$W/lxd.txt")
ncpu_ours=$(lxdcmp_ncpu "$W/ours.txt")
eq "lxd_cpu_seconds_total: as many CPUs as LXD ($ncpu_lxd)" "$ncpu_ours" "$ncpu_lxd"
lxdcmp_cpu_diag "$W/pairs"
if [ -d /sys/fs/cgroup/cpuacct ]; then
	eq "v1: one series per possible CPU" "$ncpu_ours" \
		"$(($(grep -c . "/sys/fs/cgroup/cpuacct/lxc.payload.$inst/cpuacct.usage_all") - 1))"
fi
# the disk families: the loop device by its kernel name, the I/O the
# instance did exactly, and the same on LXD's side
ldev=${loop#/dev/}
sel="{device=\"$ldev\",name=\"$inst\",project=\"default\",type=\"container\"}"
for f in "written_bytes 409600" "writes_completed 100" "read_bytes 204800" "reads_completed 50"; do
	set -- $f
	eq "lxd_disk_$1_total of $ldev: what dd did" \
		"$(grep -F "lxd_disk_$1_total$sel " "$W/ours.txt" | cut -d' ' -f2)" "$2"
	eq "lxd_disk_$1_total of $ldev: LXD says the same" \
		"$(grep -F "lxd_disk_$1_total$sel " "$W/lxd.txt" | cut -d' ' -f2)" "$2"
done
# lxd_cpu_effective_total: LXD 5.0 has no such family (5.6 added it), so
# against the CPUs the instance's init may run on, which its cpuset sets
ipid=$(lxc query "/1.0/instances/$inst/state" | jq -r .pid)
eq "lxd_cpu_effective_total: the CPUs the init may run on" \
	"$(awk '/^lxd_cpu_effective_total\{/ { print $2 }' "$W/ours.txt")" \
	"$(python3 -c "import os, sys; print(len(os.sched_getaffinity(int(sys.argv[1]))))" "$ipid")"
check "eth0 saw traffic" grep -q "^lxd_network_transmit_packets_total{device=\"eth0\".* [1-9]" "$W/lxd.txt"

# --- LXD's dashboard, against both jobs in one Prometheus ---
prom_up "  - job_name: lxd
    scheme: https
    metrics_path: /1.0/metrics
    tls_config: { insecure_skip_verify: true }
    static_configs: [ { targets: ['127.0.0.1:$lport'] } ]
  - job_name: lxcollectd
    metrics_path: /1.0/metrics
    static_configs: [ { targets: ['127.0.0.1:$cport'] } ]"
q() { promq "$1" | jq -r 'length'; }
check "Prometheus scrapes both" wait_until 30 prom_targets_up 2
sleep 8 # a few scrapes, for rate() and increase()
nl=0; nc=0; n=0; lost=""
while IFS= read -r e; do
	case $e in '#'*|'') continue ;; esac
	n=$((n + 1))
	for job in lxd lxcollectd; do
		x=$(printf '%s' "$e" | sed -e "s/\\\$job/$job/g" -e 's/\$project/default/g' -e "s/\\\$name/$inst/g" \
			-e 's/\${top}/5/g' -e 's/\$__rate_interval/15s/g' -e 's/\$__range/1m/g')
		eval "r_$job=\$(q \"\$x\")"
	done
	[ "${r_lxd:-0}" -gt 0 ] && nl=$((nl + 1))
	[ "${r_lxcollectd:-0}" -gt 0 ] && nc=$((nc + 1))
	[ "${r_lxd:-0}" -gt 0 ] && [ "${r_lxcollectd:-0}" -eq 0 ] && lost="$lost
$e"
done <"$TOP/tests/integration/lxd_dashboard.promql"
diag "LXD's dashboard: $n expressions; data from LXD: $nl, from lxcollectd: $nc"
[ -n "$lost" ] && printf '%s\n' "$lost" | grep . | sed 's/^/# no data from lxcollectd: /'
eq "every dashboard expression with data from LXD has data from lxcollectd" "$(printf '%s' "$lost" | grep -c .)" 0
check "most of the dashboard has data ($nc of $n)" test "$nc" -ge $((n / 2))
d_term
t_done
