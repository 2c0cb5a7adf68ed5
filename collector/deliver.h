/* deliver: the delivery policy between the collection loop and InfluxDB.
 *
 * The collection thread hands each cycle's line protocol to
 * deliver_enqueue(), which compresses it (when [influxdb] gzip is on) and
 * appends it to the spool on disk: it may wait for the disk, never for the
 * network. One sender thread, started by deliver_new(), sends the spooled
 * batches oldest first over one reused connection:
 *
 *   2xx                       delivered, removed from the spool
 *   413                       split in two halves by lines, each retried;
 *                             a single line still too large is rejected
 *   other 4xx but 408, 429    rejected: moved to SPOOL/rejected/, logged
 *   transport errors, 5xx,    retried with capped exponential back-off
 *   408, 429                  (1 s doubling to 60 s, with jitter)
 *
 * Nothing is dropped while the spool has room; beyond [spool] max_size the
 * oldest batches are dropped and their points counted. Outages are logged
 * when they start and when they end, not at every retry.
 *
 * Start-up order: deliver_new() starts a thread, so call it after
 * fork()ing helpers and after dropping privileges (capabilities are per
 * thread), from the main thread while no other thread uses curl (it
 * calls http_global_init()). The sender thread blocks every signal, so
 * SIGTERM and SIGHUP always reach the main thread. */
#ifndef LXC_DELIVER_H
#define LXC_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct deliver;

struct deliver_stats {
	uint64_t spool_bytes;      /* bytes waiting in the spool */
	uint64_t spool_batches;    /* batches waiting in the spool */
	uint64_t dropped_points;   /* lost: spool full or unwritable */
	uint64_t write_errors;     /* attempts that did not end in 2xx */
	uint64_t rejected_points;  /* moved to rejected/ */
	uint64_t rejected_batches;
	uint64_t delivered_points; /* answered 2xx */
	uint64_t delivered_batches;
};

/* Open the spool (cfg->spool_dir, cfg->spool_max_size), prepare the HTTP
 * endpoint and start the sender thread, which replays what the spool
 * already holds before anything new. CFG is not kept. Logs the reason of
 * a failure itself; returns -errno. */
int deliver_new(const struct config *cfg, struct deliver **ret);

/* Apply a new configuration's [influxdb] section and [spool] max_size
 * (SIGHUP). A different [spool] dir is not followed until a restart (one
 * warning). On error the old settings stay in force. */
int deliver_reload(struct deliver *d, const struct config *cfg);

/* Queue one batch of POINTS lines (plain line protocol, each ending in
 * '\n'). Returns 0 when it is spooled; -EFBIG (larger than max_size) or
 * another -errno when it could not be stored: its points are counted as
 * dropped and the failure is logged. Never blocks on the network. */
int deliver_enqueue(struct deliver *d, const void *data, size_t len, uint32_t points);

/* Wait until the spool is empty. Returns 1 when it is (everything sent:
 * delivered or rejected, see the stats), 0 when timeout_ms passed or an
 * attempt failed in a way that is retried later (the server is down: no
 * point in waiting through the back-off; the data stays spooled). For
 * --once / --count. */
int deliver_wait_idle(struct deliver *d, uint64_t timeout_ms);

/* For SIGTERM: cut any back-off short and keep trying for up to
 * timeout_ms. Returns 1 when the spool was emptied, 0 otherwise (the rest
 * stays in the spool for the next start). */
int deliver_flush(struct deliver *d, uint64_t timeout_ms);

void deliver_get_stats(struct deliver *d, struct deliver_stats *ret);

/* Stop the sender (a request in flight is aborted; its batch stays in the
 * spool) and close everything. */
void deliver_free(struct deliver *d);

#endif
