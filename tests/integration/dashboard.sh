#!/bin/sh
# The Grafana dashboard etc/grafana/lxcollectd.json against real data: two
# LXC containers on a bridge of our own (one busy under a CPU quota, pings
# of a known size between them), the real daemon writing for nine 1 s
# cycles into a private InfluxDB, then EVERY query of the dashboard (panels
# and variables, Grafana's macros substituted) run there, each answering
# numeric series in a plausible range; CPU, bits/s, memory and pids
# against what the test set up. Two more containers, both named ${p}w,
# in LXD projects ${p}a and ${p}b (synthetic cgroups lxc.payload.PROJECT_NAME
# with their entries in a [collector] lxd_path of our own, one holding
# 64 MiB): every panel and variable keeps them apart and the legend names
# the project. Container state: ${p}3 runs, then is stopped
# mid-window, ${p}4 exists but never ran: both STOPPED in every bucket from
# then on (the state panel has no gap), and in the container variable;
# uptime is the tick minus ${p}1's start; ${p}2 is pinned to one CPU
# (effective_cpus 1 beside its 0.5 CPU quota). Also schema = lxd2influx
# and the CPU query of an lxd2influx dashboard.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/syn.sh"
need_lxc
need_cmd ip jq curl influxd awk getconf
dash=$TOP/etc/grafana/lxcollectd.json
check "dashboard is valid JSON" sh -c "jq -e . '$dash' >/dev/null"
# every query of container figures filters on, groups by and names the
# project: two containers of the same name in two projects stay apart
eq "every container query filters on \$project, groups by project, shows it in the legend" \
	"$(jq -r '.panels[].targets[] | select(.query | test("FROM \"container_")) |
		select((.query | test("\"project\" =~ /\\^\\$project\\$/") | not)
		    or (.query | test("GROUP BY [^)]*\\), \"host\", \"project\", \"container\"") | not)
		    or (.alias | test("\\$tag_project") | not)) | .query' "$dash")" ""

p=gfd$$
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
lxct_bridges "${p}b"
noip6="lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1"
noip6d="lxc.sysctl.net.ipv6.conf.default.disable_ipv6 = 1"
for c in 1 2; do
	pin=""; [ $c = 2 ] && pin="lxc.cgroup.cpuset.cpus = 0"
	lxct_create "${p}$c" "$noip6" "$noip6d" \
		"lxc.net.0.type = veth" "lxc.net.0.link = ${p}b" "lxc.net.0.flags = up" \
		"lxc.net.0.name = eth0" "lxc.net.0.veth.pair = ${p}h$c" \
		"lxc.net.0.ipv4.address = 10.204.0.$((c + 1))/24" \
		"lxc.cgroup.memory.limit_in_bytes = 268435456" \
		"lxc.cgroup.cpu.cfs_quota_us = 50000" "lxc.cgroup.cpu.cfs_period_us = 100000" \
		"lxc.cgroup.pids.max = 100" ${pin:+"$pin"} || { not_ok "create ${p}$c"; t_done; exit 1; }
	b=$(date +%s)
	check "container ${p}$c started" lxct_start "${p}$c"
	# ${p}1's init started between t0 and t1
	if [ $c = 1 ]; then t0=$b; t1=$(date +%s); fi
done
# ${p}3 runs until it is stopped while the daemon runs; ${p}4 never runs
# (memory and pids limits: the panels show them)
for c in 3 4; do
	lxct_create "${p}$c" "lxc.cgroup.memory.limit_in_bytes = 268435456" "lxc.cgroup.pids.max = 100" ||
		{ not_ok "create ${p}$c"; t_done; exit 1; }
