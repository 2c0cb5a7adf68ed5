/* collect: the container table and one collection cycle.
 *
 * The table is kept sorted by cgroup path. When discovery yields a new
 * list (also sorted; only when a watched cgroup directory changed, and at
 * least every DISCOVERY_RESCAN cycles) a merge opens what is new and
 * closes what vanished, so a container's open cgroup files, init-PID
 * handle and netlink socket live exactly as long as the container.
 *
 * The steady-state cycle is what a host pays for years: per container it
 * is the re-read of the open cgroup files, one statistics dump and the
 * encoding, with no allocation; the limits and the identity of the init
 * are looked at once a minute (benchmarks: README "Performance").
 *
 * Here: the table, the cycle and the fd budget. container_state is in
 * collect_state.c, a container's network socket and figures in
 * collect_net.c; collect_int.h holds what they share. */
#include "collector/collect.h"
#include "collector/blkdev.h"
#include "collector/collect_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/fdbudget.h"
#include "collector/log.h"
#include "collector/net.h"
#include "collector/schema.h"
#include "collector/state.h"
#include "util/util.h"

/* Discovery trusts inotify between full rescans of the hierarchy at
 * least this many cycles apart (5 minutes at the default interval). */
#define DISCOVERY_RESCAN 30

/* Limits (cpu, memory, pids) are read again at least this often; each
 * container has its own turn, so that a thousand containers do not all
 * open their limit files in the same cycle. */
#define LIMITS_EVERY_MS 60000

/* The host's MemTotal as LXD 5.0 reports it: /proc/meminfo's kB taken as
 * 1000 bytes each (what LXD's dashboards have always shown). From
 * sysinfo(2), which is /proc/meminfo's source and stays readable under
 * the unit's ProcSubset=pid. */
static uint64_t host_mem_total(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return 0;
	return (uint64_t)si.totalram * si.mem_unit / 1024 * 1000;
}

void collector_set_side(struct collector *c, struct lp_buf *side)
{
	c->side = side;
}

static void ct_clear(struct ct *c)
{
	if (c->cg)
		cg_container_free(c->cg);
	if (c->net)
		net_ct_free(c->net);
	if (c->root_fd >= 0)
		close(c->root_fd);
	free(c->relpath);
	free(c->name);
	free(c->project);
	memset(c, 0, sizeof(*c));
	c->root_fd = -1;
}

int collector_new(const struct config *cfg, struct netns_helper *helper, struct collector **ret)
{
	struct collector *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = cfg;
	c->helper = helper;
	c->limits_every = LIMITS_EVERY_MS / cfg->interval_ms;
	if (c->limits_every == 0)
		c->limits_every = 1;
	/* enum cfg_metric shares its low bits with enum cg_metric */
	c->cg_metrics = cfg->metrics & CG_M_ALL;
	if (cfg->prom_listen && (cfg->metrics & CFG_M_MEMORY)) {
		c->cg_metrics |= CG_M_MEMORY_DETAIL;
		c->host_mem = host_mem_total();
	}
	/* /1.0/metrics has CPU time per CPU and I/O per device */
	if (cfg->prom_listen && (cfg->metrics & (CFG_M_CPU | CFG_M_IO))) {
		c->cg_metrics |= CG_M_SPLIT;
		c->blkdev = blkdev_names_new("/sys");
		if (!c->blkdev) {
			free(c);
			return -ENOMEM;
		}
	}
	r = cg_root_open(cfg->cgroup_root, cfg->proc_root, &c->root);
	if (r < 0) {
		log_error("no cgroup hierarchy found under %s: %s", cfg->cgroup_root, strerror(-r));
		free(c);
		return r;
	}
	log_info("cgroup layout %s under %s", cg_layout_name(cg_root_layout(c->root)),
		 cfg->cgroup_root);
	r = cg_discovery_new(c->root, DISCOVERY_RESCAN, &c->disc);
	if (r < 0) {
		cg_root_free(c->root);
		free(c);
		return r;
	}
	if (helper && (cfg->metrics & CFG_M_NET)) {
		r = net_new(helper, cfg, &c->net);
		if (r < 0) {
			log_error("network statistics unavailable: %s", strerror(-r));
			cg_discovery_free(c->disc);
			cg_root_free(c->root);
			free(c);
			return r;
		}
	}
	if ((cfg->metrics & CFG_M_STATE) && cfg->schema != CFG_SCHEMA_LXD2INFLUX &&
	    cg_freezer_new(c->root, &c->freezer) < 0) {
		net_free(c->net);
		cg_discovery_free(c->disc);
		cg_root_free(c->root);
		free(c);
		return -ENOMEM;
	}
	fdb_init(&c->fdb);
	c->btime_ns = boot_time_ns();
	c->hz = (uint64_t)sysconf(_SC_CLK_TCK);
	*ret = c;
	return 0;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ct_clear(&c->cts[i]);
	free(c->cts);
	cg_freezer_free(c->freezer);
	state_known_free(c->known, c->nknown);
	free(c->known_up);
	if (c->dirs) {
		state_dirs_free(c->dirs);
		free(c->dirs);
	}
	if (c->net)
		net_free(c->net);
	cg_discovery_free(c->disc);
	cg_root_free(c->root);
	blkdev_names_free(c->blkdev);
	free(c);
}

