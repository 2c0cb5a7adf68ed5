/* netns client: the collector's side of the helper (see helper.c and
 * wire.h): start it (fork, then execute this program again in helper
 * mode), ask it for sockets and directory listings, notice its death,
 * stop it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns/wire.h"
#include "util/util.h"

#define HELPER_TIMEOUT_MS 5000

struct netns_helper {
	int sock;
	pid_t pid;   /* -1 once reaped */
	int status;  /* its wait status, once reaped */
	uint32_t seq;
};

/* The next seq (never 0: that marks unsolicited replies). */
static uint32_t next_seq(struct netns_helper *h)
{
	if (++h->seq == 0)
		h->seq = 1;
	return h->seq;
}

/* Where the names of a list reply go (recv_reply). */
struct list_buf {
	char *buf;
	size_t cap;
	size_t len; /* what came */
};

/* Next reply (any seq), with its fds if they came (the second: the root
 * directory, only when the reply says so), and a list reply's names into
 * LB when given (without LB they are dropped: a late answer to be
 * discarded). */
static int recv_reply(int sock, int64_t deadline, struct netns_reply *ret, int *ret_fd,
		      int *ret_root, struct list_buf *lb)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct netns_reply rep;
	char spare;
	struct iovec iov[2] = { { .iov_base = &rep, .iov_len = sizeof(rep) },
				{ .iov_base = lb ? lb->buf : &spare, .iov_len = lb ? lb->cap : 1 } };
	struct msghdr msg;
	struct cmsghdr *c;
	int fd = -1, root = -1, r = 0;
	size_t extra;
	bool list;
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		int64_t left = deadline - clock_ms(CLOCK_MONOTONIC);

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			continue;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = 2;
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET; /* the helper is gone */
		break;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t i, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			int x;

			memcpy(&x, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = x;
			else if (root < 0 && rep.root == 1)
				root = x;
			else {
				close(x);
				r = -EPROTO;
			}
		}
	}
	if ((size_t)n < sizeof(rep) || rep.magic != NETNS_MAGIC)
		r = -EPROTO;
	list = r == 0 && rep.type == NETNS_MSG_LIST;
	extra = (size_t)n - sizeof(rep);
	if (list) {
		/* no fd; the names exactly as long as the reply says */
		if (fd >= 0 || rep.error < 0 || rep.error > 4095 || rep.root > NETNS_LIST_TRUNCATED ||
		    (lb && ((msg.msg_flags & MSG_TRUNC) || extra != rep.ino)) ||
		    (rep.error && rep.ino))
			r = -EPROTO;
	} else if (r == 0 && (extra || (msg.msg_flags & MSG_TRUNC) || rep.error < 0 ||
			      rep.error > 4095 || (rep.error == 0 && rep.seq != 0 && fd < 0) ||
			      rep.root > 1 || (rep.root && root < 0)))
		r = -EPROTO;
	if (msg.msg_flags & MSG_CTRUNC)
		r = -EPROTO;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		if (root >= 0)
			close(root);
		return r;
	}
	if (lb)
		lb->len = list ? extra : 0;
	*ret = rep;
	*ret_fd = fd;
	if (ret_root)
		*ret_root = root;
	else if (root >= 0)
		close(root);
	return 0;
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* In the forked child: lay out the fds the helper expects (0 and 1 on
 * /dev/null, 2 the collector's stderr or /dev/null, 3 the socket, nothing
 * else) and execute this very program again in helper mode, with an empty
 * environment. The executable is opened through /proc/self/exe, so that
 * it is the same file even when a package upgrade has replaced the one
 * on disk. Only async-signal-safe calls: the collector may have threads
 * one day. On failure the errno goes to the collector as a READY reply. */
static _Noreturn void exec_helper(int sock, pid_t parent)
{
	char pidbuf[24], *argv[] = { "lxcollectd-netns", NETNS_HELPER_ARG, pidbuf, NULL };
	char *envp[] = { NULL };
	struct netns_reply rep = { .magic = NETNS_MAGIC, .type = NETNS_MSG_READY };
	int s, devnull, exe, n;
	unsigned v = (unsigned)parent;
	char digits[16];

	/* pid in decimal without stdio */
	n = 0;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(digits));
	for (int i = 0; i < n; i++)
		pidbuf[i] = digits[n - 1 - i];
	pidbuf[n] = '\0';

	s = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	if (s < 0)
		goto fail;
	close(sock);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0)
		goto fail;
	if (fcntl(2, F_GETFD) < 0 && dup2(devnull, 2) < 0)
		goto fail;
	/* dup2 leaves the copies without close-on-exec: 0, 1, 2, 3 survive */
	if (dup2(s, NETNS_HELPER_FD) < 0)
		goto fail;
	if (syscall(SYS_close_range, (unsigned)NETNS_HELPER_FD + 1, ~0u, 0) < 0)
		for (int fd = NETNS_HELPER_FD + 1; fd < 65536; fd++)
			close(fd);
	s = NETNS_HELPER_FD;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		goto fail;
	fexecve(exe, argv, envp);
