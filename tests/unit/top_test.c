/* top_test: the pure parts of `lxcollectd top`: rates between two samples
 * (and what is not a rate), sorting, human units, batch cells and frames,
 * and the parsers of /proc/stat and /proc/meminfo. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "collector/config.h"
#include "collector/top.h"
#include "tests/testing.h"

static void t_rates(void)
{
	struct top_raw a = { .t_ns = 1000000000, .present = 0x7f }, b = a;
	double v[TOP_C_MAX];

	a.v[TOP_R_CPU_NS] = 5000000000;
	b.v[TOP_R_CPU_NS] = 6000000000; /* one CPU-second ... */
	b.t_ns = 3000000000;		/* ... in two seconds */
	a.v[TOP_R_RX] = 1000;
	b.v[TOP_R_RX] = 11420; /* 10420 bytes in 2 s */
	a.v[TOP_R_TXPK] = 7;
	b.v[TOP_R_TXPK] = 17;
	a.v[TOP_R_TX] = 500;
	b.v[TOP_R_TX] = 400; /* went back: a restarted container */
	top_rates(&a, &b, v);
	T_OK(fabs(v[TOP_C_CPU] - 50.0) < 1e-9, "CPU: 1 s of CPU in 2 s is 50 %% of one CPU (%g)",
	     v[TOP_C_CPU]);
	T_OK(fabs(v[TOP_C_RX] - 5210.0) < 1e-9, "RX bytes/s (%g)", v[TOP_C_RX]);
	T_OK(fabs(v[TOP_C_TXPK] - 5.0) < 1e-9, "TX packets/s (%g)", v[TOP_C_TXPK]);
	T_OK(isnan(v[TOP_C_TX]), "a counter that went back is no rate");
	T_OK(v[TOP_C_READ] == 0, "an unchanged counter is 0/s");

	b.present &= ~(UINT64_C(1) << TOP_R_RX);
	top_rates(&a, &b, v);
	T_OK(isnan(v[TOP_C_RX]), "a counter missing now is no rate");
	top_rates(NULL, &b, v);
	T_OK(isnan(v[TOP_C_CPU]) && isnan(v[TOP_C_READ]), "first sight: no rates");
	b.t_ns = a.t_ns;
	top_rates(&a, &b, v);
	T_OK(isnan(v[TOP_C_CPU]), "no time passed: no rate");
}

static struct top_row mkrow(const char *name, const char *project, double cpu)
{
	struct top_row r = { .name = (char *)name, .project = (char *)project };

	for (int c = 0; c < TOP_C_MAX; c++)
		r.v[c] = NAN;
	r.v[TOP_C_CPU] = cpu;
	return r;
}

static void order(const struct top_row *r, size_t n, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "," : "", r[i].name);
}

static void t_sort(void)
{
	struct top_row r[5] = { mkrow("b", NULL, 10), mkrow("a", NULL, NAN), mkrow("c", "p", 50),
				mkrow("d", NULL, 10), mkrow("e", NULL, 0) };
	char buf[64];

	top_sort(r, 5, TOP_C_CPU, false);
	order(r, 5, buf, sizeof(buf));
	T_EQ_STR(buf, "c,b,d,e,a", "CPU: largest first, ties by name, unknown last");
	top_sort(r, 5, TOP_C_CPU, true);
	order(r, 5, buf, sizeof(buf));
	T_EQ_STR(buf, "e,b,d,c,a", "CPU reversed: smallest first, ties still A to Z, unknown last");
	top_sort(r, 5, TOP_C_NAME, false);
	order(r, 5, buf, sizeof(buf));
	T_EQ_STR(buf, "a,b,c,d,e", "NAME: A to Z");
	top_sort(r, 5, TOP_C_PROJECT, false);
	order(r, 5, buf, sizeof(buf));
	T_EQ_STR(buf, "a,b,d,e,c", "PROJECT: none first, then by name");
}

