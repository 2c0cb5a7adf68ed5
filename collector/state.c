/* state: the containers that exist, from LXC's and LXD's directories,
 * and what to call a container whose name holds a '_'.
 * A scan is a readdir of each directory (and, for LXC, one faccessat per
 * entry): done at most once a minute, or when discovery saw a change. */
#include "collector/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int state_cmp(const char *name_a, const char *project_a, const char *name_b,
	      const char *project_b)
{
	int r;

	if (!project_a != !project_b)
		return project_a ? 1 : -1;
	if (project_a && (r = strcmp(project_a, project_b)) != 0)
		return r;
	return strcmp(name_a, name_b);
}

static int known_cmp(const void *a, const void *b)
{
	const struct state_known *x = a, *y = b;

	return state_cmp(x->name, x->project, y->name, y->project);
}

void state_known_free(struct state_known *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].project);
	}
	free(v);
}

/* The '_' at which LXD's PROJECT_NAME would split S, or NULL. LXD allows
 * '_' in neither project nor instance names, so there is one at most. */
static const char *split_at(const char *s)
{
	const char *us = strchr(s, '_');

	return us && us != s && us[1] != '\0' && !strchr(s, '/') ? us : NULL;
}

/* S into name and project: split at the '_' when SPLIT, else whole. */
static int ident(const char *s, bool split, char **ret_name, char **ret_project)
{
	const char *us = split ? split_at(s) : NULL;
	char *name, *project = NULL;

	if (us) {
		project = strndup(s, (size_t)(us - s));
		name = strdup(us + 1);
	} else {
		name = strdup(s);
	}
	if (!name || (us && !project)) {
		free(name);
		free(project);
		return -ENOMEM;
	}
	*ret_name = name;
	*ret_project = project;
	return 0;
}

/* Is DIR/NAME, for a directory DIR of DIRS, an LXD instance's entry (a
 * directory, or the snap's symbolic link into a storage pool that only
 * LXD's own mount namespace may see: not followed)? */
static bool lxd_has(const struct strv *dirs, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < dirs->n; i++) {
		int n = snprintf(p, sizeof(p), "%s/%s", dirs->v[i], name);

		if (n > 0 && (size_t)n < sizeof(p) && lstat(p, &st) == 0 &&
		    (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
			return true;
	}
	return false;
}

/* Is NAME a plain LXC container: DIR/NAME/config in a directory of DIRS? */
static bool lxc_has(const struct strv *dirs, const char *name)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < dirs->n; i++) {
		int n = snprintf(p, sizeof(p), "%s/%s/config", dirs->v[i], name);

		if (n > 0 && (size_t)n < sizeof(p) && access(p, F_OK) == 0)
			return true;
	}
	return false;
}

int state_ident(const struct strv *lxc_path, const struct strv *lxd_path, const char *cgname,
		char **ret_name, char **ret_project)
{
	bool split = split_at(cgname) && lxd_has(lxd_path, cgname) && !lxc_has(lxc_path, cgname);

	return ident(cgname, split, ret_name, ret_project);
}

struct list {
	struct state_known *v;
	size_t n, cap;
};

/* ENTRY of LXC's directories (LXC_PATH NULL: never split), or of LXD's:
 * split as state_ident() splits a cgroup's name */
static int add(struct list *l, const char *entry, const struct strv *lxc_path)
{
	struct state_known k;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct state_known *nv = reallocarray(l->v, cap, sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	if (ident(entry, lxc_path && split_at(entry) && !lxc_has(lxc_path, entry), &k.name,
		  &k.project) < 0)
		return -ENOMEM;
	l->v[l->n++] = k;
	return 0;
}

/* One directory; LXC (LXC_PATH NULL): only entries with a config file. */
static int scan_dir(struct list *l, const char *path, const struct strv *lxc_path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int r = 0;

	if (!d)
		return 0; /* not installed, or not readable: nothing there */
	while (r == 0 && (e = readdir(d))) {
		char cfg[NAME_MAX + 8];

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
			continue;
		if (!lxc_path) {
			snprintf(cfg, sizeof(cfg), "%s/config", e->d_name);
			if (faccessat(dirfd(d), cfg, F_OK, 0) < 0)
				continue;
		}
		r = add(l, e->d_name, lxc_path);
	}
	closedir(d);
	return r;
}

int state_scan(const struct strv *lxc_path, const struct strv *lxd_path,
	       struct state_known **ret, size_t *ret_n)
{
	struct list l = { 0 };
	size_t k = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < lxc_path->n; i++)
		r = scan_dir(&l, lxc_path->v[i], NULL);
	for (size_t i = 0; r == 0 && i < lxd_path->n; i++)
		r = scan_dir(&l, lxd_path->v[i], lxc_path);
	if (r < 0) {
		state_known_free(l.v, l.n);
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), known_cmp);
	for (size_t i = 0; i < l.n; i++) {
		if (k > 0 && known_cmp(&l.v[k - 1], &l.v[i]) == 0) {
			free(l.v[i].name);
			free(l.v[i].project);
			continue;
		}
		l.v[k++] = l.v[i];
	}
	*ret = l.v;
	*ret_n = k;
	return 0;
}
