# syn.sh: synthetic containers for the integration tests (sourced after
# common.sh): cgroups we create in every hierarchy, with a process that is
# PID 1 of its own pid and network namespaces, as an LXC container's init.

# The hierarchies a container's cgroup lives in.
syn_hiers() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo /sys/fs/cgroup
	else
		for _h in cpu cpuacct memory pids blkio unified; do
			[ -d "/sys/fs/cgroup/$_h" ] && echo "/sys/fs/cgroup/$_h"
		done
	fi
}

# syn_mkcg RELPATH: create RELPATH in every hierarchy; at exit the
# container's top cgroup goes (lxc/NAME and lxc.payload/NAME: two levels)
syn_mkcg() {
	for _h in $(syn_hiers); do mkdir -p "$_h/$1" || return 1; done
	case $1 in
	lxc/*|lxc.payload/*) _top=$(echo "$1" | cut -d/ -f1-2) ;;
	*) _top=$(echo "$1" | cut -d/ -f1) ;;
	esac
	# registered first, runs last: the shared parent once it is empty
	case $1 in
	lxc/*|lxc.payload/*) t_defer "syn_rmdir_empty '$(echo "$1" | cut -d/ -f1)'" ;;
	esac
	t_defer "syn_rmcg '$_top'"
}

# syn_rmdir_empty RELPATH: remove RELPATH where it is empty
syn_rmdir_empty() {
	for _h in $(syn_hiers); do rmdir "$_h/$1" 2>/dev/null; done
	return 0
}

# syn_rmcg RELPATH: kill what is inside and remove the tree, deepest first
syn_rmcg() {
	for _h in $(syn_hiers); do
		[ -d "$_h/$1" ] || continue
		find "$_h/$1" -depth -type d | while read -r _d; do
			for _p in $(cat "$_d/cgroup.procs" 2>/dev/null); do kill -9 "$_p" 2>/dev/null; done
		done
	done
	sleep 0.1
	for _h in $(syn_hiers); do
		[ -d "$_h/$1" ] && find "$_h/$1" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

# syn_move PID RELPATH: put PID into RELPATH in every hierarchy
syn_move() {
	for _h in $(syn_hiers); do echo "$1" >"$_h/$2/cgroup.procs" || return 1; done
}

# syn_init RELPATH: start a process that is PID 1 of new pid and net
# namespaces inside RELPATH; prints its host PID
syn_init() {
	unshare --pid --net --mount-proc --fork sleep 100000 >/dev/null 2>&1 &
	_u=$!
	t_defer "kill -9 $_u"
	_i=0; _c=""
	while [ -z "$_c" ] && [ $_i -lt 50 ]; do
		_c=$(pgrep -P "$_u" | head -n1); _i=$((_i + 1)); [ -n "$_c" ] || sleep 0.05
	done
	[ -n "$_c" ] || return 1
	t_defer "kill -9 $_c"
	syn_move "$_c" "$1" || return 1
	echo "$_c"
}

# syn_proc RELPATH: an ordinary process (not an init) inside RELPATH
syn_proc() {
	sleep 100000 >/dev/null 2>&1 &
	_s=$!
	t_defer "kill -9 $_s"
	syn_move "$_s" "$1" || return 1
	echo "$_s"
}
