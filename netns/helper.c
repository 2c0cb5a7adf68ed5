/* netns helper: the small privileged process that turns (PID, start time)
 * into a NETLINK_ROUTE socket made inside that process's network namespace.
 * Everything in this file runs in the forked helper; client.c is the
 * collector's side and wire.h the protocol.
 *
 * This is the only file that calls setns(). The collector forks the helper
 * while it is still root and then drops every privilege itself; the helper
 * keeps CAP_SYS_ADMIN (setns into a netns and back) and CAP_SYS_PTRACE
 * (a pidfd's or /proc/PID/ns/net's namespace of a process is only handed to
 * a caller that may ptrace-read it: a container's root has capabilities the
 * helper lacks, and an unprivileged container runs under another uid), and
 * runs as uid/gid 65534 so that it owns no file on the host (when it holds
 * CAP_SETUID/CAP_SETGID to get there; see helper_narrow()). Without
 * CAP_SYS_PTRACE the open fails with EACCES, without CAP_SYS_ADMIN setns
 * fails with EPERM (both measured, Linux 6.18). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/wire.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
/* Linux >= 6.11; older kernels answer ENOTTY and we use /proc/PID/ns/net. */
#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(0xFF, 4)
#endif

#define HELPER_UID 65534 /* the kernel's overflow uid: owns nothing */
#define HELPER_KEEP ((1ull << CAP_SYS_ADMIN) | (1ull << CAP_SYS_PTRACE))
#define EXIT_RESTORE 70 /* could not return to the own namespace */

struct helper_state {
	int sock;
	int self_ns; /* our own (the host's) netns, to return to */
	dev_t self_dev;
	ino_t self_ino;
};

static int starttime_matches(pid_t pid, uint64_t want)
{
	uint64_t got;
	int r = cg_read_starttime("/proc", pid, &got);

	if (r < 0)
		return r;
	return got == want ? 0 : -ESRCH;
}

/* A handle on PID's network namespace. The pidfd pins the process: with
 * PIDFD_GET_NET_NAMESPACE the namespace comes from exactly that process;
 * the starttime check after opening covers the /proc fallback. */
static int open_target_ns(pid_t pid)
{
	char path[64];
	int pidfd, nsfd = -1, r;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno != ENOSYS)
		return errno == EINVAL ? -ESRCH : -errno;
	if (pidfd >= 0) {
		nsfd = ioctl(pidfd, PIDFD_GET_NET_NAMESPACE, 0);
		r = errno;
		close(pidfd);
		if (nsfd < 0 && r != ENOTTY && r != EINVAL && r != EOPNOTSUPP)
			return r == ENOENT ? -ESRCH : -r;
	}
	if (nsfd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		nsfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (nsfd < 0)
			return errno == ENOENT ? -ESRCH : -errno;
	}
	return nsfd;
}

static int serve(const struct helper_state *st, const struct netns_req *req, int *ret_fd,
		 int *ret_root, uint64_t *ret_ino)
{
	char path[64];
	struct stat sb;
	int nsfd, sock, root, r;

	r = starttime_matches(req->pid, req->starttime);
	if (r < 0)
		return r;
	nsfd = open_target_ns(req->pid);
	if (nsfd < 0)
		return nsfd;
	/* the root directory, for the collector's fstatfs (container_fs);
	 * O_PATH: nothing can be read through it. Not fatal: no fs figures. */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)req->pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* the PID may have died and been reused between the check and the open */
	r = starttime_matches(req->pid, req->starttime);
	if (r < 0)
		goto out;
	if (fstat(nsfd, &sb) < 0) {
		r = -errno;
		goto out;
	}
	if (sb.st_dev == st->self_dev && sb.st_ino == st->self_ino) {
		r = -EXDEV;
		goto out;
	}

	/* The window: nothing but socket() happens inside the namespace. */
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		r = -errno;
		goto out;
	}
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	r = sock < 0 ? -errno : 0;
	if (setns(st->self_ns, CLONE_NEWNET) < 0)
		_exit(EXIT_RESTORE);

	if (r == 0) {
		*ret_fd = sock;
		*ret_root = root;
		*ret_ino = (uint64_t)sb.st_ino;
		root = -1;
	}
out:
	if (root >= 0)
		close(root);
	close(nsfd);
	return r;
}

static void send_reply(int sock, uint32_t seq, int err, uint64_t ino, int fd, int root)
{
	struct netns_reply rep = { .magic = NETNS_MAGIC, .seq = seq, .error = err, .ino = ino,
				   .root = fd >= 0 && root >= 0 };
	int r = netns_send_msg(sock, &rep, sizeof(rep), fd, fd >= 0 ? root : -1);

	if (r == -EPIPE || r == -ECONNRESET)
		_exit(0); /* the collector is gone */
}

