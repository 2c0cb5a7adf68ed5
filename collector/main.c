/* lxcollectd: command line, start-up order, the collection loop.
 *
 * Start-up order matters: the configuration is read and the netns helper
 * forked while still privileged; then priv_drop() (the one place the
 * daemon narrows itself) and only after that is anything a container
 * controls parsed or the network touched. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector/cli.h"
#include "collector/collect.h"
#include "collector/config.h"
#include "collector/deliver.h"
#include "collector/http.h"
#include "collector/log.h"
#include "collector/lp.h"
#include "collector/notify.h"
#include "collector/preflight.h"
#include "collector/priv.h"
#include "collector/prom.h"
#include "collector/sched.h"
#include "collector/status.h"
#include "collector/top.h"
#include "netns/netns.h"
#include "util/util.h"

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
	uint64_t interval_ms; /* 0: the configuration's */
	bool to_stdout;
	bool test_delivery;
	bool test_config;
	bool print_config;
	bool verbose;
};

/* etc/lxcollectd.ini, every key with its default (Makefile) */
static const char sample_config[] =
#include "sample_config.inc"
	;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lxcollectd [-c|--config FILE] [--once] [--count N] [--interval DURATION]\n"
		"                  [--stdout] [-t|--test-config] [--test-delivery] [--print-config]\n"
		"                  [--sample-config] [-v|--verbose] [--version] [-h|--help]\n"
		"       lxcollectd top [-b] [-d SECONDS] [-n COUNT] [-s COLUMN] [-c FILE]\n"
		"\n"
		"Collects CPU, memory, pids, I/O, pressure and network figures of every LXC/LXD\n"
		"container on this host and writes them to InfluxDB as line protocol.\n"
		"\n"
		"  -c, --config FILE    configuration file (default %s;\n"
		"                       built-in defaults when that one does not exist)\n"
		"  --once               run one collection cycle, deliver it, exit\n"
		"  --count N            run N cycles, then exit\n"
		"  --interval DURATION  override [collector] interval (10, 10s, 2m: whole\n"
		"                       seconds from 1s to 24h, as in the file)\n"
		"  --stdout             write line protocol to standard output instead of InfluxDB\n"
		"  -t, --test-config    check the configuration and exit (78 when it is invalid)\n"
		"  --test-delivery      send one cycle to the configured InfluxDB, bypassing the\n"
		"                       spool, and say what the server answered (0: stored)\n"
		"  --print-config       print the effective configuration (secrets masked), exit\n"
		"  --sample-config      print a commented configuration with every key, exit\n"
		"  -v, --verbose        log at debug level\n"
		"  --version            print the version and exit\n"
		"  -h, --help           this text\n",
		CFG_DEFAULT_PATH);
}

