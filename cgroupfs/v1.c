/* v1: everything that only exists with cgroup v1 (LEGACY and HYBRID
 * layouts): the controller names of v1 hierarchies, the v1 file table and
 * the v1-only formats (blkio, cfs quota).
 *
 * In v1 each controller is a hierarchy of its own (or co-mounted, as
 * "cpu,cpuacct"); memory.stat's total_* keys and the *_recursive blkio
 * files are the hierarchical figures for the container's whole subtree. */
#include <errno.h>
#include <string.h>

#include "cgroupfs/internal.h"

int cg_v1_hier_of(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum cg_hier h;
	} ctl[] = {
		{ "cpu", CG_H_CPU },   { "cpuacct", CG_H_CPUACCT }, { "memory", CG_H_MEMORY },
		{ "pids", CG_H_PIDS }, { "blkio", CG_H_BLKIO },
		{ "cpuset", CG_H_CPUSET }, { "freezer", CG_H_FREEZER },
	};

	for (size_t i = 0; i < CG_N(ctl); i++)
		if (strlen(ctl[i].name) == len && memcmp(ctl[i].name, name, len) == 0)
			return (int)ctl[i].h;
	return -1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split [p, end) into at most 4 blank-separated tokens; returns the count
 * (4 meaning "too many"). */
static int tokens(const char *p, const char *end, const char *ts[4], const char *te[4])
{
	int n = 0;

	while (n < 4) {
		while (p < end && blank(*p))
			p++;
		if (p == end)
			break;
		ts[n] = p;
		while (p < end && !blank(*p))
			p++;
		te[n++] = p;
	}
	return n;
}

static bool tok_is(const char *s, const char *e, const char *w)
{
	return (size_t)(e - s) == strlen(w) && memcmp(s, w, (size_t)(e - s)) == 0;
}

/* blkio.throttle.io_service_bytes(_recursive) and io_serviced(_recursive):
 *   8:0 Read 1024
 *   8:0 Write 4096
 *   8:0 Sync 4096 / Async / Discard / Total
 *   Total 5120
 * Read and Write are summed over devices; the per-device and grand Total
 * lines would count twice. */
int cg_parse_blkio(const char *buf, size_t len, uint64_t *ret_read, uint64_t *ret_write)
{
	const char *p = buf, *end = buf + len;
	uint64_t rd = 0, wr = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *ts[4], *te[4], *colon;
		uint64_t v, *sum;
		int n = tokens(p, le, ts, te), r;

		p = nl ? nl + 1 : end;
		if (n == 0)
			continue;
		if (n == 2 && tok_is(ts[0], te[0], "Total")) {
			r = cg_parse_u64(ts[1], (size_t)(te[1] - ts[1]), &v);
			if (r < 0)
				return r == -ERANGE ? -EINVAL : r;
			continue;
		}
		if (n != 3)
			return -EINVAL;
		colon = memchr(ts[0], ':', (size_t)(te[0] - ts[0]));
		if (!colon || colon == ts[0] || colon + 1 == te[0] ||
		    strspn(ts[0], "0123456789:") < (size_t)(te[0] - ts[0]))
			return -EINVAL;
		r = cg_parse_u64(ts[2], (size_t)(te[2] - ts[2]), &v);
		if (r < 0)
			return r == -ERANGE ? -EINVAL : r;
		if (tok_is(ts[1], te[1], "Read"))
			sum = &rd;
		else if (tok_is(ts[1], te[1], "Write"))
			sum = &wr;
		else
			continue; /* Sync, Async, Discard, Total, or newer */
		if (*sum > UINT64_MAX - v)
			return -EOVERFLOW;
		*sum += v;
	}
	*ret_read = rd;
	*ret_write = wr;
	return 0;
}

/* map[0] gets the Read sum, map[1] the Write sum. */
static void extract_blkio(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			  size_t len, struct cg_scratch *s)
{
	uint64_t v[2];
	int r = cg_parse_blkio(buf, len, &v[0], &v[1]);

	for (unsigned i = 0; i < 2 && i < spec->nmap; i++) {
		if (!((active >> i) & 1))
			continue;
		if (r < 0)
			cg_set_bad(s, spec->map[i].slot);
		else
			cg_set_u64(s, spec->map[i].slot, v[i]);
	}
}

/* cpuacct.usage_all (Linux 4.7+), per possible CPU in ns:
 *   cpu user system
 *   0 15050000000 8950000000
 *   1 ...
 * Summed, user and system are what cpuacct.usage_user and usage_sys show.
 * Since Linux 5.15 they are also the counters cpuacct.stat shows in
 * USER_HZ ticks (the sums divided by 10^9/USER_HZ, truncated), so one file
 * replaces three. cpuacct.usage stays apart: it counts scheduler run time,
 * a different clock. */
