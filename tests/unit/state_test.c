/* state_test: which containers exist, from directories laid out as LXC's
 * lxcpath and LXD's instance directories (made here, in a temporary
 * directory), and the rule that names a container whose cgroup name holds
 * a '_': LXD's PROJECT_NAME only for LXD's own instances. */
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

/* The lists of the directories LV and DV (NULL-terminated) as the
 * collector makes them without the netns helper: state_list_dir() of
 * each, a missing one holding nothing. */
static void dirs_of(char **lv, char **dv, struct state_dirs *d)
{
	for (int lxd = 0; lxd < 2; lxd++)
		for (char **p = lxd ? dv : lv; *p; p++) {
			char *names = NULL;
			size_t len = 0;
			int r = state_list_dir(*p, lxd, &names, &len);

			if (r == -ENOENT)
				continue;
			T_EQ_INT(r, 0, *p);
			T_EQ_INT(state_dirs_add(d, lxd, names, len), 0, "names added");
			free(names);
		}
	state_dirs_done(d);
}

/* state_ident() of CGNAME as "PROJECT/NAME" ("-" for none) */
static char *ident(const struct state_dirs *d, const char *cgname)
{
	struct state_known k = { NULL, NULL };
	static char s[64];

	if (state_ident(d, cgname, &k.name, &k.project) < 0)
		return strcpy(s, "(error)");
	strcpy(s, join(&k));
	free(k.name);
	free(k.project);
	return s;
}

/* The rule of README "How containers are found", name by name. */
static void test_ident(struct state_dirs *d)
{
	static const struct {
		const char *cgname, *want, *why;
	} t[] = {
		{ "proj_app", "proj/app", "an LXD instance in project proj" },
		{ "my_ct", "-/my_ct", "a plain LXC container: whole" },
		{ "both_x", "-/both_x", "an LXD entry that is also an LXC container: LXC's" },
		{ "nocfg_y", "nocfg/y", "an LXC directory without config does not count" },
		{ "p2_db", "p2/db", "the snap's symbolic link, dangling outside LXD's namespace" },
		{ "lone_z", "-/lone_z", "known to neither: whole" },
		{ "web", "-/web", "no '_': whole, no look at the directories" },
		{ "_x", "-/_x", "a leading '_' splits nothing" },
		{ "x_", "-/x_", "a trailing '_' splits nothing" },
		{ "zed", "-/zed", "LXD's default project" },
	};
	size_t n = d->nlxd;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		T_EQ_STR(ident(d, t[i].cgname), t[i].want, t[i].why);
	d->nlxd = 0;
	T_EQ_STR(ident(d, "proj_app"), "-/proj_app", "lxd_path empty: never split");
	d->nlxd = n;
}

int main(void)
{
	char lxc[512], lxd1[512], lxd2[512], gone[512], *lv[2], *dv[4], *none[1] = { NULL };
	struct state_dirs d = { 0 }, empty = { 0 };
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
	mk("lxc/my_ct", false), mk("lxc/my_ct/config", true);	/* plain LXC with a '_' */
	mk("lxc/both_x", false), mk("lxc/both_x/config", true); /* LXC's, also in lxd/ */
	mk("lxc/nocfg_y", false);				/* no config: not LXC's */
	mk("lxc/cfgdir", false), mk("lxc/cfgdir/config", false); /* config not a file */
	mk("lxd", false);
	mk("lxd/web", false);	    /* LXD's default project: the same as LXC's web */
	mk("lxd/proj_app", false);  /* project proj */
	mk("lxd/both_x", false);
	mk("lxd/nocfg_y", false);   /* project nocfg */
	mk("lxd/_x", false), mk("lxd/x_", false);
	mk("snap", false);
	snprintf(buf, sizeof(buf), "%s/lxd/proj_app", top);
	snprintf(lxc, sizeof(lxc), "%s/snap/zed", top);
	T_EQ_INT(symlink(buf, lxc), 0, "a symbolic link, as the snap's are");
	snprintf(lxc, sizeof(lxc), "%s/snap/p2_db", top);
	T_EQ_INT(symlink("/nonexistent/storage-pools/p2_db", lxc), 0, "a dangling link");
	snprintf(lxc, sizeof(lxc), "%s/lxc", top);
	snprintf(lxd1, sizeof(lxd1), "%s/lxd", top);
	snprintf(lxd2, sizeof(lxd2), "%s/snap", top);
	snprintf(gone, sizeof(gone), "%s/absent", top);
	lv[0] = lxc, lv[1] = NULL;
	dv[0] = lxd1, dv[1] = lxd2, dv[2] = gone, dv[3] = NULL;

	dirs_of(lv, dv, &d);
	T_EQ_INT(state_scan(&d, &k, &n), 0, "scan");
	{
		static const char *const want[] = { "-/_x",    "-/both_x", "-/db", "-/my_ct",
						    "-/web",   "-/x_",	   "-/zed", "nocfg/y",
						    "p2/db",   "proj/app" };
		size_t nw = sizeof(want) / sizeof(want[0]);

		T_EQ_INT(n, nw, "the containers, each once");
		for (size_t i = 0; i < n && i < nw; i++)
			T_EQ_STR(join(&k[i]), want[i], "sorted: no project first, then by project");
	}
	state_known_free(k, n);

	test_ident(&d);
	state_dirs_free(&d);

	{ /* the helper's lists pass through state_dirs_add(): bad names
	   * dropped, the same name from two directories once */
		static const char raw[] = "b\0a\0.h\0x/y\0c\001d\0\0a\0";
		struct state_dirs t = { 0 };

		T_EQ_INT(state_dirs_add(&t, true, raw, sizeof(raw) - 1), 0, "raw names added");
		state_dirs_done(&t);
		T_OK(t.nlxd == 2 && strcmp(t.lxd[0], "a") == 0 && strcmp(t.lxd[1], "b") == 0,
		     "only a and b kept, sorted, once (got %zu)", t.nlxd);
		T_EQ_INT(state_dirs_add(&t, false, "q", 1), 0, "a last name without its NUL");
		T_OK(t.nlxc == 1 && strcmp(t.lxc[0], "q") == 0, "taken up to the end");
		state_dirs_free(&t);
	}

	dirs_of(none, none, &empty);
	T_EQ_INT(state_scan(&empty, &k, &n), 0, "no directory at all");
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