/* -1 to go on, or the exit code */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_ONCE = 256,
		OPT_COUNT,
		OPT_INTERVAL,
		OPT_STDOUT,
		OPT_VERSION,
		OPT_PRINT_CONFIG,
		OPT_SAMPLE_CONFIG,
		OPT_TEST_DELIVERY,
	};
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "stdout", no_argument, NULL, OPT_STDOUT },
		{ "test-config", no_argument, NULL, 't' },
		{ "test-delivery", no_argument, NULL, OPT_TEST_DELIVERY },
		{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
		{ "sample-config", no_argument, NULL, OPT_SAMPLE_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct cli cli = { "lxcollectd", usage, "c:tvh", longopts };
	const char *why;
	char msg[256];
	int ch, rc;

	o->config = CFG_DEFAULT_PATH;
	while ((ch = cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case OPT_COUNT:
			rc = cli_count(&cli, "--count", optarg, &o->count);
			if (rc)
				return rc;
			break;
		case OPT_INTERVAL:
			/* what [collector] interval refuses, refused the same way
			 * (and with the file's exit code) */
			if (cfg_parse_interval_ms(optarg, &o->interval_ms, &why) < 0) {
				snprintf(msg, sizeof(msg), why, optarg);
				return cli_error(&cli, CLI_EX_CONFIG, false, "--interval: %s", msg);
			}
			break;
		case OPT_STDOUT:
			o->to_stdout = true;
			break;
		case 't':
			o->test_config = true;
			break;
		case OPT_TEST_DELIVERY:
			o->test_delivery = true;
			break;
		case OPT_PRINT_CONFIG:
			o->print_config = true;
			break;
		case OPT_SAMPLE_CONFIG:
			fputs(sample_config, stdout);
			return CLI_EX_OK;
		case 'v':
			o->verbose = true;
			break;
		case OPT_VERSION:
			printf("lxcollectd %s\n", LXCOLLECTD_VERSION);
			return CLI_EX_OK;
		case 'h':
			usage(stdout);
			return CLI_EX_OK;
		default:
			return CLI_EX_USAGE;
		}
	}
	rc = cli_no_operands(&cli, argc, argv);
	if (rc)
		return rc;
	if (o->once && o->count)
		return cli_error(&cli, CLI_EX_USAGE, false, "--once and --count exclude each other");
	if (o->test_delivery && (o->once || o->count || o->to_stdout || o->test_config || o->print_config))
		return cli_error(&cli, CLI_EX_USAGE, false,
				 "--test-delivery runs one cycle of its own: not with --once, --count, "
				 "--stdout, -t or --print-config");
	if (o->once)
		o->count = 1;
	return -1;
}

/* Whatever secret the configuration holds never reaches a log line. */
static void log_config_secrets(const struct config *c)
{
	struct strv url = { NULL, 0 };

	log_add_secret(c->password);
	log_add_secret(c->token);
	if (cfg_url_secrets(c->url, &url) == 0)
		for (size_t i = 0; i < url.n; i++)
			log_add_secret(url.v[i]);
	strv_free(&url);
}

/* Read the configuration. At start-up (and for -t) problems go to stderr
 * as plain "FILE:SECTION.KEY: message" lines; on reload they are logged. */
static int load_config(const struct options *o, bool reloading, struct config **ret)
{
	struct cfg_report rep = { 0 };
	int r;

	r = cfg_load(o->config, o->config_given, ret, &rep);
	for (size_t i = 0; i < rep.warnings.n; i++)
		log_warning("%s", rep.warnings.v[i]);
	for (size_t i = 0; i < rep.errors.n; i++) {
		if (reloading)
			log_error("%s", rep.errors.v[i]);
		else
			fprintf(stderr, "%s\n", rep.errors.v[i]);
	}
	cfg_report_free(&rep);
	if (r >= 0 && o->interval_ms)
		(*ret)->interval_ms = o->interval_ms;
	if (r >= 0)
		log_config_secrets(*ret);
	return r;
}

/* What start-up needs of the host (preflight.h), checked before anything
 * starts and by -t alike, so that both refuse the same things with the
 * same words; on reload the problems are logged instead. */
static int check_host(const struct options *o, const struct config *cfg, bool reloading)
{
	struct strv errors = { 0 };
	int r;

	/* the spool is for the daemon's own delivery only */
	r = preflight_check(cfg, !o->to_stdout && !o->test_delivery && !reloading, &errors);
	for (size_t i = 0; i < errors.n; i++) {
		if (reloading)
			log_error("%s", errors.v[i]);
		else
			fprintf(stderr, "%s\n", errors.v[i]);
	}
	strv_free(&errors);
	return r;
}

/* A start-up step failed: 78 (EX_CONFIG) unless it may heal by itself,
 * so that the unit's RestartPreventExitStatus= stops a restart loop on
 * what only the operator can fix. */
static int startup_rc(int r)
{
	return r == -ENOMEM || r == -EAGAIN || r == -EINTR ? CLI_EX_FAIL : CLI_EX_CONFIG;
}

struct daemon {
	struct options opt;
	struct config *cfg;
	struct netns_helper *helper;
	pid_t helper_pid;
	struct collector *col;
	struct deliver *dlv; /* NULL with --stdout */
	struct prom *prom;   /* NULL without [prometheus] listen */
	struct lp_buf buf;
	struct lp_buf side; /* figures for /1.0/metrics only */
	struct sched sched;
	bool ready;
	bool lost;        /* a batch could not be spooled */
	int64_t journal_info_ns; /* tick of the last cycle line at info level */
};

/* The netns helper needs CAP_SYS_ADMIN (setns into a container's network
 * namespace) and CAP_SYS_PTRACE (to be handed that namespace): name what
 * is missing and how to grant it, rather than the kernel's EPERM. */
static void start_netns_helper(struct daemon *d)
{
	const char *missing = priv_netns_missing();
	int r;

	if (missing && !(d->cfg->metrics & CFG_M_NET))
		return; /* container_state says what it lacks itself */
	if (missing) {
		log_warning("network figures disabled: reading a container's network counters needs "
			    "CAP_SYS_ADMIN and CAP_SYS_PTRACE, and this process lacks %s. Run lxcollectd "
			    "as root, or grant both: AmbientCapabilities=CAP_SYS_ADMIN CAP_SYS_PTRACE in "
			    "the systemd unit, or start it through setpriv --inh-caps "
			    "+sys_admin,+sys_ptrace --ambient-caps +sys_admin,+sys_ptrace; or leave net "
			    "out of [collector] metrics",
			    missing);
		return;
	}
	r = netns_helper_start(&d->helper);
	if (r == 0)
		d->helper_pid = netns_helper_pid(d->helper);
	if (r < 0)
		log_warning("cannot start the network namespace helper: %s; network figures disabled",
			    strerror(-r));
}

/* Sleep until the monotonic deadline, pinging the watchdog on the way.
 * Returns early on a signal. */
static void sleep_until(int64_t deadline_ns)
{
	int64_t wd = (int64_t)notify_watchdog_usec() * 1000 / 2;

	while (!sig_term && !sig_hup) {
		int64_t now = clock_ns(CLOCK_MONOTONIC), until = deadline_ns;
		struct timespec ts;

		if (now >= deadline_ns)
			return;
		if (wd > 0 && now + wd < until)
			until = now + wd;
		ts.tv_sec = until / 1000000000;
		ts.tv_nsec = until % 1000000000;
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0 && until != deadline_ns)
			notify_send("WATCHDOG=1");
	}
}

