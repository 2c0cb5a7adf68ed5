#!/bin/sh
# The real daemon stopped while its InfluxDB is down. (A) SIGKILL, then a
# new daemon on the same spool directory: every tick the first one logged
# is in InfluxDB once it is back, none twice. (B) SIGTERM with [influxdb]
# timeout = 1s: exit 0 within a few seconds, the batches stay in the
# spool, and the next start (--once) delivers them.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup drestart influxd

s=dr$$
d_syn "$s"
d_influxd dk dt

# conf NAME DB: a configuration with its own host tag and spool
conf() {
	cat >"$W/$1.ini" <<EOC
[collector]
hostname = $1$s
include = $s*
metrics = cpu, pids
[influxdb]
url = $INFLUX_URL
database = $2
timeout = 1s
[spool]
dir = $W/spool-$1
EOC
}
spool_files() { ls "$W/spool-$1" | grep -c '\.lp'; }
spool_empty() { [ "$(spool_files "$1")" = 0 ]; }
# stored_ticks DB HOST: the ticks (ns) of container_pids of host HOST
stored_ticks() { influx_times "$1" "SELECT current FROM container_pids WHERE host = '$2'"; }
# ns_of TICKS: the ticks in ns, sorted
ns_of() { for _t in $1; do echo "${_t}000000000"; done | sort; }
# missing WANT_NS HAVE_NS: lines of WANT not in HAVE
missing() {
	printf '%s\n' "$2" >"$W/have"
	printf '%s\n' "$1" | grep . | grep -vxF -f "$W/have"
}
stored_is_logged() { [ "$(stored_ticks dk hk$s | grep -c .)" = "$(d_ncycles a1)" ]; }

# --- A: SIGKILL while InfluxDB is down, restart on the same spool
conf hk dk
d_start a1 -c "$W/hk.ini" --interval 1
d_wait_cycles a1 2 || not_ok "a1: two cycles"
mid_second
wait_until 5 stored_is_logged || not_ok "a1: the first cycles are stored"
written1=$(influx_points_written)
influxd_kill
k=$(d_ncycles a1)
d_wait_cycles a1 $((k + 4)) 10 || not_ok "a1: four cycles during the outage"
kill -9 "$DPID"
d_wait
eq "a1: SIGKILLed" "$D_RC" 137
ticks1=$(d_ticks a1)
n1=$(d_ncycles a1)
nspool=$(spool_files hk)
check "a1: the undelivered ticks are spool files ($nspool for $((n1 - k)) ticks)" \
	[ "$nspool" -ge $((n1 - k)) ]

# a daemon started within the second of a1's last tick would stamp its
# first cycle with that tick too (InfluxDB keeps the later point): start
# a2 on the next second, so that every batch has a tick of its own
last1=$(d_last_tick a1)
wait_until 3 sh -c "[ \$(date +%s) -gt $last1 ]"
d_start a2 -c "$W/hk.ini" --interval 1
d_wait_cycles a2 2 10 || not_ok "a2: two cycles"
replayed=$(sed -n 's/.*replaying \([0-9]*\) spooled batches.*/\1/p' "$W/a2.log")
check "a2: replays the spool (${replayed:-no} batches, $((n1 - k)) ticks were logged during the outage)" \
	[ "${replayed:-0}" -ge $((n1 - k)) ]
influxd_restart || { not_ok "influxd restarts"; t_done; exit 1; }
wait_until 40 spool_empty hk || not_ok "a2: the spool drains"
n=$(d_ncycles a2)
d_wait_cycles a2 $((n + 1)) 5
d_term
eq "a2: SIGTERM exits 0" "$D_RC" 0
have=$(stored_ticks dk "hk$s")
miss=$(missing "$(ns_of "$ticks1")" "$have")
eq "every tick a1 logged before its SIGKILL is stored ($n1 ticks)" "$miss" ""
miss=$(missing "$(ns_of "$(d_ticks a2)")" "$have")
eq "every tick a2 logged is stored" "$miss" ""
extra=$(missing "$have" "$(ns_of "$ticks1 $(d_last_tick a1 | awk '{print $1 + 1}') $(d_ticks a2)")")
eq "nothing else stored (at most a1's cycle in flight)" "$extra" ""
eq "no tick stored twice" "$(printf '%s\n' "$have" | sort | uniq -d)" ""
total=$(( $(influx_count dk 'SELECT count(current) FROM container_pids') +
	$(influx_count dk 'SELECT count(usage_ns) FROM container_cpu') +
	$(influx_count dk 'SELECT count(points) FROM lxcollectd') ))
eq "accepted by InfluxDB: each point once" $((written1 + $(influx_points_written))) "$total"

# --- B: SIGTERM while InfluxDB is down, --once delivers the spool
conf ht dt
influxd_kill
d_start b1 -c "$W/ht.ini" --interval 1
d_wait_cycles b1 3 10 || not_ok "b1: three cycles"
d_term
eq "b1: SIGTERM exits 0 while InfluxDB is down" "$D_RC" 0
check "b1: SIGTERM took $D_MS ms (timeout = 1s)" [ "$D_MS" -le 3000 ]
nb=$(d_ncycles b1)
eq "b1: every batch left in the spool" "$(spool_files ht)" "$nb"
check "b1: says what it leaves behind" d_logged b1 "stopping with $nb batches"
influxd_restart || { not_ok "influxd restarts"; t_done; exit 1; }
d_start b2 -c "$W/ht.ini" --once --interval 1
d_wait
eq "b2: --once exits 0" "$D_RC" 0
check "b2: replays $nb batches" d_logged b2 "replaying $nb spooled batches"
eq "b2: spool empty" "$(spool_files ht)" 0
have=$(stored_ticks dt "ht$s")
eq "b1's ticks and b2's are stored" "$(printf '%s\n' "$have" | sort)" "$(ns_of "$(d_ticks b1) $(d_ticks b2)" | sort -u)"
d_dump a1 a2 b1 b2
t_done
