/* cgreal_test: cgroupfs/ on the machine's real cgroup hierarchy (root only).
 *
 * Creates lxc.payload.t-cgreal-PID in every hierarchy we read, moves a
 * child into it that becomes PID 1 of a new pid namespace (like a
 * container's init), and checks discovery, the init lookup, exact
 * pids.current, that kept-open files re-read with pread() at offset 0
 * return fresh values, and -ENOENT once the cgroup is removed. The cgroups
 * are removed at the end, also when a check fails. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/testing.h"

#define ALLOC_MB 64

static char name[64];
static struct cg_root *root;
static bool made[CG_H_MAX];
static pid_t child = -1, init = -1;

static void cleanup(void)
{
	if (init > 0) {
		kill(init, SIGKILL); /* the whole pid namespace dies with it */
		init = -1;
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	for (int h = 0; h < CG_H_MAX && root; h++) {
		if (!made[h])
			continue;
		/* the init's children may need a moment to be reaped */
		for (int i = 0; i < 100; i++) {
			if (unlinkat(cg_root_fd(root, h), name, AT_REMOVEDIR) == 0 || errno == ENOENT)
				break;
			usleep(10000);
		}
		made[h] = false;
	}
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int write_at(int dfd, const char *path, const char *s)
{
	int fd = openat(dfd, path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The container "init": waits for a byte per command on fd `in`,
 * answers on fd `out`. 'a': allocate and touch ALLOC_MB MiB and burn
 * ~100 ms of CPU; 'q': exit. */
static void init_main(int in, int out)
{
	char c;

	while (read(in, &c, 1) == 1) {
		if (c == 'a') {
			size_t n = (size_t)ALLOC_MB << 20;
			volatile char *p = malloc(n);
			struct timespec t0, t;

			if (!p)
				_exit(1);
			for (size_t i = 0; i < n; i += 4096)
				p[i] = 1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			do
				clock_gettime(CLOCK_MONOTONIC, &t);
			while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) <
			       100000000L);
		}
		if (write(out, &c, 1) != 1 || c == 'q')
			_exit(0);
	}
	_exit(0);
}

/* Child: waits until moved into the cgroups, enters a new pid namespace
 * and forks its init; reports the init's host pid. */
static void child_main(int go, int cmd, int ack)
{
	pid_t pid;
	char c;

	if (read(go, &c, 1) != 1)
		_exit(1);
	if (unshare(CLONE_NEWPID) < 0)
		_exit(2);
	pid = fork();
	if (pid < 0)
		_exit(3);
	if (pid == 0)
		init_main(cmd, ack);
	if (write(ack, &pid, sizeof(pid)) != sizeof(pid))
		_exit(4);
	waitpid(pid, NULL, 0);
	_exit(0);
}

static bool find(struct cg_found *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].relpath, name) == 0)
			return strcmp(f[i].name, name + strlen("lxc.payload.")) == 0 &&
			       f[i].project == NULL;
	return false;
}

static uint64_t proc_starttime(pid_t pid)
{
	uint64_t st = 0;

	return cg_read_starttime("/proc", pid, &st) < 0 ? 0 : st;
}

