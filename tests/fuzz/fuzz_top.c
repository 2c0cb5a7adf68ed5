/* fuzz_top: what `lxcollectd top` makes of bytes it does not control: a
 * container name as a batch cell (never a space, a control character or
 * a bare backslash: scripts split frames on spaces), and the host's
 * /proc/stat and /proc/meminfo (busy never above total; nothing written
 * on failure). */
#include <errno.h>
#include <math.h>

#include "collector/top.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_dup(data, size), *name = malloc(size + 1), cell[512];
	struct top_row row = { 0 };
	uint64_t busy = 7, total = 7, mt = 7, ma = 7;
	int ncpu = -1, r;

	if (!buf || !name) {
		free(buf);
		free(name);
		return 0;
	}
	memcpy(name, data, size);
	name[size] = '\0';
	row.name = name;
	top_fmt_cell(&row, TOP_C_NAME, cell, sizeof(cell));
	FUZZ_CHECK(cell[0] != '\0');
	for (const char *p = cell; *p; p++) {
		FUZZ_CHECK((unsigned char)*p > ' ' && *p != 0x7f);
		if (*p == '\\')
			FUZZ_CHECK(p[1] == 'x');
	}

	r = top_parse_stat(buf, size, &busy, &total, &ncpu);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW);
	if (r == 0)
		FUZZ_CHECK(busy <= total && ncpu >= 0);
	else
		FUZZ_CHECK(busy == 7 && total == 7 && ncpu == -1);
	r = top_parse_meminfo(buf, size, &mt, &ma);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOVERFLOW || r == -ENOENT);
	if (r != 0)
		FUZZ_CHECK(mt == 7 && ma == 7);
	free(buf);
	free(name);
	return 0;
}
