# influxd.sh: a private InfluxDB 1.x on loopback for one test (sourced after
# common.sh). influxd_start sets INFLUX_URL and registers its own cleanup.
influxd_start() {
	need_cmd influxd curl jq
	INFLUX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-influx.XXXXXX")
	INFLUX_PORT=$(free_port)
	_rpc=$((INFLUX_PORT + 1))
	while ss -Hltn "sport = :$_rpc" 2>/dev/null | grep -q .; do _rpc=$((_rpc + 1)); done
	sed -e "s|@DIR@|$INFLUX_DIR|g" -e "s|@HTTP@|$INFLUX_PORT|g" -e "s|@RPC@|$_rpc|g" \
		"$TOP/etc/influxd.conf.in" >"$INFLUX_DIR/influxd.conf"
	t_defer "influxd_stop"
	INFLUX_URL="http://127.0.0.1:$INFLUX_PORT"
	influxd_run
}

# start influxd on $INFLUX_DIR's configuration; wait for /ping
influxd_run() {
	influxd run -config "$INFLUX_DIR/influxd.conf" >>"$INFLUX_DIR/influxd.log" 2>&1 &
	INFLUX_PID=$!
	t_bound "$INFLUX_PID" "${INFLUX_LIFETIME:-900}"
	_i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' "$INFLUX_URL/ping")" != 204 ]; do
		_i=$((_i + 1))
		if [ $_i -gt 150 ] || ! kill -0 "$INFLUX_PID" 2>/dev/null; then
			echo "# influxd did not start:"; sed 's/^/#   /' "$INFLUX_DIR/influxd.log" | tail -20
			return 1
		fi
		sleep 0.1
	done
}

# influxd_kill: SIGKILL influxd (an outage), keeping its data directory;
# its port refuses connections until influxd_restart.
influxd_kill() {
	[ -n "${INFLUX_PID:-}" ] || return 0
	kill -9 "$INFLUX_PID" 2>/dev/null
	wait "$INFLUX_PID" 2>/dev/null
	INFLUX_PID=""
	return 0
}

# influxd_restart: start it again with the same configuration, port and
# data (what was written before influxd_kill is still there)
influxd_restart() {
	influxd_kill
	influxd_run
}

influxd_stop() {
	[ -n "${INFLUX_PID:-}" ] && kill "$INFLUX_PID" 2>/dev/null && wait "$INFLUX_PID" 2>/dev/null
	INFLUX_PID=""
	[ -n "${INFLUX_DIR:-}" ] && rm -rf "$INFLUX_DIR"
	INFLUX_DIR=""
}

# influx_q DB QUERY: the JSON answer (as INFLUX_AUTH=USER:PASSWORD when set)
influx_q() {
	curl -sS -G ${INFLUX_AUTH:+-u "$INFLUX_AUTH"} "$INFLUX_URL/query" --data-urlencode "db=$1" \
		--data-urlencode "epoch=ns" --data-urlencode "q=$2"
}

# influxd_auth USER PASSWORD: an admin USER, then influxd restarted with
# authentication on; influx_q authenticates as USER from then on
influxd_auth() {
	influx_q "" "CREATE USER \"$1\" WITH PASSWORD '$2' WITH ALL PRIVILEGES" >/dev/null
	influxd_kill
	sed -i 's/^\[http\]$/[http]\n  auth-enabled = true/' "$INFLUX_DIR/influxd.conf"
	INFLUX_AUTH="$1:$2"
	influxd_run
}
# influx_points_written: points this influxd process accepted over HTTP
# since it started (SHOW STATS, httpd pointsWrittenOK summed)
influx_points_written() {
	influx_q "" "SHOW STATS FOR 'httpd'" | jq '[.results[0].series[]? | .columns as $c |
		.values[0] as $v | range($c | length) | select($c[.] == "pointsWrittenOK") | $v[.]] | add // 0'
}
influx_createdb() {
	influx_q "" "CREATE DATABASE \"$1\"" >/dev/null
}
# influx_write DB FILE: HTTP status code of a /write of FILE
influx_write() {
	curl -sS -o "$INFLUX_DIR/write.out" -w '%{http_code}' -XPOST "$INFLUX_URL/write?db=$1" \
		--data-binary @"$2"
}