bool collect_wanted(const struct config *cfg, const char *name)
{
	if (!strv_match(&cfg->include, name))
		return false;
	return !strv_match(&cfg->exclude, name);
}

/* What a warm container holds: its cgroup files, and with network figures
 * its netlink socket and its init's root directory (container_fs). */
static uint64_t ct_fds(const struct collector *col, const struct ct *c)
{
	return cg_container_nfiles(c->cg) + (col->net ? 2 : 0);
}

/* C's cgroup files are open: keep them (warm) when the budget has room. */
static bool ct_try_warm(struct collector *col, struct ct *c)
{
	uint64_t n = ct_fds(col, c);

	if (!fdb_take(&col->fdb, n))
		return false;
	c->cold = false;
	c->held_fds = n;
	return true;
}

/* ... else close them again: C is read cold. */
static void ct_keep_or_close(struct collector *col, struct ct *c)
{
	if (ct_try_warm(col, c))
		return;
	cg_container_free(c->cg);
	c->cg = NULL;
	c->cold = true;
}

/* Fill a new table slot from a discovered cgroup; false if it is skipped
 * for good (its cgroup vanished already). */
static bool ct_init(struct collector *col, struct ct *c, struct cg_found *f)
{
	char esc[512];
	int r;

	memset(c, 0, sizeof(*c));
	c->net_stale = true;
	c->root_fd = -1;
	c->relpath = f->relpath;
	c->name = f->name;
	c->project = f->project;
	f->relpath = f->name = f->project = NULL;

	c->writable = lp_tag_ok(c->name) && (!c->project || lp_tag_ok(c->project));
	if (!c->writable) {
		/* logged once: the slot stays in the table, silent, until the
		 * cgroup goes away */
		log_warning("container cgroup %s: name cannot be written as line protocol, skipping",
			    log_escape(c->relpath, esc, sizeof(esc)));
		return true;
	}
	r = cg_container_open(col->root, c->relpath, col->cg_metrics, &c->cg);
	if (r == -EMFILE || r == -ENFILE) {
		/* out of fds after all (something else took them): cold */
		c->cold = true;
		return true;
	}
	if (r >= 0)
		ct_keep_or_close(col, c);
	if (r < 0) {
		log_debug("container %s: cannot open cgroup files: %s, skipping", c->name,
			  strerror(-r));
		return false;
	}
	/* read at open; again within the minute, at this container's turn
	 * (half an interval early: cycles start a little late, never early) */
	c->limits_due = col->now + (int64_t)(1 + col->limits_turn++ % col->limits_every) *
					   (int64_t)col->cfg->interval_ms * 1000;
	if (c->limits_due > col->now + LIMITS_EVERY_MS * 1000)
		c->limits_due = col->now + LIMITS_EVERY_MS * 1000;
	c->limits_due -= (int64_t)col->cfg->interval_ms * 500;
	if (!col->net) /* else found with the socket in its first cycle */
		find_start(col, c);
	log_debug("container %s%s%s: found at %s", c->name, c->project ? ", project " : "",
		  c->project ? c->project : "", c->relpath);
	return true;
}