/* The helper dies only by accident: a call outside its seccomp filter
 * (SIGSYS), a bug, or someone's kill. It cannot be started again (the
 * collector holds no privileges): say so once and go on without network
 * figures. */
static void check_helper(struct daemon *d)
{
	int status = 0;

	if (!d->helper || netns_helper_exited(d->helper, &status) <= 0)
		return;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		log_error("the network namespace helper (pid %d) was killed by SIGSYS: it made a "
			  "system call outside its seccomp filter; network figures disabled until "
			  "restart", (int)d->helper_pid);
	else if (WIFSIGNALED(status))
		log_error("the network namespace helper (pid %d) was killed by signal %d (%s); "
			  "network figures disabled until restart", (int)d->helper_pid,
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_error("the network namespace helper (pid %d) exited with status %d; network "
			  "figures disabled until restart", (int)d->helper_pid, WEXITSTATUS(status));
	collector_drop_net(d->col);
	netns_helper_stop(d->helper);
	d->helper = NULL;
}

static int run_cycle(struct daemon *d)
{
	struct cycle_stats st;
	struct deliver_stats ds = { 0 };
	int64_t ts = d->sched.tick;
	int prio, r;

	check_helper(d);
	lp_buf_reset(&d->buf);
	lp_buf_reset(&d->side);
	r = collector_cycle(d->col, ts, &d->buf, &st);
	if (r < 0) {
		log_error("collection failed: %s", strerror(-r));
		return r;
	}
	if (d->dlv) {
		deliver_get_stats(d->dlv, &ds);
		collector_write_self(d->col, ts, &st, ds.spool_bytes, ds.dropped_points,
				     ds.write_errors, &d->buf);
	} else {
		collector_write_self(d->col, ts, &st, UINT64_MAX, UINT64_MAX, UINT64_MAX, &d->buf);
	}

	/* scrapes see this cycle from now on, whatever delivery does */
	if (d->prom && prom_publish(d->prom, d->buf.data, d->buf.len, d->side.data, d->side.len, ts) < 0)
		log_warning("prometheus: out of memory, scrapes see the previous cycle");

	if (!d->dlv) {
		r = write_all(STDOUT_FILENO, d->buf.data, d->buf.len);
		if (r < 0) {
			log_error("writing to standard output failed: %s", strerror(-r));
			return r;
		}
	} else {
		uint64_t pts = st.points + 1;

		r = deliver_enqueue(d->dlv, d->buf.data, d->buf.len,
				    pts > UINT32_MAX ? UINT32_MAX : (uint32_t)pts);
		if (r < 0)
			d->lost = true; /* deliver logged and counted it */
	}
	if (!d->ready) {
		notify_send("READY=1");
		d->ready = true;
	}
	notify_send("WATCHDOG=1");
	/* in the foreground a line per cycle shows it works; in the journal
	 * that would be noise, but one every few minutes shows it still does */
	prio = !log_to_journal() || status_journal_due(&d->journal_info_ns, ts) ? LOG_INFO
										   : LOG_DEBUG;
	if (log_get_level() >= prio) {
		char line[512];

		status_cycle_line(line, sizeof(line), ts, &st, d->dlv ? &ds : NULL, d->sched.skipped);
		log_msg(prio, "%s", line);
	}
	return 0;
}

/* Bind the [prometheus] listen address and read its files; a failure is
 * a configuration error, reported as "FILE:prometheus.KEY: message". */
static int start_prom(struct daemon *d)
{
	struct prom_error err;
	int r;

	r = prom_new(d->cfg, &d->prom, &err);
	if (r < 0 && r != -ENOMEM)
		fprintf(stderr, "%s:prometheus.%s: %s\n", d->cfg->path ? d->cfg->path : d->opt.config,
			err.key, err.msg);
	return r;
}

/* After privileges are dropped: start serving; scrapes see each cycle
 * from then on, and /1.0/metrics' own figures are collected. */
static int serve_prom(struct daemon *d)
{
	struct prom_error err;
	int r;

	r = prom_start(d->prom, &err);
	if (r < 0) {
		log_error("%s:prometheus.%s: %s", d->cfg->path ? d->cfg->path : d->opt.config, err.key,
			  err.msg);
		return r;
	}
	collector_set_side(d->col, &d->side);
	log_info("serving Prometheus metrics on %s%s", d->cfg->prom_listen,
		 d->cfg->prom_tls_cert ? " (TLS)" : "");
	return 0;
}

static bool str_differ(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* [prometheus] is set up once, before privileges are dropped. */
static bool prom_config_changed(const struct config *a, const struct config *b)
{
	return str_differ(a->prom_listen, b->prom_listen) ||
	       str_differ(a->prom_token, b->prom_token) ||
	       str_differ(a->prom_tls_cert, b->prom_tls_cert) ||
	       str_differ(a->prom_tls_key, b->prom_tls_key);
}

/* SIGHUP: a new configuration replaces the old one only when it is valid
 * and everything it needs could be set up; otherwise the old one stays. */
static void reload(struct daemon *d)
{
	struct config *nc = NULL;
	struct collector *ncol = NULL;
	int r;

	notify_send("RELOADING=1");
	log_info("SIGHUP: reloading %s", d->opt.config);
	r = load_config(&d->opt, true, &nc);
	if (r >= 0)
		r = check_host(&d->opt, nc, true);
	if (r < 0) {
		log_error("configuration reload refused, keeping the old configuration");
		goto done;
	}
	if (strcmp(nc->user ? nc->user : "", d->cfg->user ? d->cfg->user : "") != 0)
		log_warning("%s: collector.user takes effect only at the next start", d->opt.config);
	if (prom_config_changed(d->cfg, nc))
		log_warning("%s: [prometheus] changes take effect only at the next start", d->opt.config);
	if ((nc->metrics & CFG_M_NET) && !d->helper)
		log_warning("network metrics need a restart to be enabled");
	r = collector_new(nc, d->helper, &ncol);
	if (r < 0) {
		log_error("configuration reload refused (%s), keeping the old configuration",
			  strerror(-r));
		goto done;
	}
	if (d->dlv) {
		r = deliver_reload(d->dlv, nc);
		if (r < 0) {
			log_error("configuration reload refused (delivery: %s), keeping the old configuration",
				  strerror(-r));
			goto done;
		}
	}
	collector_free(d->col);
	cfg_free(d->cfg);
	if (d->prom)
		collector_set_side(ncol, &d->side);
	d->col = ncol;
	d->cfg = nc;
	ncol = NULL;
	nc = NULL;
	if (!d->opt.verbose)
		log_set_level(d->cfg->log_level);
	if (d->sched.iv != (int64_t)d->cfg->interval_ms * 1000000)
		sched_init(&d->sched, (int64_t)d->cfg->interval_ms * 1000000,
			   clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC));
	log_info("configuration reloaded");
done:
	collector_free(ncol);
	cfg_free(nc);
	notify_send("READY=1");
}

static int run_loop(struct daemon *d)
{
	uint64_t done = 0;

	sched_init(&d->sched, (int64_t)d->cfg->interval_ms * 1000000, clock_ns(CLOCK_REALTIME),
		   clock_ns(CLOCK_MONOTONIC));
	for (;;) {
		uint64_t skipped;

		if (run_cycle(d) < 0)
			return CLI_EX_FAIL;
		done++;
		if (d->opt.count && done >= d->opt.count)
			break;
		sleep_until(d->sched.deadline);
		if (sig_term)
			break;
		if (sig_hup) {
			sig_hup = 0;
			reload(d);
			/* the tick we were waiting for may not have come yet */
			if (clock_ns(CLOCK_MONOTONIC) < d->sched.deadline) {
				sleep_until(d->sched.deadline);
				if (sig_term)
					break;
				if (sig_hup)
					continue;
			}
		}
		skipped = sched_advance(&d->sched, clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC));
		if (skipped)
			log_warning("%" PRIu64 " collection ticks skipped (the host stalled or a cycle overran)",
				    skipped);
	}
	return CLI_EX_OK;
}

