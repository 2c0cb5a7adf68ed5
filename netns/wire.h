/* netns/wire.h: private to netns/. The helper protocol, shared by the
 * helper process (helper.c) and its client (client.c).
 *
 * SOCK_SEQPACKET, one message each way per request: a fixed 24-byte
 * request, a fixed 24-byte reply plus, on success, the socket in
 * SCM_RIGHTS, followed (reply.root = 1) by the process's root directory
 * when the helper could open it. Every message names its type. The helper starts by sending
 * one NETNS_MSG_READY reply with seq 0 that tells whether its own set-up
 * worked; replies to malformed requests are NETNS_MSG_INVALID with seq 0
 * too, so the client (whose seq never is 0) cannot take them for answers.
 *
 * NETNS_MSG_LIST (netns_helper_list) carries a directory the collector
 * opened (O_PATH) in SCM_RIGHTS and the listing mode in the pid field; the
 * reply (error 0, no fd) says in ino how many bytes of names follow and in
 * root whether the list was cut short (NETNS_LIST_TRUNCATED), and is
 * followed by exactly one more message: that many bytes, NUL-separated
 * names (an empty message when there is none).
 * Both ends are the same build of the same program (the helper is this
 * executable run again), so the layout is checked at compile time only. */
#ifndef LXCOLLECTD_NETNS_WIRE_H
#define LXCOLLECTD_NETNS_WIRE_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "netns/netns.h"

#define NETNS_MAGIC 0x6c786e73u /* "lxns" */

enum netns_msg_type {
	NETNS_MSG_READY = 1,   /* helper -> client, once: set-up result */
	NETNS_MSG_OPEN = 2,    /* client -> helper: a socket in PID's netns;
				* helper -> client: the answer (fd attached) */
	NETNS_MSG_INVALID = 3, /* helper -> client: a request it refused unread */
	NETNS_MSG_LIST = 4,    /* client -> helper: list the directory attached;
				* helper -> client: the answer, then the names */
#ifdef LXCOLLECTD_TEST
	/* test builds only: makes the helper call uname(2), which its
	 * seccomp filter does not allow */
	NETNS_MSG_TEST_UNCOVERED = 0x7e57,
	/* test builds only: NETNS_MSG_OPEN through /proc/PID/ns/net, the
	 * path of kernels before 6.11, on any kernel */
	NETNS_MSG_TEST_OPEN_PROC = 0x7e58,
#endif
};

struct netns_req {
	uint32_t magic;
	uint32_t seq;
	int32_t pid; /* NETNS_MSG_LIST: enum netns_list_mode */
	uint16_t zero; /* reserved, must be 0 */
	uint16_t type; /* enum netns_msg_type */
	uint64_t starttime;
};

struct netns_reply {
	uint32_t magic;
	uint32_t seq;
	int32_t error; /* positive errno, 0 on success (then the socket attached) */
	uint16_t root; /* 1: a second fd, the root directory (read-only), follows;
			* NETNS_MSG_LIST: NETNS_LIST_TRUNCATED or 0 */
	uint16_t type;
	uint64_t ino;  /* NETNS_MSG_LIST: the size of the names message */
};

#define NETNS_LIST_TRUNCATED 1

_Static_assert(sizeof(struct netns_req) == NETNS_REQ_SIZE, "request size");
_Static_assert(sizeof(struct netns_reply) == NETNS_REQ_SIZE, "reply size");
_Static_assert(offsetof(struct netns_req, zero) == 12 && offsetof(struct netns_req, type) == 14 &&
		       offsetof(struct netns_req, starttime) == 16,
	       "request layout");
_Static_assert(offsetof(struct netns_reply, type) == offsetof(struct netns_req, type) &&
		       offsetof(struct netns_reply, ino) == 16,
	       "reply layout");

/* Every open() of the helper: read-only, what its seccomp filter allows. */
#define HELPER_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY)
/* The one other open() of the helper: a directory it was handed, for
 * reading (NETNS_MSG_LIST). */
#define HELPER_OPENDIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY)
/* Linux >= 6.11; older kernels (Debian 12's 6.1) answer ENOTTY and the
 * helper opens /proc/PID/ns/net instead. */
#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(0xFF, 4)
#endif

/* The helper's end of the socketpair, as the exec'd helper finds it. */
#define NETNS_HELPER_FD 3
/* argv[1] of the exec'd helper (see netns_helper_exec_main) */
#define NETNS_HELPER_ARG "--netns-helper"

/* Send one message of LEN bytes, with FD and then FD2 attached
 * (SCM_RIGHTS) when >= 0; EINTR-safe. 0, -EPROTO for a short send, or
 * -errno. */
int netns_send_msg(int sock, const void *buf, size_t len, int fd, int fd2);

/* The helper process, on NETNS_HELPER_FD: never returns. parent: the
 * collector's pid. */
_Noreturn void netns_helper_main(pid_t parent);

/* Confine the helper to the system calls of its request loop (seccomp.c);
 * anything else kills it. SOCK: the one fd it may receive and send on.
 * 0 or -errno. */
int netns_helper_filter(int sock);

#endif
