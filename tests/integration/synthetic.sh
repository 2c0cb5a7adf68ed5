#!/bin/sh
# Synthetic containers (cgroups we create, inits that are PID 1 of their own
# namespaces) in every naming scheme of README.md "How containers are
# found": what is found, under which name and project, and what is left
# alone.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/syn.sh"
need_root
need_cmd unshare pgrep

s=syn$$
# decoy first: a lower PID that is not the init
syn_mkcg "lxc.payload.${s}a/sub" || { not_ok "create cgroups"; t_done; exit 1; }
decoy=$(syn_proc "lxc.payload.${s}a")
init_a=$(syn_init "lxc.payload.${s}a")
subp=$(syn_proc "lxc.payload.${s}a/sub")
check "decoy has the lower PID" [ "$decoy" -lt "$init_a" ]
syn_mkcg "lxc.monitor.${s}a" && syn_proc "lxc.monitor.${s}a" >/dev/null
syn_mkcg "lxc.payload.p${s}_${s}b" && syn_init "lxc.payload.p${s}_${s}b" >/dev/null
syn_mkcg "lxc/${s}c/ns" && syn_init "lxc/${s}c/ns" >/dev/null
syn_mkcg "lxc.pivot"
syn_mkcg "lxc.payload/${s}d" && syn_init "lxc.payload/${s}d" >/dev/null
if [ -d /sys/fs/cgroup/memory ]; then
	echo 67108864 >"/sys/fs/cgroup/memory/lxc.payload.${s}a/memory.limit_in_bytes"
	mem=/sys/fs/cgroup/memory
else
	echo 67108864 >"/sys/fs/cgroup/lxc.payload.${s}a/memory.max"
	mem=/sys/fs/cgroup
fi
pids=/sys/fs/cgroup/pids; [ -d $pids ] || pids=/sys/fs/cgroup
echo 50 >"$pids/lxc.payload.${s}a/pids.max"

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
# LXD's instance entry of p${s}_${s}b: what makes its name PROJECT_NAME
mkdir -p "$tmp/lxd/p${s}_${s}b"
printf '[collector]\ninclude = %s*\nmetrics = cpu, memory, pids, io\nlxd_path = %s/lxd\n' "$s" "$tmp" >"$tmp/c.ini"
out=$("$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout 2>"$tmp/err")
eq "exit status" "$?" 0
printf '%s\n' "$out" | sed 's/^/#   /'

got=$(printf '%s\n' "$out" | grep '^container_pids,' | sed 's/^container_pids,host=[^,]*,//; s/ .*//' | sort | tr '\n' ' ')
eq "containers found, with projects" "$got" "container=${s}a container=${s}b,project=p${s} container=${s}c container=${s}d "
eq "${s}a: pids current counts the sub-cgroup (3)" \
	"$(field "$out" container_pids "container=${s}a" current)" 3
eq "${s}a: pids limit" "$(field "$out" container_pids "container=${s}a" limit)" 50
eq "${s}a: memory limit" "$(field "$out" container_memory "container=${s}a" limit_bytes)" 67108864
near "${s}a: memory usage vs the cgroup file" \
	"$(field "$out" container_memory "container=${s}a" usage_bytes)" \
	"$(cat $mem/lxc.payload.${s}a/memory.usage_in_bytes 2>/dev/null || cat $mem/lxc.payload.${s}a/memory.current)" 5
eq "${s}c (Proxmox style): pids of the ns child counted" \
	"$(field "$out" container_pids "container=${s}c" current)" 1
got=$(printf '%s\n' "$out" | grep -c -e monitor -e pivot -e 'container=sub')
eq "no monitor, pivot or sub-cgroup points" "$got" 0

# a container that vanishes is dropped quietly on the next cycle
printf '[collector]\ninclude = %s*\nmetrics = pids\ninterval = 1s\n' "$s" >"$tmp/c2.ini"
"$LXCOLLECTD" -c "$tmp/c2.ini" --count 4 --stdout >"$tmp/out2" 2>"$tmp/err2" &
dpid=$!
sleep 1
syn_rmcg "lxc.payload/${s}d"
wait $dpid
eq "exit status with a vanishing container" "$?" 0
last=$(awk '{print $NF}' "$tmp/out2" | sort -u | tail -n1)
got=$(grep -c "container=${s}d .* $last\$" "$tmp/out2")
eq "vanished container gone from the last cycle" "$got" 0
got=$(grep -c "^container_pids,.*container=${s}a .* $last\$" "$tmp/out2")
eq "others still there in the last cycle" "$got" 1
check "no error logged for the vanished one" sh -c "! grep -qi error '$tmp/err2'"
t_done
