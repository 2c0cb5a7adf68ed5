/* fuzz_status: the /proc/PID/status NSpid parser and the /proc/PID/stat
 * starttime parser. A container's processes choose their comm (spaces,
 * parentheses, newlines) and can race their own exit against our read. */
#include <errno.h>
#include <limits.h>

#include "cgroupfs/internal.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	unsigned levels = 0;
	pid_t last = 0, last2 = 0;
	uint64_t st;
	int r, r2;

	if (!buf)
		return 0;
	r = cg_parse_nspid_levels(buf, size, &last, &levels);
	if (r == 0)
		FUZZ_CHECK(last > 0 && last <= INT_MAX && levels > 0 && levels <= size);
	else
		FUZZ_CHECK(r == -EINVAL || r == -ENOENT);
	r2 = cg_parse_nspid(buf, size, &last2);
	FUZZ_CHECK(r2 == r && (r < 0 || last2 == last));

	r = cg_parse_starttime(buf, size, &st);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW);
	free(buf);
	return 0;
}
