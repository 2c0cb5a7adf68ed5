/* blkdev: block device names by device number (blkdev.h). */
#include "collector/blkdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More devices than this and the newest are looked up every time they
 * are named (a bound on memory, not a limit on what is reported). */
#define BLKDEV_CACHE_MAX 4096

struct blkdev_entry {
	uint32_t major, minor;
	char name[BLKDEV_NAME_MAX]; /* "" when the lookup failed */
};

struct blkdev_names {
	char *sys_root;
	struct blkdev_entry *e;
	size_t n, cap, last;
	char fallback[BLKDEV_NAME_MAX];
};

struct blkdev_names *blkdev_names_new(const char *sys_root)
{
	struct blkdev_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->sys_root = strdup(sys_root);
	if (!n->sys_root) {
		free(n);
		return NULL;
	}
	return n;
}

void blkdev_names_free(struct blkdev_names *n)
{
	if (!n)
		return;
	free(n->e);
	free(n->sys_root);
	free(n);
}

static bool name_char_ok(char c)
{
	return c > ' ' && c < 0x7f && !strchr("\"'\\,=", c);
}

int blkdev_parse_uevent(const char *buf, size_t len, char *ret, size_t size)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		size_t k;

		if ((size_t)(le - p) >= 8 && !memcmp(p, "DEVNAME=", 8)) {
			p += 8;
			k = (size_t)(le - p);
			if (k == 0 || k >= size)
				return -EINVAL;
			for (size_t i = 0; i < k; i++)
				if (!name_char_ok(p[i]))
					return -EINVAL;
			memcpy(ret, p, k);
			ret[k] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

static void lookup(const struct blkdev_names *n, struct blkdev_entry *e)
{
	char path[4096], buf[4096];
	ssize_t len;
	int fd;

	e->name[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/dev/block/%u:%u/uevent", n->sys_root, e->major,
			     e->minor) >= sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	do
		len = read(fd, buf, sizeof(buf));
	while (len < 0 && errno == EINTR);
	close(fd);
	if (len <= 0 || blkdev_parse_uevent(buf, (size_t)len, e->name, sizeof(e->name)) < 0)
		e->name[0] = '\0';
}

static struct blkdev_entry *find(struct blkdev_names *n, uint32_t major, uint32_t minor)
{
	if (n->last < n->n && n->e[n->last].major == major && n->e[n->last].minor == minor)
		return &n->e[n->last];
	for (size_t i = 0; i < n->n; i++)
		if (n->e[i].major == major && n->e[i].minor == minor) {
			n->last = i;
			return &n->e[i];
		}
	return NULL;
}

const char *blkdev_name(struct blkdev_names *n, uint32_t major, uint32_t minor)
{
	struct blkdev_entry *e = find(n, major, minor), tmp;

	if (!e) {
		if (n->n == n->cap && n->cap < BLKDEV_CACHE_MAX) {
			size_t cap = n->cap ? n->cap * 2 : 16;
			struct blkdev_entry *ne = reallocarray(n->e, cap, sizeof(*ne));

			if (ne) {
				n->e = ne;
				n->cap = cap;
			}
		}
		e = n->n < n->cap ? &n->e[n->n] : &tmp;
		e->major = major;
		e->minor = minor;
		lookup(n, e);
		if (e != &tmp)
			n->last = n->n++;
	}
	if (e->name[0]) {
		if (e == &tmp) { /* not cached: copied out of the stack */
			memcpy(n->fallback, tmp.name, sizeof(n->fallback));
			return n->fallback;
		}
		return e->name;
	}
	snprintf(n->fallback, sizeof(n->fallback), "%u:%u", major, minor);
	return n->fallback;
}
