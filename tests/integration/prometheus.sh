#!/bin/sh
# [prometheus] listen: the real daemon watching a real LXC container (with
# a veth) and a synthetic one, scraped by curl and by a real Prometheus.
# /metrics passes promtool; it holds every figure of the same cycle's line
# protocol with the same values; a scrape during a run of cycles always
# matches exactly the one cycle it names; keep-alive, gzip, OpenMetrics,
# 404/405; clients that connect and never read do not stop collection or
# delivery; bearer token and TLS; -t and start-up refuse a port in use or
# a bad address with exit 78.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/daemon.sh"
. "$TOP/tests/lib/prometheus.sh"
need_lxc
d_setup prom promtool prometheus openssl ip
s=pr$$

lxct_bridges "${s}br"
lxct_create "${s}c" "lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${s}br" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.veth.pair = ${s}h0" ||
	{ not_ok "create ${s}c"; t_done; exit 1; }
check "LXC container ${s}c started" lxct_start "${s}c"
# traffic on the container's lo, so its counters are not all zero
lxc-attach -n "${s}c" -- ping -c 3 -i 0.2 127.0.0.1 >/dev/null 2>&1
d_syn "${s}s"

port=$(free_port)
cat >"$W/c.ini" <<EOC
[collector]
include = $s*
interfaces_exclude =
[prometheus]
listen = 127.0.0.1:$port
EOC
url=http://127.0.0.1:$port

# --- bad input: a port in use, a bad address ---
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(30)' "$port" &
blk=$!
t_defer "kill $blk"
wait_until 5 sh -c "ss -Hltn 'sport = :$port' | grep -q ."
"$LXCOLLECTD" -c "$W/c.ini" -t >"$W/t.out" 2>"$W/t.err"
eq "-t with the port in use exits 78" "$?" 78
eq "-t names the key and the reason" "$(cat "$W/t.err")" \
	"$W/c.ini:prometheus.listen: cannot listen on 127.0.0.1:$port: Address already in use"
"$LXCOLLECTD" -c "$W/c.ini" --once --stdout >/dev/null 2>"$W/start.err"
eq "start with the port in use exits 78" "$?" 78
check "start says why" grep -q "prometheus.listen: cannot listen on 127.0.0.1:$port: Address already in use" "$W/start.err"
kill "$blk"; wait "$blk" 2>/dev/null
sed "s/^listen = .*/listen = 192.0.2.1:$port/" "$W/c.ini" >"$W/bad.ini"
"$LXCOLLECTD" -c "$W/bad.ini" -t >/dev/null 2>"$W/t.err"
eq "-t with an address not on this host exits 78" "$?" 78
check "and says so ($(cat "$W/t.err"))" grep -q "bad.ini:prometheus.listen: cannot listen on 192.0.2.1:$port: Cannot assign requested address" "$W/t.err"
sed "s/^listen = .*/listen = 127.0.0.1/" "$W/c.ini" >"$W/bad.ini"
"$LXCOLLECTD" -c "$W/bad.ini" -t >/dev/null 2>"$W/t.err"
eq "-t with no port exits 78" "$?" 78
check "and says so ($(cat "$W/t.err"))" grep -q 'bad.ini:prometheus.listen: "127.0.0.1" is not HOST:PORT' "$W/t.err"
"$LXCOLLECTD" -c "$W/c.ini" -t >/dev/null 2>&1
eq "-t with the port free: OK" "$?" 0

# --- one cycle, held still (interval 1h): the line protocol vs /metrics ---
d_start one -c "$W/c.ini" --stdout --interval 3600
wait_until 20 d_cycles_ge one 1 2>/dev/null
wait_until 5 sh -c "curl -sf $url/metrics >'$W/m1.txt'"
lp=$(cat "$W/one.out")
m=$(cat "$W/m1.txt")
check "promtool check metrics: no problem" sh -c "promtool check metrics <'$W/m1.txt' >'$W/lint' 2>&1"
[ -s "$W/lint" ] && sed 's/^/# /' "$W/lint"
eq "promtool says nothing" "$(wc -c <"$W/lint")" 0
# every field of the line protocol is a sample (plus the renderer's two)
nfields=$(printf '%s\n' "$lp" | awk '{ n += split($2, f, ",") } END { print n }')
nsamples=$(printf '%s\n' "$m" | grep -vc '^#')
eq "a sample per line-protocol field (+ last_cycle_timestamp, build_info)" "$nsamples" $((nfields + 2))
eq "HELP on every family" "$(printf '%s\n' "$m" | grep -c '^# HELP')" "$(printf '%s\n' "$m" | grep -c '^# TYPE')"
eq "_total only on counters" \
	"$(printf '%s\n' "$m" | awk '/^# TYPE/ { c = ($4 == "counter"); t = ($3 ~ /_total$/); if (c != t) print $3 }')" ""
tick=$(d_last_tick one)
eq "last cycle timestamp is the cycle's tick" \
	"$(printf '%s\n' "$m" | sed -n 's/^lxcollectd_last_cycle_timestamp_seconds //p')" "$tick"
