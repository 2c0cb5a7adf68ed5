#!/bin/sh
# The daemon under the system call filter of its own systemd unit
# (etc/lxcollectd.service: every SystemCallFilter= line, the groups
# expanded by systemd-analyze, SystemCallErrorNumber=EPERM), emulated with
# tests/tools/unitfilter: the netns helper must still start and install
# its own seccomp filter (it needs seccomp(2), which @system-service
# lacks), and a synthetic container's network figures must come. Then the
# same filter without the unit's extra names: the helper cannot start,
# the daemon says why and still collects the cgroup figures.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/daemon.sh"
d_setup unit_filter systemd-analyze
s=uf$$
d_syn "${s}a"
printf '[collector]\ninclude = %s*\ninterfaces_exclude = none-such\n' "$s" >"$W/c.ini"

# expand NAME...: system call names, groups (@...) expanded recursively
expand() {
	for _x; do
		case $_x in
		@*) expand $(systemd-analyze syscall-filter "$_x" 2>/dev/null |
			sed -n '2,$p' | grep -v '^ *#' | awk 'NF { print $1 }') ;;
		*) echo "$_x" ;;
		esac
	done
}
: >"$W/allow"; : >"$W/deny"
grep '^SystemCallFilter=' "$TOP/etc/lxcollectd.service" | cut -d= -f2- >"$W/lines"
while read -r line; do
	case $line in
	"~"*) expand ${line#"~"} >>"$W/deny" ;;
	*) expand $line >>"$W/allow" ;;
	esac
done <"$W/lines"
eq "the unit's error number is EPERM" \
	"$(sed -n 's/^SystemCallErrorNumber=//p' "$TOP/etc/lxcollectd.service")" EPERM
check "the unit allows seccomp for the helper" grep -qx seccomp "$W/allow"
check "a few hundred calls allowed ($(sort -u "$W/allow" | wc -l))" \
	[ "$(sort -u "$W/allow" | wc -l)" -gt 200 ]

# LeakSanitizer (SANITIZE=1) stops the world through ptrace, which no
# service filter allows: leaks are checked by the other tests
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
run() {
	"$LXC_TOOLS/unitfilter" "$1" "$W/deny" "$LXCOLLECTD" -c "$W/c.ini" --count 2 --interval 1 \
		--stdout >"$W/$2.out" 2>"$W/$2.log"
}
run "$W/allow" unit
eq "under the unit's filter: exit 0" "$?" 0
eq "network figures of both cycles" "$(grep -c "^container_net,.*container=${s}a,interface=lo " "$W/unit.out")" 2
eq "no warning, no error" "$(grep -cE ' (warning|error):' "$W/unit.log")" 0

# the same without the names the unit adds to @system-service
expand @system-service >"$W/plain"
run "$W/plain" plain
eq "plain @system-service: exit 0" "$?" 0
eq "plain @system-service: no network figures" "$(grep -c '^container_net,' "$W/plain.out")" 0
eq "plain @system-service: cgroup figures of both cycles" \
	"$(grep -c "^container_cpu,.*container=${s}a " "$W/plain.out")" 2
check "plain @system-service: the helper's failure is logged" \
	grep -q 'cannot start the network namespace helper' "$W/plain.log"
d_dump unit plain
t_done
