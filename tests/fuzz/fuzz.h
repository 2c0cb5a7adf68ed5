/* fuzz.h: what the libFuzzer targets in tests/fuzz/ share. Each target is
 * built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined and
 * run on a copy of corpus/<target>/. A target aborts (FUZZ_CHECK) when a
 * parser breaks one of its own documented promises, so libFuzzer reports
 * wrong answers as well as crashes and leaks. */
#ifndef LXC_FUZZ_H
#define LXC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry point, defined once in each target */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A private, exact-size copy of the input: reads past LEN hit ASan's
 * redzone instead of libFuzzer's own buffer. Not NUL-terminated, as
 * pread() buffers are not. */
static inline char *fuzz_dup(const uint8_t *data, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, data, len);
	return p;
}

/* A NUL-terminated copy of [data, data + len) cut at the first NUL. */
static inline char *fuzz_str(const uint8_t *data, size_t len)
{
	const uint8_t *z = memchr(data, 0, len);
	size_t n = z ? (size_t)(z - data) : len;
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, data, n);
		s[n] = '\0';
	}
	return s;
}

/* Split the input at the first byte SEP: *a_len bytes before, the rest
 * after. Returns a pointer to the rest (len in *b_len). */
static inline const uint8_t *fuzz_split(const uint8_t *data, size_t len, uint8_t sep,
					size_t *a_len, size_t *b_len)
{
	const uint8_t *s = memchr(data, sep, len);

	if (!s) {
		*a_len = len;
		*b_len = 0;
		return data + len;
	}
	*a_len = (size_t)(s - data);
	*b_len = len - *a_len - 1;
	return s + 1;
}

#endif
