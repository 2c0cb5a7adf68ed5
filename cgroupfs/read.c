/* read: a container's open cgroup files, re-read every cycle, and its
 * limits, read now and then.
 *
 * What is read from where is data: a table of files per cgroup version
 * (cg_v2_table here, cg_v1_table in v1.c), each file with its keys and the
 * field each key feeds. The parsers never ask which version they read.
 *
 * Files are opened once and re-read with pread(fd, buf, cap, 0): cgroup
 * files are seq_files, which regenerate their contents for every read from
 * offset 0 (checked on a real hierarchy by tests/unit/cgreal_test.c).
 * Each open file costs a fd and a page of kernel memory (the seq_file
 * buffer) for the container's life; limits, which change only when an
 * administrator sets them, cost neither: they are opened, read and closed
 * at each cg_container_reload_limits(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroupfs/internal.h"

#define BUF_INITIAL 4096
#define BUF_MAX (1u << 20) /* io.stat / blkio of a host with very many disks */

/* Above this a memory limit is the kernel's "no limit" (v1 reports
 * PAGE_COUNTER_MAX, 9223372036854771712 on x86-64, rounded to pages). */
#define UNLIMITED_FLOOR (1ull << 62)

struct cg_open_file {
	const struct cg_file_spec *spec;
	uint64_t active; /* bit i: spec->map[i] is read from this file */
	int fd;
};

/* What the files not held open feed, kept from the last reload. */
static const unsigned kept_fields[] = {
	CG_CPU_LIMIT_CPUS, CG_MEM_LIMIT,	    CG_PIDS_LIMIT,	 CG_CPU_PERIODS,
	CG_CPU_THROTTLED_PERIODS, CG_CPU_THROTTLED_NS, CG_MEM_FAILCNT, CG_CPU_EFFECTIVE_CPUS,
};

struct cg_container {
	struct cg_open_file *files; /* held open, re-read every cycle */
	size_t n;
	struct cg_open_file *limits; /* limits and gated files, fd -1 */
	size_t nlimits;
	const struct cg_root *root;
	char *relpath;
	uint64_t kept;		       /* fields fed by files not held open */
	uint64_t lim_present, lim_bad; /* bits of kept_fields[] */
	uint64_t lim_v[CG_N(kept_fields)]; /* raw bits of cg_stats.v[] */
	bool partial; /* the cgroup was missing in a hierarchy at open */
	bool want_split; /* CG_M_SPLIT */
	struct cg_split_store split;
};

/* One read buffer for every container (reused by every read: no
 * allocation per cycle). One per container cost 4 KiB of RSS each, and
 * copying into a thousand cold buffers costs cache misses. Reads are
 * single-threaded: the collector reads from one thread. */
static char *rd_buf;
static size_t rd_cap;

/* ---- helpers shared by cgroupfs/ ---- */

int cg_openat(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, flags | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? -errno : fd;
}

int cg_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= max)
				return -EFBIG;
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int cg_split_grow(void **arr, size_t *cap, size_t elem, size_t max)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *na;

	if (*cap >= max)
		return -ENOBUFS;
	if (ncap > max)
		ncap = max;
	na = reallocarray(*arr, ncap, elem);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

/* ---- field metadata ---- */

