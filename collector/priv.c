/* priv: drop the collector's uid and every capability, once, visibly.
 * The capability calls themselves are util/caps.c's, shared with the
 * netns helper. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collector/priv.h"
#include "util/util.h"

static int drop_user(const char *user)
{
	struct passwd *pw;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return errno ? -errno : -ENOENT;
	if (pw->pw_uid == 0)
		return -EINVAL; /* "dropping" to root is a configuration error */
	if (setgroups(1, &pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -errno;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != pw->pw_uid || eu != pw->pw_uid || su != pw->pw_uid || rg != pw->pw_gid ||
	    eg != pw->pw_gid || sg != pw->pw_gid)
		return -EPERM;
	return 0;
}

int priv_drop(const char *user)
{
	uint64_t eff = ~0ull, prm = ~0ull, inh = ~0ull;
	bool bset;
	int r;

	r = caps_get(&eff, &prm, &inh);
	if (r < 0)
		return r;
	/* Dropping from the bounding set needs CAP_SETPCAP. The systemd unit
	 * (and a non-root run with ambient capabilities) does not grant it:
	 * then the bounding set stays as it is. That is safe because of
	 * no_new_privs below: with it, no execve can add to the permitted set
	 * (not even as uid 0), so a bounding set without a permitted set
	 * grants nothing. */
	bset = eff >> CAP_SETPCAP & 1;
	/* the bounding set first: the uid change below would take
	 * CAP_SETPCAP away */
	if (bset) {
		r = caps_bound_drop(0);
		if (r < 0)
			return r;
	}
	r = caps_ambient_clear();
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	if (user && *user) {
		r = drop_user(user);
		if (r < 0)
			return r;
	}
	r = caps_set(0, 0, 0);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;

	/* verify: trust the kernel's answer, not the calls above */
	r = caps_get(&eff, &prm, &inh);
	if (r < 0)
		return r;
	if (eff || prm || inh)
		return -EPERM;
	if (bset && caps_bound_check(0) < 0)
		return -EPERM;
	if (caps_ambient_check() < 0)
		return -EPERM;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return -EPERM;
	return 0;
}

const char *priv_netns_missing(void)
{
	uint64_t eff, prm, inh;
	bool admin, ptrace;

	if (caps_get(&eff, &prm, &inh) < 0)
		return NULL;
	admin = prm >> CAP_SYS_ADMIN & 1;
	ptrace = prm >> CAP_SYS_PTRACE & 1;
	if (admin && ptrace)
		return NULL;
	if (!admin && !ptrace)
		return "CAP_SYS_ADMIN and CAP_SYS_PTRACE";
	return admin ? "CAP_SYS_PTRACE" : "CAP_SYS_ADMIN";
}
