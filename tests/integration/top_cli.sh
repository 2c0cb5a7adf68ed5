#!/bin/sh
# lxcollectd top's command line: usage errors exit 64 naming the problem,
# a bad configuration 78, -h 0; none of them reads a container (no root,
# no lock needed: each fails before the collector starts).
. "$(dirname "$0")/../lib/common.sh"
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"

"$LXCOLLECTD" top -h >"$tmp/h"; eq "top -h exits 0" "$?" 0
for o in -b -d -n -s -c CPU RX TX PSIIO; do
	check "top -h names $o" grep -q -- "$o" "$tmp/h"
done
"$LXCOLLECTD" --help | grep -q '^ *lxcollectd top '
eq "lxcollectd --help names the top command" "$?" 0

# usage ARGS... -- EXPECTED-TEXT: exit 64 and the text on stderr
usage() {
	_want=$1; shift
	"$LXCOLLECTD" top "$@" >"$tmp/o" 2>"$tmp/e"
	_rc=$?
	eq "top $*: exit 64" "$_rc" 64
	check "top $*: says '$_want'" grep -q -- "$_want" "$tmp/e"
	eq "top $*: nothing on stdout" "$(wc -c <"$tmp/o")" 0
}
usage "no column 'nope'" -s nope
usage "-d needs seconds" -d 0
usage "-d needs seconds" -d 0.05
usage "-d needs seconds" -d 1x
usage "-d needs seconds" -d 86401
usage "-d needs seconds" -d -1
usage "-n needs a whole number" -n 0
usage "-n needs a whole number" -n 2.5
usage "-n needs a whole number" -n 4294967296
usage "unexpected argument 'extra'" extra
usage "invalid option" -x
usage "^lxcollectd top: option requires an argument -- 'd'$" -d

# the daemon's command line and top's report a usage error alike (one
# helper): the command's name first, getopt's words, the usage text after
# a malformed command line but not after a refused value, exit 64
same() { # WHAT DAEMON-ARGS -- TOP-ARGS
	_w=$1; _d=$2; _t=$3
	"$LXCOLLECTD" $_d >/dev/null 2>"$tmp/de"; _dr=$?
	"$LXCOLLECTD" top $_t >/dev/null 2>"$tmp/te"; _tr=$?
	eq "$_w: the same exit code ($_d / top $_t)" "$_dr $_tr" "64 64"
	eq "$_w: the same words" "$(head -n 1 "$tmp/de" | sed 's/^lxcollectd: //')" \
		"$(head -n 1 "$tmp/te" | sed 's/^lxcollectd top: //')"
	eq "$_w: as many lines (usage text or none)" "$(grep -c '^usage: ' "$tmp/de")" "$(grep -c '^usage: ' "$tmp/te")"
}
same "unknown option" "-x" "-x"
same "missing value" "-c" "-c"
same "stray argument" "extra" "extra"
"$LXCOLLECTD" --count 0 >/dev/null 2>"$tmp/de"; _dr=$?
"$LXCOLLECTD" top -n 0 >/dev/null 2>"$tmp/te"; _tr=$?
eq "a refused count: exit 64 from both" "$_dr $_tr" "64 64"
eq "a refused count: the daemon's one line" "$(cat "$tmp/de")" "lxcollectd: --count needs a whole number >= 1, not '0'"
eq "a refused count: top's one line" "$(cat "$tmp/te")" "lxcollectd top: -n needs a whole number >= 1, not '0'"

"$LXCOLLECTD" top -b -n 1 -c "$tmp/missing.ini" >"$tmp/o" 2>"$tmp/e"
eq "top -c missing file: exit 78" "$?" 78
check "top -c missing file: names it" grep -q "$tmp/missing.ini" "$tmp/e"
printf '[collector]\nmetrix = cpu\n' >"$tmp/bad.ini"
"$LXCOLLECTD" top -b -n 1 -c "$tmp/bad.ini" >"$tmp/o" 2>"$tmp/e"
eq "top -c bad key: exit 78" "$?" 78
check "top -c bad key: FILE:SECTION.KEY" grep -q "$tmp/bad.ini:collector.metrix" "$tmp/e"
t_done
