/* config: reads the INI file with iniparser, checks every key, and yields
 * a struct config. All problems are collected, not just the first, so one
 * `lxcollectd -t` run shows them all.
 *
 * iniparser 4.1 quirks this file works around:
 *  - it lowercases section and key names (values keep their case);
 *  - it strips inline comments after ';' or '#' even without a space
 *    before them ("a;b" reads as "a"): such values must be quoted;
 *  - a key given twice silently keeps the last value, and a key before
 *    any section lands in section "": both are found by cfg_prescan();
 *  - iniparser_getint() reads "042" as octal: numbers are parsed here. */
#include "collector/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <iniparser.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "collector/lp.h"
#include "collector/prom.h"

const char *const cfg_known[] = {
	"collector:interval", "collector:hostname", "collector:cgroup_root",
	"collector:proc_root", "collector:include", "collector:exclude",
	"collector:interfaces_exclude", "collector:lxc_path", "collector:lxd_path", "collector:metrics", "collector:schema",
	"collector:user", "collector:tags", "influxdb:url", "influxdb:api", "influxdb:database",
	"influxdb:retention_policy", "influxdb:username", "influxdb:password_file",
	"influxdb:org", "influxdb:bucket", "influxdb:token_file", "influxdb:gzip",
	"influxdb:timeout", "influxdb:ca_file", "influxdb:tls_verify", "spool:dir",
	"spool:max_size", "log:level", "prometheus:listen", "prometheus:token_file",
	"prometheus:tls_cert", "prometheus:tls_key", NULL,
};
static const char *const cfg_sections[] = { "collector", "influxdb", "spool", "log", "prometheus",
					     NULL };

static const struct {
	const char *name;
	unsigned bit;
} cfg_metric_names[] = {
	{ "cpu", CFG_M_CPU }, { "memory", CFG_M_MEMORY }, { "pids", CFG_M_PIDS },
	{ "io", CFG_M_IO },   { "net", CFG_M_NET },       { "pressure", CFG_M_PRESSURE },
	{ "state", CFG_M_STATE },
};

/* ---- reporting ---- */

struct cfg_ctx {
	const char *file;
	dictionary *d;
	struct config *c;
	struct cfg_report *rep;
	bool nomem;
};

/* "FILE:SECTION.KEY: message" (or "FILE:SECTION: " / "FILE: " when there
 * is no key or section) appended to errors or warnings. */
static void __attribute__((format(printf, 5, 6)))
cfg_msg(struct cfg_ctx *x, bool error, const char *sec, const char *key, const char *fmt, ...)
{
	char *prefix = NULL;
	va_list ap;
	int r;

	if (sec && *sec && key)
		r = asprintf(&prefix, "%s:%s.%s: ", x->file, sec, key);
	else if (sec || key)
		r = asprintf(&prefix, "%s:%s: ", x->file, sec ? sec : key);
	else
		r = asprintf(&prefix, "%s: ", x->file);
	if (r < 0) {
		x->nomem = true;
		return;
	}
	va_start(ap, fmt);
	if (strv_pushv(error ? &x->rep->errors : &x->rep->warnings, prefix, fmt, ap) < 0)
		x->nomem = true;
	va_end(ap);
	free(prefix);
}

#define cfg_err(x, s, k, ...) cfg_msg(x, true, s, k, __VA_ARGS__)
#define cfg_warn(x, s, k, ...) cfg_msg(x, false, s, k, __VA_ARGS__)

/* iniparser reports syntax errors through this callback only. */
static char cfg_ini_error[512];

static int cfg_ini_errback(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(cfg_ini_error);
	int r;

	va_start(ap, fmt);
	r = vsnprintf(cfg_ini_error + n, sizeof(cfg_ini_error) - n, fmt, ap);
	va_end(ap);
	return r;
}

