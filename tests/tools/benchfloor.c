/* benchfloor: the floor of lxcollectd's former cycle, the reference its
 * cycle is measured against, and the same bare reads for today's cycle.
 *
 *   benchfloor [--cycles K] [--interval MS] [--include GLOB] [--cgroup-root DIR]
 *              [--pressure]
 *
 * Finds the containers the way lxcollectd does (cg_discover), gets one
 * NETLINK_ROUTE socket inside each container's network namespace from the
 * netns helper, and measures two sets of bare system calls, nothing
 * parsed or encoded, each for K cycles:
 *
 *   floor: pread at offset 0 of the files lxcollectd used to hold open
 *   for every default metric but pressure (on a v1 or hybrid host the 16
 *   of the OLD set below, on a v2 host its 10; --pressure adds the three
 *   PSI files) and one RTM_GETLINK dump per container;
 *
 *   now: pread of the files it holds open today (the NOW set), of the PSI
 *   files apart, and one RTM_GETSTATS dump (IFLA_STATS_LINK_64) per
 *   container.
 *
 * The host-side dump (host_interface tags) and the once-a-minute limit
 * reads are in neither. Cycles start --interval MS apart (default 1000,
 * as the daemon's --interval 1): back to back, every kernel object of a
 * thousand containers would stay in the CPU caches, which a collector
 * that sleeps between cycles never finds. Prints medians over the cycles
 * of this process's CPU time (user + kernel, CLOCK_PROCESS_CPUTIME_ID) per
 * container per cycle, in total and by part:
 *
 *   floor containers=N files=F cycles=K us_per_ct=X cgroup_us=Y netlink_us=Z
 *   now containers=N files=F cycles=K us_per_ct=X cgroup_us=Y psi_us=P stats_us=S
 *
 * Root (the helper needs CAP_SYS_ADMIN and CAP_SYS_PTRACE). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/netns.h"
#include "tests/tools/measure.h"

/* The cgroup files of a container: OLD, what lxcollectd held open before
 * its limits were read once a minute, cpuacct.usage_all replaced three
 * files and counters a limit gates were read with the limits; NOW, what
 * it holds open today (pressure apart: PSI). */
