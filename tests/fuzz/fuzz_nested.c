/* fuzz_nested: the nested keyed formats, v2 io.stat ("MAJ:MIN key=value
 * ...") and v1 blkio.throttle.io_service_bytes / io_serviced
 * ("MAJ:MIN Op value", "Total value"). Sums must never wrap. */
#include <errno.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size);
	uint64_t io[4] = { 1, 2, 3, 4 }, rd = 7, wr = 8;
	int r;

	if (!buf)
		return 0;
	r = cg_parse_io_stat(buf, size, io);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW);
	if (r < 0)
		FUZZ_CHECK(io[0] == 1 && io[1] == 2 && io[2] == 3 && io[3] == 4);
	r = cg_parse_blkio(buf, size, &rd, &wr);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW);
	if (r < 0)
		FUZZ_CHECK(rd == 7 && wr == 8);
	free(buf);
	return 0;
}
