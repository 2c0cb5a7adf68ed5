/* collect_net: a container's network socket kept in step with its init
 * (found again when the init may have changed, through the netns helper),
 * and the figures read through it: its links and its root filesystem. */
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/collect_int.h"
#include "collector/log.h"
#include "collector/net.h"
#include "collector/schema.h"

/* The init's start time, for uptime_s: once found, kept until the
 * cgroup is made anew. The init the network socket was made for is that
 * init: no second look through cgroup.procs and /proc. */
void find_start(struct collector *col, struct ct *c)
{
	pid_t pid;
	uint64_t st;

	if (c->start_ticks != 0)
		return;
	if (c->init_pid > 0 && !c->net_stale)
		c->start_ticks = c->init_starttime;
	else if (cg_find_init(col->root, c->relpath, &pid, &st) == 0)
		c->start_ticks = st;
}

/* Is the init we made the socket for still there? Its start time tells
 * it from a later process with the same PID. */
static bool init_same(const struct collector *col, const struct ct *c)
{
	uint64_t st;

	return c->init_pid > 0 && cg_read_starttime(col->cfg->proc_root, c->init_pid, &st) == 0 &&
	       st == c->init_starttime;
}

/* When the init may have changed (first sight, cgroup made anew, a
 * failure last cycle, or CHECK: the once-a-minute look at its start
 * time), find it again and bring the container's socket up to date. The
 * helper checks the start time too: a socket is never made for a reused
 * PID. */
void ct_sync_net(struct collector *col, struct ct *c, bool check)
{
	uint64_t st;
	pid_t pid;
	int r;

	if (!c->net_stale && (!check || c->init_pid <= 0 || init_same(col, c)))
		return;
	c->net_stale = true; /* until the end */
	c->no_net = true;
	c->init_pid = 0;
	r = cg_find_init(col->root, c->relpath, &pid, &st);
	if (r < 0) {
		if (!c->reported_missing_init)
			log_info("container %s: no init process found (%s), reporting it without network",
				 c->name, strerror(-r));
		c->reported_missing_init = true;
		return;
	}
	c->reported_missing_init = false;
	if (c->root_fd >= 0)
		close(c->root_fd);
	c->root_fd = -1;
	r = net_ct_sync(col->net, &c->net, pid, st, &c->root_fd);
	if (r == -EXDEV) {
		log_info("container %s: shares the host's network namespace, no network points",
			 c->name);
		c->init_pid = pid;
		c->init_starttime = st;
		c->net_stale = false;
		return;
	}
	if (r < 0) {
		/* -ESRCH: the init died since we found it, a restart in
		 * progress; -ECONNRESET: the helper died, which the daemon
		 * reports once; anything else is worth one warning */
		if (r == -ESRCH || r == -ECONNRESET || c->reported_net_error)
			log_debug("container %s: cannot open its network namespace: %s, skipping network",
				  c->name, strerror(-r));
		else
			log_warning("container %s: cannot open its network namespace: %s, skipping network",
				    c->name, strerror(-r));
		c->reported_net_error = r != -ESRCH;
		return; /* try again next cycle */
	}
	c->reported_net_error = false;
	if (c->root_fd < 0 && !c->reported_no_root)
		log_warning("container %s: cannot open its root directory, no container_fs", c->name);
	c->reported_no_root = c->root_fd < 0;
	log_debug("container %s: init pid %d, network socket ready", c->name, (int)pid);
	c->init_pid = pid;
	c->init_starttime = st;
	c->net_stale = false;
	c->no_net = false;
}

/* container_fs: the root filesystem seen through the init's root
 * directory (one fstatfs; no path walk, no namespace entered). Returns
 * the points written (0 or 1) or -ENOMEM. */
static int write_fs(struct ct *c, const struct ct_ident *id, int64_t ts_ns, struct lp_buf *out)
{
	struct statfs sf;

	if (c->root_fd < 0)
		return 0;
	if (fstatfs(c->root_fd, &sf) < 0) {
		log_debug("container %s: fstatfs of its root failed: %s, skipping container_fs",
			  c->name, strerror(errno));
		return 0;
	}
	return schema_write_fs(out, id, &sf, ts_ns);
}

/* One container's network figures: sync its socket, dump its links and
 * encode them when OUT is given. Returns 0 (ret_links NULL when there are
 * none this cycle), or -errno of the encoder. */
int ct_net(struct collector *col, struct ct *c, const struct ct_ident *id,
	   int64_t ts_ns, struct lp_buf *out, struct cycle_stats *st,
	   const struct netns_link **ret_links, size_t *ret_n)
{
	const struct netns_link *links;
	size_t nl;
	int r;

	*ret_links = NULL;
	*ret_n = 0;
	if (c->no_net || !c->net)
		return 0;
	r = net_ct_links(c->net, &links, &nl);
	if (r < 0) {
		log_warning("container %s: link dump failed: %s, skipping network", c->name,
			    strerror(-r));
		return 0;
	}
	if (out) {
		r = net_ct_write(col->net, c->net, links, nl, id, ts_ns, out, col->side);
		if (r < 0)
			return r;
		st->points += (uint64_t)r;
		/* the root filesystem, also through the helper; lxd2influx's
		 * measurements stay exactly those its dashboards know */
		if (col->cfg->schema != CFG_SCHEMA_LXD2INFLUX) {
			r = write_fs(c, id, ts_ns, out);
			if (r < 0)
				return r;
			st->points += (uint64_t)r;
		}
	}
	*ret_links = links;
	*ret_n = nl;
	return 0;
}

void collector_drop_net(struct collector *c)
{
	if (c)
		c->helper = NULL; /* also for container_state's lists */
	if (!c || !c->net)
		return;
	for (size_t i = 0; i < c->n; i++) {
		net_ct_free(c->cts[i].net);
		c->cts[i].net = NULL;
		c->cts[i].no_net = true;
	}
	net_free(c->net);
	c->net = NULL;
}
