/* deliver: the sender thread and its policy; see deliver.h.
 *
 * Locking: d->lock guards every field below it in struct deliver; the
 * spool has its own lock and is never called with d->lock held for long.
 * The network is only touched by the sender thread, without d->lock. */
#include "collector/deliver.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/config.h"
#include "collector/http.h"
#include "collector/log.h"
#include "collector/spool.h"
#include "util/util.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define FLUSH_BACKOFF_MS 1000
/* a 413 batch is inflated to be split; more than this is not ours */
#define SPLIT_MAX_BYTES (1024u * 1024u * 1024u)

struct deliver {
	struct spool *spool;
	char *spool_dir;
	pthread_t thread;
	bool started;

	pthread_mutex_t lock;
	pthread_cond_t wake; /* the sender waits for work or its next attempt */
	pthread_cond_t done; /* waiters: an attempt ended or the spool ran empty */
	struct http *http;      /* used by the sender without the lock */
	struct http *http_next; /* from deliver_reload(), taken by the sender */
	bool gzip;
	bool stop;
	bool flushing;
	uint64_t next_attempt_ms; /* CLOCK_MONOTONIC */
	unsigned failures;        /* consecutive retryable failures */
	bool down;
	uint64_t down_since_ms;
	uint64_t down_dropped; /* dropped_points when the outage began */
	bool full_logged;
	bool store_failing;
	uint64_t retryable; /* total retryable failures, for deliver_wait_idle() */
	uint32_t rng;
	struct deliver_stats st; /* except the spool's figures */
};

static struct timespec abstime(uint64_t ms)
{
	return (struct timespec){ .tv_sec = (time_t)(ms / 1000),
				  .tv_nsec = (long)(ms % 1000) * 1000000 };
}

static uint32_t rnd_nolock(struct deliver *d)
{
	/* xorshift32: jitter only needs to differ between hosts */
	uint32_t x = d->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return d->rng = x;
}

static void delivered(struct deliver *d, const struct spool_batch *b)
{
	int r = spool_remove(d->spool, b->seq);

	pthread_mutex_lock(&d->lock);
	d->st.delivered_batches++;
	d->st.delivered_points += b->points;
	d->failures = 0;
	d->next_attempt_ms = 0;
	d->full_logged = false;
	if (d->down) {
		uint64_t lost = spool_dropped_points(d->spool) - d->down_dropped;
		char extra[64] = "";
		if (lost)
			snprintf(extra, sizeof(extra), "; %" PRIu64 " points dropped for room", lost);
		d->down = false;
		log_info("InfluxDB delivery works again after %.1f s; %zu batches still spooled%s",
			 (double)((uint64_t)clock_ms(CLOCK_MONOTONIC) - d->down_since_ms) / 1000, spool_batches(d->spool),
			 extra);
	}
	pthread_mutex_unlock(&d->lock);
	if (r < 0 && r != -ENOENT)
		log_error("spool: cannot remove a delivered batch: %s", strerror(-r));
}

static void rejected(struct deliver *d, const struct spool_batch *b, const char *why)
{
	int r = spool_reject(d->spool, b->seq);

	if (r == -ENOENT)
		return; /* dropped for room meanwhile */
	if (r < 0) {
		/* never retry a bad batch forever: delete it instead */
		log_error("spool: cannot move a refused batch to %s/rejected (%s), deleting it",
			  d->spool_dir, strerror(-r));
		spool_remove(d->spool, b->seq);
	}
	log_error("InfluxDB refused a batch of %" PRIu32 " points (%s); %s", b->points, why,
		  r == 0 ? "moved to the spool's rejected/" : "deleted");
	pthread_mutex_lock(&d->lock);
	d->st.rejected_batches++;
	d->st.rejected_points += b->points;
	d->failures = 0;
	d->next_attempt_ms = 0;
	pthread_mutex_unlock(&d->lock);
}

/* HEADLINE says what failed: "InfluxDB unreachable" only when no server
 * answered; a server that answered with an error is not unreachable. */
