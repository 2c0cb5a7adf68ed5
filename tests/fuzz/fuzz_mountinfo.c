/* fuzz_mountinfo: cg_mountinfo_parse() on arbitrary /proc/self/mountinfo
 * text (mount points are whatever the host and its containers mounted,
 * octal-escaped by the kernel). The first line of the input picks the
 * cgroup root. */
#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/", "/", "",
					     "/sys/fs/cgroup//", "/cg" };
	const char *root = roots[size ? data[0] % 6 : 0];
	char *paths[CG_H_MAX];
	char *buf;
	int n, found = 0;

	if (size > 0) {
		data++;
		size--;
	}
	buf = fuzz_dup(data, size);
	if (!buf)
		return 0;
	n = cg_mountinfo_parse(buf, size, root, paths);
	if (n >= 0) {
		FUZZ_CHECK(n <= CG_H_MAX);
		for (int h = 0; h < CG_H_MAX; h++) {
			if (!paths[h])
				continue;
			found++;
			/* a relative path (or "."): never absolute, never empty */
			FUZZ_CHECK(paths[h][0] != '\0' && paths[h][0] != '/');
			free(paths[h]);
		}
		FUZZ_CHECK(found == n);
	}
	free(buf);
	return 0;
}