/* What iniparser accepts silently (see cfg_scan_keys()). */
static void cfg_scan_report(void *u, const struct cfg_scan_hit *h)
{
	struct cfg_ctx *x = u;

	switch (h->kind) {
	case CFG_SCAN_OUTSIDE:
		cfg_err(x, NULL, h->key, "key outside any section (line %u)", h->line);
		break;
	case CFG_SCAN_DUP_KEY:
		cfg_err(x, h->sec, h->key, "duplicate key (line %u); give each key once", h->line);
		break;
	case CFG_SCAN_DUP_SECTION:
		/* iniparser merges them; as keys cannot repeat, nothing is lost */
		cfg_warn(x, h->sec, NULL,
			 "section given twice (lines %u and %u); their keys are merged, write it once",
			 h->first_line, h->line);
		break;
	case CFG_SCAN_QUOTE:
		cfg_err(x, *h->sec ? h->sec : NULL, h->key,
			"unclosed quote (line %u); end the value with the quote it starts with",
			h->line);
		break;
	case CFG_SCAN_AFTER_QUOTE:
		cfg_err(x, *h->sec ? h->sec : NULL, h->key,
			"text after the closing quote (line %u); put all of the value inside the quotes",
			h->line);
		break;
	case CFG_SCAN_KIND_MAX:
		break;
	}
}

/* Unknown sections and keys: a typo must not pass silently. */
static void cfg_check_names(struct cfg_ctx *x)
{
	int nsec = iniparser_getnsec(x->d);

	for (int i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(x->d, i);
		bool known = false;

		for (size_t j = 0; cfg_sections[j] && !known; j++)
			known = !strcmp(sec, cfg_sections[j]);
		if (!known) {
			cfg_err(x, sec, NULL, "unknown section");
			continue;
		}
		int nkeys = iniparser_getsecnkeys(x->d, sec);
		if (nkeys <= 0)
			continue;
		const char **keys = calloc((size_t)nkeys, sizeof(*keys));
		if (!keys || !iniparser_getseckeys(x->d, sec, keys)) {
			free(keys);
			x->nomem = true;
			return;
		}
		for (int k = 0; k < nkeys; k++) {
			bool ok = false;

			for (size_t j = 0; cfg_known[j] && !ok; j++)
				ok = !strcmp(keys[k], cfg_known[j]);
			if (!ok)
				cfg_err(x, sec, keys[k] + strlen(sec) + 1, "unknown key");
		}
		free(keys);
	}
}

/* ---- typed getters: each leaves the default in place when the key is
 * absent, reports and leaves it when the value is bad ---- */

static const char *cfg_get(struct cfg_ctx *x, const char *sec, const char *key)
{
	char id[64];

	if (!x->d)
		return NULL;
	snprintf(id, sizeof(id), "%s:%s", sec, key);
	return iniparser_getstring(x->d, id, NULL);
}

/* Strings: an empty value means "unset" (NULL) unless required. */
static void get_str(struct cfg_ctx *x, const char *sec, const char *key, char **field, bool required)
{
	const char *v = cfg_get(x, sec, key);

	if (!v)
		return;
	if (!*v) {
		if (required)
			cfg_err(x, sec, key, "must not be empty");
		else {
			free(*field);
			*field = NULL;
		}
		return;
	}
	char *dup = strdup(v);
	if (!dup) {
		x->nomem = true;
		return;
	}
	free(*field);
	*field = dup;
}

static void get_path(struct cfg_ctx *x, const char *sec, const char *key, char **field, bool required)
{
	get_str(x, sec, key, field, required);
	if (*field && (*field)[0] != '/')
		cfg_err(x, sec, key, "\"%s\" is not an absolute path", *field);
}

static void get_duration(struct cfg_ctx *x, const char *sec, const char *key, uint64_t *field,
			 uint64_t min_ms, uint64_t max_ms)
{
	const char *v = cfg_get(x, sec, key);
	uint64_t ms;

	if (!v)
		return;
	if (cfg_parse_duration_ms(v, &ms) < 0) {
		cfg_err(x, sec, key, "invalid duration \"%s\" (examples: 10, 10s, 500ms, 2m, 1h)", v);
		return;
	}
	if (ms < min_ms || ms > max_ms) {
		cfg_err(x, sec, key, "%s is out of range (%" PRIu64 "ms to %" PRIu64 "s)", v, min_ms,
			max_ms / 1000);
		return;
	}
	*field = ms;
}

