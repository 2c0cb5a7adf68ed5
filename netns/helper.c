/* netns helper: the small privileged process that turns (PID, start time)
 * into a NETLINK_ROUTE socket made inside that process's network namespace.
 * Everything in this file runs in the helper; client.c is the collector's
 * side and wire.h the protocol.
 *
 * The collector forks while it is still root and the child at once
 * executes this same program again (client.c), with an empty environment
 * and nothing open but /dev/null, stderr and its end of the socketpair:
 * the helper never holds the configuration, a secret, or anything else
 * of the collector's memory. netns_helper_exec_main() catches that run
 * before anything else happens in main().
 *
 * It also lists, for the collector, the directories LXC and LXD keep
 * their containers in (NETNS_MSG_LIST): given one directory descriptor
 * at a time, as CAP_DAC_READ_SEARCH, which it keeps when it was given it
 * (the unit grants it; without it the collector lists what it can
 * itself).
 *
 * This is the only file that calls setns(). The helper keeps
 * CAP_SYS_ADMIN (setns into a netns and back) and CAP_SYS_PTRACE (a
 * pidfd's or /proc/PID/ns/net's namespace of a process is only handed to
 * a caller that may ptrace-read it: a container's root has capabilities
 * the helper lacks, and an unprivileged container runs under another uid),
 * and runs as uid/gid 65534 so that it owns no file on the host (when it
 * holds CAP_SETUID/CAP_SETGID to get there; see helper_narrow()). Without
 * CAP_SYS_PTRACE the open fails with EACCES, without CAP_SYS_ADMIN setns
 * fails with EPERM (both measured, Linux 6.18). Then it confines itself
 * to the system calls it makes (seccomp.c) before it answers anything. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "cgroupfs/cgroupfs.h"
#include "netns/wire.h"
#include "util/util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define HELPER_UID 65534 /* the kernel's overflow uid: owns nothing */
#define HELPER_NEED ((1ull << CAP_SYS_ADMIN) | (1ull << CAP_SYS_PTRACE))
/* kept when given: reading the directories LXC and LXD keep their
 * containers in, which the collector's uid may not read (NETNS_MSG_LIST) */
#define HELPER_MAY (1ull << CAP_DAC_READ_SEARCH)
#define EXIT_RESTORE 70 /* could not return to the own namespace */

struct helper_state {
	int sock;
	int self_ns; /* our own (the host's) netns, to return to */
	dev_t self_dev;
	ino_t self_ino;
	bool can_list; /* holds CAP_DAC_READ_SEARCH */
};

/* The answer to NETNS_MSG_LIST: the reply and the names in one message
 * (static: the loop allocates nothing). */
static union {
	struct netns_reply rep;
	char raw[sizeof(struct netns_reply) + NETNS_LIST_MAX];
} list_out;

/* /proc/PID/stat into a buffer on the stack: the helper's loop allocates
 * nothing, so its seccomp filter need not allow the allocator's calls.
 * The line is short: comm is at most 15 bytes, the rest 52 numbers. */
static int starttime_matches(pid_t pid, uint64_t want)
{
	char path[64], buf[2048];
	uint64_t got;
	ssize_t n;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, HELPER_OPEN_FLAGS);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf));
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r; /* ESRCH: it died since the open */
	if (n == 0)
		return -ESRCH;
	if ((size_t)n >= sizeof(buf))
		return -EINVAL;
	r = cg_parse_starttime(buf, (size_t)n, &got);
	if (r < 0)
		return r;
	return got == want ? 0 : -ESRCH;
}

/* A handle on PID's network namespace. The pidfd pins the process: with
 * PIDFD_GET_NET_NAMESPACE the namespace comes from exactly that process;
 * the starttime check after opening covers the /proc fallback (kernels
 * before 6.11, e.g. Debian 12's 6.1). VIA_PROC: the fallback only (tests
 * take that path on any kernel). */
