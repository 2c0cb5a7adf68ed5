/* config_test: the value parsers, the defaults, a full valid file, the
 * example file, and every error path of cfg_load(), with the exact
 * "FILE:SECTION.KEY: message" lines. Files are written to a temporary
 * directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "collector/config.h"
#include "tests/testing.h"

/* what every refused size says after the value */
#define SIZE_UNITS \
	": a whole number of bytes, or with a unit KiB, MiB, GiB or TiB (powers of 1024; KB " \
	"and MB are refused as ambiguous), e.g. 64KiB, 256MiB"

static char dir[256];
static char path[700];
static int nfile;

/* Write CONTENT to a new file in dir with MODE; returns its path. */
static const char *put(const char *content, mode_t mode)
{
	static char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/f%d", dir, nfile++);
	f = fopen(p, "w");
	if (!f)
		return NULL;
	fputs(content, f);
	fclose(f);
	chmod(p, mode);
	return p;
}

static struct config *cfg;
static struct cfg_report rep;

/* Load CONTENT as a config file; path is left in `path`. */
static int load(const char *content)
{
	snprintf(path, sizeof(path), "%s", put(content, 0600));
	cfg_free(cfg);
	cfg = NULL;
	cfg_report_free(&rep);
	return cfg_load(path, true, &cfg, &rep);
}

/* Is "PATH:" + WANT among the errors (or warnings)? */
static bool has(const struct strv *v, const char *want)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s:%s", path, want);
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], full))
			return true;
	return false;
}

static void dump(const struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		printf("#   %s\n", v->v[i]);
}

/* One bad value: cfg_load fails with exactly this one error. */
static void bad(const char *content, const char *want)
{
	int r = load(content);

	T_OK(r == -EINVAL && rep.errors.n == 1 && has(&rep.errors, want), "error \"%s\"", want);
	if (!(r == -EINVAL && rep.errors.n == 1 && has(&rep.errors, want)))
		dump(&rep.errors);
}

static void test_parsers(void)
{
	static const struct {
		const char *s;
		int r;
		uint64_t ms;
	} d[] = {
		{ "10", 0, 10000 },	  { "10s", 0, 10000 },	   { "500ms", 0, 500 },
		{ "2m", 0, 120000 },	  { "1h", 0, 3600000 },	   { "042", 0, 42000 },
		{ "0", 0, 0 },		  { "", -EINVAL, 0 },	   { "s", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },	  { "+1", -EINVAL, 0 },	   { " 1", -EINVAL, 0 },
		{ "1 s", -EINVAL, 0 },	  { "1.5s", -EINVAL, 0 },  { "10x", -EINVAL, 0 },
		{ "1S", -EINVAL, 0 },	  { "0x10", -EINVAL, 0 },  { "1d", -EINVAL, 0 },
		{ "18446744073709551615ms", 0, UINT64_MAX },
		{ "18446744073709551616ms", -ERANGE, 0 },
		{ "18446744073709551615s", -ERANGE, 0 },
	};
	static const struct {
		const char *s;
		int r;
		uint64_t n;
	} z[] = {
		{ "1048576", 0, 1048576 },
		{ "64KiB", 0, 65536 },
		{ "256MiB", 0, 268435456 },
		{ "1GiB", 0, 1073741824 },
		{ "2TiB", 0, UINT64_C(2) << 40 },
		{ "4K", 0, 4096 },
		{ "3M", 0, 3 << 20 },
		{ "1G", 0, 1 << 30 },
		{ "100B", 0, 100 },
		{ "64KB", -EINVAL, 0 },
		{ "64kib", -EINVAL, 0 },
		{ "1.5GiB", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "MiB", -EINVAL, 0 },
		{ "1 MiB", -EINVAL, 0 },
		{ "16777216TiB", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
	};
	static const struct {
		const char *s;
		int r;
		bool v;
	} b[] = {
		{ "true", 0, true },  { "yes", 0, true },    { "on", 0, true },	   { "1", 0, true },
		{ "TRUE", 0, true },  { "false", 0, false }, { "no", 0, false },   { "off", 0, false },
		{ "0", 0, false },    { "Off", 0, false },   { "", -EINVAL, 0 },   { "2", -EINVAL, 0 },
		{ "maybe", -EINVAL, 0 }, { "truex", -EINVAL, 0 },
	};
	char what[128];

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		uint64_t ms = 12345;
		int r = cfg_parse_duration_ms(d[i].s, &ms);

		snprintf(what, sizeof(what), "duration \"%s\"", d[i].s);
		T_OK(r == d[i].r && (r < 0 || ms == d[i].ms), "%s (r %d, %" PRIu64 "ms)", what, r, ms);
	}
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		uint64_t n = 12345;
		int r = cfg_parse_size(z[i].s, &n);

		snprintf(what, sizeof(what), "size \"%s\"", z[i].s);
		T_OK(r == z[i].r && (r < 0 || n == z[i].n), "%s (r %d, %" PRIu64 ")", what, r, n);
	}
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		bool v = !b[i].v;
		int r = cfg_parse_bool(b[i].s, &v);

		T_OK(r == b[i].r && (r < 0 || v == b[i].v), "bool \"%s\" (r %d)", b[i].s, r);
	}

	struct strv l;
	T_EQ_INT(cfg_parse_list("  a , b*,,  ,c d ,", &l), 0, "list parses");
	T_EQ_U64(l.n, 3, "list: empty items dropped");
	T_EQ_STR(l.v[0], "a", "list item 0 trimmed");
	T_EQ_STR(l.v[1], "b*", "list item 1");
	T_EQ_STR(l.v[2], "c d", "list item 2 keeps inner space");
	T_OK(l.v[3] == NULL, "list is NULL-terminated");
	T_OK(strv_match(&l, "bingo") && strv_match(&l, "a") && !strv_match(&l, "ab") &&
		     !strv_match(&l, "c"),
	     "strv_match globs");
	strv_free(&l);
	T_EQ_INT(cfg_parse_list("", &l), 0, "empty list parses");
	T_OK(l.n == 0 && !strv_match(&l, "x"), "empty list matches nothing");
	strv_free(&l);
	T_EQ_INT(cfg_parse_list(" , ,", &l), 0, "list of blanks parses");
	T_EQ_U64(l.n, 0, "list of blanks is empty");
	strv_free(&l);
}

