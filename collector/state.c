/* state: the containers that exist, from LXC's and LXD's directories.
 * A scan is a readdir of each directory (and, for LXC, one faccessat per
 * entry): done at most once a minute, or when discovery saw a change. */
#include "collector/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"

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

struct list {
	struct state_known *v;
	size_t n, cap;
};

static int add(struct list *l, const char *entry)
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
	if (cg_split_project(entry, &k.name, &k.project) < 0)
		return -ENOMEM;
	l->v[l->n++] = k;
	return 0;
}

/* One directory; LXC: only entries with a config file. */
static int scan_dir(struct list *l, const char *path, bool lxc)
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
		if (lxc) {
			snprintf(cfg, sizeof(cfg), "%s/config", e->d_name);
			if (faccessat(dirfd(d), cfg, F_OK, 0) < 0)
				continue;
		}
		r = add(l, e->d_name);
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
		r = scan_dir(&l, lxc_path->v[i], true);
	for (size_t i = 0; r == 0 && i < lxd_path->n; i++)
		r = scan_dir(&l, lxd_path->v[i], false);
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