fail:
	rep.error = errno ? errno : EIO;
	netns_send_msg(s >= 0 ? s : sock, &rep, sizeof(rep), -1, -1);
	_exit(127);
}

int netns_helper_start(struct netns_helper **ret)
{
	struct netns_helper *h;
	struct netns_reply rep;
	int sv[2], fd, r;
	pid_t parent = getpid(), pid;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		free(h);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		free(h);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_helper(sv[1], parent);
	}
	close(sv[1]);
	h->sock = sv[0];
	h->pid = pid;

	r = recv_reply(h->sock, clock_ms(CLOCK_MONOTONIC) + HELPER_TIMEOUT_MS, &rep, &fd, NULL,
		       NULL);
	if (r == 0 && fd >= 0) {
		close(fd);
		r = -EPROTO;
	}
	if (r == 0 && (rep.seq != 0 || rep.type != NETNS_MSG_READY))
		r = -EPROTO;
	if (r == 0 && rep.error != 0)
		r = -rep.error;
	if (r < 0) {
		netns_helper_stop(h);
		return r;
	}
	*ret = h;
	return 0;
}

#ifdef LXCOLLECTD_TEST
/* Test builds only: LXCOLLECTD_TEST_UNCOVERED=N in the environment turns
 * the N-th open request into the request the helper's seccomp filter does
 * not cover (tests/integration/seccomp.sh). */
static bool test_uncovered_now(void)
{
	static unsigned long calls;
	const char *e = getenv("LXCOLLECTD_TEST_UNCOVERED");

	return e && ++calls == strtoul(e, NULL, 10);
}
#endif

int netns_helper_open(struct netns_helper *h, pid_t pid, uint64_t starttime, int *ret_fd,
		      uint64_t *ret_ino)
{
	return netns_helper_open_root(h, pid, starttime, ret_fd, ret_ino, NULL);
}

int netns_helper_open_root(struct netns_helper *h, pid_t pid, uint64_t starttime, int *ret_fd,
			   uint64_t *ret_ino, int *ret_root)
{
	struct netns_req req = {
		.magic = NETNS_MAGIC, .type = NETNS_MSG_OPEN, .pid = pid, .starttime = starttime
	};
	struct netns_reply rep;
	int64_t deadline;
	int fd, root = -1, r;

	if (!h || h->sock < 0 || !ret_fd)
		return -EBADF;
	if (h->pid <= 0)
		return -ECONNRESET; /* reaped by netns_helper_exited() */
	if (pid <= 0)
		return -EINVAL;
	req.seq = next_seq(h);
#ifdef LXCOLLECTD_TEST
	if (test_uncovered_now())
		req.type = NETNS_MSG_TEST_UNCOVERED;
#endif
	r = netns_send_msg(h->sock, &req, sizeof(req), -1, -1);
	if (r == -EPIPE)
		return -ECONNRESET; /* the helper is gone */
	if (r < 0)
		return r;
	deadline = clock_ms(CLOCK_MONOTONIC) + HELPER_TIMEOUT_MS;
	for (;;) {
		r = recv_reply(h->sock, deadline, &rep, &fd, &root, NULL);
		if (r < 0)
			return r;
		if (rep.seq == req.seq && rep.type == NETNS_MSG_OPEN)
			break;
		/* a late answer to an earlier request that timed out */
		if (fd >= 0)
			close(fd);
		if (root >= 0)
			close(root);
		root = -1;
	}
	if (rep.error) {
		if (fd >= 0)
			close(fd);
		if (root >= 0)
			close(root);
		return -rep.error;
	}
	*ret_fd = fd;
	if (ret_root)
		*ret_root = root;
	else if (root >= 0)
		close(root);
	if (ret_ino)
		*ret_ino = rep.ino;
	return 0;
}

