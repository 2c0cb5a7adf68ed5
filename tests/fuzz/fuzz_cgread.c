/* fuzz_cgread: every cgroup file a container's reading opens, v1 and v2,
 * through the real open/read path (cg_container_open,
 * cg_container_reload_limits and cg_container_read on a fixture tree
 * under $TMPDIR): the file tables, every extractor and the
 * derived fields (working set, CPU limit from quota/period, ticks to ns),
 * with the per-CPU and per-device figures kept (CG_M_SPLIT).
 * The input is split at NUL bytes, one piece per file, in the order of
 * files[] below; missing pieces leave a file empty (a file that shrank).
 * Two trees: a hybrid one (v1 controllers plus a v2 tree) and a pure v2. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

#define CT "lxc.payload.f"

struct ffile {
	const char *dir; /* hierarchy directory below the tree, "" for pure v2 */
	const char *name;
};

static const struct ffile files[] = {
	{ "cpuacct", "cpuacct.usage" },
	{ "cpuacct", "cpuacct.usage_all" },
	{ "cpuacct", "cpuacct.usage_sys" },
	{ "cpuacct", "cpuacct.stat" },
	{ "cpu", "cpu.stat" },
	{ "cpu", "cpu.cfs_quota_us" },
	{ "cpu", "cpu.cfs_period_us" },
	{ "memory", "memory.usage_in_bytes" },
	{ "memory", "memory.stat" },
	{ "memory", "memory.limit_in_bytes" },
	{ "memory", "memory.oom_control" },
	{ "memory", "memory.failcnt" },
	{ "pids", "pids.current" },
	{ "pids", "pids.max" },
	{ "blkio", "blkio.throttle.io_service_bytes_recursive" },
	{ "blkio", "blkio.throttle.io_serviced_recursive" },
	{ "unified", "cpu.stat" },
	{ "unified", "cpu.pressure" },
	{ "unified", "memory.pressure" },
	{ "unified", "io.pressure" },
	{ "", "cpu.stat" },
	{ "", "cpu.max" },
	{ "", "memory.current" },
	{ "", "memory.stat" },
	{ "", "memory.swap.current" },
	{ "", "memory.max" },
	{ "", "memory.events" },
	{ "", "pids.current" },
	{ "", "pids.max" },
	{ "", "io.stat" },
	{ "", "cpu.pressure" },
	{ "", "memory.pressure" },
	{ "", "io.pressure" },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char top[4096];
static int fds[NFILES];
static struct cg_container *ct[2];
static struct cg_root *roots[2]; /* kept: limits are read through them */

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type, (void)f;
	return remove(p);
}

static void teardown(void)
{
	for (int i = 0; i < 2; i++) {
		cg_container_free(ct[i]);
		cg_root_free(roots[i]);
	}
	for (size_t i = 0; i < NFILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (top[0])
		nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mk(const char *fmt, const char *a, const char *b)
{
	char p[4096];

	snprintf(p, sizeof(p), fmt, top, a, b);
	FUZZ_CHECK(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void touch(const char *rel)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	close(fd);
}

static void setup(void)
{
	static const char *const hiers[] = { "cpu", "cpuacct", "memory", "pids", "blkio", "unified" };
	const char *tmp = getenv("TMPDIR");
	char p[4096];

	snprintf(top, sizeof(top), "%s/fuzz_cgread.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(top));
	atexit(teardown);
	mk("%s/hy%s%s", "", "");
	mk("%s/v2%s%s", "", "");
	for (size_t i = 0; i < sizeof(hiers) / sizeof(hiers[0]); i++) {
		mk("%s/hy/%s%s", hiers[i], "");
		mk("%s/hy/%s/%s", hiers[i], CT);
	}
	mk("%s/v2/%s%s", CT, "");
	touch("hy/unified/cgroup.controllers");
	touch("v2/cgroup.controllers");
	for (size_t i = 0; i < NFILES; i++) {
		if (files[i].dir[0])
			snprintf(p, sizeof(p), "%s/hy/%s/" CT "/%s", top, files[i].dir, files[i].name);
		else
			snprintf(p, sizeof(p), "%s/v2/" CT "/%s", top, files[i].name);
		fds[i] = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		FUZZ_CHECK(fds[i] >= 0);
	}
	for (int t = 0; t < 2; t++) {
		char proc[4200];

		snprintf(p, sizeof(p), "%s/%s", top, t ? "v2" : "hy");
		snprintf(proc, sizeof(proc), "%s/no-proc", top); /* no mountinfo: probe */
		FUZZ_CHECK(cg_root_open(p, proc, &roots[t]) == 0);
		FUZZ_CHECK(cg_root_layout(roots[t]) == (t ? CG_LAYOUT_UNIFIED : CG_LAYOUT_HYBRID));
		FUZZ_CHECK(cg_container_open(roots[t], CT, CG_M_ALL | CG_M_SPLIT, &ct[t]) == 0);
		FUZZ_CHECK(cg_container_nfiles(ct[t]) > 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct cg_stats s;

	if (!top[0]) {
		for (size_t i = 0; i < NFILES; i++)
			fds[i] = -1;
		setup();
	}
	for (size_t i = 0; i < NFILES; i++) {
		const uint8_t *z = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
		size_t n = p < end ? (size_t)((z ? z : end) - p) : 0;

		FUZZ_CHECK(ftruncate(fds[i], 0) == 0);
		FUZZ_CHECK(n == 0 || pwrite(fds[i], p, n, 0) == (ssize_t)n);
		p = z ? z + 1 : end;
	}
	for (int t = 0; t < 2; t++) {
		FUZZ_CHECK(cg_container_reload_limits(ct[t]) == 0);
		FUZZ_CHECK(cg_container_read(ct[t], &s) == 0);
		FUZZ_CHECK((s.present & s.bad) == 0);
		FUZZ_CHECK((s.present >> CG_FIELD_MAX) == 0 && (s.bad >> CG_FIELD_MAX) == 0);
		for (int f = 0; f < CG_FIELD_MAX; f++) {
			if (!cg_has(&s, (enum cg_field)f) || !cg_field_is_double((enum cg_field)f))
				continue;
			FUZZ_CHECK(isfinite(s.v[f].d) && s.v[f].d >= 0);
		}
	}
	return 0;
}
