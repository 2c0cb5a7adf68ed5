/* lxcollectd: command line, start-up order, the collection loop.
 *
 * Start-up order matters: the configuration is read and the netns helper
 * forked while still privileged; then priv_drop() (the one place the
 * daemon narrows itself) and only after that is anything a container
 * controls parsed or the network touched. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "collector/collect.h"
#include "collector/config.h"
#include "collector/log.h"
#include "collector/lp.h"
#include "collector/priv.h"
#include "netns/netns.h"

#define EX_OK_ 0
#define EX_FAIL 1
#define EX_USAGE_ 64
#define EX_CONFIG_ 78

static volatile sig_atomic_t sig_term, sig_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		sig_hup = 1;
	else
		sig_term = 1;
}

struct options {
	const char *config;
	bool config_given;
	bool once;
	uint64_t count; /* 0: forever */
	uint64_t interval_s;
	bool to_stdout;
	bool test_config;
	bool verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lxcollectd [-c FILE] [--once] [--count N] [--interval SECONDS] [--stdout]\n"
		"                  [-t|--test-config] [-v|--verbose] [--version] [-h|--help]\n"
		"\n"
		"Collects CPU, memory, pids, I/O, pressure and network figures of every LXC/LXD\n"
		"container on this host and writes them to InfluxDB as line protocol.\n"
		"\n"
		"  -c FILE            configuration file (default %s)\n"
		"  --once             run one collection cycle, deliver it, exit\n"
		"  --count N          run N cycles, then exit\n"
		"  --interval SECONDS override [collector] interval (whole seconds, >= 1)\n"
		"  --stdout           write line protocol to standard output instead of InfluxDB\n"
		"  -t, --test-config  check the configuration and exit (78 when it is invalid)\n"
		"  -v, --verbose      log at debug level\n"
		"  --version          print the version and exit\n"
		"  -h, --help         this text\n",
		CFG_DEFAULT_PATH);
}

static int parse_positive(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* 0 to go on, or an exit code + 1 */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_ONCE = 256, OPT_COUNT, OPT_INTERVAL, OPT_STDOUT, OPT_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "test-config", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch;

	o->config = CFG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:tvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case OPT_COUNT:
			if (parse_positive(optarg, &o->count) < 0) {
				fprintf(stderr, "lxcollectd: --count needs a whole number >= 1, not '%s'\n", optarg);
				return EX_USAGE_ + 1;
			}
			break;
		case OPT_INTERVAL:
			if (parse_positive(optarg, &o->interval_s) < 0) {
				fprintf(stderr, "lxcollectd: --interval needs whole seconds >= 1, not '%s'\n", optarg);
				return EX_USAGE_ + 1;
			}
			break;
		case OPT_STDOUT:
			o->to_stdout = true;
			break;
		case 't':
			o->test_config = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_VERSION:
			printf("lxcollectd %s\n", LXC_VERSION);
			return EX_OK_ + 1;
		case 'h':
			usage(stdout);
			return EX_OK_ + 1;
		default:
			usage(stderr);
			return EX_USAGE_ + 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lxcollectd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE_ + 1;
	}
	if (o->once && o->count) {
		fprintf(stderr, "lxcollectd: --once and --count exclude each other\n");
		return EX_USAGE_ + 1;
	}
	if (o->once)
		o->count = 1;
	return 0;
}

static int load_config(const struct options *o, struct config **ret)
{
	struct cfg_report rep = { 0 };
	int r;

	r = cfg_load(o->config, o->config_given, ret, &rep);
	for (size_t i = 0; i < rep.warnings.n; i++)
		log_warning("%s", rep.warnings.v[i]);
	for (size_t i = 0; i < rep.errors.n; i++)
		fprintf(stderr, "%s\n", rep.errors.v[i]);
	cfg_report_free(&rep);
	if (r >= 0 && o->interval_s)
		(*ret)->interval_ms = o->interval_s * 1000;
	return r;
}

/* Many containers mean many open cgroup files and sockets: take the hard
 * limit as the soft one (the unit file sets LimitNOFILE). */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Sleep until the monotonic deadline; false when a signal asks to stop. */
static bool sleep_until(int64_t deadline_ns)
{
	struct timespec ts = { deadline_ns / 1000000000, deadline_ns % 1000000000 };

	while (!sig_term && !sig_hup) {
		int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		if (r == 0)
			return true;
		if (r != EINTR)
			return true;
	}
	return !sig_term;
}