int cg_parse_cpuacct_all(const char *buf, size_t len, uint64_t *ret_user, uint64_t *ret_system)
{
	const char *p = buf, *end = buf + len;
	uint64_t sum[2] = { 0, 0 };
	bool header = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *ts[4], *te[4];
		int n = tokens(p, le, ts, te);

		p = nl ? nl + 1 : end;
		if (n == 0)
			continue;
		if (n != 3)
			return -EINVAL;
		if (!header) {
			if (!tok_is(ts[0], te[0], "cpu") || !tok_is(ts[1], te[1], "user") ||
			    !tok_is(ts[2], te[2], "system"))
				return -EINVAL;
			header = true;
			continue;
		}
		if (strspn(ts[0], "0123456789") < (size_t)(te[0] - ts[0]))
			return -EINVAL;
		for (int k = 0; k < 2; k++) {
			uint64_t v;
			int r = cg_parse_u64(ts[k + 1], (size_t)(te[k + 1] - ts[k + 1]), &v);

			if (r < 0)
				return r == -ERANGE ? -EINVAL : r;
			if (sum[k] > UINT64_MAX - v)
				return -EOVERFLOW;
			sum[k] += v;
		}
	}
	if (!header)
		return -EINVAL;
	*ret_user = sum[0];
	*ret_system = sum[1];
	return 0;
}

/* map[] as v1_cpuacct_all. usage_all gives ns and, from them, ticks; the
 * cpuacct.stat fallback (kernels before 4.7) gives ticks only, and derive()
 * makes ns of them. The content says which file it is. */
static void extract_cpuacct(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			    size_t len, struct cg_scratch *s)
{
	uint64_t v[2], per = 1000000000ull / cg_clk_tck();
	int r;

	if (len < 4 || memcmp(buf, "cpu", 3) != 0) {
		cg_extract_keyed(spec, active & 3, buf, len, s);
		return;
	}
	r = cg_parse_cpuacct_all(buf, len, &v[0], &v[1]);
	for (unsigned i = 0; i < 4 && i < spec->nmap; i++) {
		if (!((active >> i) & 1))
			continue;
		if (r < 0)
			cg_set_bad(s, spec->map[i].slot);
		else
			cg_set_u64(s, spec->map[i].slot, i < 2 ? v[i] / per : v[i - 2]);
	}
}

/* cpu.cfs_quota_us: µs per period, "-1" when unlimited. */
static void extract_cfs_quota(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			      size_t len, struct cg_scratch *s)
{
	uint64_t v = 0;
	size_t i = 0, e = len;
	int r;

	if (!(active & 1))
		return;
	while (i < e && (buf[i] == ' ' || buf[i] == '\n'))
		i++;
	while (e > i && (buf[e - 1] == ' ' || buf[e - 1] == '\n'))
		e--;
	if (e - i == 2 && memcmp(buf + i, "-1", 2) == 0)
		return;
	r = cg_parse_u64(buf, len, &v);
	cg_store(&spec->map[0], r == -ERANGE ? -EINVAL : r, v, s);
}

/* No shadow column here: a v1 file is only opened when its hierarchy
 * exists, and then it is the authority. */
#define V1(key, slot, flags) { key, slot, CG_SCALE_1, flags, CG_H_MAX }

/* cpuacct: all in ns, except cpuacct.stat in USER_HZ ticks */
static const struct cg_map v1_usage[] = { V1(NULL, CG_CPU_USAGE_NS, 0) };
/* extract_cpuacct's order: ticks first (the keys of the cpuacct.stat
 * fallback), then ns */
static const struct cg_map v1_cpuacct_all[] = {
	V1("user", CG_CPU_USER_TICKS, 0),
	V1("system", CG_CPU_SYSTEM_TICKS, 0),
	V1(NULL, CG_CPU_USER_NS, 0),
	V1(NULL, CG_CPU_SYSTEM_NS, 0),
};
/* cpu: throttled_time in ns (v2's throttled_usec is µs) */
static const struct cg_map v1_cpu_stat[] = {
	V1("nr_periods", CG_CPU_PERIODS, 0),
	V1("nr_throttled", CG_CPU_THROTTLED_PERIODS, 0),
	V1("throttled_time", CG_CPU_THROTTLED_NS, 0),
};
static const struct cg_map v1_cfs_quota[] = { V1(NULL, CG_AUX_CFS_QUOTA, 0) };
static const struct cg_map v1_cfs_period[] = { V1(NULL, CG_AUX_CFS_PERIOD, 0) };
/* memory: bytes; total_* are the hierarchical sums */
static const struct cg_map v1_mem_usage[] = { V1(NULL, CG_MEM_USAGE, 0) };
static const struct cg_map v1_mem_stat[] = {
	V1("total_inactive_file", CG_AUX_INACTIVE_FILE, 0),
	V1("total_rss", CG_MEM_RSS, 0),
	V1("total_cache", CG_MEM_CACHE, 0),
	V1("total_swap", CG_MEM_SWAP, 0), /* only with swap accounting */
	/* the LRU and page-state sizes, for /1.0/metrics only */
	V1("total_active_anon", CG_MEM_ACTIVE_ANON, CG_MAP_DETAIL),
	V1("total_active_file", CG_MEM_ACTIVE_FILE, CG_MAP_DETAIL),
	V1("total_inactive_anon", CG_MEM_INACTIVE_ANON, CG_MAP_DETAIL),
	V1("total_inactive_file", CG_MEM_INACTIVE_FILE, CG_MAP_DETAIL),
	V1("total_unevictable", CG_MEM_UNEVICTABLE, CG_MAP_DETAIL),
	V1("total_writeback", CG_MEM_WRITEBACK, CG_MAP_DETAIL),
	V1("total_dirty", CG_MEM_DIRTY, CG_MAP_DETAIL),
	V1("total_mapped_file", CG_MEM_MAPPED, CG_MAP_DETAIL),
	V1("total_shmem", CG_MEM_SHMEM, CG_MAP_DETAIL),
};
static const struct cg_map v1_mem_limit[] = { V1(NULL, CG_MEM_LIMIT, CG_MAP_UNLIMITED) };
static const struct cg_map v1_oom_control[] = { V1("oom_kill", CG_MEM_OOM_KILLS, 0) };
static const struct cg_map v1_failcnt[] = { V1(NULL, CG_MEM_FAILCNT, 0) };
static const struct cg_map v1_pids_current[] = { V1(NULL, CG_PIDS_CURRENT, 0) };
static const struct cg_map v1_pids_max[] = { V1(NULL, CG_PIDS_LIMIT, CG_MAP_UNLIMITED) };
static const struct cg_map v1_io_bytes[] = {
	V1("Read", CG_IO_READ_BYTES, 0),
	V1("Write", CG_IO_WRITE_BYTES, 0),
};
static const struct cg_map v1_io_ops[] = {
	V1("Read", CG_IO_READ_OPS, 0),
	V1("Write", CG_IO_WRITE_OPS, 0),
};

