/* freeze: a container's frozen state, read when it may have changed.
 *
 * Opening, reading and closing each running container's freezer.state
 * (v1) or cgroup.events (v2) every cycle costs about as much as two reads
 * of a held file, and holding it would cost a fd. A state changes only
 * through the kernel's own notice or a write, and inotify sees both:
 *   - v2: the kernel notifies cgroup.events (kernfs_notify, IN_MODIFY)
 *     whenever "frozen" changes, also when an ancestor's cgroup.freeze
 *     froze or thawed it.
 *   - v1: freezer.state changes only by a write to it or to an
 *     ancestor's freezer.state (each a write through the VFS: IN_MODIFY);
 *     FREEZING turns FROZEN without one, so a container found FREEZING is
 *     read again every cycle until it settles.
 * So each container's own file and, on v1, its ancestors' are watched
 * before they are read; any event, a lost event or a change of the
 * containers (discovery) makes every container read its state again.
 * A state is at worst as old as the last event drained: the same as
 * reading it at the start of the cycle. Without inotify (or a watch:
 * max_user_watches) the file is read every cycle, as before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroupfs/internal.h"

struct cg_freezer {
	const struct cg_root *root;
	int ifd;       /* inotify, non-blocking; -1: none (read every cycle) */
	uint64_t gen;  /* bumped by any event: read the states again */
	uint64_t wgen; /* bumped when watches may be stale: watch again */
};

int cg_freezer_new(const struct cg_root *r, struct cg_freezer **ret)
{
	struct cg_freezer *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->root = r;
	f->gen = f->wgen = 1; /* a zeroed cg_frozen was never read */
	f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	*ret = f;
	return 0;
}

void cg_freezer_free(struct cg_freezer *f)
{
	if (!f)
		return;
	if (f->ifd >= 0)
		close(f->ifd);
	free(f);
}

void cg_freezer_invalidate(struct cg_freezer *f)
{
	f->gen++;
	f->wgen++;
}

void cg_freezer_poll(struct cg_freezer *f)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (f->ifd < 0)
		return;
	for (;;) {
		ssize_t n = read(f->ifd, buf, sizeof(buf));

		if (n > 0) {
			f->gen++;
			/* a watch the kernel dropped, or events lost */
			for (ssize_t i = 0; i < n;) {
				const struct inotify_event *e = (const void *)(buf + i);

				if (e->mask & (IN_IGNORED | IN_Q_OVERFLOW))
					f->wgen++;
				i += (ssize_t)(sizeof(*e) + e->len);
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			cg_freezer_invalidate(f);
		return;
	}
}

/* The state file of the container at RELPATH, and whether it is v1. */
static int frozen_file(const struct cg_root *r, const char *relpath, char *path, size_t size,
		       int *ret_rootfd, bool *ret_v1)
{
	bool v1 = r->fd[CG_H_FREEZER] >= 0;
	int rootfd = v1 ? r->fd[CG_H_FREEZER] : r->fd[CG_H_UNIFIED];

	if (!cg_relpath_ok(relpath))
		return -EINVAL;
	if (rootfd < 0)
		return -ENOENT;
	if ((size_t)snprintf(path, size, "%s/%s", relpath, v1 ? "freezer.state" : "cgroup.events") >=
	    size)
		return -ENAMETOOLONG;
	*ret_rootfd = rootfd;
	*ret_v1 = v1;
	return 0;
}

static int watch(int ifd, int rootfd, const char *path)
{
	char p[4200];
	int wd;

	if ((size_t)snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", rootfd, path) >= sizeof(p))
		return -ENAMETOOLONG;
	wd = inotify_add_watch(ifd, p, IN_MODIFY);
	return wd < 0 ? -errno : wd;
}

/* Watch the container's file (PATH, relative to ROOTFD) and, on v1, the
 * freezer.state of each ancestor of RELPATH below the root (the root
 * cannot be frozen). A watch left on the file of a cgroup made anew is
 * removed. */
static void rewatch(const struct cg_freezer *f, int rootfd, const char *relpath,
		    const char *path, bool v1, struct cg_frozen *fz)
{
	int wd;

	for (const char *s = strchr(relpath, '/'); v1 && s; s = strchr(s + 1, '/')) {
		char anc[4096];

		if ((size_t)snprintf(anc, sizeof(anc), "%.*s/freezer.state", (int)(s - relpath),
				     relpath) >= sizeof(anc) ||
		    watch(f->ifd, rootfd, anc) < 0)
			goto unwatched;
	}
	wd = watch(f->ifd, rootfd, path);
	if (wd < 0)
		goto unwatched;
	if (fz->wd > 0 && fz->wd != wd)
		inotify_rm_watch(f->ifd, fz->wd);
	fz->wd = wd;
	fz->wgen = f->wgen;
	return;
unwatched:
	cg_freezer_forget(f, fz);
}

void cg_freezer_forget(const struct cg_freezer *f, struct cg_frozen *fz)
{
	if (fz->wd > 0 && f->ifd >= 0)
		inotify_rm_watch(f->ifd, fz->wd);
	fz->wd = 0;
	fz->known = false;
}

/* Read the state file: 1 frozen, 0 not, <0 as cg_read_frozen;
 * *ret_settled false while v1 says FREEZING (it turns FROZEN unwritten). */
static int read_state(int rootfd, const char *path, bool v1, bool *ret_settled)
{
	char buf[512];
	ssize_t n;
	int fd, r;

	fd = cg_openat(rootfd, path, 0);
	if (fd < 0)
		return fd;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	r = cg_parse_frozen(buf, (size_t)n, v1);
	*ret_settled = !(v1 && r == 0 && n >= 8 && !memcmp(buf, "FREEZING", 8));
	return r;
}

int cg_read_frozen(const struct cg_root *r, const char *relpath)
{
	char path[4096];
	bool v1, settled;
	int rootfd, rc;

	rc = frozen_file(r, relpath, path, sizeof(path), &rootfd, &v1);
	if (rc < 0)
		return rc;
	return read_state(rootfd, path, v1, &settled);
}

int cg_freezer_read(struct cg_freezer *f, const char *relpath, struct cg_frozen *fz)
{
	char path[4096];
	bool v1, settled = false;
	int rootfd, r;

	if (fz->known && fz->gen == f->gen)
		return fz->frozen;
	fz->known = false;
	r = frozen_file(f->root, relpath, path, sizeof(path), &rootfd, &v1);
	if (r < 0)
		return r;
	/* watch first, then read: a change after the read is an event */
	if (f->ifd >= 0 && (fz->wd <= 0 || fz->wgen != f->wgen))
		rewatch(f, rootfd, relpath, path, v1, fz);
	fz->gen = f->gen;
	r = read_state(rootfd, path, v1, &settled);
	fz->known = r >= 0 && settled && fz->wd > 0;
	fz->frozen = r == 1;
	return r;
}
