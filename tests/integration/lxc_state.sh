#!/bin/sh
# container_state with real LXC containers: one created but never started
# is STOPPED (running 0), found in the lxcpath without any API; a started
# one is RUNNING with started_at when it started and uptime_s growing by
# the interval; lxc-freeze makes it FROZEN and lxc-unfreeze RUNNING again;
# exclude applies to stopped containers too.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/daemon.sh"
need_lxc

p=lxs$$
for c in s r e; do
	lxct_create "${p}$c" || { not_ok "create ${p}$c"; t_done; exit 1; }
done
t0=$(date +%s)
check "container ${p}r started" lxct_start "${p}r"
t1=$(date +%s)

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
printf '[collector]\ninclude = %s*\nexclude = %se\nmetrics = cpu, state\n[log]\nlevel = info\n' "$p" "$p" >"$tmp/c.ini"
"$LXCOLLECTD" -c "$tmp/c.ini" --stdout --interval 1 --count 12 >"$tmp/out" 2>"$tmp/err" &
dpid=$!
t_bound "$dpid" 60
t_defer "lxc-unfreeze -n '${p}r' 2>/dev/null; kill -9 $dpid 2>/dev/null"
states() { grep -c "^container_state,[^ ]*container=${p}r[ ,].*state=\"$1\"" "$tmp/out"; }
wait_until 15 sh -c "[ \$(grep -c '^container_state,[^ ]*container=${p}r[ ,]' '$tmp/out') -ge 3 ]"
check "lxc-freeze ${p}r" lxc-freeze -n "${p}r"
wait_until 10 sh -c "grep -q '^container_state,[^ ]*container=${p}r[ ,].*state=\"FROZEN\"' '$tmp/out'"
check "lxc-unfreeze ${p}r" lxc-unfreeze -n "${p}r"
wait "$dpid"
eq "daemon exit status" "$?" 0

first=$(grep "^container_state,[^ ]*container=${p}r[ ,]" "$tmp/out" | head -n 1)
last=$(grep "^container_state,[^ ]*container=${p}r[ ,]" "$tmp/out" | tail -n 1)
eq "${p}r: RUNNING first" "$(field "$first" container_state "container=${p}r" state)" '"RUNNING"'
eq "${p}r: running 1" "$(field "$first" container_state "container=${p}r" running)" 1
sa=$(field "$first" container_state "container=${p}r" started_at)
check "${p}r: started_at $sa within the start, $t0..$t1" [ "${sa:-0}" -ge $((t0 - 1)) -a "${sa:-0}" -le $((t1 + 1)) ]
eq "${p}r: started_at the same at the end" "$(field "$last" container_state "container=${p}r" started_at)" "$sa"
u0=$(field "$first" container_state "container=${p}r" uptime_s)
u1=$(field "$last" container_state "container=${p}r" uptime_s)
ts0=$(printf '%s\n' "$first" | awk '{ print int($NF / 1000000000) }')
ts1=$(printf '%s\n' "$last" | awk '{ print int($NF / 1000000000) }')
eq "${p}r: uptime_s is the tick minus started_at" "$u0" $((ts0 - sa))
eq "${p}r: uptime_s grew with the ticks ($u0 -> $u1)" $((u1 - u0)) $((ts1 - ts0))
check "${p}r: FROZEN after lxc-freeze ($(states FROZEN) cycles)" [ "$(states FROZEN)" -ge 1 ]
eq "${p}r: RUNNING again after lxc-unfreeze" "$(field "$last" container_state "container=${p}r" state)" '"RUNNING"'
eq "${p}r: a state every cycle" "$(grep -c "^container_state,[^ ]*container=${p}r[ ,]" "$tmp/out")" 12

eq "${p}s: STOPPED every cycle" "$(grep -c "^container_state,[^ ]*container=${p}s[ ,].*state=\"STOPPED\",running=0i [0-9]*\$" "$tmp/out")" 12
eq "${p}s: no other point" "$(grep -c "container=${p}s[ ,]" "$tmp/out")" 12
eq "${p}e: excluded, stopped or not" "$(grep -c "container=${p}e[ ,]" "$tmp/out")" 0
t_done
