/* fuzz_nested: the nested keyed formats, v2 io.stat ("MAJ:MIN key=value
 * ...") and v1 blkio.throttle.io_service_bytes / io_serviced
 * ("MAJ:MIN Op value", "Total value"), and v1 cpuacct.usage_all. Sums
 * must never wrap; the per-device and per-CPU parsers accept what the
 * summing ones accept, and their entries add up to the same sums. */
#include <errno.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

static void check_split(const char *buf, size_t size)
{
	static struct cg_dev_split d[64];
	static struct cg_cpu_split c[64];
	uint64_t io[4], t[4] = { 0 }, rd, wr;
	size_t n = 0;
	int r = cg_parse_io_stat(buf, size, io), k = cg_parse_io_stat_dev(buf, size, d, 64);

	FUZZ_CHECK(k == -ENOBUFS || (k < 0) == (r < 0));
	for (int i = 0; r == 0 && i < k; i++) {
		t[0] += d[i].rbytes, t[1] += d[i].wbytes, t[2] += d[i].rios, t[3] += d[i].wios;
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(d[j].major != d[i].major || d[j].minor != d[i].minor);
	}
	if (r == 0 && k >= 0)
		FUZZ_CHECK(!memcmp(t, io, sizeof(t)));
	r = cg_parse_blkio(buf, size, &rd, &wr);
	k = cg_parse_blkio_dev(buf, size, false, d, &n, 64);
	FUZZ_CHECK(k == -ENOBUFS || (k < 0) == (r < 0));
	if (r == 0 && k >= 0) {
		t[0] = t[1] = 0;
		for (size_t i = 0; i < n; i++)
			t[0] += d[i].rbytes, t[1] += d[i].wbytes;
		FUZZ_CHECK(t[0] == rd && t[1] == wr && n == (size_t)k);
	}
	r = cg_parse_cpuacct_all(buf, size, &rd, &wr);
	k = cg_parse_cpuacct_percpu(buf, size, c, 64);
	/* the CPU number must also fit 32 bits */
	FUZZ_CHECK(k == -ENOBUFS || (k < 0) == (r < 0) || (r == 0 && k == -EINVAL));
	if (r == 0 && k >= 0) {
		t[0] = t[1] = 0;
		for (int i = 0; i < k; i++)
			t[0] += c[i].user_ns, t[1] += c[i].system_ns;
		FUZZ_CHECK(t[0] == rd && t[1] == wr);
	}
}

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
	check_split(buf, size);
	free(buf);
	return 0;
}
