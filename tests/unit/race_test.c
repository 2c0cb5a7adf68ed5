/* race_test: what a container can do to us between two steps of a cycle,
 * forced at exactly the wrong moment. Each case must end as "skip this
 * container (or field) this cycle" with the error the collector expects:
 *
 *  - the cgroup vanishes between cg_discover() and cg_container_open(),
 *    and between cg_container_open() and cg_container_read() (real
 *    cgroups): -ENOENT, which collect.c drops quietly;
 *  - the init found by cg_find_init() dies (zombie, then reaped) or its
 *    PID is reused before netns_helper_open(): -ESRCH, which collect_net.c
 *    retries next cycle without a warning;
 *  - cgroup.procs lists a process that is already gone: -ESRCH;
 *  - a cgroup file that shrinks or is empty between two reads: the field
 *    is absent (and flagged bad), never a stale or garbage value;
 *  - a link dump interrupted by a concurrent change (NLM_F_DUMP_INTR,
 *    forced with a namespace of 500 links while another process adds and
 *    removes one): -EAGAIN, and the socket stays usable for the next dump
 *    with the exact link count.
 * Needs root (real cgroups, namespaces, the netns helper). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/netns.h"
#include "tests/testing.h"

static char cgname[64], fixture[4096];
static struct cg_root *root;
static pid_t churn = -1, netchild = -1;

static void cleanup(void)
{
	if (churn > 0) {
		kill(-churn, SIGKILL);
		waitpid(churn, NULL, 0);
		churn = -1;
	}
	if (netchild > 0) {
		kill(netchild, SIGKILL);
		waitpid(netchild, NULL, 0);
		netchild = -1;
	}
	for (int h = 0; root && h < CG_H_MAX; h++)
		if (cg_root_fd(root, h) >= 0)
			unlinkat(cg_root_fd(root, h), cgname, AT_REMOVEDIR);
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	return remove(p);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int mkcg(void)
{
	int n = 0;

	for (int h = 0; h < CG_H_MAX; h++) {
		if (cg_root_fd(root, h) < 0)
			continue;
		if (mkdirat(cg_root_fd(root, h), cgname, 0755) < 0 && errno != EEXIST)
			return -errno;
		n++;
	}
	return n;
}

static void rmcg(void)
{
	for (int h = 0; h < CG_H_MAX; h++)
		if (cg_root_fd(root, h) >= 0)
			unlinkat(cg_root_fd(root, h), cgname, AT_REMOVEDIR);
}

static bool found_in(const char *relpath)
{
	struct cg_found *l = NULL;
	size_t n = 0;
	bool found = false;

	if (cg_discover(root, &l, &n) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		found |= strcmp(l[i].relpath, relpath) == 0;
	cg_found_free(l, n);
	return found;
}

static void test_cgroup_vanishes(void)
{
	struct cg_container *c = NULL;
	struct cg_stats s;
	uint64_t st;
	pid_t pid;

	T_OK(mkcg() > 0, "created %s in every hierarchy", cgname);
	T_OK(found_in(cgname), "discovered %s", cgname);
	rmcg(); /* gone between discovery and open */
	T_EQ_INT(cg_container_open(root, cgname, CG_M_ALL, &c), -ENOENT,
		 "open after the cgroup vanished: -ENOENT");
	T_EQ_INT(cg_find_init(root, cgname, &pid, &st), -ENOENT,
		 "init lookup after the cgroup vanished: -ENOENT");

	T_OK(mkcg() > 0, "created %s again", cgname);
	T_EQ_INT(cg_container_open(root, cgname, CG_M_ALL, &c), 0, "opened its files");
	T_EQ_INT(cg_container_read(c, &s), 0, "read while it exists");
	rmcg(); /* gone between open (discovery) and read */
	T_EQ_INT(cg_container_read(c, &s), -ENOENT, "read after the cgroup vanished: -ENOENT");
	T_EQ_INT(cg_container_read(c, &s), -ENOENT, "and again: still -ENOENT, no crash");
	cg_container_free(c);
	T_OK(!found_in(cgname), "not discovered any more");
}

static uint64_t starttime_of(pid_t pid)
{
	uint64_t st = 0;

	return cg_read_starttime("/proc", pid, &st) < 0 ? 0 : st;
}

