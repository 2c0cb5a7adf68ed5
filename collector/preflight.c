/* preflight: the host-side checks of a configuration; see preflight.h. */
#include "collector/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"

struct pf {
	const struct config *cfg;
	struct strv *errors;
	bool nomem;
};

static void __attribute__((format(printf, 4, 5)))
pf_err(struct pf *p, const char *sec, const char *key, const char *fmt, ...)
{
	char *prefix = NULL;
	va_list ap;

	if (asprintf(&prefix, "%s:%s.%s: ", p->cfg->path ? p->cfg->path : CFG_DEFAULT_PATH, sec,
		     key) < 0) {
		p->nomem = true;
		return;
	}
	va_start(ap, fmt);
	if (strv_pushv(p->errors, prefix, fmt, ap) < 0)
		p->nomem = true;
	va_end(ap);
	free(prefix);
}

static void check_proc(struct pf *p)
{
	int fd = open(p->cfg->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		pf_err(p, "collector", "proc_root", "cannot open the directory %s: %s",
		       p->cfg->proc_root, strerror(errno));
		return;
	}
	close(fd);
}

static void check_cgroup(struct pf *p)
{
	struct cg_root *root = NULL;
	int fd, r;

	fd = open(p->cfg->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pf_err(p, "collector", "cgroup_root", "cannot open the directory %s: %s",
		       p->cfg->cgroup_root, strerror(errno));
		return;
	}
	close(fd);
	r = cg_root_open(p->cfg->cgroup_root, p->cfg->proc_root, &root);
	if (r == -ENOMEM) {
		p->nomem = true;
		return;
	}
	if (r < 0)
		pf_err(p, "collector", "cgroup_root",
		       "no cgroup hierarchy found under %s (%s): neither a cgroup2 mount nor v1 "
		       "controller directories (the usual place is /sys/fs/cgroup)",
		       p->cfg->cgroup_root, r == -ENOENT ? "none mounted there" : strerror(-r));
	cg_root_free(root);
}

/* The spool as spool_open() will make it: every missing directory made
 * (0700), then writable. What this probe made it removes again. */
static void check_spool(struct pf *p)
{
	const char *dir = p->cfg->spool_dir;
	char *made[64], *path;
	size_t nmade = 0, len;
	int fd;

	path = strdup(dir);
	if (!path) {
		p->nomem = true;
		return;
	}
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	/* every prefix of the path that is missing, outermost first */
	for (char *s = path + 1;; s++) {
		bool last = *s == '\0';

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(path, 0700) == 0) {
			if (nmade < sizeof(made) / sizeof(made[0]) && (made[nmade] = strdup(path)))
				nmade++;
		} else if (errno != EEXIST) {
			pf_err(p, "spool", "dir", "cannot create %s: %s", path, strerror(errno));
			goto out;
		}
		if (last)
			break;
		*s = '/';
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pf_err(p, "spool", "dir", "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (faccessat(fd, ".", W_OK, AT_EACCESS) < 0)
		pf_err(p, "spool", "dir", "%s is not writable: %s", path, strerror(errno));
	close(fd);
out:
	while (nmade > 0) {
		rmdir(made[--nmade]);
		free(made[nmade]);
	}
	free(path);
}

int preflight_check(const struct config *cfg, bool spool, struct strv *errors)
{
	struct pf p = { .cfg = cfg, .errors = errors };
	size_t before = errors->n;

	check_proc(&p);
	check_cgroup(&p);
	if (spool)
		check_spool(&p);
	if (p.nomem)
		return -ENOMEM;
	return errors->n > before ? -EINVAL : 0;
}
