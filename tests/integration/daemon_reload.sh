#!/bin/sh
# SIGHUP to the real daemon (interval 1 s, private InfluxDB): a broken
# configuration file is refused with a log line naming FILE:SECTION.KEY
# and the daemon goes on delivering with the old settings; a valid changed
# file (another hostname) takes effect from the next cycle on. No tick is
# lost or doubled on the way.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup dreload influxd

s=dh$$
d_syn "$s"
d_influxd dh

# conf HOSTNAME DATABASE_KEY: the configuration file the daemon runs with
conf() {
	cat >"$W/c.ini" <<EOC
[collector]
hostname = $1
include = $s*
metrics = cpu, pids
[influxdb]
url = $INFLUX_URL
$2 = dh
timeout = 1s
[spool]
dir = $W/spool
EOC
}
# host_ticks HOST: ticks (ns) stored for container_pids of HOST
host_ticks() { influx_times dh "SELECT current FROM container_pids WHERE host = '$1'"; }
nstored() { host_ticks "$1" | grep -c .; }
stored_ge() { [ "$(nstored "$1")" -ge "$2" ]; }

conf "ha$s" database
d_start run -c "$W/c.ini" --interval 1
d_wait_cycles run 2 || not_ok "two cycles"
wait_until 5 stored_ge "ha$s" 2 || not_ok "the first cycles are stored"

# a typo (and a new hostname that must not be taken)
conf "hb$s" databse
kill -HUP "$DPID"
wait_until 5 d_logged run 'reload refused' || not_ok "reload refused"
check "refusal names FILE:SECTION.KEY" d_logged run "$W/c.ini:influxdb.databse: unknown key"
eq "refusal logged once" "$(grep -c 'keeping the old configuration' "$W/run.log")" 1
n=$(d_ncycles run)
d_wait_cycles run $((n + 3)) 6 || not_ok "cycles go on after the refused reload"
wait_until 5 stored_ge "ha$s" $((n + 3)) || not_ok "old settings: stored under the old host"
eq "nothing under the refused file's hostname" "$(nstored "hb$s")" 0

# a valid change
conf "hb$s" database
kill -HUP "$DPID"
wait_until 5 d_logged run 'configuration reloaded' || not_ok "reloaded"
wait_until 6 stored_ge "hb$s" 2 || not_ok "the new host tag appears"
d_term
eq "SIGTERM exits 0" "$D_RC" 0
eq "still running with the daemon's first process" "$(grep -c 'started:' "$W/run.log")" 1

# cycles logged before the "configuration reloaded" line carry the old
# host, the ones after it the new one
before=$(sed -n '/configuration reloaded/q; s/.* cycle \([0-9T:-]*Z\): .*/\1/p' "$W/run.log")
after=$(sed -n '/configuration reloaded/,$ s/.* cycle \([0-9T:-]*Z\): .*/\1/p' "$W/run.log")
first=$(d_ticks run | head -n1)
last=$(d_last_tick run)
eq "logged ticks consecutive, none twice" "$(d_ticks run | tr '\n' ' ')" "$(seq "$first" "$last" | tr '\n' ' ')"
na=$(printf '%s\n' "$before" | grep -c .)
if out=$(ticks_ok "$(host_ticks "ha$s")" "$first" $((first + na - 1))); then
	ok "host ha: ticks $first..$((first + na - 1)), across the refused reload"
else
	printf '%s\n' "$out"; not_ok "host ha: every tick before the valid reload"
fi
if out=$(ticks_ok "$(host_ticks "hb$s")" $((first + na)) "$last"); then
	ok "host hb: ticks $((first + na))..$last, from the cycle after the valid reload on"
else
	printf '%s\n' "$out"; not_ok "host hb: every tick after the valid reload"
fi
nb=$(printf '%s\n' "$after" | grep -c .)
check "some cycles under each host ($na and $nb)" sh -c "[ $na -ge 5 ] && [ $nb -ge 1 ]"
d_dump run
t_done