/* Raw capget/capset: the three 64-bit sets of capability version 3. */
static int caps_get(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	/* zeroed: valgrind's capget knows only the one-element v1 layout
	 * and would call d[1] uninitialised */
	struct __user_cap_data_struct d[2] = { { 0 }, { 0 } };

	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_set(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

static int helper_narrow(uint64_t keep)
{
	uint64_t eff = 0, prm = 0, inh = 0;
	int cap, r;

	if ((keep & HELPER_KEEP) != keep)
		return -EINVAL;
	r = caps_get(&eff, &prm, &inh);
	if (r < 0)
		return r;
	if ((prm & keep) != keep)
		return -EPERM; /* setns or the namespace open would fail later */
	/* Bounding set first: dropping from it needs CAP_SETPCAP. Without it
	 * (the systemd unit's bounding set is already just the two we keep,
	 * or a non-root start with ambient capabilities) it stays as it is:
	 * no_new_privs below keeps execve from adding anything. */
	for (cap = 0; (eff >> CAP_SETPCAP & 1) && cap < 64; cap++) {
		r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (r == 1 && !(keep >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	/* Become uid 65534 but keep the permitted set across setresuid. That
	 * takes CAP_SETUID and CAP_SETGID. Without them (the systemd unit
	 * grants neither) the helper keeps the uid it was started with: the
	 * unit's own uid, or root with only the two kept capabilities. */
	if ((eff >> CAP_SETUID & 1) && (eff >> CAP_SETGID & 1)) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return -errno;
		if (setgroups(0, NULL) < 0 || setresgid(HELPER_UID, HELPER_UID, HELPER_UID) < 0 ||
		    setresuid(HELPER_UID, HELPER_UID, HELPER_UID) < 0)
			return -errno;
	}
	r = caps_set(keep, keep, 0);
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	r = caps_get(&eff, &prm, &inh);
	if (r < 0)
		return r;
	if (eff != keep || prm != keep || inh != 0)
		return -EPERM;
	return 0;
}

static int helper_setup(struct helper_state *st, pid_t parent)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	struct stat sb;
	sigset_t all;
	int sig, devnull, orig, r;

	prctl(PR_SET_NAME, "netns-helper", 0, 0, 0); /* for ps(1); best effort */
	/* the collector's handlers would only set flags in our copy */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* keep only the socket (moved to 3) and stderr (for a sanitizer's
	 * last word); stdin and stdout become /dev/null, and so does stderr
	 * when the collector had none (then fd 2 may be the socket itself) */
	orig = st->sock;
	if (st->sock != 3) {
		if (dup3(st->sock, 3, O_CLOEXEC) < 0)
			return -errno;
		st->sock = 3;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0)
		return -errno;
	if ((orig == 2 || fcntl(2, F_GETFD) < 0) && dup2(devnull, 2) < 0)
		return -errno;
	if (syscall(SYS_close_range, 4u, ~0u, 0) < 0) {
		struct rlimit rl;
		int fd;

		if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 1048576)
			rl.rlim_cur = 65536;
		for (fd = 4; fd < (int)rl.rlim_cur; fd++)
			close(fd);
	}

	st->self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (st->self_ns < 0)
		return -errno;
	if (fstat(st->self_ns, &sb) < 0)
		return -errno;
	st->self_dev = sb.st_dev;
	st->self_ino = sb.st_ino;

	r = helper_narrow(HELPER_KEEP);
	if (r < 0)
		return r;
	/* after the uid change: a credential change clears the death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return -errno;
	if (getppid() != parent)
		_exit(0);
	return 0;
}

/* recvmsg returned 0: an empty message or the end of the stream. */
static bool peer_gone(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

_Noreturn void netns_helper_main(int sock, pid_t parent)
{
	struct helper_state st = { .sock = sock, .self_ns = -1 };
	int r;

	r = helper_setup(&st, parent);
	send_reply(st.sock, 0, r < 0 ? -r : 0, 0, -1, -1);
	if (r < 0)
		_exit(1);

	for (;;) {
		/* one spare byte so that an oversized message shows as one */
		union {
			struct netns_req req;
			char raw[sizeof(struct netns_req) + 1];
		} u;
		struct iovec iov = { .iov_base = &u, .iov_len = sizeof(u) };
		/* no control buffer: fds sent to us are discarded by the
		 * kernel (MSG_CTRUNC), never installed here */
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		uint64_t ino = 0;
		ssize_t n;
		int fd = -1, root = -1;

		memset(&u, 0, sizeof(u));
		n = recvmsg(st.sock, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(0);
		if (n == 0 && peer_gone(st.sock))
			_exit(0);
		if ((size_t)n != sizeof(u.req) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    u.req.magic != NETNS_MAGIC || u.req.zero != 0 || u.req.pid <= 0) {
			send_reply(st.sock, 0, EINVAL, 0, -1, -1);
			continue;
		}
		r = serve(&st, &u.req, &fd, &root, &ino);
		send_reply(st.sock, u.req.seq, r < 0 ? -r : 0, ino, fd, root);
		if (fd >= 0)
			close(fd);
		if (root >= 0)
			close(root);
	}
}