static void retry_later(struct deliver *d, const char *headline, const char *why)
{
	uint64_t now = (uint64_t)clock_ms(CLOCK_MONOTONIC), delay;

	pthread_mutex_lock(&d->lock);
	d->retryable++;
	if (d->failures < 16)
		d->failures++;
	delay = (uint64_t)BACKOFF_MIN_MS << (d->failures - 1);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	if (d->flushing && delay > FLUSH_BACKOFF_MS)
		delay = FLUSH_BACKOFF_MS;
	/* full jitter on the upper half: hosts that lost InfluxDB together
	 * must not all come back in the same second */
	delay = delay / 2 + rnd_nolock(d) % (delay / 2 + 1);
	d->next_attempt_ms = now + delay;
	if (!d->down) {
		d->down = true;
		d->down_since_ms = now;
		d->down_dropped = spool_dropped_points(d->spool);
		log_warning("%s: %s; retrying with back-off, %zu batches spooled", headline, why,
			    spool_batches(d->spool));
	} else {
		log_debug("%s again: %s; next attempt in %" PRIu64 " ms", headline, why, delay);
	}
	pthread_mutex_unlock(&d->lock);
}

static uint32_t count_lines(const char *p, size_t len)
{
	uint32_t n = 0;
	bool in_line = false;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			n += in_line;
			in_line = false;
		} else {
			in_line = true;
		}
	}
	return n + in_line;
}

/* 413: cut the batch at the line boundary nearest its middle and queue
 * both halves in its place. Returns 0, or -ERANGE when it cannot be split
 * (a single line, or no room for another split). */
static int split(struct deliver *d, const struct spool_batch *b)
{
	void *plain = b->data, *za = NULL, *zb = NULL;
	size_t plen = b->len, end, cut, alen, blen, zalen = 0, zblen = 0;
	const char *p;
	int r;

	if (b->gzipped) {
		r = http_gunzip(b->data, b->len, SPLIT_MAX_BYTES, &plain, &plen);
		if (r < 0)
			return r;
	}
	p = plain;
	end = plen; /* the last line's '\n' is no place to cut */
	while (end > 0 && p[end - 1] == '\n')
		end--;
	cut = end / 2;
	while (cut < end && p[cut] != '\n')
		cut++;
	if (cut == end) {
		cut = end / 2;
		while (cut > 0 && p[cut] != '\n')
			cut--;
	}
	if (cut == 0) {
		r = -ERANGE;
		goto out;
	}
	alen = cut + 1;
	blen = plen - alen;
	uint32_t apoints = count_lines(p, alen), bpoints = count_lines(p + alen, blen);
	if (b->gzipped) {
		r = http_gzip(p, alen, &za, &zalen);
		if (r == 0)
			r = http_gzip(p + alen, blen, &zb, &zblen);
		if (r < 0)
			goto out;
		r = spool_split(d->spool, b->seq, za, zalen, apoints, zb, zblen, bpoints);
	} else {
		r = spool_split(d->spool, b->seq, p, alen, apoints, p + alen, blen, bpoints);
	}
	if (r == 0)
		log_info("InfluxDB refused a batch of %" PRIu32 " points as too large (HTTP 413), "
			 "split into %" PRIu32 " + %" PRIu32,
			 b->points, apoints, bpoints);
out:
	free(za);
	free(zb);
	if (plain != b->data)
		free(plain);
	return r;
}

/* One attempt at the oldest batch. */
static void attempt(struct deliver *d, struct http *h)
{
	struct spool_batch b;
	char err[HTTP_ERR_MAX], why[HTTP_WHY_MAX];
	const char *headline;
	int status, r;

	r = spool_peek_oldest(d->spool, &b);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot read the spool %s: %s", d->spool_dir,
			 strerror(-r));
		retry_later(d, "delivery paused", why);
		return;
	}
	status = http_post(h, b.data, b.len, b.gzipped, err);
	if (status == -ECANCELED)
		goto out;
	if (status >= 200 && status < 300) {
		delivered(d, &b);
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	d->st.write_errors++;
	pthread_mutex_unlock(&d->lock);
	http_explain(h, status, err, why, sizeof(why));
	headline = status < 0 ? "InfluxDB unreachable" : "InfluxDB write failed";
	if (status == 413) {
		r = split(d, &b);
		if (r == -ERANGE || r == -EINVAL || r == -EBADMSG || r == -EFBIG)
			rejected(d, &b, why);
		else if (r < 0)
			retry_later(d, "delivery paused", "cannot split a batch InfluxDB found too large");
	} else if (status == 401 || status == 403 || status == 404) {
		/* not this batch's fault but the setup's (credentials, a
		 * missing database): every batch would fail alike, so keep
		 * them all and retry until the operator fixes it */
		retry_later(d, headline, why);
	} else if (status >= 400 && status < 500 && status != 408 && status != 429) {
		rejected(d, &b, why);
	} else {
		retry_later(d, headline, why);
	}
out:
	spool_batch_free(&b);
}

