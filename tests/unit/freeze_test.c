/* freeze_test: a container's frozen state read only when it may have
 * changed (cgroupfs/freeze.c), over copies of the fixture trees. A file
 * changed through write(2) raises IN_MODIFY, as the kernel's writes and
 * notices do on cgroupfs; a file changed through a shared mapping raises
 * nothing, which shows whether a state was read again or kept. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs/cgroupfs.h"
#include "tests/testing.h"

static char dir[] = "/tmp/freeze_test.XXXXXX";

/* Through write(2): watchers see IN_MODIFY. */
static void put(const char *rel, const char *text)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	T_OK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s", rel);
	if (fd >= 0)
		close(fd);
}

/* Through a shared mapping, same length: no event at all. */
static void put_silently(const char *rel, const char *text)
{
	char p[512];
	void *m = MAP_FAILED;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		m = mmap(NULL, strlen(text), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T_OK(m != MAP_FAILED, "map %s", rel);
	if (m != MAP_FAILED) {
		memcpy(m, text, strlen(text));
		munmap(m, strlen(text));
	}
	if (fd >= 0)
		close(fd);
}

static struct cg_root *copy_case(const char *name)
{
	char cmd[512], cg[256], proc[256];
	struct cg_root *r = NULL;

	snprintf(cmd, sizeof(cmd), "rm -rf %s/* && cp -a tests/fixtures/cgroup/%s/. %s/", dir,
		 name, dir);
	T_EQ_INT(system(cmd), 0, cmd);
	snprintf(cg, sizeof(cg), "%s", dir);
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	T_EQ_INT(cg_root_open(cg, proc, &r), 0, name);
	return r;
}

static void test_v1(void)
{
	struct cg_root *r = copy_case("hybrid");
	struct cg_freezer *f = NULL;
	struct cg_frozen h1 = { 0 }, n1 = { 0 };
	char p[512];

	if (!r || cg_freezer_new(r, &f) < 0) {
		T_OK(0, "hybrid tree and freezer");
		cg_root_free(r);
		return;
	}
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.h1", &h1), 1, "v1 FROZEN at first sight");
	T_OK(h1.wd > 0 && h1.known, "watched, known");

	put_silently("freezer/lxc.payload.h1/freezer.state", "THAWED\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.h1", &h1), 1,
		 "no event: the state is kept, not read again");

	put("freezer/lxc.payload.h1/freezer.state", "THAWED\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.h1", &h1), 0, "written: read again, THAWED");

	put("freezer/lxc.payload.h1/freezer.state", "FREEZING\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.h1", &h1), 0, "FREEZING: not frozen yet");
	T_OK(!h1.known, "FREEZING is not settled");
	/* the kernel turns FREEZING into FROZEN without a write */
	put_silently("freezer/lxc.payload.h1/freezer.state", "FROZEN\n\n\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.h1", &h1), 1,
		 "FROZEN seen without an event after FREEZING");
	T_OK(h1.known, "FROZEN is settled");

	/* a container below an ancestor that can be frozen */
	snprintf(p, sizeof(p), "%s/freezer/lxc", dir);
	T_EQ_INT(mkdir(p, 0755), 0, "lxc made");
	snprintf(p, sizeof(p), "%s/freezer/lxc/n1", dir);
	T_EQ_INT(mkdir(p, 0755), 0, "lxc/n1 made");
	put("freezer/lxc/freezer.state", "THAWED\n");
	put("freezer/lxc/n1/freezer.state", "THAWED\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc/n1", &n1), 0, "lxc/n1 THAWED");
	T_OK(n1.known, "lxc/n1 watched with its ancestor");
	put_silently("freezer/lxc/n1/freezer.state", "FROZEN\n");
	put("freezer/lxc/freezer.state", "FROZEN\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc/n1", &n1), 1, "the ancestor written: read again");

	put_silently("freezer/lxc/n1/freezer.state", "THAWED\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc/n1", &n1), 1, "kept without an event");
	cg_freezer_invalidate(f);
	T_EQ_INT(cg_freezer_read(f, "lxc/n1", &n1), 0, "invalidated: read again");

	cg_freezer_forget(f, &n1);
	T_OK(n1.wd == 0 && !n1.known, "forgotten");
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.none", &n1), -ENOENT, "no such container");
	T_OK(!n1.known, "an error is not kept");
	cg_freezer_free(f);
	cg_root_free(r);
}

static void test_v2(void)
{
	struct cg_root *r = copy_case("v2-lxd");
	struct cg_freezer *f = NULL;
	struct cg_frozen c1 = { 0 };

	if (!r || cg_freezer_new(r, &f) < 0) {
		T_OK(0, "v2 tree and freezer");
		cg_root_free(r);
		return;
	}
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.c1", &c1), 0, "v2 frozen 0");
	put_silently("lxc.payload.c1/cgroup.events", "populated 1\nfrozen 1\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.c1", &c1), 0, "kept without a notice");
	put("lxc.payload.c1/cgroup.events", "populated 1\nfrozen 1\n");
	cg_freezer_poll(f);
	T_EQ_INT(cg_freezer_read(f, "lxc.payload.c1", &c1), 1, "notified: frozen 1");
	T_EQ_INT(cg_read_frozen(r, "lxc.payload.c1"), 1, "cg_read_frozen agrees");
	cg_freezer_free(f);
	cg_root_free(r);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_v1();
	test_v2();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		T_OK(0, "%s", cmd);
	return t_done();
}
