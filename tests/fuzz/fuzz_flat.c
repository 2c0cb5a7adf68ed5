/* fuzz_flat: single-number cgroup files (memory.current, pids.current,
 * memory.max, cpuacct.usage, ...) through cg_parse_u64(). Checked against
 * an independent reading: trimmed, all digits, fits 64 bits. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

static bool sp(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	size_t a = 0, e = size;
	uint64_t v = 0, want = 0;
	bool digits, over = false;
	int r;

	if (!buf)
		return 0;
	r = cg_parse_u64(buf, size, &v);
	while (a < e && sp(buf[a]))
		a++;
	while (e > a && sp(buf[e - 1]))
		e--;
	digits = e > a;
	for (size_t i = a; i < e && digits; i++) {
		if (!isdigit((unsigned char)buf[i])) {
			digits = false;
		} else if (!over) {
			unsigned d = (unsigned)(buf[i] - '0');

			if (want > (UINT64_MAX - d) / 10)
				over = true;
			else
				want = want * 10 + d;
		}
	}
	if (e - a == 3 && memcmp(buf + a, "max", 3) == 0)
		FUZZ_CHECK(r == -ERANGE);
	else if (!digits) /* garbage; a leading run of digits may overflow first */
		FUZZ_CHECK(r == -EINVAL || r == -EOVERFLOW);
	else if (over)
		FUZZ_CHECK(r == -EOVERFLOW);
	else
		FUZZ_CHECK(r == 0 && v == want);
	free(buf);
	return 0;
}