static void get_size(struct cfg_ctx *x, const char *sec, const char *key, uint64_t *field,
		     uint64_t min)
{
	const char *v = cfg_get(x, sec, key);
	uint64_t n;

	if (!v)
		return;
	if (cfg_parse_size(v, &n) < 0)
		cfg_err(x, sec, key,
			"invalid size \"%s\": a whole number of bytes, or with a unit KiB, MiB, GiB "
			"or TiB (powers of 1024; KB and MB are refused as ambiguous), e.g. 64KiB, 256MiB",
			v);
	else if (n < min)
		cfg_err(x, sec, key, "%s is too small (at least %" PRIu64 " bytes)", v, min);
	else
		*field = n;
}

static void get_bool(struct cfg_ctx *x, const char *sec, const char *key, bool *field)
{
	const char *v = cfg_get(x, sec, key);

	if (v && cfg_parse_bool(v, field) < 0)
		cfg_err(x, sec, key, "invalid boolean \"%s\" (true or false)", v);
}

static void get_list(struct cfg_ctx *x, const char *sec, const char *key, struct strv *field)
{
	const char *v = cfg_get(x, sec, key);
	struct strv l;

	if (!v)
		return;
	if (cfg_parse_list(v, &l) < 0) {
		x->nomem = true;
		return;
	}
	strv_free(field);
	*field = l;
}

/* [collector] KEY: a list of absolute directories (may be empty). */
static void get_dirs(struct cfg_ctx *x, const char *key, struct strv *field)
{
	get_list(x, "collector", key, field);
	for (size_t i = 0; i < field->n; i++)
		if (field->v[i][0] != '/')
			cfg_err(x, "collector", key, "\"%s\" is not an absolute path", field->v[i]);
}

/* Index of the value in the NULL-terminated names (any case), -2 when
 * the key is absent, -1 (reported) when the value is none of them. */
static int get_enum(struct cfg_ctx *x, const char *sec, const char *key, const char *const *names)
{
	const char *v = cfg_get(x, sec, key);
	char known[128] = "";

	if (!v)
		return -2;
	for (int i = 0; names[i]; i++) {
		if (!strcasecmp(v, names[i]))
			return i;
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 i ? ", " : "", names[i]);
	}
	cfg_err(x, sec, key, "invalid value \"%s\" (known: %s)", v, known);
	return -1;
}

static void get_secret(struct cfg_ctx *x, const char *sec, const char *key, const char *path,
		       char **ret)
{
	unsigned mode = 0;
	int r = cfg_read_secret(path, ret, &mode);

	if (r == -ENOMEM)
		x->nomem = true;
	else if (r == -EFBIG)
		cfg_err(x, sec, key, "%s is larger than %d bytes", path, CFG_SECRET_MAX);
	else if (r == -EBADMSG)
		cfg_err(x, sec, key, "%s must hold one non-empty line", path);
	else if (r == -EINVAL)
		cfg_err(x, sec, key, "%s is not a regular file", path);
	else if (r < 0)
		cfg_err(x, sec, key, "cannot read %s: %s", path, strerror(-r));
	else if (mode & (S_IRGRP | S_IROTH))
		cfg_warn(x, sec, key, "%s is group- or world-readable (mode %04o); chmod 600 it",
			 path, mode);
}

/* ---- the sections ---- */

