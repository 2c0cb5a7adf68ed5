/* fuzz_psi: pressure files ("some avg10=0.00 avg60=0.00 avg300=0.00
 * total=0", "full ..."). avg10 is a percentage: never negative, never
 * NaN or infinite (line protocol cannot hold those). */
#include <errno.h>
#include <math.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	double sa = -1, fa = -1;
	uint64_t st = 0, ft = 0;
	bool full = false;
	int r;

	if (!buf)
		return 0;
	r = cg_parse_psi(buf, size, &sa, &st, &fa, &ft, &full);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW);
	if (r == 0) {
		FUZZ_CHECK(isfinite(sa) && sa >= 0);
		FUZZ_CHECK(isfinite(fa) && fa >= 0);
		if (!full)
			FUZZ_CHECK(fa == 0 && ft == 0);
	} else {
		FUZZ_CHECK(sa == -1 && fa == -1);
	}
	free(buf);
	return 0;
}