static int open_target_ns(pid_t pid, bool via_proc)
{
	char path[64];
	int pidfd = -1, nsfd = -1, r;

	if (!via_proc)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!via_proc && pidfd < 0 && errno != ENOSYS)
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
		nsfd = open(path, HELPER_OPEN_FLAGS);
		if (nsfd < 0)
			return errno == ENOENT ? -ESRCH : -errno;
	}
	return nsfd;
}

static int serve(const struct helper_state *st, const struct netns_req *req, bool via_proc,
		 int *ret_fd, int *ret_root, uint64_t *ret_ino)
{
	char path[64];
	struct stat sb;
	int nsfd, sock, root, r;

	r = starttime_matches(req->pid, req->starttime);
	if (r < 0)
		return r;
	nsfd = open_target_ns(req->pid, via_proc);
	if (nsfd < 0)
		return nsfd;
	/* the root directory, for the collector's fstatfs (container_fs),
	 * opened like every file here (read-only: the filter allows no other
	 * flags). Not fatal: no fs figures. */
	snprintf(path, sizeof(path), "/proc/%d/root", (int)req->pid);
	root = open(path, HELPER_OPEN_FLAGS);
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

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* A name the collector may take as a container's: none starting with a
 * '.' (".", "..", hidden entries) or holding a control character. */
static bool list_name_ok(const char *name)
{
	if (name[0] == '.' || name[0] == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool list_entry_wanted(int dfd, const struct linux_dirent64 *e, int mode)
{
	char cfg[NAME_MAX + sizeof("/config")];
	struct stat sb;

	if (e->d_type != DT_DIR && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
		return false;
	if (!list_name_ok(e->d_name))
		return false;
	if (mode == NETNS_LIST_LXD)
		return true;
	if (snprintf(cfg, sizeof(cfg), "%.*s/config", NAME_MAX, e->d_name) >= (int)sizeof(cfg))
		return false;
	return fstatat(dfd, cfg, &sb, 0) == 0 && S_ISREG(sb.st_mode);
}

/* NETNS_MSG_LIST: the names of the directory FD (the collector's O_PATH
 * descriptor), re-opened for reading, which CAP_DAC_READ_SEARCH allows
 * whatever its mode; into list_out after the reply. *RET_LEN: bytes of
 * names; *RET_TRUNC: some did not fit. */
static int serve_list(const struct helper_state *st, int fd, int mode, size_t *ret_len,
		      bool *ret_trunc)
{
	char buf[8192] __attribute__((aligned(8)));
	char *out = list_out.raw + sizeof(struct netns_reply);
	size_t len = 0;
	bool trunc = false;
	int dfd, r = 0;

	if (!st->can_list)
		return -EPERM;
	dfd = openat(fd, ".", HELPER_OPENDIR_FLAGS);
	if (dfd < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));

		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			const struct linux_dirent64 *e = (const void *)(buf + off);
			size_t l = strlen(e->d_name) + 1;

			off += e->d_reclen;
			if (!list_entry_wanted(dfd, e, mode))
				continue;
			if (len + l > NETNS_LIST_MAX) {
				trunc = true;
				break;
			}
			memcpy(out + len, e->d_name, l);
			len += l;
		}
		if (trunc)
			break; /* the rest is not sent anyway */
	}
	close(dfd);
	*ret_len = len;
	*ret_trunc = trunc;
	return r;
}

static void send_list(int sock, uint32_t seq, int err, size_t len, bool trunc)
{
	int r;

	memset(&list_out.rep, 0, sizeof(list_out.rep));
	list_out.rep.magic = NETNS_MAGIC;
	list_out.rep.seq = seq;
	list_out.rep.type = NETNS_MSG_LIST;
	list_out.rep.error = err;
	if (!err) {
		list_out.rep.root = trunc ? NETNS_LIST_TRUNCATED : 0;
		list_out.rep.ino = len;
	} else {
		len = 0;
	}
	r = netns_send_msg(sock, list_out.raw, sizeof(list_out.rep) + len, -1, -1);
	if (r == -EPIPE || r == -ECONNRESET)
		_exit(0); /* the collector is gone */
}

static void send_reply(int sock, uint32_t seq, uint16_t type, int err, uint64_t ino, int fd,
		       int root)
{
	struct netns_reply rep = { .magic = NETNS_MAGIC,
				   .seq = seq,
				   .type = type,
				   .error = err,
				   .root = fd >= 0 && root >= 0,
				   .ino = ino };
	int r = netns_send_msg(sock, &rep, sizeof(rep), fd, fd >= 0 ? root : -1);

	if (r == -EPIPE || r == -ECONNRESET)
		_exit(0); /* the collector is gone */
}

/* Keep HELPER_NEED and what of HELPER_MAY we hold; *RET_KEPT: the set. */
static int helper_narrow(uint64_t *ret_kept)
{
	uint64_t eff = 0, prm = 0, inh = 0, keep;
	int r;

	r = caps_get(&eff, &prm, &inh);
	if (r < 0)
		return r;
	if ((prm & HELPER_NEED) != HELPER_NEED)
		return -EPERM; /* setns or the namespace open would fail later */
	keep = HELPER_NEED | (prm & HELPER_MAY);
	/* Bounding set first: dropping from it needs CAP_SETPCAP. Without it
	 * (the systemd unit's bounding set is already just the two we keep,
	 * or a non-root start with ambient capabilities) it stays as it is:
	 * no_new_privs below keeps execve from adding anything. */
	if (eff >> CAP_SETPCAP & 1) {
		r = caps_bound_drop(keep);
		if (r < 0)
			return r;
	}
	r = caps_ambient_clear();
	if (r < 0)
		return r;
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
	*ret_kept = keep;
	return 0;
}

static int helper_setup(struct helper_state *st, pid_t parent)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	struct stat sb;
	sigset_t all;
	uint64_t kept = 0;
	int sig, r;

	prctl(PR_SET_NAME, "netns-helper", 0, 0, 0); /* for ps(1); best effort */
	/* execve kept what the collector ignored and blocked */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* client.c left 0 and 1 on /dev/null, 2 on the collector's stderr
	 * (for a sanitizer's last word) and 3 the socket; whatever a library
	 * may have opened since goes */
	if (syscall(SYS_close_range, 4u, ~0u, 0) < 0) {
		struct rlimit rl;
		int fd;

		if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > 1048576)
			rl.rlim_cur = 65536;
		for (fd = 4; fd < (int)rl.rlim_cur; fd++)
			close(fd);
	}

	st->self_ns = open("/proc/self/ns/net", HELPER_OPEN_FLAGS);
	if (st->self_ns < 0)
		return -errno;
	if (fstat(st->self_ns, &sb) < 0)
		return -errno;
	st->self_dev = sb.st_dev;
	st->self_ino = sb.st_ino;

	r = helper_narrow(&kept);
	if (r < 0)
		return r;
	st->can_list = kept & HELPER_MAY;
	/* after the uid change: a credential change clears the death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return -errno;
	if (getppid() != parent)
		_exit(0);
	/* last: from here on only the calls of the loop below work */
	return netns_helper_filter(st->sock);
}

