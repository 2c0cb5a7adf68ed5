/* state: the containers that exist, running or not, from the directories
 * LXC and LXD keep them in (no API): for container_state. */
#ifndef LXC_STATE_H
#define LXC_STATE_H

#include <stddef.h>

#include "collector/config.h"

struct state_known {
	char *name;
	char *project; /* NULL: none (LXD's default project, LXC) */
};

/* Every NAME with a NAME/config in a directory of LXC (lxcpath), every
 * entry [PROJECT_]NAME of a directory of LXD's instances (directory or
 * symbolic link), split as discovery splits cgroup names. Missing
 * directories are skipped. Sorted by state_cmp(), duplicates removed; an
 * empty list may be NULL. 0, or -ENOMEM. */
int state_scan(const struct strv *lxc_path, const struct strv *lxd_path,
	       struct state_known **ret, size_t *ret_n);
void state_known_free(struct state_known *v, size_t n);
/* Order by project (none first), then name. */
int state_cmp(const char *name_a, const char *project_a, const char *name_b,
	      const char *project_b);

#endif