static const char *const field_names[CG_PSI_BASE] = {
	[CG_CPU_USAGE_NS] = "cpu.usage_ns",
	[CG_CPU_USER_NS] = "cpu.user_ns",
	[CG_CPU_SYSTEM_NS] = "cpu.system_ns",
	[CG_CPU_USER_TICKS] = "cpu.user_ticks",
	[CG_CPU_SYSTEM_TICKS] = "cpu.system_ticks",
	[CG_CPU_PERIODS] = "cpu.periods",
	[CG_CPU_THROTTLED_PERIODS] = "cpu.throttled_periods",
	[CG_CPU_THROTTLED_NS] = "cpu.throttled_ns",
	[CG_CPU_LIMIT_CPUS] = "cpu.limit_cpus",
	[CG_MEM_USAGE] = "memory.usage_bytes",
	[CG_MEM_WORKING_SET] = "memory.working_set_bytes",
	[CG_MEM_RSS] = "memory.rss_bytes",
	[CG_MEM_CACHE] = "memory.cache_bytes",
	[CG_MEM_SWAP] = "memory.swap_bytes",
	[CG_MEM_LIMIT] = "memory.limit_bytes",
	[CG_MEM_OOM_KILLS] = "memory.oom_kills",
	[CG_MEM_FAILCNT] = "memory.failcnt",
	[CG_PIDS_CURRENT] = "pids.current",
	[CG_PIDS_LIMIT] = "pids.limit",
	[CG_IO_READ_BYTES] = "io.read_bytes",
	[CG_IO_WRITE_BYTES] = "io.write_bytes",
	[CG_IO_READ_OPS] = "io.read_ops",
	[CG_IO_WRITE_OPS] = "io.write_ops",
	[CG_MEM_ACTIVE_ANON] = "memory.active_anon",
	[CG_MEM_ACTIVE_FILE] = "memory.active_file",
	[CG_MEM_INACTIVE_ANON] = "memory.inactive_anon",
	[CG_MEM_INACTIVE_FILE] = "memory.inactive_file",
	[CG_MEM_UNEVICTABLE] = "memory.unevictable",
	[CG_MEM_WRITEBACK] = "memory.writeback",
	[CG_MEM_DIRTY] = "memory.dirty",
	[CG_MEM_MAPPED] = "memory.mapped",
	[CG_MEM_SHMEM] = "memory.shmem",
	[CG_CPU_EFFECTIVE_CPUS] = "cpu.effective_cpus",
};

static const char *const psi_field_names[CG_PSI_MAX][4] = {
	{ "pressure.cpu.some_avg10", "pressure.cpu.some_total_us", "pressure.cpu.full_avg10",
	  "pressure.cpu.full_total_us" },
	{ "pressure.memory.some_avg10", "pressure.memory.some_total_us",
	  "pressure.memory.full_avg10", "pressure.memory.full_total_us" },
	{ "pressure.io.some_avg10", "pressure.io.some_total_us", "pressure.io.full_avg10",
	  "pressure.io.full_total_us" },
};

const char *cg_field_name(enum cg_field f)
{
	if ((unsigned)f < CG_PSI_BASE)
		return field_names[f];
	if ((unsigned)f < CG_FIELD_MAX)
		return psi_field_names[(f - CG_PSI_BASE) / 4][(f - CG_PSI_BASE) % 4];
	return "unknown";
}

bool cg_field_is_double(enum cg_field f)
{
	if (f == CG_CPU_LIMIT_CPUS)
		return true;
	if ((unsigned)f >= CG_PSI_BASE && (unsigned)f < CG_FIELD_MAX) {
		unsigned k = (f - CG_PSI_BASE) % 4;

		return k == CG_PSI_SOME_AVG10 || k == CG_PSI_FULL_AVG10;
	}
	return false;
}

const char *cg_psi_name(enum cg_psi r)
{
	switch (r) {
	case CG_PSI_CPU:
		return "cpu";
	case CG_PSI_MEMORY:
		return "memory";
	case CG_PSI_IO:
		return "io";
	case CG_PSI_MAX:
		break;
	}
	return "unknown";
}

/* ---- extractors ---- */

uint64_t cg_clk_tck(void)
{
	long t = sysconf(_SC_CLK_TCK); /* USER_HZ, 100 nearly everywhere */

	return t > 0 ? (uint64_t)t : 100;
}

void cg_store(const struct cg_map *map, int r, uint64_t v, struct cg_scratch *s)
{
	if (r == -ENOENT)
		return; /* key not in this file (e.g. total_swap without swap accounting) */
	if (map->flags & CG_MAP_UNLIMITED) {
		if (r == -ERANGE || (r == 0 && v >= UNLIMITED_FLOOR))
			return;
	}
	if (r < 0) {
		cg_set_bad(s, map->slot);
		return;
	}
	switch (map->scale) {
	case CG_SCALE_1:
		break;
	case CG_SCALE_US_TO_NS:
		if (v > UINT64_MAX / 1000) {
			cg_set_bad(s, map->slot);
			return;
		}
		v *= 1000;
		break;
	case CG_SCALE_US_TO_TICKS: {
		uint64_t hz = cg_clk_tck();

		/* split so that v * hz cannot overflow */
		v = v / 1000000 * hz + v % 1000000 * hz / 1000000;
		break;
	}
	}
	cg_set_u64(s, map->slot, v);
}