done
check "container ${p}3 started" lxct_start "${p}3"
# the same name in two projects: an idle one, and one holding 64 MiB
# (allocated once it is inside its cgroup, so that it is charged there)
# (limits as the LXC ones have: the panels show them)
for pr in a b; do
	syn_mkcg "lxc.payload.${p}${pr}_${p}w" || { not_ok "cgroup of ${p}${pr}/${p}w"; t_done; exit 1; }
	mkdir -p "$tmp/lxd/${p}${pr}_${p}w"
	for h in $(syn_hiers); do
		c=$h/lxc.payload.${p}${pr}_${p}w
		[ -f "$c/memory.limit_in_bytes" ] && echo 268435456 >"$c/memory.limit_in_bytes"
		[ -f "$c/memory.max" ] && echo 268435456 >"$c/memory.max"
		[ -f "$c/pids.max" ] && echo 100 >"$c/pids.max"
		[ -f "$c/cpu.cfs_quota_us" ] && echo 50000 >"$c/cpu.cfs_quota_us"
		[ -f "$c/cpu.max" ] && echo "50000 100000" >"$c/cpu.max"
	done
	# a cpuset of its own (cpuset is not among syn_hiers: no process needs
	# to be in it for its figure): ${p}a/${p}w on CPU 0, ${p}b/${p}w on all
	cs=/sys/fs/cgroup/cpuset
	if [ -d "$cs" ]; then
		mkdir "$cs/lxc.payload.${p}${pr}_${p}w" && t_defer "rmdir '$cs/lxc.payload.${p}${pr}_${p}w'"
		cat "$cs/cpuset.mems" >"$cs/lxc.payload.${p}${pr}_${p}w/cpuset.mems"
		if [ $pr = a ]; then echo 0; else cat "$cs/cpuset.cpus"; fi >"$cs/lxc.payload.${p}${pr}_${p}w/cpuset.cpus"
	fi
done
sh -c 'sleep 0.5; exec python3 -c "import time; x = b\"m\" * (64 << 20); time.sleep(600)"' &
big=$!
t_defer "kill -9 $big"
syn_move "$big" "lxc.payload.${p}a_${p}w" || not_ok "a process in ${p}a/${p}w"
syn_proc "lxc.payload.${p}b_${p}w" >/dev/null || not_ok "a process in ${p}b/${p}w"
memcg=$(for h in $(syn_hiers); do [ -f "$h/lxc.payload.${p}a_${p}w/memory.usage_in_bytes" ] && echo "$h" && break
	[ -f "$h/lxc.payload.${p}a_${p}w/memory.current" ] && echo "$h" && break; done)
charged() { [ "$(cat "$memcg/lxc.payload.${p}a_${p}w/memory.usage_in_bytes" "$memcg/lxc.payload.${p}a_${p}w/memory.current" 2>/dev/null | head -n1)" -ge $((64 << 20)) ]; }
i=0; while ! charged && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "${p}a/${p}w holds 64 MiB" charged

# ARP settles before anything is measured
lxc-attach -n "${p}1" -- ping -c 1 -W 2 10.204.0.3 >/dev/null 2>&1

influxd_start || { not_ok "influxd"; t_done; exit 1; }
influx_createdb lxd
influx_createdb lxd2

# a busy loop in ${p}1 (its quota: half a CPU)
lxc-attach -n "${p}1" -- sh -c 'while :; do :; done' >/dev/null 2>&1 &
busy=$!
t_defer "kill -9 $busy"
for db in lxd:default lxd2:lxd2influx; do
	printf '[collector]\ninclude = %s*\nschema = %s\nlxd_path = %s\n[influxdb]\nurl = %s\ndatabase = %s\ngzip = false\n[spool]\ndir = %s\n' \
		"$p" "${db#*:}" "$tmp/lxd" "$INFLUX_URL" "${db%%:*}" "$tmp/spool.${db%%:*}" >"$tmp/${db%%:*}.ini"
done
"$LXCOLLECTD" -c "$tmp/lxd.ini" --count 9 --interval 1 2>"$tmp/err" &
d1=$!
"$LXCOLLECTD" -c "$tmp/lxd2.ini" --count 9 --interval 1 2>"$tmp/err2" &
d2=$!
i=0; while ! grep -q 'cycle' "$tmp/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
# ${p}3 stops a couple of cycles in, while the pings run
(sleep 2; lxc-stop -k -n "${p}3") >/dev/null 2>&1 &
stopper=$!
# 25 pings of 1000 bytes, 5 a second: 1042 bytes on the wire each way
# (14 ethernet + 20 IP + 8 ICMP + 1000), all inside the daemon's window
lxc-attach -n "${p}1" -- ping -q -c 25 -i 0.2 -s 1000 10.204.0.3 >/dev/null 2>&1
wait $d1; eq "daemon (default schema) exits 0" "$?" 0
wait $d2; eq "daemon (lxd2influx) exits 0" "$?" 0
wait $stopper; eq "lxc-stop ${p}3" "$?" 0
kill -9 $busy 2>/dev/null
sent_bits=$((25 * 1042 * 8))

