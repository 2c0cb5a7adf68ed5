/* schema: turns one container's figures into line-protocol points, for the
 * default schema and for lxd2influx. Pure: no I/O, no logging. */
#ifndef LXC_SCHEMA_H
#define LXC_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/vfs.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/config.h"
#include "collector/lp.h"

/* The tags every point of a container carries. */
struct ct_ident {
	const char *host;
	const char *name;    /* container */
	const char *project; /* NULL or "" for LXD's default project */
	const struct cfg_tag *tags; /* [collector] tags, after the ones above */
	size_t ntags;
};

/* lp_begin(measurement), the host, container and project tags and the
 * configured tags. */
int schema_begin(struct lp_buf *b, const char *measurement, const struct ct_ident *id);

/* All cgroup points of one container. Returns the number of points written
 * (a measurement with no present field is not written), or -errno. */
int schema_write_cgroup(struct lp_buf *b, enum cfg_schema schema, const struct ct_ident *id,
			const struct cg_stats *s, int64_t ts_ns);

/* For /1.0/metrics only (never delivered): the memory figures LXD 5.0
 * reports that the line protocol has not, as one "_lxd_memory" point:
 * memory.stat's LRU and page-state sizes, and MemTotal/MemFree/
 * MemAvailable computed as LXD does (HOST_MEM: the host's total, LXD's
 * MemTotal when the container has no lower limit). Returns 1 when written,
 * 0 when the figures are missing, or -errno. */
int schema_write_lxd_memory(struct lp_buf *b, const struct ct_ident *id, const struct cg_stats *s,
			    uint64_t host_mem, int64_t ts_ns);

/* For /1.0/metrics only: one "_lxd_cpu" point holding the CPU times LXD
 * 5.0 reports, in ns: fields uN and sN (user, system) of each CPU N of
 * SP (v1 cpuacct.usage_all); when SP has none (v2, or a v1 kernel
 * without usage_all) u0 and s0 of the totals in S, as LXD puts v2's on
 * CPU 0. One point, not one per CPU: a host's CPUs times its containers
 * add up. Returns 1 when written, 0 without figures, or -ENOMEM. */
int schema_write_lxd_cpu(struct lp_buf *b, const struct ct_ident *id, const struct cg_split *sp,
			 const struct cg_stats *s, int64_t ts_ns);

/* For /1.0/metrics only: one "_lxd_disk" point of device D (tag device
 * DEVICE; fields rb, wb, rio, wio: bytes read and written, reads and
 * writes completed). Returns 1 when written, 0 when DEVICE cannot be a
 * tag, or -ENOMEM. */
int schema_write_lxd_disk(struct lp_buf *b, const struct ct_ident *id, const char *device,
			  const struct cg_dev_split *d, int64_t ts_ns);

/* container_fs from an fstatfs of the container's root (tags mountpoint
 * "/", fstype). Returns 1 when written, 0 when it could not be, or
 * -ENOMEM. */
int schema_write_fs(struct lp_buf *b, const struct ct_ident *id, const struct statfs *sf,
		    int64_t ts_ns);

/* container_state: STATE (RUNNING, STOPPED, FROZEN), running, and while
 * running with a known start (STARTED, unix seconds, >= 0) uptime_s and
 * started_at. Returns 1 when written, 0 when it could not be, or -ENOMEM. */
int schema_write_state(struct lp_buf *b, const struct ct_ident *id, const char *state,
		       bool running, int64_t started, int64_t ts_ns);

#endif