static int cfg_defaults(struct config *c)
{
	char host[HOST_NAME_MAX + 1] = "";

	c->interval_ms = 10000;
	if (gethostname(host, sizeof(host) - 1) < 0)
		return -errno;
	c->hostname = strdup(host);
	c->cgroup_root = strdup("/sys/fs/cgroup");
	c->proc_root = strdup("/proc");
	c->metrics = CFG_M_ALL;
	c->schema = CFG_SCHEMA_DEFAULT;
	c->url = strdup("http://127.0.0.1:8086");
	c->api = CFG_API_V1;
	c->database = strdup("lxd");
	c->gzip = true;
	c->timeout_ms = 5000;
	c->tls_verify = true;
	c->spool_dir = strdup("/var/lib/lxcollectd/spool");
	c->spool_max_size = UINT64_C(256) << 20;
	c->log_level = LOG_INFO;
	if (!c->hostname || !c->cgroup_root || !c->proc_root || !c->url || !c->database ||
	    !c->spool_dir || cfg_parse_list("*", &c->include) < 0 ||
	    cfg_parse_list("lo", &c->interfaces_exclude) < 0 ||
	    cfg_parse_list("/var/lib/lxc", &c->lxc_path) < 0 ||
	    cfg_parse_list("/var/lib/lxd/containers, /var/snap/lxd/common/lxd/containers",
			   &c->lxd_path) < 0)
		return -ENOMEM;
	return 0;
}

const char *const cfg_reserved_tags[] = {
	"host", "container", "project", "interface", "host_interface", "resource", NULL,
};

static bool cfg_tag_reserved(const char *key)
{
	for (size_t i = 0; cfg_reserved_tags[i]; i++)
		if (!strcmp(key, cfg_reserved_tags[i]))
			return true;
	return false;
}