void cg_extract_keyed(const struct cg_file_spec *spec, uint64_t active, const char *buf,
		      size_t len, struct cg_scratch *s)
{
	const char *keys[16];
	unsigned idx[16], nk = 0;
	uint64_t v[16];
	int r[16];

	/* keyed entries in one pass over the file (memory.stat has dozens of
	 * lines); a whole-file number on its own */
	for (unsigned i = 0; i < spec->nmap; i++) {
		const struct cg_map *m = &spec->map[i];

		if (!((active >> i) & 1))
			continue;
		if (m->key && nk < 16) {
			keys[nk] = m->key;
			idx[nk++] = i;
			continue;
		}
		v[0] = 0;
		r[0] = cg_parse_u64(buf, len, &v[0]);
		cg_store(m, r[0] == -ENOENT ? -EINVAL : r[0], v[0], s);
	}
	if (nk == 0)
		return;
	cg_parse_keyed_multi(buf, len, keys, nk, v, r);
	for (unsigned k = 0; k < nk; k++)
		cg_store(&spec->map[idx[k]], r[k], r[k] == 0 ? v[k] : 0, s);
}

static void bad_all(const struct cg_file_spec *spec, uint64_t active, struct cg_scratch *s)
{
	for (unsigned i = 0; i < spec->nmap; i++)
		if ((active >> i) & 1)
			cg_set_bad(s, spec->map[i].slot);
}

/* v2 cpu.max: map[0] gets quota/period (double), absent when "max". */
static void extract_cpu_max(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			    size_t len, struct cg_scratch *s)
{
	double cpus;
	int r = cg_parse_cpu_max(buf, len, &cpus);

	if (r == -ERANGE)
		return;
	if (r < 0)
		bad_all(spec, active, s);
	else if (active & 1)
		cg_set_double(s, spec->map[0].slot, cpus);
}

/* v2 io.stat: map[0..3] get the sums of rbytes, wbytes, rios, wios. */
void cg_extract_cpuset(const struct cg_file_spec *spec, uint64_t active, const char *buf,
		       size_t len, struct cg_scratch *s)
{
	uint64_t n;
	int r = cg_parse_cpuset_count(buf, len, &n);

	if (r == -ENODATA || !(active & 1))
		return;
	if (r < 0)
		cg_set_bad(s, spec->map[0].slot);
	else
		cg_set_u64(s, spec->map[0].slot, n);
}

/* Per device into the split store, and the sums. */
static int io_stat_split(const char *buf, size_t len, struct cg_split_store *sp, uint64_t v[4])
{
	int r = -ENOBUFS;

	/* a NULL array means "sums only" to the walk: room first */
	if (sp->dev || cg_split_grow((void **)&sp->dev, &sp->dev_cap, sizeof(*sp->dev),
				     CG_SPLIT_MAX_DEV) == 0)
		while ((r = cg_parse_io_stat_split(buf, len, v, sp->dev, sp->dev_cap)) ==
			       -ENOBUFS &&
		       cg_split_grow((void **)&sp->dev, &sp->dev_cap, sizeof(*sp->dev),
				     CG_SPLIT_MAX_DEV) == 0)
			;
	sp->ndev = r < 0 ? 0 : (size_t)r;
	/* more devices than the store holds, or no memory: the sums at least */
	if (r == -ENOBUFS)
		r = cg_parse_io_stat_split(buf, len, v, NULL, 0);
	return r < 0 ? r : 0;
}

static void extract_io_stat(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			    size_t len, struct cg_scratch *s)
{
	uint64_t v[4];

	if ((s->split ? io_stat_split(buf, len, s->split, v) : cg_parse_io_stat(buf, len, v)) < 0) {
		bad_all(spec, active, s);
		return;
	}
	for (unsigned i = 0; i < spec->nmap && i < 4; i++)
		if ((active >> i) & 1)
			cg_set_u64(s, spec->map[i].slot, v[i]);
}

/* PSI: map[] in enum cg_psi_key order. avg10 in percent (double), totals
 * in µs. The full fields are absent when the file has no "full" line. */
