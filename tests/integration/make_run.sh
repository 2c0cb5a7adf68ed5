#!/bin/sh
# `sudo make run`, the README's first command, as a new user runs it: with
# no /etc/lxcollectd/lxcollectd.ini and nothing on 127.0.0.1:8086 it starts
# a local influxd, creates database lxd, runs the daemon in the
# foreground (one log line per cycle) so that points arrive, and on Ctrl-C
# stops both.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_cmd influxd curl jq setsid python3

if [ -e /etc/lxcollectd/lxcollectd.ini ]; then
	not_ok "no /etc/lxcollectd/lxcollectd.ini (make run would use it instead)"
	t_done; exit 1
fi
if ss -Hltn 'sport = :8086' | grep -q .; then
	not_ok "port 8086 free for make run's own influxd"
	t_done; exit 1
fi

log=$(mktemp); t_defer "rm -f '$log'"
# as from a terminal: its own process group, SIGINT not ignored (a
# background job of a script inherits SIGINT ignored)
setsid python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' make -C "$TOP" --no-print-directory run >"$log" 2>&1 &
mk=$!
t_defer "kill -9 -$mk"
t_bound $mk 60

q() { curl -s -G http://127.0.0.1:8086/query --data-urlencode db=lxd --data-urlencode "q=$1"; }
# the daemon logs "cycle 2026-11-30T16:40:10Z: ... X us"; the point
# stored for that tick must carry that cycle_us (.local/ keeps earlier
# runs' data, perhaps at the same tick: InfluxDB keeps the last write, ours)
i=0 line=""
while [ $i -lt 300 ] && [ -z "$line" ]; do
	line=$(grep -m1 'info: cycle [0-9T:-]*Z: ' "$log")
	[ -n "$line" ] || sleep 0.1; i=$((i + 1))
done
check "make run logs a line per cycle" [ -n "$line" ]
tick=$(echo "$line" | sed 's/.*info: cycle \([0-9T:-]*Z\): .*/\1/')
us=$(echo "$line" | sed 's/.* points\{0,1\}, \([0-9]*\) us;.*/\1/')
i=0 got=""
while [ $i -lt 100 ]; do
	got=$(q "SELECT cycle_us FROM lxcollectd WHERE time = '$tick'" 2>/dev/null | jq -r '.results[0].series[0].values[0][1] // empty' 2>/dev/null)
	[ "$got" = "$us" ] && break
	sleep 0.1; i=$((i + 1))
done
eq "make run: this run's point for tick $tick reached the local influxd (cycle_us)" "$got" "$us"
check "make run said it started influxd" grep -q "starting influxd" "$log"
kill -INT -$mk
i=0; while kill -0 $mk 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "Ctrl-C ends make run" sh -c "! kill -0 $mk 2>/dev/null"
i=0; while ss -Hltn 'sport = :8086' | grep -q . && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "its influxd is stopped again" sh -c "! ss -Hltn 'sport = :8086' | grep -q ."
check "nothing left running" sh -c "! pgrep -f '[i]nfluxd run -config $TOP/.local/' >/dev/null && ! pgrep -x lxcollectd >/dev/null"
# every line make run printed is one of its own, make's (its recipe
# lines and messages), or the daemon's:
# a shell error ("reporting-disabled: not found", "dir: cannot access")
# or anything else unexpected fails
odd=$(grep -v -E \
	-e '^make(\[[0-9]+\])?: ' -e '^(cc|gcc|cp|rm|ar|make) ' -e '^(deps|installing):' \
	-e '^etc/run-local\.sh$' \
	-e '^make run: ' -e '^  curl -G ' \
	-e '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ lxcollectd (info|warning): ' "$log")
printf '%s\n' "$odd" | grep . | sed 's/^/# unexpected: /'
eq "make run printed no line but its own, make's and the daemon's" "$(printf '%s' "$odd" | grep -c .)" 0
check "make run printed no shell error" sh -c "! grep -q -E ': not found|cannot access|[Ss]yntax error|unexpected' '$log'"
sed 's/^/# /' "$log" | tail -n 8
t_done
