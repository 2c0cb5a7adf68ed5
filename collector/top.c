/* top: `lxcollectd top`: the command line, the set-up the daemon does
 * (netns helper while privileged, then priv_drop()), one collector cycle
 * per frame handed to us container by container (collector_visit()), and
 * the rates between two frames. No InfluxDB, no spool: frames go to the
 * terminal (top_ui.c) or as text to standard output (-b). */
#include "collector/top.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "collector/cli.h"
#include "collector/collect.h"
#include "collector/config.h"
#include "collector/log.h"
#include "collector/priv.h"
#include "netns/netns.h"
#include "util/util.h"


struct top_opts {
	uint64_t interval_ms;
	uint64_t count; /* frames, 0: until q or a signal */
	bool batch;
	int sort;
	const char *config; /* NULL: built-in defaults */
};

struct top {
	struct top_opts o;
	struct config *cfg;
	struct netns_helper *helper;
	struct collector *col;
	bool net;
	/* the last sample, in the collector's (cgroup path) order, and the
	 * one being made; cursor walks rows while the collector visits */
	struct top_row *rows, *next, *view;
	size_t n, nnext, cap, cursor;
	struct top_host host;
	bool host_ok;
};

static volatile sig_atomic_t sig_stop;

static void on_signal(int sig)
{
	(void)sig;
	sig_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lxcollectd top [-b] [-d SECONDS] [-n COUNT] [-s COLUMN] [-c FILE]\n"
		"\n"
		"A live view of every container: CPU, memory, pids, disk and network rates,\n"
		"pressure. Keys: q quits, < and > (or the arrows) move the sort column,\n"
		"I inverts it, c m n p d w r t sort by CPU MEM NAME PIDS READ WRITE RX TX.\n"
		"\n"
		"  -b            text frames for scripts and logs (also when not on a terminal)\n"
		"  -d SECONDS    between frames (default 2; fractions allowed, >= 0.1)\n"
		"  -n COUNT      stop after COUNT frames\n"
		"  -s COLUMN     sort by COLUMN (default CPU): NAME PROJECT CPU CPULIM MEM MEMLIM\n"
		"                PIDS READ WRITE RX TX RXPK TXPK PSICPU PSIMEM PSIIO\n"
		"  -c FILE       take [collector] settings (include, exclude, metrics, ...)\n"
		"                from FILE instead of the built-in defaults\n");
}

/* "2", "0.5", "1.25": whole milliseconds, 100 ms to 24 h */
static int parse_seconds(const char *s, uint64_t *ret_ms)
{
	uint64_t ms = 0, scale = 1000;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		ms = ms * 10 + (uint64_t)(*p - '0') * 1000;
		if (ms > 86400000)
			return -ERANGE;
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if ((scale /= 10) > 0)
				ms += (uint64_t)(*p - '0') * scale;
	if (*p || ms < 100 || ms > 86400000)
		return -EINVAL;
	*ret_ms = ms;
	return 0;
}

/* -1 to go on, or the exit code */
static int parse_opts(int argc, char **argv, struct top_opts *o)
{
	static const struct option none[] = { { 0 } };
	static const struct cli cli = { "lxcollectd top", usage, "bd:n:s:c:h", none };
	int ch, rc;

	*o = (struct top_opts){ .interval_ms = 2000, .sort = TOP_C_CPU };
	optind = 1;
	while ((ch = cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'b':
			o->batch = true;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->interval_ms) < 0)
				return cli_error(&cli, CLI_EX_USAGE, false,
						 "-d needs seconds from 0.1 to 86400, not '%s'", optarg);
			break;
		case 'n':
			rc = cli_count(&cli, "-n", optarg, &o->count);
			if (rc)
				return rc;
			break;
		case 's':
			o->sort = top_col_parse(optarg);
			if (o->sort < 0) /* the usage text lists the columns */
				return cli_error(&cli, CLI_EX_USAGE, true, "-s: no column '%s'", optarg);
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_EX_OK;
		default:
			return CLI_EX_USAGE;
		}
	}
	rc = cli_no_operands(&cli, argc, argv);
	return rc ? rc : -1;
}

static void row_free(struct top_row *r)
{
	free(r->relpath);
	free(r->name);
	free(r->project);
	r->relpath = r->name = r->project = NULL;
}

