/* state: the containers that exist, from the names in LXC's and LXD's
 * directories, and what to call a container whose name holds a '_'.
 * The names come from the netns helper (which may read directories the
 * collector may not) or, failing that, from state_list_dir(): one
 * readdir of each directory (and, for LXC, one fstatat per entry), done
 * at most once a minute, or when discovery saw a change
 * (collect_state.c). */
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

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has(char *const *v, size_t n, const char *name)
{
	return n && bsearch(&name, v, n, sizeof(*v), str_cmp);
}

void state_dirs_free(struct state_dirs *d)
{
	for (size_t i = 0; i < d->nlxc; i++)
		free(d->lxc[i]);
	for (size_t i = 0; i < d->nlxd; i++)
		free(d->lxd[i]);
	free(d->lxc);
	free(d->lxd);
	memset(d, 0, sizeof(*d));
}

int state_dirs_add(struct state_dirs *d, bool lxd, const char *names, size_t len)
{
	char ***v = lxd ? &d->lxd : &d->lxc;
	size_t *n = lxd ? &d->nlxd : &d->nlxc, more = 0;
	char **nv;

	for (size_t off = 0; off < len; off += strnlen(names + off, len - off) + 1)
		more++;
	if (!more)
		return 0;
	nv = reallocarray(*v, *n + more, sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	for (size_t off = 0; off < len;) {
		const char *name = names + off;
		size_t l = strnlen(name, len - off);

		off += l + 1;
		if (!state_name_ok(name, l))
			continue;
		if (!((*v)[*n] = strndup(name, l)))
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}

/* Sorted, duplicates (the same name in two directories) dropped. */
static void uniq(char **v, size_t *n)
{
	size_t k = 0;

	if (*n)
		qsort(v, *n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < *n; i++) {
		if (k > 0 && strcmp(v[k - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
}

void state_dirs_done(struct state_dirs *d)
{
	uniq(d->lxc, &d->nlxc);
	uniq(d->lxd, &d->nlxd);
}

bool state_name_ok(const char *name, size_t len)
{
	if (len == 0 || name[0] == '.' || memchr(name, '/', len))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

int state_list_dir(const char *path, bool lxd, char **ret_names, size_t *ret_len)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char cfg[NAME_MAX + sizeof("/config")];
		size_t l = strlen(e->d_name) + 1;
		struct stat st;

		if (e->d_type != DT_DIR && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
			continue;
		if (!state_name_ok(e->d_name, l - 1))
			continue;
		if (!lxd && (snprintf(cfg, sizeof(cfg), "%.*s/config", NAME_MAX, e->d_name) >=
				     (int)sizeof(cfg) ||
			     fstatat(dirfd(d), cfg, &st, 0) < 0 || !S_ISREG(st.st_mode)))
			continue;
		if (len + l > cap) {
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				closedir(d);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + len, e->d_name, l);
		len += l;
	}
	closedir(d);
	*ret_names = buf;
	*ret_len = len;
	return 0;
}

int state_ident(const struct state_dirs *dirs, const char *cgname, char **ret_name,
		char **ret_project)
{
	bool split = split_at(cgname) && has(dirs->lxd, dirs->nlxd, cgname) &&
		     !has(dirs->lxc, dirs->nlxc, cgname);

	return ident(cgname, split, ret_name, ret_project);
}

struct list {
	struct state_known *v;
	size_t n, cap;
};

/* ENTRY of LXC's directories (DIRS NULL: never split), or of LXD's:
 * split as state_ident() splits a cgroup's name */
static int add(struct list *l, const char *entry, const struct state_dirs *dirs)
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
	if (ident(entry, dirs && split_at(entry) && !has(dirs->lxc, dirs->nlxc, entry), &k.name,
		  &k.project) < 0)
		return -ENOMEM;
	l->v[l->n++] = k;
	return 0;
}

int state_scan(const struct state_dirs *dirs, struct state_known **ret, size_t *ret_n)
{
	struct list l = { 0 };
	size_t k = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < dirs->nlxc; i++)
		r = add(&l, dirs->lxc[i], NULL);
	for (size_t i = 0; r == 0 && i < dirs->nlxd; i++)
		r = add(&l, dirs->lxd[i], dirs);
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
