#!/bin/sh
# scrape.sh N: what a Prometheus scrape costs with N containers (`make
# bench` runs it after bench.sh; README "Performance"). Root.
#
# N synthetic containers (fleet.sh); the daemon at --interval 1 with
# [prometheus] listen, to /dev/null. CPU time is read per thread
# (/proc/PID/task/TID/schedstat): the collecting thread and libmicrohttpd's
# server thread apart. For each of /metrics (text; OpenMetrics gzipped, as
# Prometheus asks) and /1.0/metrics: SCRAPES scrapes, one right after each
# cycle, so every one renders a fresh snapshot; the server thread's CPU per
# scrape and the body's size. And the collecting thread's CPU per cycle
# over the same cycles without any scrape and with them: a scrape must add
# nothing there. Prints medians of RUNS runs.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-1000}
RUNS=${BENCH_RUNS:-3}
SCRAPES=${BENCH_SCRAPES:-10}
: "${LXC_BUILD:=build/std}"
LXCOLLECTD=${LXCOLLECTD:-$TOP/$LXC_BUILD/lxcollectd}
FLEET=$TOP/tests/bench/fleet.sh
. "$TOP/tests/bench/lib.sh"
export FLEET_PREFIX=${FLEET_PREFIX:-lxs}
P=$FLEET_PREFIX

[ "$(id -u)" = 0 ] || { echo "scrape.sh: needs root" >&2; exit 77; }
[ -x "$LXCOLLECTD" ] || { echo "scrape.sh: build first (make tests)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-scrape.XXXXXX")
dpid=""
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	"$FLEET" down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$FLEET" up "$N" || exit 1
port=$((20000 + $$ % 20000))
while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done
# pressure left out as bench.sh does where the fd limit cannot be raised
printf '[collector]\ninclude = %s-*\nmetrics = cpu, memory, pids, io, net\n[prometheus]\nlisten = 127.0.0.1:%s\n' \
	"$P" "$port" >"$tmp/c.ini"

tcpu() { awk '{ printf "%.0f\n", $1 / 1000 }' "/proc/$dpid/task/$1/schedstat"; } # µs
ncycles() { grep -c ' containers, ' "$tmp/err"; }
next_cycle() {
	_c=$(ncycles)
	while [ "$(ncycles)" -le "$_c" ]; do sleep 0.01; done
}

# phase NAME PATH CURL-ARGS...: SCRAPES cycles, a scrape after each (PATH
# "-": none); "main_us_per_cycle server_us_per_scrape bytes"
phase() {
	_path=$1; shift
	next_cycle
	m0=$(tcpu "$dpid") s0=$(tcpu "$srv") c0=$(ncycles) bytes=0
	_i=0
	while [ $_i -lt "$SCRAPES" ]; do
		next_cycle
		[ "$_path" != - ] && bytes=$(curl -s -m 10 "$@" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$_path")
		_i=$((_i + 1))
	done
	next_cycle
	m1=$(tcpu "$dpid") s1=$(tcpu "$srv") c1=$(ncycles)
	awk -v m=$((m1 - m0)) -v s=$((s1 - s0)) -v c=$((c1 - c0)) -v k="$SCRAPES" -v b="$bytes" \
		'BEGIN { printf "%.0f %.0f %d\n", m / c, s / k, b }'
}

i=1
while [ $i -le "$RUNS" ]; do
	: >"$tmp/err"
	"$LXCOLLECTD" -c "$tmp/c.ini" --stdout --interval 1 >/dev/null 2>"$tmp/err" &
	dpid=$!
	while [ "$(ncycles)" -lt 2 ]; do sleep 0.05; done
	srv=""
	for t in /proc/"$dpid"/task/*; do
		t=${t##*/}
		[ "$t" = "$dpid" ] && continue
		case $(cat "/proc/$dpid/task/$t/comm") in MHD*) srv=$t ;; esac
	done
	[ -n "$srv" ] || { echo "scrape.sh: no libmicrohttpd thread found" >&2; exit 1; }
	none=$(phase -)
	text=$(phase /metrics)
	omgz=$(phase /metrics -H 'Accept: application/openmetrics-text;version=1.0.0' -H 'Accept-Encoding: gzip')
	lxd=$(phase /1.0/metrics)
	echo "# run $i: none $none | text $text | om+gzip $omgz | lxd $lxd" >&2
	echo "$none $text $omgz $lxd" >>"$tmp/r"
	kill -TERM "$dpid"; wait "$dpid"; dpid=""
	i=$((i + 1))
done
col() { awk -v c="$1" '{ print $c }' "$tmp/r" | median; }
echo "scrapes, N=$N, medians of $RUNS runs of $SCRAPES scrapes (each of a fresh cycle):"
printf 'collecting thread, CPU per cycle, no scrapes:     %8.0f us\n' "$(col 1)"
printf 'collecting thread, CPU per cycle, with /metrics:  %8.0f us\n' "$(col 4)"
printf '/metrics text:          server CPU %6.0f us per scrape, %8d bytes\n' "$(col 5)" "$(col 6)"
printf '/metrics OpenMetrics+gzip: server CPU %3.0f us per scrape, %8d bytes\n' "$(col 8)" "$(col 9)"
printf '/1.0/metrics text:      server CPU %6.0f us per scrape, %8d bytes\n' "$(col 11)" "$(col 12)"