static double cg_num(const struct cg_stats *s, enum cg_field f)
{
	if (!cg_has(s, f))
		return NAN;
	return cg_field_is_double(f) ? s->v[f].d : (double)s->v[f].u;
}

static void raw_set(struct top_raw *raw, enum top_raw_field f, uint64_t v)
{
	raw->present |= UINT64_C(1) << f;
	raw->v[f] = v;
}

/* The counters of one sample: CPU and disk from the cgroup, the network
 * summed over the container's interfaces (those [collector]
 * interfaces_exclude leaves, by default all but lo). */
static void raw_fill(const struct top *t, const struct ct_sample *s, struct top_raw *raw)
{
	static const struct {
		enum cg_field cg;
		enum top_raw_field f;
	} map[] = { { CG_CPU_USAGE_NS, TOP_R_CPU_NS },
		    { CG_IO_READ_BYTES, TOP_R_READ },
		    { CG_IO_WRITE_BYTES, TOP_R_WRITE } };
	uint64_t sum[4] = { 0 };

	raw->t_ns = clock_ns(CLOCK_MONOTONIC);
	raw->present = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cg_has(s->cg, map[i].cg))
			raw_set(raw, map[i].f, s->cg->v[map[i].cg].u);
	if (!s->has_net)
		return;
	for (size_t i = 0; i < s->nlinks; i++) {
		const struct netns_link *l = &s->links[i];

		if (strv_match(&t->cfg->interfaces_exclude, l->name))
			continue;
		sum[0] += l->rx_bytes;
		sum[1] += l->tx_bytes;
		sum[2] += l->rx_packets;
		sum[3] += l->tx_packets;
	}
	raw_set(raw, TOP_R_RX, sum[0]);
	raw_set(raw, TOP_R_TX, sum[1]);
	raw_set(raw, TOP_R_RXPK, sum[2]);
	raw_set(raw, TOP_R_TXPK, sum[3]);
}

