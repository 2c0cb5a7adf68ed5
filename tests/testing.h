/* testing.h: a tiny TAP-like harness. Each check prints "ok N - what" or
 * "not ok N - what"; tests/run.sh counts those lines. A program ends with
 * `return t_done();`, which exits 1 when any check failed. */
#ifndef LXC_TESTING_H
#define LXC_TESTING_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_count, t_failed;

#define T_OK(cond, ...)                                                   \
	do {                                                              \
		t_count++;                                                \
		if (cond) {                                               \
			printf("ok %d - ", t_count);                      \
		} else {                                                  \
			t_failed++;                                       \
			printf("not ok %d - %s:%d: ", t_count, __FILE__,  \
			       __LINE__);                                 \
		}                                                         \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
	} while (0)

#define T_EQ_INT(got, want, what)                                              \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		T_OK(g_ == w_, "%s (got %lld, want %lld)", what, g_, w_);      \
	} while (0)

#define T_EQ_U64(got, want, what)                                              \
	do {                                                                   \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);          \
		T_OK(g_ == w_, "%s (got %" PRIu64 ", want %" PRIu64 ")", what, \
		     g_, w_);                                                  \
	} while (0)

#define T_EQ_STR(got, want, what)                                              \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		T_OK((g_ == NULL && w_ == NULL) ||                             \
			     (g_ && w_ && strcmp(g_, w_) == 0),                \
		     "%s (got \"%s\", want \"%s\")", what, g_ ? g_ : "(null)", \
		     w_ ? w_ : "(null)");                                      \
	} while (0)

static inline int t_done(void)
{
	printf("# %d checks, %d failed\n", t_count, t_failed);
	return t_failed ? 1 : 0;
}

#endif