static void extract_psi(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			size_t len, struct cg_scratch *s)
{
	double sa, fa;
	uint64_t st, ft;
	bool have_full;

	if (cg_parse_psi(buf, len, &sa, &st, &fa, &ft, &have_full) < 0) {
		bad_all(spec, active, s);
		return;
	}
	if (active & (1u << CG_PSI_SOME_AVG10))
		cg_set_double(s, spec->map[CG_PSI_SOME_AVG10].slot, sa);
	if (active & (1u << CG_PSI_SOME_TOTAL_US))
		cg_set_u64(s, spec->map[CG_PSI_SOME_TOTAL_US].slot, st);
	if (!have_full)
		return;
	if (active & (1u << CG_PSI_FULL_AVG10))
		cg_set_double(s, spec->map[CG_PSI_FULL_AVG10].slot, fa);
	if (active & (1u << CG_PSI_FULL_TOTAL_US))
		cg_set_u64(s, spec->map[CG_PSI_FULL_TOTAL_US].slot, ft);
}

/* ---- the v2 table ---- */

#define N(a) ((unsigned)CG_N(a))

/* cpu.stat exists in every v2 group even without the cpu controller
 * (usage/user/system); nr_periods & co only with it. In HYBRID mode the v1
 * cpuacct and cpu hierarchies take precedence (the shadow column). */
