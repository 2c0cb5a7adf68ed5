/* schema: turns one container's figures into line-protocol points, for the
 * default schema and for lxd2influx. Pure: no I/O, no logging. */
#ifndef LXC_SCHEMA_H
#define LXC_SCHEMA_H

#include <stdint.h>

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

#endif
