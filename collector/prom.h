/* prom: the Prometheus endpoint. A small HTTP server (libmicrohttpd, in
 * its own thread) serves the last completed cycle as a Prometheus or
 * OpenMetrics exposition. The collector hands each finished cycle's line
 * protocol to prom_publish(); a scrape only renders and compresses that
 * snapshot, so it never triggers collection, never waits on delivery and
 * never sees two cycles mixed.
 *
 * prom_render() and the negotiation helpers are pure (no I/O, no
 * logging); prom_new()/prom_start() log nothing either: they return
 * errors that main.c reports. */
#ifndef LXC_PROM_H
#define LXC_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/config.h"
#include "collector/lp.h"

enum prom_format {
	PROM_FMT_TEXT,	      /* text/plain; version=0.0.4 */
	PROM_FMT_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
	PROM_FMT_MAX,
};

/* What an endpoint serves: its families and where each sample comes from. */
enum prom_type { PT_GAUGE, PT_COUNTER };

struct prom_family {
	const char *name; /* without the "_total" a counter's samples get */
	enum prom_type type;
	const char *help;
};

/* Line protocol (measurement, field) -> family. DIV: the field is divided
 * by it (unit conversion); 1 copies an integer as it is. LABELS: extra
 * labels of the sample, written first (NULL: none). A FIELD ending in
 * '#' is numbered: it matches the fields named as it is without the '#'
 * followed by a number, which replaces each '#' in LABELS ("u#" and
 * "cpu=\"#\"" make field u3 a sample with cpu="3"). Rows of one
 * measurement are adjacent. */
struct prom_map {
	const char *measurement;
	const char *field;
	unsigned fam;
	uint64_t div;
	const char *labels;
};

#define PROM_MAX_FAMILIES 64

struct prom_profile {
	const struct prom_family *fams; /* written in this order */
	unsigned nfams;			/* <= PROM_MAX_FAMILIES */
	const struct prom_map *maps;
	size_t nmaps;
	bool lxd;	    /* LXD's labels (name, project, type, device) */
	int fam_last_cycle; /* the renderer's own samples: families, -1: none */
	int fam_build;
};

/* /metrics: lxcollectd's own families (prom_render.c). */
extern const struct prom_profile prom_own_profile;
/* /1.0/metrics: LXD 5.0's (prom_lxd.c). */
extern const struct prom_profile prom_lxd_profile;

/* What a rendering saw, for tests and debug messages. */
struct prom_render_stats {
	uint64_t samples;
	uint64_t families;
	uint64_t unmapped;  /* fields with no family (should stay 0) */
	uint64_t bad_lines; /* lines or values that did not parse (should stay 0) */
};

/* Render one cycle's line protocol (LP, LEN bytes, as collect.c and
 * net.c write it) as lxcollectd's own families in Prometheus conventions,
 * appended to OUT: "# HELP"/"# TYPE" once per family, every sample of a
 * family together, base units (seconds, bytes, ratios), "_total" only on
 * counters. The "host" tag is left out (Prometheus adds "instance");
 * every other tag becomes a label. CYCLE_TS_NS: the cycle's timestamp,
 * reported as lxcollectd_last_cycle_timestamp_seconds. 0 or -ENOMEM. */
int prom_render(const char *lp, size_t len, int64_t cycle_ts_ns, const struct prom_profile *prof,
		enum prom_format fmt, struct lp_buf *out, struct prom_render_stats *ret_stats);

/* Which format an Accept header asks for (NULL: none sent): OpenMetrics
 * when it has a higher q-value than text/plain (or any wildcard), else
 * text. */
enum prom_format prom_negotiate(const char *accept);
/* Does an Accept-Encoding header accept gzip (q > 0, or "*")? */
bool prom_accepts_gzip(const char *accept_encoding);
const char *prom_content_type(enum prom_format fmt);

/* A parsed [prometheus] listen value "HOST:PORT" or "[V6ADDR]:PORT". */
int prom_parse_listen(const char *s, char *ret_host, size_t host_size, uint16_t *ret_port);

struct prom;

/* Where prom_new() failed: the [prometheus] key at fault and a message
 * ("cannot listen on 127.0.0.1:9101: Address already in use"). */
struct prom_error {
	const char *key;
	char msg[256];
};

/* While still privileged: bind and listen on cfg->prom_listen, read the
 * TLS certificate and key. Does not start serving. -errno with *err
 * filled. */
int prom_new(const struct config *cfg, struct prom **ret, struct prom_error *err);
/* After privileges are dropped: start the server thread. */
int prom_start(struct prom *p, struct prom_error *err);
/* After each cycle: this cycle's complete line protocol, and the lines
 * collected for /1.0/metrics only (SIDE, may be empty), become what scrapes
 * see (copied; the caller keeps its buffers). -ENOMEM leaves the previous
 * snapshot in place. */
int prom_publish(struct prom *p, const char *lp, size_t len, const char *side, size_t side_len,
		 int64_t ts_ns);
/* Stop serving (waits for the server thread) and free. NULL is fine. */
void prom_free(struct prom *p);

#endif
