#!/bin/sh
# The netns helper is the daemon executed again, clean and confined:
# (a) with a unique InfluxDB password configured and a unique variable in
# the daemon's environment, neither is anywhere in the helper's memory
# (every readable mapping, read through /proc/PID/mem) nor in its
# environment, while both are in the collector's (the scan can find
# them); the helper runs under its own seccomp filter (Seccomp: 2).
# (b) the daemon built with the test library, whose collector sends the
# helper the test-only request its allow-list does not cover at the
# second socket it asks for: the helper dies of SIGSYS, the collector
# says so once, naming seccomp, and goes on collecting every container's
# cgroup figures without network figures.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup seccomp
s=sc$$
d_syn "${s}a" "${s}b"

secret="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
envsecret="env-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$secret" >"$W/password"
chmod 600 "$W/password"
cat >"$W/c.ini" <<EOC
[collector]
include = ${s}*
interfaces_exclude = none-such
[influxdb]
url = http://127.0.0.1:9
username = lxcollectd
password_file = $W/password
[spool]
dir = $W/spool
EOC

# (a) a running daemon and its helper
LXCOLLECTD_TEST_ENV_SECRET=$envsecret d_start a -c "$W/c.ini" --interval 1
check "the daemon runs its cycles" d_wait_cycles a 2
h=$(pgrep -P "$DPID" | head -n1)
check "the helper runs (pid $h)" [ -n "$h" ]
eq "helper: Seccomp: 2" "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$h/status")" 2
eq "collector: no seccomp filter of its own" \
	"$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$DPID/status")" 0
scan() { python3 "$TOP/tests/tools/memscan.py" "$@" | cut -d' ' -f1; }
eq "collector: the password is in its memory (the scan finds it)" \
	"$( [ "$(scan "$DPID" "$secret")" -ge 1 ] && echo found)" found
eq "helper: the password is not in its writable memory" "$(scan "$h" "$secret")" 0
eq "helper: the password is in none of its readable memory" "$(scan "$h" "$secret" all)" 0
eq "helper: the environment variable's value is not in its memory" "$(scan "$h" "$envsecret" all)" 0
check "collector: the variable is in its environment" \
	sh -c "tr '\\0' '\\n' </proc/$DPID/environ | grep -qx 'LXCOLLECTD_TEST_ENV_SECRET=$envsecret'"
eq "helper: empty environment" "$(wc -c <"/proc/$h/environ")" 0
eq "helper: fds 0-3 and its own netns, nothing else" "$(ls "/proc/$h/fd" | wc -l)" 5
check "helper: the password file is not open" sh -c "! ls -l /proc/$h/fd | grep -q password"
d_term
eq "daemon stops cleanly" "$D_RC" 0
check "its helper went with it" sh -c "! kill -0 $h 2>/dev/null"

# (b) the uncovered request at the second open: one container gets its
# socket in cycle 1, the other's request kills the helper
LXCOLLECTD=$TOP/$LXC_BUILD/tests/lxcollectd-test
[ -x "$LXCOLLECTD" ] || { not_ok "test daemon $LXCOLLECTD built (make tests)"; t_done; exit 1; }
LXCOLLECTD_TEST_UNCOVERED=2 d_start b -c "$W/c.ini" --stdout --count 4 --interval 1
d_wait
eq "test daemon: --count 4 exits 0" "$D_RC" 0
out=$W/b.out
ts() { grep "^$1," "$out" | awk '{ print $NF }' | sort -u | wc -l; }
eq "four cycles of cgroup figures" "$(ts container_cpu)" 4
eq "both containers in every cycle" "$(grep -c "^container_cpu,.*container=${s}[ab] " "$out")" 8
eq "network figures in the first cycle only" "$(ts container_net)" 1
eq "the helper's death reported once" "$(grep -c 'network namespace helper' "$W/b.log")" 1
check "the report names SIGSYS and seccomp" \
	grep -q 'killed by SIGSYS: it made a system call outside its seccomp filter' "$W/b.log"
check "and says network figures are off" grep -q 'network figures disabled' "$W/b.log"
eq "no other warning or error" \
	"$(grep -E ' (warning|error):' "$W/b.log" | grep -vc 'network namespace helper')" 0
d_dump a b
t_done
