#!/bin/sh
# --test-delivery against a real influxd (authentication on): stored ->
# exit 0, the answer and the target shown (the password in the URL masked)
# and the points in InfluxDB exactly once; server down, database missing,
# wrong password -> non-zero with the cause named. The spool is never
# touched: a batch already in it stays there, unsent, and a spool dir that
# does not exist yet is not made. api = v2 against tests/lib/fakehttp.py.
# The containers are a fixture tree.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup tdel influxd

fx=$TOP/tests/fixtures/cgroup/v2-lxd
pw="pw$$x"
d_influxd dtd
influxd_auth admin "$pw" || { not_ok "influxd with authentication"; t_done; exit 1; }
hp=${INFLUX_URL#http://}

# a spool holding one batch that must not be sent
mkdir -p "$W/spool/rejected"
printf 'spooled,host=h%s v=1i 1000000000\n' "$$" >"$W/spool/0000000100000000-1.lp"
chmod -R go-rwx "$W/spool"
spool_state() { (cd "$W" && find spool -exec stat -c '%n %s %Y' {} + | sort | md5sum); }
before=$(spool_state)

# td NAME URL DB: --test-delivery; exit status in $rc, output in $W/NAME.*
td() {
	printf '[collector]\ncgroup_root = %s\nproc_root = %s/proc\nhostname = h%s\nmetrics = cpu\n[influxdb]\nurl = %s\ndatabase = %s\ntimeout = 2s\n[spool]\ndir = %s/spool\n' \
		"$fx" "$fx" "$$" "$2" "$3" "$W" >"$W/$1.ini"
	"$LXCOLLECTD" -c "$W/$1.ini" --test-delivery >"$W/$1.out" 2>"$W/$1.err"
	rc=$?
}

td ok "http://admin:$pw@$hp" dtd
eq "stored: exit 0" "$rc" 0
check "stored: says how many points" \
	grep -qF "test delivery: 3 points (2 containers, " "$W/ok.out"
check "stored: the URL with the password masked" grep -qF "to http://admin:***@$hp/write?db=dtd&precision=ns" "$W/ok.out"
check "stored: the database and retention policy" \
	grep -qF '  InfluxDB 1 API: database "dtd", retention policy (the database'"'"'s default)' "$W/ok.out"
check "stored: what the server said" grep -qF "  the server answered HTTP 204: the points are stored" "$W/ok.out"
check "stored: the password is nowhere in the output" sh -c "! grep -qF '$pw' '$W/ok.out' '$W/ok.err'"
eq "stored: the self point is in InfluxDB exactly once" \
	"$(influx_count dtd "SELECT count(containers) FROM lxcollectd WHERE host = 'h$$'")" 1
eq "stored: each fixture container's cpu point exactly once" \
	"$(influx_count dtd "SELECT count(usage_ns) FROM container_cpu WHERE host = 'h$$'")" 2
eq "stored: the spooled batch was not sent" "$(influx_count dtd "SELECT count(v) FROM spooled")" 0

td nodb "http://admin:$pw@$hp" nodb
eq "database missing: exit 1" "$rc" 1
check "database missing: named, with the CREATE DATABASE" \
	grep -qF 'lxcollectd: test delivery failed: HTTP 404: database "nodb" does not exist: create it with CREATE DATABASE "nodb"' "$W/nodb.err"

td badpw "http://admin:nope$$@$hp" dtd
eq "wrong password: exit 1" "$rc" 1
check "wrong password: named" \
	grep -qF 'lxcollectd: test delivery failed: HTTP 401: wrong credentials: check [influxdb] url (its user and password)' "$W/badpw.err"

port=$(free_port)
td down "http://127.0.0.1:$port" dtd
eq "server down: exit 69" "$rc" 69
check "server down: named" \
	grep -qF "lxcollectd: test delivery failed: connection to 127.0.0.1 port $port refused: is InfluxDB running and listening there?" "$W/down.err"

eq "the spool is as it was: nothing sent from it, nothing added" "$(spool_state)" "$before"
eq "only the one good test delivery reached InfluxDB" \
	"$(influx_count dtd "SELECT count(containers) FROM lxcollectd")" 1

# a spool dir that does not exist is not made
sed -i "s|^dir = .*|dir = $W/nospool|" "$W/ok.ini"
"$LXCOLLECTD" -c "$W/ok.ini" --test-delivery >/dev/null 2>&1
eq "a second delivery: exit 0" "$?" 0
check "no spool directory made" [ ! -e "$W/nospool" ]
# api = v2 (fakehttp records what it is sent): org and bucket shown, one
# request with the token, nothing else
mkdir "$W/fake"
python3 "$TOP/tests/lib/fakehttp.py" "$W/fake" --lifetime 30 &
fp=$!
t_defer "kill $fp"
wait_until 10 test -s "$W/fake/port" || not_ok "fakehttp starts"
printf 'tok%s\n' "$$" >"$W/token"
chmod 600 "$W/token"
printf '[collector]\ncgroup_root = %s\nproc_root = %s/proc\nhostname = h%s\nmetrics = cpu\n[influxdb]\nurl = http://127.0.0.1:%s\napi = v2\norg = o%s\nbucket = b%s\ntoken_file = %s/token\ngzip = false\n[spool]\ndir = %s/spool\n' \
	"$fx" "$fx" "$$" "$(cat "$W/fake/port")" "$$" "$$" "$W" "$W" >"$W/v2.ini"
"$LXCOLLECTD" -c "$W/v2.ini" --test-delivery >"$W/v2.out" 2>"$W/v2.err"
eq "v2: exit 0" "$?" 0
check "v2: org and bucket shown" grep -qF "  InfluxDB 2 API: org \"o$$\", bucket \"b$$\"" "$W/v2.out"
check "v2: the write URL" grep -qF "/api/v2/write?org=o$$&bucket=b$$&precision=ns" "$W/v2.out"
eq "v2: one request" "$(wc -l <"$W/fake/log")" 1
check "v2: with the token" grep -qF "Authorization: Token tok$$" "$W/fake/req.1.head"
eq "v2: the cycle's 3 points in it" "$(wc -l <"$W/fake/req.1.body")" 3
check "v2: the token is not in the output" sh -c "! grep -qF 'tok$$' '$W/v2.out' '$W/v2.err'"

"$LXCOLLECTD" -c "$W/ok.ini" --test-delivery --once >/dev/null 2>&1
eq "--test-delivery with --once is a usage error" "$?" 64
t_done