/* Delivery at the end: --once/--count wait until the batches are
 * delivered or known to be spooled; SIGTERM tries for a short while. All
 * that is left stays in the spool for the next start. */
static int finish_delivery(struct daemon *d)
{
	struct deliver_stats ds;
	uint64_t budget = d->cfg->timeout_ms < 5000 ? d->cfg->timeout_ms : 5000;

	notify_send("STOPPING=1");
	if (sig_term) {
		if (deliver_flush(d->dlv, budget) != 1) {
			deliver_get_stats(d->dlv, &ds);
			log_info("stopping with %" PRIu64 " batches (%" PRIu64 " bytes) in the spool",
				 ds.spool_batches, ds.spool_bytes);
		}
		return CLI_EX_OK;
	}
	deliver_wait_idle(d->dlv, d->cfg->timeout_ms + budget);
	deliver_get_stats(d->dlv, &ds);
	if (ds.spool_batches)
		log_info("%" PRIu64 " batches (%" PRIu64 " bytes) left in the spool for the next start",
			 ds.spool_batches, ds.spool_bytes);
	if (d->lost || ds.dropped_points || ds.rejected_points)
		return CLI_EX_FAIL;
	return CLI_EX_OK;
}

/* --test-delivery: one cycle POSTed straight to the configured output,
 * the answer awaited and shown. The spool is never opened: nothing is
 * queued, replayed or left behind, so nothing is lost or sent twice. */
