/* collect: the container table and one collection cycle: discovery,
 * cgroup reads, network dumps, encoding. Logs per-container problems once
 * (", skipping"). */
#ifndef LXC_COLLECT_H
#define LXC_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/config.h"
#include "collector/lp.h"

struct netns_helper;
struct netns_link;
struct collector;

struct cycle_stats {
	uint64_t containers; /* containers reported this cycle */
	uint64_t found;      /* cgroups that match the container naming rules */
	uint64_t left_out;   /* of those, left out by include/exclude */
	uint64_t points;     /* points encoded, the self-measurement included */
	uint64_t cycle_us;   /* wall time of the collection */
};

/* cfg and helper must outlive the collector; helper may be NULL (no net,
 * and container_state lists LXC's and LXD's directories itself). */
int collector_new(const struct config *cfg, struct netns_helper *helper, struct collector **ret);
void collector_free(struct collector *c);
/* Where a cycle also appends the figures only /1.0/metrics serves (lines
 * of measurements starting with '_', never delivered); NULL: nowhere.
 * The detail they need is read only with cfg->prom_listen set. */
void collector_set_side(struct collector *c, struct lp_buf *side);
/* The netns helper is gone: close every container's network socket and
 * collect without network figures from now on. */
void collector_drop_net(struct collector *c);
/* Collect once, appending every point (stamped ts_ns) to out. */
int collector_cycle(struct collector *c, int64_t ts_ns, struct lp_buf *out, struct cycle_stats *ret);
/* One container's figures of a cycle, for a reader other than the
 * line-protocol encoder (lxcollectd top). Everything is valid only during
 * the call that passes it. */
struct ct_sample {
	const char *relpath; /* the container's cgroup: unique, the table's order */
	const char *name;
	const char *project; /* NULL: LXD's default project or plain LXC */
	const struct cg_stats *cg;
	const struct netns_link *links; /* this cycle's link dump, every interface */
	size_t nlinks;
	bool has_net; /* false: no network figures (off, no init, host's netns) */
};
typedef int (*collector_visit_fn)(void *ud, const struct ct_sample *s);

/* Collect once like collector_cycle(), but hand each container to FN
 * (in cgroup path order) instead of encoding it. A negative return of FN
 * ends the cycle with that error. ret->points stays 0. */
int collector_visit(struct collector *c, collector_visit_fn fn, void *ud, struct cycle_stats *ret);

/* Raise RLIMIT_NOFILE as far as allowed: a collector holds about a dozen
 * files per container. */
void collector_raise_nofile(void);

/* Append the daemon's own health point. Fields given as UINT64_MAX are
 * left out (their source does not exist in this run). */
int collector_write_self(struct collector *c, int64_t ts_ns, const struct cycle_stats *st,
			 uint64_t spool_bytes, uint64_t dropped_points, uint64_t write_errors,
			 struct lp_buf *out);

#endif
