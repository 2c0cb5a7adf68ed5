/* util: the few helpers every part of lxcollectd needs once: the clock
 * (one conversion, in ns, µs and ms), writing a whole buffer, and the raw
 * capability calls that the collector (priv_drop) and the netns helper
 * (which keeps two capabilities) both narrow themselves with. Nothing
 * here logs; errors are -errno. */
#ifndef LXCOLLECTD_UTIL_H
#define LXCOLLECTD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- clocks: one conversion; a value's unit is in its function's name */

static inline int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t clock_us(clockid_t clk)
{
	return clock_ns(clk) / 1000;
}

static inline int64_t clock_ms(clockid_t clk)
{
	return clock_ns(clk) / 1000000;
}

/* ---- I/O */

/* Write all N bytes, retrying short writes and EINTR. 0 or -errno. */
int write_all(int fd, const void *buf, size_t n);

/* ---- capabilities (version 3: 64-bit sets) */

/* The kernel's highest capability: /proc/sys/kernel/cap_last_cap, else the
 * headers' CAP_LAST_CAP. */
int caps_last(void);
int caps_get(uint64_t *ret_eff, uint64_t *ret_prm, uint64_t *ret_inh);
int caps_set(uint64_t eff, uint64_t prm, uint64_t inh);
/* Drop every capability not in KEEP from the bounding set, up to
 * caps_last() (and stopping at the first one the kernel calls invalid).
 * Needs CAP_SETPCAP; the caller decides whether it may try. */
int caps_bound_drop(uint64_t keep);
/* 0 when the bounding set holds nothing outside KEEP, else -EPERM. */
int caps_bound_check(uint64_t keep);
/* Empty the ambient set (a kernel before 4.3 has none: nothing to do). */
int caps_ambient_clear(void);
/* 0 when the ambient set is empty, else -EPERM. */
int caps_ambient_check(void);

#endif
