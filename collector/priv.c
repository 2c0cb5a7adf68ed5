/* priv: drop the collector's uid and every capability, once, visibly.
 *
 * Raw capget/capset (capability version 3: two 32-bit words per set) keep
 * libcap out of the dependencies; the whole job is five system calls. */
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

/* The kernel's highest capability: /proc/sys/kernel/cap_last_cap, or the
 * headers' CAP_LAST_CAP when /proc is not there. The bounding-set loop
 * below also stops at the first capability the kernel calls invalid. */
static int cap_last(void)
{
	char buf[16];
	ssize_t n;
	long v;
	int fd;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CAP_LAST_CAP;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 && v < 64 ? (int)v : CAP_LAST_CAP;
}

static int caps_read(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_clear(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

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
	int last = cap_last(), cap, r;
	bool bset;

	r = caps_read(&eff, &prm, &inh);
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
	for (cap = 0; bset && cap <= last; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (r < 0)
			return -errno;
		if (r == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	/* EINVAL: a kernel before 4.3 has no ambient set */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	if (user && *user) {
		r = drop_user(user);
		if (r < 0)
			return r;
	}
	r = caps_clear();
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;

	/* verify: trust the kernel's answer, not the calls above */
	r = caps_read(&eff, &prm, &inh);
	if (r < 0)
		return r;
	if (eff || prm || inh)
		return -EPERM;
	for (cap = 0; cap <= last; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (bset && r != 0)
			return -EPERM;
		r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
		if (r > 0)
			return -EPERM;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return -EPERM;
	return 0;
}

const char *priv_netns_missing(void)
{
	uint64_t eff, prm, inh;
	bool admin, ptrace;

	if (caps_read(&eff, &prm, &inh) < 0)
		return NULL;
	admin = prm >> CAP_SYS_ADMIN & 1;
	ptrace = prm >> CAP_SYS_PTRACE & 1;
	if (admin && ptrace)
		return NULL;
	if (!admin && !ptrace)
		return "CAP_SYS_ADMIN and CAP_SYS_PTRACE";
	return admin ? "CAP_SYS_PTRACE" : "CAP_SYS_ADMIN";
}
