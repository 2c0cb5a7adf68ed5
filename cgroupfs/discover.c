/* discover: find container cgroups by directory name, and a container's
 * init process (the one that is PID 1 in its own pid namespace).
 *
 * Where each LXC generation puts its containers:
 *   lxc.payload.NAME     LXC >= 4, LXD (NAME = PROJECT_NAME outside the
 *                        default project: told apart by the collector)
 *   lxc.payload/NAME     LXC 3.1
 *   lxc/NAME             older LXC, Proxmox VE (NAME = CT id, processes in
 *                        the child "ns")
 * and what sits next to them that is never a container: lxc.monitor.NAME
 * (the monitor process), lxc.pivot (a leftover used while attaching). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "cgroupfs/internal.h"

/* Containers sit at most this many directories below a hierarchy root. */
#define DISCOVER_DEPTH 6
/* Sub-cgroups of a container searched for processes (nested containers). */
#define INIT_DEPTH 16
#define PROCS_MAX (4u << 20)
#define STATUS_MAX (64u << 10)

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The name is the directory's, whole: whether LXD's PROJECT_NAME is split
 * depends on which directories LXD and LXC keep (collector/state.c), not
 * on anything a cgroup can tell. */
static int name_dup(const char *s, char **ret_name)
{
	char *name = strdup(s);

	if (!name)
		return -ENOMEM;
	*ret_name = name;
	return 1;
}

int cg_classify(const char *dirname, enum cg_parent parent, char **ret_name)
{
	static const char payload[] = "lxc.payload.";

	if (!dirname || !*dirname)
		return -EINVAL;
	if (strcmp(dirname, "lxc.monitor") == 0 || has_prefix(dirname, "lxc.monitor.") ||
	    strcmp(dirname, "lxc.pivot") == 0)
		return -EPERM;
	if (has_prefix(dirname, payload)) {
		if (dirname[sizeof(payload) - 1] == '\0')
			return -EPERM;
		return name_dup(dirname + sizeof(payload) - 1, ret_name);
	}
	if (strcmp(dirname, "lxc.payload") == 0 || strcmp(dirname, "lxc") == 0)
		return 0;
	switch (parent) {
	case CG_PARENT_PAYLOAD:
	case CG_PARENT_LXC:
		return name_dup(dirname, ret_name);
	case CG_PARENT_OTHER:
		break;
	}
	return 0;
}

struct found_list {
	struct cg_found *v;
	size_t n, cap;
};

static int found_add(struct found_list *l, char *name, char *relpath)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct cg_found *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct cg_found){ .name = name, .relpath = relpath };
	return 0;
}

static bool is_dir_entry(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *rel, const char *name)
{
	char *s;

	if (!rel)
		return strdup(name);
	if (asprintf(&s, "%s/%s", rel, name) < 0)
		return NULL;
	return s;
}

/* Watch directory DFD for sub-directories coming and going (cgroupfs
 * directories are made and removed through the VFS, which notifies;
 * kernfs never updates a directory's mtime, so mtimes cannot tell). */
static void watch_dir(int ifd, int dfd, bool *ret_incomplete)
{
	char path[64];

	if (ifd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dfd);
	if (inotify_add_watch(ifd, path,
			      IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
				      IN_MOVE_SELF | IN_ONLYDIR) < 0)
		*ret_incomplete = true; /* e.g. ENOSPC: max_user_watches */
}

/* Walk directory DFD (consumed), REL its path from the hierarchy root;
 * every directory walked is watched on IFD (when >= 0). */
