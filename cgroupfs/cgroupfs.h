/* cgroupfs: cgroup layout detection, container discovery, init-PID lookup
 * and the readers/parsers of cgroup files.
 *
 * Conventions: functions return 0 (or a positive count) on success and
 * -errno on failure; ret_* out-parameters are written only on success.
 * Nothing here logs: problems are returned (or flagged in cg_stats.bad) and
 * the collector decides what to say. */
#ifndef LXC_CGROUPFS_H
#define LXC_CGROUPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_layout {
	CG_LAYOUT_LEGACY,  /* cgroup v1 only */
	CG_LAYOUT_HYBRID,  /* v1 controllers plus a v2 tree without controllers */
	CG_LAYOUT_UNIFIED, /* cgroup v2 only */
};

/* Where a resource is read from. In LEGACY and HYBRID mode every v1
 * controller is its own hierarchy (possibly co-mounted, e.g. "cpu,cpuacct");
 * CG_H_UNIFIED is the v2 tree (the whole thing in UNIFIED mode, the
 * controller-less tree in HYBRID mode, absent in LEGACY mode). */
enum cg_hier {
	CG_H_CPU,
	CG_H_CPUACCT,
	CG_H_MEMORY,
	CG_H_PIDS,
	CG_H_BLKIO,
	CG_H_CPUSET,
	CG_H_FREEZER,
	CG_H_UNIFIED,
	CG_H_MAX,
};

/* Metric groups, as named by `[collector] metrics`. */
enum cg_metric {
	CG_M_CPU = 1u << 0,
	CG_M_MEMORY = 1u << 1,
	CG_M_PIDS = 1u << 2,
	CG_M_IO = 1u << 3,
	CG_M_PRESSURE = 1u << 4,
	CG_M_ALL = 0x1f,
	/* not a `metrics` name: also parse memory.stat's LRU and page-state
	 * sizes (CG_MEM_ACTIVE_ANON..CG_MEM_SHMEM; same file, no extra fd),
	 * for the LXD-compatible endpoint; bit 5 is the collector's "net" */
	CG_M_MEMORY_DETAIL = 1u << 6,
	/* not a `metrics` name either: also keep the per-CPU (v1
	 * cpuacct.usage_all) and per-device (v1 blkio, v2 io.stat) figures
	 * the sums come from (same buffers, no extra file), for the same
	 * endpoint: cg_container_split() */
	CG_M_SPLIT = 1u << 7,
};

/* Every figure a container can have. Counters are uint64_t; the few that
 * are fractional are marked (double) and live in cg_stats.v[].d.
 * Sources, v1 hierarchy file / v2 file (the tables in read.c and v1.c). In
 * HYBRID mode a resource comes from the v1 hierarchy that has its
 * controller; pressure always from the v2 tree. */