static void test_defaults(void)
{
	char host[256] = "";
	char missing[600];
	int r;

	snprintf(missing, sizeof(missing), "%s/does-not-exist.ini", dir);
	gethostname(host, sizeof(host) - 1);
	cfg_report_free(&rep);
	r = cfg_load(missing, false, &cfg, &rep);
	T_EQ_INT(r, 0, "missing default file: built-in defaults");
	if (r < 0)
		return;
	T_OK(cfg->path == NULL, "defaults have no path");
	T_EQ_U64(cfg->interval_ms, 10000, "default interval");
	T_EQ_STR(cfg->hostname, host, "default hostname is gethostname()");
	T_EQ_STR(cfg->cgroup_root, "/sys/fs/cgroup", "default cgroup_root");
	T_EQ_STR(cfg->proc_root, "/proc", "default proc_root");
	T_OK(cfg->include.n == 1 && !strcmp(cfg->include.v[0], "*"), "default include *");
	T_EQ_U64(cfg->exclude.n, 0, "default exclude empty");
	T_OK(cfg->interfaces_exclude.n == 1 && !strcmp(cfg->interfaces_exclude.v[0], "lo"),
	     "default interfaces_exclude lo");
	T_OK(cfg->lxc_path.n == 1 && !strcmp(cfg->lxc_path.v[0], "/var/lib/lxc"),
	     "default lxc_path /var/lib/lxc");
	T_OK(cfg->lxd_path.n == 2 && !strcmp(cfg->lxd_path.v[0], "/var/lib/lxd/containers") &&
		     !strcmp(cfg->lxd_path.v[1], "/var/snap/lxd/common/lxd/containers"),
	     "default lxd_path: the deb's and the snap's");
	T_EQ_INT(cfg->metrics, CFG_M_ALL, "default metrics: all");
	T_EQ_INT(cfg->schema, CFG_SCHEMA_DEFAULT, "default schema");
	T_OK(cfg->user == NULL, "default user unset");
	T_EQ_STR(cfg->url, "http://127.0.0.1:8086", "default url");
	T_EQ_INT(cfg->api, CFG_API_V1, "default api");
	T_EQ_STR(cfg->database, "lxd", "default database");
	T_OK(!cfg->retention_policy && !cfg->username && !cfg->password && !cfg->org &&
		     !cfg->bucket && !cfg->token && !cfg->ca_file,
	     "default optional strings unset");
	T_OK(cfg->gzip && cfg->tls_verify, "default gzip and tls_verify true");
	T_EQ_U64(cfg->timeout_ms, 5000, "default timeout");
	T_EQ_STR(cfg->spool_dir, "/var/lib/lxcollectd/spool", "default spool dir");
	T_EQ_U64(cfg->spool_max_size, UINT64_C(256) << 20, "default spool max_size");
	T_EQ_INT(cfg->log_level, LOG_INFO, "default log level");
	T_EQ_U64(rep.errors.n + rep.warnings.n, 0, "defaults: no messages");
	cfg_free(cfg);
	cfg = NULL;

	cfg_report_free(&rep);
	r = cfg_load(missing, true, &cfg, &rep);
	T_EQ_INT(r, -EINVAL, "missing named file is an error");
	snprintf(path, sizeof(path), "%s", missing);
	T_OK(has(&rep.errors, " cannot open: No such file or directory"), "missing file message");
	T_OK(cfg == NULL, "no config on error");

	cfg_report_free(&rep);
	r = cfg_load(dir, true, &cfg, &rep);
	snprintf(path, sizeof(path), "%s", dir);
	T_OK(r == -EINVAL && has(&rep.errors, " not a regular file"), "a directory is refused");

	cfg_report_free(&rep);
	T_EQ_INT(cfg_load("etc/lxcollectd.ini", true, &cfg, &rep), 0,
		 "etc/lxcollectd.ini is valid");
	dump(&rep.errors);
	T_OK(cfg && cfg->interval_ms == 10000 && cfg->metrics == CFG_M_ALL &&
		     cfg->spool_max_size == UINT64_C(256) << 20 && !cfg->user && !cfg->password &&
		     cfg->exclude.n == 0 && !strcmp(cfg->hostname, host),
	     "etc/lxcollectd.ini equals the defaults");
	T_EQ_U64(rep.warnings.n, 0, "etc/lxcollectd.ini: no warnings");
}