static int run(void)
{
	static const enum cg_hier hs[] = { CG_H_CPU,  CG_H_CPUACCT, CG_H_MEMORY,
					   CG_H_PIDS, CG_H_BLKIO,   CG_H_UNIFIED };
	int go[2], cmd[2], ack[2], k, raw = -1;
	struct cg_container *c = NULL;
	struct cg_stats s1, s2, s3;
	struct cg_found *f = NULL;
	uint64_t st = 0, raw1 = 0, raw2 = 0;
	pid_t ipid = 0;
	char buf[64], ch;
	size_t n = 0;
	ssize_t rn;

	k = cg_root_open("/sys/fs/cgroup", "/proc", &root);
	T_EQ_INT(k, 0, "open the real hierarchy");
	if (k < 0)
		return 0;
	printf("# layout %s\n", cg_layout_name(cg_root_layout(root)));
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		int fd = cg_root_fd(root, hs[i]);

		if (fd < 0 || made[hs[i]])
			continue;
		/* co-mounted hierarchies share a directory */
		if (mkdirat(fd, name, 0755) == 0)
			made[hs[i]] = true;
		else if (errno != EEXIST)
			T_OK(false, "mkdir %s in hierarchy %d: %s", name, hs[i], strerror(errno));
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(cmd, O_CLOEXEC) < 0 || pipe2(ack, O_CLOEXEC) < 0)
		{
		T_OK(false, "pipes");
		return 0;
	}
	child = fork();
	if (child < 0)
		{
		T_OK(false, "fork");
		return 0;
	}
	if (child == 0)
		child_main(go[0], cmd[0], ack[1]);
	snprintf(buf, sizeof(buf), "%d\n", (int)child);
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		char path[128];
		int fd = cg_root_fd(root, hs[i]);

		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", name);
		k = write_at(fd, path, buf);
		T_EQ_INT(k, 0, "move the child in");
	}
	if (write(go[1], "g", 1) != 1 || read(ack[0], &init, sizeof(init)) != sizeof(init))
		{
		T_OK(false, "child did not start its init");
		return 0;
	}
	printf("# child %d, init %d\n", (int)child, (int)init);

	k = cg_discover(root, &f, &n);
	T_EQ_INT(k, 0, "discover");
	T_OK(k == 0 && find(f, n), "discovery finds %s", name);
	cg_found_free(f, n);

	k = cg_find_init(root, name, &ipid, &st);
	T_EQ_INT(k, 0, "find_init");
	T_EQ_INT(ipid, init, "init is the process with NSpid ... 1, not the lower child pid");
	T_EQ_U64(st, proc_starttime(init), "init start time");

	k = cg_container_open(root, name, CG_M_ALL, &c);
	T_EQ_INT(k, 0, "container_open");
	if (k < 0)
		return 0;
	printf("# %zu files open\n", cg_container_nfiles(c));
	T_OK(cg_container_nfiles(c) >= 5, "files open");
	T_EQ_INT(cg_container_read(c, &s1), 0, "read 1");
	T_EQ_U64(s1.bad, 0, "nothing bad");
	T_OK(cg_has(&s1, CG_PIDS_CURRENT) && s1.v[CG_PIDS_CURRENT].u == 2,
	     "pids.current exactly 2 (child + init), got %" PRIu64, s1.v[CG_PIDS_CURRENT].u);
	T_OK(cg_has(&s1, CG_CPU_USAGE_NS), "cpu usage present");
	T_OK(cg_has(&s1, CG_MEM_USAGE) && s1.v[CG_MEM_USAGE].u < (1ull << 40),
	     "memory usage plausible: %" PRIu64, s1.v[CG_MEM_USAGE].u);
	T_OK(!cg_has(&s1, CG_MEM_LIMIT), "fresh cgroup: memory unlimited, limit absent");
	T_OK(!cg_has(&s1, CG_PIDS_LIMIT), "fresh cgroup: pids.max max, limit absent");
	if (cg_root_fd(root, CG_H_UNIFIED) >= 0)
		T_OK(cg_has(&s1, CG_PSI_FIELD(CG_PSI_CPU, CG_PSI_SOME_TOTAL_US)),
		     "pressure from the v2 tree");

	/* a raw kept-open fd, to show the kernel behaviour itself */
	if (cg_root_fd(root, CG_H_MEMORY) >= 0) {
		char path[128];

		snprintf(path, sizeof(path), "%s/memory.usage_in_bytes", name);
		raw = openat(cg_root_fd(root, CG_H_MEMORY), path, O_RDONLY | O_CLOEXEC);
	} else {
		char path[128];

		snprintf(path, sizeof(path), "%s/memory.current", name);
		raw = openat(cg_root_fd(root, CG_H_UNIFIED), path, O_RDONLY | O_CLOEXEC);
	}
	rn = raw >= 0 ? pread(raw, buf, sizeof(buf), 0) : -1;
	T_OK(rn > 0 && cg_parse_u64(buf, (size_t)rn, &raw1) == 0, "raw read 1: %" PRIu64, raw1);

	if (write(cmd[1], "a", 1) != 1 || read(ack[0], &ch, 1) != 1)
		{
		T_OK(false, "init did not allocate");
		return 0;
	}
	T_EQ_INT(cg_container_read(c, &s2), 0, "read 2 (same open files)");
	rn = raw >= 0 ? pread(raw, buf, sizeof(buf), 0) : -1;
	T_OK(rn > 0 && cg_parse_u64(buf, (size_t)rn, &raw2) == 0, "raw read 2: %" PRIu64, raw2);
	T_OK(raw2 >= raw1 + ((uint64_t)ALLOC_MB << 19),
	     "raw pread at offset 0 sees fresh memory usage: %" PRIu64 " -> %" PRIu64, raw1, raw2);
	T_OK(s2.v[CG_MEM_USAGE].u >= s1.v[CG_MEM_USAGE].u + ((uint64_t)ALLOC_MB << 19),
	     "memory usage grew by ~%d MiB: %" PRIu64 " -> %" PRIu64, ALLOC_MB,
	     s1.v[CG_MEM_USAGE].u, s2.v[CG_MEM_USAGE].u);
	T_OK(s2.v[CG_CPU_USAGE_NS].u >= s1.v[CG_CPU_USAGE_NS].u + 50000000ull,
	     "cpu usage grew by >= 50 ms: %" PRIu64 " -> %" PRIu64, s1.v[CG_CPU_USAGE_NS].u,
	     s2.v[CG_CPU_USAGE_NS].u);
	T_OK(cg_has(&s2, CG_MEM_WORKING_SET) &&
		     s2.v[CG_MEM_WORKING_SET].u <= s2.v[CG_MEM_USAGE].u,
	     "working set <= usage");
	T_OK(cg_has(&s2, CG_MEM_RSS) && s2.v[CG_MEM_RSS].u >= ((uint64_t)ALLOC_MB << 19),
	     "rss holds the allocation: %" PRIu64, s2.v[CG_MEM_RSS].u);
	T_EQ_U64(s2.v[CG_PIDS_CURRENT].u, 2, "pids.current still 2");

	/* the init exits; its namespace and the child go with it */
	if (write(cmd[1], "q", 1) != 1 || read(ack[0], &ch, 1) != 1)
		T_OK(false, "init did not quit");
	waitpid(child, NULL, 0);
	child = init = -1;
	T_EQ_INT(cg_container_read(c, &s3), 0, "read 3: empty cgroup still readable");
	T_EQ_U64(s3.v[CG_PIDS_CURRENT].u, 0, "pids.current 0 after exit");
	T_EQ_INT(cg_find_init(root, name, &ipid, &st), -ESRCH, "no init after exit");

	cleanup();
	k = cg_container_read(c, &s3);
	T_EQ_INT(k, -ENOENT, "read after rmdir: -ENOENT");
	if (raw >= 0) {
		rn = pread(raw, buf, sizeof(buf), 0);
		printf("# raw pread after rmdir: %zd (%s)\n", rn, rn < 0 ? strerror(errno) : "data");
		close(raw);
	}
	cg_container_free(c);
	f = NULL;
	n = 0;
	k = cg_discover(root, &f, &n);
	T_OK(k == 0 && !find(f, n), "gone from discovery");
	cg_found_free(f, n);
	return 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("# skip not root\n");
		return 77;
	}
	if (access("/sys/fs/cgroup", F_OK) < 0) {
		printf("# skip no /sys/fs/cgroup\n");
		return 77;
	}
	snprintf(name, sizeof(name), "lxc.payload.t-cgreal-%d", (int)getpid());
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGABRT, on_signal);
	run();
	cleanup();
	cg_root_free(root);
	return t_done();
}
