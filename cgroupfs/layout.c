/* layout: where the cgroup hierarchies are, and one directory fd for each.
 *
 * The mount table is the authority on a real host. Fixture trees and
 * host trees bind-mounted into a container have no cgroup mount of their
 * own under cgroup_root, so we then probe the directory: a cgroup.controllers
 * file marks a v2 tree, any other directory is a v1 hierarchy named after
 * its controllers ("cpu,cpuacct"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroupfs/internal.h"

#define MOUNTINFO_MAX (4u << 20)

const char *cg_layout_name(enum cg_layout l)
{
	switch (l) {
	case CG_LAYOUT_LEGACY:
		return "legacy";
	case CG_LAYOUT_HYBRID:
		return "hybrid";
	case CG_LAYOUT_UNIFIED:
		return "unified";
	}
	return "unknown";
}

/* Copy a mountinfo path field, undoing the kernel's octal escapes
 * ("\040" for a space). */
static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Length of ROOT without trailing slashes ("/" counts as empty). */
static size_t root_len(const char *root)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	return n;
}

/* MP relative to ROOT: "." for ROOT itself, NULL when outside. */
static const char *relative_to(const char *mp, const char *root, size_t rn)
{
	if (strncmp(mp, root, rn) != 0)
		return NULL;
	if (mp[rn] == '\0')
		return ".";
	if (mp[rn] != '/' || mp[rn + 1] == '\0')
		return NULL;
	return mp + rn + 1;
}

static int set_path(char *paths[CG_H_MAX], enum cg_hier h, const char *rel)
{
	if (paths[h])
		return 0; /* the first mount of a hierarchy wins */
	paths[h] = strdup(rel);
	return paths[h] ? 1 : -ENOMEM;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTS". */
static int parse_line(const char *ls, const char *le, const char *root, size_t rn,
		      char *paths[CG_H_MAX])
{
	const char *tok[16], *tend[16], *p = ls;
	int n = 0, dash = -1, r = 0;
	_cleanup_free_ char *mp = NULL;
	const char *rel;

	while (p < le && n < 16) {
		while (p < le && *p == ' ')
			p++;
		if (p == le)
			break;
		tok[n] = p;
		while (p < le && *p != ' ')
			p++;
		tend[n] = p;
		if (dash < 0 && n >= 6 && tend[n] - tok[n] == 1 && *tok[n] == '-')
			dash = n;
		n++;
	}
	if (dash < 0 || n < dash + 4)
		return 0;
	mp = unescape(tok[4], (size_t)(tend[4] - tok[4]));
	if (!mp)
		return -ENOMEM;
	rel = relative_to(mp, root, rn);
	/* "a//b" or an escaped NUL would make rel absolute or empty: openat()
	 * would then leave cgroup_root (the kernel never writes such paths) */
	if (!rel || *rel == '\0' || *rel == '/')
		return 0;

	const char *fs = tok[dash + 1], *fe = tend[dash + 1];
	if (fe - fs == 7 && memcmp(fs, "cgroup2", 7) == 0)
		return set_path(paths, CG_H_UNIFIED, rel);
	if (fe - fs != 6 || memcmp(fs, "cgroup", 6) != 0)
		return 0;
	for (const char *o = tok[dash + 3], *oe = tend[dash + 3]; o < oe;) {
		const char *c = memchr(o, ',', (size_t)(oe - o));
		int h, k;

		if (!c)
			c = oe;
		h = cg_v1_hier_of(o, (size_t)(c - o));
		if (h >= 0) {
			k = set_path(paths, (enum cg_hier)h, rel);
			if (k < 0)
				return k;
			r += k;
		}
		o = c + 1;
	}
	return r;
}

int cg_mountinfo_parse(const char *buf, size_t len, const char *cgroup_root,
		       char *ret_paths[CG_H_MAX])
{
	char *paths[CG_H_MAX] = { NULL };
	const char *p = buf, *end = buf + len;
	size_t rn = root_len(cgroup_root);
	int found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		int r = parse_line(p, le, cgroup_root, rn, paths);

		if (r < 0) {
			for (int h = 0; h < CG_H_MAX; h++)
				free(paths[h]);
			return r;
		}
		p = nl ? nl + 1 : end;
	}
	for (int h = 0; h < CG_H_MAX; h++) {
		ret_paths[h] = paths[h];
		found += paths[h] != NULL;
	}
	return found;
}