static void test_full(void)
{
	char text[2048];
	const char *pw = put("s3cret pass\n", 0600);
	char pwpath[512];
	int r;

	snprintf(pwpath, sizeof(pwpath), "%s", pw);
	snprintf(text, sizeof(text),
		 "; a full file\n"
		 "[Collector]\n"
		 "Interval = 30s ; inline comment\n"
		 "hostname = \"web host\"\n"
		 "cgroup_root = /tmp/cg\n"
		 "proc_root = /tmp/proc\n"
		 "include = web*, db?\n"
		 "exclude = \"web;old, tmp*\"\n"
		 "interfaces_exclude = lo, veth*   # hash comment\n"
		 "metrics = cpu,memory , net\n"
		 "schema = lxd2influx\n"
		 "user = root\n"
		 "[influxdb]\n"
		 "url = https://influx.example:8086/\n"
		 "api = v1\n"
		 "database = metrics\n"
		 "retention_policy = autogen\n"
		 "username = writer\n"
		 "password_file = %s\n"
		 "gzip = off\n"
		 "timeout = 2500ms\n"
		 "ca_file = /dev/null\n"
		 "tls_verify = yes\n"
		 "[spool]\n"
		 "dir = /tmp/spool\n"
		 "max_size = 1GiB\n"
		 "[log]\n"
		 "level = debug\n",
		 pwpath);
	r = load(text);
	T_EQ_INT(r, 0, "full file loads");
	dump(&rep.errors);
	if (r < 0)
		return;
	T_EQ_STR(cfg->path, path, "path kept");
	T_EQ_U64(cfg->interval_ms, 30000, "interval, key case ignored, comment stripped");
	T_EQ_STR(cfg->hostname, "web host", "quoted hostname");
	T_EQ_STR(cfg->cgroup_root, "/tmp/cg", "cgroup_root");
	T_EQ_STR(cfg->proc_root, "/tmp/proc", "proc_root");
	T_OK(cfg->include.n == 2 && !strcmp(cfg->include.v[1], "db?"), "include list");
	T_OK(cfg->exclude.n == 2 && !strcmp(cfg->exclude.v[0], "web;old") &&
		     !strcmp(cfg->exclude.v[1], "tmp*"),
	     "exclude: quoted ';' kept");
	T_OK(cfg->interfaces_exclude.n == 2 && strv_match(&cfg->interfaces_exclude, "veth1234"),
	     "interfaces_exclude glob, '#' comment stripped");
	T_EQ_INT(cfg->metrics, CFG_M_CPU | CFG_M_MEMORY | CFG_M_NET, "metrics bits");
	T_EQ_INT(cfg->schema, CFG_SCHEMA_LXD2INFLUX, "schema");
	T_EQ_STR(cfg->user, "root", "user");
	T_EQ_STR(cfg->url, "https://influx.example:8086/", "url");
	T_EQ_STR(cfg->database, "metrics", "database");
	T_EQ_STR(cfg->retention_policy, "autogen", "retention_policy");
	T_EQ_STR(cfg->username, "writer", "username");
	T_EQ_STR(cfg->password, "s3cret pass", "password read, one newline stripped");
	T_EQ_STR(cfg->password_file, pwpath, "password_file kept");
	T_OK(!cfg->gzip && cfg->tls_verify, "booleans");
	T_EQ_U64(cfg->timeout_ms, 2500, "timeout");
	T_EQ_STR(cfg->ca_file, "/dev/null", "ca_file");
	T_EQ_STR(cfg->spool_dir, "/tmp/spool", "spool dir");
	T_EQ_U64(cfg->spool_max_size, UINT64_C(1) << 30, "spool max_size");
	T_EQ_INT(cfg->log_level, LOG_DEBUG, "log level debug");
	T_EQ_U64(rep.warnings.n, 0, "no warnings");

	r = load("[influxdb]\napi = v2\norg = acme\nbucket = b1\ndatabase = x\n");
	T_EQ_INT(r, 0, "v2 with org and bucket");
	T_OK(cfg && cfg->api == CFG_API_V2 && !strcmp(cfg->org, "acme") &&
		     !strcmp(cfg->bucket, "b1") && !cfg->token,
	     "v2 fields");
	T_OK(rep.warnings.n == 1 && has(&rep.warnings, "influxdb.database: ignored with api = v2"),
	     "v1 key with v2 is a warning");

	r = load("[log]\nlevel = error\n[collector]\ninterval = 042\n");
	T_OK(r == 0 && cfg->log_level == LOG_ERR, "log level error");
	T_EQ_U64(cfg ? cfg->interval_ms : 0, 42000, "\"042\" is 42 seconds, not octal");
	r = load("[log]\nlevel = WARNING\n");
	T_OK(r == 0 && cfg->log_level == LOG_WARNING, "log level warning, any case");
	r = load("[collector]\n[influxdb]\n[spool]\n[log]\n\n; nothing\n");
	T_OK(r == 0 && cfg->interval_ms == 10000, "empty sections: defaults");
}