for c in "${s}c" "${s}s"; do
	eq "$c pids equal the line protocol" \
		"$(printf '%s\n' "$m" | sed -n "s/^lxcollectd_container_pids{container=\"$c\"} //p")" \
		"$(field "$lp" container_pids "container=$c" current)"
	want=$(field "$lp" container_cpu "container=$c" usage_ns)
	got=$(printf '%s\n' "$m" | sed -n "s/^lxcollectd_container_cpu_usage_seconds_total{container=\"$c\"} //p")
	eq "$c CPU seconds = usage_ns / 1e9" "$(awk -v g="$got" -v w="$want" 'BEGIN { printf "%d", g * 1e9 - w + 0.5 }')" 0
done
check "${s}c lo received packets" test "$(field "$lp" container_net "container=${s}c,interface=lo" rx_packets)" -ge 6
for f in rx_bytes:receive_bytes tx_packets:transmit_packets; do
	for ifc in eth0 lo; do
		eq "${s}c $ifc ${f%%:*} equals the line protocol" \
			"$(printf '%s\n' "$m" | grep "^lxcollectd_container_network_${f#*:}_total{container=\"${s}c\",interface=\"$ifc\"" | sed 's/.* //')" \
			"$(field "$lp" container_net "container=${s}c,interface=$ifc" "${f%%:*}")"
	done
done
# container_fs: the container's root filesystem, as statfs sees it
cpid=$(lxct_pid "${s}c")
eq "${s}c container_fs size equals statfs of its root" \
	"$(field "$lp" container_fs "container=${s}c,mountpoint=/" size_bytes)" \
	"$(stat -f -c '%b %s' "/proc/$cpid/root" | awk '{ printf "%.0f", $1 * $2 }')"
fst=$(stat -f -c %T "/proc/$cpid/root" | sed 's,ext2/ext3,ext4,')
eq "${s}c container_fs fstype tag" \
	"$(printf '%s\n' "$lp" | sed -n "s/^container_fs,host=[^,]*,container=${s}c,mountpoint=\/,fstype=\([^ ]*\) .*/\1/p")" "$fst"
check "and on /metrics" grep -q "^lxcollectd_container_fs_size_bytes{container=\"${s}c\",mountpoint=\"/\",fstype=\"$fst\"}" "$W/m1.txt"
check "host_interface label on eth0" grep -q "interface=\"eth0\",host_interface=\"${s}h0\"" "$W/m1.txt"
check "self health: containers" grep -qx 'lxcollectd_containers 2' "$W/m1.txt"

# keep-alive, gzip, OpenMetrics, errors
curl -sv -o /dev/null -o /dev/null "$url/metrics" "$url/metrics" 2>"$W/ka"
check "keep-alive: the second request reuses the connection" grep -q 'Re-using existing connection' "$W/ka"
curl -s -D "$W/gz.h" -H 'Accept-Encoding: gzip' -o "$W/m.gz" "$url/metrics"
check "gzip when asked" grep -qi '^Content-Encoding: gzip' "$W/gz.h"
check "gzipped body is the same exposition" sh -c "gzip -dc '$W/m.gz' | cmp -s - '$W/m1.txt'"
check "no gzip when not asked" sh -c "curl -s -D - -o /dev/null '$url/metrics' | grep -qvi '^Content-Encoding'"
curl -s -D "$W/om.h" -o "$W/om.txt" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' "$url/metrics"
check "OpenMetrics when preferred" grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$W/om.h"
eq "OpenMetrics ends with # EOF" "$(tail -n1 "$W/om.txt")" "# EOF"
check "text otherwise" sh -c "curl -s -D - -o /dev/null '$url/metrics' | grep -qi '^Content-Type: text/plain; version=0.0.4'"
eq "404 elsewhere" "$(curl -s -o "$W/404" -w '%{http_code}' "$url/metric")" 404
check "404 says where the metrics are" grep -q '/metrics' "$W/404"
eq "405 for POST" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$url/metrics")" 405
d_term

# --- a run of cycles: every scrape is exactly one whole cycle ---
sed -i "s/^\[collector\]/[collector]\nmetrics = cpu, memory, pids, net/" "$W/c.ini"
D_LIFETIME=60 d_start run -c "$W/c.ini" --stdout --interval 1
wait_until 20 d_cycles_ge run 1 2>/dev/null
i=0; bad=0; seen=""
while [ $i -lt 30 ]; do
	curl -s "$url/metrics" >"$W/s$i" || bad=$((bad + 1))
	i=$((i + 1)); sleep 0.13
done
i=0
while [ $i -lt 30 ]; do
	ts=$(sed -n 's/^lxcollectd_last_cycle_timestamp_seconds //p' "$W/s$i")
	seen="$seen $ts"
	# the cycle's line protocol: its own lines (stamped ts)
	grep " ${ts}000000000\$" "$W/run.out" >"$W/lp$i"
	for c in "${s}c" "${s}s"; do
		a=$(field "$(cat "$W/lp$i")" container_memory "container=$c" usage_bytes)
		b=$(sed -n "s/^lxcollectd_container_memory_usage_bytes{container=\"$c\"} //p" "$W/s$i")
		[ -n "$a" ] && [ "$a" = "$b" ] || bad=$((bad + 1))
		a=$(field "$(cat "$W/lp$i")" container_net "container=$c,interface=lo" rx_packets)
		b=$(grep "^lxcollectd_container_network_receive_packets_total{container=\"$c\",interface=\"lo\"" "$W/s$i" | sed 's/.* //')
		[ "$a" = "$b" ] || bad=$((bad + 1))
	done
	i=$((i + 1))
done
ncyc=$(echo "$seen" | tr ' ' '\n' | sort -u | grep -c .)
check "30 scrapes over $ncyc cycles" test "$ncyc" -ge 3
eq "each scrape matches exactly the cycle it names (memory, lo packets)" "$bad" 0

# clients that connect, send a request and never read, beyond the limit
before=$(d_ncycles run)
size0=$(wc -c <"$W/run.out")
python3 - "$port" >"$W/stall.out" 2>&1 <<'EOP' &
import socket, sys, time
held = []
for i in range(64):
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.settimeout(1)
        s.connect(("127.0.0.1", int(sys.argv[1])))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 50)
        held.append(s)
    except OSError:
        pass
