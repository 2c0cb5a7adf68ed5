/* collect_int: what collect.c, collect_state.c and collect_net.c share:
 * the collector and its container table, and the steps of a container's
 * cycle kept in the latter two. Private to collector/collect*.c; the
 * interface of the collector is collect.h. */
#ifndef LXC_COLLECT_INT_H
#define LXC_COLLECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/collect.h"
#include "collector/config.h"
#include "collector/fdbudget.h"
#include "collector/lp.h"
#include "collector/schema.h"

struct blkdev_names;
struct net;
struct net_ct;
struct netns_helper;
struct state_dirs;
struct state_known;

struct ct {
	char *relpath;
	char *name;
	char *project;
	bool writable; /* name and project can be written as tags */
	bool reported_missing_init;
	bool reported_net_error;
	unsigned reopens; /* of a cgroup found half made (cg_container_partial) */
	struct cg_container *cg;
	int64_t limits_due; /* CLOCK_MONOTONIC µs: read its limits again */
	/* network: the init process the socket was made for, known by PID and
	 * start time and held by nothing (no fd): a restart shows as the
	 * cgroup made anew, and the start time is checked once a minute */
	pid_t init_pid;
	uint64_t init_starttime;
	bool net_stale; /* find the init and its namespace again this cycle */
	bool no_net; /* shares the host's namespace, or no init: no net points */
	struct net_ct *net;
	/* the init's root directory (read-only, from the netns helper), for
	 * container_fs; -1 when there is none */
	int root_fd;
	bool reported_no_root;
	/* fdbudget.h: a warm container keeps its files open and counts
	 * held_fds in the budget; a cold one (cg NULL between cycles) opens
	 * and closes them every cycle */
	bool cold;
	uint64_t held_fds;
	/* container_state: the init's start time (clock ticks since boot),
	 * 0 until found; looked for at discovery and with the limits */
	uint64_t start_ticks;
	struct cg_frozen frozen; /* read when it may have changed (freeze.c) */
};

struct collector {
	const struct config *cfg;
	struct cg_root *root;
	struct cg_discovery *disc;
	struct cg_freezer *freezer; /* NULL: container_state off */
	struct net *net; /* NULL: network metrics off */
	struct ct *cts;
	size_t n, cap;
	size_t found, left_out; /* at the last discovery */
	unsigned cg_metrics;
	struct lp_buf *side; /* NULL: no /1.0/metrics lines */
	struct blkdev_names *blkdev; /* device names for them, NULL: none */
	uint64_t host_mem;   /* LXD's MemTotal of the host, 0 when unknown */
	int64_t now;	       /* CLOCK_MONOTONIC µs at the start of this cycle */
	uint64_t limits_every; /* cycles in LIMITS_EVERY_MS */
	uint64_t limits_turn;  /* spreads the containers over those cycles */
	struct fdbudget fdb;
	/* container_state: what LXC's and LXD's directories hold (state.h),
	 * and which of those run (found in the table), at the last scan */
	struct state_known *known;
	bool *known_up;
	size_t nknown;
	int64_t scan_due; /* CLOCK_MONOTONIC µs; 0: scan at the next cycle */
	/* the names in those directories (state.h), for the above and for
	 * naming (state_ident()); listed by the netns helper when there is
	 * one that may, else by this process (state_dirs_fresh()) */
	struct state_dirs *dirs;
	uint64_t dirs_gen, known_gen; /* the scan dirs / known come from */
	struct netns_helper *helper; /* NULL: none, or gone */
	bool list_fallback_logged;
	bool list_truncated_logged;
	int64_t btime_ns; /* boot time, unix nanoseconds (boot_time_ns()) */
	uint64_t hz;	  /* clock ticks per second */
};

/* collect.c */
bool collect_wanted(const struct config *cfg, const char *name);

/* collect_state.c: container_state */
int64_t boot_time_ns(void);
int write_state(const struct collector *col, const struct ct_ident *id, const char *state,
		uint64_t start_ticks, int64_t ts_ns, struct lp_buf *out);
int write_stopped(struct collector *col, int64_t ts_ns, struct lp_buf *out,
		  struct cycle_stats *st);
/* List LXC's and LXD's directories again when a scan is due (at most once
 * a minute, or after discovery saw a change: scan_due 0); the last lists
 * stay when that fails. col->dirs is never NULL after a successful call.
 * 0 or -ENOMEM. */
int state_dirs_fresh(struct collector *col);

/* collect_net.c: a container's network socket and its figures */
void find_start(struct collector *col, struct ct *c);
void ct_sync_net(struct collector *col, struct ct *c, bool check);
int ct_net(struct collector *col, struct ct *c, const struct ct_ident *id, int64_t ts_ns,
	   struct lp_buf *out, struct cycle_stats *st, const struct netns_link **ret_links,
	   size_t *ret_n);

#endif