struct daemon {
	struct options opt;
	struct config *cfg;
	struct netns_helper *helper;
	struct collector *col;
	struct lp_buf buf;
	uint64_t skipped_ticks;
};

static int run_loop(struct daemon *d)
{
	int64_t iv = (int64_t)d->cfg->interval_ms * 1000000;
	int64_t rt = clock_ns(CLOCK_REALTIME), mono = clock_ns(CLOCK_MONOTONIC);
	/* the first cycle runs at once, stamped with the current tick; the
	 * following ones on the wall-clock multiples of the interval */
	int64_t tick = rt / iv * iv;
	int64_t deadline = mono + (tick + iv - rt);
	uint64_t done = 0;
	int rc = EX_OK_;

	for (;;) {
		struct cycle_stats st;
		int r;

		lp_buf_reset(&d->buf);
		r = collector_cycle(d->col, tick, &d->buf, &st);
		if (r < 0) {
			log_error("collection failed: %s", strerror(-r));
			return EX_FAIL;
		}
		collector_write_self(d->col, tick, &st, UINT64_MAX, UINT64_MAX, UINT64_MAX, &d->buf);
		r = write_all(STDOUT_FILENO, d->buf.data, d->buf.len);
		if (r < 0) {
			log_error("writing to standard output failed: %s", strerror(-r));
			return EX_FAIL;
		}
		log_debug("cycle: %" PRIu64 " containers, %" PRIu64 " points, %" PRIu64 " us",
			  st.containers, st.points + 1, st.cycle_us);
		done++;
		if (d->opt.count && done >= d->opt.count)
			break;

		if (!sleep_until(deadline))
			break;
		if (sig_hup) {
			sig_hup = 0;
			log_info("SIGHUP: configuration reload is not supported with --stdout, ignoring");
		}
		/* never bunch: ticks missed while we were late are skipped */
		mono = clock_ns(CLOCK_MONOTONIC);
		tick += iv;
		deadline += iv;
		while (deadline <= mono) {
			d->skipped_ticks++;
			tick += iv;
			deadline += iv;
		}
		if (d->skipped_ticks)
			log_debug("%" PRIu64 " ticks skipped so far", d->skipped_ticks);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct sigaction sa = { 0 };
	int r, rc;

	r = parse_args(argc, argv, &d.opt);
	if (r)
		return r - 1;
	log_init(d.opt.verbose ? LOG_DEBUG : LOG_INFO);

	r = load_config(&d.opt, &d.cfg);
	if (d.opt.test_config) {
		if (r < 0)
			return r == -ENOMEM ? EX_FAIL : EX_CONFIG_;
		printf("configuration OK\n");
		cfg_free(d.cfg);
		return EX_OK_;
	}
	if (r < 0)
		return r == -ENOMEM ? EX_FAIL : EX_CONFIG_;
	if (!d.opt.verbose)
		log_set_level(d.cfg->log_level);
	if (!d.opt.to_stdout) {
		log_error("only --stdout output is available in this version");
		cfg_free(d.cfg);
		return EX_USAGE_;
	}

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	if (d.cfg->metrics & CFG_M_NET) {
		r = netns_helper_start(&d.helper);
		if (r < 0)
			log_warning("cannot start the network namespace helper: %s; network figures disabled",
				    strerror(-r));
	}
	/* An unprivileged run (tests over fixture trees) has nothing to drop
	 * and may not empty its bounding set: no_new_privs is all it needs. */
	if (geteuid() != 0 && !(d.cfg->user && d.cfg->user[0]))
		r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
	else
		r = priv_drop(d.cfg->user);
	if (r < 0) {
		log_error("cannot drop privileges: %s", strerror(-r));
		rc = EX_FAIL;
		goto out;
	}

	r = collector_new(d.cfg, d.helper, &d.col);
	if (r < 0) {
		rc = EX_FAIL;
		goto out;
	}
	lp_buf_init(&d.buf);
	rc = run_loop(&d);
out:
	collector_free(d.col);
	lp_buf_free(&d.buf);
	if (d.helper)
		netns_helper_stop(d.helper);
	cfg_free(d.cfg);
	return rc;
}