static int test_delivery(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	struct cycle_stats st;
	struct http *h = NULL;
	char err[HTTP_ERR_MAX], why[HTTP_WHY_MAX];
	void *z = NULL;
	size_t zlen = 0;
	int r;

	r = collector_cycle(d->col, d->sched.tick, &d->buf, &st);
	if (r < 0) {
		log_error("collection failed: %s", strerror(-r));
		return CLI_EX_FAIL;
	}
	collector_write_self(d->col, d->sched.tick, &st, UINT64_MAX, UINT64_MAX, UINT64_MAX, &d->buf);
	if (http_global_init() < 0 || (cfg->gzip && http_gzip(d->buf.data, d->buf.len, &z, &zlen) < 0))
		return CLI_EX_FAIL;
	r = http_new(cfg, &h);
	if (r < 0) {
		free(z);
		log_error("[influxdb]: cannot set up writes: %s", strerror(-r));
		return startup_rc(r);
	}
	printf("test delivery: %" PRIu64 " points (%" PRIu64 " containers, %zu bytes%s) to %s\n",
	       st.points + 1, st.containers, d->buf.len, z ? ", gzip" : "", http_url(h));
	if (cfg->api == CFG_API_V2)
		printf("  InfluxDB 2 API: org \"%s\", bucket \"%s\"\n", cfg->org, cfg->bucket);
	else
		printf("  InfluxDB 1 API: database \"%s\", retention policy %s%s%s\n", cfg->database,
		       cfg->retention_policy ? "\"" : "", cfg->retention_policy ? cfg->retention_policy :
		       "(the database's default)", cfg->retention_policy ? "\"" : "");
	fflush(stdout);
	r = http_post(h, z ? z : d->buf.data, z ? zlen : d->buf.len, z != NULL, err);
	free(z);
	if (r >= 200 && r < 300) {
		printf("  the server answered HTTP %d: the points are stored\n", r);
		http_free(h);
		return CLI_EX_OK;
	}
	http_explain(h, r, err, why, sizeof(why));
	http_free(h);
	printf("  %s: %s\n", r < 0 ? "no answer" : "the server refused the points", why);
	fprintf(stderr, "lxcollectd: test delivery failed: %s\n", why);
	return r < 0 ? CLI_EX_UNAVAILABLE : CLI_EX_FAIL;
}

