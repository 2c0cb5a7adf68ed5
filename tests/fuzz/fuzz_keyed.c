/* fuzz_keyed: "key value" files (cpu.stat, memory.stat, memory.events,
 * memory.oom_control) through cg_parse_keyed(). The part of the input
 * before the first NUL byte is the key asked for, the rest the file; the
 * keys the daemon really asks for are tried too, one by one and all at
 * once through cg_parse_keyed_multi(), which must answer alike. */
#include <errno.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

static const char *const keys[] = { "usage_usec", "user_usec", "system_usec", "nr_periods",
				     "nr_throttled", "throttled_usec", "throttled_time",
				     "inactive_file", "total_inactive_file", "anon", "file",
				     "total_rss", "total_cache", "total_swap", "oom_kill", "max",
				     "user", "system" };

static void one(const char *buf, size_t len, const char *key)
{
	uint64_t v = 12345;
	int r = cg_parse_keyed(buf, len, key, &v);

	FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL || r == -EOVERFLOW);
	if (r < 0)
		FUZZ_CHECK(v == 12345); /* ret written only on success */
}

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* The first 16 keys at once: what each would answer alone. */
static void multi(const char *buf, size_t len)
{
	size_t n = NKEYS < 16 ? NKEYS : 16;
	uint64_t v[16];
	int r[16];

	cg_parse_keyed_multi(buf, len, keys, n, v, r);
	for (size_t k = 0; k < n; k++) {
		uint64_t v1 = 0;
		int r1 = cg_parse_keyed(buf, len, keys[k], &v1);

		FUZZ_CHECK(r1 == r[k] && (r1 != 0 || v1 == v[k]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t klen, blen;
	const uint8_t *rest = fuzz_split(data, size, 0, &klen, &blen);
	char *key = fuzz_str(data, klen), *buf = fuzz_dup(rest, blen);

	if (key && buf) {
		one(buf, blen, key);
		for (size_t i = 0; i < NKEYS; i++)
			one(buf, blen, keys[i]);
		multi(buf, blen);
		/* the whole input as a file too */
		free(buf);
		buf = fuzz_dup(data, size);
		if (buf)
			for (size_t i = 0; i < NKEYS; i++)
				one(buf, size, keys[i]);
		if (buf)
			multi(buf, size);
	}
	free(key);
	free(buf);
	return 0;
}
