/* sched: see sched.h. */
#include "collector/sched.h"

static int64_t floor_multiple(int64_t t, int64_t iv)
{
	int64_t q = t / iv;

	if (t < 0 && q * iv != t)
		q--;
	return q * iv;
}

void sched_init(struct sched *s, int64_t iv_ns, int64_t now_rt, int64_t now_mono)
{
	s->iv = iv_ns;
	s->tick = floor_multiple(now_rt, iv_ns);
	s->deadline = now_mono + (s->tick + iv_ns - now_rt);
	s->skipped = 0;
}

uint64_t sched_advance(struct sched *s, int64_t now_rt, int64_t now_mono)
{
	uint64_t skipped = 0;
	int64_t drift;

	s->tick += s->iv;
	s->deadline += s->iv;
	while (s->deadline <= now_mono) {
		s->tick += s->iv;
		s->deadline += s->iv;
		skipped++;
	}
	/* the wall clock moved against the monotonic one (NTP step, manual
	 * change): stamp with the wall-clock tick we are really in */
	drift = now_rt - s->tick;
	if (drift > s->iv + s->iv / 2 || drift < -(s->iv / 2)) {
		s->tick = floor_multiple(now_rt + s->iv / 2, s->iv);
		s->deadline = now_mono + (s->tick + s->iv - now_rt);
	}
	s->skipped += skipped;
	return skipped;
}