host=$(hostname)
# Grafana's macros: the last 5 minutes in 1 s buckets, anchored regexes of
# the real tag values for $host and $container
subst() {
	sed -e 's/\$timeFilter/time > now() - 5m/g' -e 's/\$__interval_ms/1000/g' \
		-e 's/\$__interval/1s/g' -e "s/\\\$host/($host)/g" -e "s/\\\$project/${PROJECT:-.*}/g" \
		-e "s/\\\$container/(${p}1|${p}2|${p}3|${p}4|${p}w)/g"
}

# rows Q: every data row as "SERIES-TAGS<TAB>COLUMN<TAB>VALUE", SERIES-TAGS
# like container=X,interface=Y; null values as "null"
rows() {
	influx_q lxd "$1" | jq -r '.results[0].series[]? | . as $s
		| ($s.tags // {} | to_entries | map("\(.key)=\(.value)") | join(",")) as $t
		| $s.values[] as $v | range(1; $v | length) as $i
		| "\($t)\t\($s.columns[$i])\t\($v[$i] // "null")"'
}

# 1. the template variables
n=0
jq -r '.templating.list[] | [.name, .query] | @tsv' "$dash" >"$tmp/vars"
while IFS="$(printf '\t')" read -r name q; do
	q=$(printf '%s' "$q" | subst)
	# the values of every series answered, once each (as Grafana lists them)
	vals=$(influx_q lxd "$q" | jq -r '[.results[0].series[]?.values[][1]] | unique | join(" ")')
	case $name in
	host) eq "variable host: $q" "$vals" "$host" ;;
	project) eq "variable project: $q" "$vals" "${p}a ${p}b" ;;
	container)
		# "All" projects (the variable's allValue) keeps containers
		# without a project, and those that never ran (${p}4); one
		# project, only its containers
		eq "variable container: $q" "$vals" "${p}1 ${p}2 ${p}3 ${p}4 ${p}w"
		q=$(printf '%s' "$q" | sed "s/\.\*/${p}a/")
		vals=$(influx_q lxd "$q" | jq -r '[.results[0].series[]?.values[][1]] | unique | join(" ")')
		eq "variable container, project ${p}a: $q" "$vals" "${p}w" ;;
	*) not_ok "unknown variable $name" ;;
	esac
	n=$((n + 1))
done <"$tmp/vars"
eq "three template variables" "$n" 3
eq "project: All matches what has no project tag" "$(jq -r '.templating.list[] | select(.name == "project") | .allValue' "$dash")" ".*"

