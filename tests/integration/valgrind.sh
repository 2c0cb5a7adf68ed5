#!/bin/sh
# The daemon under valgrind --leak-check=full over --count 3 --interval 1
# with real LXC containers (one with a veth on a bridge, so the network
# code and the netns helper run, one without network): no memory errors
# and no definite leaks, in the collector and in the netns helper, which
# is the daemon executed again (--trace-children=yes follows that exec;
# each process writes its own log; under valgrind the helper installs no
# seccomp filter, netns/seccomp.c says why). valgrind cannot run an ASan binary, so under SANITIZE=1 this
# runs the std build, building it when missing.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
need_lxc
need_cmd valgrind ip

bin=$TOP/build/std/lxcollectd
case $LXC_BUILD in
*san*)
	# MAKEFLAGS from `make check SANITIZE=1` would pick the san build
	MAKEFLAGS= make -C "$TOP" --no-print-directory build/std/lxcollectd SANITIZE= >/dev/null 2>&1
	;;
*) bin=$LXCOLLECTD ;;
esac
[ -x "$bin" ] || { not_ok "std build available ($bin)"; t_done; exit 1; }

p=lvg$$
W=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-vg.XXXXXX")
t_defer "rm -rf '$W'"
ip link add "${p}br" type bridge || { not_ok "bridge"; t_done; exit 1; }
t_defer "ip link del ${p}br"
ip link set "${p}br" up
noip6="lxc.sysctl.net.ipv6.conf.all.disable_ipv6 = 1"
lxct_create "${p}n" "$noip6" \
	"lxc.net.0.type = veth" "lxc.net.0.link = ${p}br" "lxc.net.0.flags = up" \
	"lxc.net.0.name = eth0" "lxc.net.0.veth.pair = ${p}h0" || { not_ok "create ${p}n"; t_done; exit 1; }
lxct_create "${p}e" || { not_ok "create ${p}e"; t_done; exit 1; }
lxct_start "${p}n" || { not_ok "start ${p}n"; t_done; exit 1; }
lxct_start "${p}e" || { not_ok "start ${p}e"; t_done; exit 1; }

printf '[collector]\ninclude = %s*\n[spool]\ndir = %s/spool\n' "$p" "$W" >"$W/c.ini"
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
	--trace-children=yes --child-silent-after-fork=no --log-file="$W/vg.%p.log" \
	"$bin" -c "$W/c.ini" --count 3 --interval 1 --stdout >"$W/out" 2>"$W/err" &
vpid=$!
t_defer "kill -9 $vpid"
t_bound $vpid 120
wait $vpid
rc=$?
eq "lxcollectd under valgrind exits 0 (99: valgrind found errors)" "$rc" 0
nlogs=$(ls "$W"/vg.*.log 2>/dev/null | wc -l)
eq "two processes ran under valgrind (collector and netns helper)" "$nlogs" 2
for l in "$W"/vg.*.log; do
	who=collector
	[ "$(basename "$l" .log)" = "vg.$vpid" ] || who="netns helper"
	[ "$who" = collector ] ||
		check "netns helper: the daemon executed again in helper mode" \
			grep -q -- "Command: $bin --netns-helper " "$l"
	check "$who: no memory errors" grep -q "ERROR SUMMARY: 0 errors" "$l"
	check "$who: no definite leaks" sh -c "! grep -E 'definitely lost: [1-9]' '$l'"
	grep -q "ERROR SUMMARY: 0 errors" "$l" || sed -n '/==[0-9]*== [A-Z]/,$p' "$l" | head -60 | sed 's/^/# /'
done
eq "three cycles of ${p}n" "$(grep -c "^container_cpu,host=[^,]*,container=${p}n " "$W/out")" 3
eq "three cycles of ${p}e" "$(grep -c "^container_cpu,host=[^,]*,container=${p}e " "$W/out")" 3
check "${p}n's eth0 read through the helper's socket" \
	grep -q "^container_net,host=[^,]*,container=${p}n,interface=eth0,host_interface=${p}h0 " "$W/out"
grep -E ' (error|warning):' "$W/err" | head -5 | sed 's/^/# /'
[ -n "${VG_KEEP:-}" ] && cp "$W"/vg.*.log "$VG_KEEP/"
t_done