/* -v: what discovery found and what include/exclude left out (a few
 * names of the latter), so that "0 containers" is never a riddle. */
static void log_discovery(struct collector *col, const struct cg_found *found, size_t nfound)
{
	char names[256] = "", esc[128];
	size_t shown = 0;

	if (log_get_level() < LOG_DEBUG)
		return;
	for (size_t j = 0; j < nfound && shown < 5; j++)
		if (!collect_wanted(col->cfg, found[j].name))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 shown++ ? ", " : ": ", log_escape(found[j].name, esc, sizeof(esc)));
	log_debug("discovery: %zu cgroup%s match%s the container naming rules, %zu of them left "
		  "out by include/exclude%s%s",
		  col->found, col->found == 1 ? "" : "s", col->found == 1 ? "es" : "", col->left_out,
		  names, col->left_out > shown ? ", ..." : "");
}

/* Name what discovery found (state_ident(): LXD's PROJECT_NAME is split
 * only for LXD's own instances, never for a plain LXC container). A
 * cgroup already in the table keeps the name it had when first found, so
 * its tags never change while it runs, and only a new cgroup whose name
 * holds a '_' costs a look at LXC's and LXD's directories (listed once
 * for all of them, state_dirs_fresh()). */
static int name_found(struct collector *col, struct cg_found *found, size_t nfound)
{
	size_t i = 0;

	for (size_t j = 0; j < nfound; j++) {
		struct cg_found *f = &found[j];
		const struct ct *c;
		char *name, *project = NULL;

		while (i < col->n && strcmp(col->cts[i].relpath, f->relpath) < 0)
			i++;
		if (!strchr(f->name, '_'))
			continue;
		c = i < col->n && strcmp(col->cts[i].relpath, f->relpath) == 0 ? &col->cts[i] : NULL;
		if (!c) {
			/* the lists of LXC's and LXD's directories, fresh since
			 * this change of discovery (scan_due 0) */
			if (state_dirs_fresh(col) < 0 ||
			    state_ident(col->dirs, f->name, &name, &project) < 0)
				return -ENOMEM;
		} else {
			name = strdup(c->name);
			if (name && c->project && !(project = strdup(c->project))) {
				free(name);
				name = NULL;
			}
			if (!name)
				return -ENOMEM;
		}
		free(f->name);
		f->name = name;
		f->project = project;
	}
	return 0;
}

/* Merge the sorted discovery list into the sorted table. */
static int collector_sync(struct collector *col, struct cg_found *found, size_t nfound)
{
	struct ct *next;
	size_t i = 0, j = 0, k = 0;
	int r;

	r = name_found(col, found, nfound);
	if (r < 0)
		return r;
	col->found = nfound;
	col->left_out = 0;
	for (j = 0; j < nfound; j++)
		col->left_out += !collect_wanted(col->cfg, found[j].name);
	log_discovery(col, found, nfound);
	j = 0;

	next = calloc(nfound ? nfound : 1, sizeof(*next));
	if (!next)
		return -ENOMEM;
	while (i < col->n || j < nfound) {
		int cmp;

		if (j < nfound && !collect_wanted(col->cfg, found[j].name)) {
			j++;
			continue;
		}
		if (i >= col->n)
			cmp = 1;
		else if (j >= nfound)
			cmp = -1;
		else
			cmp = strcmp(col->cts[i].relpath, found[j].relpath);
		if (cmp < 0) { /* vanished */
			log_debug("container %s: gone", col->cts[i].name);
			fdb_give(&col->fdb, col->cts[i].held_fds);
			if (col->freezer) /* its cgroup may stay: watched no more */
				cg_freezer_forget(col->freezer, &col->cts[i].frozen);
			ct_clear(&col->cts[i++]);
		} else if (cmp == 0) { /* still there */
			next[k++] = col->cts[i];
			i++, j++;
		} else { /* new */
			if (ct_init(col, &next[k], &found[j]))
				k++;
			else
				ct_clear(&next[k]);
			j++;
		}
	}
	free(col->cts);
	col->cts = next;
	col->n = k;
	col->cap = nfound;
	for (i = 0, j = 0; i < k; i++)
		j += next[i].cold;
	fdb_report(&col->fdb, k, j);
	return 0;
}