# 2. every panel query: an answer without error, numeric series (the
# state panel: state names), each plausible for its panel
jq -r '.panels[] | .title as $t | .targets[] | [$t, .refId, (.rawQuery | tostring), .query] | @tsv' "$dash" >"$tmp/queries"
eq "every target is a raw query" "$(cut -f3 "$tmp/queries" | sort -u)" true
cores=$(nproc)
nq=0
while IFS="$(printf '\t')" read -r title ref raw q; do
	nq=$((nq + 1))
	q=$(printf '%s' "$q" | subst)
	ans=$(influx_q lxd "$q")
	err=$(printf '%s' "$ans" | jq -r '.error // .results[0].error // empty')
	if [ -n "$err" ]; then not_ok "$title/$ref: error $err ($q)"; continue; fi
	rows "$q" >"$tmp/rows"
	cnt=$(wc -l <"$tmp/rows")
	case $q in
	*'last("state")'*)
		what="state names"
		bad=$(awk -F'\t' '$3 !~ /^(RUNNING|STOPPED|FROZEN)$/' "$tmp/rows" | wc -l) ;;
	*)
		what="numeric values >= 0"
		bad=$(awk -F'\t' '$3 == "null" || $3 !~ /^-?[0-9.e+-]+$/ || $3 < 0' "$tmp/rows" | wc -l) ;;
	esac
	if [ "$cnt" -gt 0 ] && [ "$bad" = 0 ]; then
		ok "$title/$ref: $cnt $what in $(influx_q lxd "$q" | jq '.results[0].series | length') series"
	else
		not_ok "$title/$ref: $cnt values, $bad not $what ($q)"
		continue
	fi
	# max VALUE of the rows with every tag of TAGS (k=v,k=v) and COLUMN
	mx() {
		awk -F'\t' -v t="$1" -v c="$2" '
		BEGIN { n = split(t, want, ",") }
		$2 == c {
			for (i = 1; i <= n; i++) if (!index("," $1 ",", "," want[i] ",")) next
			if (m == "" || $3 > m) m = $3
		}
		END { print m }' "$tmp/rows"
	}
	# every VALUE of the rows with every tag of TAGS and COLUMN, in time order
	col() {
		awk -F'\t' -v t="$1" -v c="$2" '
		BEGIN { n = split(t, want, ",") }
		$2 == c {
			for (i = 1; i <= n; i++) if (!index("," $1 ",", "," want[i] ",")) next
			print $3
		}' "$tmp/rows"
	}
	# the series answered, as the legend names them: project/container
	legends() {
		influx_q lxd "$q" | jq -r '[.results[0].series[].tags | "\(.project)/\(.container)"] | sort | join(" ")'
	}
	# the two ${p}w stay two series, one per project, wherever they appear
	# (they have no init: nothing from the netns helper, no net, no fs,
	# no start time)
	case $q in *'FROM "container_net"'*|*'FROM "container_fs"'*|*'"uptime_s"'*) ;; *'FROM "container_'*)
		eq "$title/$ref: ${p}w once per project" \
			"$(influx_q lxd "$q" | jq -r --arg c "${p}w" '[.results[0].series[] | select(.tags.container == $c) | .tags.project] | unique | join(" ")')" \
			"${p}a ${p}b" ;;
	esac
	# the sum of rate x bucket length: the counter's increase over the window
	case "$title/$ref" in
	CPU/A)
		v=$(mx "container=${p}1" cpu)
		check "CPU: ${p}1 busy under a 0.5 CPU quota: max $v % in 35..60" \
			awk -v v="$v" 'BEGIN { exit !(v >= 35 && v <= 60) }'
		v=$(mx "container=${p}2" cpu)
		check "CPU: ${p}2 idle: max $v % < 10" awk -v v="$v" 'BEGIN { exit !(v < 10) }'
		v=$(awk -F'\t' '{ if ($3 > m) m = $3 } END { print m + 0 }' "$tmp/rows")
		check "CPU: nothing above 100 x $cores cores ($v)" awk -v v="$v" -v c="$cores" 'BEGIN { exit !(v <= 100 * c) }' ;;
	"CPU user / system/A")
		v=$(mx "container=${p}1" user)
		check "CPU user: ${p}1 max $v % > 25" awk -v v="$v" 'BEGIN { exit !(v > 25) }' ;;
	"CPU throttling/A")
		v=$(mx "container=${p}1" throttled)
		check "CPU throttling: ${p}1 throttled in $v % of periods (> 20, <= 100)" \
			awk -v v="$v" 'BEGIN { exit !(v > 20 && v <= 100) }' ;;
	"CPU throttled time/A")
		v=$(mx "container=${p}1" throttled)
		check "CPU throttled time: ${p}1 $v s/s in 0.2..1" awk -v v="$v" 'BEGIN { exit !(v >= 0.2 && v <= 1) }' ;;
	Memory/A)
		for c in 1 2; do
			eq "Memory: ${p}$c limit" "$(mx "container=${p}$c" limit)" 268435456
			u=$(mx "container=${p}$c" usage); w=$(mx "container=${p}$c" working_set)
			check "Memory: ${p}$c 0 < working set $w <= usage $u < limit" \
				awk -v u="$u" -v w="$w" 'BEGIN { exit !(w > 0 && w <= u && u < 268435456) }'
		done
		u=$(mx "project=${p}a,container=${p}w" usage)
		check "Memory: ${p}a/${p}w usage $u >= 64 MiB" [ "${u%.*}" -ge $((64 << 20)) ]
		u=$(mx "project=${p}b,container=${p}w" usage)
		check "Memory: ${p}b/${p}w usage $u < 16 MiB" [ "${u%.*}" -lt $((16 << 20)) ]
		u=$(PROJECT=${p}b; export PROJECT; influx_q lxd "$(jq -r '.panels[] | select(.title == "Memory") | .targets[0].query' "$dash" | subst)" |
			jq -r '[.results[0].series[].tags | "\(.project)/\(.container)"] | join(" ")')
		eq "Memory, project ${p}b selected: only its container" "$u" "${p}b/${p}w" ;;
	"OOM kills/A")
		eq "OOM kills: none" "$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$tmp/rows")" 0 ;;
	Processes/A)
		eq "Processes: ${p}1 limit" "$(mx "container=${p}1" limit)" 100
		v=$(mx "container=${p}1" current)
		check "Processes: ${p}1 current $v in 2..10 (init, the busy loop, ping)" \
			awk -v v="$v" 'BEGIN { exit !(v >= 2 && v <= 10) }' ;;
	Network/A)
		eq "Network: one series per container and interface" \
			"$(influx_q lxd "$q" | jq -r '[.results[0].series[].tags | "\(.container)/\(.interface)"] | sort | join(" ")')" \
			"${p}1/eth0 ${p}2/eth0"
		for k in "${p}1 tx" "${p}1 rx" "${p}2 rx" "${p}2 tx"; do
			set -- $k
			# sum of rate x bucket length = bits over the window (the
			# first rate covers the 1 s bucket before it)
			tot=$(influx_q lxd "$q" | jq -r --arg c "$1" --arg col "$2" '
				.results[0].series[] | select(.tags.container == $c) | . as $s
				| ($s.columns | index($col)) as $i
				| [range(0; $s.values | length) as $k
				   | $s.values[$k][$i] * (if $k == 0 then 1 else ($s.values[$k][0] - $s.values[$k - 1][0]) / 1e9 end)]
				| add')
			near "Network: $1 $2 bits over the window, from bits/s" "$tot" "$sent_bits" 2
			v=$(mx "container=$1,interface=eth0" "$2")
			check "Network: $1 $2 peak $v bit/s near 5 x 1042 x 8 = 41680 (25..200 %)" \
				awk -v v="$v" 'BEGIN { exit !(v >= 41680 / 4 && v <= 41680 * 2) }'
		done ;;
	"Network packets/A")
		v=$(mx "container=${p}1,interface=eth0" tx)
		check "Network packets: ${p}1 tx peak $v pkt/s in 2..10" awk -v v="$v" 'BEGIN { exit !(v >= 2 && v <= 10) }' ;;
	"Pressure (PSI, avg10)/A")
		v=$(awk -F'\t' '{ if ($3 > m) m = $3 } END { print m + 0 }' "$tmp/rows")
		check "Pressure: every avg10 <= 100 ($v)" awk -v v="$v" 'BEGIN { exit !(v <= 100) }'
		eq "Pressure: cpu, io, memory for both containers" \
			"$(cut -f1 "$tmp/rows" | sed 's/.*resource=//' | sort -u | tr '\n' ' ')" "cpu io memory " ;;
	"lxcollectd: containers and points/A")
		# running ones: ${p}1, ${p}2, ${p}3 until stopped, two ${p}w
		eq "lxcollectd: containers" "$(mx "host=$host" containers)" 5 ;;
	"CPUs: limit and effective/A")
		for c in "container=${p}1" "container=${p}2" "project=${p}a,container=${p}w"; do
			eq "CPUs: $c limit (its quota)" "$(col "$c" limit | sort -u)" 0.5
		done ;;
	"CPUs: limit and effective/B")
		online=$(getconf _NPROCESSORS_ONLN)
		for c in "container=${p}1 $online" "container=${p}2 1" "project=${p}a,container=${p}w 1" \
			"project=${p}b,container=${p}w $online"; do
			set -- $c
			eq "CPUs: $1 effective (its cpuset)" "$(col "$1" effective | sort -u)" "$2"
		done ;;
	"Container state/A")
		eq "Container state: a row per container, stopped ones included" "$(legends)" \
			"/${p}1 /${p}2 /${p}3 /${p}4 ${p}a/${p}w ${p}b/${p}w"
		n1=$(col "container=${p}1" state | wc -l)
		check "Container state: ${p}1 in $n1 buckets (>= 6)" [ "$n1" -ge 6 ]
		for c in "container=${p}1" "container=${p}2" "project=${p}a,container=${p}w" "project=${p}b,container=${p}w"; do
			eq "Container state: $c RUNNING throughout" "$(col "$c" state | sort -u)" RUNNING
		done
		eq "Container state: ${p}4 (never started) STOPPED throughout" "$(col "container=${p}4" state | sort -u)" STOPPED
		eq "Container state: ${p}4 in every bucket ${p}1 is" "$(col "container=${p}4" state | wc -l)" "$n1"
		eq "Container state: ${p}3 RUNNING, then STOPPED" "$(col "container=${p}3" state | uniq | tr '\n' ' ')" "RUNNING STOPPED "
		eq "Container state: ${p}3 in every bucket ${p}1 is (no gap at the stop)" "$(col "container=${p}3" state | wc -l)" "$n1"
		u=$(PROJECT=${p}b; export PROJECT; influx_q lxd "$(jq -r '.panels[] | select(.title == "Container state") | .targets[0].query' "$dash" | subst)" |
			jq -r '[.results[0].series[].tags | "\(.project)/\(.container)"] | join(" ")')
		eq "Container state, project ${p}b selected: only its container" "$u" "${p}b/${p}w" ;;
	Uptime/A)
		# ${p}4 never ran, the two ${p}w have no init
		eq "Uptime: the containers with an init that ran" "$(legends)" "/${p}1 /${p}2 /${p}3"
		# bucket time - uptime_s is when ${p}1 started, in every bucket
		s=$(influx_q lxd "$q" | jq -r --arg c "${p}1" '[.results[0].series[] | select(.tags.container == $c)
			| .values[] | (.[0] / 1e9 | round) - .[1]] | unique | join(" ")')
		check "Uptime: ${p}1 started at $s in every bucket, within its start $t0..$t1" \
			[ -n "$s" ] && [ "$s" -ge $((t0 - 1)) ] && [ "$s" -le $((t1 + 1)) ]
		n1=$(col "container=${p}1" uptime | wc -l); n3=$(col "container=${p}3" uptime | wc -l)
		check "Uptime: ${p}3 only until it stopped ($n3 of $n1 buckets)" [ "$n3" -ge 1 ] && [ "$n3" -lt "$n1" ] ;;
	"lxcollectd: cycle time/A")
		v=$(mx "host=$host" cycle_us)
		check "lxcollectd: cycle time $v us in 1..1000000" awk -v v="$v" 'BEGIN { exit !(v >= 1 && v < 1000000) }' ;;
	"lxcollectd: spool and errors/B")
		eq "lxcollectd: nothing dropped, no write errors" "$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$tmp/rows")" 0 ;;
	esac