int netns_helper_list(struct netns_helper *h, int dirfd, enum netns_list_mode mode,
		      char **ret_names, size_t *ret_len, bool *ret_truncated)
{
	struct netns_req req = { .magic = NETNS_MAGIC, .type = NETNS_MSG_LIST, .pid = mode };
	struct list_buf lb = { .cap = NETNS_LIST_MAX };
	struct netns_reply rep;
	int64_t deadline;
	int fd, r;

	if (!h || h->sock < 0 || dirfd < 0 || !ret_names || !ret_len || !ret_truncated)
		return -EBADF;
	if (h->pid <= 0)
		return -ECONNRESET;
	if (mode != NETNS_LIST_LXC && mode != NETNS_LIST_LXD)
		return -EINVAL;
	lb.buf = malloc(lb.cap);
	if (!lb.buf)
		return -ENOMEM;
	req.seq = next_seq(h);
	r = netns_send_msg(h->sock, &req, sizeof(req), dirfd, -1);
	if (r == -EPIPE)
		r = -ECONNRESET;
	deadline = clock_ms(CLOCK_MONOTONIC) + HELPER_TIMEOUT_MS;
	while (r == 0) {
		r = recv_reply(h->sock, deadline, &rep, &fd, NULL, &lb);
		if (r < 0)
			break;
		if (fd >= 0)
			close(fd); /* a late answer to an open request */
		if (rep.seq == req.seq && rep.type == NETNS_MSG_LIST)
			break;
	}
	if (r == 0 && rep.error)
		r = -rep.error;
	/* every name NUL-terminated: the last byte is one */
	if (r == 0 && lb.len && lb.buf[lb.len - 1] != '\0')
		r = -EPROTO;
	if (r < 0) {
		free(lb.buf);
		return r;
	}
	*ret_names = lb.buf;
	*ret_len = lb.len;
	*ret_truncated = rep.root == NETNS_LIST_TRUNCATED;
	return 0;
}

pid_t netns_helper_pid(const struct netns_helper *h)
{
	return h ? h->pid : -1;
}

int netns_helper_exited(struct netns_helper *h, int *ret_status)
{
	int status;
	pid_t p;

	if (!h)
		return -EBADF;
	if (h->pid <= 0) {
		*ret_status = h->status;
		return 1;
	}
	do
		p = waitpid(h->pid, &status, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return -errno;
	if (p == 0)
		return 0;
	h->pid = -1; /* reaped: stop must not wait for it */
	h->status = status;
	*ret_status = status;
	return 1;
}

void netns_helper_stop(struct netns_helper *h)
{
	if (!h)
		return;
	if (h->sock >= 0) {
		/* shutdown reaches the helper even if a forked child still
		 * holds a copy of our end */
		shutdown(h->sock, SHUT_RDWR);
		close(h->sock);
	}
	if (h->pid > 0)
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
	free(h);
}

#ifdef LXCOLLECTD_TEST
/* test builds only (see netns.h) */
int netns_helper_raw_request(struct netns_helper *h, const void *buf, size_t len, int attach_fd)
{
	struct netns_reply rep;
	int fd, r;

	if (!h || h->sock < 0)
		return -EBADF;
	r = netns_send_msg(h->sock, buf, len, attach_fd, -1);
	if (r < 0)
		return r;
	r = recv_reply(h->sock, clock_ms(CLOCK_MONOTONIC) + HELPER_TIMEOUT_MS, &rep, &fd, NULL,
		       NULL);
	if (r < 0)
		return r;
	if (fd >= 0)
		close(fd);
	return -rep.error;
}

void netns_helper_raw_open_request(pid_t pid, uint64_t starttime, void *ret_buf)
{
	struct netns_req req = {
		.magic = NETNS_MAGIC, .type = NETNS_MSG_OPEN, .pid = pid, .starttime = starttime
	};

	memcpy(ret_buf, &req, sizeof(req));
}

void netns_helper_raw_open_proc_request(pid_t pid, uint64_t starttime, void *ret_buf)
{
	struct netns_req req = {
		.magic = NETNS_MAGIC, .type = NETNS_MSG_TEST_OPEN_PROC, .pid = pid,
		.starttime = starttime
	};

	memcpy(ret_buf, &req, sizeof(req));
}

void netns_helper_raw_list_request(int32_t mode, void *ret_buf)
{
	struct netns_req req = { .magic = NETNS_MAGIC, .type = NETNS_MSG_LIST, .pid = mode };

	memcpy(ret_buf, &req, sizeof(req));
}

void netns_helper_raw_uncovered_request(void *ret_buf)
{
	struct netns_req req = {
		.magic = NETNS_MAGIC, .type = NETNS_MSG_TEST_UNCOVERED, .pid = 1
	};

	memcpy(ret_buf, &req, sizeof(req));
}
#endif