enum { OLD = 1, NOW = 2, PSI = 4 };
static const struct {
	enum cg_hier h;
	bool v2; /* a file of the v2 table: opened only on a v2-only host */
	unsigned set;
	const char *name;
} files[] = {
	{ CG_H_CPUACCT, false, OLD | NOW, "cpuacct.usage" },
	{ CG_H_CPUACCT, false, OLD, "cpuacct.usage_user" },
	{ CG_H_CPUACCT, false, OLD, "cpuacct.usage_sys" },
	{ CG_H_CPUACCT, false, OLD, "cpuacct.stat" },
	{ CG_H_CPUACCT, false, NOW, "cpuacct.usage_all" },
	{ CG_H_CPU, false, OLD, "cpu.stat" },
	{ CG_H_CPU, false, OLD, "cpu.cfs_quota_us" },
	{ CG_H_CPU, false, OLD, "cpu.cfs_period_us" },
	{ CG_H_MEMORY, false, OLD | NOW, "memory.usage_in_bytes" },
	{ CG_H_MEMORY, false, OLD | NOW, "memory.stat" },
	{ CG_H_MEMORY, false, OLD, "memory.limit_in_bytes" },
	{ CG_H_MEMORY, false, OLD | NOW, "memory.oom_control" },
	{ CG_H_MEMORY, false, OLD, "memory.failcnt" },
	{ CG_H_PIDS, false, OLD | NOW, "pids.current" },
	{ CG_H_PIDS, false, OLD, "pids.max" },
	{ CG_H_BLKIO, false, OLD | NOW, "blkio.throttle.io_service_bytes_recursive" },
	{ CG_H_BLKIO, false, OLD | NOW, "blkio.throttle.io_serviced_recursive" },
	{ CG_H_UNIFIED, true, OLD | NOW, "cpu.stat" },
	{ CG_H_UNIFIED, true, OLD, "cpu.max" },
	{ CG_H_UNIFIED, true, OLD | NOW, "memory.current" },
	{ CG_H_UNIFIED, true, OLD | NOW, "memory.stat" },
	{ CG_H_UNIFIED, true, OLD | NOW, "memory.swap.current" },
	{ CG_H_UNIFIED, true, OLD, "memory.max" },
	{ CG_H_UNIFIED, true, OLD | NOW, "memory.events" },
	{ CG_H_UNIFIED, true, OLD | NOW, "pids.current" },
	{ CG_H_UNIFIED, true, OLD, "pids.max" },
	{ CG_H_UNIFIED, true, OLD | NOW, "io.stat" },
	{ CG_H_UNIFIED, false, PSI, "cpu.pressure" },
	{ CG_H_UNIFIED, false, PSI, "memory.pressure" },
	{ CG_H_UNIFIED, false, PSI, "io.pressure" },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

struct fct {
	int fd[NFILES]; /* the files of the set being measured */
	size_t nfd;
	int psi[3];
	size_t npsi;
	int nl; /* -1: no network */
};

/* Open the files of SET for one container; their number. */
static size_t open_set(const struct cg_root *root, const char *relpath, unsigned set, int *fds)
{
	bool unified_only = cg_root_layout(root) == CG_LAYOUT_UNIFIED;
	size_t n = 0;

	for (size_t i = 0; i < NFILES; i++) {
		int dir = cg_root_fd(root, files[i].h), fd;
		char path[4096];

		if (dir < 0 || !(files[i].set & set) ||
		    (!(files[i].set & PSI) && files[i].v2 != unified_only))
			continue;
		snprintf(path, sizeof(path), "%s/%s", relpath, files[i].name);
		fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			fds[n++] = fd;
	}
	return n;
}

static void close_all(int *fds, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		close(fds[i]);
	*n = 0;
}

static char buf[65536] __attribute__((aligned(8)));

/* One dump, read to NLMSG_DONE: RTM_GETLINK (the whole table with
 * counters), or RTM_GETSTATS with IFLA_STATS_LINK_64 only. */
static int dump(int fd, unsigned seq, bool stats)
{
	struct {
		struct nlmsghdr h;
		union {
			struct ifinfomsg i;
			struct if_stats_msg s;
		};
	} req = { .h = { .nlmsg_len = NLMSG_LENGTH(stats ? sizeof(req.s) : sizeof(req.i)),
			 .nlmsg_type = stats ? RTM_GETSTATS : RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq } };

	if (stats)
		req.s.filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	if (send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int rem = (int)n;

		if (n <= 0)
			return n < 0 ? -errno : -EPROTO;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
		}
	}
}

/* K cycles INTERVAL_MS apart of bare reads: every file of cts[].fd, every
 * PSI file, one dump per container (RTM_GETSTATS when STATS, else
 * RTM_GETLINK). RET: medians of CPU µs per container of the three parts
 * and of their sum. */