static const struct cg_map v2_cpu_stat[] = {
	{ "usage_usec", CG_CPU_USAGE_NS, CG_SCALE_US_TO_NS, 0, CG_H_CPUACCT },
	{ "user_usec", CG_CPU_USER_NS, CG_SCALE_US_TO_NS, 0, CG_H_CPUACCT },
	{ "system_usec", CG_CPU_SYSTEM_NS, CG_SCALE_US_TO_NS, 0, CG_H_CPUACCT },
	{ "user_usec", CG_CPU_USER_TICKS, CG_SCALE_US_TO_TICKS, 0, CG_H_CPUACCT },
	{ "system_usec", CG_CPU_SYSTEM_TICKS, CG_SCALE_US_TO_TICKS, 0, CG_H_CPUACCT },
	{ "nr_periods", CG_CPU_PERIODS, CG_SCALE_1, 0, CG_H_CPU },
	{ "nr_throttled", CG_CPU_THROTTLED_PERIODS, CG_SCALE_1, 0, CG_H_CPU },
	{ "throttled_usec", CG_CPU_THROTTLED_NS, CG_SCALE_US_TO_NS, 0, CG_H_CPU },
};
static const struct cg_map v2_cpu_max[] = {
	{ NULL, CG_CPU_LIMIT_CPUS, CG_SCALE_1, CG_MAP_UNLIMITED, CG_H_CPU },
};
static const struct cg_map v2_cpuset[] = {
	{ NULL, CG_CPU_EFFECTIVE_CPUS, CG_SCALE_1, 0, CG_H_CPUSET },
};
static const struct cg_map v2_mem_current[] = {
	{ NULL, CG_MEM_USAGE, CG_SCALE_1, 0, CG_H_MEMORY },
};
/* v2 memory.stat is hierarchical already (no total_ prefix as in v1) */
static const struct cg_map v2_mem_stat[] = {
	{ "inactive_file", CG_AUX_INACTIVE_FILE, CG_SCALE_1, 0, CG_H_MEMORY },
	{ "anon", CG_MEM_RSS, CG_SCALE_1, 0, CG_H_MEMORY },
	{ "file", CG_MEM_CACHE, CG_SCALE_1, 0, CG_H_MEMORY },
	/* the LRU and page-state sizes, for /1.0/metrics only */
	{ "active_anon", CG_MEM_ACTIVE_ANON, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "active_file", CG_MEM_ACTIVE_FILE, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "inactive_anon", CG_MEM_INACTIVE_ANON, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "inactive_file", CG_MEM_INACTIVE_FILE, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "unevictable", CG_MEM_UNEVICTABLE, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "file_writeback", CG_MEM_WRITEBACK, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "file_dirty", CG_MEM_DIRTY, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "file_mapped", CG_MEM_MAPPED, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
	{ "shmem", CG_MEM_SHMEM, CG_SCALE_1, CG_MAP_DETAIL, CG_H_MEMORY },
};
static const struct cg_map v2_mem_swap[] = {
	{ NULL, CG_MEM_SWAP, CG_SCALE_1, 0, CG_H_MEMORY },
};
static const struct cg_map v2_mem_max[] = {
	{ NULL, CG_MEM_LIMIT, CG_SCALE_1, CG_MAP_UNLIMITED, CG_H_MEMORY },
};
/* "max": times usage hit memory.max, the v2 counterpart of v1 failcnt */
static const struct cg_map v2_mem_events[] = {
	{ "oom_kill", CG_MEM_OOM_KILLS, CG_SCALE_1, 0, CG_H_MEMORY },
	{ "max", CG_MEM_FAILCNT, CG_SCALE_1, 0, CG_H_MEMORY },
};
static const struct cg_map v2_pids_current[] = {
	{ NULL, CG_PIDS_CURRENT, CG_SCALE_1, 0, CG_H_PIDS },
};
static const struct cg_map v2_pids_max[] = {
	{ NULL, CG_PIDS_LIMIT, CG_SCALE_1, CG_MAP_UNLIMITED, CG_H_PIDS },
};
static const struct cg_map v2_io_stat[] = {
	{ "rbytes", CG_IO_READ_BYTES, CG_SCALE_1, 0, CG_H_BLKIO },
	{ "wbytes", CG_IO_WRITE_BYTES, CG_SCALE_1, 0, CG_H_BLKIO },
	{ "rios", CG_IO_READ_OPS, CG_SCALE_1, 0, CG_H_BLKIO },
	{ "wios", CG_IO_WRITE_OPS, CG_SCALE_1, 0, CG_H_BLKIO },
};
/* PSI only exists on the v2 tree: never shadowed */
#define PSI_MAP(res)                                                                       \
	{                                                                                  \
		{ "some avg10", CG_PSI_FIELD(res, CG_PSI_SOME_AVG10), CG_SCALE_1, 0, CG_H_MAX }, \
		{ "some total", CG_PSI_FIELD(res, CG_PSI_SOME_TOTAL_US), CG_SCALE_1, 0, CG_H_MAX }, \
		{ "full avg10", CG_PSI_FIELD(res, CG_PSI_FULL_AVG10), CG_SCALE_1, 0, CG_H_MAX }, \
		{ "full total", CG_PSI_FIELD(res, CG_PSI_FULL_TOTAL_US), CG_SCALE_1, 0, CG_H_MAX }, \
	}
static const struct cg_map v2_psi_cpu[] = PSI_MAP(CG_PSI_CPU);
static const struct cg_map v2_psi_memory[] = PSI_MAP(CG_PSI_MEMORY);
static const struct cg_map v2_psi_io[] = PSI_MAP(CG_PSI_IO);

#define V2(name, metric, fn, map, arg) \
	{ name, NULL, CG_H_UNIFIED, metric, fn, map, N(map), arg, CG_READ_HELD, 0 }
#define V2_LIMIT(name, metric, fn, map) \
	{ name, NULL, CG_H_UNIFIED, metric, fn, map, N(map), 0, CG_READ_LIMIT, 0 }

static const struct cg_file_spec v2_files[] = {
	V2("cpu.stat", CG_M_CPU, cg_extract_keyed, v2_cpu_stat, 0),
	V2_LIMIT("cpu.max", CG_M_CPU, extract_cpu_max, v2_cpu_max),
	V2_LIMIT("cpuset.cpus.effective", CG_M_CPU, cg_extract_cpuset, v2_cpuset),
	V2("memory.current", CG_M_MEMORY, cg_extract_keyed, v2_mem_current, 0),
	V2("memory.stat", CG_M_MEMORY, cg_extract_keyed, v2_mem_stat, 0),
	V2("memory.swap.current", CG_M_MEMORY, cg_extract_keyed, v2_mem_swap, 0),
	V2_LIMIT("memory.max", CG_M_MEMORY, cg_extract_keyed, v2_mem_max),
	V2("memory.events", CG_M_MEMORY, cg_extract_keyed, v2_mem_events, 0),
	V2("pids.current", CG_M_PIDS, cg_extract_keyed, v2_pids_current, 0),
	V2_LIMIT("pids.max", CG_M_PIDS, cg_extract_keyed, v2_pids_max),
	V2("io.stat", CG_M_IO, extract_io_stat, v2_io_stat, 0),
	V2("cpu.pressure", CG_M_PRESSURE, extract_psi, v2_psi_cpu, CG_PSI_CPU),
	V2("memory.pressure", CG_M_PRESSURE, extract_psi, v2_psi_memory, CG_PSI_MEMORY),
	V2("io.pressure", CG_M_PRESSURE, extract_psi, v2_psi_io, CG_PSI_IO),
};

const struct cg_file_table cg_v2_table = { v2_files, N(v2_files) };

/* Every table in force; dropping v1 support = deleting v1.c and its line. */
static const struct cg_file_table *const tables[] = { &cg_v1_table, &cg_v2_table };

/* ---- open / read ---- */

/* The fields a file feeds. */
static uint64_t fields_of(const struct cg_open_file *f)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < f->spec->nmap; i++)
		if ((f->active >> i) & 1)
			m |= 1ull << f->spec->map[i].slot;
	return m;
}