static void log_bad_fields(const struct ct *c, const struct cg_stats *s)
{
	if (!s->bad || log_get_level() < LOG_DEBUG)
		return;
	for (int f = 0; f < CG_FIELD_MAX; f++)
		if ((s->bad >> f) & 1)
			log_debug("container %s: %s: unreadable value, field omitted", c->name,
				  cg_field_name((enum cg_field)f));
}

/* The figures of one container only /1.0/metrics has: memory details,
 * CPU time per CPU, I/O per device. 0 or -ENOMEM. */
static int write_side(struct collector *col, const struct ct *c, const struct ct_ident *id,
		      const struct cg_stats *s, int64_t ts_ns)
{
	struct cg_split sp;

	if (schema_write_lxd_memory(col->side, id, s, col->host_mem, ts_ns) < 0)
		return -ENOMEM;
	if (!col->blkdev)
		return 0;
	cg_container_split(c->cg, &sp);
	if (schema_write_lxd_cpu(col->side, id, &sp, s, ts_ns) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sp.ndev; i++) {
		const char *name = blkdev_name(col->blkdev, sp.dev[i].major, sp.dev[i].minor);

		if (schema_write_lxd_disk(col->side, id, name, &sp.dev[i], ts_ns) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One container's cycle: its limits when due, its cgroup files read
 * (opened anew when the cgroup was made anew), encoded into OUT when
 * given, its network figures, then FN when given. <0 only for an error
 * that ends the cycle. */
static int ct_cycle(struct collector *col, struct ct *c, int64_t ts_ns, struct lp_buf *out,
		    collector_visit_fn fn, void *ud, struct cycle_stats *st)
{
	struct cg_stats s;
	struct ct_ident id = { col->cfg->hostname, c->name, c->project, col->cfg->tags,
			       col->cfg->ntags };
	struct ct_sample sample;
	bool check;
	int r;

	if (cg_container_partial(c->cg) && c->reopens < 3) {
		/* found while its cgroups were still being made: the
		 * hierarchies made since would stay unread for good */
		struct cg_container *cg = NULL;

		c->reopens++;
		if (cg_container_open(col->root, c->relpath, col->cg_metrics, &cg) == 0) {
			cg_container_free(c->cg);
			c->cg = cg;
		}
	}
	check = col->now >= c->limits_due;
	if (check) {
		/* a minute after the last turn, or from now when cycles
		 * were missed meanwhile: never later than a minute */
		c->limits_due += LIMITS_EVERY_MS * 1000;
		if (c->limits_due <= col->now)
			c->limits_due = col->now + LIMITS_EVERY_MS * 1000 -
					(int64_t)col->cfg->interval_ms * 500;
		r = cg_container_reload_limits(c->cg);
		if (r < 0) { /* the last values stay; again next cycle */
			log_debug("container %s: reading limits failed: %s", c->name,
				  strerror(-r));
			c->limits_due = col->now; /* again next cycle */
		}
	}
	r = cg_container_read(c->cg, &s);
	if (r == -ENOENT) {
		/* the cgroup we hold was removed: the container is gone,
		 * or was restarted into a new cgroup of the same name
		 * (LXC removes and recreates it) between two cycles */
		struct cg_container *cg = NULL;

		cg_discovery_invalidate(col->disc);
		if (cg_container_open(col->root, c->relpath, col->cg_metrics, &cg) == 0) {
			cg_container_free(c->cg);
			c->cg = cg;
			c->net_stale = true; /* a restart: a new init, a new namespace */
			if (col->freezer) /* a new state file to watch */
				cg_freezer_invalidate(col->freezer);
			c->start_ticks = 0;
			find_start(col, c);
			r = cg_container_read(c->cg, &s);
		}
	}
	if (r == -ENOENT) { /* vanished: gone after the next discovery */
		log_debug("container %s: cgroup vanished, skipping", c->name);
		return 0;
	}
	if (r < 0) {
		log_warning("container %s: reading cgroup failed: %s, skipping", c->name,
			    strerror(-r));
		return 0;
	}
	log_bad_fields(c, &s);
	if (col->net) /* before container_state, which takes the init's start time */
		ct_sync_net(col, c, check);
	if (out) {
		int n = schema_write_cgroup(out, col->cfg->schema, &id, &s, ts_ns);

		if (n < 0)
			return n;
		st->points += (uint64_t)n;
		if (col->freezer) {
			bool frozen = cg_freezer_read(col->freezer, c->relpath, &c->frozen) == 1;

			if (check || (c->start_ticks == 0 && c->init_pid > 0))
				find_start(col, c);
			n = write_state(col, &id, frozen ? "FROZEN" : "RUNNING", c->start_ticks, ts_ns,
					out);
			if (n < 0)
				return n;
			st->points += (uint64_t)n;
		}
	}
	st->containers++;
	if (col->side && write_side(col, c, &id, &s, ts_ns) < 0)
		return -ENOMEM;

	sample = (struct ct_sample){ c->relpath, c->name, c->project, &s, NULL, 0, false };
	if (col->net) {
		r = ct_net(col, c, &id, ts_ns, out, st, &sample.links, &sample.nlinks);
		if (r < 0)
			return r;
		sample.has_net = sample.links != NULL;
	}
	if (fn) {
		r = fn(ud, &sample);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A cold container (fdbudget.h): open its cgroup files for this cycle;
 * when the budget has room again (containers went away) it turns warm
 * and keeps them. */
static int ct_open_cold(struct collector *col, struct ct *c)
{
	int r = cg_container_open(col->root, c->relpath, col->cg_metrics, &c->cg);

	if (r < 0)
		return r;
	ct_try_warm(col, c);
	return 0;
}

/* After a cold container's cycle: close what it opened; its init and
 * namespace are found again next cycle. */
static void ct_close_cold(struct ct *c)
{
	cg_container_free(c->cg);
	c->cg = NULL;
	net_ct_release(c->net);
	if (c->root_fd >= 0)
		close(c->root_fd);
	c->root_fd = -1;
	c->net_stale = true;
}

/* One cycle: encode into OUT when given, hand each container to FN when
 * given. */
static int cycle(struct collector *col, int64_t ts_ns, struct lp_buf *out, collector_visit_fn fn,
		 void *ud, struct cycle_stats *ret)
{
	struct cg_found *found = NULL;
	struct cycle_stats st = { 0 };
	size_t nfound = 0;
	int64_t t0 = clock_us(CLOCK_MONOTONIC);

	col->now = t0;
	int r;

	r = cg_discovery_poll(col->disc, &found, &nfound);
	if (r < 0) {
		/* keep the table as it is; try again next cycle */
		log_warning("container discovery failed: %s", strerror(-r));
		cg_discovery_invalidate(col->disc);
	} else if (r > 0) {
		col->scan_due = 0; /* which containers run changed: scan again */
		r = collector_sync(col, found, nfound);
		cg_found_free(found, nfound);
		if (col->freezer) /* cgroups made anew need new watches */
			cg_freezer_invalidate(col->freezer);
		if (r < 0)
			return r;
	}

	if (col->freezer)
		cg_freezer_poll(col->freezer);
	if (col->net) {
		r = net_cycle_begin(col->net);
		if (r == -EAGAIN) /* links kept changing: last cycle's map stays */
			log_debug("host link dump interrupted repeatedly, using the previous one");
		else if (r < 0)
			log_warning("host link dump failed: %s, host_interface tags may be missing",
				    strerror(-r));
	}

	for (size_t i = 0; i < col->n; i++) {
		struct ct *c = &col->cts[i];

		if (!c->writable)
			continue;
		if (c->cold) {
			r = ct_open_cold(col, c);
			if (r == -ENOENT) {
				log_debug("container %s: cgroup vanished, skipping", c->name);
				continue;
			}
			if (r < 0) {
				log_warning("container %s: cannot open its cgroup files: %s, skipping",
					    c->name, strerror(-r));
				continue;
			}
		} else if (!c->cg) {
			continue;
		}
		r = ct_cycle(col, c, ts_ns, out, fn, ud, &st);
		if (c->cold)
			ct_close_cold(c);
		if (r < 0)
			return r;
	}
	if (out && col->cfg->schema != CFG_SCHEMA_LXD2INFLUX && (col->cfg->metrics & CFG_M_STATE)) {
		r = write_stopped(col, ts_ns, out, &st);
		if (r < 0)
			return r;
	}
	st.cycle_us = (uint64_t)(clock_us(CLOCK_MONOTONIC) - t0);
	st.found = col->found;
	st.left_out = col->left_out;
	*ret = st;
	return 0;
}

int collector_cycle(struct collector *col, int64_t ts_ns, struct lp_buf *out,
		    struct cycle_stats *ret)
{
	return cycle(col, ts_ns, out, NULL, NULL, ret);
}

int collector_visit(struct collector *col, collector_visit_fn fn, void *ud, struct cycle_stats *ret)
{
	return cycle(col, 0, NULL, fn, ud, ret);
}

/* Many containers mean many open files: about a dozen per container (the
 * cgroup files read every cycle and a netlink socket). Raise the limit as far as we
 * may: both limits to fs.nr_open when privileged (CAP_SYS_RESOURCE), else
 * the soft limit to the hard one (the unit sets LimitNOFILE). */
void collector_raise_nofile(void)
{
	struct rlimit rl;
	unsigned long long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (f) {
		if (fscanf(f, "%llu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (nr_open > rl.rlim_max) {
		struct rlimit want = { nr_open, nr_open };

		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int collector_write_self(struct collector *col, int64_t ts_ns, const struct cycle_stats *st,
			 uint64_t spool_bytes, uint64_t dropped_points, uint64_t write_errors,
			 struct lp_buf *out)
{
	int r;

	r = lp_begin(out, "lxcollectd");
	if (r >= 0)
		r = lp_tag(out, "host", col->cfg->hostname);
	for (size_t i = 0; r >= 0 && i < col->cfg->ntags; i++)
		r = lp_tag(out, col->cfg->tags[i].key, col->cfg->tags[i].value);
	if (r >= 0)
		r = lp_field_u64(out, "containers", st->containers);
	if (r >= 0)
		r = lp_field_u64(out, "points", st->points + 1);
	if (r >= 0)
		r = lp_field_u64(out, "cycle_us", st->cycle_us);
	if (r >= 0 && spool_bytes != UINT64_MAX)
		r = lp_field_u64(out, "spool_bytes", spool_bytes);
	if (r >= 0 && dropped_points != UINT64_MAX)
		r = lp_field_u64(out, "dropped_points", dropped_points);
	if (r >= 0 && write_errors != UINT64_MAX)
		r = lp_field_u64(out, "write_errors", write_errors);
	if (r < 0) {
		lp_abort(out);
		return r;
	}
	return lp_end(out, ts_ns);
}
