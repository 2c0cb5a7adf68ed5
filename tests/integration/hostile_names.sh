#!/bin/sh
# Hostile names end to end: synthetic containers (cgroups with an init in
# its own pid and network namespaces) whose cgroup directory names hold
# spaces, commas, '=', quotes, backslashes and UTF-8, one of the longest
# a cgroup directory can have (255 bytes), an LXD-style project with the
# same (its instance entry in a [collector] lxd_path of our own), and inside one of them veth interfaces named with every byte the
# kernel allows in an interface name (no '/', ':' or white space), up to
# 15 bytes. The real daemon writes them to a real InfluxDB: every name
# must come back exactly as it is on the host. Names that cannot be
# written (a newline, a control character, DEL, invalid UTF-8, a trailing
# backslash) are skipped, each with exactly one warning naming it escaped,
# over several cycles.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/influxd.sh"
. "$TOP/tests/lib/daemon.sh"
need_root
need_cmd unshare pgrep influxd curl jq ip python3

s=hn$$
W=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-hostile.XXXXXX")
t_defer "rm -rf '$W'"
hiers=$(syn_hiers)
# cleanup that copes with any name: the processes by PID, the cgroups by find
hn_cleanup() {
	for _p in $(cat "$W/pids" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
	sleep 0.2
	for _h in $hiers; do
		find "$_h" -maxdepth 1 -name "lxc.payload.*$s*" -type d -exec rmdir {} + 2>/dev/null
	done
	for _i in 1 2 3 4 5 6; do ip link del "${s}h$_i" 2>/dev/null; done
	return 0
}
t_defer hn_cleanup

nl='
'
long=$s$(printf '%0*d' $((243 - ${#s})) 0 | tr 0 L)  # 243 + "lxc.payload." = 255 bytes
# writable container names (one a line in $W/good), the unwritable ones
printf '%s\n' "$s a,b=c\"d\\e'f" "$s é✓ 🦊" "$s#x\\\\y" "$long" >"$W/good"
bad1="${s}nl${nl}x" bad2="$(printf '%s\001c' "$s")" bad3="$(printf '%s\177d' "$s")"
bad4="$(printf '%s\377e' "$s")" bad5="${s}bs\\"

# mkct DIRNAME: a container cgroup with an init; prints the init's PID
mkct() {
	for _h in $hiers; do mkdir "$_h/$1" || return 1; done
	unshare --pid --net --mount-proc --fork sleep 100000 >/dev/null 2>&1 &
	_u=$!
	echo "$_u" >>"$W/pids"
	_i=0; _c=""
	while [ -z "$_c" ] && [ $_i -lt 50 ]; do
		_c=$(pgrep -P "$_u" | head -n1); _i=$((_i + 1)); [ -n "$_c" ] || sleep 0.05
	done
	[ -n "$_c" ] || return 1
	echo "$_c" >>"$W/pids"
	for _h in $hiers; do echo "$_c" >"$_h/$1/cgroup.procs" || return 1; done
	echo "$_c"
}

made=0
while IFS= read -r n; do mkct "lxc.payload.$n" >/dev/null && made=$((made + 1)); done <"$W/good"
eq "containers with writable hostile names created" "$made" 4
check "a 255-byte cgroup directory name exists" test -d "/sys/fs/cgroup/memory/lxc.payload.$long"
proj='pr o,j="\é'
mkct "lxc.payload.${proj}_${s}p" >/dev/null
mkdir -p "$W/lxd/${proj}_${s}p"
check "project container created" test -d "/sys/fs/cgroup/memory/lxc.payload.${proj}_${s}p"
nbad=0
for n in "$bad2" "$bad3" "$bad4" "$bad5"; do mkct "lxc.payload.$n" >/dev/null && nbad=$((nbad + 1)); done
eq "containers with unwritable names created" "$nbad" 4
# the kernel refuses a newline in a cgroup name (cgroup_mkdir: EINVAL); a
# fixture tree (cgroup_root) below gives the daemon one anyway
check "the kernel refuses a cgroup name with a newline" sh -c "! mkdir '/sys/fs/cgroup/memory/lxc.payload.$bad1' 2>/dev/null"

# the network container: veths whose container ends have hostile names
nct=$(mkct "lxc.payload.${s}net")
ifgood='a,b=c"d\e
é✓=x,y
x"=,\y12345678
#q\\z'
ifbad="$(printf 'n\001x')
$(printf 'd\177x')
tb\\"
i=0
printf '%s\n%s\n' "$ifgood" "$ifbad" | while IFS= read -r ifn; do
	i=$((i + 1))
	ip link add name "${s}h$i" type veth peer name "${s}c$i" &&
	ip link set dev "${s}c$i" netns "$nct" &&
	nsenter -t "$nct" -n ip link set dev "${s}c$i" name "$ifn" || echo "# veth $i ($ifn) failed"
done
got_if=$(nsenter -t "$nct" -n ip -o link show | wc -l)
eq "interfaces inside the network container (lo and 7)" "$got_if" 8

influxd_start || { not_ok "influxd starts"; t_done; exit 1; }
influx_createdb hn
cat >"$W/c.ini" <<EOC
[collector]
hostname = h$s
include = *$s*
metrics = pids, net
lxd_path = $W/lxd
[influxdb]
url = $INFLUX_URL
database = hn
timeout = 5s
[spool]
dir = $W/spool
EOC
d_start run -c "$W/c.ini" --count 3 --interval 1
d_wait
eq "daemon exits 0 after 3 cycles" "$D_RC" 0

q() { influx_q hn "$1" | jq -r '.results[0].series[0].values[]?[1]' | LC_ALL=C sort; }
want=$( { cat "$W/good"; echo "${s}net"; echo "${s}p"; } | LC_ALL=C sort)
got=$(q 'SHOW TAG VALUES FROM container_pids WITH KEY = "container"')
check "container names come back exactly as on the host" test "$got" = "$want"
[ "$got" = "$want" ] || { echo "# want:"; echo "$want" | sed 's/^/#   /'; echo "# got:"; echo "$got" | sed 's/^/#   /'; }
eq "project name comes back exactly" "$(q 'SHOW TAG VALUES FROM container_pids WITH KEY = "project"')" "$proj"
n3=$(influx_count hn "SELECT count(current) FROM container_pids WHERE container = '$long'")
eq "the 255-byte container: a point each cycle" "$n3" 3

want_if=$(printf '%s\n' "$ifgood" | LC_ALL=C sort)
got_if=$(q "SHOW TAG VALUES FROM container_net WITH KEY = \"interface\" WHERE container = '${s}net'")
check "interface names come back exactly as in the container" test "$got_if" = "$want_if"
[ "$got_if" = "$want_if" ] || { echo "# got:"; echo "$got_if" | sed 's/^/#   /'; }
got_hi=$(q "SHOW TAG VALUES FROM container_net WITH KEY = \"host_interface\" WHERE container = '${s}net'" | tr '\n' ' ')
eq "host_interface: the host-side peers" "$got_hi" "${s}h1 ${s}h2 ${s}h3 ${s}h4 "

# one warning per unwritable name over 3 cycles, naming it escaped
warn1() { # warn1 DESCRIPTION ESCAPED-FRAGMENT
	_c=$(grep -c -F -- "$2" "$W/run.log")
	eq "one warning for $1" "$_c" 1
}
warn1 "a name with a control character" "lxc.payload.${s}\\x01c: name cannot be written"
warn1 "a name with DEL" "lxc.payload.${s}\\x7fd: name cannot be written"
warn1 "a name with invalid UTF-8" "lxc.payload.${s}\\xffe: name cannot be written"
warn1 "a name ending in a backslash" "lxc.payload.${s}bs\\x5c: name cannot be written"
warn1 "interface n^Ax" "interface n\\x01x cannot be written"
warn1 "interface d^?x" "interface d\\x7fx cannot be written"
warn1 "interface tb\\" "interface tb\\x5c cannot be written"
nw=$(grep -c 'warning' "$W/run.log")
eq "no other warnings" "$nw" 7

# a newline in a name, from a cgroup tree that is not the kernel's
mkdir -p "$W/cg/lxc.payload.$bad1" "$W/cg/lxc.payload.${s}ok" "$W/proc"
: >"$W/cg/cgroup.controllers"
echo 7 >"$W/cg/lxc.payload.$bad1/pids.current"
echo 8 >"$W/cg/lxc.payload.${s}ok/pids.current"
printf '[collector]\ncgroup_root = %s\nproc_root = %s\nmetrics = pids\nhostname = h\n' \
	"$W/cg" "$W/proc" >"$W/f.ini"
"$LXCOLLECTD" -c "$W/f.ini" --once --stdout >"$W/f.out" 2>"$W/f.log"
eq "fixture tree run exits 0" "$?" 0
eq "the name with a newline is not written" "$(grep -c "nl" "$W/f.out")" 0
eq "its neighbour is" "$(grep -c "^container_pids,host=h,container=${s}ok current=8i " "$W/f.out")" 1
eq "one warning for a name with a newline, escaped" \
	"$(grep -c -F "lxc.payload.${s}nl\\x0ax: name cannot be written" "$W/f.log")" 1
d_dump run
t_done
