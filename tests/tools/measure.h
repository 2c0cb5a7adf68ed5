/* measure.h: the clock and median helpers the measuring tools share. */
#ifndef LXC_TOOLS_MEASURE_H
#define LXC_TOOLS_MEASURE_H

#include <stdlib.h>
#include <time.h>

/* Microseconds on clock C (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID ...). */
static inline double now_us(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of V[0..N); sorts V. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
