/* config_print: the effective configuration as an INI file
 * (`lxcollectd --print-config`). What it prints, cfg_load() reads back to
 * the same values; secrets are never printed (their files are, and a
 * URL's password shows as ***). */
#include "collector/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

/* iniparser ends a value at ';' or '#' and trims it: such a value is
 * quoted (none of ours can hold a '"': names, paths, URLs). */
static void put_value(FILE *f, const char *key, const char *v)
{
	size_t n = v ? strlen(v) : 0;
	bool quote = n && (strpbrk(v, ";#") || v[0] == ' ' || v[n - 1] == ' ');

	if (!n)
		fprintf(f, "%s =\n", key);
	else
		fprintf(f, "%s = %s%s%s\n", key, quote ? "\"" : "", v, quote ? "\"" : "");
}

static void put_list(FILE *f, const char *key, const struct strv *l)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 2;
	s = calloc(1, len);
	if (!s) {
		fprintf(f, "%s = ; (out of memory)\n", key);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, l->v[i]);
	}
	put_value(f, key, s);
	free(s);
}

static void put_duration(FILE *f, const char *key, uint64_t ms)
{
	if (ms % 3600000 == 0)
		fprintf(f, "%s = %" PRIu64 "h\n", key, ms / 3600000);
	else if (ms % 60000 == 0)
		fprintf(f, "%s = %" PRIu64 "m\n", key, ms / 60000);
	else if (ms % 1000 == 0)
		fprintf(f, "%s = %" PRIu64 "s\n", key, ms / 1000);
	else
		fprintf(f, "%s = %" PRIu64 "ms\n", key, ms);
}

static void put_size(FILE *f, const char *key, uint64_t n)
{
	static const char *const units[] = { "", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && n && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	fprintf(f, "%s = %" PRIu64 "%s\n", key, n, units[u]);
}

static const char *metric_list(unsigned m, char *buf, size_t size)
{
	static const char *const names[] = { "cpu", "memory", "pids", "io", "pressure", "net", "state" };

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (m & (1u << i))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 names[i]);
	return buf;
}

static const char *level_name(int prio)
{
	switch (prio) {
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_DEBUG:
		return "debug";
	default:
		return "info";
	}
}

int cfg_print(const struct config *c, FILE *f)
{
	char buf[2048];
	bool v1;

	fprintf(f, "; lxcollectd: effective configuration, from %s\n",
		c->path ? c->path : "the built-in defaults (no configuration file)");
	fprintf(f, "[collector]\n");
	put_duration(f, "interval", c->interval_ms);
	put_value(f, "hostname", c->hostname);
	put_value(f, "cgroup_root", c->cgroup_root);
	put_value(f, "proc_root", c->proc_root);
	put_list(f, "include", &c->include);
	put_list(f, "exclude", &c->exclude);
	put_list(f, "interfaces_exclude", &c->interfaces_exclude);
	put_list(f, "lxc_path", &c->lxc_path);
	put_list(f, "lxd_path", &c->lxd_path);
	put_value(f, "metrics", metric_list(c->metrics, buf, sizeof(buf)));
	put_value(f, "schema", c->schema == CFG_SCHEMA_LXD2INFLUX ? "lxd2influx" : "default");
	put_value(f, "user", c->user);
	buf[0] = '\0';
	for (size_t i = 0; i < c->ntags; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s=%s", i ? ", " : "",
			 c->tags[i].key, c->tags[i].value);
	put_value(f, "tags", buf);

	fprintf(f, "\n[influxdb]\n");
	put_value(f, "url", cfg_url_redact(c->url, buf, sizeof(buf)));
	put_value(f, "api", c->api == CFG_API_V2 ? "v2" : "v1");
	/* the other API's keys are not used: shown empty */
	v1 = c->api == CFG_API_V1;
	put_value(f, "database", v1 ? c->database : NULL);
	put_value(f, "retention_policy", v1 ? c->retention_policy : NULL);
	put_value(f, "username", v1 ? c->username : NULL);
	put_value(f, "password_file", v1 ? c->password_file : NULL);
	put_value(f, "org", v1 ? NULL : c->org);
	put_value(f, "bucket", v1 ? NULL : c->bucket);
	put_value(f, "token_file", v1 ? NULL : c->token_file);
	put_value(f, "gzip", c->gzip ? "true" : "false");
	put_duration(f, "timeout", c->timeout_ms);
	put_value(f, "ca_file", c->ca_file);
	put_value(f, "tls_verify", c->tls_verify ? "true" : "false");

	fprintf(f, "\n[spool]\n");
	put_value(f, "dir", c->spool_dir);
	put_size(f, "max_size", c->spool_max_size);

	fprintf(f, "\n[log]\n");
	put_value(f, "level", level_name(c->log_level));

	fprintf(f, "\n[prometheus]\n");
	put_value(f, "listen", c->prom_listen);
	put_value(f, "token_file", c->prom_token_file);
	put_value(f, "tls_cert", c->prom_tls_cert);
	put_value(f, "tls_key", c->prom_tls_key);
	return ferror(f) ? -EIO : 0;
}