/* tags = dc=fra1, role=lxd: KEY=VALUE items, each a tag on every point */
static void cfg_tags(struct cfg_ctx *x)
{
	struct config *c = x->c;
	struct strv l = { NULL, 0 };

	get_list(x, "collector", "tags", &l);
	if (l.n == 0)
		return;
	c->tags = calloc(l.n, sizeof(*c->tags));
	if (!c->tags) {
		x->nomem = true;
		strv_free(&l);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		char *eq = strchr(l.v[i], '='), *key = l.v[i], *val;
		bool dup = false;

		if (!eq) {
			cfg_err(x, "collector", "tags", "\"%s\" is not KEY=VALUE", key);
			continue;
		}
		*eq = '\0';
		val = eq + 1;
		/* the list trimmed the item, not the two sides of its '=' */
		for (char *e = eq; e > key && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		while (isspace((unsigned char)*val))
			val++;
		for (size_t j = 0; j < c->ntags && !dup; j++)
			dup = !strcmp(c->tags[j].key, key);
		if (!*key || !*val)
			cfg_err(x, "collector", "tags", "\"%s=%s\" needs a key and a value", key, val);
		else if (cfg_tag_reserved(key))
			cfg_err(x, "collector", "tags",
				"\"%s\" is a tag lxcollectd sets itself (host, container, project, "
				"interface, host_interface, resource)", key);
		else if (dup)
			cfg_err(x, "collector", "tags", "tag \"%s\" given twice", key);
		else if (!lp_tag_ok(key) || !lp_tag_ok(val))
			cfg_err(x, "collector", "tags", "\"%s=%s\" cannot be written as a tag", key, val);
		else {
			c->tags[c->ntags].key = strdup(key);
			c->tags[c->ntags].value = strdup(val);
			if (!c->tags[c->ntags].key || !c->tags[c->ntags].value)
				x->nomem = true;
			c->ntags++;
		}
	}
	strv_free(&l);
}

static void cfg_collector(struct cfg_ctx *x)
{
	static const char *const schemas[] = { "default", "lxd2influx", NULL };
	struct config *c = x->c;
	const char *v;
	int i;

	v = cfg_get(x, "collector", "interval");
	if (v) {
		const char *why;

		if (cfg_parse_interval_ms(v, &c->interval_ms, &why) < 0)
			cfg_err(x, "collector", "interval", why, v);
	}
	v = cfg_get(x, "collector", "hostname");
	if (v && *v) {
		struct lp_buf b;

		/* it becomes the host tag of every point */
		lp_buf_init(&b);
		if (!lp_name_ok(v) || lp_escape_tag(&b, v) < 0)
			cfg_err(x, "collector", "hostname",
				"\"%s\" cannot be written as a tag value", v);
		else
			get_str(x, "collector", "hostname", &c->hostname, false);
		lp_buf_free(&b);
	}
	get_path(x, "collector", "cgroup_root", &c->cgroup_root, true);
	get_path(x, "collector", "proc_root", &c->proc_root, true);
	get_list(x, "collector", "include", &c->include);
	if (c->include.n == 0)
		cfg_err(x, "collector", "include", "empty: no container would be collected");
	get_list(x, "collector", "exclude", &c->exclude);
	get_list(x, "collector", "interfaces_exclude", &c->interfaces_exclude);
	get_dirs(x, "lxc_path", &c->lxc_path);
	get_dirs(x, "lxd_path", &c->lxd_path);

	v = cfg_get(x, "collector", "metrics");
	if (v) {
		struct strv l;

		if (cfg_parse_list(v, &l) < 0) {
			x->nomem = true;
			return;
		}
		c->metrics = 0;
		for (size_t k = 0; k < l.n; k++) {
			size_t j, n = sizeof(cfg_metric_names) / sizeof(cfg_metric_names[0]);

			for (j = 0; j < n && strcmp(l.v[k], cfg_metric_names[j].name); j++)
				;
			if (j < n)
				c->metrics |= cfg_metric_names[j].bit;
			else
				cfg_err(x, "collector", "metrics",
					"unknown metric \"%s\" (known: cpu, memory, pids, io, net, pressure, state)",
					l.v[k]);
		}
		if (l.n == 0)
			cfg_err(x, "collector", "metrics", "empty: nothing would be collected");
		strv_free(&l);
	}
	i = get_enum(x, "collector", "schema", schemas);
	if (i >= 0)
		c->schema = i == 0 ? CFG_SCHEMA_DEFAULT : CFG_SCHEMA_LXD2INFLUX;
	get_str(x, "collector", "user", &c->user, false);
	if (c->user && !getpwnam(c->user))
		cfg_err(x, "collector", "user", "no such user \"%s\"", c->user);
	cfg_tags(x);
}

static void cfg_influxdb(struct cfg_ctx *x)
{
	static const char *const apis[] = { "v1", "v2", NULL };
	static const char *const v1_keys[] = { "database", "retention_policy", "username",
					       "password_file", NULL };
	static const char *const v2_keys[] = { "org", "bucket", "token_file", NULL };
	struct config *c = x->c;
	const char *const *other;
	char why[256];
	int i;

	get_str(x, "influxdb", "url", &c->url, true);
	if (c->url && !cfg_url_ok(c->url)) {
		char safe[512];

		cfg_err(x, "influxdb", "url", "\"%s\" is not an http:// or https:// URL",
			cfg_url_redact(c->url, safe, sizeof(safe)));
	} else if (c->url && cfg_url_problem(c->url, why, sizeof(why)) < 0) {
		cfg_err(x, "influxdb", "url", "%s", why);
	}
	i = get_enum(x, "influxdb", "api", apis);
	if (i >= 0)
		c->api = i == 0 ? CFG_API_V1 : CFG_API_V2;
	get_str(x, "influxdb", "database", &c->database, true);
	get_str(x, "influxdb", "retention_policy", &c->retention_policy, false);
	get_str(x, "influxdb", "username", &c->username, false);
	get_path(x, "influxdb", "password_file", &c->password_file, false);
	get_str(x, "influxdb", "org", &c->org, false);
	get_str(x, "influxdb", "bucket", &c->bucket, false);
	get_path(x, "influxdb", "token_file", &c->token_file, false);
	get_bool(x, "influxdb", "gzip", &c->gzip);
	get_duration(x, "influxdb", "timeout", &c->timeout_ms, 1, 3600000);
	get_path(x, "influxdb", "ca_file", &c->ca_file, false);
	if (c->ca_file && access(c->ca_file, R_OK) < 0)
		cfg_err(x, "influxdb", "ca_file", "cannot read %s: %s", c->ca_file, strerror(errno));
	get_bool(x, "influxdb", "tls_verify", &c->tls_verify);
	if (!c->tls_verify)
		cfg_warn(x, "influxdb", "tls_verify", "TLS certificates are not verified");

	if (c->api == CFG_API_V2) {
		if (!c->org)
			cfg_err(x, "influxdb", "org", "required with api = v2");
		if (!c->bucket)
			cfg_err(x, "influxdb", "bucket", "required with api = v2");
		if (c->token_file && (*c->token_file == '/'))
			get_secret(x, "influxdb", "token_file", c->token_file, &c->token);
		other = v1_keys;
	} else {
		if (c->password_file && *c->password_file == '/') {
			get_secret(x, "influxdb", "password_file", c->password_file, &c->password);
			if (!c->username)
				cfg_warn(x, "influxdb", "password_file", "ignored without username");
		}
		other = v2_keys;
	}
	for (i = 0; other[i]; i++) {
		const char *v = cfg_get(x, "influxdb", other[i]);

		/* database has a default, so only an explicit one is noted */
		if (v && *v)
			cfg_warn(x, "influxdb", other[i], "ignored with api = %s",
				 c->api == CFG_API_V2 ? "v2" : "v1");
	}
}

static void cfg_spool_log(struct cfg_ctx *x)
{
	static const char *const levels[] = { "error", "warning", "info", "debug", NULL };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	int i;

	get_path(x, "spool", "dir", &x->c->spool_dir, true);
	get_size(x, "spool", "max_size", &x->c->spool_max_size, UINT64_C(4) << 10);
	i = get_enum(x, "log", "level", levels);
	if (i >= 0)
		x->c->log_level = prio[i];
}

/* [prometheus]: syntax and files here; whether the address can be bound
 * is checked by prom_new() (at start and by -t). */
static void cfg_prometheus(struct cfg_ctx *x)
{
	struct config *c = x->c;
	char host[256];
	uint16_t port;

	get_str(x, "prometheus", "listen", &c->prom_listen, false);
	if (c->prom_listen && prom_parse_listen(c->prom_listen, host, sizeof(host), &port) < 0)
		cfg_err(x, "prometheus", "listen",
			"\"%s\" is not HOST:PORT (e.g. 127.0.0.1:9101 or [::1]:9101)", c->prom_listen);
	get_path(x, "prometheus", "token_file", &c->prom_token_file, false);
	if (c->prom_token_file && *c->prom_token_file == '/')
		get_secret(x, "prometheus", "token_file", c->prom_token_file, &c->prom_token);
	get_path(x, "prometheus", "tls_cert", &c->prom_tls_cert, false);
	get_path(x, "prometheus", "tls_key", &c->prom_tls_key, false);
	if (!c->prom_tls_cert != !c->prom_tls_key)
		cfg_err(x, "prometheus", c->prom_tls_cert ? "tls_key" : "tls_cert",
			"tls_cert and tls_key go together");
	if (c->prom_tls_key && access(c->prom_tls_key, R_OK) < 0)
		cfg_err(x, "prometheus", "tls_key", "cannot read %s: %s", c->prom_tls_key,
			strerror(errno));
	if (c->prom_tls_cert && access(c->prom_tls_cert, R_OK) < 0)
		cfg_err(x, "prometheus", "tls_cert", "cannot read %s: %s", c->prom_tls_cert,
			strerror(errno));
	if (!c->prom_listen && (c->prom_token_file || c->prom_tls_cert))
		cfg_warn(x, "prometheus", NULL, "ignored without listen");
}

/* Editors on other systems start a UTF-8 file with a byte-order mark,
 * which iniparser reads as part of the first line. When F starts with one,
 * an fd of a copy without it; -ENOENT when it does not; -errno. */
static int cfg_without_bom(FILE *f)
{
	char buf[4096];
	size_t n;
	int fd;

	rewind(f);
	n = fread(buf, 1, 3, f);
	if (n != 3 || memcmp(buf, CFG_UTF8_BOM, 3))
		return -ENOENT;
	fd = memfd_create("lxcollectd.ini", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -EIO;
		}
	return fd;
}

/* Open and parse the file; false when there is nothing more to check. */
static bool cfg_read(struct cfg_ctx *x, const char *path, bool must_exist)
{
	struct stat st;
	int bom_fd;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return false;
		cfg_err(x, NULL, NULL, "cannot open: %s", strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		cfg_err(x, NULL, NULL, "not a regular file");
		fclose(f);
		return false;
	}
	x->c->path = strdup(path);
	if (!x->c->path)
		x->nomem = true;
	if (cfg_scan_keys(f, cfg_scan_report, x) < 0)
		x->nomem = true;

	cfg_ini_error[0] = '\0';
	iniparser_set_error_callback(cfg_ini_errback);
	bom_fd = cfg_without_bom(f);
	if (bom_fd == -ENOMEM)
		x->nomem = true;
	if (bom_fd >= 0) {
		char fdpath[64];

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", bom_fd);
		x->d = iniparser_load(fdpath);
		close(bom_fd);
	} else {
		x->d = iniparser_load(path);
	}
	iniparser_set_error_callback(NULL);
	if (!x->d) {
		/* "iniparser: syntax error in FILE (LINE):\n-> TEXT\n" */
		const char *m = strrchr(cfg_ini_error, '(');
		char *nl;

		while ((nl = strchr(cfg_ini_error, '\n')))
			*nl = ' ';
		for (nl = cfg_ini_error + strlen(cfg_ini_error); nl > cfg_ini_error && nl[-1] == ' ';)
			*--nl = '\0';
		if (m && strstr(cfg_ini_error, "syntax error"))
			cfg_err(x, NULL, NULL, "syntax error at line %d: %s", atoi(m + 1),
				strstr(m, "-> ") ? strstr(m, "-> ") + 3 : "");
		else
			cfg_err(x, NULL, NULL, "cannot parse: %s", *cfg_ini_error ? cfg_ini_error : "?");
	}
	fclose(f);
	return x->d != NULL;
}

int cfg_load(const char *path, bool must_exist, struct config **ret, struct cfg_report *report)
{
	struct cfg_report local = { { NULL, 0 }, { NULL, 0 } };
	struct cfg_ctx x = { .file = path ? path : CFG_DEFAULT_PATH, .rep = report ? report : &local };
	int r;

	memset(x.rep, 0, sizeof(*x.rep));
	x.c = calloc(1, sizeof(*x.c));
	if (!x.c)
		return -ENOMEM;
	r = cfg_defaults(x.c);
	if (r < 0) {
		cfg_free(x.c);
		return r;
	}
	if (cfg_read(&x, x.file, must_exist)) {
		cfg_check_names(&x);
		cfg_collector(&x);
		cfg_influxdb(&x);
		cfg_spool_log(&x);
		cfg_prometheus(&x);
	}
	if (x.d)
		iniparser_freedict(x.d);
	if (x.nomem)
		r = -ENOMEM;
	else if (x.rep->errors.n)
		r = -EINVAL;
	if (r < 0 || !ret)
		cfg_free(x.c);
	else
		*ret = x.c;
	cfg_report_free(&local);
	return r;
}

int cfg_load_defaults(struct config **ret)
{
	struct config *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = cfg_defaults(c);
	if (r < 0) {
		cfg_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

void cfg_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->hostname);
	free(c->cgroup_root);
	free(c->proc_root);
	strv_free(&c->include);
	strv_free(&c->exclude);
	strv_free(&c->interfaces_exclude);
	strv_free(&c->lxc_path);
	strv_free(&c->lxd_path);
	free(c->user);
	for (size_t i = 0; i < c->ntags; i++) {
		free(c->tags[i].key);
		free(c->tags[i].value);
	}
	free(c->tags);
	free(c->url);
	free(c->database);
	free(c->retention_policy);
	free(c->username);
	cfg_secret_free(c->password);
	free(c->password_file);
	free(c->org);
	free(c->bucket);
	cfg_secret_free(c->token);
	free(c->token_file);
	free(c->ca_file);
	free(c->spool_dir);
	free(c->prom_listen);
	free(c->prom_token_file);
	cfg_secret_free(c->prom_token);
	free(c->prom_tls_cert);
	free(c->prom_tls_key);
	free(c);
}

void cfg_report_free(struct cfg_report *r)
{
	if (!r)
		return;
	strv_free(&r->errors);
	strv_free(&r->warnings);
}