/* A file not held open is only remembered here. */
static int add_limit(struct cg_container *c, const struct cg_file_spec *spec, uint64_t active)
{
	struct cg_open_file *nl = reallocarray(c->limits, c->nlimits + 1, sizeof(*nl));

	if (!nl)
		return -ENOMEM;
	c->limits = nl;
	c->limits[c->nlimits] = (struct cg_open_file){ .spec = spec, .active = active, .fd = -1 };
	c->kept |= fields_of(&c->limits[c->nlimits++]);
	if (c->kept & ((1ull << CG_AUX_CFS_QUOTA) | (1ull << CG_AUX_CFS_PERIOD)))
		c->kept |= 1ull << CG_CPU_LIMIT_CPUS; /* v1: derived at each reload */
	return 0;
}

static int add_file(struct cg_container *c, const struct cg_file_spec *spec, uint64_t active,
		    int dirfd)
{
	struct cg_open_file *nf;
	int fd;

	if (spec->kind != CG_READ_HELD)
		return add_limit(c, spec, active);
	fd = cg_openat(dirfd, spec->name, 0);
	if (fd == -ENOENT && spec->fallback)
		fd = cg_openat(dirfd, spec->fallback, 0);
	if (fd == -ENOMEM || fd == -EMFILE || fd == -ENFILE)
		return fd;
	if (fd < 0)
		return 0; /* absent (or unreadable): its fields stay absent */
	nf = reallocarray(c->files, c->n + 1, sizeof(*nf));
	if (!nf) {
		close(fd);
		return -ENOMEM;
	}
	c->files = nf;
	c->files[c->n++] = (struct cg_open_file){ .spec = spec, .active = active, .fd = fd };
	return 0;
}

static int reload(struct cg_container *c, const int *dirs);

int cg_container_open(struct cg_root *r, const char *relpath, unsigned metrics,
		      struct cg_container **ret)
{
	int dir[CG_H_MAX], k = 0;
	struct cg_container *c;
	bool any = false;

	if (!cg_relpath_ok(relpath))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->root = r;
	c->want_split = metrics & CG_M_SPLIT;
	c->relpath = strdup(relpath);
	if (!c->relpath) {
		free(c);
		return -ENOMEM;
	}
	if (!rd_buf) {
		rd_buf = malloc(BUF_INITIAL);
		if (!rd_buf) {
			cg_container_free(c);
			return -ENOMEM;
		}
		rd_cap = BUF_INITIAL;
	}
	for (int h = 0; h < CG_H_MAX; h++) {
		dir[h] = -1;
		if (r->fd[h] < 0)
			continue;
		dir[h] = openat(r->fd[h], relpath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		any |= dir[h] >= 0;
		c->partial |= dir[h] < 0;
	}
	if (!any) {
		k = -ENOENT;
		goto out;
	}
	for (size_t t = 0; t < N(tables); t++) {
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct cg_file_spec *spec = &tables[t]->files[i];
			uint64_t active = 0;

			if (!(spec->metrics & metrics) || dir[spec->hier] < 0)
				continue;
			for (unsigned m = 0; m < spec->nmap; m++) {
				enum cg_hier sh = spec->map[m].shadow;

				if ((spec->map[m].flags & CG_MAP_DETAIL) &&
				    !(metrics & CG_M_MEMORY_DETAIL))
					continue;
				if (sh == CG_H_MAX || r->fd[sh] < 0)
					active |= 1ull << m;
			}
			if (!active)
				continue;
			k = add_file(c, spec, active, dir[spec->hier]);
			if (k < 0)
				goto out;
		}
	}
	k = reload(c, dir);
out:
	for (int h = 0; h < CG_H_MAX; h++)
		if (dir[h] >= 0)
			close(dir[h]);
	if (k < 0) {
		cg_container_free(c);
		return k;
	}
	*ret = c;
	return 0;
}

