#!/bin/sh
# The real daemon with --count 5 --interval 1 against a private InfluxDB:
# exactly five points per container and measurement, on five consecutive
# whole-second ticks, the same ones the daemon logged.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup dcount influxd

s=dc$$
d_syn "${s}a" "${s}b"
d_influxd dc

cat >"$W/c.ini" <<EOC
[collector]
hostname = h$s
include = $s*
metrics = cpu, memory, pids
[influxdb]
url = $INFLUX_URL
database = dc
timeout = 2s
[spool]
dir = $W/spool
EOC

t0=$(date +%s%N)
d_start run -c "$W/c.ini" --count 5 --interval 1
d_wait
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
eq "--count 5 exits 0" "$D_RC" 0
check "--count 5 --interval 1: four whole-second steps after the first (${ms} ms)" between "$ms" 3000 5000
eq "five cycles logged" "$(d_ncycles run)" 5
first=$(d_ticks run | head -n1)
last=$(d_last_tick run)
eq "logged ticks consecutive" "$(d_ticks run | tr '\n' ' ')" "$(seq "$first" "$last" | tr '\n' ' ')"

for m in container_cpu container_memory container_pids; do
	for c in a b; do
		t=$(influx_times dc "SELECT * FROM $m WHERE container = '$s$c'")
		eq "$m $s$c: 5 points" "$(printf '%s\n' "$t" | grep -c .)" 5
		if out=$(ticks_ok "$t" "$first" "$last"); then
			ok "$m $s$c: 5 distinct whole-second timestamps, consecutive, the logged ticks"
		else
			printf '%s\n' "$out"; not_ok "$m $s$c: timestamps are the logged ticks"
		fi
	done
done
t=$(influx_times dc "SELECT * FROM lxcollectd WHERE host = 'h$s'")
if out=$(ticks_ok "$t" "$first" "$last"); then
	ok "lxcollectd self measurement: the 5 ticks, once each"
else
	printf '%s\n' "$out"; not_ok "lxcollectd self measurement: the 5 ticks, once each"
fi
eq "no other container stored" \
	"$(influx_q dc 'SHOW TAG VALUES FROM container_pids WITH KEY = "container"' | jq -r '[.results[0].series[0].values[][1]] | join(" ")')" \
	"${s}a ${s}b"
eq "every point counted once by InfluxDB (5 x (2 x 3 + 1))" "$(influx_points_written)" 35
eq "spool left empty" "$(ls "$W/spool" | grep -c '\.lp')" 0
t_done
