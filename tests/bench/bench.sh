#!/bin/sh
# bench.sh N: what lxcollectd costs per container, beside the floor and
# collectd (`make bench N=1000`; README "Performance"). Root.
#
# Brings up N synthetic containers (fleet.sh), then BENCH_RUNS times (3):
#   - lxcollectd --stdout --interval 1 --count BENCH_CYCLES (32) to
#     /dev/null, in a memory cgroup of its own. Its CPU time (user + kernel,
#     /proc/PID/task/*/schedstat, ns) is sampled after each cycle's log
#     line. Steady state = CPU between the end of cycle 1 and the end of
#     cycle K-1, per cycle, per container: it includes the periodic full
#     rescan of the hierarchy (every 30 cycles) and the sleeping in
#     between. First cycle = the daemon's CPU up to the end of cycle 1 plus
#     its netns helper's (start-up, discovery, opening every file, entering
#     every namespace), per container. Peak RSS (VmHWM), open fds and the
#     kernel memory charged to its cgroup (memory.kmem.usage_in_bytes:
#     slab objects, seq_file buffers, sockets) after the last sample.
#   - benchfloor: the floor of the former design, the reference: bare
#     preads of the 16 cgroup files it held open per container (every
#     default metric but pressure) and one RTM_GETLINK dump per container,
#     nothing else (median of 10 cycles, CPU per container).
#   - lxcollectd top -b -d 1 -n BENCH_TOP_FRAMES (20) with the daemon's
#     configuration, its CPU time sampled after each frame: per container
#     per refresh between the end of frame 1 and the end of frame K-1.
#   - collectd 5.12 with its cgroups and interface plugins (collectd.conf)
#     at Interval 1: CPU (utime + stime) over 15 s after a 3 s warm-up, per
#     cycle per container.
# Prints medians of the runs. Everything is torn down at exit.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-1000}
RUNS=${BENCH_RUNS:-3}
CYCLES=${BENCH_CYCLES:-32}
TOP_FRAMES=${BENCH_TOP_FRAMES:-20}
: "${LXC_BUILD:=build/std}"
LXCOLLECTD=${LXCOLLECTD:-$TOP/$LXC_BUILD/lxcollectd}
FLOOR=${BENCH_FLOOR:-$TOP/$LXC_BUILD/tests/tools/benchfloor}
FLEET=$TOP/tests/bench/fleet.sh
. "$TOP/tests/bench/lib.sh"
export FLEET_PREFIX=${FLEET_PREFIX:-lxb}
P=$FLEET_PREFIX
MEMH=/sys/fs/cgroup/memory
[ -f "$MEMH/cgroup.procs" ] || MEMH=/sys/fs/cgroup
MEMCG=$MEMH/lxcollectd-bench-$$

[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root" >&2; exit 77; }
[ -x "$LXCOLLECTD" ] && [ -x "$FLOOR" ] || { echo "bench.sh: build first (make tests)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-bench.XXXXXX")
dpid="" cpid="" tpid=""
cleanup() {
	[ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
	[ -n "$tpid" ] && kill -9 "$tpid" 2>/dev/null
	[ -n "$cpid" ] && kill -9 "$cpid" 2>/dev/null
	sleep 0.2
	rmdir "$MEMCG" 2>/dev/null
	"$FLEET" down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# CPU of all threads of PID in µs (schedstat: ns on the CPU)
cpu_us() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s / 1000 }'
}

start=$(date +%s)
"$FLEET" up "$N" || exit 1
echo "# fleet of $N containers up in $(($(date +%s) - start)) s" >&2

# Every default metric, pressure included: at most 12 fds per container
# for the daemon. The floor holds the former design's 16 files and a
# socket per container (17); when the hard limit, which we may not raise
# without CAP_SYS_RESOURCE, cannot hold that, say so.
metrics="cpu, memory, pids, io, net, pressure, state"
note=""
need=$((N * 17 + 256))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $need ] &&
	! prlimit --nofile=$need:$need true 2>/dev/null; then
	note="RLIMIT_NOFILE hard limit $(ulimit -Hn) is below the $need fds the floor needs: it measures fewer containers"
	echo "# $note" >&2
fi
printf '[collector]\ninclude = %s-*\nmetrics = %s\n[log]\nlevel = info\n' "$P" "$metrics" >"$tmp/lxc.ini"

