/* netns/wire.h: private to netns/. The helper protocol, shared by the
 * helper process (helper.c) and its client (client.c).
 *
 * SOCK_SEQPACKET, one message each way per request: a fixed 24-byte
 * request, a fixed 24-byte reply plus, on success, the socket in
 * SCM_RIGHTS, followed (reply.root = 1) by the process's root directory
 * when the helper could open it. The helper starts by sending one reply with seq 0 that tells
 * whether its own set-up worked; replies to malformed requests have seq 0
 * too, so the client (whose seq never is 0) cannot take them for answers. */
#ifndef LXC_NETNS_WIRE_H
#define LXC_NETNS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns/netns.h"

#define NETNS_MAGIC 0x6c786e73u /* "lxns" */

struct netns_req {
	uint32_t magic;
	uint32_t seq;
	int32_t pid;
	uint32_t zero; /* reserved, must be 0 */
	uint64_t starttime;
};

_Static_assert(sizeof(struct netns_req) == NETNS_REQ_SIZE, "wire size");

struct netns_reply {
	uint32_t magic;
	uint32_t seq;
	int32_t error; /* positive errno, 0 on success (then the socket attached) */
	uint32_t root; /* 1: a second fd, the root directory (O_PATH), follows */
	uint64_t ino;
};

/* Send one message of LEN bytes, with FD and then FD2 attached
 * (SCM_RIGHTS) when >= 0; EINTR-safe. 0, -EPROTO for a short send, or
 * -errno. */
int netns_send_msg(int sock, const void *buf, size_t len, int fd, int fd2);

/* The helper process: never returns. parent: the collector's pid. */
_Noreturn void netns_helper_main(int sock, pid_t parent);

#endif