static void *sender(void *arg)
{
	struct deliver *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		if (d->http_next) {
			http_free(d->http);
			d->http = d->http_next;
			d->http_next = NULL;
		}
		if (spool_batches(d->spool) == 0) {
			pthread_cond_broadcast(&d->done);
			pthread_cond_wait(&d->wake, &d->lock);
			continue;
		}
		if ((uint64_t)clock_ms(CLOCK_MONOTONIC) < d->next_attempt_ms) {
			struct timespec ts = abstime(d->next_attempt_ms);
			pthread_cond_timedwait(&d->wake, &d->lock, &ts);
			continue;
		}
		struct http *h = d->http;
		pthread_mutex_unlock(&d->lock);
		attempt(d, h);
		pthread_mutex_lock(&d->lock);
		pthread_cond_broadcast(&d->done);
	}
	pthread_cond_broadcast(&d->done);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int deliver_new(const struct config *cfg, struct deliver **ret)
{
	struct deliver *d;
	pthread_condattr_t ca;
	sigset_t all, old;
	int r;

	r = http_global_init();
	if (r < 0) {
		log_error("cannot initialise libcurl");
		return r;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &ca);
	pthread_cond_init(&d->done, &ca);
	pthread_condattr_destroy(&ca);
	d->gzip = cfg->gzip;
	d->rng = (uint32_t)((uint64_t)clock_ms(CLOCK_MONOTONIC) * 2654435761u) ^ (uint32_t)getpid() ^ 0x9e3779b9u;
	if (!d->rng)
		d->rng = 1;
	d->spool_dir = strdup(cfg->spool_dir ? cfg->spool_dir : "");
	if (!d->spool_dir) {
		r = -ENOMEM;
		goto fail;
	}
	r = spool_open(d->spool_dir, cfg->spool_max_size, &d->spool);
	if (r < 0) {
		log_error("cannot open the spool directory %s: %s", d->spool_dir, strerror(-r));
		goto fail;
	}
	r = http_new(cfg, &d->http);
	if (r < 0) {
		log_error("[influxdb]: cannot set up writes to %s: %s", cfg->url ? cfg->url : "(none)",
			  strerror(-r));
		goto fail;
	}
	if (spool_batches(d->spool) > 0)
		log_info("replaying %zu spooled batches (%" PRIu64 " bytes) from %s",
			 spool_batches(d->spool), spool_bytes(d->spool), d->spool_dir);

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&d->thread, NULL, sender, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		log_error("cannot start the sender thread: %s", strerror(-r));
		goto fail;
	}
	d->started = true;
	*ret = d;
	return 0;
fail:
	deliver_free(d);
	return r;
}

