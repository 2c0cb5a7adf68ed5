#!/bin/sh
# The real daemon (interval 1 s) while its InfluxDB is killed for ten
# cycles and then started again on the same data: every tick is in
# InfluxDB afterwards, for a container measurement and for the self
# measurement, each exactly once (InfluxDB's own count of accepted
# points shows nothing was written twice).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup doutage influxd

s=do$$
d_syn "$s"
d_influxd do

cat >"$W/c.ini" <<EOC
[collector]
hostname = h$s
include = $s*
metrics = cpu, pids
[influxdb]
url = $INFLUX_URL
database = do
timeout = 1s
[spool]
dir = $W/spool
EOC
stored() { influx_count do "SELECT count(current) FROM container_pids WHERE container = '$s'"; }
stored_is_logged() { [ "$(stored)" = "$(d_ncycles run)" ]; }
spool_files() { ls "$W/spool" | grep -c '\.lp'; }
spool_empty() { [ "$(spool_files)" = 0 ]; }

d_start run -c "$W/c.ini" --interval 1
d_wait_cycles run 3 || not_ok "three cycles"
# kill influxd between two ticks, once the last one is stored
mid_second
wait_until 5 stored_is_logged || not_ok "the first cycles are stored"
written1=$(influx_points_written)
influxd_kill
tk=$(date +%s%N)
k=$(d_ncycles run)
diag "influxd killed after $k cycles ($written1 points accepted)"

d_wait_cycles run $((k + 10)) 20 || not_ok "ten cycles during the outage"
n=$(spool_files)
check "outage: the batches wait in the spool ($n files)" [ "$n" -ge 10 ]
eq "outage: logged once" "$(grep -c 'InfluxDB unreachable' "$W/run.log")" 1

t0=$(date +%s%N)
influxd_restart || { not_ok "influxd restarts"; t_done; exit 1; }
diag "influxd was down for $(( (t0 - tk) / 1000000 )) ms"
if wait_until 40 spool_empty; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	ok "after the restart the spool drains (in $ms ms, back-off included)"
else
	not_ok "after the restart the spool drains"
fi
eq "recovery logged once" "$(grep -c 'works again' "$W/run.log")" 1
# one more tick delivered normally, then stop
n=$(d_ncycles run)
d_wait_cycles run $((n + 1)) 5
d_term
eq "SIGTERM: exit 0" "$D_RC" 0
check "no tick skipped by the daemon" sh -c "! grep -q 'ticks skipped' '$W/run.log'"

first=$(d_ticks run | head -n1)
last=$(d_last_tick run)
n=$(d_ncycles run)
eq "logged ticks consecutive" "$((last - first + 1))" "$n"
t=$(influx_times do "SELECT current FROM container_pids WHERE container = '$s'")
if out=$(ticks_ok "$t" "$first" "$last"); then
	ok "container_pids: every tick $first..$last stored, once"
else
	printf '%s\n' "$out"; not_ok "container_pids: every tick stored, once"
fi
t=$(influx_times do "SELECT points FROM lxcollectd WHERE host = 'h$s'")
if out=$(ticks_ok "$t" "$first" "$last"); then
	ok "lxcollectd: every tick $first..$last stored, once"
else
	printf '%s\n' "$out"; not_ok "lxcollectd: every tick stored, once"
fi
total=$(( $(influx_count do 'SELECT count(current) FROM container_pids') +
	$(influx_count do 'SELECT count(usage_ns) FROM container_cpu') +
	$(influx_count do 'SELECT count(points) FROM lxcollectd') ))
eq "stored: 3 points for each of the $n ticks" "$total" $((3 * n))
written2=$(influx_points_written)
eq "accepted by InfluxDB (before + after the outage): each point once" \
	$((written1 + written2)) "$total"
errs=$(influx_q do "SELECT last(write_errors) FROM lxcollectd" | jq -r '.results[0].series[0].values[0][1] // 0')
check "self measurement: write_errors counted ($errs)" [ "$errs" -ge 3 ]
maxsp=$(influx_q do "SELECT max(spool_bytes) FROM lxcollectd" | jq -r '.results[0].series[0].values[0][1] // 0')
check "self measurement: spool_bytes grew during the outage ($maxsp)" [ "$maxsp" -gt 0 ]
t_done