static void row_values(const struct ct_sample *s, const struct top_row *prev, struct top_row *r)
{
	double lim = cg_num(s->cg, CG_CPU_LIMIT_CPUS);

	top_rates(prev ? &prev->raw : NULL, &r->raw, r->v);
	r->v[TOP_C_CPULIM] = lim > 0 ? r->v[TOP_C_CPU] / lim : NAN;
	r->v[TOP_C_MEM] = cg_has(s->cg, CG_MEM_WORKING_SET) ? cg_num(s->cg, CG_MEM_WORKING_SET)
							    : cg_num(s->cg, CG_MEM_USAGE);
	r->v[TOP_C_MEMLIM] = cg_num(s->cg, CG_MEM_LIMIT);
	r->v[TOP_C_PIDS] = cg_num(s->cg, CG_PIDS_CURRENT);
	r->v[TOP_C_PSICPU] = cg_num(s->cg, CG_PSI_FIELD(CG_PSI_CPU, CG_PSI_SOME_AVG10));
	r->v[TOP_C_PSIMEM] = cg_num(s->cg, CG_PSI_FIELD(CG_PSI_MEMORY, CG_PSI_SOME_AVG10));
	r->v[TOP_C_PSIIO] = cg_num(s->cg, CG_PSI_FIELD(CG_PSI_IO, CG_PSI_SOME_AVG10));
	r->v[TOP_C_NAME] = r->v[TOP_C_PROJECT] = NAN;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

/* collector_visit() callback: containers come in cgroup path order, as the
 * previous sample's rows are, so the row of the same container is found
 * by walking both in step. */
static int visit(void *ud, const struct ct_sample *s)
{
	struct top *t = ud;
	struct top_row *prev = NULL, *r;

	while (t->cursor < t->n && strcmp(t->rows[t->cursor].relpath, s->relpath) < 0)
		row_free(&t->rows[t->cursor++]);
	if (t->cursor < t->n && strcmp(t->rows[t->cursor].relpath, s->relpath) == 0)
		prev = &t->rows[t->cursor++];
	if (t->nnext == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct top_row *a = realloc(t->next, cap * sizeof(*a));
		struct top_row *b = realloc(t->rows, cap * sizeof(*b));

		if (a)
			t->next = a;
		if (b)
			t->rows = b;
		if (!a || !b)
			return -ENOMEM;
		t->cap = cap;
		if (prev) /* rows moved */
			prev = &t->rows[t->cursor - 1];
	}
	r = &t->next[t->nnext];
	memset(r, 0, sizeof(*r));
	if (prev) {
		r->relpath = prev->relpath;
		r->name = prev->name;
		r->project = prev->project;
		prev->relpath = prev->name = prev->project = NULL;
	} else {
		bool oom = false;

		r->relpath = dup_or_null(s->relpath, &oom);
		r->name = dup_or_null(s->name, &oom);
		r->project = dup_or_null(s->project, &oom);
		if (oom) {
			row_free(r);
			return -ENOMEM;
		}
	}
	t->nnext++;
	raw_fill(t, s, &r->raw);
	row_values(s, prev, r);
	return 0;
}

static int sample(struct top *t)
{
	struct cycle_stats st;
	struct top_row *swap;
	int r;

	t->cursor = 0;
	t->nnext = 0;
	r = collector_visit(t->col, visit, t, &st);
	while (t->cursor < t->n)
		row_free(&t->rows[t->cursor++]);
	if (r < 0) {
		for (size_t i = 0; i < t->nnext; i++)
			row_free(&t->next[i]);
		t->n = 0;
		return r;
	}
	swap = t->rows;
	t->rows = t->next;
	t->next = swap;
	t->n = t->nnext;
	return 0;
}

static int read_small(const struct top *t, const char *name, char *buf, size_t size)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->cfg->proc_root, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* The host's CPU (% of one CPU since the last call), memory and load. */
static void host_read(struct top *t, struct top_frame *f)
{
	char buf[16384];
	struct top_host h = { .ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN) };
	int n;
	bool ok = false;

	f->host_cpu = NAN;
	h.load1 = NAN;
	n = read_small(t, "stat", buf, sizeof(buf));
	if (n > 0 && top_parse_stat(buf, (size_t)n, &h.cpu_busy, &h.cpu_total, &h.ncpu) == 0) {
		ok = true;
		if (t->host_ok && h.cpu_total > t->host.cpu_total && h.cpu_busy >= t->host.cpu_busy)
			f->host_cpu = 100.0 * h.ncpu * (double)(h.cpu_busy - t->host.cpu_busy) /
				      (double)(h.cpu_total - t->host.cpu_total);
	}
	n = read_small(t, "meminfo", buf, sizeof(buf));
	if (n <= 0 || top_parse_meminfo(buf, (size_t)n, &h.mem_total, &h.mem_avail) < 0)
		h.mem_total = h.mem_avail = 0;
	n = read_small(t, "loadavg", buf, sizeof(buf));
	if (n > 0)
		h.load1 = strtod(buf, NULL);
	f->host = h;
	t->host = h;
	t->host_ok = ok;
}

static int make_frame(struct top *t, struct top_frame *f, double interval_s)
{
	if (t->n) {
		struct top_row *v = realloc(t->view, t->n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->view = v;
		memcpy(v, t->rows, t->n * sizeof(*v));
	}
	*f = (struct top_frame){ .rows = t->view, .n = t->n, .interval_s = interval_s,
				 .net = t->net, .hostname = t->cfg->hostname,
				 .wall_s = (int64_t)time(NULL) };
	host_read(t, f);
	top_frame_sums(f);
	return 0;
}

/* the last message of the collector, for the status line */
static char ui_note[256];

static void ui_log(int prio, const char *msg)
{
	if (prio <= LOG_WARNING)
		snprintf(ui_note, sizeof(ui_note), "%s", msg);
}

/* Sleep until DEADLINE; false when a signal asks to stop. */
static bool batch_wait(int64_t deadline)
{
	struct timespec ts = { deadline / 1000000000, deadline % 1000000000 };

	while (!sig_stop)
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0)
			return true;
	return false;
}