static void test_secrets(void)
{
	char text[1024], tok[512];

	snprintf(tok, sizeof(tok), "%s", put("tok3n\n", 0644));
	snprintf(text, sizeof(text), "[influxdb]\napi=v2\norg=o\nbucket=b\ntoken_file=%s\n", tok);
	T_EQ_INT(load(text), 0, "world-readable token is accepted");
	T_EQ_STR(cfg ? cfg->token : NULL, "tok3n", "token read");
	snprintf(text, sizeof(text),
		 "influxdb.token_file: %s is group- or world-readable (mode 0644); chmod 600 it",
		 tok);
	T_OK(rep.warnings.n == 1 && has(&rep.warnings, text), "world-readable token warning");

	snprintf(tok, sizeof(tok), "%s", put("tok\n\n", 0600));
	snprintf(text, sizeof(text), "[influxdb]\napi=v2\norg=o\nbucket=b\ntoken_file=%s\n", tok);
	load(text);
	snprintf(text, sizeof(text), "influxdb.token_file: %s must hold one non-empty line", tok);
	T_OK(rep.errors.n == 1 && has(&rep.errors, text), "token with two lines refused");

	snprintf(tok, sizeof(tok), "%s", put("", 0600));
	snprintf(text, sizeof(text), "[influxdb]\npassword_file=%s\nusername=u\n", tok);
	load(text);
	snprintf(text, sizeof(text), "influxdb.password_file: %s must hold one non-empty line", tok);
	T_OK(rep.errors.n == 1 && has(&rep.errors, text), "empty password file refused");

	snprintf(tok, sizeof(tok), "%s/no-such-secret", dir);
	snprintf(text, sizeof(text), "[influxdb]\nusername=u\npassword_file=%s\n", tok);
	load(text);
	snprintf(text, sizeof(text),
		 "influxdb.password_file: cannot read %s: No such file or directory", tok);
	T_OK(rep.errors.n == 1 && has(&rep.errors, text), "missing password file");
}

