/* cgtree_test: layout detection, discovery, init-PID lookup and reading
 * over the fixture trees in tests/fixtures/cgroup/<case>/ (run from the
 * project root). Every expected value is worked out by hand from the
 * fixture files; the comments say how. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/testing.h"

#define FIX "tests/fixtures/cgroup/"

static uint64_t hz;

static struct cg_root *open_case(const char *name, enum cg_layout want)
{
	char cg[256], proc[256];
	struct cg_root *r = NULL;
	int k;

	snprintf(cg, sizeof(cg), FIX "%s", name);
	snprintf(proc, sizeof(proc), FIX "%s/proc", name);
	k = cg_root_open(cg, proc, &r);
	T_EQ_INT(k, 0, "cg_root_open");
	if (k < 0)
		return NULL;
	T_EQ_STR(cg_layout_name(cg_root_layout(r)), cg_layout_name(want), name);
	return r;
}

static void expect_found(struct cg_root *r, size_t want_n, const char *const *want)
{
	struct cg_found *f = NULL;
	size_t n = 0;
	int k;

	k = cg_discover(r, &f, &n);
	T_EQ_INT(k, 0, "cg_discover");
	T_EQ_INT(n, want_n, "number of containers");
	for (size_t i = 0; i < n && i < want_n; i++) {
		T_EQ_STR(f[i].relpath, want[3 * i], "relpath");
		T_EQ_STR(f[i].name, want[3 * i + 1], "name");
		T_EQ_STR(f[i].project, want[3 * i + 2], "project");
	}
	cg_found_free(f, n);
}

static void expect_init(struct cg_root *r, const char *relpath, int want_r, pid_t want_pid,
			uint64_t want_start)
{
	pid_t pid = -7;
	uint64_t st = 7777;
	int k;
	char what[256];

	k = cg_find_init(r, relpath, &pid, &st);
	snprintf(what, sizeof(what), "init of %s", relpath);
	T_EQ_INT(k, want_r, what);
	T_EQ_INT(pid, k == 0 ? want_pid : -7, what);
	T_EQ_U64(st, k == 0 ? want_start : 7777, what);
}

static int read_ct(struct cg_root *r, const char *relpath, unsigned metrics, struct cg_stats *s,
		   size_t *ret_nfiles)
{
	struct cg_container *c = NULL;
	int k;

	memset(s, 0xa5, sizeof(*s)); /* no field may survive from here */
	k = cg_container_open(r, relpath, metrics, &c);
	T_EQ_INT(k, 0, "cg_container_open");
	if (k < 0)
		return k;
	*ret_nfiles = cg_container_nfiles(c);
	k = cg_container_read(c, s);
	T_EQ_INT(k, 0, "cg_container_read");
	cg_container_free(c);
	return k;
}

#define U(f, want)                                                                         \
	do {                                                                               \
		T_OK(cg_has(&s, f), "%s present", cg_field_name(f));                       \
		T_EQ_U64(cg_has(&s, f) ? s.v[f].u : 0xdeadbeef, want, cg_field_name(f)); \
	} while (0)
#define D(f, want)                                                                             \
	do {                                                                                   \
		T_OK(cg_has(&s, f) && s.v[f].d > (want) - 1e-9 && s.v[f].d < (want) + 1e-9,    \
		     "%s = %g (got %g)", cg_field_name(f), (double)(want),                     \
		     cg_has(&s, f) ? s.v[f].d : -1.0);                                         \
	} while (0)
#define ABSENT(f)                                                                        \
	T_OK(!cg_has(&s, f) && !((s.bad >> (f)) & 1), "%s absent, not bad", cg_field_name(f))
#define BAD(f) T_OK(!cg_has(&s, f) && ((s.bad >> (f)) & 1), "%s bad", cg_field_name(f))
#define BIT(f) (1ull << (f))
#define PSI(r, k) CG_PSI_FIELD(CG_PSI_##r, CG_PSI_##k)

static uint64_t psi_bits(enum cg_psi res)
{
	uint64_t m = 0;

	for (int k = 0; k < 4; k++)
		m |= BIT(CG_PSI_FIELD(res, k));
	return m;
}

/* LXC 5 on cgroup v1, cpu and cpuacct co-mounted as "cpu,cpuacct" with the
 * usual symlinks; lxc.monitor.*, lxc.pivot and a nested lxc.payload inside
 * web1 are decoys. */
