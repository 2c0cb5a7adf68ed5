/* benchfloor: the floor a collection cycle cannot go below on this host.
 *
 *   benchfloor [--cycles K] [--interval MS] [--include GLOB] [--cgroup-root DIR]
 *              [--no-pressure]
 *
 * Finds the containers the way lxcollectd does (cg_discover), opens the
 * very cgroup files lxcollectd opens for them (cg_container_open with every
 * metric, or all but pressure) and gets one NETLINK_ROUTE socket inside each container's network
 * namespace from the netns helper. Then, for K cycles, it does only the
 * bare system calls a cycle needs: pread of every file at offset 0 and one
 * RTM_GETLINK dump per container (received, not parsed). Nothing is
 * parsed or encoded. The host-side dump (host_interface tags) is not part
 * of the floor: lxcollectd repeats it only when the host's links change.
 * Cycles start --interval MS apart (default 1000, as the daemon's
 * --interval 1): back to back, every kernel object of a thousand
 * containers would stay in the CPU caches, which a collector that sleeps
 * between cycles never finds. Prints the median over the cycles of this process's CPU time (user +
 * kernel, CLOCK_PROCESS_CPUTIME_ID) per container per cycle, in total and
 * split into cgroup and netlink parts:
 *
 *   floor containers=N files=F cycles=K us_per_ct=X cgroup_us=Y netlink_us=Z
 *
 * Root (the helper needs CAP_SYS_ADMIN and CAP_SYS_PTRACE). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/netns.h"
#include "tests/tools/measure.h"

struct fct {
	struct cg_container *cg;
	int nl; /* -1: no network */
};

static char buf[65536] __attribute__((aligned(8)));

/* One RTM_GETLINK dump, read to NLMSG_DONE. */
static int dump(int fd, unsigned seq)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { .h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq } };

	if (send(fd, &req, sizeof(req), 0) < 0)
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

int main(int argc, char **argv)
{
	const char *root_dir = "/sys/fs/cgroup", *glob = "*";
	struct netns_helper *helper = NULL;
	struct cg_root *root = NULL;
	struct cg_found *found = NULL;
	struct fct *cts;
	size_t nfound = 0, n = 0, nfiles = 0;
	double *tot, *cgp, *nlp;
	struct rlimit rl;
	unsigned metrics = CG_M_ALL;
	int cycles = 20, interval_ms = 1000, r;
	unsigned seq = 1;

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
		else if (strcmp(argv[i], "--no-pressure") == 0)
			metrics &= ~(unsigned)CG_M_PRESSURE;
		else {
			fprintf(stderr, "usage: benchfloor [--cycles K] [--interval MS] [--include GLOB] [--cgroup-root DIR] [--no-pressure]\n");
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
		if (cg_container_open(root, found[i].relpath, metrics, &c->cg) < 0)
			continue;
		nfiles += cg_container_nfiles(c->cg);
		c->nl = -1;
		if (cg_find_init(root, found[i].relpath, &pid, &st) == 0 &&
		    netns_helper_open(helper, pid, st, &fd, &ino) == 0)
			c->nl = fd;
		n++;
	}
	cg_found_free(found, nfound);
	if (n == 0) {
		fprintf(stderr, "benchfloor: no containers matching %s\n", glob);
		return 1;
	}
	tot = calloc((size_t)cycles, sizeof(double));
	cgp = calloc((size_t)cycles, sizeof(double));
	nlp = calloc((size_t)cycles, sizeof(double));
	if (!tot || !cgp || !nlp)
		return 1;
	/* one untimed cycle first: the first read of a file or a namespace
	 * warms caches the steady state finds warm */
	for (int k = -1; k < cycles; k++) {
		double t0, t1, t2;

		if (k >= 0 && interval_ms > 0)
			usleep((useconds_t)interval_ms * 1000);
		t0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < cg_container_nfiles(cts[i].cg); f++)
				if (pread(cg_container_fd(cts[i].cg, f), buf, sizeof(buf), 0) < 0)
					return 1;
		t1 = now_us(CLOCK_PROCESS_CPUTIME_ID);
		for (size_t i = 0; i < n; i++)
			if (cts[i].nl >= 0 && dump(cts[i].nl, seq++) < 0)
				return 1;
		t2 = now_us(CLOCK_PROCESS_CPUTIME_ID);
		if (k < 0)
			continue;
		cgp[k] = (t1 - t0) / (double)n;
		nlp[k] = (t2 - t1) / (double)n;
		tot[k] = (t2 - t0) / (double)n;
	}
	printf("floor containers=%zu files=%zu cycles=%d us_per_ct=%.1f cgroup_us=%.1f netlink_us=%.1f\n",
	       n, nfiles, cycles, median(tot, cycles), median(cgp, cycles), median(nlp, cycles));
	for (size_t i = 0; i < n; i++) {
		cg_container_free(cts[i].cg);
		if (cts[i].nl >= 0)
			close(cts[i].nl);
	}
	free(cts);
	free(tot);
	free(cgp);
	free(nlp);
	cg_root_free(root);
	netns_helper_stop(helper);
	return 0;
}