run_daemon() {
	mkdir "$MEMCG" || return 1
	: >"$tmp/err"
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$MEMCG" \
		"$LXCOLLECTD" -c "$tmp/lxc.ini" --stdout --interval 1 --count "$CYCLES" \
		>/dev/null 2>"$tmp/err" &
	dpid=$!
	k=0 first="" last="" hpid=""
	while kill -0 "$dpid" 2>/dev/null; do
		c=$(grep -c ' cycle [0-9T:-]*Z: ' "$tmp/err")
		if [ "$c" -gt "$k" ]; then
			k=$c
			now=$(cpu_us "$dpid")
			if [ "$k" = 1 ]; then
				hpid=$(pgrep -P "$dpid" | head -n1)
				first=$((now + $(cpu_us "$hpid")))
				base=$now
				cts=$(grep -m1 ' cycle [0-9T:-]*Z: ' "$tmp/err" | sed 's/.*Z: \([0-9]*\) containers\{0,1\}[ ,].*/\1/')
			fi
			if [ "$k" = $((CYCLES - 1)) ]; then
				last=$now
				rss=$(awk '/VmHWM/ { print $2 }' /proc/"$dpid"/status)
				fds=$(ls /proc/"$dpid"/fd | wc -l)
				kmem=$(cat "$MEMCG/memory.kmem.usage_in_bytes" 2>/dev/null ||
					awk '$1 == "kernel" { print $2 }' "$MEMCG/memory.stat")
			fi
		fi
		sleep 0.02
	done
	wait "$dpid"; rc=$?
	dpid=""
	sleep 0.2
	rmdir "$MEMCG" 2>/dev/null
	[ "$rc" = 0 ] && [ -n "$last" ] || { echo "bench.sh: daemon run failed (exit $rc)" >&2; tail -5 "$tmp/err" >&2; return 1; }
	[ "$cts" = "$N" ] || { echo "bench.sh: daemon found $cts containers, not $N" >&2; tail -5 "$tmp/err" >&2; return 1; }
	awk -v b="$base" -v l="$last" -v f="$first" -v n="$N" -v k="$CYCLES" -v rss="$rss" \
		-v fds="$fds" -v km="$kmem" 'BEGIN {
		printf "%.1f %.1f %.1f %d %.1f\n", (l - b) / (k - 2) / n, f / n, rss / 1024, fds, km / 1048576 }'
}

# lxcollectd top on the same fleet and configuration: CPU per container
# per refresh, and its peak RSS
run_top() {
	: >"$tmp/top"
	"$LXCOLLECTD" top -b -c "$tmp/lxc.ini" -d 1 -n "$TOP_FRAMES" >"$tmp/top" 2>"$tmp/top.err" &
	tpid=$!
	k=0 base="" last=""
	while kill -0 "$tpid" 2>/dev/null; do
		c=$(grep -c '^time=' "$tmp/top")
		if [ "$c" -gt "$k" ]; then
			k=$c
			now=$(cpu_us "$tpid")
			[ "$k" = 1 ] && base=$now
			if [ "$k" = $((TOP_FRAMES - 1)) ]; then
				last=$now
				rss=$(awk '/VmHWM/ { print $2 }' /proc/"$tpid"/status)
			fi
		fi
		sleep 0.02
	done
	wait "$tpid"; rc=$?
	tpid=""
	cts=$(grep -m1 '^time=' "$tmp/top" | sed 's/.* containers=\([0-9]*\).*/\1/')
	[ "$rc" = 0 ] && [ -n "$last" ] && [ "$cts" = "$N" ] ||
		{ echo "bench.sh: top run failed (exit $rc, $cts containers)" >&2; tail -5 "$tmp/top.err" >&2; return 1; }
	awk -v b="$base" -v l="$last" -v n="$N" -v k="$TOP_FRAMES" -v rss="$rss" 'BEGIN {
		printf "%.1f %.1f\n", (l - b) / (k - 2) / n, rss / 1024 }'
}

run_collectd() {
	command -v collectd >/dev/null || { echo "- - "; return 0; }
	mkdir -p "$tmp/cd"
	sed "s|@DIR@|$tmp/cd|g" "$TOP/tests/bench/collectd.conf" >"$tmp/cd/collectd.conf"
	collectd -f -C "$tmp/cd/collectd.conf" >"$tmp/cd/log" 2>&1 &
	cpid=$!
	sleep 3
	t0=$(awk '{ print $14 + $15 }' /proc/"$cpid"/stat)
	sleep 15
	t1=$(awk '{ print $14 + $15 }' /proc/"$cpid"/stat)
	rss=$(awk '/VmHWM/ { print $2 }' /proc/"$cpid"/status)
	kill -TERM "$cpid"; wait "$cpid"; cpid=""
	awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" -v n="$N" -v rss="$rss" \
		'BEGIN { printf "%.1f %.1f\n", (b - a) / hz * 1e6 / 15 / n, rss / 1024 }'
}

# Every container has every figure: one --once cycle, then per
# measurement (and pressure resource / interface) the set of field keys
# must be the same for all N containers.
check_figures() {
	"$LXCOLLECTD" -c "$tmp/lxc.ini" --once --stdout 2>/dev/null >"$tmp/once" || return 1
	awk -v n="$N" '
	$1 ~ /^container_/ {
		split($1, t, ","); m = t[1]; ct = ""; sub_ = ""
		for (i = 2; i in t; i++) {
			if (t[i] ~ /^container=/) ct = t[i]
			if (t[i] ~ /^(resource|interface)=/) sub_ = t[i]
		}
		nf = split($2, f, ","); keys = ""
		for (i = 1; i <= nf; i++) { sub(/=.*/, "", f[i]); keys = keys " " f[i] }
		k = m "," sub_ " " keys
		if (!((k, ct) in seen)) { seen[k, ct] = 1; cnt[k]++ }
		cts[ct] = 1; kinds[m "," sub_] = 1
	}
	END {
		bad = 0; nct = 0
		for (c in cts) nct++
		for (k in cnt) if (cnt[k] != n) { print "bench.sh: " cnt[k] " containers with " k > "/dev/stderr"; bad = 1 }
		nk = 0; for (k in kinds) nk++
		printf "# every figure: %d containers, %d kinds of point, each with the same fields in all\n", nct, nk > "/dev/stderr"
		exit (bad || nct != n)
	}' "$tmp/once"
}
check_figures || { echo "bench.sh: some container lacks a figure" >&2; exit 1; }