/* Whole file at offset 0 into rd_buf, growing it (rarely) when it fills. */
static ssize_t reread(int fd)
{
	for (;;) {
		ssize_t n = pread(fd, rd_buf, rd_cap, 0);
		char *nb;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n < rd_cap || rd_cap >= BUF_MAX)
			return n;
		nb = realloc(rd_buf, rd_cap * 2);
		if (!nb)
			return -ENOMEM;
		rd_buf = nb;
		rd_cap *= 2;
	}
}

/* Open, read and close one limit file, NAME or its fallback: relative to
 * the container's directory while DIRS (at open) has it, else to its
 * hierarchy's root, "RELPATH/NAME" in one openat, no directory fd held. */
static ssize_t read_limit(const struct cg_container *c, const struct cg_file_spec *spec,
			  const int *dirs)
{
	char path[4096];
	int rootfd = cg_root_fd(c->root, spec->hier), fd;
	ssize_t n;

	if (dirs && dirs[spec->hier] >= 0) {
		fd = cg_openat(dirs[spec->hier], spec->name, 0);
		if (fd == -ENOENT && spec->fallback)
			fd = cg_openat(dirs[spec->hier], spec->fallback, 0);
		goto opened;
	}
	if (rootfd < 0)
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->relpath, spec->name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = cg_openat(rootfd, path, 0);
	if (fd == -ENOENT && spec->fallback) {
		snprintf(path, sizeof(path), "%s/%s", c->relpath, spec->fallback);
		fd = cg_openat(rootfd, path, 0);
	}
opened:
	if (fd < 0)
		return fd;
	n = reread(fd);
	close(fd);
	return n;
}

static void derive(struct cg_scratch *s);

/* Open, read, close and extract the files of KIND among the limits. */
static int read_unheld(const struct cg_container *c, enum cg_read_kind kind, uint64_t gates,
		       const int *dirs, struct cg_scratch *s)
{
	for (size_t i = 0; i < c->nlimits; i++) {
		const struct cg_open_file *f = &c->limits[i];
		ssize_t n;

		if (f->spec->kind != kind ||
		    (kind == CG_READ_GATED && gates != UINT64_MAX && !((gates >> f->spec->gate) & 1)))
			continue;
		n = read_limit(c, f->spec, dirs);
		if (n == -ENOMEM || n == -EMFILE || n == -ENFILE)
			return (int)n;
		if (n < 0)
			continue; /* absent (or the cgroup is gone: the counters tell) */
		f->spec->extract(f->spec, f->active, rd_buf, (size_t)n, s);
	}
	return 0;
}

static int reload(struct cg_container *c, const int *dirs)
{
	struct cg_scratch s;
	int r;

	memset(&s, 0, sizeof(s));
	r = read_unheld(c, CG_READ_LIMIT, 0, dirs, &s);
	if (r < 0)
		return r; /* the last values stay */
	derive(&s); /* v1: quota / period */
	r = read_unheld(c, CG_READ_GATED, UINT64_MAX, dirs, &s);
	if (r < 0)
		return r;
	c->lim_present = c->lim_bad = 0;
	for (size_t k = 0; k < CG_N(kept_fields); k++) {
		unsigned f = kept_fields[k];

		c->lim_v[k] = s.v[f].u;
		if (cg_slot_has(&s, f))
			c->lim_present |= 1ull << f;
		else if ((s.bad >> f) & 1)
			c->lim_bad |= 1ull << f;
	}
	return 0;
}

int cg_container_reload_limits(struct cg_container *c)
{
	return reload(c, NULL);
}

/* The kept fields into S, but for those of gated files whose limit is set:
 * these are read now. */
static void read_kept(const struct cg_container *c, struct cg_scratch *s)
{
	uint64_t live = 0;

	for (size_t i = 0; i < c->nlimits; i++) {
		const struct cg_open_file *f = &c->limits[i];

		if (f->spec->kind == CG_READ_GATED && ((c->lim_present >> f->spec->gate) & 1))
			live |= fields_of(f);
	}
	if (live && read_unheld(c, CG_READ_GATED, c->lim_present, NULL, s) < 0)
		live = 0; /* out of fds or memory: the last reload's values */
	for (size_t k = 0; k < CG_N(kept_fields); k++) {
		uint64_t bit = 1ull << kept_fields[k];

		if ((live & bit) || !(c->kept & bit))
			continue;
		s->v[kept_fields[k]].u = c->lim_v[k];
		s->present = (s->present & ~bit) | (c->lim_present & bit);
		s->bad = (s->bad & ~bit) | (c->lim_bad & bit);
	}
}

