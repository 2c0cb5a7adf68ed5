/* status: the lines that tell an operator the daemon works: the start
 * line and the line per cycle. Pure formatting (no I/O), so that the
 * wording is tested as it is written. */
#ifndef LXC_STATUS_H
#define LXC_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/collect.h"
#include "collector/config.h"
#include "collector/deliver.h"

/* Under a journal the cycle line is at info level only this often (and
 * for the first cycle); the others are debug lines. */
#define STATUS_JOURNAL_EVERY_NS (INT64_C(300) * 1000000000)

/* "lxcollectd VERSION started: configuration FILE (or built-in
 * defaults), every N s, to URL (InfluxDB API v1, database D[, retention
 * policy R]) | (InfluxDB API v2, org O, bucket B) | to standard output".
 * The URL's secrets show as ***. */
void status_start_line(char *buf, size_t size, const struct config *cfg, bool to_stdout);

/* "cycle 2026-11-30T16:40:10Z: 2 containers, 17 points, 1121 us; ..."
 * with the tick as a UTC time, counts in the singular where they are 1,
 * how many cgroups include/exclude left out when any did, and the spool
 * only when ds is not NULL (not under --stdout). */
void status_cycle_line(char *buf, size_t size, int64_t tick_ns, const struct cycle_stats *st,
		       const struct deliver_stats *ds, uint64_t skipped);

/* Is the cycle at tick_ns one to log at info level under a journal? The
 * first one is, then one at least STATUS_JOURNAL_EVERY_NS after the last
 * one that was; *last_ns (0 at first) keeps track. */
bool status_journal_due(int64_t *last_ns, int64_t tick_ns);

#endif