static void test_errors(void)
{
	char text[1024];

	bad("[colector]\ninterval = 10s\n", "colector: unknown section");
	bad("[collector]\nlxd_path = /ok, lxd/containers\n",
	    "collector.lxd_path: \"lxd/containers\" is not an absolute path");
	bad("[collector]\nintervl = 10s\n", "collector.intervl: unknown key");
	bad("[log]\nlevel = info\nfacility = daemon\n", "log.facility: unknown key");
	bad("[collector]\ninterval = 500ms\n",
	    "collector.interval: 500ms is not a whole number of seconds");
	bad("[collector]\ninterval = 1500ms\n",
	    "collector.interval: 1500ms is not a whole number of seconds");
	bad("[collector]\ninterval = 0\n", "collector.interval: 0 is less than 1s");
	bad("[collector]\ninterval = 25h\n", "collector.interval: 25h is more than 24h");
	bad("[collector]\ninterval = ten\n",
	    "collector.interval: invalid duration \"ten\" (examples: 10, 10s, 2m)");
	bad("[collector]\ninterval = -10\n",
	    "collector.interval: invalid duration \"-10\" (examples: 10, 10s, 2m)");
	bad("[collector]\ninterval =\n",
	    "collector.interval: invalid duration \"\" (examples: 10, 10s, 2m)");
	bad("[influxdb]\ntimeout = 5 s\n",
	    "influxdb.timeout: invalid duration \"5 s\" (examples: 10, 10s, 500ms, 2m, 1h)");
	bad("[influxdb]\ntimeout = 0ms\n", "influxdb.timeout: 0ms is out of range (1ms to 3600s)");
	bad("[spool]\nmax_size = 1.5GiB\n",
	    "spool.max_size: invalid size \"1.5GiB\"" SIZE_UNITS);
	bad("[spool]\nmax_size = 64KB\n",
	    "spool.max_size: invalid size \"64KB\"" SIZE_UNITS);
	bad("[spool]\nmax_size = -1\n",
	    "spool.max_size: invalid size \"-1\"" SIZE_UNITS);
	bad("[spool]\nmax_size = 99999999999999999999\n",
	    "spool.max_size: invalid size \"99999999999999999999\"" SIZE_UNITS);
	bad("[spool]\nmax_size = 2KiB\n",
	    "spool.max_size: 2KiB is too small (at least 4096 bytes)");
	bad("[spool]\ndir = spool\n", "spool.dir: \"spool\" is not an absolute path");
	bad("[spool]\ndir =\n", "spool.dir: must not be empty");
	bad("[influxdb]\ngzip = maybe\n", "influxdb.gzip: invalid boolean \"maybe\" (true or false)");
	bad("[influxdb]\ntls_verify = 2\n",
	    "influxdb.tls_verify: invalid boolean \"2\" (true or false)");
	bad("[collector]\nschema = influx\n", "collector.schema: invalid value \"influx\" (known: default, lxd2influx)");
	bad("[influxdb]\napi = v3\n", "influxdb.api: invalid value \"v3\" (known: v1, v2)");
	bad("[log]\nlevel = verbose\n", "log.level: invalid value \"verbose\" (known: error, warning, info, debug)");
	bad("[influxdb]\nurl = ftp://x/\n",
	    "influxdb.url: \"ftp://x/\" is not an http:// or https:// URL");
	bad("[influxdb]\nurl = http://\n", "influxdb.url: \"http://\" is not an http:// or https:// URL");
	bad("[influxdb]\nurl = 127.0.0.1:8086\n",
	    "influxdb.url: \"127.0.0.1:8086\" is not an http:// or https:// URL");
	bad("[influxdb]\nurl =\n", "influxdb.url: must not be empty");
	bad("[influxdb]\nurl = http://127.0.0.1:8086/?db=lxd\n",
	    "influxdb.url: must not hold a query string or fragment (?, #): the database goes in "
	    "database and retention_policy (api = v1), or org and bucket (api = v2)");
	bad("[influxdb]\nurl = http://127.0.0.1:99999\n",
	    "influxdb.url: port \"99999\" is not a port number (1 to 65535)");
	bad("[influxdb]\nurl = http://h:8086x/\n",
	    "influxdb.url: port \"8086x\" is not a port number (1 to 65535)");
	bad("[influxdb]\nurl = http://h:/\n", "influxdb.url: port \"\" is not a port number (1 to 65535)");
	bad("[influxdb]\nurl = http://[::1]:0\n",
	    "influxdb.url: port \"0\" is not a port number (1 to 65535)");
	T_OK(load("[influxdb]\nurl = http://u:p:w@[::1]:8086/x/\n") == 0,
	     "userinfo with ':' and an IPv6 host with a port are a URL");
	T_OK(load("[influxdb]\nurl = https://h.example\n") == 0, "no port is fine");
	bad("[influxdb]\ndatabase =\n", "influxdb.database: must not be empty");
	bad("[collector]\nmetrics = cpu, disk\n",
	    "collector.metrics: unknown metric \"disk\" (known: cpu, memory, pids, io, net, pressure, state)");
	bad("[collector]\nmetrics = ,\n", "collector.metrics: empty: nothing would be collected");
	bad("[collector]\ninclude =\n", "collector.include: empty: no container would be collected");
	bad("[collector]\ncgroup_root = sys/fs/cgroup\n",
	    "collector.cgroup_root: \"sys/fs/cgroup\" is not an absolute path");
	bad("[collector]\nuser = no-such-user-lxcollectd\n",
	    "collector.user: no such user \"no-such-user-lxcollectd\"");
	bad("[collector]\nhostname = \"bad\\\"\n",
	    "collector.hostname: \"bad\\\" cannot be written as a tag value");
	bad("[influxdb]\napi = v2\norg = o\n", "influxdb.bucket: required with api = v2");
	bad("[influxdb]\nca_file = /nonexistent/ca.pem\n",
	    "influxdb.ca_file: cannot read /nonexistent/ca.pem: No such file or directory");
	bad("[collector]\ninterval = 10s\ninterval = 20s\n",
	    "collector.interval: duplicate key (line 3); give each key once");
	bad("[collector]\ninterval = 10s\n[log]\n[COLLECTOR]\nINTERVAL = 20s\n",
	    "collector.interval: duplicate key (line 5); give each key once");
	bad("interval = 10s\n[collector]\n", "interval: key outside any section (line 1)");
	bad("[collector]\ninterval\n", " syntax error at line 2: interval");

	/* several problems in one file: all of them, not just the first */
	int r = load("[collector]\n"
		     "intervl = 10s\n"
		     "interval = 500ms\n"
		     "metrics = cpu, gpu\n"
		     "[influxdb]\n"
		     "api = v2\n"
		     "url = gopher://x\n"
		     "[spool]\n"
		     "max_size = lots\n"
		     "[extra]\n"
		     "a = b\n");
	T_EQ_INT(r, -EINVAL, "several errors: -EINVAL");
	T_EQ_U64(rep.errors.n, 8, "several errors: all eight reported");
	T_OK(has(&rep.errors, "extra: unknown section"), "several: unknown section");
	T_OK(has(&rep.errors, "collector.intervl: unknown key"), "several: unknown key");
	T_OK(has(&rep.errors, "collector.interval: 500ms is not a whole number of seconds"),
	     "several: interval");
	T_OK(has(&rep.errors, "collector.metrics: unknown metric \"gpu\" (known: cpu, memory, pids, "
			      "io, net, pressure, state)"),
	     "several: metrics");
	T_OK(has(&rep.errors, "influxdb.url: \"gopher://x\" is not an http:// or https:// URL"),
	     "several: url");
	T_OK(has(&rep.errors, "influxdb.org: required with api = v2"), "several: org");
	T_OK(has(&rep.errors, "influxdb.bucket: required with api = v2"), "several: bucket");
	T_OK(has(&rep.errors, "spool.max_size: invalid size \"lots\"" SIZE_UNITS),
	     "several: max_size");
	if (rep.errors.n != 8)
		dump(&rep.errors);
	/* every message names the file, then section.key */
	bool all = true;
	for (size_t i = 0; i < rep.errors.n; i++)
		all = all && !strncmp(rep.errors.v[i], path, strlen(path)) &&
		      rep.errors.v[i][strlen(path)] == ':';
	T_OK(all, "every message starts with FILE:");

	snprintf(text, sizeof(text), "[collector]\nhostname = \"a b,c=d\\\\e\"\n");
	T_OK(load(text) == 0 && !strcmp(cfg->hostname, "a b,c=d\\\\e"),
	     "hostname with specials that line protocol can carry");
	T_OK(load("[collector]\nmetrics = \"cpu;x\"\n") == -EINVAL, "quoted ';' stays in the value");
	T_OK(load("[collector]\ninclude = a;b\n") == 0 && cfg->include.n == 1 &&
		     !strcmp(cfg->include.v[0], "a"),
	     "unquoted ';' starts a comment (iniparser)");
	T_OK(load("[influxdb]\ntls_verify = false\n") == 0 &&
		     has(&rep.warnings, "influxdb.tls_verify: TLS certificates are not verified"),
	     "tls_verify = false warns");
}