/* recvmsg returned 0: an empty message or the end of the stream. */
static bool peer_gone(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLIN | POLLRDHUP };

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

static bool request_type_known(uint16_t type)
{
#ifdef LXCOLLECTD_TEST
	if (type == NETNS_MSG_TEST_UNCOVERED || type == NETNS_MSG_TEST_OPEN_PROC)
		return true;
#endif
	return type == NETNS_MSG_OPEN || type == NETNS_MSG_LIST;
}

/* A request's one attached fd, or -1: a list request must carry exactly
 * one, no other request any. */
static int take_fd(struct msghdr *msg)
{
	int fd = -1, bad = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int x;

			memcpy(&x, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0 && !bad) {
				fd = x;
				continue;
			}
			close(x);
			bad = 1;
		}
	}
	if (bad && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return bad ? -2 : fd;
}

static bool request_ok(const struct netns_req *req, int fd)
{
	if (req->magic != NETNS_MAGIC || req->zero != 0 || !request_type_known(req->type))
		return false;
	if (req->type == NETNS_MSG_LIST)
		return fd >= 0 && (req->pid == NETNS_LIST_LXC || req->pid == NETNS_LIST_LXD);
	return fd == -1 && req->pid > 0;
}

/* One request of a known type: 0 with a socket in *ret_fd, or -errno. */
static int dispatch(const struct helper_state *st, const struct netns_req *req, int *ret_fd,
		    int *ret_root, uint64_t *ret_ino)
{
#ifdef LXCOLLECTD_TEST
	if (req->type == NETNS_MSG_TEST_UNCOVERED) {
		struct utsname u;

		/* the filter kills us here (SIGSYS); if it did not, the
		 * test sees an answer instead of the helper's death */
		return uname(&u) < 0 ? -errno : -ENOTRECOVERABLE;
	}
#endif
#ifdef LXCOLLECTD_TEST
	if (req->type == NETNS_MSG_TEST_OPEN_PROC)
		return serve(st, req, true, ret_fd, ret_root, ret_ino);
#endif
	return serve(st, req, false, ret_fd, ret_root, ret_ino);
}

