/* status: see status.h. */
#include "collector/status.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Append to buf at *o, never past size. */
static void __attribute__((format(printf, 4, 5)))
add(char *buf, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, size - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n;
}

/* "1 point", "2 points" */
static void count(char *buf, size_t size, size_t *o, uint64_t n, const char *one,
		  const char *many)
{
	add(buf, size, o, "%" PRIu64 " %s", n, n == 1 ? one : many);
}

void status_start_line(char *buf, size_t size, const struct config *cfg, bool to_stdout)
{
	char url[512];
	size_t o = 0;

	add(buf, size, &o, "lxcollectd %s started: ", LXCOLLECTD_VERSION);
	if (cfg->path)
		add(buf, size, &o, "configuration %s", cfg->path);
	else
		add(buf, size, &o, "built-in defaults (no %s)", CFG_DEFAULT_PATH);
	add(buf, size, &o, ", every %" PRIu64 " s, ", cfg->interval_ms / 1000);
	if (to_stdout) {
		add(buf, size, &o, "to standard output");
		return;
	}
	add(buf, size, &o, "to %s ", cfg_url_redact(cfg->url, url, sizeof(url)));
	if (cfg->api == CFG_API_V2) {
		add(buf, size, &o, "(InfluxDB API v2, org %s, bucket %s%s)", cfg->org, cfg->bucket,
		    cfg->token ? ", with a token" : ", without a token");
		return;
	}
	add(buf, size, &o, "(InfluxDB API v1, database %s", cfg->database);
	if (cfg->retention_policy)
		add(buf, size, &o, ", retention policy %s", cfg->retention_policy);
	if (cfg->username)
		add(buf, size, &o, ", user %s", cfg->username);
	add(buf, size, &o, ")");
}

void status_cycle_line(char *buf, size_t size, int64_t tick_ns, const struct cycle_stats *st,
		       const struct deliver_stats *ds, uint64_t skipped)
{
	time_t t = (time_t)(tick_ns / 1000000000);
	char when[32] = "?";
	struct tm tm;
	size_t o = 0;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add(buf, size, &o, "cycle %s: ", when);
	count(buf, size, &o, st->containers, "container", "containers");
	if (st->left_out)
		add(buf, size, &o, " (%" PRIu64 " of %" PRIu64 " found left out by include/exclude)",
		    st->left_out, st->found);
	add(buf, size, &o, ", ");
	count(buf, size, &o, st->points + 1, "point", "points");
	add(buf, size, &o, "%s, %" PRIu64 " us", ds ? "" : " to standard output", st->cycle_us);
	if (ds) {
		add(buf, size, &o, "; ");
		if (ds->spool_bytes) {
			count(buf, size, &o, ds->spool_bytes, "byte", "bytes");
			add(buf, size, &o, " spooled");
		} else {
			add(buf, size, &o, "spool empty");
		}
		if (ds->dropped_points) {
			add(buf, size, &o, ", ");
			count(buf, size, &o, ds->dropped_points, "point", "points");
			add(buf, size, &o, " dropped");
		}
	}
	if (skipped) {
		add(buf, size, &o, ", ");
		count(buf, size, &o, skipped, "tick", "ticks");
		add(buf, size, &o, " skipped");
	}
}

bool status_journal_due(int64_t *last_ns, int64_t tick_ns)
{
	if (*last_ns && tick_ns - *last_ns < STATUS_JOURNAL_EVERY_NS)
		return false;
	*last_ns = tick_ns;
	return true;
}
