#!/bin/sh
# Delivery (collector/deliver.c, http.c, spool.c) through tests/tools/
# deliverfeed against a private InfluxDB 1.x and against tests/lib/
# fakehttp.py, a recording server that can also hang, answer garbage, cut
# its answer short, fail with a status or answer 413. Everything listens on
# 127.0.0.1 only.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/influxd.sh"
need_cmd influxd curl jq python3 gzip timeout
FEED=$LXC_TOOLS/deliverfeed
[ -x "$FEED" ] || { not_ok "deliverfeed built ($FEED)"; t_done; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-deliver.XXXXXX")
t_defer "rm -rf '$W'"
influxd_start || { not_ok "influxd starts"; t_done; exit 1; }

# feed NAME ARGS...: run deliverfeed (bounded), counters in $W/NAME.out,
# log lines in $W/NAME.log
feed() {
	_n=$1; shift
	timeout 60 "$FEED" "$@" >"$W/$_n.out" 2>"$W/$_n.log"
}
# val NAME COUNTER
val() { sed -n "s/^$2=//p" "$W/$1.out"; }
# q DB QUERY: first value of the first series
q() { influx_q "$1" "$2" | jq -r '.results[0].series[0].values[0][1] // empty'; }
# sum of x over batches FROM..TO of P points each
want_sum() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { s = 0; for (k = a; k <= b; k++) for (j = 0; j < p; j++) s += k * 1000 + j; print s }'; }

influx_pause() {
	kill "$INFLUX_PID" 2>/dev/null && wait "$INFLUX_PID" 2>/dev/null
}
# restart on the same port with the same data
influx_resume() {
	influxd run -config "$INFLUX_DIR/influxd.conf" >>"$INFLUX_DIR/influxd.log" 2>&1 &
	INFLUX_PID=$!
	_i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' "$INFLUX_URL/ping")" != 204 ]; do
		_i=$((_i + 1)); [ $_i -gt 150 ] && return 1
		sleep 0.1
	done
}

# fake NAME ARGS...: start fakehttp.py recording into $W/NAME, sets FAKE_URL
fake() {
	_d=$W/$1; shift
	mkdir -p "$_d"
	python3 "$TOP/tests/lib/fakehttp.py" "$_d" --lifetime 90 "$@" 2>"$_d/stderr" &
	_pid=$!
	t_defer "kill $_pid"
	_i=0
	while [ ! -s "$_d/port" ]; do
		_i=$((_i + 1)); [ $_i -gt 100 ] && return 1
		sleep 0.05
	done
	FAKE_URL="http://127.0.0.1:$(cat "$_d/port")"
}
nreq() { ls "$W/$1" | grep -c '^req\..*\.body$'; }
# the bodies recorded by fake NAME, in order, gunzipped when needed
bodies() {
	_i=1
	while [ -f "$W/$1/req.$_i.body" ]; do
		if [ "$(head -c2 "$W/$1/req.$_i.body" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
			gzip -dc <"$W/$1/req.$_i.body"
		else
			cat "$W/$1/req.$_i.body"
		fi
		_i=$((_i + 1))
	done
}
# the lines deliverfeed writes for batches FROM..TO of P points
lines() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { for (k = a; k <= b; k++) for (j = 0; j < p; j++)
		printf "feed,batch=%d i=%di,x=%di 1600000000000%06d\n", k, j, k * 1000 + j, k * 1000 + j }'
}

# --- 1. delivered exactly once, gzip on
influx_createdb d1
feed d1 -u "$INFLUX_URL" -s "$W/s1" -d d1 -z -n 5 -p 10 -f 10000
eq "all points delivered" "$(val d1 delivered_points)" 50
eq "no failed attempt" "$(val d1 write_errors)" 0
eq "spool empty" "$(val d1 spool_batches)" 0
eq "InfluxDB holds 50 points" "$(q d1 'SELECT count(x) FROM feed')" 50
eq "sum of x exact" "$(q d1 'SELECT sum(x) FROM feed')" "$(want_sum 1 5 10)"
eq "no spool file left" "$(ls "$W/s1" | grep -c '\.lp')" 0

# --- 2. influxd down: spooled; next start replays, then new data
influx_createdb d2
influx_createdb d3
influx_pause
feed d2a -u "$INFLUX_URL" -s "$W/s2" -d d2 -n 3 -p 10 -w 5000
eq "server down: nothing delivered" "$(val d2a delivered_points)" 0
eq "server down: 3 batches spooled" "$(val d2a spool_batches)" 3
eq "server down: 3 files in the spool" "$(ls "$W/s2" | grep -c '\.lp$')" 3
check "server down: attempts counted" [ "$(val d2a write_errors)" -ge 1 ]
eq "outage logged once" "$(grep -c 'unreachable' "$W/d2a.log")" 1
influx_resume || not_ok "influxd restarts"
feed d2b -u "$INFLUX_URL" -s "$W/s2" -d d2 -n 2 -k 4 -p 10 -f 10000
eq "replay + new: 5 batches delivered" "$(val d2b delivered_batches)" 5
eq "replay: InfluxDB holds 50 points" "$(q d2 'SELECT count(x) FROM feed')" 50
eq "replay: sum of x exact (none twice, none lost)" "$(q d2 'SELECT sum(x) FROM feed')" "$(want_sum 1 5 10)"
grep -q 'replaying 3 spooled batches' "$W/d2b.log" && ok "replay logged" || not_ok "replay logged"

# --- 3. influxd goes away while running and comes back
influx_pause
timeout 60 "$FEED" -u "$INFLUX_URL" -s "$W/s3" -d d3 -n 4 -p 10 -t 1000 -f 30000 \
	>"$W/d3.out" 2>"$W/d3.log" &
fpid=$!
t_defer "kill $fpid"
sleep 3
influx_resume || not_ok "influxd restarts"
wait "$fpid"
eq "outage: every point delivered after the restart" "$(val d3 delivered_points)" 40
eq "outage: InfluxDB holds 40 points" "$(q d3 'SELECT count(x) FROM feed')" 40
check "outage: retried several times" [ "$(val d3 write_errors)" -ge 2 ]
eq "outage: start logged once" "$(grep -c 'unreachable' "$W/d3.log")" 1
eq "outage: end logged once" "$(grep -c 'works again' "$W/d3.log")" 1

# --- 4. a batch InfluxDB refuses (field type conflict) goes to rejected/
influx_createdb d4
feed d4 -u "$INFLUX_URL" -s "$W/s4" -d d4 -n 4 -p 5 -x 3 -f 10000
eq "conflict: one batch rejected" "$(val d4 rejected_batches)" 1
eq "conflict: its points counted" "$(val d4 rejected_points)" 5
eq "conflict: the others delivered" "$(val d4 delivered_points)" 15
eq "conflict: InfluxDB holds 15 points" "$(q d4 'SELECT count(i) FROM feed')" 15
eq "conflict: batch 4 arrived after it" "$(q d4 "SELECT count(i) FROM feed WHERE batch='4'")" 5
eq "conflict: one file in rejected/" "$(ls "$W/s4/rejected" | grep -c '\.lp$')" 1
check "conflict: it is batch 3" grep -q 'x="s3000"' "$W/s4/rejected/"*.lp
eq "conflict: logged once" "$(grep -c 'refused' "$W/d4.log")" 1

# --- 5. a full spool drops the oldest batches and counts their points
# batches 1..9 are 460 bytes, batch 10 is 480: 1400 bytes hold three
dead=$(free_port)
feed d5a -u "http://127.0.0.1:$dead" -s "$W/s5" -n 10 -p 10 -M 1400 -w 3000
eq "full: three batches kept" "$(val d5a spool_batches)" 3
eq "full: 70 points dropped" "$(val d5a dropped_points)" 70
check "full: within max_size" [ "$(val d5a spool_bytes)" -le 1400 ]
eq "full: logged once" "$(grep -c 'is full' "$W/d5a.log")" 1
influx_createdb d5
feed d5b -u "$INFLUX_URL" -s "$W/s5" -d d5 -n 0 -f 10000
eq "full: the newest 30 points delivered" "$(q d5 'SELECT count(x) FROM feed')" 30
eq "full: oldest kept is batch 8" "$(q d5 'SELECT min(x) FROM feed')" 8000

# --- 6. the request: v2 API, token, gzip; v1 API with basic auth
fake f6 || not_ok "fakehttp starts"
feed f6 -u "$FAKE_URL/" -s "$W/s6" -a v2 -o "my org" -b "b/1&x" -T tok-123 -z -n 2 -p 3 -f 10000
eq "v2: two requests" "$(nreq f6)" 2
eq "v2: request line" "$(head -1 "$W/f6/req.1.head")" \
	"POST /api/v2/write?org=my%20org&bucket=b%2F1%26x&precision=ns HTTP/1.1"
check "v2: Authorization: Token" grep -qx 'Authorization: Token tok-123' "$W/f6/req.1.head"
check "v2: Content-Encoding: gzip" grep -qix 'Content-Encoding: gzip' "$W/f6/req.1.head"
check "v2: Content-Type" grep -qix 'Content-Type: text/plain; charset=utf-8' "$W/f6/req.1.head"
eq "v2: gunzipped bodies, in order" "$(bodies f6 | md5sum)" "$(lines 1 2 3 | md5sum)"
fake f6b || not_ok "fakehttp starts"
feed f6b -u "$FAKE_URL" -s "$W/s6b" -d "my db" -r "rp 1" -U user -P pass -n 1 -p 2 -f 10000
eq "v1: request line" "$(head -1 "$W/f6b/req.1.head")" \
	"POST /write?db=my%20db&rp=rp%201&precision=ns HTTP/1.1"
check "v1: basic auth" grep -qx 'Authorization: Basic dXNlcjpwYXNz' "$W/f6b/req.1.head"
check "v1: no Content-Encoding without gzip" sh -c "! grep -qi '^Content-Encoding' '$W/f6b/req.1.head'"
eq "v1: plain body" "$(bodies f6b | md5sum)" "$(lines 1 1 2 | md5sum)"

# --- 7. servers that misbehave: retried, nothing lost, nothing twice
misbehave() {
	_name=$1 _mode=$2 _count=$3
	fake "$_name" --fail "$_count" "$_mode" || not_ok "fakehttp starts"
	_t0=$(date +%s)
	feed "$_name" -u "$FAKE_URL" -s "$W/s$_name" -n 3 -p 4 -t 1000 -f 20000
	_t=$(( $(date +%s) - _t0 ))
	eq "$_mode: every point delivered" "$(val "$_name" delivered_points)" 12
	eq "$_mode: failed attempts counted" "$(val "$_name" write_errors)" "$_count"
	eq "$_mode: each batch recorded once, in order" "$(bodies "$_name" | md5sum)" "$(lines 1 3 4 | md5sum)"
	check "$_mode: done in bounded time (${_t}s)" [ "$_t" -le 15 ]
}
misbehave f7 hang 2
misbehave f8 garbage 2
misbehave f9 cut 1
misbehave f10 503 3
misbehave f11 429 1
misbehave f12 408 1

# --- 8. 413: the batch is split until the halves fit; a single line that
# still does not fit is rejected
fake f13 --max-body 200 || not_ok "fakehttp starts"
feed f13 -u "$FAKE_URL" -s "$W/s13" -n 2 -p 10 -f 10000
eq "413: every point delivered" "$(val f13 delivered_points)" 20
eq "413: nothing rejected" "$(val f13 rejected_batches)" 0
eq "413: lines in order, none twice" "$(bodies f13 | md5sum)" "$(lines 1 2 10 | md5sum)"
check "413: split into several requests" [ "$(nreq f13)" -ge 4 ]
fake f14 --max-body 40 || not_ok "fakehttp starts"
feed f14 -u "$FAKE_URL" -s "$W/s14" -z -n 1 -p 4 -f 10000
eq "413 single lines: all rejected" "$(val f14 rejected_points)" 4
eq "413 single lines: one file each in rejected/" "$(ls "$W/s14/rejected" | grep -c '\.lp\.gz$')" 4
eq "413 single lines: spool empty" "$(val f14 spool_batches)" 0

# --- 9. stopping while a request hangs: aborted at once, batches kept
fake f15 --fail 9 hang || not_ok "fakehttp starts"
_t0=$(date +%s)
feed f15 -u "$FAKE_URL" -s "$W/s15" -n 3 -p 2 -t 20000 -w 300
_t=$(( $(date +%s) - _t0 ))
check "stop during a hung request is quick (${_t}s)" [ "$_t" -le 4 ]
eq "stop: the batches stay spooled" "$(ls "$W/s15" | grep -c '\.lp$')" 3

t_done
