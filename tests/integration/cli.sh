#!/bin/sh
# The command line of lxcollectd(8) and README.md "Command line": exit
# codes, -t, usage errors. Needs no root: it runs against a fixture cgroup
# tree.
. "$(dirname "$0")/../lib/common.sh"

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
"$LXCOLLECTD" --version >"$tmp/v"; eq "--version exits 0" "$?" 0
check "--version names the program" grep -q '^lxcollectd [0-9]' "$tmp/v"
"$LXCOLLECTD" --help >"$tmp/h"; eq "--help exits 0" "$?" 0
check "--help shows --once" grep -q -- '--once' "$tmp/h"
"$LXCOLLECTD" --bogus 2>/dev/null; eq "unknown option exits 64" "$?" 64
"$LXCOLLECTD" --count 0 --stdout 2>/dev/null; eq "--count 0 exits 64" "$?" 64
"$LXCOLLECTD" --interval 1.5 --stdout 2>/dev/null; eq "--interval 1.5 exits 78, as in the file" "$?" 78
"$LXCOLLECTD" extra 2>/dev/null; eq "stray argument exits 64" "$?" 64

"$LXCOLLECTD" -c "$tmp/none.ini" -t 2>"$tmp/e"; eq "missing named file exits 78" "$?" 78
check "missing file is named" grep -q "none.ini" "$tmp/e"

printf '[collector]\ninterval = 10s\n[log]\nlevel = debug\n' >"$tmp/good.ini"
o=$("$LXCOLLECTD" -c "$tmp/good.ini" -t); eq "-t on a good file exits 0" "$?" 0
eq "-t says configuration OK" "$o" "configuration OK"

printf '[collector]\nintervall = 10s\nmetrics = cpu, disk\n[logs]\nlevel = info\n' >"$tmp/bad.ini"
"$LXCOLLECTD" -c "$tmp/bad.ini" -t 2>"$tmp/e"; eq "-t on a typo exits 78" "$?" 78
check "typo names file, section and key" grep -q "bad.ini:collector.intervall: " "$tmp/e"
check "bad metric named" grep -q "bad.ini:collector.metrics: " "$tmp/e"
check "unknown section named" grep -q "bad.ini:logs" "$tmp/e"
"$LXCOLLECTD" -c "$tmp/bad.ini" --once --stdout 2>/dev/null; eq "running with a typo exits 78" "$?" 78

# the example configuration shipped in etc/ is valid
"$LXCOLLECTD" -c "$TOP/etc/lxcollectd.ini" -t >/dev/null; eq "etc/lxcollectd.ini passes -t" "$?" 0

# a run over a fixture tree, without root: LXD-style v2 tree
fx=$TOP/tests/fixtures/cgroup/v2-lxd
if [ -d "$fx" ]; then
	mkdir -p "$tmp/lxd/proj_web" # LXD's entry of its project container
	printf '[collector]\ncgroup_root = %s\nproc_root = %s/proc\nhostname = h1\nmetrics = cpu, memory, pids, io, pressure\nlxd_path = %s/lxd\n' "$fx" "$fx" "$tmp" >"$tmp/fx.ini"
	out=$("$LXCOLLECTD" -c "$tmp/fx.ini" --once --stdout 2>"$tmp/e"); eq "fixture run exits 0" "$?" 0
	check "fixture run: a project container is tagged" sh -c "printf '%s\n' \"\$1\" | grep -q '^container_cpu,host=h1,container=[^ ,]*,project=[^ ,]* '" _ "$out"
	check "fixture run: every line ends in the same timestamp" sh -c "[ \$(printf '%s\n' \"\$1\" | awk '{print \$NF}' | sort -u | wc -l) = 1 ]" _ "$out"
else
	not_ok "fixture tree v2-lxd exists"
fi
t_done
