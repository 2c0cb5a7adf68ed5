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
static int blkio_walk(const char *buf, size_t len, uint64_t sum[2], bool ops,
		      struct cg_dev_split *devs, size_t *n, size_t cap)
{
	const char *p = buf, *end = buf + len;
	size_t hint = 0, got = n ? *n : 0;

	sum[0] = sum[1] = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *ts[4], *te[4];
		struct cg_dev_split *d = NULL;
		uint32_t ma, mi;
		uint64_t v;
		int k = tokens(p, le, ts, te), r, which;

		p = nl ? nl + 1 : end;
		if (k == 0)
			continue;
		if (k == 2 && tok_is(ts[0], te[0], "Total")) {
			r = cg_parse_u64(ts[1], (size_t)(te[1] - ts[1]), &v);
			if (r < 0)
				return r == -ERANGE ? -EINVAL : r;
			continue;
		}
		if (k != 3 || cg_parse_devno(ts[0], te[0], &ma, &mi) < 0)
			return -EINVAL;
		r = cg_parse_u64(ts[2], (size_t)(te[2] - ts[2]), &v);
		if (r < 0)
			return r == -ERANGE ? -EINVAL : r;
		/* LXD makes an entry of every device line, Read/Write or not */
		if (devs && !(d = cg_dev_slot(devs, &got, cap, &hint, ma, mi)))
			return -ENOBUFS;
		if (tok_is(ts[1], te[1], "Read"))
			which = 0;
		else if (tok_is(ts[1], te[1], "Write"))
			which = 1;
		else
			continue; /* Sync, Async, Discard, Total, or newer */
		if (sum[which] > UINT64_MAX - v)
			return -EOVERFLOW;
		sum[which] += v;
		if (d && which) /* no overflow: the sum holds it */
			*(ops ? &d->wios : &d->wbytes) += v;
		else if (d)
			*(ops ? &d->rios : &d->rbytes) += v;
	}
	if (n)
		*n = got;
	return (int)got;
}

int cg_parse_blkio(const char *buf, size_t len, uint64_t *ret_read, uint64_t *ret_write)
{
	uint64_t sum[2];
	int r = blkio_walk(buf, len, sum, false, NULL, NULL, 0);

	if (r < 0)
		return r;
	*ret_read = sum[0];
	*ret_write = sum[1];
	return 0;
}

int cg_parse_blkio_dev(const char *buf, size_t len, bool ops, struct cg_dev_split *devs,
		       size_t *n, size_t cap)
{
	uint64_t sum[2];

	return blkio_walk(buf, len, sum, ops, devs, n, cap);
}

/* Per device into the split store (merged with the other blkio file's
 * devices) and the sums. */
static int blkio_split(const char *buf, size_t len, bool ops, struct cg_split_store *sp,
		       uint64_t v[2])
{
	size_t n0 = sp->ndev;
	int r = -ENOBUFS;

	/* a NULL array means "sums only" to the walk: room first */
	while (sp->dev_cap > n0 || cg_split_grow((void **)&sp->dev, &sp->dev_cap,
						  sizeof(*sp->dev), CG_SPLIT_MAX_DEV) == 0) {
		r = blkio_walk(buf, len, v, ops, sp->dev, &sp->ndev, sp->dev_cap);
		if (r != -ENOBUFS)
			break;
		/* the pass added to the devices it found: undo, grow, again */
		for (size_t i = 0; i < n0; i++)
			if (ops)
				sp->dev[i].rios = sp->dev[i].wios = 0;
			else
				sp->dev[i].rbytes = sp->dev[i].wbytes = 0;
		if (cg_split_grow((void **)&sp->dev, &sp->dev_cap, sizeof(*sp->dev),
				  CG_SPLIT_MAX_DEV) < 0)
			break;
	}
	if (r < 0)
		sp->ndev = 0;
	/* more devices than the store holds, or no memory: the sums at least */
	if (r == -ENOBUFS)
		r = blkio_walk(buf, len, v, ops, NULL, NULL, 0);
	return r < 0 ? r : 0;
}

static void extract_blkio(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			  size_t len, struct cg_scratch *s)
{
	uint64_t v[2];
	int r = s->split ? blkio_split(buf, len, spec->map[0].slot == CG_IO_READ_OPS, s->split, v)
			 : cg_parse_blkio(buf, len, &v[0], &v[1]);

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
static int cpuacct_walk(const char *buf, size_t len, uint64_t sum[2], struct cg_cpu_split *cpus,
			size_t cap)
{
	const char *p = buf, *end = buf + len;
	bool header = false;
	size_t n = 0;

	sum[0] = sum[1] = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		const char *ts[4], *te[4];
		uint64_t v[3];
		int k = tokens(p, le, ts, te);

		p = nl ? nl + 1 : end;
		if (k == 0)
			continue;
		if (k != 3)
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
		for (int i = 1; i < 3; i++) {
			int r = cg_parse_u64(ts[i], (size_t)(te[i] - ts[i]), &v[i]);

			if (r < 0)
				return r == -ERANGE ? -EINVAL : r;
			if (sum[i - 1] > UINT64_MAX - v[i])
				return -EOVERFLOW;
			sum[i - 1] += v[i];
		}
		if (!cpus)
			continue;
		if (cg_parse_u64(ts[0], (size_t)(te[0] - ts[0]), &v[0]) < 0 || v[0] > UINT32_MAX)
			return -EINVAL;
		if (n == cap)
			return -ENOBUFS;
		cpus[n++] = (struct cg_cpu_split){ (uint32_t)v[0], v[1], v[2] };
	}
	return header ? (int)n : -EINVAL;
}

int cg_parse_cpuacct_all(const char *buf, size_t len, uint64_t *ret_user, uint64_t *ret_system)
{
	uint64_t sum[2];
	int r = cpuacct_walk(buf, len, sum, NULL, 0);

	if (r < 0)
		return r;
	*ret_user = sum[0];
	*ret_system = sum[1];
	return 0;
}

int cg_parse_cpuacct_percpu(const char *buf, size_t len, struct cg_cpu_split *ret, size_t cap)
{
	uint64_t sum[2];

	return cpuacct_walk(buf, len, sum, ret, cap);
}

/* Per CPU into the split store, and the sums. */
static int cpuacct_split(const char *buf, size_t len, struct cg_split_store *sp, uint64_t v[2])
{
	int r = -ENOBUFS;

	/* a NULL array means "sums only" to the walk: room first */
	if (sp->cpu || cg_split_grow((void **)&sp->cpu, &sp->cpu_cap, sizeof(*sp->cpu),
				     CG_SPLIT_MAX_CPU) == 0)
		while ((r = cpuacct_walk(buf, len, v, sp->cpu, sp->cpu_cap)) == -ENOBUFS &&
		       cg_split_grow((void **)&sp->cpu, &sp->cpu_cap, sizeof(*sp->cpu),
				     CG_SPLIT_MAX_CPU) == 0)
			;
	sp->ncpu = r < 0 ? 0 : (size_t)r;
	/* more CPUs than the store holds, or no memory: the sums at least */
	if (r == -ENOBUFS)
		r = cpuacct_walk(buf, len, v, NULL, 0);
	return r < 0 ? r : 0;
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
	r = s->split ? cpuacct_split(buf, len, s->split, v)
		     : cg_parse_cpuacct_all(buf, len, &v[0], &v[1]);
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
