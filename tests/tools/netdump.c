/* netdump: print a process's network links the way lxcollectd sees them.
 *
 *   netdump PID [STARTTIME] [--bench N]
 *   netdump --host [--bench N]
 *
 * Starts the netns helper, asks it for a NETLINK_ROUTE socket inside PID's
 * network namespace (STARTTIME defaults to the one in /proc/PID/stat) and
 * prints one dump. --bench N also measures, as medians over N runs: the
 * cost of getting a socket (helper round trip + adopt, wall µs) and of one
 * dump (µs of this thread's CPU, kernel side included, and wall µs), both
 * for the counters alone (RTM_GETSTATS, what a cycle costs while the link
 * table stands) and for the whole table through the rtnl_link cache (at
 * first sight and after link notifications). Root. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/netns.h"
#include "tests/tools/measure.h"

static void print_links(const struct netns_link *l, size_t n)
{
	size_t i;

	printf("%-7s %-15s %-5s %-4s %12s %10s %12s %10s %6s %6s %6s %6s\n", "ifindex", "name",
	       "link", "veth", "rx_bytes", "rx_pkts", "tx_bytes", "tx_pkts", "rx_err", "tx_err",
	       "rx_drp", "tx_drp");
	for (i = 0; i < n; i++)
		printf("%-7d %-15s %-5d %-4s %12" PRIu64 " %10" PRIu64 " %12" PRIu64 " %10" PRIu64
		       " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 "\n",
		       l[i].ifindex, l[i].name, l[i].link_ifindex, l[i].veth ? "yes" : "no",
		       l[i].rx_bytes, l[i].rx_packets, l[i].tx_bytes, l[i].tx_packets, l[i].rx_errors,
		       l[i].tx_errors, l[i].rx_dropped, l[i].tx_dropped);
}

typedef int (*dump_fn)(struct netns_sock *, const struct netns_link **, size_t *);

static void bench_dump(const char *what, struct netns_sock *s, dump_fn fn, int n)
{
	double *cpu = calloc((size_t)n, sizeof(double)), *wall = calloc((size_t)n, sizeof(double));
	const struct netns_link *l;
	size_t nl;
	int i;

	if (!cpu || !wall)
		exit(1);
	fn(s, &l, &nl); /* warm up: libnl's link-type modules, our array */
	for (i = 0; i < n; i++) {
		double c0 = now_us(CLOCK_THREAD_CPUTIME_ID), w0 = now_us(CLOCK_MONOTONIC);

		if (fn(s, &l, &nl) < 0) {
			fprintf(stderr, "netdump: dump failed\n");
			exit(1);
		}
		cpu[i] = now_us(CLOCK_THREAD_CPUTIME_ID) - c0;
		wall[i] = now_us(CLOCK_MONOTONIC) - w0;
	}
	printf("# bench %-22s links=%zu median cpu %.1f us, wall %.1f us (n=%d)\n", what, nl,
	       median(cpu, n), median(wall, n), n);
	free(cpu);
	free(wall);
}

static void bench_open(struct netns_helper *h, pid_t pid, uint64_t st, int n)
{
	double *wall = calloc((size_t)n, sizeof(double));
	int i;

	if (!wall)
		exit(1);
	for (i = 0; i < n; i++) {
		double w0 = now_us(CLOCK_MONOTONIC);
		struct netns_sock *s;
		uint64_t ino;
		int fd, r;

		r = netns_helper_open(h, pid, st, &fd, &ino);
		if (r == 0)
			r = netns_sock_adopt(fd, &s);
		if (r < 0) {
			fprintf(stderr, "netdump: open: %s\n", strerror(-r));
			exit(1);
		}
		wall[i] = now_us(CLOCK_MONOTONIC) - w0;
		netns_sock_free(s);
	}
	printf("# bench %-22s median wall %.1f us (n=%d)\n", "socket (helper+adopt)", median(wall, n),
	       n);
	free(wall);
}

static int usage(void)
{
	fprintf(stderr, "usage: netdump PID [STARTTIME] [--bench N] | netdump --host [--bench N]\n");
	return 64;
}

int main(int argc, char **argv)
{
	struct netns_helper *h = NULL;
	struct netns_sock *s = NULL;
	const struct netns_link *l;
	uint64_t st = 0, ino = 0;
	bool host = false, have_st = false;
	int i, r, fd, bench = 0;
	pid_t pid = 0;
	size_t n;

	/* the netns helper is this program run again */
	netns_helper_exec_main(argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
			bench = atoi(argv[++i]);
		else if (strcmp(argv[i], "--host") == 0)
			host = true;
		else if (!pid && !host && atoi(argv[i]) > 0)
			pid = atoi(argv[i]);
		else if (pid && !have_st) {
			st = strtoull(argv[i], NULL, 10);
			have_st = true;
		} else
			return usage();
	}
	if ((!pid && !host) || bench < 0)
		return usage();

	if (host) {
		r = netns_sock_host(&s);
		if (r < 0) {
			fprintf(stderr, "netdump: host socket: %s\n", strerror(-r));
			return 1;
		}
	} else {
		double w0 = now_us(CLOCK_MONOTONIC);

		if (!have_st && (r = cg_read_starttime("/proc", pid, &st)) < 0) {
			fprintf(stderr, "netdump: /proc/%d/stat: %s\n", (int)pid, strerror(-r));
			return 1;
		}
		r = netns_helper_start(&h);
		if (r < 0) {
			fprintf(stderr, "netdump: helper: %s\n", strerror(-r));
			return 1;
		}
		if (bench)
			printf("# bench %-22s wall %.1f us (once)\n", "helper start", now_us(CLOCK_MONOTONIC) - w0);
		r = netns_helper_open(h, pid, st, &fd, &ino);
		if (r < 0) {
			fprintf(stderr, "netdump: pid %d starttime %" PRIu64 ": %s\n", (int)pid, st,
				strerror(-r));
			netns_helper_stop(h);
			return 1;
		}
		r = netns_sock_adopt(fd, &s);
		if (r < 0) {
			fprintf(stderr, "netdump: adopt: %s\n", strerror(-r));
			netns_helper_stop(h);
			return 1;
		}
		printf("# pid %d starttime %" PRIu64 " netns inode %" PRIu64 "\n", (int)pid, st, ino);
	}
	r = netns_sock_links(s, &l, &n);
	if (r < 0) {
		fprintf(stderr, "netdump: dump: %s\n", strerror(-r));
	} else
		print_links(l, n);
	if (r == 0 && bench > 0) {
		if (h)
			bench_open(h, pid, st, bench);
		bench_dump("counters (RTM_GETSTATS)", s, netns_sock_links, bench);
		bench_dump("link table (rtnl_link cache)", s, netns_sock_links_cache, bench);
		bench_dump("counters (RTM_GETSTATS)", s, netns_sock_links, bench);
	}
	netns_sock_free(s);
	netns_helper_stop(h);
	return r < 0 ? 1 : 0;
}
