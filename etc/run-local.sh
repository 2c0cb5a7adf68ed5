#!/bin/sh
# make run: run the daemon in the foreground (Ctrl-C stops it).
# With /etc/lxcollectd/lxcollectd.ini present, that configuration is used as
# it is. Without it (the built-in defaults), a local InfluxDB is used: when
# nothing answers on http://127.0.0.1:8086, Debian's influxd is started on
# loopback with its data under .local/ (ignored by git), database "lxd" is
# created, and it is stopped again when the daemon exits.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
bin=./lxcollectd
conf=/etc/lxcollectd/lxcollectd.ini

if [ -f "$conf" ]; then
	echo "make run: using $conf"
	exec "$bin" -c "$conf"
fi

url=http://127.0.0.1:8086
local=$top/.local
mkdir -p "$local/spool"
answers() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/ping")" = 204 ]; }
influx_pid=""
if ! answers; then
	command -v influxd >/dev/null || { echo "make run: influxd missing: run 'sudo make deps'" >&2; exit 1; }
	sed -e "s|@DIR@|$local/influxdb|g" -e "s|@HTTP@|8086|g" -e "s|@RPC@|8088|g" \
		etc/influxd.conf.in >"$local/influxd.conf"
	echo "make run: no InfluxDB on $url; starting influxd with its data in .local/influxdb"
	influxd run -config "$local/influxd.conf" >"$local/influxd.log" 2>&1 &
	influx_pid=$!
	trap 'kill $influx_pid 2>/dev/null; wait $influx_pid 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	i=0
	until answers; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 $influx_pid 2>/dev/null; then
			echo "make run: influxd did not start; see .local/influxd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
fi
curl -s -o /dev/null -XPOST "$url/query" --data-urlencode 'q=CREATE DATABASE lxd'

# the built-in defaults, but the spool kept here rather than in /var/lib
cat >"$local/lxcollectd.ini" <<EOC
[spool]
dir = $local/spool
EOC
echo "make run: writing to $url (database lxd); try:"
echo "  curl -G $url/query --data-urlencode db=lxd --data-urlencode 'q=SELECT * FROM container_cpu ORDER BY time DESC LIMIT 5'"
"$bin" -c "$local/lxcollectd.ini"