static const struct cg_map v1_cpuset[] = {
	{ NULL, CG_CPU_EFFECTIVE_CPUS, CG_SCALE_1, 0, CG_H_MAX },
};

#define FILE(name, fallback, hier, metric, fn, map) \
	{ name, fallback, hier, metric, fn, map, CG_N(map), 0, CG_READ_HELD, 0 }
#define LIMIT(name, hier, metric, fn, map) \
	{ name, NULL, hier, metric, fn, map, CG_N(map), 0, CG_READ_LIMIT, 0 }
/* counters only a limit of the container's own makes move: cpu.stat's
 * periods and throttling count the CFS bandwidth timer, which runs only
 * with a quota; failcnt counts charges that hit memory.limit_in_bytes */
#define GATED(name, hier, metric, fn, map, gate) \
	{ name, NULL, hier, metric, fn, map, CG_N(map), 0, CG_READ_GATED, gate }

static const struct cg_file_spec v1_files[] = {
	FILE("cpuacct.usage", NULL, CG_H_CPUACCT, CG_M_CPU, cg_extract_keyed, v1_usage),
	FILE("cpuacct.usage_all", "cpuacct.stat", CG_H_CPUACCT, CG_M_CPU, extract_cpuacct,
	     v1_cpuacct_all),
	GATED("cpu.stat", CG_H_CPU, CG_M_CPU, cg_extract_keyed, v1_cpu_stat, CG_CPU_LIMIT_CPUS),
	LIMIT("cpu.cfs_quota_us", CG_H_CPU, CG_M_CPU, extract_cfs_quota, v1_cfs_quota),
	LIMIT("cpu.cfs_period_us", CG_H_CPU, CG_M_CPU, cg_extract_keyed, v1_cfs_period),
	LIMIT("cpuset.effective_cpus", CG_H_CPUSET, CG_M_CPU, cg_extract_cpuset, v1_cpuset),
	FILE("memory.usage_in_bytes", NULL, CG_H_MEMORY, CG_M_MEMORY, cg_extract_keyed,
	     v1_mem_usage),
	FILE("memory.stat", NULL, CG_H_MEMORY, CG_M_MEMORY, cg_extract_keyed, v1_mem_stat),
	LIMIT("memory.limit_in_bytes", CG_H_MEMORY, CG_M_MEMORY, cg_extract_keyed, v1_mem_limit),
	FILE("memory.oom_control", NULL, CG_H_MEMORY, CG_M_MEMORY, cg_extract_keyed,
	     v1_oom_control),
	GATED("memory.failcnt", CG_H_MEMORY, CG_M_MEMORY, cg_extract_keyed, v1_failcnt,
	      CG_MEM_LIMIT),
	FILE("pids.current", NULL, CG_H_PIDS, CG_M_PIDS, cg_extract_keyed, v1_pids_current),
	LIMIT("pids.max", CG_H_PIDS, CG_M_PIDS, cg_extract_keyed, v1_pids_max),
	/* the _recursive files count the whole subtree; older kernels only
	 * have the flat ones (the container's own cgroup only) */
	FILE("blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes",
	     CG_H_BLKIO, CG_M_IO, extract_blkio, v1_io_bytes),
	FILE("blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced", CG_H_BLKIO,
	     CG_M_IO, extract_blkio, v1_io_ops),
};

const struct cg_file_table cg_v1_table = { v1_files, CG_N(v1_files) };
