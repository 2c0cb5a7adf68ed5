/* cgroupfs/internal.h: what the files of cgroupfs/ share with each other.
 * Not part of the API: nothing outside cgroupfs/ includes this. */
#ifndef LXC_CGROUPFS_INTERNAL_H
#define LXC_CGROUPFS_INTERNAL_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"

#define CG_N(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void cg_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(cg_freep)

static inline void cg_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(cg_closep)

static inline void *cg_take_ptr(void *pp)
{
	void **p = pp, *v = *p;

	*p = NULL;
	return v;
}
#define TAKE_PTR(p) cg_take_ptr(&(p))

static inline int cg_take_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}
#define TAKE_FD(fd) cg_take_fd(&(fd))

struct cg_root {
	enum cg_layout layout;
	int fd[CG_H_MAX]; /* O_DIRECTORY fds, -1 when the hierarchy is absent */
	char *proc;       /* PROC_ROOT, e.g. "/proc" */
};

/* Slots of a reading in progress: the public fields, then values that only
 * feed derived fields. The whole range must fit the 64-bit masks. */
enum cg_slot {
	CG_AUX_INACTIVE_FILE = CG_FIELD_MAX, /* bytes, for the working set */
	CG_AUX_CFS_QUOTA,                    /* v1 cpu.cfs_quota_us, µs */
	CG_AUX_CFS_PERIOD,                   /* v1 cpu.cfs_period_us, µs */
	CG_SLOT_MAX,
};
_Static_assert(CG_SLOT_MAX <= 64, "slots must fit a uint64_t mask");

/* The per-CPU and per-device figures of a container opened with
 * CG_M_SPLIT (cg_container_split()): arrays grown as needed up to the
 * caps, kept (capacity and all) from read to read. */
#define CG_SPLIT_MAX_CPU 8192
#define CG_SPLIT_MAX_DEV 4096
struct cg_split_store {
	struct cg_cpu_split *cpu;
	size_t ncpu, cpu_cap;
	struct cg_dev_split *dev;
	size_t ndev, dev_cap;
};

/* Make room for at least one more entry of ARR (element size ELEM),
 * doubling, at most MAX: 0, -ENOBUFS at MAX, -ENOMEM. */
int cg_split_grow(void **arr, size_t *cap, size_t elem, size_t max);

struct cg_scratch {
	struct cg_split_store *split; /* NULL: sums only */
	uint64_t present, bad;
	union {
		uint64_t u;
		double d;
	} v[CG_SLOT_MAX];
};

static inline void cg_set_u64(struct cg_scratch *s, unsigned slot, uint64_t v)
{
	s->v[slot].u = v;
	s->present |= 1ull << slot;
}

static inline void cg_set_double(struct cg_scratch *s, unsigned slot, double v)
{
	s->v[slot].d = v;
	s->present |= 1ull << slot;
}

static inline void cg_set_bad(struct cg_scratch *s, unsigned slot)
{
	s->bad |= 1ull << slot;
}

static inline bool cg_slot_has(const struct cg_scratch *s, unsigned slot)
{
	return (s->present >> slot) & 1;
}

/* How a raw number becomes a field value. */
enum cg_scale {
	CG_SCALE_1,
	CG_SCALE_US_TO_NS,    /* µs -> ns (v2 cpu.stat *_usec) */
	CG_SCALE_US_TO_TICKS, /* µs -> USER_HZ ticks (v2 cpu.stat for lxd2influx) */
};

enum {
	CG_MAP_UNLIMITED = 1u << 0, /* "max" or >= 2^62 means "no limit": absent, not bad */
	CG_MAP_DETAIL = 1u << 1,    /* read only when CG_M_MEMORY_DETAIL is asked for */
};

/* One value taken from a file: the line KEY (or the whole file when key is
 * NULL) goes to SLOT. The entry is skipped when the v1 hierarchy SHADOW
 * exists: in HYBRID mode a resource is read from the hierarchy that has
 * its controller (CG_H_MAX: never shadowed). */
struct cg_map {
	const char *key;
	unsigned slot;
	enum cg_scale scale;
	unsigned flags;
	enum cg_hier shadow;
};

