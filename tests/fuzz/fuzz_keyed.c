/* fuzz_keyed: "key value" files (cpu.stat, memory.stat, memory.events,
 * memory.oom_control) through cg_parse_keyed(). The part of the input
 * before the first NUL byte is the key asked for, the rest the file; the
 * keys the daemon really asks for are tried too. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t klen, blen;
	const uint8_t *rest = fuzz_split(data, size, 0, &klen, &blen);
	char *key = fuzz_str(data, klen), *buf = fuzz_dup(rest, blen);

	if (key && buf) {
		one(buf, blen, key);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			one(buf, blen, keys[i]);
		/* the whole input as a file too */
		free(buf);
		buf = fuzz_dup(data, size);
		if (buf)
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				one(buf, size, keys[i]);
	}
	free(key);
	free(buf);
	return 0;
}
