/* read: a container's open cgroup files, re-read every cycle.
 *
 * What is read from where is data: a table of files per cgroup version
 * (cg_v2_table here, cg_v1_table in v1.c), each file with its keys and the
 * field each key feeds. The parsers never ask which version they read.
 *
 * Files are opened once and re-read with pread(fd, buf, cap, 0): cgroup
 * files are seq_files, which regenerate their contents for every read from
 * offset 0 (checked on a real hierarchy by tests/unit/cgreal_test.c). */
#include <errno.h>
#include <fcntl.h>
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

struct cg_container {
	struct cg_open_file *files;
	size_t n;
	bool partial; /* the cgroup was missing in a hierarchy at open */
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

static uint64_t clk_tck(void)
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
		uint64_t hz = clk_tck();

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
	for (unsigned i = 0; i < spec->nmap; i++) {
		const struct cg_map *m = &spec->map[i];
		uint64_t v = 0;
		int r;

		if (!((active >> i) & 1))
			continue;
		r = m->key ? cg_parse_keyed(buf, len, m->key, &v) : cg_parse_u64(buf, len, &v);
		if (!m->key && r == -ENOENT)
			r = -EINVAL;
		cg_store(m, r, v, s);
	}
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
static void extract_io_stat(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			    size_t len, struct cg_scratch *s)
{
	uint64_t v[4];

	if (cg_parse_io_stat(buf, len, v) < 0) {
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

static const struct cg_file_spec v2_files[] = {
	{ "cpu.stat", NULL, CG_H_UNIFIED, CG_M_CPU, cg_extract_keyed, v2_cpu_stat, N(v2_cpu_stat), 0 },
	{ "cpu.max", NULL, CG_H_UNIFIED, CG_M_CPU, extract_cpu_max, v2_cpu_max, N(v2_cpu_max), 0 },
	{ "memory.current", NULL, CG_H_UNIFIED, CG_M_MEMORY, cg_extract_keyed, v2_mem_current,
	  N(v2_mem_current), 0 },
	{ "memory.stat", NULL, CG_H_UNIFIED, CG_M_MEMORY, cg_extract_keyed, v2_mem_stat,
	  N(v2_mem_stat), 0 },
	{ "memory.swap.current", NULL, CG_H_UNIFIED, CG_M_MEMORY, cg_extract_keyed, v2_mem_swap,
	  N(v2_mem_swap), 0 },
	{ "memory.max", NULL, CG_H_UNIFIED, CG_M_MEMORY, cg_extract_keyed, v2_mem_max,
	  N(v2_mem_max), 0 },
	{ "memory.events", NULL, CG_H_UNIFIED, CG_M_MEMORY, cg_extract_keyed, v2_mem_events,
	  N(v2_mem_events), 0 },
	{ "pids.current", NULL, CG_H_UNIFIED, CG_M_PIDS, cg_extract_keyed, v2_pids_current,
	  N(v2_pids_current), 0 },
	{ "pids.max", NULL, CG_H_UNIFIED, CG_M_PIDS, cg_extract_keyed, v2_pids_max, N(v2_pids_max),
	  0 },
	{ "io.stat", NULL, CG_H_UNIFIED, CG_M_IO, extract_io_stat, v2_io_stat, N(v2_io_stat), 0 },
	{ "cpu.pressure", NULL, CG_H_UNIFIED, CG_M_PRESSURE, extract_psi, v2_psi_cpu,
	  N(v2_psi_cpu), CG_PSI_CPU },
	{ "memory.pressure", NULL, CG_H_UNIFIED, CG_M_PRESSURE, extract_psi, v2_psi_memory,
	  N(v2_psi_memory), CG_PSI_MEMORY },
	{ "io.pressure", NULL, CG_H_UNIFIED, CG_M_PRESSURE, extract_psi, v2_psi_io, N(v2_psi_io),
	  CG_PSI_IO },
};

const struct cg_file_table cg_v2_table = { v2_files, N(v2_files) };

/* Every table in force; dropping v1 support = deleting v1.c and its line. */
static const struct cg_file_table *const tables[] = { &cg_v1_table, &cg_v2_table };

/* ---- open / read ---- */

static int add_file(struct cg_container *c, const struct cg_file_spec *spec, uint64_t active,
		    int dirfd)
{
	struct cg_open_file *nf;
	int fd;

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
	if (!rd_buf) {
		rd_buf = malloc(BUF_INITIAL);
		if (!rd_buf) {
			free(c);
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
		uint64_t per = 1000000000ull / clk_tck();

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
	free(c);
}

bool cg_container_partial(const struct cg_container *c)
{
	return c->partial;
}

size_t cg_container_nfiles(const struct cg_container *c)
{
	return c->n;
}

int cg_container_fd(const struct cg_container *c, size_t i)
{
	return i < c->n ? c->files[i].fd : -EINVAL;
}
