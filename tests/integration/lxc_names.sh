#!/bin/sh
# Container names with a '_' (README "How containers are found"): LXD's
# PROJECT_NAME is split into project and container only for an entry of
# [collector] lxd_path that is not a plain LXC container. A real plain LXC
# container ${p}_my_ct (running) and ${p}_st (created, never started) keep
# their whole names, with no project tag, in every measurement, the
# container_state ones included, even with an entry of the same name in
# lxd_path; a synthetic LXD-style cgroup lxc.payload.q${p}_w${p} with its
# lxd_path entry is container w${p} in project q${p}, and the stopped LXD
# entry q${p}_s${p} container s${p}; a cgroup with a '_' known to neither
# keeps its whole name. include/exclude match the container tag. On
# /1.0/metrics the plain containers are project="default".
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/lxc.sh"
. "$TOP/tests/lib/syn.sh"
. "$TOP/tests/lib/daemon.sh"
need_lxc
need_cmd unshare pgrep curl

p=lxn$$
for c in my_ct st; do
	lxct_create "${p}_$c" || { not_ok "create ${p}_$c"; t_done; exit 1; }
done
check "container ${p}_my_ct started" lxct_start "${p}_my_ct"
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
# LXD's instance directory: two instances of project q$p, and an entry
# named as the plain LXC container (which stays LXC's)
mkdir -p "$tmp/lxd/q${p}_w$p" "$tmp/lxd/q${p}_s$p" "$tmp/lxd/${p}_my_ct"
syn_mkcg "lxc.payload.q${p}_w$p" && syn_init "lxc.payload.q${p}_w$p" >/dev/null ||
	not_ok "synthetic LXD cgroup"
syn_mkcg "lxc.payload.u${p}_$p" && syn_init "lxc.payload.u${p}_$p" >/dev/null ||
	not_ok "synthetic cgroup known to neither"
# a stopped plain LXC container of another lxcpath, left out by exclude
mkdir -p "$tmp/lxc/${p}_gone" && : >"$tmp/lxc/${p}_gone/config"

port=$(free_port)
cat >"$tmp/c.ini" <<EOC
[collector]
include = *$p*
exclude = *_gone
metrics = cpu, pids, state
lxc_path = /var/lib/lxc, $tmp/lxc
lxd_path = $tmp/lxd
[prometheus]
listen = 127.0.0.1:$port
EOC
"$LXCOLLECTD" -c "$tmp/c.ini" --stdout --interval 1 --count 4 >"$tmp/out" 2>"$tmp/err" &
dpid=$!
t_bound "$dpid" 60
t_defer "kill -9 $dpid 2>/dev/null"
wait_until 15 sh -c "curl -sf http://127.0.0.1:$port/1.0/metrics >'$tmp/lxd.txt' && grep -q '^lxd_procs_total' '$tmp/lxd.txt'"
wait "$dpid"
eq "daemon exit status" "$?" 0
[ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err"

# the tags of every point of MEASUREMENT, one "tags" per line, sorted
tags() { sed -n "s/^$1,host=[^,]*,\([^ ]*\) .*/\1/p" "$tmp/out" | sort -u | tr '\n' ' '; }
eq "container_cpu: whole plain LXC names, LXD's split, unknown ones whole" "$(tags container_cpu)" \
	"container=${p}_my_ct container=u${p}_$p container=w$p,project=q$p "
eq "container_state: the same tags, stopped ones included" "$(tags container_state)" \
	"container=${p}_my_ct container=${p}_st container=s$p,project=q$p container=u${p}_$p container=w$p,project=q$p "
st() { grep "^container_state,host=[^,]*,$1 " "$tmp/out" | tail -n 1 | sed 's/.* state="\([A-Z]*\)".*/\1/'; }
eq "${p}_my_ct RUNNING" "$(st "container=${p}_my_ct")" RUNNING
eq "${p}_st STOPPED" "$(st "container=${p}_st")" STOPPED
eq "q$p/s$p STOPPED" "$(st "container=s$p,project=q$p")" STOPPED
eq "q$p/w$p RUNNING" "$(st "container=w$p,project=q$p")" RUNNING
eq "no project tag for a plain container, nor my/ct" "$(grep -c -e "project=${p}[ ,]" -e "container=my_ct" -e "container=st[ ,]" "$tmp/out")" 0
eq "exclude *_gone matches the whole plain name" "$(grep -c "_gone" "$tmp/out")" 0
eq "pids of ${p}_my_ct: the kernel's" "$(field "$(cat "$tmp/out")" container_pids "container=${p}_my_ct" current)" \
	"$(cat /sys/fs/cgroup/pids/lxc.payload.${p}_my_ct/pids.current 2>/dev/null || cat /sys/fs/cgroup/lxc.payload.${p}_my_ct/pids.current)"
check "/1.0/metrics: ${p}_my_ct in project default" \
	grep -q "^lxd_procs_total{name=\"${p}_my_ct\",project=\"default\",type=\"container\"} " "$tmp/lxd.txt"
check "/1.0/metrics: w$p in project q$p" \
	grep -q "^lxd_procs_total{name=\"w$p\",project=\"q$p\",type=\"container\"} " "$tmp/lxd.txt"

# -v names what discovery decided
sed '/^\[prometheus\]/,$d' "$tmp/c.ini" >"$tmp/c2.ini"
"$LXCOLLECTD" -c "$tmp/c2.ini" --stdout --once -v 2>"$tmp/v" >/dev/null
check "-v: w$p found in project q$p" grep -q "container w$p, project q$p: found at lxc.payload.q${p}_w$p" "$tmp/v"
check "-v: ${p}_my_ct found whole" grep -q "container ${p}_my_ct: found at lxc.payload.${p}_my_ct" "$tmp/v"
t_done
