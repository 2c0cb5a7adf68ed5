/* deliverfeed: push numbered batches through collector/deliver.c, for
 * tests/integration/deliver.sh.
 *
 *   deliverfeed -u URL -s SPOOL [-a v1|v2] [-d DB] [-r RP] [-o ORG] [-b BUCKET]
 *               [-T TOKEN] [-U USER -P PASSWORD] [-z] [-t TIMEOUT_MS]
 *               [-M MAX_SIZE] [-n BATCHES] [-p POINTS] [-k FIRST]
 *               [-m MEASUREMENT] [-x K] [-w WAIT_MS] [-f FLUSH_MS] [-v]
 *
 * Batch K (FIRST, FIRST+1, ...) holds POINTS lines
 *   MEASUREMENT,batch=K i=Ji,x=Vi TS
 * with J = 0..POINTS-1, V = K*1000+J and TS = 1600000000000000000 +
 * K*1000 + J, so every point is distinct and its origin visible. With
 * -x K, batch K writes x as a string (a field type conflict for InfluxDB).
 * After enqueueing: deliver_wait_idle(WAIT_MS) when -w is given, then
 * deliver_flush(FLUSH_MS) when -f is given. Prints the counters as
 * "name=value" lines on stdout; log lines go to stderr. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/config.h"
#include "collector/deliver.h"
#include "collector/log.h"
#include "collector/lp.h"

static void usage(void)
{
	fprintf(stderr, "usage: deliverfeed -u URL -s SPOOL [options]: see deliverfeed.c\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct deliver *d = NULL;
	struct deliver_stats st;
	struct lp_buf b;
	uint64_t n = 1, points = 10, first = 1, string_batch = 0;
	long wait_ms = -1, flush_ms = -1;
	const char *meas = "feed";
	int opt, level = LOG_INFO, rc = 0;

	cfg.api = CFG_API_V1;
	cfg.database = "feed";
	cfg.timeout_ms = 2000;
	cfg.tls_verify = true;
	while ((opt = getopt(argc, argv, "u:s:a:d:r:o:b:T:U:P:zt:M:n:p:k:m:x:w:f:v")) != -1) {
		switch (opt) {
		case 'u': cfg.url = optarg; break;
		case 's': cfg.spool_dir = optarg; break;
		case 'a': cfg.api = strcmp(optarg, "v2") == 0 ? CFG_API_V2 : CFG_API_V1; break;
		case 'd': cfg.database = optarg; break;
		case 'r': cfg.retention_policy = optarg; break;
		case 'o': cfg.org = optarg; break;
		case 'b': cfg.bucket = optarg; break;
		case 'T': cfg.token = optarg; break;
		case 'U': cfg.username = optarg; break;
		case 'P': cfg.password = optarg; break;
		case 'z': cfg.gzip = true; break;
		case 't': cfg.timeout_ms = strtoull(optarg, NULL, 10); break;
		case 'M': cfg.spool_max_size = strtoull(optarg, NULL, 10); break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'p': points = strtoull(optarg, NULL, 10); break;
		case 'k': first = strtoull(optarg, NULL, 10); break;
		case 'm': meas = optarg; break;
		case 'x': string_batch = strtoull(optarg, NULL, 10); break;
		case 'w': wait_ms = strtol(optarg, NULL, 10); break;
		case 'f': flush_ms = strtol(optarg, NULL, 10); break;
		case 'v': level = LOG_DEBUG; break;
		default: usage();
		}
	}
	if (!cfg.url || !cfg.spool_dir || points == 0 || points > 1000)
		usage();
	log_init(level);
	if (deliver_new(&cfg, &d) < 0)
		return 1;

	lp_buf_init(&b);
	for (uint64_t k = first; k < first + n; k++) {
		char batch[32], *text = NULL;
		size_t len = 0;
		lp_buf_reset(&b);
		snprintf(batch, sizeof(batch), "%" PRIu64, k);
		if (k == string_batch) {
			/* lp.c writes no string fields: this batch is hand-made */
			FILE *f = open_memstream(&text, &len);
			for (uint64_t j = 0; f && j < points; j++)
				fprintf(f, "%s,batch=%s i=%" PRIu64 "i,x=\"s%" PRIu64 "\" %" PRIu64 "\n",
					meas, batch, j, k * 1000 + j,
					UINT64_C(1600000000000000000) + k * 1000 + j);
			if (!f || fclose(f) != 0)
				return 1;
		}
		for (uint64_t j = 0; !text && j < points; j++) {
			uint64_t v = k * 1000 + j;
			lp_begin(&b, meas);
			lp_tag(&b, "batch", batch);
			lp_field_u64(&b, "i", j);
			lp_field_u64(&b, "x", v);
			if (lp_end(&b, (int64_t)(UINT64_C(1600000000000000000) + v)) < 0) {
				fprintf(stderr, "deliverfeed: encoding failed\n");
				return 1;
			}
		}
		if (deliver_enqueue(d, text ? text : b.data, text ? len : b.len, (uint32_t)points) < 0)
			rc = 2;
		free(text);
	}
	lp_buf_free(&b);
	if (wait_ms >= 0)
		deliver_wait_idle(d, (uint64_t)wait_ms);
	if (flush_ms >= 0)
		deliver_flush(d, (uint64_t)flush_ms);
	deliver_get_stats(d, &st);
	printf("delivered_points=%" PRIu64 "\ndelivered_batches=%" PRIu64
	       "\nrejected_points=%" PRIu64 "\nrejected_batches=%" PRIu64
	       "\ndropped_points=%" PRIu64 "\nwrite_errors=%" PRIu64 "\nspool_batches=%" PRIu64
	       "\nspool_bytes=%" PRIu64 "\n",
	       st.delivered_points, st.delivered_batches, st.rejected_points, st.rejected_batches,
	       st.dropped_points, st.write_errors, st.spool_batches, st.spool_bytes);
	deliver_free(d);
	return rc;
}
