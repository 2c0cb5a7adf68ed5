# daemon.sh: the real lxcollectd as a background daemon for the
# integration tests (sourced after common.sh). Logs and output go to
# $W/NAME.log and $W/NAME.out; $W is the test's work directory.

# the per-cycle info lines ("cycle 2026-11-30T16:40:10Z: ...") are what
# the tests read;
# under a journal they would be debug lines
unset JOURNAL_STREAM

# d_setup NAME [COMMAND...]: the test needs root and these commands (and
# the ones every daemon test uses); $W is its work directory, removed at
# exit
d_setup() {
	_name=$1; shift
	need_root
	need_cmd unshare pgrep curl jq python3 "$@"
	W=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-$_name.XXXXXX")
	t_defer "rm -rf '$W'"
}

# d_syn NAME...: a synthetic container lxc.payload.NAME each (cgroups and
# an init that is PID 1 of its own namespaces); the test ends if it fails
d_syn() {
	for _n; do
		if ! syn_mkcg "lxc.payload.$_n" || ! syn_init "lxc.payload.$_n" >/dev/null; then
			not_ok "synthetic container $_n"; t_done; exit 1
		fi
	done
}

# d_influxd DB...: a private influxd with these databases; the test ends
# if it does not start
d_influxd() {
	influxd_start || { not_ok "influxd starts"; t_done; exit 1; }
	for _db; do influx_createdb "$_db"; done
}

# d_start NAME ARGS...: start "$LXCOLLECTD" ARGS in the background as
# daemon NAME; DPID is its PID. Killed at exit, and after D_LIFETIME
# seconds (default 120) whatever happens.
d_start() {
	_dn=$1; shift
	"$LXCOLLECTD" "$@" >"$W/$_dn.out" 2>"$W/$_dn.log" </dev/null &
	DPID=$!
	t_defer "kill -9 $DPID"
	t_bound "$DPID" "${D_LIFETIME:-120}"
}

# d_term [SECONDS]: SIGTERM $DPID and wait for it (at most SECONDS,
# default 20, then SIGKILL). Sets D_RC (exit status) and D_MS (how long
# it took, in milliseconds).
d_term() {
	_t0=$(date +%s%N)
	kill -TERM "$DPID"
	t_bound "$DPID" "${1:-20}"
	wait "$DPID"
	D_RC=$?
	D_MS=$(( ($(date +%s%N) - _t0) / 1000000 ))
}

# d_wait: wait for $DPID to end by itself; D_RC is its exit status
d_wait() {
	wait "$DPID"
	D_RC=$?
}

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it
# succeeds (0) or SECONDS pass (1)
wait_until() {
	_wl=$(( $1 * 10 )); shift
	_wi=0
	until "$@"; do
		_wi=$((_wi + 1))
		[ $_wi -gt $_wl ] && return 1
		sleep 0.1
	done
	return 0
}

# d_ticks NAME: the ticks (unix seconds) daemon NAME logged, one a line
d_ticks() { sed -n 's/.* cycle \([0-9T:-]*Z\): .*/\1/p' "$W/$1.log" | date -u -f - +%s; }
d_ncycles() { d_ticks "$1" | wc -l; }
d_last_tick() { d_ticks "$1" | tail -n1; }
# d_cycles_ge NAME N: at least N cycles logged
d_cycles_ge() { [ "$(d_ncycles "$1")" -ge "$2" ]; }
# d_logged NAME REGEX: a log line matches
d_logged() { grep -q -- "$2" "$W/$1.log"; }
# d_wait_cycles NAME N [SECONDS]: wait until N cycles are logged
d_wait_cycles() { wait_until "${3:-30}" d_cycles_ge "$1" "$2"; }

# mid_second: wait until the wall clock is 0.2 to 0.5 s past a whole
# second, well away from the daemon's ticks (interval 1 s)
mid_second() {
	_mi=0
	while [ $_mi -lt 200 ]; do
		_ms=$(( $(date +%N | sed 's/^0*//;s/^$/0/') / 1000000 ))
		[ "$_ms" -ge 200 ] && [ "$_ms" -lt 500 ] && return 0
		_mi=$((_mi + 1))
		sleep 0.02
	done
}

# influx_times DB QUERY: the time column (ns, exact) of every row, one a
# line (jq 1.6 would round the 19-digit integers through a double)
influx_times() {
	influx_q "$1" "$2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d.get("results", []):
    for s in r.get("series", []):
        for v in s["values"]:
            print(v[0])'
}
# influx_count DB QUERY: the first value of a "SELECT count(...)" (0 when none)
influx_count() {
	influx_q "$1" "$2" | jq -r '.results[0].series[0].values[0][1] // 0'
}

# ticks_ok TIMES_NS FIRST LAST: the times are exactly FIRST..LAST (unix
# seconds), each once, in nanoseconds; otherwise prints what differs
ticks_ok() {
	printf '%s\n' "$1" | awk -v a="$2" -v b="$3" '
	NF {
		if ($1 !~ /000000000$/) { printf "# not a whole second: %s\n", $1; bad = 1; next }
		s = substr($1, 1, length($1) - 9) + 0
		if (seen[s]++) { printf "# twice: %d\n", s; bad = 1 }
		if (s < a || s > b) { printf "# outside %d..%d: %d\n", a, b, s; bad = 1 }
	}
	END {
		for (t = a; t <= b; t++) if (!(t in seen)) { printf "# missing: %d\n", t; bad = 1; m++ }
		exit bad
	}'
}

# between VALUE LOW HIGH: LOW <= VALUE <= HIGH (integers)
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# d_dump NAME...: when a check failed, show the daemons' logs as comments
d_dump() {
	[ "$T_FAILED" = 0 ] && return 0
	for _n; do
		[ -f "$W/$_n.log" ] || continue
		echo "# --- $_n.log"
		tail -n 40 "$W/$_n.log" | sed 's/^/#   /'
	done
}
