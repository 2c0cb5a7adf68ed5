/* fuzz_max: limit files: v2 cpu.max ("QUOTA PERIOD", "max PERIOD") and
 * "max"-or-number files (memory.max, pids.max). A limit written out must
 * be a finite, non-negative number. */
#include <errno.h>
#include <math.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	double cpus = -1;
	uint64_t v;
	int r;

	if (!buf)
		return 0;
	r = cg_parse_cpu_max(buf, size, &cpus);
	FUZZ_CHECK(r == 0 || r == -ERANGE || r == -EINVAL || r == -EOVERFLOW);
	if (r == 0)
		FUZZ_CHECK(isfinite(cpus) && cpus >= 0);
	else
		FUZZ_CHECK(cpus == -1);
	r = cg_parse_u64(buf, size, &v);
	FUZZ_CHECK(r == 0 || r == -ERANGE || r == -EINVAL || r == -EOVERFLOW);
	free(buf);
	return 0;
}
