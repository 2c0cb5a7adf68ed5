/* cgparse_test: the pure parsers of cgroupfs/, table by table. */
#include <errno.h>
#include <stdlib.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/testing.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static void test_u64(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 },
		{ "42\n", 0, 42 },
		{ "  268435456 \n", 0, 268435456 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -EOVERFLOW, 0 },
		{ "99999999999999999999999", -EOVERFLOW, 0 },
		{ "9223372036854771712\n", 0, 9223372036854771712ull },
		{ "max\n", -ERANGE, 0 },
		{ "max", -ERANGE, 0 },
		{ "maximum", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ "-1\n", -EINVAL, 0 },
		{ "12x", -EINVAL, 0 },
		{ "1 2", -EINVAL, 0 },
		{ "+5", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t v = 7777;
		int r = cg_parse_u64(t[i].in, strlen(t[i].in), &v);
		char what[64];

		snprintf(what, sizeof(what), "u64 %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_EQ_U64(v, r == 0 ? t[i].v : 7777, what);
	}
	/* LEN is honoured: the buffer is not NUL-terminated */
	{
		uint64_t v = 0;

		T_EQ_INT(cg_parse_u64("12345", 3, &v), 0, "u64 with len 3");
		T_EQ_U64(v, 123, "u64 reads only len bytes");
	}
}

static const char v1_mem_stat[] = "cache 3333\nrss 2222\ninactive_file 1111\n"
				  "total_cache 100663296\ntotal_rss 150994944\n"
				  "total_inactive_file 67108864\n";
static const char v2_events[] = "low 0\nhigh 0\nmax 7\noom 1\noom_kill 3\noom_group_kill 0\n";

