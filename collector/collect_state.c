/* collect_state: container_state, a point a container: RUNNING or FROZEN
 * with its start time for those in the table (written by ct_cycle()), and
 * STOPPED for those LXC's and LXD's directories hold that do not run, from
 * a scan of those directories kept between cycles. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/collect_int.h"
#include "collector/log.h"
#include "collector/schema.h"
#include "collector/state.h"
#include "util/util.h"

/* The directories of LXC and LXD are scanned at least this often (and
 * when discovery saw a change). */
#define SCAN_EVERY_MS 60000

/* The boot time in unix nanoseconds, as the kernel gives /proc/stat's
 * btime: the real-time clock minus CLOCK_BOOTTIME, the clock of a
 * process's start time. Not /proc/stat itself: the unit's ProcSubset=pid
 * hides it. Taken again at each scan, as the real-time clock may be set. */
int64_t boot_time_ns(void)
{
	return clock_us(CLOCK_REALTIME) * 1000 - clock_us(CLOCK_BOOTTIME) * 1000;
}

/* container_state of one container; START_TICKS UINT64_MAX when it does
 * not run, 0 when its start is unknown. */
int write_state(const struct collector *col, const struct ct_ident *id, const char *state,
		uint64_t start_ticks, int64_t ts_ns, struct lp_buf *out)
{
	int64_t started = -1;

	if (start_ticks != UINT64_MAX && start_ticks && col->hz)
		started = (col->btime_ns + (int64_t)(start_ticks * (1000000000 / col->hz))) /
			  1000000000;
	return schema_write_state(out, id, state, start_ticks != UINT64_MAX, started, ts_ns);
}

static int ct_ptr_cmp(const void *a, const void *b)
{
	const struct ct *x = *(const struct ct *const *)a, *y = *(const struct ct *const *)b;

	return state_cmp(x->name, x->project, y->name, y->project);
}

/* Scan LXC's and LXD's directories again and mark which of what they hold
 * runs (has a cgroup in the table). A failed scan keeps the last one. */
static void state_rescan(struct collector *col)
{
	struct state_known *known = NULL;
	const struct ct **by_name = NULL;
	size_t nknown = 0;
	bool *up;
	int r;

	col->scan_due = col->now + SCAN_EVERY_MS * 1000;
	col->btime_ns = boot_time_ns();
	r = state_scan(&col->cfg->lxc_path, &col->cfg->lxd_path, &known, &nknown);
	if (r < 0) {
		log_warning("scanning the container directories failed: %s", strerror(-r));
		return;
	}
	up = calloc(nknown ? nknown : 1, sizeof(*up));
	by_name = calloc(col->n ? col->n : 1, sizeof(*by_name));
	if (!up || !by_name) {
		free(up);
		free(by_name);
		state_known_free(known, nknown);
		log_warning("scanning the container directories failed: %s", strerror(ENOMEM));
		return;
	}
	for (size_t i = 0; i < col->n; i++)
		by_name[i] = &col->cts[i];
	if (col->n)
		qsort(by_name, col->n, sizeof(*by_name), ct_ptr_cmp);
	for (size_t i = 0, j = 0; i < nknown; i++) {
		int cmp = 1;

		while (j < col->n &&
		       (cmp = state_cmp(by_name[j]->name, by_name[j]->project, known[i].name,
					known[i].project)) < 0)
			j++;
		up[i] = j < col->n && cmp == 0;
	}
	free(by_name);
	state_known_free(col->known, col->nknown);
	free(col->known_up);
	col->known = known;
	col->known_up = up;
	col->nknown = nknown;
}

/* container_state of the containers that exist but do not run. */
int write_stopped(struct collector *col, int64_t ts_ns, struct lp_buf *out,
		  struct cycle_stats *st)
{
	if (col->scan_due == 0 || col->now >= col->scan_due)
		state_rescan(col);
	for (size_t i = 0; i < col->nknown; i++) {
		const struct state_known *k = &col->known[i];
		struct ct_ident id = { col->cfg->hostname, k->name, k->project, col->cfg->tags,
				       col->cfg->ntags };
		int n;

		if (col->known_up[i] || !collect_wanted(col->cfg, k->name) || !lp_tag_ok(k->name) ||
		    (k->project && !lp_tag_ok(k->project)))
			continue;
		n = write_state(col, &id, "STOPPED", UINT64_MAX, ts_ns, out);
		if (n < 0)
			return n;
		st->points += (uint64_t)n;
	}
	return 0;
}
