/* state: the containers that exist, running or not, from the directories
 * LXC and LXD keep them in (no API): for container_state. */
#ifndef LXC_STATE_H
#define LXC_STATE_H

#include <stdbool.h>
#include <stddef.h>

struct state_known {
	char *name;
	char *project; /* NULL: none (LXD's default project, LXC) */
};

/* The names in LXC's and LXD's directories at one scan, each sorted and
 * without duplicates once state_dirs_done() was called. */
struct state_dirs {
	char **lxc; /* NAME with a regular NAME/config in a directory of lxc_path */
	size_t nlxc;
	char **lxd; /* entries (directory or symbolic link) of a directory of lxd_path */
	size_t nlxd;
};

/* Add LEN bytes of NUL-separated names (netns_helper_list(), or
 * state_list_dir()) to the LXC or LXD list; names state_name_ok() refuses
 * are dropped. 0 or -ENOMEM. */
int state_dirs_add(struct state_dirs *d, bool lxd, const char *names, size_t len);
/* Sort both lists and drop duplicates. */
void state_dirs_done(struct state_dirs *d);
void state_dirs_free(struct state_dirs *d);
/* A name a container may have: not empty, no '/', no leading '.', no
 * control character. */
bool state_name_ok(const char *name, size_t len);
/* The names in the directory PATH as this process sees it, in the
 * format of netns_helper_list(): LXD, every directory or symbolic link;
 * else every NAME with a regular NAME/config. -errno (-ENOENT: no such
 * directory, -EACCES: not readable). */
int state_list_dir(const char *path, bool lxd, char **ret_names, size_t *ret_len);

/* What to call the container of a cgroup named NAME (lxc.payload.NAME,
 * lxc.payload/NAME, lxc/NAME), README "How containers are found": LXD's
 * PROJECT_NAME is split at its '_' into project and container only when
 * NAME is in DIRS's LXD list (an LXD instance) and not in its LXC list (a
 * plain LXC container); else the whole NAME is the container and
 * *RET_PROJECT is NULL. Looks at nothing but DIRS. 0, or -ENOMEM. */
int state_ident(const struct state_dirs *dirs, const char *cgname, char **ret_name,
		char **ret_project);

/* Every name of DIRS's LXC list, whole; every [PROJECT_]NAME of its LXD
 * list, split as state_ident() splits it. Sorted by state_cmp(),
 * duplicates removed; an empty list may be NULL. 0, or -ENOMEM. */
int state_scan(const struct state_dirs *dirs, struct state_known **ret, size_t *ret_n);
void state_known_free(struct state_known *v, size_t n);
/* Order by project (none first), then name. */
int state_cmp(const char *name_a, const char *project_a, const char *name_b,
	      const char *project_b);

#endif