static int walk(int dfd, const char *rel, unsigned depth, enum cg_parent parent,
		struct found_list *l, int ifd, bool *incomplete)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	watch_dir(ifd, dfd, incomplete);
	d = fdopendir(dfd);
	if (!d) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *name = NULL, *path = NULL;
		enum cg_parent kind;
		int r, sub;

		if (de->d_name[0] == '.' || !is_dir_entry(d, de))
			continue;
		r = cg_classify(de->d_name, parent, &name);
		if (r == -EPERM)
			continue;
		if (r < 0) {
			ret = r;
			break;
		}
		path = join(rel, de->d_name);
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		if (r > 0) {
			/* a container: report it, never descend into its own
			 * sub-cgroups */
			ret = found_add(l, name, path);
			if (ret < 0)
				break;
			name = path = NULL;
			continue;
		}
		if (depth >= DISCOVER_DEPTH)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno == ENOMEM || errno == EMFILE || errno == ENFILE) {
				ret = -errno;
				break;
			}
			continue; /* vanished or not ours to read */
		}
		kind = strcmp(de->d_name, "lxc") == 0		? CG_PARENT_LXC
		       : strcmp(de->d_name, "lxc.payload") == 0 ? CG_PARENT_PAYLOAD
								: CG_PARENT_OTHER;
		ret = walk(sub, path, depth + 1, kind, l, ifd, incomplete);
		if (ret < 0)
			break;
	}
	closedir(d);
	return ret;
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct cg_found *)a)->relpath, ((const struct cg_found *)b)->relpath);
}

/* The hierarchy to walk: every LXC and LXD puts a container in every
 * hierarchy, so one suffices; memory is the one nobody leaves out. */
static int primary_fd(const struct cg_root *r)
{
	static const enum cg_hier order[] = { CG_H_MEMORY, CG_H_CPUACCT, CG_H_PIDS,
					      CG_H_CPU,	   CG_H_BLKIO,	 CG_H_UNIFIED };

	if (r->layout == CG_LAYOUT_UNIFIED)
		return r->fd[CG_H_UNIFIED];
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (r->fd[order[i]] >= 0)
			return r->fd[order[i]];
	return -1;
}

static int discover(struct cg_root *r, int ifd, bool *incomplete, struct cg_found **ret_list,
		    size_t *ret_n)
{
	struct found_list l = { 0 };
	int fd = primary_fd(r), dfd, k;
	size_t j = 0;

	if (fd < 0)
		return -ENOENT;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	k = walk(dfd, NULL, 1, CG_PARENT_OTHER, &l, ifd, incomplete);
	if (k < 0) {
		cg_found_free(l.v, l.n);
		return k;
	}
	if (l.n > 0)
		qsort(l.v, l.n, sizeof(*l.v), cmp_found);
	for (size_t i = 0; i < l.n; i++) {
		if (j > 0 && strcmp(l.v[j - 1].relpath, l.v[i].relpath) == 0) {
			free(l.v[i].name);
			free(l.v[i].project);
			free(l.v[i].relpath);
			continue;
		}
		l.v[j++] = l.v[i];
	}
	*ret_list = l.v;
	*ret_n = j;
	return 0;
}

int cg_discover(struct cg_root *r, struct cg_found **ret_list, size_t *ret_n)
{
	bool incomplete = false;

	return discover(r, -1, &incomplete, ret_list, ret_n);
}

/* ---- discovery that rescans only what changed ---- */

struct cg_discovery {
	struct cg_root *root;
	int ifd;          /* inotify, non-blocking; -1: none (rescan every time) */
	unsigned every;   /* full rescan at least every this many polls */
	unsigned since;   /* polls since the last full rescan */
	bool stale;       /* a rescan is due (first poll, an event, a lost watch) */
};

int cg_discovery_new(struct cg_root *r, unsigned rescan_every, struct cg_discovery **ret)
{
	struct cg_discovery *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->root = r;
	d->every = rescan_every ? rescan_every : 1;
	d->stale = true;
	/* without inotify (EMFILE, a kernel without it) every poll rescans */
	d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	*ret = d;
	return 0;
}

void cg_discovery_free(struct cg_discovery *d)
{
	if (!d)
		return;
	if (d->ifd >= 0)
		close(d->ifd);
	free(d);
}

void cg_discovery_invalidate(struct cg_discovery *d)
{
	d->stale = true;
}

/* Read every pending event; true when there was any (or the queue
 * overflowed, or a read failed): something may have changed. */
static bool drain_events(int ifd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	for (;;) {
		ssize_t n = read(ifd, buf, sizeof(buf));

		if (n > 0) {
			any = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			any = true;
		return any;
	}
}

int cg_discovery_poll(struct cg_discovery *d, struct cg_found **ret_list, size_t *ret_n)
{
	bool incomplete = false;
	int r;

	if (d->ifd < 0 || drain_events(d->ifd))
		d->stale = true;
	if (++d->since >= d->every)
		d->stale = true;
	if (!d->stale)
		return 0;
	/* events from here on mean "again next time": the walk below may
	 * or may not have seen their directories */
	r = discover(d->root, d->ifd, &incomplete, ret_list, ret_n);
	if (r < 0)
		return r;
	d->since = 0;
	d->stale = incomplete; /* a directory we could not watch */
	return 1;
}

void cg_found_free(struct cg_found *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].project);
		free(list[i].relpath);
	}
	free(list);
}