enum cg_field {
	CG_CPU_USAGE_NS,     /* v1 cpuacct.usage (ns) / cpu.stat usage_usec x 1000 */
	CG_CPU_USER_NS,      /* v1 cpuacct.usage_user (ns), else cpuacct.stat user ticks
			      * x 1e9/USER_HZ / cpu.stat user_usec x 1000 */
	CG_CPU_SYSTEM_NS,    /* likewise usage_sys, system, system_usec */
	CG_CPU_USER_TICKS,   /* USER_HZ ticks, for schema lxd2influx: v1 cpuacct.stat
			      * user / cpu.stat user_usec x USER_HZ / 1e6 */
	CG_CPU_SYSTEM_TICKS, /* USER_HZ ticks: cpuacct.stat system / system_usec */
	CG_CPU_PERIODS,	     /* cpu.stat nr_periods (v1 cpu hierarchy / v2) */
	CG_CPU_THROTTLED_PERIODS, /* cpu.stat nr_throttled */
	CG_CPU_THROTTLED_NS, /* v1 cpu.stat throttled_time (ns) / throttled_usec x 1000 */
	CG_CPU_LIMIT_CPUS,   /* (double) v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2
			      * cpu.max; absent when unlimited (-1, "max") */
	CG_MEM_USAGE,	     /* bytes: v1 memory.usage_in_bytes / memory.current */
	CG_MEM_WORKING_SET,  /* usage - inactive_file (v1 memory.stat
			      * total_inactive_file / inactive_file), clamped at 0 */
	CG_MEM_RSS,	     /* v1 memory.stat total_rss / memory.stat anon */
	CG_MEM_CACHE,	     /* v1 total_cache / file */
	CG_MEM_SWAP,	     /* v1 memory.stat total_swap / memory.swap.current */
	CG_MEM_LIMIT,	     /* v1 memory.limit_in_bytes / memory.max; absent when
			      * unlimited ("max", or >= 2^62 as v1 reports it) */
	CG_MEM_OOM_KILLS,    /* v1 memory.oom_control oom_kill / memory.events oom_kill */
	CG_MEM_FAILCNT,	     /* v1 memory.failcnt / memory.events max */
	CG_PIDS_CURRENT,     /* pids.current (both) */
	CG_PIDS_LIMIT,	     /* pids.max (both); absent when "max" */
	CG_IO_READ_BYTES,    /* v1 blkio.throttle.io_service_bytes_recursive Read (or
			      * the non-recursive file) / io.stat rbytes; all
			      * devices summed */
	CG_IO_WRITE_BYTES,   /* Write / wbytes */
	CG_IO_READ_OPS,	     /* v1 blkio.throttle.io_serviced_recursive Read / rios */
	CG_IO_WRITE_OPS,     /* Write / wios */
	/* CG_M_MEMORY_DETAIL, bytes: v1 memory.stat total_X / v2 memory.stat */
	CG_MEM_ACTIVE_ANON,   /* total_active_anon / active_anon */
	CG_MEM_ACTIVE_FILE,   /* total_active_file / active_file */
	CG_MEM_INACTIVE_ANON, /* total_inactive_anon / inactive_anon */
	CG_MEM_INACTIVE_FILE, /* total_inactive_file / inactive_file */
	CG_MEM_UNEVICTABLE,   /* total_unevictable / unevictable */
	CG_MEM_WRITEBACK,     /* total_writeback / file_writeback */
	CG_MEM_DIRTY,	      /* total_dirty / file_dirty */
	CG_MEM_MAPPED,	      /* total_mapped_file / file_mapped */
	CG_MEM_SHMEM,	      /* total_shmem / shmem */
	CG_CPU_EFFECTIVE_CPUS, /* count of CPUs in v1 cpuset.effective_cpus (cpuset
				* hierarchy) / cpuset.cpus.effective; a limit */
	/* pressure: resource r (enum cg_psi) at CG_PSI_BASE + 4*r + k */
	CG_PSI_BASE,
	CG_FIELD_MAX = CG_PSI_BASE + 12,
};

enum cg_psi { CG_PSI_CPU, CG_PSI_MEMORY, CG_PSI_IO, CG_PSI_MAX };
enum cg_psi_key {
	CG_PSI_SOME_AVG10,    /* (double) percent */
	CG_PSI_SOME_TOTAL_US, /* microseconds */
	CG_PSI_FULL_AVG10,    /* (double) */
	CG_PSI_FULL_TOTAL_US,
};
#define CG_PSI_FIELD(res, key) ((enum cg_field)(CG_PSI_BASE + 4 * (res) + (key)))

/* A field whose source file is missing is absent (neither bit set); a
 * field whose source held garbage is absent and flagged in bad. v[f] is
 * meaningful only when bit f of present is set. */
struct cg_stats {
	uint64_t present; /* bit f set: v[f] holds a value */
	uint64_t bad;     /* bit f set: source existed but held garbage */
	union {
		uint64_t u;
		double d;
	} v[CG_FIELD_MAX];
};

static inline bool cg_has(const struct cg_stats *s, enum cg_field f)
{
	return (s->present >> f) & 1;
}

/* Field metadata, e.g. for debug messages: "memory.stat" etc. */
bool cg_field_is_double(enum cg_field f);
const char *cg_field_name(enum cg_field f);
const char *cg_psi_name(enum cg_psi r); /* "cpu", "memory", "io" */
const char *cg_layout_name(enum cg_layout l);

/* ---- layout ---- */

