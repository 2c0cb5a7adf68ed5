/* caps: raw capget/capset and the bounding set, for priv_drop() in the
 * collector and for the netns helper. Raw system calls keep libcap out of
 * the dependencies: the whole job is a handful of calls. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int caps_last(void)
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

int caps_get(uint64_t *ret_eff, uint64_t *ret_prm, uint64_t *ret_inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	/* zeroed: valgrind's capget knows only the one-element v1 layout
	 * and would call d[1] uninitialised */
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	*ret_eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*ret_prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*ret_inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

int caps_set(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

int caps_bound_drop(uint64_t keep)
{
	int last = caps_last(), cap, r;

	for (cap = 0; cap <= last; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
		if (r < 0)
			return -errno;
		if (r == 1 && !(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

int caps_bound_check(uint64_t keep)
{
	int last = caps_last(), cap, r;

	for (cap = 0; cap <= last; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0 && errno == EINVAL)
			break;
		if (r != 0 && !(keep >> cap & 1))
			return -EPERM;
	}
	return 0;
}

int caps_ambient_clear(void)
{
	/* EINVAL: a kernel before 4.3 has no ambient set */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

int caps_ambient_check(void)
{
	int last = caps_last(), cap;

	for (cap = 0; cap <= last; cap++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0)
			return -EPERM;
	return 0;
}
