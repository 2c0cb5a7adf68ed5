#!/bin/sh
# What the daemon logs when a write fails, in words an operator can act
# on, against a real influxd (authentication on) and tests/lib/fakehttp.py:
# a missing database (with the CREATE DATABASE to run), a missing
# retention policy, wrong or no credentials, a server error (500), a
# timeout; and, with no server answering, connection refused, TLS spoken
# to a plain HTTP port, a host name that does not resolve. A server that
# answered is never called unreachable. The containers are a fixture tree:
# only delivery is under test.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup derr influxd unshare

fx=$TOP/tests/fixtures/cgroup/v2-lxd
d_influxd dbe
influxd_auth admin "s3cret$$" || { not_ok "influxd with authentication"; t_done; exit 1; }
printf 's3cret%s\n' "$$" >"$W/good.pw"
printf 'nope%s\n' "$$" >"$W/bad.pw"
chmod 600 "$W/good.pw" "$W/bad.pw"

# run NAME URL [INFLUXDB-LINES]: one --once cycle; its log in $W/NAME.log
run() {
	_n=$1 _u=$2; shift 2
	printf '[collector]\ncgroup_root = %s\nproc_root = %s/proc\nhostname = h%s\nmetrics = cpu\n[influxdb]\nurl = %s\ntimeout = 1s\n%s[spool]\ndir = %s/spool-%s\n' \
		"$fx" "$fx" "$$" "$_u" "$*" "$W" "$_n" >"$W/$_n.ini"
	${RUN_IN:-} "$LXCOLLECTD" -c "$W/$_n.ini" --once >/dev/null 2>"$W/$_n.log"
}
# says NAME TEXT: exactly one warning, with TEXT (a fixed string)
says() {
	eq "$1: one warning" "$(grep -c ' warning: ' "$W/$1.log")" 1
	check "$1: says '$2'" grep -qF -- "$2" "$W/$1.log"
}
answered() {
	says "$1" "InfluxDB write failed: $2"
	check "$1: a server that answered is not 'unreachable'" sh -c "! grep -q unreachable '$W/$1.log'"
}
good=$(printf 'username = admin\npassword_file = %s/good.pw\n' "$W")

run ok "$INFLUX_URL" "database = dbe
$good
"
eq "with the right password the points are stored" \
	"$(influx_count dbe "SELECT count(containers) FROM lxcollectd WHERE host = 'h$$'")" 1

run nodb "$INFLUX_URL" "database = nodb
$good
"
answered nodb 'HTTP 404: database "nodb" does not exist: create it with CREATE DATABASE "nodb" (influx -execute '"'"'CREATE DATABASE "nodb"'"'"')'

run norp "$INFLUX_URL" "database = dbe
retention_policy = norp
$good
"
answered norp 'HTTP 500: retention policy "norp" does not exist in database "dbe": create it with CREATE RETENTION POLICY "norp" ON "dbe" DURATION 30d REPLICATION 1, or leave [influxdb] retention_policy unset'

run badpw "$INFLUX_URL" "database = dbe
username = admin
password_file = $W/bad.pw
"
answered badpw 'HTTP 401: wrong credentials: check [influxdb] username and password_file'

run nopw "$INFLUX_URL" "database = dbe
"
answered nopw 'HTTP 401: the server wants credentials: set [influxdb] username and password_file'

# no server answering
port=$(free_port)
run refused "http://127.0.0.1:$port" ""
says refused "InfluxDB unreachable: connection to 127.0.0.1 port $port refused: is InfluxDB running and listening there?"
check "refused: not curl's 'No route to host'" sh -c "! grep -q 'No route to host' '$W/refused.log'"

run tls "https://127.0.0.1:$INFLUX_PORT" "database = dbe
$good
"
says tls "InfluxDB unreachable: TLS spoken to a plain HTTP port (127.0.0.1 port $INFLUX_PORT): use http:// in [influxdb] url, or enable HTTPS on the server"
check "tls: not 'Protocol error'" sh -c "! grep -q 'Protocol error' '$W/tls.log'"

# a name lookup in a network namespace of our own: nothing leaves the host
RUN_IN="unshare --net" run dns "http://influx.invalid:8086" ""
says dns 'InfluxDB unreachable: host name "influx.invalid" not resolved: check [influxdb] url and DNS'
check "dns: not 'No route to host'" sh -c "! grep -q 'No route to host' '$W/dns.log'"

# fakehttp: a server error, and a server that never answers
fake() {
	rm -rf "$W/fake"; mkdir "$W/fake"
	python3 "$TOP/tests/lib/fakehttp.py" "$W/fake" --lifetime 30 "$@" &
	_fp=$!
	t_defer "kill $_fp"
	wait_until 10 test -s "$W/fake/port" || not_ok "fakehttp starts"
	FAKE_URL="http://127.0.0.1:$(cat "$W/fake/port")"
}
fake --fail 1 500
run e500 "$FAKE_URL" ""
answered e500 'HTTP 500: the server failed to store the points (a server error, retried) (the server said: {"error":"fake 500"})'
kill $_fp 2>/dev/null

fake --fail 1 hang
run hang "$FAKE_URL" ""
says hang "InfluxDB unreachable: no answer from 127.0.0.1 port ${FAKE_URL##*:} within 1000 ms ([influxdb] timeout)"
kill $_fp 2>/dev/null

d_dump nodb norp badpw nopw refused tls dns e500 hang
t_done