/* Issue: a BOM gave an invisible syntax error, "abc silently became abc,
 * a repeated section merged without a word. */
static void test_edges(void)
{
	int r;

	r = load("\xef\xbb\xbf[collector]\ninterval = 20s\n");
	T_OK(r == 0 && cfg->interval_ms == 20000 && rep.warnings.n == 0,
	     "a UTF-8 byte-order mark is accepted");
	dump(&rep.errors);
	r = load("\xef\xbb\xbf; comment first\n[collector]\nhostname = h\nhostname = i\n");
	T_OK(r == -EINVAL && has(&rep.errors, "collector.hostname: duplicate key (line 4); give each key once"),
	     "after a BOM, line numbers and checks as without");
	bad("[collector]\nhostname = \"abc\n",
	    "collector.hostname: unclosed quote (line 2); end the value with the quote it starts with");
	bad("[collector]\nexclude = 'web\n",
	    "collector.exclude: unclosed quote (line 2); end the value with the quote it starts with");
	bad("[collector]\nhostname = \"a\" b\n",
	    "collector.hostname: text after the closing quote (line 2); put all of the value inside the quotes");
	r = load("[collector]\nhostname = \"a b\" ; comment\n");
	T_OK(r == 0 && !strcmp(cfg->hostname, "a b"), "a comment after a closed quote is fine");

	r = load("[collector]\ninterval = 20s\n[log]\nlevel = info\n[Collector]\nhostname = h\n");
	T_OK(r == 0 && cfg->interval_ms == 20000 && !strcmp(cfg->hostname, "h"),
	     "a repeated section still loads (merged)");
	T_OK(rep.warnings.n == 1 &&
		     has(&rep.warnings, "collector: section given twice (lines 1 and 5); their keys "
					"are merged, write it once"),
	     "a repeated section is a warning naming both lines");
	dump(&rep.warnings);

	bad("[spool]\nmax_size = 10MB\n", "spool.max_size: invalid size \"10MB\"" SIZE_UNITS);
}

