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

"$LXCOLLECTD" top -b -n 1 -c "$tmp/missing.ini" >"$tmp/o" 2>"$tmp/e"
eq "top -c missing file: exit 78" "$?" 78
check "top -c missing file: names it" grep -q "$tmp/missing.ini" "$tmp/e"
printf '[collector]\nmetrix = cpu\n' >"$tmp/bad.ini"
"$LXCOLLECTD" top -b -n 1 -c "$tmp/bad.ini" >"$tmp/o" 2>"$tmp/e"
eq "top -c bad key: exit 78" "$?" 78
check "top -c bad key: FILE:SECTION.KEY" grep -q "$tmp/bad.ini:collector.metrix" "$tmp/e"
t_done
