#!/bin/sh
# container_state under the packaged unit's privileges: the daemon as an
# unprivileged uid holding its capabilities as ambient ones (setpriv, as
# DynamicUser= with AmbientCapabilities= does), over an lxc_path whose
# container directory is root's and 0770 (as lxc-create makes it) and an
# lxd_path directory that is root's and 0711 (as LXD makes its instance
# directories). With CAP_DAC_READ_SEARCH the netns helper lists both and
# the stopped containers are reported, LXD's PROJECT_NAME split; without
# it the collector lists as itself, says once why stopped containers may
# be missing, and reports only what its uid may read.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_cmd setpriv

p=stp$$
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
chmod 755 "$tmp"   # the unprivileged runs read their configuration here
mkdir -m 0755 "$tmp/lxc" "$tmp/open"
mkdir -m 0770 "$tmp/lxc/${p}c"                      # lxc-create's mode
: >"$tmp/lxc/${p}c/config"; chmod 0640 "$tmp/lxc/${p}c/config"
mkdir -m 0770 "$tmp/lxc/${p}n"                      # no config: not one
mkdir -m 0755 "$tmp/open/${p}o"                     # readable by anyone
: >"$tmp/open/${p}o/config"; chmod 0644 "$tmp/open/${p}o/config"
mkdir -m 0711 "$tmp/lxd"                            # LXD's mode
mkdir -m 0700 "$tmp/lxd/${p}d" "$tmp/lxd/prj_${p}p"
ln -s /nonexistent/storage-pools/x "$tmp/lxd/${p}l" # the snap's links
chown -R 0:0 "$tmp/lxc" "$tmp/lxd" "$tmp/open"

printf '[collector]\ninclude = %s*\nmetrics = state\nlxc_path = %s/lxc, %s/open\nlxd_path = %s/lxd\n' \
	"$p" "$tmp" "$tmp" "$tmp" >"$tmp/c.ini"
chmod 644 "$tmp/c.ini"

as_user() { # CAPS (setpriv's comma list): the unit's way of granting them
	echo "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps -all,$1 --ambient-caps $1 --bounding-set -all,$1"
}
THREE=+sys_admin,+sys_ptrace,+dac_read_search
TWO=+sys_admin,+sys_ptrace
stopped() { # OUT NAME [PROJECT]: cycles with NAME STOPPED
	_t="container=$2"
	[ -n "$3" ] && _t="$_t,project=$3"
	printf '%s\n' "$1" | grep -c "^container_state,[^ ]*$_t[ ,].*state=\"STOPPED\",running=0i [0-9]*\$"
}
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# (a) the unit's three capabilities: the helper lists what the uid may not
$(as_user $THREE) "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout >"$tmp/out.a" 2>"$tmp/err.a" &
d=$!
t_bound "$d" 30
wait_pid_child() { _i=0; while [ -z "$(pgrep -P "$1")" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done; pgrep -P "$1" | head -n1; }
h=$(wait_pid_child $d)
# CAP_SYS_ADMIN bit 21, CAP_SYS_PTRACE bit 19, CAP_DAC_READ_SEARCH bit 2
eq "(a) helper CapEff: SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH" "$(status_of "$h" CapEff)" 0000000000280004
eq "(a) collector CapEff" "$(status_of "$d" CapEff)" 0000000000000000
eq "(a) collector uid" "$(status_of "$d" Uid | cut -f1)" 65534
wait "$d"
eq "(a) exit 0" "$?" 0
out=$(cat "$tmp/out.a")
eq "(a) no warning" "$(grep -c -e warning -e error "$tmp/err.a")" 0
eq "(a) ${p}c (0770, root's) STOPPED every cycle" "$(stopped "$out" "${p}c")" 3
eq "(a) ${p}o (readable) STOPPED every cycle" "$(stopped "$out" "${p}o")" 3
eq "(a) ${p}d (in a 0711 directory) STOPPED every cycle" "$(stopped "$out" "${p}d")" 3
eq "(a) ${p}l (a dangling link) STOPPED every cycle" "$(stopped "$out" "${p}l")" 3
eq "(a) prj_${p}p: container ${p}p in project prj" "$(stopped "$out" "${p}p" prj)" 3
eq "(a) ${p}n (no config) not reported" "$(printf '%s\n' "$out" | grep -c "container=${p}n[ ,]")" 0
eq "(a) nothing else" "$(printf '%s\n' "$out" | grep -c '^container_state,')" 15

# (b) without CAP_DAC_READ_SEARCH: the collector's own listing, said once
$(as_user $TWO) "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout >"$tmp/out.b" 2>"$tmp/err.b"
eq "(b) exit 0" "$?" 0
out=$(cat "$tmp/out.b")
eq "(b) the fallback said once" \
	"$(grep -c "the netns helper lacks CAP_DAC_READ_SEARCH; listing LXC's and LXD's directories as this process, stopped containers in directories it may not read are missing" "$tmp/err.b")" 1
eq "(b) ${p}c (0770, root's) missing" "$(printf '%s\n' "$out" | grep -c "container=${p}c[ ,]")" 0
eq "(b) ${p}d (in a 0711 directory) missing" "$(printf '%s\n' "$out" | grep -c "container=${p}d[ ,]")" 0
eq "(b) ${p}o (readable) still STOPPED every cycle" "$(stopped "$out" "${p}o")" 3
eq "(b) nothing else" "$(printf '%s\n' "$out" | grep -c '^container_state,')" 3

# (c) root with every capability: the same as (a), through the helper
out=$("$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err.c")
eq "(c) root: exit 0" "$?" 0
eq "(c) root: the same five STOPPED" "$(printf '%s\n' "$out" | grep -c '^container_state,.*state="STOPPED"')" 5
t_done