int main(int argc, char **argv)
{
	struct daemon d = { 0 };
	struct sigaction sa = { 0 };
	int r, rc;

	/* the netns helper is this program run again: it must not read a
	 * configuration, so it branches off before anything else */
	netns_helper_exec_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return top_main(argc - 1, argv + 1);
	r = parse_args(argc, argv, &d.opt);
	if (r >= 0)
		return r;
	log_init(d.opt.verbose ? LOG_DEBUG : LOG_INFO);
	notify_init();

	r = load_config(&d.opt, false, &d.cfg);
	if (d.opt.print_config && r >= 0) {
		r = cfg_print(d.cfg, stdout);
		cfg_free(d.cfg);
		return r < 0 || fflush(stdout) ? CLI_EX_FAIL : CLI_EX_OK;
	}
	if (r >= 0) {
		r = check_host(&d.opt, d.cfg, false);
		if (r < 0) {
			cfg_free(d.cfg);
			d.cfg = NULL;
		}
	}
	if (r >= 0 && d.cfg->prom_listen) {
		/* privileged, before any thread: bind (a port below 1024 needs
		 * it) and read the TLS files; also what -t checks */
		r = start_prom(&d);
		if (d.opt.test_config) {
			prom_free(d.prom);
			d.prom = NULL;
		}
	}
	if (d.opt.test_config || d.opt.print_config) {
		if (r < 0) {
			cfg_free(d.cfg);
			return r == -ENOMEM ? CLI_EX_FAIL : CLI_EX_CONFIG;
		}
		printf("configuration OK\n");
		cfg_free(d.cfg);
		return CLI_EX_OK;
	}
	if (r < 0) {
		prom_free(d.prom);
		cfg_free(d.cfg);
		return r == -ENOMEM ? CLI_EX_FAIL : CLI_EX_CONFIG;
	}
	if (!d.opt.verbose)
		log_set_level(d.cfg->log_level);

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	collector_raise_nofile();

	/* container_state: the helper also lists LXC's and LXD's directories */
	if (d.cfg->metrics & (CFG_M_NET | CFG_M_STATE))
		start_netns_helper(&d);
	/* also when not root: a non-root start may hold ambient capabilities
	 * (see README "Running without root"); priv_drop() copes without
	 * CAP_SETPCAP */
	r = priv_drop(d.cfg->user);
	if (r < 0) {
		log_error("cannot drop privileges: %s", strerror(-r));
		rc = startup_rc(r);
		goto out;
	}

	r = collector_new(d.cfg, d.helper, &d.col);
	if (r < 0) {
		rc = startup_rc(r);
		goto out;
	}
	if (d.opt.test_delivery) {
		lp_buf_init(&d.buf);
		sched_init(&d.sched, (int64_t)d.cfg->interval_ms * 1000000, clock_ns(CLOCK_REALTIME),
			   clock_ns(CLOCK_MONOTONIC));
		rc = test_delivery(&d);
		goto out;
	}
	if (d.prom && serve_prom(&d) < 0) {
		rc = CLI_EX_CONFIG;
		goto out;
	}
	if (!d.opt.to_stdout) {
		r = deliver_new(d.cfg, &d.dlv);
		if (r < 0) {
			rc = startup_rc(r);
			goto out;
		}
	}
	lp_buf_init(&d.buf);
	{
		char line[1024];

		status_start_line(line, sizeof(line), d.cfg, d.opt.to_stdout);
		log_info("%s", line);
	}
	rc = run_loop(&d);
	if (d.dlv) {
		int frc = finish_delivery(&d);

		if (rc == CLI_EX_OK)
			rc = frc;
	}
out:
	prom_free(d.prom); /* first: its thread reads nothing of the rest */
	if (d.dlv)
		deliver_free(d.dlv);
	collector_free(d.col);
	lp_buf_free(&d.buf);
	lp_buf_free(&d.side);
	if (d.helper)
		netns_helper_stop(d.helper);
	cfg_free(d.cfg);
	return rc;
}