/* How a file is read. Every open file costs a fd and a page of kernel
 * memory (its seq_file buffer) for the container's life, so only what
 * moves is held open. */
enum cg_read_kind {
	CG_READ_HELD,  /* opened once, re-read with pread every cycle */
	/* a limit (cpu.max, cfs quota/period, memory.max, pids.max): changes
	 * only when an administrator sets it; read by open/read/close at
	 * cg_container_open() and at each cg_container_reload_limits() */
	CG_READ_LIMIT,
	/* counters that cannot move while the limit GATE is unset (v1
	 * throttling, memory.failcnt): read with the limits while it is,
	 * by open/read/close every cycle while it is set */
	CG_READ_GATED,
};

struct cg_file_spec;
/* Parse BUF and store the values of the active map entries (bit i of
 * ACTIVE: spec->map[i]) in S: present on success, bad on garbage. */
typedef void (*cg_extract_fn)(const struct cg_file_spec *spec, uint64_t active, const char *buf,
			      size_t len, struct cg_scratch *s);

struct cg_file_spec {
	const char *name;
	const char *fallback; /* opened when NAME does not exist, or NULL */
	enum cg_hier hier;
	unsigned metrics; /* enum cg_metric bits that need this file */
	cg_extract_fn extract;
	const struct cg_map *map;
	unsigned nmap;
	unsigned arg; /* extractor specific (PSI: enum cg_psi) */
	enum cg_read_kind kind;
	unsigned gate; /* CG_READ_GATED: the limit field (enum cg_field) */
};

struct cg_file_table {
	const struct cg_file_spec *files;
	size_t n;
};

extern const struct cg_file_table cg_v2_table; /* read.c */
extern const struct cg_file_table cg_v1_table; /* v1.c */

/* Generic extractors (read.c), usable by any table. */
void cg_extract_keyed(const struct cg_file_spec *spec, uint64_t active, const char *buf,
		      size_t len, struct cg_scratch *s);
/* A cpuset list into map[0]'s slot as a CPU count; empty: absent. */
void cg_extract_cpuset(const struct cg_file_spec *spec, uint64_t active, const char *buf,
		       size_t len, struct cg_scratch *s);
/* USER_HZ, the unit of cpuacct.stat (100 nearly everywhere). */
uint64_t cg_clk_tck(void);
/* Store one parsed number according to MAP (scaling, "max" handling). */
void cg_store(const struct cg_map *map, int r, uint64_t v, struct cg_scratch *s);

/* A relpath from discovery: relative, no "." or ".." component. */
static inline bool cg_relpath_ok(const char *p)
{
	if (!p || !*p || *p == '/')
		return false;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '/')
			c++;
	}
	return true;
}

/* v1.c: the hierarchy of a v1 controller name ("memory"), or -1. */
int cg_v1_hier_of(const char *name, size_t len);

/* Read-only open of NAME relative to DIRFD (O_NOFOLLOW). */
int cg_openat(int dirfd, const char *name, int flags);

/* Pure: like cg_parse_nspid, also telling how many levels the line has. */
int cg_parse_nspid_levels(const char *buf, size_t len, pid_t *ret_last, unsigned *ret_levels);

/* "MAJ:MIN" in [s, e) (parse.c): -EINVAL unless both fit 32 bits. */
int cg_parse_devno(const char *s, const char *e, uint32_t *ret_major, uint32_t *ret_minor);
/* The entry of device MAJOR:MINOR among DEVS[0..*N), appended (zeroed)
 * when absent; NULL when that would pass CAP. HINT: where to look first,
 * updated. */
struct cg_dev_split *cg_dev_slot(struct cg_dev_split *devs, size_t *n, size_t cap, size_t *hint,
				 uint32_t major, uint32_t minor);

/* io.stat's sums and, DEVS given, per device (parse.c): as
 * cg_parse_io_stat_dev(), the sums in SUM. */
int cg_parse_io_stat_split(const char *buf, size_t len, uint64_t sum[4], struct cg_dev_split *devs,
			   size_t cap);

/* Read a whole small file relative to DIRFD into a malloc'd NUL-terminated
 * buffer (limit: max bytes). */
int cg_read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);

#endif
