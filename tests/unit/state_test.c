/* state_test: which containers exist, from directories laid out as LXC's
 * lxcpath and LXD's instance directories (made here, in a temporary
 * directory). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/state.h"
#include "tests/testing.h"

static char top[] = "/tmp/state_test.XXXXXX";

static void mk(const char *rel, bool file)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (file)
		close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	else
		mkdir(p, 0755);
}

static char *join(const struct state_known *k)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s/%s", k->project ? k->project : "-", k->name);
	return s;
}

int main(void)
{
	char lxc[512], lxd1[512], lxd2[512], gone[512], *lv[2], *dv[4];
	struct strv lp = { lv, 1 }, dp = { dv, 3 };
	struct state_known *k = NULL;
	size_t n = 0;
	char buf[512];

	if (!mkdtemp(top))
		return 1;
	mk("lxc", false);
	mk("lxc/web", false), mk("lxc/web/config", true);	/* a container */
	mk("lxc/db", false), mk("lxc/db/config", true);		/* another */
	mk("lxc/nocfg", false);					/* no config: not one */
	mk("lxc/.hidden", false), mk("lxc/.hidden/config", true); /* hidden: not one */
	mk("lxc/stray", true);					/* a file */
	mk("lxd", false);
	mk("lxd/web", false);	    /* LXD's default project: the same as LXC's web */
	mk("lxd/proj_app", false);  /* project proj */
	mk("snap", false);
	snprintf(buf, sizeof(buf), "%s/lxd/proj_app", top);
	snprintf(lxc, sizeof(lxc), "%s/snap/zed", top);
	T_EQ_INT(symlink(buf, lxc), 0, "a symbolic link, as the snap's are");
	snprintf(lxc, sizeof(lxc), "%s/lxc", top);
	snprintf(lxd1, sizeof(lxd1), "%s/lxd", top);
	snprintf(lxd2, sizeof(lxd2), "%s/snap", top);
	snprintf(gone, sizeof(gone), "%s/absent", top);
	lv[0] = lxc, lv[1] = NULL;
	dv[0] = lxd1, dv[1] = lxd2, dv[2] = gone, dv[3] = NULL;

	T_EQ_INT(state_scan(&lp, &dp, &k, &n), 0, "scan");
	T_EQ_INT(n, 4, "db, web (once), zed, proj/app");
	if (n == 4) {
		T_EQ_STR(join(&k[0]), "-/db", "sorted: no project first");
		T_EQ_STR(join(&k[1]), "-/web", "web once, from LXC and LXD");
		T_EQ_STR(join(&k[2]), "-/zed", "the symbolic link");
		T_EQ_STR(join(&k[3]), "proj/app", "PROJECT_NAME split as discovery splits it");
	}
	state_known_free(k, n);

	lp.n = 0, dp.n = 0;
	T_EQ_INT(state_scan(&lp, &dp, &k, &n), 0, "no directory at all");
	T_EQ_INT(n, 0, "nothing found");
	state_known_free(k, n);

	T_OK(state_cmp("a", NULL, "a", "p") < 0 && state_cmp("b", "p", "a", "q") < 0 &&
		     state_cmp("b", NULL, "a", NULL) > 0 && state_cmp("a", "p", "a", "p") == 0,
	     "order: project (none first), then name");

	snprintf(buf, sizeof(buf), "rm -rf '%s'", top);
	if (system(buf) != 0)
		return 1;
	return t_done();
}