static int from_mountinfo(struct cg_root *r, int rootfd, const char *cgroup_root)
{
	char *paths[CG_H_MAX];
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t len;
	int n;

	if (asprintf(&path, "%s/self/mountinfo", r->proc) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	n = cg_read_file_at(AT_FDCWD, path, MOUNTINFO_MAX, &buf, &len);
	if (n < 0)
		return n == -ENOMEM ? n : 0; /* no usable mount table: probe */
	n = cg_mountinfo_parse(buf, len, cgroup_root, paths);
	if (n <= 0)
		return n;
	for (int h = 0; h < CG_H_MAX; h++) {
		if (paths[h])
			r->fd[h] = openat(rootfd, paths[h], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(paths[h]);
	}
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Controllers named by a directory entry: its name split on ','; for a
 * symlink (cpu -> cpu,cpuacct) the target's last component too. */
static void probe_names(struct cg_root *r, int rootfd, const char *name, const char *target)
{
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? target : name;

		if (!s)
			continue;
		if (pass && strrchr(s, '/'))
			s = strrchr(s, '/') + 1;
		for (const char *c; *s; s = *c ? c + 1 : c) {
			int h;

			c = strchrnul(s, ',');
			h = cg_v1_hier_of(s, (size_t)(c - s));
			if (h >= 0 && r->fd[h] < 0)
				r->fd[h] = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		}
	}
}

static int probe(struct cg_root *r, int rootfd)
{
	_cleanup_close_ int dfd = -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (faccessat(rootfd, "cgroup.controllers", F_OK, 0) == 0) {
		r->fd[CG_H_UNIFIED] = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return r->fd[CG_H_UNIFIED] < 0 ? -errno : 0;
	}
	dfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	dfd = -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = reallocarray(names, cap ? cap * 2 : 16, sizeof(*names));

			if (!nn) {
				ret = -ENOMEM;
				goto out;
			}
			names = nn;
			cap = cap ? cap * 2 : 16;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	/* readdir order is arbitrary; make the choice between duplicates
	 * reproducible */
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char target[256];
		struct stat st, lst;
		_cleanup_close_ int sub = -1;
		ssize_t tl;

		if (fstatat(rootfd, names[i], &st, 0) < 0 || !S_ISDIR(st.st_mode))
			continue;
		sub = openat(rootfd, names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		if (faccessat(sub, "cgroup.controllers", F_OK, 0) == 0) {
			if (r->fd[CG_H_UNIFIED] < 0)
				r->fd[CG_H_UNIFIED] = TAKE_FD(sub);
			continue;
		}
		tl = -1;
		if (fstatat(rootfd, names[i], &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
			tl = readlinkat(rootfd, names[i], target, sizeof(target) - 1);
		if (tl >= 0)
			target[tl] = '\0';
		probe_names(r, rootfd, names[i], tl >= 0 ? target : NULL);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int cg_root_open(const char *cgroup_root, const char *proc_root, struct cg_root **ret)
{
	_cleanup_close_ int rootfd = -1;
	struct cg_root *r;
	bool v1 = false;
	int k;

	if (!cgroup_root || !proc_root || !ret)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (int h = 0; h < CG_H_MAX; h++)
		r->fd[h] = -1;
	r->proc = strdup(proc_root);
	if (!r->proc) {
		k = -ENOMEM;
		goto fail;
	}
	rootfd = open(cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		k = -errno;
		goto fail;
	}
	k = from_mountinfo(r, rootfd, cgroup_root);
	if (k == 0)
		k = probe(r, rootfd);
	if (k < 0)
		goto fail;
	for (int h = 0; h < CG_H_UNIFIED; h++)
		v1 |= r->fd[h] >= 0;
	if (r->fd[CG_H_UNIFIED] >= 0)
		r->layout = v1 ? CG_LAYOUT_HYBRID : CG_LAYOUT_UNIFIED;
	else if (v1)
		r->layout = CG_LAYOUT_LEGACY;
	else {
		k = -ENOENT;
		goto fail;
	}
	*ret = r;
	return 0;
fail:
	cg_root_free(r);
	return k;
}

void cg_root_free(struct cg_root *r)
{
	if (!r)
		return;
	for (int h = 0; h < CG_H_MAX; h++)
		if (r->fd[h] >= 0)
			close(r->fd[h]);
	free(r->proc);
	free(r);
}

enum cg_layout cg_root_layout(const struct cg_root *r)
{
	return r->layout;
}

int cg_root_fd(const struct cg_root *r, enum cg_hier h)
{
	if ((unsigned)h >= CG_H_MAX)
		return -1;
	return r->fd[h];
}

const char *cg_root_proc(const struct cg_root *r)
{
	return r->proc;
}