static int measure(struct fct *cts, size_t n, int cycles, int interval_ms, bool stats,
		   double ret[4])
{
	static unsigned seq = 1;
	double *part[4];
	int r = 0;

	for (int p = 0; p < 4; p++)
		part[p] = calloc((size_t)cycles, sizeof(double));
	if (!part[0] || !part[1] || !part[2] || !part[3])
		return -ENOMEM;
	/* one untimed cycle first: the first read of a file or a namespace
	 * warms caches the steady state finds warm */
	for (int k = -1; k < cycles && r == 0; k++) {
		double t[4];

		if (k >= 0 && interval_ms > 0)
			usleep((useconds_t)interval_ms * 1000);
		t[0] = now_us(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < cts[i].nfd; f++)
				if (pread(cts[i].fd[f], buf, sizeof(buf), 0) < 0)
					r = -errno;
		t[1] = now_us(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < cts[i].npsi; f++)
				if (pread(cts[i].psi[f], buf, sizeof(buf), 0) < 0)
					r = -errno;
		t[2] = now_us(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < n; i++)
			if (cts[i].nl >= 0 && dump(cts[i].nl, seq++, stats) < 0)
				r = -EIO;
		t[3] = now_us(CLOCK_PROCESS_CPUTIME_ID);
		if (k < 0)
			continue;
		for (int p = 0; p < 3; p++)
			part[p][k] = (t[p + 1] - t[p]) / (double)n;
		part[3][k] = (t[3] - t[0]) / (double)n;
	}
	for (int p = 0; p < 4; p++) {
		ret[p] = median(part[p], cycles);
		free(part[p]);
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *root_dir = "/sys/fs/cgroup", *glob = "*";
	struct netns_helper *helper = NULL;
	struct cg_root *root = NULL;
	struct cg_found *found = NULL;
	struct fct *cts;
	size_t nfound = 0, n = 0, nfiles = 0;
	double res[2][4];
	struct rlimit rl;
	bool psi = false;
	int cycles = 20, interval_ms = 1000, r;

	/* the netns helper is this program run again */
	netns_helper_exec_main(argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cycles") == 0 && i + 1 < argc)
			cycles = atoi(argv[++i]);
		else if (strcmp(argv[i], "--include") == 0 && i + 1 < argc)
			glob = argv[++i];
		else if (strcmp(argv[i], "--cgroup-root") == 0 && i + 1 < argc)
			root_dir = argv[++i];
		else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc)
			interval_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--pressure") == 0)
			psi = true;
		else {
			fprintf(stderr, "usage: benchfloor [--cycles K] [--interval MS] [--include GLOB] [--cgroup-root DIR] [--pressure]\n");
			return 64;
		}
	}
	if (cycles < 1)
		cycles = 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max = 1048576;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	r = netns_helper_start(&helper);
	if (r < 0) {
		fprintf(stderr, "benchfloor: netns helper: %s\n", strerror(-r));
		return 1;
	}
	r = cg_root_open(root_dir, "/proc", &root);
	if (r >= 0)
		r = cg_discover(root, &found, &nfound);
	if (r < 0) {
		fprintf(stderr, "benchfloor: discovery: %s\n", strerror(-r));
		return 1;
	}
	cts = calloc(nfound ? nfound : 1, sizeof(*cts));
	if (!cts)
		return 1;
	for (size_t i = 0; i < nfound; i++) {
		struct fct *c = &cts[n];
		uint64_t st, ino;
		pid_t pid;
		int fd;

		if (fnmatch(glob, found[i].name, 0) != 0)
			continue;
		c->nfd = open_set(root, found[i].relpath, OLD | (psi ? PSI : 0), c->fd);
		if (c->nfd == 0)
			continue;
		nfiles += c->nfd;
		c->nl = -1;
		if (cg_find_init(root, found[i].relpath, &pid, &st) == 0 &&
		    netns_helper_open(helper, pid, st, &fd, &ino) == 0)
			c->nl = fd;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "benchfloor: no containers matching %s\n", glob);
		return 1;
	}
	if (measure(cts, n, cycles, interval_ms, false, res[0]) < 0)
		return 1;
	printf("floor containers=%zu files=%zu cycles=%d us_per_ct=%.1f cgroup_us=%.1f netlink_us=%.1f\n",
	       n, nfiles, cycles, res[0][3], res[0][0], res[0][2]);

	/* the same bare reads for the files held open today, PSI apart, and
	 * the counters by RTM_GETSTATS: what each change took off the floor */
	nfiles = 0;
	for (size_t i = 0, k = 0; i < nfound && k < n; i++) {
		if (fnmatch(glob, found[i].name, 0) != 0)
			continue;
		close_all(cts[k].fd, &cts[k].nfd);
		cts[k].nfd = open_set(root, found[i].relpath, NOW, cts[k].fd);
		cts[k].npsi = open_set(root, found[i].relpath, PSI, cts[k].psi);
		nfiles += cts[k].nfd + cts[k].npsi;
		k++;
	}
	if (measure(cts, n, cycles, interval_ms, true, res[1]) < 0)
		return 1;
	printf("now containers=%zu files=%zu cycles=%d us_per_ct=%.1f cgroup_us=%.1f psi_us=%.1f stats_us=%.1f\n",
	       n, nfiles, cycles, res[1][3], res[1][0], res[1][1], res[1][2]);
	cg_found_free(found, nfound);
	for (size_t i = 0; i < n; i++) {
		close_all(cts[i].fd, &cts[i].nfd);
		close_all(cts[i].psi, &cts[i].npsi);
		if (cts[i].nl >= 0)
			close(cts[i].nl);
	}
	free(cts);
	cg_root_free(root);
	netns_helper_stop(helper);
	return 0;
}