static void test_keyed(void)
{
	static const struct {
		const char *buf, *key;
		int r;
		uint64_t v;
	} t[] = {
		{ v1_mem_stat, "rss", 0, 2222 },
		{ v1_mem_stat, "total_rss", 0, 150994944 },
		{ v1_mem_stat, "inactive_file", 0, 1111 },
		{ v1_mem_stat, "total_inactive_file", 0, 67108864 },
		{ v1_mem_stat, "total_swap", -ENOENT, 0 },
		{ v1_mem_stat, "total", -ENOENT, 0 },
		{ v2_events, "max", 0, 7 },
		{ v2_events, "oom_kill", 0, 3 },
		{ v2_events, "oom", 0, 1 },
		{ "usage_usec 84213947\nuser_usec 60120512\n", "user_usec", 0, 60120512 },
		{ "usage_usec 1\nuser_usec 2", "user_usec", 0, 2 }, /* no final newline */
		{ "anon lots\n", "anon", -EINVAL, 0 },
		{ "oom_kill\n", "oom_kill", -EINVAL, 0 },
		{ "oom_kill \n", "oom_kill", -EINVAL, 0 },
		{ "x 1 2\n", "x", -EINVAL, 0 },
		{ "x -5\n", "x", -EINVAL, 0 },
		{ "x 18446744073709551616\n", "x", -EOVERFLOW, 0 },
		{ "", "x", -ENOENT, 0 },
		{ "x 5\nx 6\n", "x", 0, 5 },
		{ "file_mapped 9\nfile 10\n", "file", 0, 10 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t v = 7777;
		int r = cg_parse_keyed(t[i].buf, strlen(t[i].buf), t[i].key, &v);
		char what[128];

		snprintf(what, sizeof(what), "keyed %zu (%s)", i, t[i].key);
		T_EQ_INT(r, t[i].r, what);
		T_EQ_U64(v, r == 0 ? t[i].v : 7777, what);
	}
	/* one pass for several keys: each answers as cg_parse_keyed alone */
	for (size_t i = 0; i < N(t); i++) {
		const char *keys[N(t)];
		uint64_t v[N(t)];
		int r[N(t)];
		size_t nk = 0, same = 0, want = 0;

		for (size_t j = 0; j < N(t); j++)
			if (t[j].buf == t[i].buf)
				keys[nk++] = t[j].key;
		if (nk > 16)
			nk = 16;
		cg_parse_keyed_multi(t[i].buf, strlen(t[i].buf), keys, nk, v, r);
		for (size_t k = 0; k < nk; k++) {
			uint64_t v1 = 0;
			int r1 = cg_parse_keyed(t[i].buf, strlen(t[i].buf), keys[k], &v1);

			want++;
			same += r1 == r[k] && (r1 != 0 || v1 == v[k]);
		}
		T_EQ_U64(same, want, "keyed_multi agrees with keyed, key by key");
	}
	/* truncated in the middle of the value we want: only LEN counts */
	{
		const char b[] = "nr_periods 1520\nnr_throttled 37\n";
		uint64_t v = 0;

		T_EQ_INT(cg_parse_keyed(b, 30, "nr_throttled", &v), 0, "keyed truncated value");
		T_EQ_U64(v, 3, "keyed truncated reads what is there");
		T_EQ_INT(cg_parse_keyed(b, 20, "nr_throttled", &v), -ENOENT, "keyed truncated key");
	}
}

static void test_cpu_max(void)
{
	static const struct {
		const char *in;
		int r;
		double v;
	} t[] = {
		{ "50000 100000\n", 0, 0.5 },
		{ "200000 100000\n", 0, 2.0 },
		{ "150000 100000", 0, 1.5 },
		{ "max 100000\n", -ERANGE, 0 },
		{ "max\n", -ERANGE, 0 },
		{ "50000\n", -EINVAL, 0 },
		{ "50000 0\n", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "abc 100000", -EINVAL, 0 },
		{ "50000 100000 7", -EINVAL, 0 },
		{ "max abc", -EINVAL, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		double v = -1;
		int r = cg_parse_cpu_max(t[i].in, strlen(t[i].in), &v);
		char what[64];

		snprintf(what, sizeof(what), "cpu.max %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_OK(r == 0 ? v == t[i].v : v == -1, "%s value %g", what, v);
	}
}

static void test_cpuset_count(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t v;
	} t[] = {
		{ "0\n", 0, 1 },
		{ "0-3\n", 0, 4 },
		{ "0-3,8,10-11\n", 0, 7 },
		{ "5-5", 0, 1 },
		{ "1,3,5,7", 0, 4 },
		{ "\n", -ENODATA, 0 },
		{ "", -ENODATA, 0 },
		{ "3-1", -EINVAL, 0 },
		{ "0-", -EINVAL, 0 },
		{ "0,,1", -EINVAL, 0 },
		{ "0,", -EINVAL, 0 },
		{ "a-b", -EINVAL, 0 },
		{ "0 1", -EINVAL, 0 },
		{ "0-18446744073709551615", -EOVERFLOW, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t v = 12345;
		int r = cg_parse_cpuset_count(t[i].in, strlen(t[i].in), &v);
		char what[64];

		snprintf(what, sizeof(what), "cpuset %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_OK(r == 0 ? v == t[i].v : v == 12345, "%s count %llu", what, (unsigned long long)v);
	}
}

static void test_frozen(void)
{
	T_EQ_INT(cg_parse_frozen("FROZEN\n", 7, true), 1, "v1 FROZEN");
	T_EQ_INT(cg_parse_frozen("THAWED\n", 7, true), 0, "v1 THAWED");
	T_EQ_INT(cg_parse_frozen("FREEZING\n", 9, true), 0, "v1 FREEZING: not yet");
	T_EQ_INT(cg_parse_frozen("frozen\n", 7, true), -EINVAL, "v1 garbage");
	T_EQ_INT(cg_parse_frozen("populated 1\nfrozen 1\n", 21, false), 1, "v2 frozen 1");
	T_EQ_INT(cg_parse_frozen("populated 1\nfrozen 0\n", 21, false), 0, "v2 frozen 0");
	T_EQ_INT(cg_parse_frozen("populated 1\n", 12, false), -EINVAL, "v2 without frozen");
	T_EQ_INT(cg_parse_frozen("frozen 2\n", 9, false), -EINVAL, "v2 frozen 2");
}

static void test_io_stat(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t v[4];
	} t[] = {
		{ "", 0, { 0, 0, 0, 0 } },
		{ "8:0 rbytes=1048576 wbytes=524288 rios=100 wios=50 dbytes=0 dios=0\n"
		  "253:0 rbytes=2048 wbytes=4096 rios=2 wios=4 dbytes=0 dios=0\n",
		  0,
		  { 1050624, 528384, 102, 54 } },
		{ "8:0 rbytes=1 wbytes=2 rios=3 wios=4\n8:16 rbytes=10 wbytes=20 rios=30 wios=40\n"
		  "259:0 rbytes=100 wbytes=200 rios=300 wios=400 dbytes=5 dios=6 cost.usage=7\n",
		  0,
		  { 111, 222, 333, 444 } },
		{ "8:0 rbytes=5\n", 0, { 5, 0, 0, 0 } },
		{ "8:0 rbytes=10 wbytes\n", -EINVAL, { 0 } },
		{ "8:0 rbytes=x\n", -EINVAL, { 0 } },
		{ "sda rbytes=1\n", -EINVAL, { 0 } },
		{ "8: rbytes=1\n", -EINVAL, { 0 } },
		{ "8:0 rbytes=18446744073709551615\n8:1 rbytes=1\n", -EOVERFLOW, { 0 } },
		{ "8:0 rbytes=1 =2\n", -EINVAL, { 0 } },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t v[4] = { 9, 9, 9, 9 };
		int r = cg_parse_io_stat(t[i].in, strlen(t[i].in), v);
		char what[64];

		snprintf(what, sizeof(what), "io.stat %zu", i);
		T_EQ_INT(r, t[i].r, what);
		if (r == 0)
			T_OK(memcmp(v, t[i].v, sizeof(v)) == 0, "%s sums %" PRIu64 " %" PRIu64
			     " %" PRIu64 " %" PRIu64, what, v[0], v[1], v[2], v[3]);
		else
			T_OK(v[0] == 9 && v[3] == 9, "%s untouched on error", what);
	}
}

static void test_blkio(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t rd, wr;
	} t[] = {
		{ "Total 0\n", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "8:0 Read 1048576\n8:0 Write 2097152\n8:0 Sync 3145728\n8:0 Async 0\n"
		  "8:0 Discard 0\n8:0 Total 3145728\n254:0 Read 4096\n254:0 Write 8192\n"
		  "254:0 Sync 12288\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 12288\n"
		  "Total 3158016\n",
		  0, 1052672, 2105344 },
		/* older kernels: no Discard line */
		{ "8:0 Read 10\n8:0 Write 20\n8:0 Sync 30\n8:0 Async 0\n8:0 Total 30\nTotal 30\n", 0,
		  10, 20 },
		{ "8:0 Read x\n", -EINVAL, 0, 0 },
		{ "8:0 Read\n", -EINVAL, 0, 0 },
		{ "sda Read 1\n", -EINVAL, 0, 0 },
		{ "Total max\n", -EINVAL, 0, 0 },
		{ "8:0 Read 18446744073709551615\n8:1 Read 1\n", -EOVERFLOW, 0, 0 },
		{ "8:0 Read 1 2\n", -EINVAL, 0, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t rd = 9, wr = 9;
		int r = cg_parse_blkio(t[i].in, strlen(t[i].in), &rd, &wr);
		char what[64];

		snprintf(what, sizeof(what), "blkio %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_EQ_U64(rd, r == 0 ? t[i].rd : 9, what);
		T_EQ_U64(wr, r == 0 ? t[i].wr : 9, what);
	}
}

static void test_psi(void)
{
	static const struct {
		const char *in;
		int r;
		double sa, fa;
		uint64_t st, ft;
		bool full;
	} t[] = {
		{ "some avg10=1.67 avg60=0.49 avg300=0.40 total=2566711\n"
		  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		  0, 1.67, 0, 2566711, 0, true },
		{ "some avg10=2.75 avg60=0.12 avg300=0.04 total=987654\n"
		  "full avg10=2.50 avg60=0.05 avg300=0.01 total=876543\n",
		  0, 2.75, 2.5, 987654, 876543, true },
		{ "some avg10=0.07 avg60=0.02 avg300=0.00 total=4242\n", 0, 0.07, 0, 4242, 0, false },
		{ "some avg10=100.00 avg60=100.00 avg300=100.00 total=18446744073709551615\n", 0,
		  100.0, 0, UINT64_MAX, 0, false },
		{ "", -EINVAL, 0, 0, 0, 0, false },
		{ "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", -EINVAL, 0, 0, 0, 0, false },
		{ "some avg10=abc avg60=0.00 avg300=0.00 total=1\n", -EINVAL, 0, 0, 0, 0, false },
		{ "some avg10=0.00 avg60=0.0", -EINVAL, 0, 0, 0, 0, false },
		{ "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nfull avg10=0.00 tot",
		  -EINVAL, 0, 0, 0, 0, false },
		{ "some avg10=1. avg60=0.00 avg300=0.00 total=1\n", -EINVAL, 0, 0, 0, 0, false },
		{ "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n", -EOVERFLOW,
		  0, 0, 0, 0, false },
		{ "garbage\n", -EINVAL, 0, 0, 0, 0, false },
	};

	for (size_t i = 0; i < N(t); i++) {
		double sa = -1, fa = -1;
		uint64_t st = 9, ft = 9;
		bool full = false;
		int r = cg_parse_psi(t[i].in, strlen(t[i].in), &sa, &st, &fa, &ft, &full);
		char what[64];

		snprintf(what, sizeof(what), "psi %zu", i);
		T_EQ_INT(r, t[i].r, what);
		if (r < 0) {
			T_OK(sa == -1 && st == 9, "%s untouched on error", what);
			continue;
		}
		T_OK(dabs(sa - t[i].sa) < 1e-9, "%s some avg10 %g", what, sa);
		T_EQ_U64(st, t[i].st, what);
		T_EQ_INT(full, t[i].full, what);
		if (full) {
			T_OK(dabs(fa - t[i].fa) < 1e-9, "%s full avg10 %g", what, fa);
			T_EQ_U64(ft, t[i].ft, what);
		}
	}
}

static void test_nspid(void)
{
	static const struct {
		const char *in;
		int r;
		pid_t last;
	} t[] = {
		{ "Name:\tsystemd\nPid:\t4321\nNSpid:\t4321\t1\nNSpgid:\t4321\t1\n", 0, 1 },
		{ "Name:\tcat\nNSpid:\t11893\n", 0, 11893 },
		{ "NSpid:\t7050\t55\t1\n", 0, 1 },
		{ "NSpid:\t7050\t55\t12\n", 0, 12 },
		{ "NSpid:\t4321\t1", 0, 1 },
		{ "Name:\tx\nPid:\t5\n", -ENOENT, 0 },
		{ "", -ENOENT, 0 },
		{ "NSpid:\n", -EINVAL, 0 },
		{ "NSpid:\t9700\tone\n", -EINVAL, 0 },
		{ "NSpid:\t9700\t0\n", -EINVAL, 0 },
		{ "NSpid:\t99999999999\n", -EINVAL, 0 },
		{ "XNSpid:\t1\n", -ENOENT, 0 },
		{ "NStgid:\t5\t1\nNSpid:\t5\t3\n", 0, 3 },
	};

	for (size_t i = 0; i < N(t); i++) {
		pid_t last = -7;
		int r = cg_parse_nspid(t[i].in, strlen(t[i].in), &last);
		char what[64];

		snprintf(what, sizeof(what), "nspid %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_EQ_INT(last, r == 0 ? t[i].last : -7, what);
	}
}

static void test_starttime(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t v;
	} t[] = {
		{ "11895 (cat) R 11891 11891 2658 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 49859 "
		  "3133440 412 18446744073709551615 94315018608640\n",
		  0, 49859 },
		{ "5001 (my) (init) S 1 5001 5001 0 -1 4194560 4373 211937 89 1041 31 43 1302 401 20 "
		  "0 1 0 200111 22937600 2950\n",
		  0, 200111 },
		{ "1 (a b c) S 0 1 1 0 -1 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n", 0, 17 },
		{ "7 ()) S 0 1 1 0 -1 4 5 6 7 8 9 10 11 12 13 14 15 16 424242 18 19\n", 0, 424242 },
		{ "9700 (init) S 1", -EINVAL, 0 },
		{ "9700 init S 1 2 3", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "1 (x) S 0 1 1 0 -1 4 5 6 7 8 9 10 11 12 13 14 15 16 -17 18\n", -EINVAL, 0 },
		{ "1 (x) S 0 1 1 0 -1 4 5 6 7 8 9 10 11 12 13 14 15 16 17", 0, 17 },
		{ "1 (x) S 0 1 1 0 -1 4 5 6 7 8 9 10 11 12 13 14 15 16", -EINVAL, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t v = 7777;
		int r = cg_parse_starttime(t[i].in, strlen(t[i].in), &v);
		char what[64];

		snprintf(what, sizeof(what), "starttime %zu", i);
		T_EQ_INT(r, t[i].r, what);
		T_EQ_U64(v, r == 0 ? t[i].v : 7777, what);
	}
}

static void test_mountinfo(void)
{
	static const char mi[] =
		"24 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
		"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
		"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
		"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
		"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
		"99 31 0:35 / /sys/fs/cgroup/memory2 rw,relatime - cgroup cgroup rw,memory\n"
		"50 24 0:40 / /mnt/other\\040cg rw - cgroup cgroup rw,pids\n";
	static const char pure[] = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime "
				   "shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
	static const char esc[] = "50 24 0:40 / /mnt/my\\040cg/pids rw - cgroup cgroup rw,pids\n";
	char *p[CG_H_MAX];
	int n;

	n = cg_mountinfo_parse(mi, strlen(mi), "/sys/fs/cgroup/", p);
	T_EQ_INT(n, 7, "mountinfo hybrid: hierarchies");
	T_EQ_STR(p[CG_H_CPU], "cpu,cpuacct", "co-mounted cpu");
	T_EQ_STR(p[CG_H_CPUACCT], "cpu,cpuacct", "co-mounted cpuacct");
	T_EQ_STR(p[CG_H_MEMORY], "memory", "first memory mount wins");
	T_EQ_STR(p[CG_H_PIDS], "pids", "pids (mount outside the root ignored)");
	T_EQ_STR(p[CG_H_BLKIO], "blkio", "blkio");
	T_EQ_STR(p[CG_H_CPUSET], "cpuset", "cpuset");
	T_EQ_STR(p[CG_H_UNIFIED], "unified", "unified");
	for (int h = 0; h < CG_H_MAX; h++)
		free(p[h]);

	n = cg_mountinfo_parse(pure, strlen(pure), "/sys/fs/cgroup", p);
	T_EQ_INT(n, 1, "mountinfo unified");
	T_EQ_STR(p[CG_H_UNIFIED], ".", "cgroup2 at the root itself");
	T_EQ_STR(p[CG_H_MEMORY], NULL, "no v1 memory");
	for (int h = 0; h < CG_H_MAX; h++)
		free(p[h]);

	n = cg_mountinfo_parse(esc, strlen(esc), "/mnt/my cg", p);
	T_EQ_INT(n, 1, "mountinfo octal escape");
	T_EQ_STR(p[CG_H_PIDS], "pids", "escaped mount point");
	for (int h = 0; h < CG_H_MAX; h++)
		free(p[h]);

	n = cg_mountinfo_parse(mi, strlen(mi), "/sys/fs/cgroupX", p);
	T_EQ_INT(n, 0, "mountinfo: nothing under another root");
	n = cg_mountinfo_parse("garbage\n\n- - -\n", 15, "/", p);
	T_EQ_INT(n, 0, "mountinfo garbage");
	for (int h = 0; h < CG_H_MAX; h++)
		free(p[h]);
}

static void test_classify(void)
{
	static const struct {
		const char *dir;
		enum cg_parent parent;
		int r;
		const char *name; /* whole: PROJECT_NAME is the collector's to split */
	} t[] = {
		{ "lxc.payload.web1", CG_PARENT_OTHER, 1, "web1" },
		{ "lxc.payload.proj_web", CG_PARENT_OTHER, 1, "proj_web" },
		{ "lxc.payload.a_b_c", CG_PARENT_OTHER, 1, "a_b_c" },
		{ "lxc.payload._x", CG_PARENT_OTHER, 1, "_x" },
		{ "lxc.payload.x_", CG_PARENT_OTHER, 1, "x_" },
		{ "lxc.payload.", CG_PARENT_OTHER, -EPERM, NULL },
		{ "lxc.payload", CG_PARENT_OTHER, 0, NULL },
		{ "lxc", CG_PARENT_OTHER, 0, NULL },
		{ "lxc.monitor.web1", CG_PARENT_OTHER, -EPERM, NULL },
		{ "lxc.monitor", CG_PARENT_OTHER, -EPERM, NULL },
		{ "lxc.monitor", CG_PARENT_LXC, -EPERM, NULL },
		{ "lxc.pivot", CG_PARENT_OTHER, -EPERM, NULL },
		{ "lxc.pivot", CG_PARENT_PAYLOAD, -EPERM, NULL },
		{ "system.slice", CG_PARENT_OTHER, 0, NULL },
		{ "lxcfoo", CG_PARENT_OTHER, 0, NULL },
		{ "101", CG_PARENT_LXC, 1, "101" },
		{ "my_ct", CG_PARENT_LXC, 1, "my_ct" },
		{ "alpha", CG_PARENT_PAYLOAD, 1, "alpha" },
		{ "team_gamma", CG_PARENT_PAYLOAD, 1, "team_gamma" },
		{ "101", CG_PARENT_OTHER, 0, NULL },
	};

	for (size_t i = 0; i < N(t); i++) {
		char *name = (char *)"untouched";
		int r = cg_classify(t[i].dir, t[i].parent, &name);

		T_EQ_INT(r, t[i].r, t[i].dir);
		if (r == 1) {
			T_EQ_STR(name, t[i].name, t[i].dir);
			free(name);
		} else {
			T_OK(strcmp(name, "untouched") == 0, "%s: name untouched", t[i].dir);
		}
	}
}

static void test_names(void)
{
	T_EQ_STR(cg_field_name(CG_MEM_WORKING_SET), "memory.working_set_bytes", "field name");
	T_EQ_STR(cg_field_name(CG_PSI_FIELD(CG_PSI_IO, CG_PSI_FULL_TOTAL_US)),
		 "pressure.io.full_total_us", "psi field name");
	T_EQ_STR(cg_field_name(CG_FIELD_MAX), "unknown", "out of range field name");
	T_OK(cg_field_is_double(CG_CPU_LIMIT_CPUS), "limit_cpus is double");
	T_OK(cg_field_is_double(CG_PSI_FIELD(CG_PSI_MEMORY, CG_PSI_SOME_AVG10)), "avg10 is double");
	T_OK(!cg_field_is_double(CG_PSI_FIELD(CG_PSI_MEMORY, CG_PSI_SOME_TOTAL_US)),
	     "total is not double");
	T_OK(!cg_field_is_double(CG_MEM_USAGE), "usage is not double");
	for (int f = 0; f < CG_FIELD_MAX; f++)
		T_OK(cg_field_name((enum cg_field)f) != NULL &&
			     strcmp(cg_field_name((enum cg_field)f), "unknown") != 0,
		     "field %d has a name", f);
	T_EQ_STR(cg_psi_name(CG_PSI_MEMORY), "memory", "psi name");
	T_EQ_STR(cg_layout_name(CG_LAYOUT_HYBRID), "hybrid", "layout name");
}

static void test_cpuacct_all(void)
{
	static const struct {
		const char *in;
		int r;
		uint64_t user, sys;
	} t[] = {
		{ "cpu user system\n0 10 20\n1 1 2\n", 0, 11, 22 },
		{ "cpu user system\n", 0, 0, 0 },
		{ "cpu user system\n0 18446744073709551615 0\n", 0, UINT64_MAX, 0 },
		{ "cpu user system\n0 18446744073709551615 0\n1 1 0\n", -EOVERFLOW, 0, 0 },
		{ "cpu user system\n0 10\n", -EINVAL, 0, 0 },
		{ "cpu user system\nx 10 20\n", -EINVAL, 0, 0 },
		{ "cpu user system\n0 max 20\n", -EINVAL, 0, 0 },
		{ "0 10 20\n", -EINVAL, 0, 0 }, /* no header */
		{ "user 10\nsystem 20\n", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
	};

	for (size_t i = 0; i < N(t); i++) {
		uint64_t u = 7, sy = 7;
		int r = cg_parse_cpuacct_all(t[i].in, strlen(t[i].in), &u, &sy);

		T_EQ_INT(r, t[i].r, "cpuacct.usage_all result");
		if (r == 0) {
			T_EQ_U64(u, t[i].user, "usage_all user sum");
			T_EQ_U64(sy, t[i].sys, "usage_all system sum");
		} else {
			T_OK(u == 7 && sy == 7, "usage_all: nothing written on failure");
		}
	}
}

/* Per CPU: every line of usage_all, in order, numbers as written; the
 * entries add up to cg_parse_cpuacct_all's sums; too small an array says
 * so; what the summing parser refuses, this refuses. */
static void test_cpuacct_percpu(void)
{
	struct cg_cpu_split c[4];
	const char *in = "cpu user system\n0 15050000000 8950000000\n1 0 0\n\n7 3 4\n";
	uint64_t u, sy;
	int r = cg_parse_cpuacct_percpu(in, strlen(in), c, 4);

	T_EQ_INT(r, 3, "usage_all: 3 CPUs (an empty line skipped)");
	T_OK(r == 3 && c[0].cpu == 0 && c[0].user_ns == 15050000000ull &&
		     c[0].system_ns == 8950000000ull && c[1].cpu == 1 && c[1].user_ns == 0 &&
		     c[2].cpu == 7 && c[2].user_ns == 3 && c[2].system_ns == 4,
	     "each CPU's own user and system ns, the CPU number from its line (7, not 2)");
	T_OK(cg_parse_cpuacct_all(in, strlen(in), &u, &sy) == 0 && u == 15050000003ull &&
		     sy == 8950000004ull,
	     "the per-CPU values add up to the sums");
	T_EQ_INT(cg_parse_cpuacct_percpu(in, strlen(in), c, 2), -ENOBUFS,
		 "3 CPUs into 2 entries: -ENOBUFS");
	T_EQ_INT(cg_parse_cpuacct_percpu("cpu user system\n", 16, c, 4), 0, "header only: 0 CPUs");
	{
		static const char *const bad[] = {
			"0 1 2\n", /* no header */
			"cpu user system\n0 1\n",
			"cpu user system\n0 1 2 3\n",
			"cpu user system\n-1 1 2\n",
			"cpu user system\n0 max 2\n",
			"cpu user system\n4294967296 1 2\n", /* CPU number past 32 bits */
			"cpu user system\n0 18446744073709551615 0\n1 1 0\n",
			"",
		};
		static const int want[] = { -EINVAL, -EINVAL, -EINVAL, -EINVAL,
					    -EINVAL, -EINVAL, -EOVERFLOW, -EINVAL };

		for (size_t i = 0; i < N(bad); i++)
			T_EQ_INT(cg_parse_cpuacct_percpu(bad[i], strlen(bad[i]), c, 4), want[i],
				 "usage_all per CPU refuses odd input");
	}
}

/* v2 io.stat per device: one entry per device in file order, keys in any
 * order, unknown keys ignored, a repeated device adds up; many devices;
 * the entries add up to the sums. */
static void test_io_stat_dev(void)
{
	static struct cg_dev_split d[600];
	char *big = malloc(600 * 64), *p = big;
	const char *in = "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=9 dios=9\n"
			 "259:3 wios=40 rios=30 wbytes=20 rbytes=10 cost.vrate=1\n"
			 "8:0 rbytes=100\n"
			 "4294967295:1048575 wbytes=7\n";
	uint64_t sum[4];
	int r = cg_parse_io_stat_dev(in, strlen(in), d, 8);

	T_EQ_INT(r, 3, "io.stat: 3 devices (8:0 twice)");
	T_OK(r == 3 && d[0].major == 8 && d[0].minor == 0 && d[0].rbytes == 101 &&
		     d[0].wbytes == 2 && d[0].rios == 3 && d[0].wios == 4,
	     "8:0: its two lines added, dbytes/dios ignored");
	T_OK(r == 3 && d[1].major == 259 && d[1].minor == 3 && d[1].rbytes == 10 &&
		     d[1].wbytes == 20 && d[1].rios == 30 && d[1].wios == 40,
	     "259:3: keys in another order");
	T_OK(r == 3 && d[2].major == 4294967295u && d[2].minor == 1048575 && d[2].wbytes == 7 &&
		     d[2].rbytes == 0,
	     "a 32-bit major, missing keys 0");
	T_OK(cg_parse_io_stat(in, strlen(in), sum) == 0 && sum[0] == 111 && sum[1] == 29 &&
		     sum[2] == 33 && sum[3] == 44,
	     "the devices add up to the sums");
	T_EQ_INT(cg_parse_io_stat_dev(in, strlen(in), d, 2), -ENOBUFS, "3 devices into 2: -ENOBUFS");
	T_EQ_INT(cg_parse_io_stat_dev("", 0, d, 2), 0, "no I/O yet: no device");
	T_EQ_INT(cg_parse_io_stat_dev("4294967296:0 rbytes=1\n", 22, d, 2), -EINVAL,
		 "a major past 32 bits refused");
	T_EQ_INT(cg_parse_io_stat_dev("8:0:1 rbytes=1\n", 15, d, 2), -EINVAL, "8:0:1 refused");
	for (int i = 0; big && i < 600; i++)
		p += sprintf(p, "%d:%d rbytes=%d wios=1\n", 7 + i / 256, i % 256, i);
	r = big ? cg_parse_io_stat_dev(big, (size_t)(p - big), d, 600) : -ENOMEM;
	T_EQ_INT(r, 600, "600 devices");
	T_OK(r == 600 && d[599].major == 9 && d[599].minor == 87 && d[599].rbytes == 599 &&
		     d[599].wios == 1,
	     "the 600th device: 9:87, its own figures");
	free(big);
}

/* v1 blkio per device: the bytes file and the ops file merged into one
 * entry per device; Sync/Async/Total ignored but make an entry (as LXD's
 * reading does); an array too small leaves *n alone. */
static void test_blkio_dev(void)
{
	struct cg_dev_split d[4];
	const char *bytes = "8:0 Read 1024\n8:0 Write 4096\n8:0 Sync 5120\n8:0 Async 0\n"
			    "8:0 Discard 0\n8:0 Total 5120\n7:3 Read 512\n7:3 Write 0\n7:3 Total 512\n"
			    "Total 5632\n";
	const char *ops = "7:3 Read 1\n7:3 Write 0\n8:0 Read 2\n8:0 Write 3\n8:16 Sync 9\n"
			  "Total 6\n";
	size_t n = 0;
	uint64_t rd, wr;

	T_EQ_INT(cg_parse_blkio_dev(bytes, strlen(bytes), false, d, &n, 4), 2, "bytes: 2 devices");
	T_EQ_INT(cg_parse_blkio_dev(ops, strlen(ops), true, d, &n, 4), 3,
		 "ops merged: 3 devices (8:16 has a Sync line only)");
	T_OK(n == 3 && d[0].major == 8 && d[0].minor == 0 && d[0].rbytes == 1024 &&
		     d[0].wbytes == 4096 && d[0].rios == 2 && d[0].wios == 3,
	     "8:0: bytes and ops of its own, in either file order");
	T_OK(n == 3 && d[1].major == 7 && d[1].minor == 3 && d[1].rbytes == 512 &&
		     d[1].wbytes == 0 && d[1].rios == 1 && d[1].wios == 0,
	     "7:3: bytes and ops of its own");
	T_OK(n == 3 && d[2].major == 8 && d[2].minor == 16 && d[2].rbytes == 0 && d[2].rios == 0,
	     "8:16: an entry at zero, as LXD makes one");
	T_OK(cg_parse_blkio(bytes, strlen(bytes), &rd, &wr) == 0 &&
		     rd == d[0].rbytes + d[1].rbytes + d[2].rbytes &&
		     wr == d[0].wbytes + d[1].wbytes + d[2].wbytes,
	     "the devices add up to the sums");
	n = 0;
	T_EQ_INT(cg_parse_blkio_dev(bytes, strlen(bytes), false, d, &n, 1), -ENOBUFS,
		 "2 devices into 1: -ENOBUFS");
	T_EQ_INT((int)n, 0, "*n untouched on -ENOBUFS");
	T_EQ_INT(cg_parse_blkio_dev("8:0:1 Read 1\n", 13, false, d, &n, 4), -EINVAL, "8:0:1 refused");
	T_EQ_INT(cg_parse_blkio_dev("8:0 Read\n", 9, false, d, &n, 4), -EINVAL, "a missing value refused");
	T_EQ_INT(cg_parse_blkio_dev("Total 0\n", 8, false, d, &n, 4), 0, "no device: none");
}

int main(void)
{
	test_u64();
	test_keyed();
	test_cpu_max();
	test_cpuset_count();
	test_frozen();
	test_io_stat();
	test_blkio();
	test_cpuacct_all();
	test_cpuacct_percpu();
	test_io_stat_dev();
	test_blkio_dev();
	test_psi();
	test_nspid();
	test_starttime();
	test_mountinfo();
	test_classify();
	test_names();
	return t_done();
}
