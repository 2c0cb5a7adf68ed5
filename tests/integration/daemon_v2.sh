#!/bin/sh
# The real daemon with [influxdb] api = v2: the request it sends (recorded
# by tests/lib/fakehttp.py) and the data stored by a real VictoriaMetrics
# through its /api/v2/write, compared with what --once --stdout prints.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup dv2 gzip victoria-metrics

s=dv$$
d_syn "${s}v"
syn_proc "lxc.payload.${s}v" >/dev/null
syn_proc "lxc.payload.${s}v" >/dev/null
if [ -d /sys/fs/cgroup/memory ]; then
	echo 67108864 >"/sys/fs/cgroup/memory/lxc.payload.${s}v/memory.limit_in_bytes"
	echo 40 >"/sys/fs/cgroup/pids/lxc.payload.${s}v/pids.max"
else
	echo 67108864 >"/sys/fs/cgroup/lxc.payload.${s}v/memory.max"
	echo 40 >"/sys/fs/cgroup/lxc.payload.${s}v/pids.max"
fi
printf 'tok-%s\n' "$s" >"$W/token"
chmod 600 "$W/token"

# conf NAME URL
conf() {
	cat >"$W/$1.ini" <<EOC
[collector]
hostname = hv$s
include = ${s}*
metrics = cpu, memory, pids
[influxdb]
url = $2
api = v2
org = lx org
bucket = lxbucket
token_file = $W/token
timeout = 2s
[spool]
dir = $W/spool-$1
EOC
}
# shape: "measurement,tags field,keys" of each line, sorted
shape() {
	awk '{ n = split($2, f, ","); k = ""
		for (i = 1; i <= n; i++) { split(f[i], kv, "="); k = k (i > 1 ? "," : "") kv[1] }
		print $1, k }' "$1" | sort
}
# self: the lines of measurement lxcollectd left out (--stdout has no
# spool figures), and the field set of the rest
noself() { grep -v '^lxcollectd,' "$1"; }

# --- the request
mkdir -p "$W/fake"
python3 "$TOP/tests/lib/fakehttp.py" "$W/fake" --lifetime 60 2>"$W/fake/stderr" &
fpid=$!
t_defer "kill $fpid"
wait_until 5 test -s "$W/fake/port" || { not_ok "fakehttp starts"; t_done; exit 1; }
conf fake "http://127.0.0.1:$(cat "$W/fake/port")"
check "the configuration is valid" sh -c "'$LXCOLLECTD' -c '$W/fake.ini' -t >/dev/null"
d_start fake -c "$W/fake.ini" --once --interval 1
d_wait
eq "--once to fakehttp exits 0" "$D_RC" 0
tick=$(d_last_tick fake)
d_start stdout1 -c "$W/fake.ini" --once --interval 1 --stdout
d_wait
eq "--once --stdout exits 0" "$D_RC" 0
eq "one request" "$(ls "$W/fake" | grep -c '^req\..*\.body$')" 1
eq "request line" "$(head -n1 "$W/fake/req.1.head")" \
	"POST /api/v2/write?org=lx%20org&bucket=lxbucket&precision=ns HTTP/1.1"
check "Authorization: Token <token_file>" grep -qx "Authorization: Token tok-$s" "$W/fake/req.1.head"
check "Content-Encoding: gzip" grep -qix 'Content-Encoding: gzip' "$W/fake/req.1.head"
if gzip -dc <"$W/fake/req.1.body" >"$W/body.lp"; then ok "the body is gzip"; else not_ok "the body is gzip"; fi
eq "same measurements, tags and fields as --stdout (but lxcollectd)" \
	"$(noself "$W/body.lp" >"$W/b"; shape "$W/b")" "$(noself "$W/stdout1.out" >"$W/o"; shape "$W/o")"
eq "container points: cpu, memory, pids" "$(noself "$W/body.lp" | cut -d, -f1 | sort | tr '\n' ' ')" \
	"container_cpu container_memory container_pids "
eq "self measurement with the spool figures" "$(grep '^lxcollectd,' "$W/body.lp" | shape /dev/stdin)" \
	"lxcollectd,host=hv$s containers,points,cycle_us,spool_bytes,dropped_points,write_errors"
for f in "container_pids current" "container_pids limit" "container_memory limit_bytes"; do
	set -- $f
	eq "body $1 $2 = --stdout's" "$(field "$(cat "$W/body.lp")" "$1" "container=${s}v" "$2")" \
		"$(field "$(cat "$W/stdout1.out")" "$1" "container=${s}v" "$2")"
done
eq "every line ends with the tick ($tick)" "$(grep -cv " ${tick}000000000\$" "$W/body.lp")" 0
eq "--stdout: every line ends with its tick" \
	"$(grep -cv " $(d_last_tick stdout1)000000000\$" "$W/stdout1.out")" 0

# --- a real VictoriaMetrics
port=$(free_port)
victoria-metrics -storageDataPath "$W/vm" -httpListenAddr "127.0.0.1:$port" -loggerLevel ERROR \
	>"$W/vm.log" 2>&1 </dev/null &
vpid=$!
t_defer "kill -9 $vpid"
t_bound "$vpid" 60
VM="http://127.0.0.1:$port"
vm_up() { [ "$(curl -s "$VM/health")" = OK ]; }
wait_until 15 vm_up || { not_ok "victoria-metrics starts"; t_done; exit 1; }
conf vm "$VM"
d_start vm -c "$W/vm.ini" --once --interval 1
d_wait
eq "--once to VictoriaMetrics exits 0" "$D_RC" 0
vtick=$(d_last_tick vm)
d_start stdout2 -c "$W/vm.ini" --once --interval 1 --stdout
d_wait
export_q() {
	curl -s -G "$VM/api/v1/export" --data-urlencode "match[]={__name__=~\"container_.*\",container=\"${s}v\"}" >"$W/export.json"
}
has_series() { export_q; grep -q '"container_pids_current"' "$W/export.json"; }
wait_until 15 has_series || not_ok "VictoriaMetrics shows the series"
# vm SERIES: "value timestamp_ms" of SERIES in the export
vm() { jq -r "select(.metric.__name__ == \"$1\") | \"\\(.values[0]) \\(.timestamps[0])\"" "$W/export.json"; }
for f in "container_pids current" "container_pids limit" "container_memory limit_bytes"; do
	set -- $f
	want=$(field "$(cat "$W/stdout2.out")" "$1" "container=${s}v" "$2")
	eq "VictoriaMetrics $1_$2 = --stdout's value, at the tick" "$(vm "$1_$2")" "$want ${vtick}000"
done
eq "pids current: the init and two processes" "$(vm container_pids_current | cut -d' ' -f1)" 3
eq "labels host and container" \
	"$(jq -r 'select(.metric.__name__ == "container_pids_current") | .metric | "\(.host) \(.container)"' "$W/export.json")" \
	"hv$s ${s}v"
check "container_cpu_usage_ns stored" grep -q '"container_cpu_usage_ns"' "$W/export.json"
rows=$(curl -s "$VM/metrics" | sed -n 's/^vm_protoparser_rows_read_total{type="influx"} //p')
eq "VictoriaMetrics parsed every line of the batch" "$rows" "$(grep -c . "$W/stdout2.out")"
eq "no parse errors" "$(curl -s "$VM/metrics" | sed -n 's/^vm_rows_invalid_total{type="influx"} //p')" 0
d_dump fake stdout1 vm stdout2
t_done