done <"$tmp/queries"
check "ran every panel query ($nq)" [ "$nq" -ge 23 ]
check "at least six cycles stored" \
	[ "$(influx_q lxd 'SELECT count("containers") FROM "lxcollectd"' | jq '.results[0].series[0].values[0][1]')" -ge 6 ]

# 3. schema = lxd2influx and an lxd2influx dashboard's CPU query
q='SELECT non_negative_derivative(last("cpuacct.stat.user"), 1s) FROM "cpu" WHERE $timeFilter GROUP BY time($__interval), "host", "container"'
q=$(printf '%s' "$q" | subst)
v=$(influx_q lxd2 "$q" | jq -r --arg c "${p}1" '[.results[0].series[]? | select(.tags.container == $c) | .values[][1] | select(. != null)] | max // empty')
# USER_HZ is 100: half a CPU is about 50 ticks a second
check "lxd2influx: ${p}1 user CPU max $v ticks/s in 20..60" awk -v v="$v" 'BEGIN { exit !(v != "" && v >= 20 && v <= 60) }'
check "lxd2influx: network measurement written" \
	[ "$(influx_q lxd2 'SHOW MEASUREMENTS' | jq -r '[.results[0].series[0].values[][0]] | sort | join(" ")')" = "cpu lxcollectd memory network" ]
[ "$T_FAILED" = 0 ] || sed 's/^/# daemon: /' "$tmp/err" | tail -10
t_done