: >"$tmp/d" ; : >"$tmp/f"; : >"$tmp/n"; : >"$tmp/c"; : >"$tmp/t"
i=1
while [ $i -le "$RUNS" ]; do
	d=$(run_daemon) || exit 1
	f=$("$FLOOR" --cycles 10 --include "$P-*") || exit 1
	t=$(run_top) || exit 1
	c=$(run_collectd)
	echo "# run $i: daemon $d | $f | top $t | collectd $c" >&2
	echo "$d" >>"$tmp/d"; echo "$c" >>"$tmp/c"
	echo "$f" | grep '^floor ' >>"$tmp/f"; echo "$f" | grep '^now ' >>"$tmp/n"
	# top against the daemon of the same run
	echo "$t $(echo "$d" | awk '{ print $1 }')" | awk '{ print $1, $2, $1 / $3 }' >>"$tmp/t"
	i=$((i + 1))
done

col() { awk -v c="$2" '{ print $c }' "$1" | median; }
kv() { sed "s/.*$2=\([0-9.]*\).*/\1/" "$1" | median; }
steady=$(col "$tmp/d" 1) first=$(col "$tmp/d" 2) rss=$(col "$tmp/d" 3) fds=$(col "$tmp/d" 4)
kmem=$(col "$tmp/d" 5)
floor=$(kv "$tmp/f" us_per_ct) fcg=$(kv "$tmp/f" cgroup_us) fnl=$(kv "$tmp/f" netlink_us)
now=$(kv "$tmp/n" us_per_ct) ncg=$(kv "$tmp/n" cgroup_us) npsi=$(kv "$tmp/n" psi_us)
nst=$(kv "$tmp/n" stats_us) nfiles=$(sed 's/.*files=\([0-9]*\).*/\1/' "$tmp/n" | head -n1)
files=$(sed 's/.*files=\([0-9]*\).*/\1/' "$tmp/f" | head -n1)
cd_cpu=$(col "$tmp/c" 1) cd_rss=$(col "$tmp/c" 2)
top_cpu=$(col "$tmp/t" 1) top_rss=$(col "$tmp/t" 2) top_ratio=$(col "$tmp/t" 3)

echo "lxcollectd $(LC_ALL=C "$LXCOLLECTD" --version | awk '{ print $2 }'): make bench N=$N, medians of $RUNS runs"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "metrics: $metrics; the floor: $files cgroup files open for $N containers"
[ -n "$note" ] && echo "note: $note"
awk -v s="$steady" -v fl="$floor" -v fcg="$fcg" -v fnl="$fnl" -v fi="$first" -v rss="$rss" \
	-v fds="$fds" -v km="$kmem" -v n="$N" -v cd="$cd_cpu" -v cdr="$cd_rss" -v nw="$now" \
	-v ncg="$ncg" -v np="$npsi" -v nst="$nst" -v nf="$((nfiles / N))" \
	-v tc="$top_cpu" -v tr="$top_rss" -v tx="$top_ratio" 'BEGIN {
	printf "steady state, CPU per container per cycle:  %7.1f us\n", s
	printf "former floor (16 files + link dump, same run): %4.1f us  (cgroup files %.1f, link dump %.1f)\n", fl, fcg, fnl
	printf "ratio daemon / former floor:                %7.2f\n", s / fl
	printf "bare reads of today (same run):             %7.1f us  (%d files: cgroup %.1f, pressure %.1f; RTM_GETSTATS %.1f)\n", nw, nf, ncg, np, nst
	printf "first cycle per container:                  %7.1f us  (start-up, discovery, opening, namespace entry)\n", fi
	printf "peak RSS:                                   %7.1f MiB\n", rss
	printf "open fds:                                   %7d     (%.1f per container)\n", fds, fds / n
	printf "kernel memory held (cgroup kmem):           %7.1f MiB  (%.1f KiB per container)\n", km, km * 1024 / n
	printf "lxcollectd top -b, CPU per container per refresh: %.1f us  (%.2f x the daemon per cycle, same run; %.1f ms per refresh; RSS %.1f MiB)\n", tc, tx, tc * n / 1000, tr
	if (cd != "-") {
		printf "collectd 5.12 cgroups+interface, CPU/ct/cycle: %4.1f us  (%.2f x lxcollectd; RSS %.1f MiB)\n", cd, cd / s, cdr
	}
}'
