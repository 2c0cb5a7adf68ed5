#!/bin/sh
# The real daemon's spool against a private InfluxDB. (R) A batch InfluxDB
# refuses (a field type conflict) goes to rejected/, is logged once, and
# the daemon carries on. (F) A full spool ([spool] max_size = 4KiB) while
# InfluxDB is down drops the oldest batches and counts their points in
# the self measurement's dropped_points.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup dspool influxd gzip

s=ds$$
d_syn "${s}r" "${s}f1" "${s}f2" "${s}f3"
d_influxd dr df
spool_files() { ls "$W/spool-$1" | grep -c '\.lp'; }
spool_empty() { [ "$(spool_files "$1")" = 0 ]; }
spool_size() { cat "$W/spool-$1"/*.lp* 2>/dev/null | wc -c; }

# --- R: a batch InfluxDB refuses
# the CPU quota: limit_cpus = 0.5 (a float) in container_cpu
if [ -f "/sys/fs/cgroup/cpu/lxc.payload.${s}r/cpu.cfs_quota_us" ]; then
	quota=/sys/fs/cgroup/cpu/lxc.payload.${s}r/cpu.cfs_quota_us
	echo 50000 >"$quota"; unlimited=-1
else
	quota=/sys/fs/cgroup/lxc.payload.${s}r/cpu.max
	echo "50000 100000" >"$quota"; unlimited="max 100000"
fi
# limit_cpus already exists as an integer field of this series' shard
printf 'container_cpu,host=hr%s,container=%sr limit_cpus=1i %s123456789\n' "$s" "$s" "$(date +%s)" >"$W/pre.lp"
eq "R: integer limit_cpus pre-written" "$(influx_write dr "$W/pre.lp")" 204

cat >"$W/r.ini" <<EOC
[collector]
hostname = hr$s
include = ${s}r
metrics = cpu, pids
[influxdb]
url = $INFLUX_URL
database = dr
timeout = 2s
[spool]
dir = $W/spool-r
EOC
# the quota is there for the first cycle only: start well before a tick
mid_second
d_start r -c "$W/r.ini" --interval 1
d_wait_cycles r 1 5 || not_ok "R: first cycle"
echo "$unlimited" >"$quota"
d_wait_cycles r 5 10 || not_ok "R: five cycles"
wait_until 5 spool_empty r || not_ok "R: spool drains"
d_term
eq "R: SIGTERM exits 0" "$D_RC" 0
first=$(d_ticks r | head -n1)
last=$(d_last_tick r)
eq "R: one file in rejected/" "$(ls "$W/spool-r/rejected" | grep -c '\.lp')" 1
gzip -dcf "$W/spool-r/rejected/"*.lp* >"$W/rejected.lp" 2>/dev/null
check "R: it is the first cycle's batch, with limit_cpus=0.5" \
	grep -q "^container_cpu,.*limit_cpus=0.5[, ].*${first}000000000\$" "$W/rejected.lp"
eq "R: logged once" "$(grep -c 'refused a batch' "$W/r.log")" 1
check "R: the log line says why (HTTP 400, field type conflict)" \
	sh -c "grep 'refused a batch' '$W/r.log' | grep 'HTTP 400' | grep -q 'field type conflict'"
t=$(influx_times dr "SELECT usage_ns FROM container_cpu WHERE container = '${s}r' AND time > ${first}000000000")
if out=$(ticks_ok "$t" $((first + 1)) "$last"); then
	ok "R: the later ticks $((first + 1))..$last are stored (the daemon carried on)"
else
	printf '%s\n' "$out"; not_ok "R: the later ticks are stored"
fi
eq "R: limit_cpus stays an integer field" \
	"$(influx_q dr 'SHOW FIELD KEYS FROM container_cpu' | jq -r '.results[0].series[0].values[] | select(.[0] == "limit_cpus") | .[1]')" \
	integer

# --- F: a full spool while InfluxDB is down
cat >"$W/f.ini" <<EOC
[collector]
hostname = hf$s
include = ${s}f*
metrics = cpu, pids
[influxdb]
url = $INFLUX_URL
database = df
gzip = false
timeout = 1s
[spool]
dir = $W/spool-f
max_size = 4KiB
EOC
# the last cycle line's "N points dropped" (absent while none are)
dropped_logged() { sed -n 's/.* \([0-9]*\) points\{0,1\} dropped.*/\1/p' "$W/f.log" | tail -n1; }
some_dropped() { [ "$(dropped_logged)" -gt 0 ] 2>/dev/null; }
influxd_kill
d_start f -c "$W/f.ini" --interval 1
wait_until 20 some_dropped || not_ok "F: the spool fills up"
n=$(d_ncycles f)
d_wait_cycles f $((n + 2)) 5
sz=$(spool_size f)
check "F: the spool stays within max_size ($sz bytes in $(spool_files f) files)" [ "$sz" -le 4096 ]
eq "F: logged once" "$(grep -c 'is full' "$W/f.log")" 1
influxd_restart || { not_ok "influxd restarts"; t_done; exit 1; }
wait_until 40 spool_empty f || not_ok "F: the spool drains"
n=$(d_ncycles f)
d_wait_cycles f $((n + 1)) 5
d_term
eq "F: SIGTERM exits 0" "$D_RC" 0
first=$(d_ticks f | head -n1)
last=$(d_last_tick f)
per=$(sed -n 's/.* cycle [0-9T:-]*Z: [0-9]* containers[^,]*, \([0-9]*\) points.*/\1/p' "$W/f.log" | sort -u)
eq "F: points per cycle (3 containers x 2 + 1)" "$per" 7
dropped=$(influx_q df "SELECT last(dropped_points) FROM lxcollectd" | jq -r '.results[0].series[0].values[0][1] // 0')
check "F: dropped_points stored > 0 ($dropped)" [ "$dropped" -gt 0 ]
eq "F: dropped_points is what the daemon logged" "$dropped" "$(dropped_logged)"
nmiss=$((dropped / per))
eq "F: whole batches dropped" "$((nmiss * per))" "$dropped"
t=$(influx_times df "SELECT points FROM lxcollectd WHERE host = 'hf$s'")
if out=$(ticks_ok "$t" $((first + nmiss)) "$last"); then
	ok "F: the oldest $nmiss ticks are missing, the newest $((first + nmiss))..$last present"
else
	printf '%s\n' "$out"; not_ok "F: the oldest ticks missing, the newest present"
fi
t=$(influx_times df "SELECT current FROM container_pids WHERE container = '${s}f1'")
if out=$(ticks_ok "$t" $((first + nmiss)) "$last"); then
	ok "F: the same for container_pids"
else
	printf '%s\n' "$out"; not_ok "F: the same for container_pids"
fi
d_dump r f
t_done