/* Fields computed from others; written for whichever table supplied the
 * inputs. */
static void derive(struct cg_scratch *s)
{
	const uint64_t ws_in = (1ull << CG_MEM_USAGE) | (1ull << CG_AUX_INACTIVE_FILE);
	const uint64_t cfs_in = (1ull << CG_AUX_CFS_QUOTA) | (1ull << CG_AUX_CFS_PERIOD);

	/* working set = usage - inactive_file: what the kernel cannot reclaim
	 * easily (the figure Kubernetes and netdata call working set) */
	if ((s->present & ws_in) == ws_in) {
		uint64_t u = s->v[CG_MEM_USAGE].u, i = s->v[CG_AUX_INACTIVE_FILE].u;

		cg_set_u64(s, CG_MEM_WORKING_SET, u > i ? u - i : 0);
	} else if (s->bad & ws_in) {
		cg_set_bad(s, CG_MEM_WORKING_SET);
	}

	/* v1 limit as two files, quota and period in µs */
	if (!cg_slot_has(s, CG_CPU_LIMIT_CPUS) && (s->present & cfs_in) == cfs_in) {
		uint64_t p = s->v[CG_AUX_CFS_PERIOD].u;

		if (p > 0)
			cg_set_double(s, CG_CPU_LIMIT_CPUS, (double)s->v[CG_AUX_CFS_QUOTA].u / (double)p);
		else
			cg_set_bad(s, CG_CPU_LIMIT_CPUS);
	} else if (!cg_slot_has(s, CG_CPU_LIMIT_CPUS) && (s->bad & cfs_in)) {
		cg_set_bad(s, CG_CPU_LIMIT_CPUS);
	}

	/* kernels before 4.7 have no cpuacct.usage_user/usage_sys: fall back
	 * to cpuacct.stat's USER_HZ ticks, coarser but the same quantity */
	for (int k = 0; k < 2; k++) {
		unsigned ns = k ? CG_CPU_SYSTEM_NS : CG_CPU_USER_NS;
		unsigned ticks = k ? CG_CPU_SYSTEM_TICKS : CG_CPU_USER_TICKS;
		uint64_t per = 1000000000ull / cg_clk_tck();

		if (cg_slot_has(s, ns) || ((s->bad >> ns) & 1) || !cg_slot_has(s, ticks))
			continue;
		if (s->v[ticks].u > UINT64_MAX / per)
			cg_set_bad(s, ns);
		else
			cg_set_u64(s, ns, s->v[ticks].u * per);
	}
}

int cg_container_read(struct cg_container *c, struct cg_stats *ret)
{
	const uint64_t pub = (1ull << CG_FIELD_MAX) - 1;
	struct cg_scratch s;

	memset(&s, 0, sizeof(s));
	if (c->want_split) {
		c->split.ncpu = c->split.ndev = 0;
		s.split = &c->split;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct cg_open_file *f = &c->files[i];
		ssize_t n = reread(f->fd);

		/* a removed cgroup's files answer ENODEV (kernfs) */
		if (n == -ENODEV || n == -ENOENT)
			return -ENOENT;
		if (n == -ENOMEM)
			return -ENOMEM;
		if (n < 0)
			continue; /* e.g. EOPNOTSUPP from a PSI file with cgroup.pressure 0 */
		f->spec->extract(f->spec, f->active, rd_buf, (size_t)n, &s);
	}
	read_kept(c, &s);
	derive(&s);
	ret->present = s.present & pub;
	ret->bad = s.bad & pub & ~s.present;
	memcpy(ret->v, s.v, sizeof(ret->v));
	return 0;
}

void cg_container_free(struct cg_container *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		close(c->files[i].fd);
	free(c->files);
	free(c->limits);
	free(c->relpath);
	free(c->split.cpu);
	free(c->split.dev);
	free(c);
}

void cg_container_split(const struct cg_container *c, struct cg_split *ret)
{
	*ret = (struct cg_split){ c->split.cpu, c->split.ncpu, c->split.dev, c->split.ndev };
}

bool cg_container_partial(const struct cg_container *c)
{
	return c->partial;
}

size_t cg_container_nfiles(const struct cg_container *c)
{
	return c->n;
}