static int run(struct top *t, bool screen)
{
	struct top_view view = { .sort = (enum top_col)t->o.sort };
	struct top_frame f;
	int64_t iv = (int64_t)t->o.interval_ms * 1000000, last, next;
	uint64_t frames = 0;
	bool have = false;
	int r;

	if (screen && !t->net)
		snprintf(ui_note, sizeof(ui_note), "%s", "no network columns (needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE)");
	last = clock_ns(CLOCK_MONOTONIC);
	r = sample(t);
	if (r < 0)
		return r;
	host_read(t, &f);
	next = last + iv;
	for (;;) {
		if (screen) {
			view.note = ui_note[0] ? ui_note : NULL;
			if (!have)
				top_ui_draw(NULL, &view, (double)iv / 1e9);
			while (!sig_stop && clock_ns(CLOCK_MONOTONIC) < next) {
				int k = top_ui_key(next), a;

				if (k == -1) /* the deadline */
					continue;
				a = top_ui_apply(&view, k, t->net);
				if (a < 0)
					return 0;
				if (a > 0 || k == TOP_KEY_RESIZE) {
					if (have)
						top_sort(f.rows, f.n, view.sort, view.reverse);
					top_ui_draw(have ? &f : NULL, &view, (double)iv / 1e9);
				}
			}
			if (sig_stop)
				return 0;
		} else if (!batch_wait(next)) {
			return 0;
		}
		r = sample(t);
		if (r < 0)
			return r;
		r = make_frame(t, &f, (double)(clock_ns(CLOCK_MONOTONIC) - last) / 1e9);
		if (r < 0)
			return r;
		last = clock_ns(CLOCK_MONOTONIC);
		have = true;
		top_sort(f.rows, f.n, view.sort, view.reverse);
		if (screen) {
			view.note = ui_note[0] ? ui_note : NULL;
			top_ui_draw(&f, &view, (double)iv / 1e9);
		} else if (top_write_batch(stdout, &f) < 0) {
			return errno == EPIPE ? 0 : -EIO;
		}
		if (t->o.count && ++frames >= t->o.count)
			return 0;
		next += iv;
		while (next <= clock_ns(CLOCK_MONOTONIC)) /* a slow cycle: skip the missed ticks */
			next += iv;
	}
}

static int setup(struct top *t)
{
	struct cfg_report rep = { 0 };
	int r;

	if (t->o.config)
		r = cfg_load(t->o.config, true, &t->cfg, &rep);
	else
		r = cfg_load_defaults(&t->cfg);
	for (size_t i = 0; i < rep.errors.n; i++)
		fprintf(stderr, "%s\n", rep.errors.v[i]);
	cfg_report_free(&rep);
	if (r < 0)
		return r == -ENOMEM ? CLI_EX_FAIL : CLI_EX_CONFIG;
	collector_raise_nofile();
	if (t->cfg->metrics & CFG_M_NET) {
		r = netns_helper_start(&t->helper);
		if (r < 0) {
			t->helper = NULL;
			if (t->o.batch)
				fprintf(stderr, "lxcollectd top: no network columns: the network namespace helper needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE (%s)\n",
					strerror(-r));
		}
	} else if (t->o.batch) {
		fprintf(stderr, "lxcollectd top: no network columns: network metrics are off in %s\n",
			t->cfg->path);
	}
	/* as the daemon: nothing a container controls is read with privileges */
	r = priv_drop(NULL);
	if (r < 0) {
		fprintf(stderr, "lxcollectd top: cannot drop privileges: %s\n", strerror(-r));
		return CLI_EX_FAIL;
	}
	r = collector_new(t->cfg, t->helper, &t->col);
	if (r < 0)
		return CLI_EX_FAIL;
	t->net = t->helper != NULL;
	return 0;
}

int top_main(int argc, char **argv)
{
	struct top t = { 0 };
	struct sigaction sa = { 0 };
	bool screen;
	int rc, r;

	rc = parse_opts(argc, argv, &t.o);
	if (rc >= 0)
		return rc;
	screen = !t.o.batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	t.o.batch = !screen;
	log_init(LOG_WARNING);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = setup(&t);
	if (rc == 0) {
		if (screen) {
			log_set_sink(ui_log);
			r = top_ui_start();
			if (r < 0) {
				log_set_sink(NULL);
				fprintf(stderr, "lxcollectd top: cannot use the terminal (%s); try -b\n",
					strerror(-r));
				rc = CLI_EX_FAIL;
			}
		}
		if (rc == 0) {
			r = run(&t, screen);
			if (screen)
				top_ui_end();
			log_set_sink(NULL);
			if (r < 0) {
				fprintf(stderr, "lxcollectd top: %s\n", strerror(-r));
				rc = CLI_EX_FAIL;
			}
		}
	}
	for (size_t i = 0; i < t.n; i++)
		row_free(&t.rows[i]);
	free(t.rows);
	free(t.next);
	free(t.view);
	collector_free(t.col);
	if (t.helper)
		netns_helper_stop(t.helper);
	cfg_free(t.cfg);
	return rc;
}