struct cg_root; /* opaque: layout plus one directory fd per hierarchy */

/* Detect the layout from PROC_ROOT/self/mountinfo (cgroup mounts under
 * CGROUP_ROOT), falling back to probing CGROUP_ROOT's directories (for
 * fixture trees and bind-mounted host trees). -ENOENT when no hierarchy is
 * found. */
int cg_root_open(const char *cgroup_root, const char *proc_root, struct cg_root **ret);
void cg_root_free(struct cg_root *r);
enum cg_layout cg_root_layout(const struct cg_root *r);
/* Directory fd of a hierarchy, or -1 when absent. */
int cg_root_fd(const struct cg_root *r, enum cg_hier h);
const char *cg_root_proc(const struct cg_root *r);

/* Pure: parse one mountinfo buffer; fills which hierarchy lives at which
 * path relative to cgroup_root (malloc'd strings; NULL = absent). Returns
 * the number of hierarchies found. */
int cg_mountinfo_parse(const char *buf, size_t len, const char *cgroup_root,
		       char *ret_paths[CG_H_MAX]);

/* ---- discovery ---- */

struct cg_found {
	char *name;    /* the container's directory name, whole (LXD's PROJECT_NAME too) */
	char *project; /* NULL as found; set by a caller that tells LXD's projects
			* apart (collector/state.h state_ident()), freed here */
	char *relpath; /* container's top cgroup, relative to each hierarchy root */
};

/* Walk one hierarchy (the v2 tree in UNIFIED mode, else the first present
 * of memory, cpuacct, pids, cpu, blkio, v2) down to 6 levels for container
 * cgroups named as README.md "How containers are found" says; relpaths are the same
 * in every hierarchy. The list is sorted by relpath and de-duplicated; an
 * empty list may be NULL. cg_found_free(NULL, 0) is fine. */
int cg_discover(struct cg_root *r, struct cg_found **ret_list, size_t *ret_n);
void cg_found_free(struct cg_found *list, size_t n);

/* The same, for a daemon: cg_discovery_poll() rescans only when a
 * directory the last scan walked had a sub-directory made, removed or
 * renamed (inotify), when cg_discovery_invalidate() was called, and at
 * least every RESCAN_EVERY polls; otherwise it returns 0 and the caller's
 * last list stands. 1 with a fresh list (as cg_discover's), or -errno.
 * Without inotify every poll rescans. */
struct cg_discovery;
int cg_discovery_new(struct cg_root *r, unsigned rescan_every, struct cg_discovery **ret);
int cg_discovery_poll(struct cg_discovery *d, struct cg_found **ret_list, size_t *ret_n);
void cg_discovery_invalidate(struct cg_discovery *d);
void cg_discovery_free(struct cg_discovery *d);

/* Pure: classify one directory name at a given place. parent_kind says
 * whether the parent directory was "lxc" or "lxc.payload". Returns 1 and
 * fills ret_name (malloc'd, the name whole) when NAME is a container, 0 when it
 * is not (descend), -EPERM when it must be neither reported nor descended
 * into (monitor, pivot). */
enum cg_parent { CG_PARENT_OTHER, CG_PARENT_LXC, CG_PARENT_PAYLOAD };
int cg_classify(const char *dirname, enum cg_parent parent, char **ret_name);

/* ---- init PID ---- */

/* Among the processes in relpath's subtree (read from the pids, memory, v2,
 * ... hierarchy, whichever has it first), the one whose last NSpid field
 * is 1 and that has at least two levels; when nested containers give
 * several, the one with the fewest levels. ret_starttime: field 22 of
 * PROC_ROOT/PID/stat (clock ticks since boot), to recognise a reused PID.
 * -ESRCH when there is none, -ENOENT when the cgroup is gone, -EINVAL for
 * a relpath that is absolute or has "." or ".." components. */
int cg_find_init(struct cg_root *r, const char *relpath, pid_t *ret_pid, uint64_t *ret_starttime);

/* Pure: last field of the NSpid: line of a /proc/PID/status buffer. */
int cg_parse_nspid(const char *buf, size_t len, pid_t *ret_last);
/* Pure: field 22 (starttime) of a /proc/PID/stat buffer (comm may hold
 * spaces and parentheses). */
