#!/bin/sh
# /1.0/metrics against LXD's own: a private LXD 5.0 runs one container
# (busybox, a veth on a bridge of ours), lxcollectd watches it, and one
# Prometheus scrapes both /1.0/metrics endpoints. Every expression of
# LXD's Grafana dashboard (lxd_dashboard.promql) that returns data for
# LXD's job returns data for lxcollectd's; two scrapes taken at the same
# moment agree on every figure of the instance (exactly where the figure
# cannot move in between, within a small margin where it can).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/daemon.sh"
. "$TOP/tests/lib/lxd.sh"
. "$TOP/tests/lib/prometheus.sh"
need_lxd
d_setup lxdc prometheus ip
s=lx$$
lport=$(free_port)
cport=$((lport + 1)); while ss -Hltn "sport = :$cport" | grep -q .; do cport=$((cport + 1)); done

lxct_bridges "${s}br"
check "LXD starts" lxd_up "$lport"
check "busybox image imported" lxd_image bb
inst=${s}a
lxc init bb "$inst" >/dev/null 2>&1 &&
	lxc config set "$inst" security.privileged true &&
	lxc config set "$inst" raw.lxc "lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1" &&
	lxc config device add "$inst" eth0 nic nictype=bridged parent="${s}br" name=eth0 >/dev/null
check "instance $inst started" lxc start "$inst"
wait_until 20 sh -c "[ \"\$(lxc list -c s --format csv '$inst')\" = RUNNING ]"
# traffic on lo, and on eth0: ARP for an address nobody has
timeout 10 lxc exec "$inst" -- ping -c 3 -i 0.2 127.0.0.1 >/dev/null 2>&1
timeout 10 lxc exec "$inst" -- ip addr add 10.203.0.2/24 dev eth0 >/dev/null 2>&1
timeout 10 lxc exec "$inst" -- ping -c 2 -i 0.2 -W 1 10.203.0.3 >/dev/null 2>&1

cat >"$W/c.ini" <<EOC
[collector]
include = $inst
[prometheus]
listen = 127.0.0.1:$cport
EOC
D_LIFETIME=120 d_start lxc -c "$W/c.ini" --stdout --interval 1
wait_until 20 d_cycles_ge lxc 1 2>/dev/null

# --- the same moment, both endpoints ---
norm() { # "family{sorted labels} value", per-CPU summed into cpu="0"
	grep -v '^#' | grep "name=\"$inst\"" |
		sed 's/cpu="[0-9]*"/cpu="0"/' |
		awk '{ i = index($0, "} "); k = substr($0, 1, i); v[k] += substr($0, i + 2) } END { for (k in v) printf "%s %.17g\n", k, v[k] }' |
		sort
}
curl -sk "https://127.0.0.1:$lport/1.0/metrics" | norm >"$W/lxd.txt"
curl -s "http://127.0.0.1:$cport/1.0/metrics" | norm >"$W/ours.txt"
diag "LXD: $(wc -l <"$W/lxd.txt") series of $inst, lxcollectd: $(wc -l <"$W/ours.txt")"
check "LXD reports the instance" test -s "$W/lxd.txt"
missing=$(cut -d' ' -f1 "$W/lxd.txt" | while read -r k; do grep -qF "$k " "$W/ours.txt" || echo "$k"; done)
eq "every series LXD has for $inst, lxcollectd has" "$missing" ""
extra=$(cut -d' ' -f1 "$W/ours.txt" | while read -r k; do grep -qF "$k " "$W/lxd.txt" || echo "$k"; done)
[ -n "$extra" ] && diag "only lxcollectd has: $(echo $extra)"
# compare: exact for what an idle container cannot change within a
# second, else within 2% (memory) or 0.05 s (CPU)
join "$W/lxd.txt" "$W/ours.txt" | while read -r k a b; do
	case $k in
	lxd_cpu_seconds_total*) tol=abs:0.05 ;;
	lxd_memory_MemTotal*|lxd_procs_total*|lxd_network_*) tol=exact ;;
	*) tol=rel:2 ;;
	esac
	echo "$k $a $b $tol"
done >"$W/pairs"
bad=$(awk '{
	a = $2 + 0; b = $3 + 0; d = a - b; if (d < 0) d = -d
	split($4, t, ":")
	if (t[1] == "exact" && $2 != $3) print $1, $2, $3
	if (t[1] == "abs" && d > t[2]) print $1, $2, $3
	if (t[1] == "rel" && d > (a < 0 ? -a : a) * t[2] / 100 && d > 4096) print $1, $2, $3
}' "$W/pairs")
[ -n "$bad" ] && printf '%s\n' "$bad" | sed 's/^/# differs: /'
eq "every shared figure agrees with LXD's ($(wc -l <"$W/pairs") compared)" "$bad" ""
# lxd_cpu_effective_total: LXD 5.0 has no such family (5.6 added it), so
# against the CPUs the instance's init may run on, which its cpuset sets
ipid=$(lxc query "/1.0/instances/$inst/state" | jq -r .pid)
eq "lxd_cpu_effective_total: the CPUs the init may run on" \
	"$(awk '/^lxd_cpu_effective_total\{/ { print $2 }' "$W/ours.txt")" \
	"$(python3 -c "import os, sys; print(len(os.sched_getaffinity(int(sys.argv[1]))))" "$ipid")"
check "eth0 saw traffic" grep -q "^lxd_network_transmit_packets_total{device=\"eth0\".* [1-9]" "$W/lxd.txt"

# --- LXD's dashboard, against both jobs in one Prometheus ---
prom_up "  - job_name: lxd
    scheme: https
    metrics_path: /1.0/metrics
    tls_config: { insecure_skip_verify: true }
    static_configs: [ { targets: ['127.0.0.1:$lport'] } ]
  - job_name: lxcollectd
    metrics_path: /1.0/metrics
    static_configs: [ { targets: ['127.0.0.1:$cport'] } ]"
q() { promq "$1" | jq -r 'length'; }
check "Prometheus scrapes both" wait_until 30 prom_targets_up 2
sleep 8 # a few scrapes, for rate() and increase()
nl=0; nc=0; n=0; lost=""
while IFS= read -r e; do
	case $e in '#'*|'') continue ;; esac
	n=$((n + 1))
	for job in lxd lxcollectd; do
		x=$(printf '%s' "$e" | sed -e "s/\\\$job/$job/g" -e 's/\$project/default/g' -e "s/\\\$name/$inst/g" \
			-e 's/\${top}/5/g' -e 's/\$__rate_interval/15s/g' -e 's/\$__range/1m/g')
		eval "r_$job=\$(q \"\$x\")"
	done
	[ "${r_lxd:-0}" -gt 0 ] && nl=$((nl + 1))
	[ "${r_lxcollectd:-0}" -gt 0 ] && nc=$((nc + 1))
	[ "${r_lxd:-0}" -gt 0 ] && [ "${r_lxcollectd:-0}" -eq 0 ] && lost="$lost
$e"
done <"$TOP/tests/integration/lxd_dashboard.promql"
diag "LXD's dashboard: $n expressions; data from LXD: $nl, from lxcollectd: $nc"
[ -n "$lost" ] && printf '%s\n' "$lost" | grep . | sed 's/^/# no data from lxcollectd: /'
eq "every dashboard expression with data from LXD has data from lxcollectd" "$(printf '%s' "$lost" | grep -c .)" 0
check "most of the dashboard has data ($nc of $n)" test "$nc" -ge $((n / 2))
d_term
t_done