static void t_human(void)
{
	static const struct {
		double v;
		enum top_kind k;
		const char *want;
	} tab[] = {
		{ NAN, TOP_K_BYTES, "-" },
		{ 0, TOP_K_BYTES, "0" },
		{ 1023, TOP_K_BYTES, "1023" },
		{ 1024, TOP_K_BYTES, "1.0K" },
		{ 1536, TOP_K_BRATE, "1.5K" },
		{ 10240, TOP_K_BRATE, "10K" },
		{ 268435456, TOP_K_BYTES, "256M" },
		{ 25276510208.0, TOP_K_BYTES, "24G" },
		{ 3.0 * 1024 * 1024 * 1024 * 1024, TOP_K_BYTES, "3.0T" },
		{ 49.25, TOP_K_PCT, "49.2" },
		{ 150, TOP_K_PCT, "150.0" },
		{ 7.5, TOP_K_PRATE, "7.5" },
		{ 5210, TOP_K_PRATE, "5.1K" },
		{ 12, TOP_K_COUNT, "12" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		T_EQ_STR(top_fmt_human(tab[i].v, tab[i].k, buf, sizeof(buf)), tab[i].want, "human unit");
}

static void t_cells(void)
{
	struct top_row r = mkrow("web 1\t\\x", NULL, 49.25);
	char buf[64];

	r.v[TOP_C_RX] = 5210.4;
	r.v[TOP_C_MEM] = 268435456;
	T_EQ_STR(top_fmt_cell(&r, TOP_C_NAME, buf, sizeof(buf)), "web\\x201\\x09\\x5cx",
		 "a name's space, tab and backslash as \\xNN");
	T_EQ_STR(top_fmt_cell(&r, TOP_C_PROJECT, buf, sizeof(buf)), "-", "no project: -");
	T_EQ_STR(top_fmt_cell(&r, TOP_C_CPU, buf, sizeof(buf)), "49.2", "CPU one decimal");
	T_EQ_STR(top_fmt_cell(&r, TOP_C_RX, buf, sizeof(buf)), "5210", "bytes/s whole");
	T_EQ_STR(top_fmt_cell(&r, TOP_C_MEM, buf, sizeof(buf)), "268435456", "bytes whole");
	T_EQ_STR(top_fmt_cell(&r, TOP_C_TX, buf, sizeof(buf)), "-", "unknown: -");
}

static void t_batch(void)
{
	struct top_row rows[2] = { mkrow("a", "p1", 12.5), mkrow("b b", NULL, NAN) };
	struct top_frame f = { .rows = rows, .n = 2, .interval_s = 2.0004, .host_cpu = 101.5,
			       .host = { .ncpu = 2, .mem_total = 1000, .mem_avail = 400,
					 .load1 = 0.5 },
			       .hostname = "h1", .wall_s = 0 };
	char *text = NULL;
	const char *want;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	rows[0].v[TOP_C_RX] = 100;
	top_frame_sums(&f);
	T_OK(f.sum[TOP_C_CPU] == 12.5, "sum over the known values");
	T_OK(isnan(f.sum[TOP_C_TX]), "no row knows TX: unknown sum");
	T_EQ_INT(top_write_batch(out, &f), 0, "batch frame written");
	fclose(out);
	want = "time=1970-01-01T00:00:00Z host=h1 interval=2.000 containers=2 cpus=2 host_cpu=101.5 "
		 "host_mem=600 host_mem_total=1000 load1=0.50 cpu=12.5 mem=- read=- write=-\n"
		 "NAME PROJECT CPU CPULIM MEM MEMLIM PIDS READ WRITE PSICPU PSIMEM PSIIO\n"
		 "a p1 12.5 - - - - - - - - -\n"
		 "b\\x20b - - - - - - - - - - -\n"
		 "\n";
	T_OK(strcmp(text, want) == 0, "frame without network columns");
	if (strcmp(text, want) != 0)
		printf("# got:\n%s", text);
	free(text);
	f.net = true;
	f.n = 0;
	top_frame_sums(&f);
	out = open_memstream(&text, &len);
	top_write_batch(out, &f);
	fclose(out);
	T_OK(strstr(text, " cpu=0.0 mem=0 read=0 write=0 rx=0 tx=0\nNAME PROJECT CPU CPULIM MEM MEMLIM PIDS READ WRITE RX TX RXPK TXPK PSICPU") != NULL,
	     "no containers: zero sums, network columns");
	free(text);
}

static void t_cols(void)
{
	T_EQ_INT(top_col_parse("cpu"), TOP_C_CPU, "-s cpu");
	T_EQ_INT(top_col_parse("RX"), TOP_C_RX, "-s RX");
	T_EQ_INT(top_col_parse("PsiIo"), TOP_C_PSIIO, "-s PsiIo");
	T_EQ_INT(top_col_parse("nope"), -EINVAL, "-s nope");
	for (int c = 0; c < TOP_C_MAX; c++)
		T_OK(top_col_info((enum top_col)c)->name && !strchr(top_col_info((enum top_col)c)->name, ' '),
		     "column %d has a name without spaces", c);
}

static void t_proc(void)
{
	const char *stat = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n"
			   "cpu1 50 3 25 500 10 2 1 1 0 0\nintr 1 2 3\n";
	const char *mem = "MemTotal:       24684092 kB\nMemFree:        1 kB\n"
			  "MemAvailable:   24084092 kB\n";
	uint64_t busy = 0, total = 0, mt = 0, ma = 0;
	int ncpu = 0;

	T_EQ_INT(top_parse_stat(stat, strlen(stat), &busy, &total, &ncpu), 0, "/proc/stat parsed");
	T_EQ_U64(total, 1181, "total ticks (user..steal)");
	T_EQ_U64(busy, 161, "busy: all but idle and iowait");
	T_EQ_INT(ncpu, 2, "two cpuN lines");
	T_EQ_INT(top_parse_stat("cpu 1 2 3 4\n", 12, &busy, &total, &ncpu), 0, "an old kernel's four fields");
	T_EQ_U64(busy, 6, "busy of four fields");
	T_EQ_INT(top_parse_stat("cpu x\n", 6, &busy, &total, &ncpu), -EINVAL, "garbage");
	T_EQ_INT(top_parse_stat("intr 1\n", 7, &busy, &total, &ncpu), -EINVAL, "no cpu line");
	T_EQ_INT(top_parse_stat("cpu 99999999999999999999 1 1 1\n", 31, &busy, &total, &ncpu),
		 -EOVERFLOW, "overflow");
	T_EQ_INT(top_parse_meminfo(mem, strlen(mem), &mt, &ma), 0, "/proc/meminfo parsed");
	T_EQ_U64(mt, UINT64_C(24684092) * 1024, "MemTotal in bytes");
	T_EQ_U64(ma, UINT64_C(24084092) * 1024, "MemAvailable in bytes");
	T_EQ_INT(top_parse_meminfo("MemTotal: 5 kB\n", 15, &mt, &ma), -ENOENT, "no MemAvailable");
	T_EQ_INT(top_parse_meminfo("MemTotal: x kB\nMemAvailable: 1 kB\n", 34, &mt, &ma), -EINVAL,
		 "garbage MemTotal");
}

/* what top takes from collector/config: -n's parser and the defaults */
static void t_config(void)
{
	static const struct {
		const char *s;
		int r;
		uint64_t v;
	} n[] = { { "3", 0, 3 },	     { "4294967295", 0, 4294967295u },
		  { "4294967296", -EINVAL, 0 }, { "0", -EINVAL, 0 },
		  { "-1", -EINVAL, 0 },	     { "+1", -EINVAL, 0 },
		  { " 1", -EINVAL, 0 },	     { "1x", -EINVAL, 0 },
		  { "", -EINVAL, 0 },	     { "99999999999999999999999", -EINVAL, 0 } };
	struct config *c = NULL;

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		uint64_t v = 7;
		int r = cfg_parse_count(n[i].s, &v);

		T_OK(r == n[i].r && v == (r < 0 ? 7 : n[i].v), "count \"%s\" (r %d)", n[i].s, r);
	}
	T_EQ_INT(cfg_load_defaults(&c), 0, "built-in defaults");
	T_OK(c && !c->path && strv_match(&c->include, "any") &&
		     strv_match(&c->interfaces_exclude, "lo") && c->metrics == CFG_M_ALL,
	     "defaults: every container, lo excluded, every metric, no file");
	cfg_free(c);
}

int main(void)
{
	t_config();
	t_rates();
	t_sort();
	t_human();
	t_cells();
	t_batch();
	t_cols();
	t_proc();
	return t_done();
}