int cg_parse_starttime(const char *buf, size_t len, uint64_t *ret);
/* Start time of PID (field 22 of PROC_ROOT/PID/stat, clock ticks since
 * boot), to tell a process from a later one with the same PID. -ESRCH
 * when the process does not exist (any more). */
int cg_read_starttime(const char *proc_root, pid_t pid, uint64_t *ret);

/* Is the container at relpath frozen? v1 freezer.state FROZEN (the
 * freezer hierarchy) / v2 cgroup.events "frozen 1": 1 frozen, 0 not,
 * -ENOENT without either file, -EINVAL on garbage. Open, read, close. */
int cg_read_frozen(const struct cg_root *r, const char *relpath);
/* Pure: the same from a freezer.state (v1) or cgroup.events (v2) buffer. */
int cg_parse_frozen(const char *buf, size_t len, bool v1);

/* The same, read only when it may have changed (freeze.c): every cycle
 * cg_freezer_poll(), then cg_freezer_read() per container with its own
 * struct cg_frozen (zeroed at first; cg_freezer_forget() when the
 * container goes). cg_freezer_invalidate() when containers came or went
 * (cgroups made anew need new watches). */
struct cg_freezer;
struct cg_frozen {
	int wd;        /* inotify watch of its state file, 0: none */
	bool known;    /* frozen holds a read that nothing changed since */
	bool frozen;
	uint64_t gen;  /* the freezer's generation at that read */
	uint64_t wgen; /* ... and at the watch */
};
int cg_freezer_new(const struct cg_root *r, struct cg_freezer **ret);
void cg_freezer_free(struct cg_freezer *f);
void cg_freezer_poll(struct cg_freezer *f);
void cg_freezer_invalidate(struct cg_freezer *f);
int cg_freezer_read(struct cg_freezer *f, const char *relpath, struct cg_frozen *fz);
void cg_freezer_forget(const struct cg_freezer *f, struct cg_frozen *fz);

/* ---- reading ---- */

struct cg_container; /* the open files of one container */

/* Open the files for the metric groups in `metrics` (enum cg_metric bits).
 * Files that do not exist are remembered as absent; -ENOENT when the
 * container's cgroup itself is gone (in every hierarchy); -EINVAL for a
 * relpath that is absolute or has "." or ".." components. */
int cg_container_open(struct cg_root *r, const char *relpath, unsigned metrics,
		      struct cg_container **ret);
/* Re-read every open file (pread at offset 0); the limits are those of
 * the last cg_container_reload_limits(). -ENOENT when the cgroup vanished
 * (the caller drops the container). */
int cg_container_read(struct cg_container *c, struct cg_stats *ret);
/* Read the limits (v1 cpu.cfs_quota_us and cpu.cfs_period_us,
 * cpuset.effective_cpus, memory.limit_in_bytes, pids.max / v2 cpu.max,
 * cpuset.cpus.effective, memory.max, pids.max)
 * again, each by open, read and close: they hold no fd between reloads.
 * cg_container_open() does it once; the root given to it must outlive the
 * container for this call. A missing file leaves its field absent;
 * -EMFILE, -ENFILE, -ENOMEM keep the last values. */
int cg_container_reload_limits(struct cg_container *c);
void cg_container_free(struct cg_container *c);
/* True when the container's cgroup was missing in some hierarchy at
 * cg_container_open() (LXC makes them one hierarchy after another, so
 * discovery can see a container half made): open it again later. */
bool cg_container_partial(const struct cg_container *c);
/* Number of files held open (for fd accounting; limits are not). */
size_t cg_container_nfiles(const struct cg_container *c);

/* The per-CPU and per-device figures of the last cg_container_read() of
 * a container opened with CG_M_SPLIT (LXD's /1.0/metrics reports them).
 * Arrays in file order; ncpu is 0 unless the CPU times came from v1
 * cpuacct.usage_all (v2 has no per-CPU figures), ndev 0 without I/O
 * files or I/O. Valid until the next read or free. */
