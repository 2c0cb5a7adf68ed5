/* spool: a directory-backed FIFO of line-protocol batches, so that
 * undelivered data survives restarts and outages.
 *
 * One file per batch, named "SEQ-POINTS.lp" or "SEQ-POINTS.lp.gz" (SEQ is
 * 16 hex digits, so names sort in queue order). Each file is written to a
 * ".tmp.*" name in the same directory, fsync'd, renamed and the directory
 * fsync'd: power loss loses at most the batch being written. Batches the
 * server refused for good are moved to DIR/rejected/ with the same name.
 *
 * Every new batch gets a SEQ that is a multiple of 2^32; the 2^32 numbers
 * below the next batch are room for splitting it (a 413 answer) into
 * halves that keep their place at the head of the queue.
 *
 * All functions are thread-safe (one mutex inside). The spool never logs. */
#ifndef LXC_SPOOL_H
#define LXC_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spool;

struct spool_batch {
	uint64_t seq; /* identifies the batch in spool_remove() & co. */
	uint32_t points;
	bool gzipped;
	void *data; /* malloc'd; spool_batch_free() */
	size_t len;
};

/* Open (mkdir -p, mode 0700) DIR and DIR/rejected, remove leftover temp
 * files and index the batches found, oldest first. max_size bounds the
 * sum of the batches' sizes in bytes; 0 means no bound. */
int spool_open(const char *dir, uint64_t max_size, struct spool **ret);
void spool_close(struct spool *s);
void spool_set_max_size(struct spool *s, uint64_t max_size);

/* Store a batch at the tail. To stay within max_size the oldest batches
 * are deleted first and their points counted as dropped. A batch larger
 * than max_size on its own is not stored: its points are counted as
 * dropped and -EFBIG returned. Other errors (-ENOSPC, -EIO...) leave the
 * queue as it was and count nothing: the caller decides. */
int spool_append(struct spool *s, const void *data, size_t len, uint32_t points, bool gzipped);

/* Load the oldest batch. -ENOENT when the spool is empty. */
int spool_peek_oldest(struct spool *s, struct spool_batch *ret);
void spool_batch_free(struct spool_batch *b);

/* Delete (delivered) or move to rejected/ the batch SEQ. -ENOENT when it
 * is no longer queued (dropped for room meanwhile). */
int spool_remove(struct spool *s, uint64_t seq);
int spool_reject(struct spool *s, uint64_t seq);

/* Replace batch SEQ by two batches that take its place in the queue, A
 * before B. The B file is made durable before A replaces the original, so
 * a crash in between can only repeat B's lines, never lose them. -ERANGE
 * when SEQ has been split too often to have room for another half,
 * -ENOENT when it is gone. */
int spool_split(struct spool *s, uint64_t seq, const void *a, size_t alen, uint32_t apoints,
		const void *b, size_t blen, uint32_t bpoints);

uint64_t spool_bytes(struct spool *s);
size_t spool_batches(struct spool *s);
uint64_t spool_dropped_points(struct spool *s);

#endif
