#!/bin/sh
# Runs the test programs and scripts and counts their TAP-like lines.
# Usage: tests/run.sh [unit|integration|NAME...]
# Each test prints "ok N - ..." / "not ok N - ..." lines; a test that cannot
# run on this machine exits 77 (skipped) -- except under CI=true, where a
# skip counts as a failure: CI must run everything.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
: "${LXC_BUILD:=build/std}"
LXCOLLECTD="$top/$LXC_BUILD/lxcollectd"
export LXC_BUILD LXCOLLECTD
export LXC_TOOLS="$top/$LXC_BUILD/tests/tools"
[ -x "$LXCOLLECTD" ] || { echo "run.sh: $LXCOLLECTD missing: run make tests" >&2; exit 1; }

sel=${*:-all}
# LXC_VM=0 (make check VM=0): "all" and "integration" leave out the guest
# test (tests/integration/vmcheck.sh); naming it still runs it
integ=$(ls tests/integration/*.sh 2>/dev/null)
[ "${LXC_VM:-1}" = 0 ] && integ=$(printf '%s\n' "$integ" | grep -v '/vmcheck\.sh$')
list=""
for s in $sel; do
	case $s in
	all) list="$list $(ls "$LXC_BUILD"/tests/*_test 2>/dev/null) $integ" ;;
	unit) list="$list $(ls "$LXC_BUILD"/tests/*_test 2>/dev/null)" ;;
	integration) list="$list $integ" ;;
	*) if [ -x "$LXC_BUILD/tests/$s" ]; then list="$list $LXC_BUILD/tests/$s";
	   elif [ -f "tests/integration/$s.sh" ]; then list="$list tests/integration/$s.sh";
	   else list="$list $s"; fi ;;
	esac
done

passed=0 failed=0 skipped=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-tests.XXXXXX")
for t in $list; do
	name=$(basename "$t")
	log="$logdir/$name.log"
	start=$(date +%s)
	case $t in
	*.sh) sh "$t" >"$log" 2>&1 ;;
	*) "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	secs=$(( $(date +%s) - start ))
	if [ "$rc" = 77 ]; then
		reason=$(grep -m1 '^# skip' "$log" || echo "# skip")
		if [ "${CI:-}" = true ]; then
			echo "FAIL $name: skipped under CI ($reason)"
			failed=$((failed + 1)); cat "$log"
		else
			echo "SKIP $name ($reason)"
			skipped=$((skipped + 1))
		fi
		continue
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $name: exit $rc without a failing check"
	fi
	if [ "$rc" != 0 ] || [ "$nok" != 0 ]; then
		echo "FAIL $name ($ok ok, $nok not ok, ${secs}s):"
		sed 's/^/    /' "$log" | tail -n 60
	else
		echo "PASS $name ($ok checks, ${secs}s)"
	fi
done
rm -rf "$logdir"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