struct cg_cpu_split {
	uint32_t cpu; /* the CPU number of the line */
	uint64_t user_ns, system_ns;
};
struct cg_dev_split {
	uint32_t major, minor;
	uint64_t rbytes, wbytes, rios, wios; /* v1 Read/Write of the two blkio files */
};
struct cg_split {
	const struct cg_cpu_split *cpu;
	size_t ncpu;
	const struct cg_dev_split *dev;
	size_t ndev;
};
void cg_container_split(const struct cg_container *c, struct cg_split *ret);

/* ---- pure parsers (no I/O), exposed for tests and fuzzing ---- */

/* All parsers: -EINVAL on garbage, -EOVERFLOW when a number (or a sum)
 * does not fit 64 bits; ret values written only on success.
 *
 * A single unsigned decimal number, surrounding white space allowed.
 * "max" gives -ERANGE (unlimited); garbage -EINVAL. */
int cg_parse_u64(const char *buf, size_t len, uint64_t *ret);
/* "key value" lines (cpu.stat, memory.stat, memory.events, oom_control):
 * value of KEY; -ENOENT when missing; -EINVAL when garbage. */
int cg_parse_keyed(const char *buf, size_t len, const char *key, uint64_t *ret);
/* The same for NKEYS keys (at most 16) in one pass over the buffer:
 * ret_r[k] is what cg_parse_keyed(KEYS[k]) returns, ret[k] its value. */
void cg_parse_keyed_multi(const char *buf, size_t len, const char *const *keys, size_t nkeys,
			  uint64_t *ret, int *ret_r);
/* A cpuset list ("0-3,8,10-11"): the number of CPUs in it. -ENODATA
 * when empty (no CPU), -EINVAL on garbage or a descending range. */
int cg_parse_cpuset_count(const char *buf, size_t len, uint64_t *ret);
/* v2 cpu.max "QUOTA PERIOD" / "max PERIOD": -ERANGE when unlimited. */
int cg_parse_cpu_max(const char *buf, size_t len, double *ret_cpus);
/* v2 io.stat: sums over devices of rbytes, wbytes, rios, wios (in that
 * order). An empty file (no I/O yet) gives zeros. */
int cg_parse_io_stat(const char *buf, size_t len, uint64_t ret[4]);
/* v1 blkio.throttle.io_service_bytes(_recursive) / io_serviced: sums of
 * the Read and Write lines over devices. */
int cg_parse_blkio(const char *buf, size_t len, uint64_t *ret_read, uint64_t *ret_write);
/* v1 cpuacct.usage_all: sums over CPUs of the user and system columns
 * (ns); the header line "cpu user system" is required. */
int cg_parse_cpuacct_all(const char *buf, size_t len, uint64_t *ret_user, uint64_t *ret_system);
/* The same per CPU / per device, into a caller's array of CAP entries:
 * the number of entries, -ENOBUFS when CAP is too small (call again with
 * a larger array), or the summing parser's error; entries are undefined
 * after an error. They accept what the summing parsers accept, and their
 * entries add up to its sums. percpu: one entry per CPU line, in file
 * order (the CPU number must fit 32 bits). io_stat_dev: one entry per
 * device, in file order. blkio_dev: merges into the *N entries already
 * there (OPS false: Read/Write into rbytes/wbytes; true: into rios/wios,
 * for the io_serviced file), appending new devices (the other two
 * fields 0), every device line making an entry as LXD's reading does; *N
 * updated on success. A device given twice adds up. */
int cg_parse_cpuacct_percpu(const char *buf, size_t len, struct cg_cpu_split *ret, size_t cap);
int cg_parse_io_stat_dev(const char *buf, size_t len, struct cg_dev_split *ret, size_t cap);
int cg_parse_blkio_dev(const char *buf, size_t len, bool ops, struct cg_dev_split *devs,
		       size_t *n, size_t cap);
/* PSI file: some/full avg10 (percent) and total (µs). A "full" line may be
 * missing (cpu.pressure before Linux 5.13); ret_have_full tells. */
int cg_parse_psi(const char *buf, size_t len, double *ret_some_avg10, uint64_t *ret_some_total,
		 double *ret_full_avg10, uint64_t *ret_full_total, bool *ret_have_full);

#endif
