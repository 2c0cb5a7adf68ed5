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

/* What to call the container of a cgroup named NAME (lxc.payload.NAME,
 * lxc.payload/NAME, lxc/NAME), README "How containers are found": LXD's
 * PROJECT_NAME is split at its '_' into project and container only when
 * NAME is an entry of a directory of LXD_PATH (an LXD instance) and not a
 * plain LXC container (no NAME/config in a directory of LXC_PATH); else
 * the whole NAME is the container and *RET_PROJECT is NULL. Looks at the
 * directories (a stat per directory) only for a NAME with a '_' inside.
 * 0, or -ENOMEM. */
int state_ident(const struct strv *lxc_path, const struct strv *lxd_path, const char *cgname,
		char **ret_name, char **ret_project);

/* Every NAME with a NAME/config in a directory of LXC (lxcpath), whole;
 * every entry [PROJECT_]NAME of a directory of LXD's instances (directory
 * or symbolic link), split as state_ident() splits it. Missing
 * directories are skipped. Sorted by state_cmp(), duplicates removed; an
 * empty list may be NULL. 0, or -ENOMEM. */
int state_scan(const struct strv *lxc_path, const struct strv *lxd_path,
	       struct state_known **ret, size_t *ret_n);
void state_known_free(struct state_known *v, size_t n);
/* Order by project (none first), then name. */
int state_cmp(const char *name_a, const char *project_a, const char *name_b,
	      const char *project_b);

#endif
