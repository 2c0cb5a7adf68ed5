# common.sh: TAP-like helpers for the integration tests (sourced).
# A test prints "ok N - ..." / "not ok N - ..."; tests/run.sh counts them.
# Cleanup actions registered with t_defer run at exit in reverse order.
T_N=0
T_FAILED=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${LXC_BUILD:=build/std}"
: "${LXCOLLECTD:=$TOP/$LXC_BUILD/lxcollectd}"
: "${LXC_TOOLS:=$TOP/$LXC_BUILD/tests/tools}"

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
check() { _d=$1; shift; if "$@"; then ok "$_d"; else not_ok "$_d"; fi; }
skip_all() { echo "# skip $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
need_cmd() { for _c; do command -v "$_c" >/dev/null 2>&1 || skip_all "needs $_c (make deps)"; done; }
diag() { echo "# $*"; }

# Registrations go to a file, so that helpers run in $(...) subshells can
# register cleanups too.
T_DEFER_FILE=$(mktemp "${TMPDIR:-/tmp}/lxcollectd-defer.XXXXXX")
t_defer() { printf '%s\n' "$*" >>"$T_DEFER_FILE"; }
t_run_deferred() {
	[ -f "$T_DEFER_FILE" ] || return 0
	# last registered first
	tac "$T_DEFER_FILE" | while IFS= read -r _cmd; do
		[ -n "$_cmd" ] && eval "$_cmd" >/dev/null 2>&1
	done
	rm -f "$T_DEFER_FILE"
}
trap 't_run_deferred' EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

t_done() {
	echo "# $T_N checks, $T_FAILED failed"
	[ "$T_FAILED" = 0 ] && [ "$T_N" -gt 0 ]
}

# eq DESCRIPTION GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1 ($2)"; else not_ok "$1 (got '$2', want '$3')"; fi
}
# near DESCRIPTION GOT WANT PERCENT: |GOT-WANT| <= PERCENT% of WANT
near() {
	if awk -v g="$2" -v w="$3" -v p="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= w * p / 100) }'; then
		ok "$1 ($2 vs $3, within $4%)"
	else
		not_ok "$1 ($2 vs $3, not within $4%)"
	fi
}

# field LINES MEASUREMENT TAGMATCH FIELD: value of FIELD (without the i
# suffix) in the first line of measurement MEASUREMENT whose tag set
# contains TAGMATCH (e.g. "container=web").
field() {
	printf '%s\n' "$1" | awk -v m="$2" -v t="$3" -v f="$4" '
	{
		# split "meas,tags fields ts" on unescaped spaces (names here are plain)
		n = split($0, part, " ")
		split(part[1], mt, ",")
		if (mt[1] != m) next
		if (index("," part[1] ",", "," t ",") == 0) next
		k = split(part[2], fs, ",")
		for (i = 1; i <= k; i++) {
			split(fs[i], kv, "=")
			if (kv[1] == f) { v = kv[2]; sub(/i$/, "", v); print v; exit }
		}
	}'
}

# t_bound PID SECONDS: SIGKILL PID if it still runs after SECONDS (a
# safety net for servers and daemons a test starts; the watcher ends by
# itself soon after PID does).
t_bound() {
	( timeout "$2" sh -c "while kill -0 $1 2>/dev/null; do sleep 0.5; done" || kill -9 "$1" ) \
		>/dev/null 2>&1 </dev/null &
}

# A free TCP port on loopback, starting from a number derived from $$.
free_port() {
	# below the kernel's ephemeral range (32768 and up by default), so no
	# outgoing connection can take the port between this check and the bind
	_p=$((20000 + $$ % 12000))
	while ss -Hatn "sport = :$_p" 2>/dev/null | grep -q .; do _p=$((_p + 1)); done
	echo "$_p"
}