static void test_v1_lxc(void)
{
	static const char *const want[] = { "lxc.payload.db", "db", NULL,
					    "lxc.payload.web1", "web1", NULL };
	struct cg_root *r = open_case("v1-lxc", CG_LAYOUT_LEGACY);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	T_OK(cg_root_fd(r, CG_H_CPU) >= 0 && cg_root_fd(r, CG_H_CPUACCT) >= 0,
	     "cpu and cpuacct from the co-mounted directory");
	T_OK(cg_root_fd(r, CG_H_UNIFIED) < 0, "no v2 tree");
	T_EQ_STR(cg_root_proc(r), FIX "v1-lxc/proc", "proc root");
	expect_found(r, 2, want);
	/* 4300 (NSpid 4300 9) has the lowest pid; 4321 in init.scope is 1 */
	expect_init(r, "lxc.payload.web1", 0, 4321, 123456);
	/* comm "my) (init" */
	expect_init(r, "lxc.payload.db", 0, 5001, 200111);
	expect_init(r, "lxc.payload.gone", -ENOENT, 0, 0);

	if (read_ct(r, "lxc.payload.web1", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 8, "v1 files held open (limits, cpu.stat, failcnt read and closed; usage_all for three)");
	T_EQ_U64(s.bad, 0, "nothing bad");
	U(CG_CPU_USAGE_NS, 48213947121ull);
	U(CG_CPU_USER_NS, 30100000000ull); /* cpuacct.usage_user, not ticks */
	U(CG_CPU_SYSTEM_NS, 17900000000ull);
	U(CG_CPU_USER_TICKS, 3010);
	U(CG_CPU_SYSTEM_TICKS, 1790);
	U(CG_CPU_PERIODS, 1520);
	U(CG_CPU_THROTTLED_PERIODS, 37);
	U(CG_CPU_THROTTLED_NS, 2841000000ull); /* v1 throttled_time is ns already */
	D(CG_CPU_LIMIT_CPUS, 1.5);	       /* 150000 / 100000 */
	U(CG_MEM_USAGE, 268435456);
	U(CG_MEM_WORKING_SET, 201326592); /* 268435456 - total_inactive_file 67108864 */
	U(CG_MEM_RSS, 150994944);	  /* total_rss, not rss 2222 */
	U(CG_MEM_CACHE, 100663296);
	U(CG_MEM_SWAP, 4194304);
	U(CG_MEM_LIMIT, 1073741824);
	U(CG_MEM_OOM_KILLS, 2);
	U(CG_MEM_FAILCNT, 5);
	U(CG_PIDS_CURRENT, 23);
	U(CG_PIDS_LIMIT, 500);
	/* _recursive files (the flat ones hold 111/222): 1048576 + 4096,
	 * 2097152 + 8192, 256 + 1, 512 + 2 */
	U(CG_IO_READ_BYTES, 1052672);
	U(CG_IO_WRITE_BYTES, 2105344);
	U(CG_IO_READ_OPS, 257);
	U(CG_IO_WRITE_OPS, 514);
	for (int res = 0; res < CG_PSI_MAX; res++)
		T_OK(!(s.present & psi_bits(res)), "no pressure without a v2 tree");

	if (read_ct(r, "lxc.payload.db", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_U64(s.present, BIT(CG_CPU_USAGE_NS) | BIT(CG_MEM_USAGE) | BIT(CG_PIDS_CURRENT),
		 "db: only the three files it has");
	T_EQ_U64(s.bad, 0, "db: pids.max max is not bad");
	U(CG_CPU_USAGE_NS, 1000000);
	U(CG_MEM_USAGE, 8388608);
	U(CG_PIDS_CURRENT, 2);
out:
	cg_root_free(r);
}

/* LXD on pure cgroup v2: a default-project and a project container (its
 * name found whole: the collector splits PROJECT_NAME, state_test). */
static void test_v2_lxd(void)
{
	static const char *const want[] = { "lxc.payload.c1",	    "c1",  NULL,
					    "lxc.payload.proj_web", "proj_web", NULL };
	struct cg_root *r = open_case("v2-lxd", CG_LAYOUT_UNIFIED);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	T_OK(cg_root_fd(r, CG_H_MEMORY) < 0 && cg_root_fd(r, CG_H_UNIFIED) >= 0, "v2 only");
	expect_found(r, 2, want);
	/* 6000 in .lxc (lxc exec) has the lowest pid; 7001 is init */
	expect_init(r, "lxc.payload.c1", 0, 7001, 310000);
	/* 7050 is the init of a nested container (NSpid 7050 55 1) */
	expect_init(r, "lxc.payload.proj_web", 0, 7100, 320000);

	if (read_ct(r, "lxc.payload.c1", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 10, "v2 files held open (cpu.max, memory.max, pids.max read and closed)");
	T_EQ_U64(s.bad, 0, "nothing bad");
	U(CG_CPU_USAGE_NS, 84213947000ull); /* usage_usec * 1000 */
	U(CG_CPU_USER_NS, 60120512000ull);
	U(CG_CPU_SYSTEM_NS, 24093435000ull);
	/* µs -> USER_HZ: 60.120512 s, 24.093435 s */
	U(CG_CPU_USER_TICKS, 60120512ull * hz / 1000000);
	U(CG_CPU_SYSTEM_TICKS, 24093435ull * hz / 1000000);
	U(CG_CPU_PERIODS, 900);
	U(CG_CPU_THROTTLED_PERIODS, 12);
	U(CG_CPU_THROTTLED_NS, 345678000ull);
	D(CG_CPU_LIMIT_CPUS, 0.5); /* "50000 100000" */
	U(CG_CPU_EFFECTIVE_CPUS, 3); /* cpuset.cpus.effective "0-1,3", read and closed */
	T_EQ_INT(cg_read_frozen(r, "lxc.payload.c1"), 0, "v2 cgroup.events frozen 0");
	T_EQ_INT(cg_read_frozen(r, "lxc.payload.proj_web"), 1, "v2 cgroup.events frozen 1");
	T_EQ_INT(cg_read_frozen(r, "lxc.payload.none"), -ENOENT, "no such container");
	U(CG_MEM_USAGE, 536870912);
	U(CG_MEM_WORKING_SET, 402653184); /* 536870912 - inactive_file 134217728 */
	U(CG_MEM_RSS, 209715200);	  /* anon */
	U(CG_MEM_CACHE, 268435456);	  /* file, not file_mapped */
	U(CG_MEM_SWAP, 1048576);
	ABSENT(CG_MEM_LIMIT); /* memory.max "max" */
	U(CG_MEM_OOM_KILLS, 1);
	U(CG_MEM_FAILCNT, 7); /* memory.events max */
	ABSENT(CG_MEM_ACTIVE_ANON); /* detail only when asked for */
	{
		size_t nf0 = nf;

		if (read_ct(r, "lxc.payload.c1", CG_M_ALL | CG_M_MEMORY_DETAIL, &s, &nf) < 0)
			goto out;
		T_EQ_INT(nf, nf0, "memory.stat's detail costs no extra file");
	}
	U(CG_MEM_ACTIVE_ANON, 88888);
	U(CG_MEM_INACTIVE_ANON, 77777);
	U(CG_MEM_INACTIVE_FILE, 134217728);
	U(CG_MEM_USAGE, 536870912); /* the rest as before */
	U(CG_PIDS_CURRENT, 42);
	U(CG_PIDS_LIMIT, 1000);
	U(CG_IO_READ_BYTES, 1050624); /* 1048576 + 2048 */
	U(CG_IO_WRITE_BYTES, 528384); /* 524288 + 4096 */
	U(CG_IO_READ_OPS, 102);
	U(CG_IO_WRITE_OPS, 54);
	D(PSI(CPU, SOME_AVG10), 1.25);
	U(PSI(CPU, SOME_TOTAL_US), 123456789);
	D(PSI(CPU, FULL_AVG10), 0.5);
	U(PSI(CPU, FULL_TOTAL_US), 23456789);
	D(PSI(MEMORY, SOME_AVG10), 0.0);
	U(PSI(MEMORY, SOME_TOTAL_US), 1000);
	D(PSI(MEMORY, FULL_AVG10), 0.0);
	U(PSI(MEMORY, FULL_TOTAL_US), 500);
	D(PSI(IO, SOME_AVG10), 2.75);
	U(PSI(IO, SOME_TOTAL_US), 987654);
	D(PSI(IO, FULL_AVG10), 2.5);
	U(PSI(IO, FULL_TOTAL_US), 876543);

	/* only the memory group: only its five files */
	if (read_ct(r, "lxc.payload.c1", CG_M_MEMORY, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 4, "memory files only, memory.limit_in_bytes not held");
	ABSENT(CG_CPU_USAGE_NS);
	ABSENT(PSI(IO, SOME_TOTAL_US));
	U(CG_MEM_WORKING_SET, 402653184);

	if (read_ct(r, "lxc.payload.proj_web", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_U64(s.bad, 0, "proj_web: nothing bad");
	U(CG_CPU_USAGE_NS, 1000001000ull);
	U(CG_CPU_SYSTEM_NS, 400001000ull);
	U(CG_CPU_SYSTEM_TICKS, 400001ull * hz / 1000000);
	U(CG_CPU_THROTTLED_NS, 0);
	ABSENT(CG_CPU_LIMIT_CPUS); /* "max 100000" */
	ABSENT(CG_CPU_EFFECTIVE_CPUS); /* no cpuset controller: no cpuset.cpus.effective */
	U(CG_MEM_USAGE, 33554432);
	ABSENT(CG_MEM_WORKING_SET); /* no memory.stat */
	U(CG_MEM_LIMIT, 2147483648ull);
	ABSENT(CG_PIDS_LIMIT);
	ABSENT(CG_IO_READ_BYTES);
out:
	cg_root_free(r);
}

/* v1 controllers plus a controller-less v2 tree: resources from v1, PSI
 * from the v2 tree; the v2 cpu.stat and memory.current are shadowed. */
static void test_hybrid(void)
{
	static const char *const want[] = { "lxc.payload.h1", "h1", NULL };
	struct cg_root *r = open_case("hybrid", CG_LAYOUT_HYBRID);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	expect_found(r, 1, want);
	expect_init(r, "lxc.payload.h1", 0, 8100, 400000);
	if (read_ct(r, "lxc.payload.h1", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 11, "8 v1 files + 3 pressure files held (4 limits, cpu.stat, failcnt not)");
	T_EQ_U64(s.bad, 0, "nothing bad");
	U(CG_CPU_USAGE_NS, 5000000000ull); /* cpuacct.usage, not usage_usec 999 */
	/* no cpuacct.usage_user/sys: from cpuacct.stat ticks (300, 150) */
	U(CG_CPU_USER_NS, 300 * (1000000000ull / hz));
	U(CG_CPU_SYSTEM_NS, 150 * (1000000000ull / hz));
	U(CG_CPU_USER_TICKS, 300);
	U(CG_CPU_SYSTEM_TICKS, 150);
	U(CG_CPU_PERIODS, 0); /* v1 cpu.stat, not the v2 nr_periods 5 */
	ABSENT(CG_CPU_LIMIT_CPUS); /* cfs_quota_us -1 */
	U(CG_CPU_EFFECTIVE_CPUS, 1); /* v1 cpuset.effective_cpus "2", not the v2 file's 0-7 */
	T_EQ_INT(cg_read_frozen(r, "lxc.payload.h1"), 1,
		 "v1 freezer.state FROZEN, not the v2 tree's frozen 0");
	U(CG_MEM_USAGE, 104857600);  /* not the v2 memory.current 1 */
	U(CG_MEM_WORKING_SET, 0);    /* inactive_file 209715200 > usage: clamped */
	U(CG_MEM_RSS, 52428800);
	U(CG_MEM_CACHE, 251658240);
	ABSENT(CG_MEM_SWAP);	     /* no total_swap: no swap accounting */
	ABSENT(CG_MEM_LIMIT);	     /* 9223372036854771712 */
	U(CG_MEM_OOM_KILLS, 0);
	U(CG_MEM_FAILCNT, 0);
	U(CG_PIDS_CURRENT, 3);
	ABSENT(CG_PIDS_LIMIT);
	/* only the flat blkio files exist */
	U(CG_IO_READ_BYTES, 4096);
	U(CG_IO_WRITE_BYTES, 0);
	U(CG_IO_READ_OPS, 1);
	U(CG_IO_WRITE_OPS, 0);
	D(PSI(CPU, SOME_AVG10), 0.07);
	U(PSI(CPU, SOME_TOTAL_US), 4242);
	ABSENT(PSI(CPU, FULL_AVG10)); /* no "full" line */
	ABSENT(PSI(CPU, FULL_TOTAL_US));
	U(PSI(MEMORY, SOME_TOTAL_US), 17);
	U(PSI(MEMORY, FULL_TOTAL_US), 9);
	D(PSI(IO, SOME_AVG10), 10.5);
	D(PSI(IO, FULL_AVG10), 9.25);
	U(PSI(IO, SOME_TOTAL_US), 3000000);
	U(PSI(IO, FULL_TOTAL_US), 2500000);
out:
	cg_root_free(r);
}

/* Proxmox VE 7/8: lxc/ID with the processes in lxc/ID/ns. */
static void test_proxmox(void)
{
	static const char *const want[] = { "lxc/101", "101", NULL, "lxc/102", "102", NULL };
	struct cg_root *r = open_case("proxmox", CG_LAYOUT_UNIFIED);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	expect_found(r, 2, want);
	expect_init(r, "lxc/101", 0, 20001, 510000); /* in ns/init.scope */
	expect_init(r, "lxc/102", 0, 20101, 520000); /* in ns */
	if (read_ct(r, "lxc/101", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_U64(s.bad, 0, "nothing bad");
	U(CG_CPU_USAGE_NS, 7000000000ull);
	U(CG_CPU_USER_TICKS, 5 * hz);
	D(CG_CPU_LIMIT_CPUS, 2.0);
	U(CG_CPU_THROTTLED_NS, 5000000);
	U(CG_MEM_USAGE, 314572800);
	U(CG_MEM_WORKING_SET, 262144000); /* 314572800 - 52428800 */
	U(CG_MEM_LIMIT, 536870912);
	U(CG_MEM_SWAP, 0);
	ABSENT(CG_PIDS_LIMIT);
	U(CG_PIDS_CURRENT, 31);
	/* empty io.stat: no I/O yet, a true zero */
	U(CG_IO_READ_BYTES, 0);
	U(CG_IO_WRITE_OPS, 0);
	ABSENT(PSI(CPU, SOME_TOTAL_US));
out:
	cg_root_free(r);
}

/* LXC 3.1: lxc.payload/NAME; containers as deep as 6 levels are found,
 * deeper ones are not. Only cpuacct, memory and pids are mounted. */
static void test_lxc31(void)
{
	static const char *const want[] = { "a/b/c/d/e/lxc.payload.deep6", "deep6", NULL,
					    "lxc.payload/alpha", "alpha", NULL,
					    "lxc.payload/team_gamma", "team_gamma", NULL };
	struct cg_root *r = open_case("lxc31", CG_LAYOUT_LEGACY);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	T_OK(cg_root_fd(r, CG_H_CPU) < 0 && cg_root_fd(r, CG_H_BLKIO) < 0, "cpu, blkio absent");
	expect_found(r, 3, want);
	expect_init(r, "lxc.payload/alpha", 0, 9001, 600000);
	expect_init(r, "a/b/c/d/e/lxc.payload.deep6", -ESRCH, 0, 0);
	if (read_ct(r, "lxc.payload/alpha", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_U64(s.present,
		 BIT(CG_CPU_USAGE_NS) | BIT(CG_CPU_USER_NS) | BIT(CG_CPU_SYSTEM_NS) |
			 BIT(CG_CPU_USER_TICKS) | BIT(CG_CPU_SYSTEM_TICKS) | BIT(CG_MEM_USAGE) |
			 BIT(CG_PIDS_CURRENT) | BIT(CG_PIDS_LIMIT),
		 "alpha fields");
	U(CG_CPU_USAGE_NS, 1000);
	U(CG_CPU_USER_NS, 0);
	U(CG_MEM_USAGE, 12345678);
	U(CG_PIDS_CURRENT, 4);
	U(CG_PIDS_LIMIT, 64);
out:
	cg_root_free(r);
}

static void test_missing(void)
{
	static const char *const want[] = { "lxc.payload.bare", "bare", NULL,
					    "lxc.payload.noinit", "noinit", NULL };
	struct cg_root *r = open_case("missing-files", CG_LAYOUT_UNIFIED), *r2 = NULL;
	struct cg_container *c = (struct cg_container *)&r;
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	expect_found(r, 2, want);
	expect_init(r, "lxc.payload.bare", 0, 9500, 700000);
	/* 9600 has a single NSpid level: a host process, not an init */
	expect_init(r, "lxc.payload.noinit", -ESRCH, 0, 0);
	if (read_ct(r, "lxc.payload.bare", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 2, "two files exist");
	T_EQ_U64(s.present, BIT(CG_CPU_USAGE_NS) | BIT(CG_MEM_USAGE), "only what exists");
	T_EQ_U64(s.bad, 0, "missing is not bad");
	U(CG_CPU_USAGE_NS, 5000000);
	U(CG_MEM_USAGE, 4096);
	T_EQ_INT(cg_container_open(r, "lxc.payload.gone", CG_M_ALL, &c), -ENOENT,
		 "open of a vanished cgroup");
	T_OK(c == (struct cg_container *)&r, "ret untouched on failure");
	T_EQ_INT(cg_container_open(r, "../missing-files", CG_M_ALL, &c), -EINVAL,
		 "relpath with ..");
	T_EQ_INT(cg_container_open(r, "/etc", CG_M_ALL, &c), -EINVAL, "absolute relpath");
	T_EQ_INT(cg_find_init(r, "a/../../x", &(pid_t){ 0 }, &(uint64_t){ 0 }), -EINVAL,
		 "find_init relpath with ..");
	T_OK(c == (struct cg_container *)&r, "ret untouched on failure");
out:
	T_EQ_INT(cg_root_open(FIX "no-such-case", FIX "no-such-case/proc", &r2), -ENOENT,
		 "root_open of a missing directory");
	T_EQ_INT(cg_root_open(FIX "max-limits/proc", FIX "max-limits/proc", &r2), -ENOENT,
		 "root_open of a directory without hierarchies");
	T_OK(r2 == NULL, "ret untouched");
	cg_root_free(r);
}

static void test_garbage(void)
{
	struct cg_root *r = open_case("garbage", CG_LAYOUT_UNIFIED);
	uint64_t want_bad;
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	/* NSpid "9700 one": garbage, so no init */
	expect_init(r, "lxc.payload.junk", -ESRCH, 0, 0);
	if (read_ct(r, "lxc.payload.junk", CG_M_ALL, &s, &nf) < 0)
		goto out;
	U(CG_CPU_USER_NS, 100000);
	U(CG_CPU_USER_TICKS, 0); /* 100 µs is less than a tick */
	U(CG_CPU_THROTTLED_PERIODS, 3);
	U(CG_MEM_CACHE, 4096);
	D(PSI(IO, SOME_AVG10), 0.01);
	U(PSI(IO, SOME_TOTAL_US), 77);
	U(PSI(IO, FULL_TOTAL_US), 66);
	T_EQ_U64(s.present,
		 BIT(CG_CPU_USER_NS) | BIT(CG_CPU_USER_TICKS) | BIT(CG_CPU_THROTTLED_PERIODS) |
			 BIT(CG_MEM_CACHE) | psi_bits(CG_PSI_IO),
		 "present: only the sound values");
	ABSENT(CG_PIDS_LIMIT); /* "max" */
	BAD(CG_CPU_USAGE_NS);	 /* "12x" */
	BAD(CG_CPU_SYSTEM_NS);	 /* "-5" */
	BAD(CG_CPU_PERIODS);	 /* 2^64 */
	BAD(CG_CPU_THROTTLED_NS); /* key without value */
	BAD(CG_CPU_LIMIT_CPUS);	 /* "50000" without period */
	BAD(CG_CPU_EFFECTIVE_CPUS); /* "2-0" */
	BAD(CG_MEM_USAGE);	 /* empty file */
	BAD(CG_MEM_WORKING_SET); /* from a bad usage */
	BAD(CG_MEM_RSS);	 /* "lots" */
	BAD(CG_MEM_LIMIT);	 /* "12abc" */
	BAD(CG_MEM_SWAP);	 /* "max" is no byte count */
	BAD(CG_PIDS_CURRENT);	 /* overflow */
	BAD(CG_IO_READ_BYTES);	 /* "wbytes" without '=' */
	want_bad = BIT(CG_CPU_USAGE_NS) | BIT(CG_CPU_SYSTEM_NS) | BIT(CG_CPU_SYSTEM_TICKS) |
		   BIT(CG_CPU_PERIODS) | BIT(CG_CPU_THROTTLED_NS) | BIT(CG_CPU_LIMIT_CPUS) |
		   BIT(CG_MEM_USAGE) | BIT(CG_MEM_WORKING_SET) | BIT(CG_MEM_RSS) |
		   BIT(CG_MEM_SWAP) | BIT(CG_MEM_LIMIT) | BIT(CG_MEM_OOM_KILLS) |
		   BIT(CG_MEM_FAILCNT) | BIT(CG_PIDS_CURRENT) | BIT(CG_IO_READ_BYTES) |
		   BIT(CG_IO_WRITE_BYTES) | BIT(CG_IO_READ_OPS) | BIT(CG_IO_WRITE_OPS) |
		   psi_bits(CG_PSI_CPU) | psi_bits(CG_PSI_MEMORY) | BIT(CG_CPU_EFFECTIVE_CPUS);
	T_EQ_U64(s.bad, want_bad, "bad: exactly the garbage");
out:
	cg_root_free(r);
}

static void test_max_limits(void)
{
	static const char *const want[] = { "lxc.payload.lim", "lim", NULL,
					    "lxc.payload.unl", "unl", NULL };
	struct cg_root *r = open_case("max-limits", CG_LAYOUT_LEGACY);
	struct cg_stats s;
	size_t nf = 0;

	if (!r)
		return;
	expect_found(r, 2, want);
	if (read_ct(r, "lxc.payload.unl", CG_M_ALL, &s, &nf) < 0)
		goto out;
	T_EQ_INT(nf, 0, "quota, period, limit, pids.max: read, none held");
	T_EQ_U64(s.present, 0, "unlimited: nothing present");
	T_EQ_U64(s.bad, 0, "unlimited: nothing bad");
	if (read_ct(r, "lxc.payload.lim", CG_M_ALL, &s, &nf) < 0)
		goto out;
	D(CG_CPU_LIMIT_CPUS, 0.5); /* 25000 / 50000 */
	U(CG_MEM_LIMIT, 4611686018427387903ull); /* 2^62 - 1: still a limit */
	U(CG_PIDS_LIMIT, 100);
	T_EQ_U64(s.bad, 0, "nothing bad");
out:
	cg_root_free(r);
}

/* CG_M_SPLIT through the real read path: per CPU from v1 usage_all, per
 * device from the two v1 blkio files merged, from v2 io.stat; no per-CPU
 * figures on v2; a second read gives the same, not twice as much; without
 * CG_M_SPLIT nothing is kept. */
static void test_split(void)
{
	struct cg_root *r = open_case("v1-lxc", CG_LAYOUT_LEGACY);
	struct cg_container *c = NULL;
	struct cg_split sp;
	struct cg_stats s;

	if (!r)
		return;
	T_EQ_INT(cg_container_open(r, "lxc.payload.web1", CG_M_ALL | CG_M_SPLIT, &c), 0, "v1 open");
	for (int pass = 0; c && pass < 2; pass++) {
		T_EQ_INT(cg_container_read(c, &s), 0, "v1 read");
		cg_container_split(c, &sp);
		T_EQ_INT((int)sp.ncpu, 2, "v1: 2 CPUs");
		T_OK(sp.ncpu == 2 && sp.cpu[0].cpu == 0 && sp.cpu[0].user_ns == 20000000000ull &&
			     sp.cpu[0].system_ns == 10000000000ull && sp.cpu[1].cpu == 1 &&
			     sp.cpu[1].user_ns == 10100000000ull && sp.cpu[1].system_ns == 7900000000ull,
		     "v1: each CPU's own user and system ns (pass %d)", pass);
		U(CG_CPU_USER_NS, 30100000000ull);
		T_EQ_INT((int)sp.ndev, 2, "v1: 2 devices");
		T_OK(sp.ndev == 2 && sp.dev[0].major == 8 && sp.dev[0].minor == 0 &&
			     sp.dev[0].rbytes == 1048576 && sp.dev[0].wbytes == 2097152 &&
			     sp.dev[0].rios == 256 && sp.dev[0].wios == 512 && sp.dev[1].major == 254 &&
			     sp.dev[1].rbytes == 4096 && sp.dev[1].wbytes == 8192 && sp.dev[1].rios == 1 &&
			     sp.dev[1].wios == 2,
		     "v1: bytes and ops of each device from the _recursive files (pass %d)", pass);
		U(CG_IO_READ_BYTES, 1048576 + 4096);
		U(CG_IO_WRITE_OPS, 514);
	}
	cg_container_free(c);
	c = NULL;
	T_EQ_INT(cg_container_open(r, "lxc.payload.web1", CG_M_ALL, &c), 0, "v1 open, no split");
	if (c && cg_container_read(c, &s) == 0) {
		cg_container_split(c, &sp);
		T_OK(sp.ncpu == 0 && sp.ndev == 0, "without CG_M_SPLIT: nothing kept");
		U(CG_IO_READ_BYTES, 1048576 + 4096);
	}
	cg_container_free(c);
	cg_root_free(r);

	r = open_case("v2-lxd", CG_LAYOUT_UNIFIED);
	if (!r)
		return;
	c = NULL;
	T_EQ_INT(cg_container_open(r, "lxc.payload.c1", CG_M_ALL | CG_M_SPLIT, &c), 0, "v2 open");
	if (c && cg_container_read(c, &s) == 0) {
		cg_container_split(c, &sp);
		T_EQ_INT((int)sp.ncpu, 0, "v2: no per-CPU figures (LXD puts the totals on CPU 0)");
		T_OK(sp.ndev == 2 && sp.dev[0].major == 8 && sp.dev[0].rbytes == 1048576 &&
			     sp.dev[0].wios == 50 && sp.dev[1].major == 253 && sp.dev[1].wbytes == 4096 &&
			     sp.dev[1].rios == 2,
		     "v2: io.stat per device");
	}
	cg_container_free(c);
	cg_root_free(r);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Many devices through the read path: more than the store starts with;
 * the io_serviced file adds 40 devices of its own after the shared ones,
 * so the merge runs out of room after changing those (it must undo, not
 * count them twice); read twice. */
static void test_split_many(void)
{
	char root[] = "/tmp/cgtree_split_XXXXXX", dir[256], proc[256];
	static char bytes[64 * 1024], ops[64 * 1024];
	struct cg_root *r = NULL;
	struct cg_container *c = NULL;
	struct cg_split sp;
	struct cg_stats s;
	size_t nb = 0, no = 0;
	bool all = true;

	if (!mkdtemp(root))
		return;
	snprintf(dir, sizeof(dir), "%s/blkio", root);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/blkio/lxc.payload.m", root);
	mkdir(dir, 0755);
	/* 32: what the store holds after growing for the bytes file; the
	 * ops file's 40 new devices overflow even the room made before it */
	for (int i = 0; i < 32; i++)
		nb += (size_t)snprintf(bytes + nb, sizeof(bytes) - nb,
				       "7:%d Read %d\n7:%d Write %d\n7:%d Total %d\n", i, 1000 + i, i,
				       2000 + i, i, 3000 + 2 * i);
	snprintf(bytes + nb, sizeof(bytes) - nb, "Total 0\n");
	for (int i = 0; i < 72; i++)
		no += (size_t)snprintf(ops + no, sizeof(ops) - no, "7:%d Read %d\n7:%d Write %d\n", i,
				       10 + i, i, 20 + i);
	put_file(dir, "blkio.throttle.io_service_bytes_recursive", bytes);
	put_file(dir, "blkio.throttle.io_serviced_recursive", ops);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	T_EQ_INT(cg_root_open(root, proc, &r), 0, "a blkio-only v1 tree");
	if (r)
		T_EQ_INT(cg_container_open(r, "lxc.payload.m", CG_M_IO | CG_M_SPLIT, &c), 0, "open");
	for (int pass = 0; c && pass < 2; pass++) {
		T_EQ_INT(cg_container_read(c, &s), 0, "read");
		cg_container_split(c, &sp);
		T_EQ_INT((int)sp.ndev, 72, "72 devices: 32 in both files, 40 with operations only");
		for (size_t i = 0; i < sp.ndev && i < 72; i++) {
			const struct cg_dev_split *d = &sp.dev[i];
			uint64_t m = d->minor, b = m < 32;

			all &= d->major == 7 && d->rbytes == b * (1000 + m) && d->wbytes == b * (2000 + m) &&
			       d->rios == 10 + m && d->wios == 20 + m;
		}
		T_OK(all, "each device its own bytes and operations, none counted twice (pass %d)",
		     pass);
		U(CG_IO_READ_BYTES, 32 * 1000 + 496);
		U(CG_IO_WRITE_OPS, 72 * 20 + 2556);
	}
	cg_container_free(c);
	cg_root_free(r);
	snprintf(dir, sizeof(dir), "rm -rf '%s'", root);
	if (system(dir) != 0)
		T_OK(false, "cleanup of %s", root);
}

int main(void)
{
	long t = sysconf(_SC_CLK_TCK);

	hz = t > 0 ? (uint64_t)t : 100;
	test_v1_lxc();
	test_v2_lxd();
	test_hybrid();
	test_proxmox();
	test_lxc31();
	test_missing();
	test_garbage();
	test_max_limits();
	test_split();
	test_split_many();
	return t_done();
}