/* A child in a network namespace of its own; dies when told to. */
static void test_init_dies(struct netns_helper *h)
{
	int p[2], fd = -1;
	uint64_t st, ino;
	char c;

	if (pipe(p) < 0)
		return;
	netchild = fork();
	if (netchild == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	T_OK(read(p[0], &c, 1) == 1, "child is in a new network namespace");
	close(p[0]);
	st = starttime_of(netchild);
	T_EQ_INT(netns_helper_open(h, netchild, st, &fd, &ino), 0, "helper opens its namespace");
	if (fd >= 0)
		close(fd);
	fd = -1;
	T_EQ_INT(netns_helper_open(h, netchild, st + 1, &fd, &ino), -ESRCH,
		 "a reused PID (other start time): -ESRCH");
	kill(netchild, SIGKILL);
	/* a zombie: still in /proc, but without namespaces */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[512];
		ssize_t n;
		int sfd;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)netchild);
		sfd = open(path, O_RDONLY | O_CLOEXEC);
		n = sfd >= 0 ? read(sfd, buf, sizeof(buf) - 1) : -1;
		if (sfd >= 0)
			close(sfd);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, ") Z "))
				break;
		}
		usleep(5000);
	}
	T_EQ_INT(netns_helper_open(h, netchild, st, &fd, &ino), -ESRCH,
		 "the init died (zombie) before the open: -ESRCH");
	waitpid(netchild, NULL, 0);
	T_EQ_INT(netns_helper_open(h, netchild, st, &fd, &ino), -ESRCH,
		 "the init died (reaped) before the open: -ESRCH");
	netchild = -1;
}

