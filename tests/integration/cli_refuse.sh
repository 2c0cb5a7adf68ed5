#!/bin/sh
# -t refuses everything start-up refuses, with the same message, and both
# exit 78 (EX_CONFIG, which the unit's RestartPreventExitStatus= does not
# restart): a URL with a query string or a port out of range, a cgroup_root
# that is missing or holds no cgroup hierarchy, a missing proc_root, a
# spool directory that cannot be made. Needs no root: the good parts point
# at a fixture tree, and every start here stops before collecting.
. "$(dirname "$0")/../lib/common.sh"

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
fx=$TOP/tests/fixtures/cgroup/v2-lxd
mkdir "$tmp/empty"
good="cgroup_root = $fx\nproc_root = $fx/proc"

# refused NAME EXPECTED-MESSAGE INI: -t and a start (--once: the real
# output, with its spool) both exit 78 with the same one-line message
refused() {
	printf "$3" >"$tmp/$1.ini"
	"$LXCOLLECTD" -c "$tmp/$1.ini" -t >"$tmp/$1.tout" 2>"$tmp/$1.t"
	eq "$1: -t exits 78" "$?" 78
	check "$1: -t does not say OK" sh -c "! grep -q 'configuration OK' '$tmp/$1.tout'"
	timeout 20 "$LXCOLLECTD" -c "$tmp/$1.ini" --once >/dev/null 2>"$tmp/$1.run"
	eq "$1: start-up exits 78" "$?" 78
	eq "$1: -t says: $2" "$(cat "$tmp/$1.t")" "$tmp/$1.ini:$2"
	eq "$1: start-up says the same" "$(cat "$tmp/$1.run")" "$(cat "$tmp/$1.t")"
}

refused query "influxdb.url: must not hold a query string or fragment (?, #): the database goes in database and retention_policy (api = v1), or org and bucket (api = v2)" \
	"[collector]\n$good\n[influxdb]\nurl = http://127.0.0.1:8086/?db=lxd\n"
refused port "influxdb.url: port \"99999\" is not a port number (1 to 65535)" \
	"[collector]\n$good\n[influxdb]\nurl = http://127.0.0.1:99999\n"
refused port0 "influxdb.url: port \"0\" is not a port number (1 to 65535)" \
	"[collector]\n$good\n[influxdb]\nurl = http://user@[::1]:0/influx\n"
refused cgroot "collector.cgroup_root: cannot open the directory /nonexistent: No such file or directory" \
	"[collector]\ncgroup_root = /nonexistent\nproc_root = $fx/proc\n"
refused cgempty "collector.cgroup_root: no cgroup hierarchy found under $tmp/empty (none mounted there): neither a cgroup2 mount nor v1 controller directories (the usual place is /sys/fs/cgroup)" \
	"[collector]\ncgroup_root = $tmp/empty\nproc_root = $fx/proc\n"
refused proc "collector.proc_root: cannot open the directory /nonexistent: No such file or directory" \
	"[collector]\ncgroup_root = $fx\nproc_root = /nonexistent\n"
refused spool "spool.dir: cannot create /proc/nospool: No such file or directory" \
	"[collector]\n$good\n[spool]\ndir = /proc/nospool\n"

# what is fine stays fine, and -t leaves no trace of its spool probe
printf "[collector]\n$good\n[influxdb]\nurl = http://u@[::1]:8086/x/\n[spool]\ndir = $tmp/new/spool\n" >"$tmp/ok.ini"
eq "a good file with a spool still to be made: configuration OK" \
	"$("$LXCOLLECTD" -c "$tmp/ok.ini" -t 2>&1)" "configuration OK"
check "-t removed the directories its probe made" [ ! -e "$tmp/new" ]

# the unit does not restart on 78
check "the unit does not restart on 78" grep -q '^RestartPreventExitStatus=.*\b78\b' "$TOP/etc/lxcollectd.service"
t_done
