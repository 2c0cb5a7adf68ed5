/* sched: the collection schedule. Deadlines are absolute CLOCK_MONOTONIC
 * times (immune to clock steps); each cycle's timestamp is the wall-clock
 * tick, a multiple of the interval. Ticks missed while the process was
 * stalled are skipped and counted, never run in a burst. Pure arithmetic:
 * the caller passes the clocks in. */
#ifndef LXC_SCHED_H
#define LXC_SCHED_H

#include <stdint.h>

struct sched {
	int64_t iv;       /* interval, ns */
	int64_t tick;     /* wall-clock timestamp of the cycle to run now, ns */
	int64_t deadline; /* monotonic time of the next tick, ns */
	uint64_t skipped; /* ticks skipped since start */
};

/* The first cycle runs at once, stamped with the current tick (the last
 * multiple of the interval); the next is due at the following multiple. */
void sched_init(struct sched *s, int64_t iv_ns, int64_t now_rt, int64_t now_mono);
/* After sleeping until s->deadline: move to the next tick. When woken
 * late by whole intervals, those ticks are skipped. When the wall clock
 * was stepped by more than half an interval, the schedule is re-aligned
 * to it. Returns the number of ticks skipped now. */
uint64_t sched_advance(struct sched *s, int64_t now_rt, int64_t now_mono);

#endif