static void test_interval(void)
{
	static const struct {
		const char *s;
		uint64_t ms;
		const char *why;
	} t[] = {
		{ "10", 10000, NULL },
		{ "2m", 120000, NULL },
		{ "24h", 86400000, NULL },
		{ "86401", 0, "%s is more than 24h" },
		{ "999999999", 0, "%s is more than 24h" },
		{ "1500ms", 0, "%s is not a whole number of seconds" },
		{ "0", 0, "%s is less than 1s" },
		{ "1.5", 0, "invalid duration \"%s\" (examples: 10, 10s, 2m)" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t ms = 0;
		const char *why = NULL;
		int r = cfg_parse_interval_ms(t[i].s, &ms, &why);

		if (t[i].why)
			T_OK(r == -EINVAL && why && !strcmp(why, t[i].why), "interval %s: %s", t[i].s,
			     why ? why : "(accepted)");
		else
			T_OK(r == 0 && ms == t[i].ms, "interval %s = %" PRIu64 " ms", t[i].s, ms);
	}
}

static void test_tags(void)
{
	int r;

	r = load("[collector]\ntags = dc=fra1, role = lxd,rack=a b\n");
	T_OK(r == 0 && cfg->ntags == 3, "three tags");
	if (r == 0 && cfg->ntags == 3) {
		T_EQ_STR(cfg->tags[0].key, "dc", "tag 1 key");
		T_EQ_STR(cfg->tags[0].value, "fra1", "tag 1 value");
		T_EQ_STR(cfg->tags[1].key, "role", "spaces around '=' trimmed (key)");
		T_EQ_STR(cfg->tags[1].value, "lxd", "spaces around '=' trimmed (value)");
		T_EQ_STR(cfg->tags[2].value, "a b", "a space inside a value kept (escaped later)");
	}
	r = load("[collector]\ntags = k=v=w\n");
	T_OK(r == 0 && cfg->ntags == 1 && !strcmp(cfg->tags[0].value, "v=w"),
	     "the first '=' splits; '=' in a value is escaped later");
	bad("[collector]\ntags = dc\n", "collector.tags: \"dc\" is not KEY=VALUE");
	bad("[collector]\ntags = dc=\n", "collector.tags: \"dc=\" needs a key and a value");
	bad("[collector]\ntags = host=other\n",
	    "collector.tags: \"host\" is a tag lxcollectd sets itself (host, container, project, "
	    "interface, host_interface, resource)");
	bad("[collector]\ntags = project=x\n",
	    "collector.tags: \"project\" is a tag lxcollectd sets itself (host, container, project, "
	    "interface, host_interface, resource)");
	bad("[collector]\ntags = a=1, a=2\n", "collector.tags: tag \"a\" given twice");
	bad("[collector]\ntags = \"a=x\\\"\n", "collector.tags: \"a=x\\\" cannot be written as a tag");
	bad("[collector]\ntags = a=\x01\n", "collector.tags: \"a=\x01\" cannot be written as a tag");
}

/* --print-config: every key, read back to the same configuration, no
 * secret in it */
static void test_print(void)
{
	char text[2048], pw[512], *out = NULL, *again = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	snprintf(pw, sizeof(pw), "%s", put("pr1ntme-not\n", 0600));
	snprintf(text, sizeof(text),
		 "[collector]\ninterval = 2m\nhostname = \"h;1\"\nexclude = \"a, b#2\"\n"
		 "tags = dc=fra1, role=lxd\nmetrics = net, cpu\n"
		 "[influxdb]\nurl = https://admin:Secr3tPw@db.example:8086/\n"
		 "username = admin\npassword_file = %s\ntimeout = 1500ms\n"
		 "[spool]\nmax_size = 3MiB\n[log]\nlevel = warning\n",
		 pw);
	r = load(text);
	T_EQ_INT(r, 0, "print: source loads");
	if (r < 0)
		return;
	f = open_memstream(&out, &len);
	T_EQ_INT(cfg_print(cfg, f), 0, "cfg_print");
	fclose(f);
	T_OK(!strstr(out, "Secr3tPw") && !strstr(out, "pr1ntme"), "no secret printed");
	T_OK(strstr(out, "url = https://admin:***@db.example:8086/\n") != NULL,
	     "the URL's password shows as ***");
	for (size_t i = 0; cfg_known[i]; i++) {
		char want[128];
		const char *colon = strchr(cfg_known[i], ':');

		snprintf(want, sizeof(want), "\n%s =", colon + 1);
		T_OK(strstr(out, want) != NULL, "printed: %s", cfg_known[i]);
	}
	/* read back (the password cannot be: the URL without it) */
	struct config *first = cfg;
	cfg = NULL;
	r = load(out);
	T_EQ_INT(r, 0, "printed configuration loads");
	dump(&rep.errors);
	if (r == 0) {
		T_EQ_U64(cfg->interval_ms, 120000, "read back: interval");
		T_EQ_STR(cfg->hostname, "h;1", "read back: quoted hostname");
		T_OK(cfg->exclude.n == 2 && !strcmp(cfg->exclude.v[1], "b#2"), "read back: exclude");
		T_OK(cfg->ntags == 2 && !strcmp(cfg->tags[1].value, "lxd"), "read back: tags");
		T_EQ_INT(cfg->metrics, CFG_M_CPU | CFG_M_NET, "read back: metrics");
		T_EQ_U64(cfg->timeout_ms, 1500, "read back: timeout");
		T_EQ_U64(cfg->spool_max_size, UINT64_C(3) << 20, "read back: max_size");
		T_EQ_INT(cfg->log_level, LOG_WARNING, "read back: level");
		T_EQ_STR(cfg->password, "pr1ntme-not", "read back: password from the same file");
		f = open_memstream(&again, &len);
		cfg_print(cfg, f);
		fclose(f);
		T_OK(!strcmp(strchr(out, '\n'), strchr(again, '\n')),
		     "printing what was printed gives the same text");
	}
	cfg_free(first);
	free(out);
	free(again);
}

static void test_redact(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "http://admin:PASSWORD@host:8086", "http://admin:***@host:8086" },
		{ "https://u:p@w:rd@h/x?db=a", "https://u:***@h/x?db=a" },
		{ "http://host:8086/?u=admin&p=PASS&db=lxd", "http://host:8086/?u=admin&p=***&db=lxd" },
		{ "http://h/?token=T0K&password=x", "http://h/?token=***&password=***" },
		{ "http://admin@host:8086/", "http://admin@host:8086/" },
		{ "http://host:8086/a:b@c", "http://host:8086/a:b@c" },
		{ "http://127.0.0.1:8086", "http://127.0.0.1:8086" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_EQ_STR(cfg_url_redact(t[i].in, buf, sizeof(buf)), t[i].out, "URL redacted");
	T_EQ_STR(cfg_url_redact("http://a:secret@h", buf, 12), "http://a:**", "truncated, terminated");

	struct strv v = { NULL, 0 };
	T_OK(cfg_url_secrets("http://a:s1@h/?p=s2&db=x&token=s3", &v) == 0 && v.n == 3 &&
		     !strcmp(v.v[0], "s1") && !strcmp(v.v[1], "s2") && !strcmp(v.v[2], "s3"),
	     "the URL's secrets, for the log to mask");
	strv_free(&v);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/lxcollectd-config-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parsers();
	test_defaults();
	test_full();
	test_secrets();
	test_errors();
	test_edges();
	test_interval();
	test_tags();
	test_print();
	test_redact();
	cfg_free(cfg);
	cfg_report_free(&rep);
	for (int i = 0; i < nfile; i++) {
		char p[600];

		snprintf(p, sizeof(p), "%s/f%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
	return t_done();
}
