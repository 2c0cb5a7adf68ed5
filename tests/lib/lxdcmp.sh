# lxdcmp.sh: one instance's series of two /1.0/metrics answers (LXD's and
# lxcollectd's) side by side (sourced after common.sh). Used on this host
# (tests/integration/lxd_compat.sh) and in the Debian 12 guest
# (tests/vm/guest.sh).

# lxdcmp_norm NAME [PROJECT] <SCRAPE: "family{labels} value", one line per
# series of instance NAME (of PROJECT when given), sorted; a series
# repeated in the scrape is summed
lxdcmp_norm() {
	_sel="name=\"$1\""
	grep -v '^#' | grep -F "$_sel" | { if [ -n "${2:-}" ]; then grep -F "project=\"$2\""; else cat; fi; } |
		awk '{ i = index($0, "} "); k = substr($0, 1, i); v[k] += substr($0, i + 2) } END { for (k in v) printf "%s %.17g\n", k, v[k] }' |
		sort
}

# lxdcmp_missing A B: the series of normalised scrape A that B lacks
lxdcmp_missing() {
	cut -d' ' -f1 "$1" | while read -r _k; do grep -qF "$_k " "$2" || echo "$_k"; done
}

# lxdcmp_pairs LXD OURS: "series lxd ours tolerance" for every series both
# have: exact for what an idle container cannot change within a cycle
# (MemTotal, processes, network, disk), CPU time of one CPU within 0.05 s,
# the rest (memory, filesystem) within 2 %
lxdcmp_pairs() {
	join "$1" "$2" | while read -r _k _a _b; do
		case $_k in
		lxd_cpu_seconds_total*) _t=abs:0.05 ;;
		lxd_memory_MemTotal*|lxd_procs_total*|lxd_network_*|lxd_disk_*) _t=exact ;;
		*) _t=rel:2 ;;
		esac
		echo "$_k $_a $_b $_t"
	done
}

# lxdcmp_differs PAIRS: the pairs outside their tolerance (a relative one
# forgives 4 KiB: a page)
lxdcmp_differs() {
	awk '{
		a = $2 + 0; b = $3 + 0; d = a - b; if (d < 0) d = -d
		split($4, t, ":")
		if (t[1] == "exact" && $2 != $3) print $1, $2, $3
		if (t[1] == "abs" && d > t[2]) print $1, $2, $3
		if (t[1] == "rel" && d > (a < 0 ? -a : a) * t[2] / 100 && d > 4096) print $1, $2, $3
	}' "$1"
}

# lxdcmp_diag PAIRS: what was compared how, and the largest differences
lxdcmp_diag() {
	for _t in exact abs rel; do
		diag "compared $(grep -c " $_t" "$1") series $_t: $(awk -v t="$_t" '$4 ~ "^" t { sub(/\{.*/, "", $1); print $1 }' "$1" | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')"
	done
	awk '$4 ~ /^abs|^rel/ { d = $2 - $3; if (d < 0) d = -d; if (d > m[$4]) m[$4] = d } END { for (t in m) printf "# largest difference %s: %.6g\n", t, m[t] }' "$1"
}

# lxdcmp_cpu_diag PAIRS: CPU time per CPU and mode, LXD's and ours
lxdcmp_cpu_diag() {
	diag "CPU seconds, LXD / lxcollectd: $(awk '$1 ~ /^lxd_cpu_seconds_total/ { match($1, /cpu="[0-9]+",mode="[a-z]+"/); printf "%s%s %s/%s", s, substr($1, RSTART, RLENGTH), $2, $3; s = "; " }' "$1")"
}

# lxdcmp_ncpu NORMALISED: how many CPUs lxd_cpu_seconds_total has
lxdcmp_ncpu() {
	grep -o '^lxd_cpu_seconds_total{cpu="[0-9]*",mode="user"' "$1" | sort -u | wc -l
}