_Noreturn void netns_helper_main(pid_t parent)
{
	struct helper_state st = { .sock = NETNS_HELPER_FD, .self_ns = -1 };
	int r;

	r = helper_setup(&st, parent);
	send_reply(st.sock, 0, NETNS_MSG_READY, r < 0 ? -r : 0, 0, -1, -1);
	if (r < 0)
		_exit(1);

	for (;;) {
		/* one spare byte so that an oversized message shows as one */
		union {
			struct netns_req req;
			char raw[sizeof(struct netns_req) + 1];
		} u;
		/* room for one fd (a list request's directory): more are
		 * closed by the kernel (MSG_CTRUNC) and refuse the request */
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { .iov_base = &u, .iov_len = sizeof(u) };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cm.buf,
				      .msg_controllen = sizeof(cm.buf) };
		uint64_t ino = 0;
		ssize_t n;
		int fd = -1, root = -1, in;

		memset(&u, 0, sizeof(u));
		n = recvmsg(st.sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(0);
		in = take_fd(&msg);
		if (n == 0 && in == -1 && peer_gone(st.sock))
			_exit(0);
		if ((size_t)n != sizeof(u.req) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    in < -1 || !request_ok(&u.req, in)) {
			if (in >= 0)
				close(in);
			send_reply(st.sock, 0, NETNS_MSG_INVALID, EINVAL, 0, -1, -1);
			continue;
		}
		if (u.req.type == NETNS_MSG_LIST) {
			size_t len = 0;
			bool trunc = false;

			r = serve_list(&st, in, u.req.pid, &len, &trunc);
			close(in);
			send_list(st.sock, u.req.seq, r < 0 ? -r : 0, len, trunc);
			continue;
		}
		r = dispatch(&st, &u.req, &fd, &root, &ino);
		send_reply(st.sock, u.req.seq, u.req.type, r < 0 ? -r : 0, ino, fd, root);
		if (fd >= 0)
			close(fd);
		if (root >= 0)
			close(root);
	}
}

void netns_helper_exec_main(int argc, char **argv)
{
	char *end;
	long parent;
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (argc < 2 || strcmp(argv[1], NETNS_HELPER_ARG) != 0)
		return;
	errno = 0;
	parent = argc == 3 ? strtol(argv[2], &end, 10) : 0;
	/* started by hand, not by client.c: no socket to serve */
	if (errno || parent <= 1 || *end ||
	    getsockopt(NETNS_HELPER_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET ||
	    getsockopt(NETNS_HELPER_FD, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    domain != AF_UNIX) {
		fprintf(stderr, "%s: %s is for the program's own use\n", argv[0], NETNS_HELPER_ARG);
		exit(64);
	}
	netns_helper_main((pid_t)parent);
}
