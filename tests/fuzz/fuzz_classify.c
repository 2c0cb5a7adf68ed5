/* fuzz_classify: cgroup directory names, which whoever runs a container
 * (or nests cgroups inside one) chooses, through cg_classify() at each
 * place they can appear. A container's name must be a non-empty part of
 * the directory name, never a monitor or pivot. */
#include <errno.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dir = fuzz_str(data, size);

	if (!dir)
		return 0;
	for (int parent = CG_PARENT_OTHER; parent <= CG_PARENT_PAYLOAD; parent++) {
		char *name = NULL;
		int r = cg_classify(dir, (enum cg_parent)parent, &name);

		FUZZ_CHECK(r == 0 || r == 1 || r == -EPERM || r == -EINVAL);
		if (r != 1)
			continue;
		FUZZ_CHECK(name && *name && strstr(dir, name));
		FUZZ_CHECK(strcmp(dir, "lxc.monitor") != 0 && strncmp(dir, "lxc.monitor.", 12) != 0 &&
			   strcmp(dir, "lxc.pivot") != 0);
		free(name);
	}
	free(dir);
	return 0;
}
