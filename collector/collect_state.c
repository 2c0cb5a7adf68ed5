/* collect_state: container_state, a point a container: RUNNING or FROZEN
 * with its start time for those in the table (written by ct_cycle()), and
 * STOPPED for those LXC's and LXD's directories hold that do not run, from
 * a scan of those directories kept between cycles. The netns helper lists
 * them (it holds CAP_DAC_READ_SEARCH: lxc-create makes NAME 0770 root's,
 * LXD its instance directories 0711), so this process looks up no path
 * under them; without such a helper it lists them itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/collect_int.h"
#include "collector/log.h"
#include "collector/schema.h"
#include "collector/state.h"
#include "netns/netns.h"
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

/* Why the helper did not list (R), said once: stopped containers in
 * directories this process may not read are then missing. */
static void list_fallback(struct collector *col, int r)
{
	/* the helper is gone: the daemon reports its end (check_helper) */
	if (col->list_fallback_logged || r == -ECONNRESET)
		return;
	col->list_fallback_logged = true;
	/* without container_state the lists only name containers: as before */
	if (!col->helper && !(col->cfg->metrics & CFG_M_STATE))
		return;
	if (!col->helper)
		log_warning("container_state: no netns helper to list LXC's and LXD's directories "
			    "(it runs only with net or state in [collector] metrics and "
			    "CAP_SYS_ADMIN and CAP_SYS_PTRACE given); listing them as this process, "
			    "stopped containers in directories it may not read are missing");
	else if (r == -EPERM)
		log_warning("container_state: the netns helper lacks CAP_DAC_READ_SEARCH; listing LXC's "
			    "and LXD's directories as this process, stopped containers in directories "
			    "it may not read are missing. Grant it: AmbientCapabilities= and "
			    "CapabilityBoundingSet= CAP_DAC_READ_SEARCH in the systemd unit");
	else
		log_warning("container_state: the netns helper could not list a directory (%s); "
			    "listing as this process, stopped containers in directories it may not "
			    "read are missing",
			    strerror(-r));
}

/* The names of the directory PATH into D: through the helper, or as this
 * process when the helper cannot. A directory that is missing or out of
 * reach holds nothing. */
static int list_one(struct collector *col, struct state_dirs *d, const char *path, bool lxd)
{
	char *names = NULL;
	size_t len = 0;
	bool trunc = false;
	int r = -ENODEV;

	if (col->helper) {
		/* O_PATH: no read permission needed, the helper reads it */
		int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return 0; /* not installed, or not reachable: nothing there */
		r = netns_helper_list(col->helper, fd, lxd ? NETNS_LIST_LXD : NETNS_LIST_LXC, &names,
				      &len, &trunc);
		close(fd);
		if (r == -ENOMEM)
			return r;
		if (r == 0 && trunc && !col->list_truncated_logged) {
			col->list_truncated_logged = true;
			log_warning("container_state: %s holds more than %d bytes of names; those past "
				    "it are not reported",
				    path, NETNS_LIST_MAX);
		}
	}
	if (r < 0) {
		list_fallback(col, col->helper ? r : 0);
		r = state_list_dir(path, lxd, &names, &len);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return 0; /* not installed, or not readable: nothing there */
	}
	r = state_dirs_add(d, lxd, names, len);
	free(names);
	return r;
}

int state_dirs_fresh(struct collector *col)
{
	const struct config *cfg = col->cfg;
	struct state_dirs *d;
	int r = 0;

	if (col->dirs && col->scan_due && col->now < col->scan_due)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < cfg->lxc_path.n; i++)
		r = list_one(col, d, cfg->lxc_path.v[i], false);
	for (size_t i = 0; r == 0 && i < cfg->lxd_path.n; i++)
		r = list_one(col, d, cfg->lxd_path.v[i], true);
	if (r < 0) {
		state_dirs_free(d);
		free(d);
		return r;
	}
	state_dirs_done(d);
	if (col->dirs) {
		state_dirs_free(col->dirs);
		free(col->dirs);
	}
	col->dirs = d;
	col->dirs_gen++;
	col->scan_due = col->now + SCAN_EVERY_MS * 1000;
	return 0;
}

/* Take what LXC's and LXD's directories hold from the last lists and
 * mark which of it runs (has a cgroup in the table). On failure the last
 * result stays. */
static void state_rescan(struct collector *col)
{
	struct state_known *known = NULL;
	const struct ct **by_name = NULL;
	size_t nknown = 0;
	bool *up;
	int r;

	col->btime_ns = boot_time_ns();
	r = state_scan(col->dirs, &known, &nknown);
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
	col->known_gen = col->dirs_gen;
}

/* container_state of the containers that exist but do not run. */
int write_stopped(struct collector *col, int64_t ts_ns, struct lp_buf *out,
		  struct cycle_stats *st)
{
	int r = state_dirs_fresh(col);

	if (r < 0)
		log_warning("scanning the container directories failed: %s", strerror(-r));
	if (col->dirs && col->known_gen != col->dirs_gen)
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