/* ---- init PID ---- */

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int procs_add(struct pid_list *l, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		uint64_t v;

		if (le > p && cg_parse_u64(p, (size_t)(le - p), &v) == 0 && v > 0 && v <= INT32_MAX) {
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 64;
				pid_t *nv = reallocarray(l->v, cap, sizeof(*nv));

				if (!nv)
					return -ENOMEM;
				l->v = nv;
				l->cap = cap;
			}
			l->v[l->n++] = (pid_t)v;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Pids of DFD's cgroup.procs, then of its descendants (top-down). */
static int collect_pids(int dfd, unsigned depth, struct pid_list *l)
{
	_cleanup_free_ char *buf = NULL;
	struct dirent *de;
	size_t len;
	DIR *d;
	int r, sub;

	r = cg_read_file_at(dfd, "cgroup.procs", PROCS_MAX, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r >= 0) {
		r = procs_add(l, buf, len);
		if (r < 0)
			return r;
	}
	if (depth >= INIT_DEPTH)
		return 0;
	sub = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sub < 0)
		return 0;
	d = fdopendir(sub);
	if (!d) {
		close(sub);
		return 0;
	}
	r = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !is_dir_entry(d, de))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		r = collect_pids(sub, depth + 1, l);
		close(sub);
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

static int read_proc(const char *proc, pid_t pid, const char *what, char **ret, size_t *ret_len)
{
	char path[4096];
	int n;

	n = snprintf(path, sizeof(path), "%s/%d/%s", proc, (int)pid, what);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return cg_read_file_at(AT_FDCWD, path, STATUS_MAX, ret, ret_len);
}

int cg_read_starttime(const char *proc_root, pid_t pid, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	if (pid <= 0)
		return -ESRCH;
	r = read_proc(proc_root, pid, "stat", &buf, &len);
	if (r == -ENOENT || r == -ESRCH)
		return -ESRCH;
	if (r < 0)
		return r;
	return cg_parse_starttime(buf, len, ret);
}

/* Among processes whose last NSpid is 1, the one with the fewest levels:
 * a container may run containers of its own, whose inits also see
 * themselves as 1 one level deeper. At least two levels: a process with a
 * single level 1 is the init of the pid namespace PROC_ROOT belongs to
 * (the host), never a container's. */
int cg_find_init(struct cg_root *r, const char *relpath, pid_t *ret_pid, uint64_t *ret_starttime)
{
	static const enum cg_hier order[] = { CG_H_PIDS,    CG_H_MEMORY, CG_H_UNIFIED,
					      CG_H_CPUACCT, CG_H_CPU,	 CG_H_BLKIO };
	_cleanup_close_ int dfd = -1;
	struct pid_list l = { 0 };
	unsigned best_levels = 0;
	pid_t best = 0;
	uint64_t st;
	int k;

	if (!cg_relpath_ok(relpath))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && dfd < 0; i++) {
		if (r->fd[order[i]] < 0)
			continue;
		dfd = openat(r->fd[order[i]], relpath,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0)
		return -ENOENT;
	k = collect_pids(dfd, 0, &l);
	if (k < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		_cleanup_free_ char *buf = NULL;
		unsigned levels;
		size_t len;
		pid_t last;

		if (read_proc(r->proc, l.v[i], "status", &buf, &len) < 0)
			continue; /* exited meanwhile */
		if (cg_parse_nspid_levels(buf, len, &last, &levels) < 0)
			continue;
		if (last == 1 && levels >= 2 && (best == 0 || levels < best_levels)) {
			best = l.v[i];
			best_levels = levels;
		}
	}
	k = -ESRCH;
	if (best > 0 && cg_read_starttime(r->proc, best, &st) >= 0) {
		*ret_pid = best;
		*ret_starttime = st;
		k = 0;
	}
out:
	free(l.v);
	return k;
}