int deliver_reload(struct deliver *d, const struct config *cfg)
{
	struct http *h;
	int r;

	r = http_new(cfg, &h);
	if (r < 0) {
		log_error("[influxdb]: cannot set up writes to %s: %s, keeping the old settings",
			  cfg->url ? cfg->url : "(none)", strerror(-r));
		return r;
	}
	if (cfg->spool_dir && strcmp(cfg->spool_dir, d->spool_dir) != 0)
		log_warning("[spool] dir changes to %s only after a restart, still using %s",
			    cfg->spool_dir, d->spool_dir);
	spool_set_max_size(d->spool, cfg->spool_max_size);
	pthread_mutex_lock(&d->lock);
	http_free(d->http_next);
	d->http_next = h;
	d->gzip = cfg->gzip;
	d->failures = 0;
	d->next_attempt_ms = 0; /* a fixed URL or token is tried at once */
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int deliver_enqueue(struct deliver *d, const void *data, size_t len, uint32_t points)
{
	void *z = NULL;
	size_t zlen = 0;
	uint64_t before;
	bool gzip;
	int r;

	pthread_mutex_lock(&d->lock);
	gzip = d->gzip;
	pthread_mutex_unlock(&d->lock);
	if (gzip) {
		r = http_gzip(data, len, &z, &zlen);
		if (r < 0)
			goto fail;
	}
	before = spool_dropped_points(d->spool);
	r = spool_append(d->spool, z ? z : data, z ? zlen : len, points, z != NULL);
	free(z);
	if (r == -EFBIG) {
		log_error("a batch of %" PRIu32 " points (%zu bytes) is larger than [spool] "
			  "max_size, dropped",
			  points, gzip ? zlen : len);
		return r;
	}
	if (r < 0)
		goto fail;
	pthread_mutex_lock(&d->lock);
	if (d->store_failing) {
		d->store_failing = false;
		log_info("spool %s: storing batches works again", d->spool_dir);
	}
	if (spool_dropped_points(d->spool) > before && !d->full_logged) {
		d->full_logged = true;
		log_warning("spool %s is full ([spool] max_size): dropping the oldest batches",
			    d->spool_dir);
	}
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	return 0;
fail:
	pthread_mutex_lock(&d->lock);
	d->st.dropped_points += points;
	if (!d->store_failing) {
		d->store_failing = true;
		log_error("spool %s: cannot store a batch: %s; its %" PRIu32 " points are lost",
			  d->spool_dir, strerror(-r), points);
	}
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* Wait on d->done until the spool is empty, the deadline passes or
 * STOP_EARLY says so. Called with d->lock held. */
static int wait_empty_nolock(struct deliver *d, uint64_t timeout_ms, bool stop_on_failure)
{
	uint64_t deadline = (uint64_t)clock_ms(CLOCK_MONOTONIC) + timeout_ms, failures = d->retryable;
	struct timespec ts = abstime(deadline);

	while (spool_batches(d->spool) > 0 && !d->stop) {
		if (stop_on_failure && (d->down || d->retryable != failures))
			break;
		if (pthread_cond_timedwait(&d->done, &d->lock, &ts) == ETIMEDOUT)
			break;
	}
	return spool_batches(d->spool) == 0;
}

int deliver_wait_idle(struct deliver *d, uint64_t timeout_ms)
{
	pthread_mutex_lock(&d->lock);
	int r = wait_empty_nolock(d, timeout_ms, true);
	pthread_mutex_unlock(&d->lock);
	return r;
}

int deliver_flush(struct deliver *d, uint64_t timeout_ms)
{
	pthread_mutex_lock(&d->lock);
	d->flushing = true;
	if (d->next_attempt_ms > (uint64_t)clock_ms(CLOCK_MONOTONIC) + FLUSH_BACKOFF_MS)
		d->next_attempt_ms = 0;
	pthread_cond_signal(&d->wake);
	int r = wait_empty_nolock(d, timeout_ms, false);
	d->flushing = false;
	pthread_mutex_unlock(&d->lock);
	return r;
}

void deliver_get_stats(struct deliver *d, struct deliver_stats *ret)
{
	pthread_mutex_lock(&d->lock);
	*ret = d->st;
	pthread_mutex_unlock(&d->lock);
	ret->spool_bytes = spool_bytes(d->spool);
	ret->spool_batches = spool_batches(d->spool);
	ret->dropped_points += spool_dropped_points(d->spool);
}

void deliver_free(struct deliver *d)
{
	if (!d)
		return;
	if (d->started) {
		pthread_mutex_lock(&d->lock);
		d->stop = true;
		if (d->http)
			http_cancel(d->http);
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->thread, NULL);
	}
	http_free(d->http);
	http_free(d->http_next);
	spool_close(d->spool);
	pthread_cond_destroy(&d->wake);
	pthread_cond_destroy(&d->done);
	pthread_mutex_destroy(&d->lock);
	free(d->spool_dir);
	free(d);
}