static int put(const char *rel, const char *s)
{
	char p[4200];
	int fd, r = 0;

	snprintf(p, sizeof(p), "%s/%s", fixture, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		r = -EIO;
	close(fd);
	return r;
}

/* A temporary tree in fixture with the directories DIRS (NULL-ended). */
static int mk_fixture(const char *const *dirs)
{
	char p[4200];

	snprintf(fixture, sizeof(fixture), "%s/race_test.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fixture)) {
		T_OK(0, "mkdtemp");
		return -1;
	}
	for (; *dirs; dirs++) {
		snprintf(p, sizeof(p), "%s/%s", fixture, *dirs);
		mkdir(p, 0755);
	}
	return 0;
}

/* A v2 fixture tree: files that shrink, empty files, a listed process
 * that is gone. */
static void test_fixture_races(void)
{
	struct cg_root *fr = NULL;
	struct cg_container *c = NULL;
	struct cg_stats s;
	char p[4200];
	uint64_t st;
	pid_t pid;

	if (mk_fixture((const char *const[]){ "lxc.payload.r", "proc", NULL }) < 0)
		return;
	put("cgroup.controllers", "cpu memory pids io\n");
	put("lxc.payload.r/memory.current", "123456789\n");
	put("lxc.payload.r/memory.stat", "anon 100\nfile 200\ninactive_file 50\n");
	put("lxc.payload.r/pids.current", "17\n");
	put("lxc.payload.r/io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=2\n");
	put("lxc.payload.r/cpu.pressure", "some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n");
	put("lxc.payload.r/cgroup.procs", "4000001\n");
	put("lxc.payload.r/memory.max", "1048576\n");
	put("lxc.payload.r/cpu.max", "max 100000\n");

	snprintf(p, sizeof(p), "%s/proc", fixture);
	T_EQ_INT(cg_root_open(fixture, p, &fr), 0, "fixture tree opens");
	if (!fr)
		return;
	T_EQ_INT(cg_find_init(fr, "lxc.payload.r", &pid, &st), -ESRCH,
		 "cgroup.procs lists a process that is gone: -ESRCH");
	T_EQ_INT(cg_container_open(fr, "lxc.payload.r", CG_M_ALL, &c), 0, "container opens");
	if (!c)
		goto out;
	T_EQ_INT(cg_container_read(c, &s), 0, "first read");
	T_EQ_U64(s.v[CG_MEM_USAGE].u, 123456789, "usage");
	T_EQ_U64(s.v[CG_MEM_WORKING_SET].u, 123456789 - 50, "working set");
	T_EQ_U64(s.v[CG_MEM_LIMIT].u, 1048576, "memory.max read at open");
	T_OK(!cg_has(&s, CG_CPU_LIMIT_CPUS), "cpu.max unlimited: absent");

	/* limits are not held open: a change shows after a reload, not before */
	put("lxc.payload.r/memory.max", "2097152\n");
	put("lxc.payload.r/cpu.max", "50000 100000\n");
	T_EQ_INT(cg_container_read(c, &s), 0, "read after the limits changed");
	T_EQ_U64(s.v[CG_MEM_LIMIT].u, 1048576, "memory.max: the last reload's value");
	T_EQ_INT(cg_container_reload_limits(c), 0, "reload the limits");
	T_EQ_INT(cg_container_read(c, &s), 0, "read after the reload");
	T_EQ_U64(s.v[CG_MEM_LIMIT].u, 2097152, "memory.max: the new value");
	T_OK(cg_has(&s, CG_CPU_LIMIT_CPUS) && s.v[CG_CPU_LIMIT_CPUS].d == 0.5, "cpu.max: 0.5");
	put("lxc.payload.r/memory.max", "max\n");
	put("lxc.payload.r/cpu.max", "garbage\n");
	T_EQ_INT(cg_container_reload_limits(c), 0, "reload again");
	T_EQ_INT(cg_container_read(c, &s), 0, "read");
	T_OK(!cg_has(&s, CG_MEM_LIMIT) && !((s.bad >> CG_MEM_LIMIT) & 1),
	     "memory.max back to max: absent, not bad");
	T_OK(!cg_has(&s, CG_CPU_LIMIT_CPUS) && ((s.bad >> CG_CPU_LIMIT_CPUS) & 1),
	     "cpu.max garbage: absent and flagged");

	/* shorter contents: nothing of the old, longer text may remain */
	put("lxc.payload.r/memory.current", "42\n");
	put("lxc.payload.r/pids.current", "3");
	put("lxc.payload.r/memory.stat", "anon 1\n");
	T_EQ_INT(cg_container_read(c, &s), 0, "read after the files shrank");
	T_EQ_U64(s.v[CG_MEM_USAGE].u, 42, "usage is the new, shorter value");
	T_EQ_U64(s.v[CG_PIDS_CURRENT].u, 3, "pids.current without a newline");
	T_OK(!cg_has(&s, CG_MEM_WORKING_SET) && !cg_has(&s, CG_MEM_CACHE),
	     "keys that left memory.stat are absent (no stale working set, no cache)");

	/* empty files: absent and flagged, the rest still read */
	put("lxc.payload.r/memory.current", "");
	put("lxc.payload.r/cpu.pressure", "");
	put("lxc.payload.r/io.stat", "");
	T_EQ_INT(cg_container_read(c, &s), 0, "read with empty files");
	T_OK(!cg_has(&s, CG_MEM_USAGE) && ((s.bad >> CG_MEM_USAGE) & 1),
	     "empty memory.current: usage absent, flagged bad");
	T_OK(!cg_has(&s, CG_PSI_FIELD(CG_PSI_CPU, CG_PSI_SOME_AVG10)),
	     "empty cpu.pressure: pressure absent");
	T_OK(cg_has(&s, CG_IO_READ_BYTES) && s.v[CG_IO_READ_BYTES].u == 0,
	     "empty io.stat: no I/O yet, zero");
	T_EQ_U64(s.v[CG_PIDS_CURRENT].u, 3, "the other files still read");
	cg_container_free(c);
out:
	cg_root_free(fr);
	nftw(fixture, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A v1 tree: counters that only a limit makes move (cpu.stat's throttling,
 * memory.failcnt) are read with the limits while it is unset, every read
 * once it is set. */
static void test_gated(void)
{
	static const char *const dirs[] = { "cpu", "cpu/lxc.payload.g", "memory",
					    "memory/lxc.payload.g", "proc", NULL };
	struct cg_root *fr = NULL;
	struct cg_container *c = NULL;
	struct cg_stats s;
	char p[4200];

	if (mk_fixture(dirs) < 0)
		return;
	put("cpu/lxc.payload.g/cpu.stat", "nr_periods 10\nnr_throttled 1\nthrottled_time 5\n");
	put("cpu/lxc.payload.g/cpu.cfs_quota_us", "-1\n");
	put("cpu/lxc.payload.g/cpu.cfs_period_us", "100000\n");
	put("memory/lxc.payload.g/memory.usage_in_bytes", "4096\n");
	put("memory/lxc.payload.g/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/lxc.payload.g/memory.failcnt", "3\n");
	snprintf(p, sizeof(p), "%s/proc", fixture);
	T_EQ_INT(cg_root_open(fixture, p, &fr), 0, "v1 fixture tree opens");
	if (!fr)
		goto out;
	T_EQ_INT(cg_container_open(fr, "lxc.payload.g", CG_M_ALL, &c), 0, "container opens");
	if (!c)
		goto out;
	T_EQ_INT(cg_container_nfiles(c), 1, "only memory.usage_in_bytes held open");
	T_EQ_INT(cg_container_read(c, &s), 0, "read");
	T_OK(s.v[CG_CPU_PERIODS].u == 10 && s.v[CG_MEM_FAILCNT].u == 3,
	     "unlimited: periods and failcnt as read at open");
	put("cpu/lxc.payload.g/cpu.stat", "nr_periods 11\nnr_throttled 1\nthrottled_time 5\n");
	T_EQ_INT(cg_container_read(c, &s), 0, "read");
	T_EQ_U64(s.v[CG_CPU_PERIODS].u, 10, "unlimited: cpu.stat not re-read every cycle");
	put("cpu/lxc.payload.g/cpu.cfs_quota_us", "50000\n");
	put("memory/lxc.payload.g/memory.limit_in_bytes", "1048576\n");
	T_EQ_INT(cg_container_reload_limits(c), 0, "reload: limits set");
	T_EQ_INT(cg_container_read(c, &s), 0, "read");
	T_OK(s.v[CG_CPU_PERIODS].u == 11 && s.v[CG_CPU_LIMIT_CPUS].d == 0.5,
	     "the reload read cpu.stat and the quota");
	put("cpu/lxc.payload.g/cpu.stat", "nr_periods 12\nnr_throttled 2\nthrottled_time 9\n");
	put("memory/lxc.payload.g/memory.failcnt", "4\n");
	T_EQ_INT(cg_container_read(c, &s), 0, "read");
	T_OK(s.v[CG_CPU_PERIODS].u == 12 && s.v[CG_CPU_THROTTLED_NS].u == 9 &&
		     s.v[CG_MEM_FAILCNT].u == 4,
	     "limited: cpu.stat and failcnt read every cycle");
	T_EQ_INT(cg_container_nfiles(c), 1, "and still not held open");
out:
	cg_container_free(c);
	cg_root_free(fr);
	nftw(fixture, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* NLM_F_DUMP_INTR from a real kernel: a dump that spans many recvmsg()
 * batches while another process changes the link list. */
static void test_dump_intr(void)
{
	struct netns_sock *s = NULL;
	const struct netns_link *links;
	size_t n = 0;
	int self, nsfd, fd, intr = 0, ok = 0, other = 0, last_other = 0;
	char batch[64];
	FILE *f;
	time_t t0;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || unshare(CLONE_NEWNET) < 0) {
		T_OK(0, "new network namespace: %s", strerror(errno));
		return;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(batch, sizeof(batch), "/tmp/race_test.%d.batch", (int)getpid());
	f = fopen(batch, "wex");
	for (int i = 0; f && i < 250; i++)
		fprintf(f, "link add name r%da type veth peer name r%db\n", i, i);
	if (f)
		fclose(f);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "ip -batch %s", batch);
		T_EQ_INT(system(cmd), 0, "500 links in the test namespace");
	}
	unlink(batch);
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* as the daemon: never carry on in the wrong namespace */
	close(self);
	T_EQ_INT(netns_sock_adopt(fd, &s), 0, "adopted a socket made in the test namespace");
	if (!s) {
		close(nsfd);
		return;
	}
	T_EQ_INT(netns_sock_links(s, &links, &n), 0, "dump while nothing changes");
	T_EQ_INT(n, 501, "lo and 500 veth ends");

	churn = fork();
	if (churn == 0) {
		setpgid(0, 0);
		if (setns(nsfd, CLONE_NEWNET) < 0)
			_exit(1);
		execlp("sh", "sh", "-c",
		       "while :; do ip link add name zz type veth peer name zy; ip link del zz; done",
		       (char *)NULL);
		_exit(1);
	}
	close(nsfd);
	t0 = time(NULL);
	while (time(NULL) - t0 < 20 && (intr < 3 || ok < 3)) {
		int r = netns_sock_links(s, &links, &n);

		if (r == -EAGAIN)
			intr++;
		else if (r == 0)
			ok++;
		else
			other++, last_other = r;
	}
	kill(-churn, SIGKILL);
	waitpid(churn, NULL, 0);
	churn = -1;
	T_OK(intr > 0, "interrupted dumps seen and reported as -EAGAIN (%d, %d complete)", intr, ok);
	T_OK(other == 0, "no other error while links change (%d, last %d)", other, last_other);
	usleep(100000);
	{
		int r = netns_sock_links(s, &links, &n);

		if (r == -EAGAIN) /* the churn's last change may still be in flight */
			r = netns_sock_links(s, &links, &n);
		T_EQ_INT(r, 0, "the next dump on the same socket succeeds");
	}
	T_OK(n == 501 || n == 503, "with the exact link table (%zu links)", n);
	netns_sock_free(s);
}

int main(int argc, char **argv)
{
	struct netns_helper *h = NULL;

	/* the netns helper is this program run again */
	netns_helper_exec_main(argc, argv);
	if (geteuid() != 0) {
		printf("# skip needs root\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(cgname, sizeof(cgname), "lxc.payload.t-race-%d", (int)getpid());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(cleanup);
	T_EQ_INT(cg_root_open("/sys/fs/cgroup", "/proc", &root), 0, "real cgroup root");
	if (root)
		test_cgroup_vanishes();
	T_EQ_INT(netns_helper_start(&h), 0, "netns helper starts");
	if (h) {
		test_init_dies(h);
		netns_helper_stop(h);
	}
	test_fixture_races();
	test_gated();
	test_dump_intr();
	cleanup();
	cg_root_free(root);
	root = NULL;
	return t_done();
}