print(len(held), flush=True)
time.sleep(5)
EOP
stall=$!
t_defer "kill $stall"
sleep 4.5
after=$(d_ncycles run)
size1=$(wc -c <"$W/run.out")
check "cycles go on while 64 clients never read ($before -> $after)" test "$after" -ge $((before + 3))
check "delivery goes on ($size0 -> $size1 bytes)" test "$size1" -gt "$size0"
wait "$stall"
check "the stalled clients could connect" test "$(cat "$W/stall.out")" -gt 0
check "a scrape answers once they are gone" wait_until 15 sh -c "curl -sf -m 2 '$url/metrics' | grep -q '^lxcollectd_containers 2'"

# --- a real Prometheus scrapes it (OpenMetrics, as it asks for) ---
prom_up "  - job_name: lxcollectd
    static_configs: [ { targets: ['127.0.0.1:$port'] } ]"
q() { promv "$1"; }
check "Prometheus: target up" wait_until 30 prom_targets_up 1
wait_until 10 sh -c "[ -n \"\$(curl -s '$PROM_URL/api/v1/query' --data-urlencode 'query=scrape_samples_post_metric_relabeling' | jq -r '.data.result[0].value[1] // empty')\" ]"
eq "Prometheus stores every sample of a scrape" "$(q scrape_samples_post_metric_relabeling)" \
	"$(curl -s "$url/metrics" | grep -vc '^#')"
eq "Prometheus: 2 containers" "$(q 'count(lxcollectd_container_memory_usage_bytes)')" 2
rq="rate(lxcollectd_container_cpu_usage_seconds_total{container=\"${s}c\"}[5s])"
rate_ok() { [ -n "$(q "$rq")" ]; }
check "Prometheus: the CPU seconds counter has a rate" wait_until 10 rate_ok
eq "Prometheus: pids of ${s}c" "$(q "lxcollectd_container_pids{container=\"${s}c\"}")" \
	"$(curl -s "$url/metrics" | sed -n "s/^lxcollectd_container_pids{container=\"${s}c\"} //p")"
d_term

# --- bearer token and TLS ---
printf 'tok%s\n' "$s" >"$W/token"; chmod 600 "$W/token"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$W/key.pem" -out "$W/cert.pem" -days 2 >/dev/null 2>&1
chmod 600 "$W/key.pem"
cat >>"$W/c.ini" <<EOC
token_file = $W/token
tls_cert = $W/cert.pem
tls_key = $W/key.pem
EOC
d_start sec -c "$W/c.ini" --stdout --interval 3600
wait_until 20 d_cycles_ge sec 1 2>/dev/null
surl=https://127.0.0.1:$port/metrics
eq "TLS without a token: 401" "$(curl -s --cacert "$W/cert.pem" -o /dev/null -w '%{http_code}' "$surl")" 401
eq "a wrong token: 401" "$(curl -s --cacert "$W/cert.pem" -H 'Authorization: Bearer nope' -o /dev/null -w '%{http_code}' "$surl")" 401
eq "the token: 200" "$(curl -s --cacert "$W/cert.pem" -H "Authorization: Bearer tok$s" -o /dev/null -w '%{http_code}' "$surl")" 200
check "the certificate verifies and the body is the exposition" sh -c \
	"curl -sf --cacert '$W/cert.pem' -H 'Authorization: Bearer tok$s' '$surl' | grep -q '^lxcollectd_containers 2'"
check "no plain HTTP on a TLS port" sh -c "! curl -sf -m 2 'http://127.0.0.1:$port/metrics' >/dev/null"
d_term
eq "stops cleanly on SIGTERM" "$D_RC" 0
t_done
