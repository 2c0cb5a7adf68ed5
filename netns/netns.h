/* netns: the only code that enters network namespaces (setns), and the
 * netlink link statistics read through sockets made inside them.
 *
 * The helper process: netns_helper_start() forks and executes this same
 * program again in helper mode (netns_helper_exec_main), with an empty
 * environment and no fd but /dev/null, stderr and its socket: it never
 * holds the collector's configuration or secrets. Given a PID and its
 * start time it answers, over a socketpair with SCM_RIGHTS, with one
 * NETLINK_ROUTE socket created inside that process's network namespace.
 * libnl types never leave this folder. Nothing here logs above debug.
 *
 * The helper also lists the directories LXC and LXD keep their containers
 * in (netns_helper_list), which the collector may not be allowed to read.
 *
 * The helper keeps CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (a process's
 * namespace is only handed to a caller that may ptrace-read it), and
 * CAP_DAC_READ_SEARCH (listing those directories) when it was given it, in
 * its effective, permitted and bounding sets and nothing else, runs as uid/gid
 * 65534 with no_new_privs, holds no fd but its socket, stderr and its own
 * netns, is confined by a seccomp allow-list of the calls it makes (any
 * other call kills it with SIGSYS), and exits when the collector closes
 * its end or dies. */
#ifndef LXCOLLECTD_NETNS_H
#define LXCOLLECTD_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct netns_helper;

/* Every program that calls netns_helper_start() calls this first thing in
 * main(): when ARGV asks for helper mode it becomes the helper and never
 * returns (exit 64 when started so by hand); otherwise it returns at once. */
void netns_helper_exec_main(int argc, char **argv);
/* Start the helper. Call before the collector drops its privileges, from
 * the main thread and before other threads start (the helper's death
 * signal follows the forking thread). Returns the helper's own set-up
 * error, e.g. -EPERM when not run as root, or why it could not be
 * executed. */
int netns_helper_start(struct netns_helper **ret);
/* Ask for a NETLINK_ROUTE socket inside PID's network namespace.
 * starttime: field 22 of /proc/PID/stat; a mismatch (reused PID) is
 * refused with -ESRCH, as is a vanished PID. -EXDEV: PID shares the
 * helper's (the host's) network namespace. ret_ino: the namespace's inode,
 * to notice a container that restarted. Also -EINVAL (bad request),
 * -EPERM/-EACCES (the kernel refused), -ETIMEDOUT (no answer within 5 s;
 * a late answer is discarded by the next call), -ECONNRESET (helper gone).
 * ret_fd is close-on-exec. */
int netns_helper_open(struct netns_helper *h, pid_t pid, uint64_t starttime, int *ret_fd,
		      uint64_t *ret_ino);
/* The same, and ret_root: PID's root directory (read-only, close-on-exec,
 * for fstatfs), or -1 when the helper could not open it. */
int netns_helper_open_root(struct netns_helper *h, pid_t pid, uint64_t starttime, int *ret_fd,
			   uint64_t *ret_ino, int *ret_root);
/* How NETNS_MSG_LIST lists a directory. */
enum netns_list_mode {
	NETNS_LIST_LXC = 1, /* LXC's lxcpath: each NAME whose NAME/config is a
			     * regular file */
	NETNS_LIST_LXD = 2, /* LXD's instances: each directory or symbolic
			     * link (not followed) */
};
/* The largest list of names the helper sends for one directory. */
#define NETNS_LIST_MAX 65536
/* Ask the helper (which holds CAP_DAC_READ_SEARCH) for the names in the
 * directory DIRFD (any descriptor of it, O_PATH will do; the helper is
 * handed a copy and holds no configuration of its own) as MODE says:
 * entries other than "." and ".." that are directories, symbolic links
 * or of unknown type, never names holding a '/', a control character or
 * starting with a '.'. *RET_NAMES (malloc'd, owned by the caller): the
 * names, each followed by a NUL, *RET_LEN bytes in all; *RET_TRUNCATED:
 * the directory held more than NETNS_LIST_MAX bytes of names. -EPERM:
 * the helper does not hold CAP_DAC_READ_SEARCH; -ENOTDIR: DIRFD is not a
 * directory; else as netns_helper_open(). */
int netns_helper_list(struct netns_helper *h, int dirfd, enum netns_list_mode mode,
		      char **ret_names, size_t *ret_len, bool *ret_truncated);
pid_t netns_helper_pid(const struct netns_helper *h);
/* Never blocks: 0 while the helper runs; 1 once it has ended (reaped
 * here; RET_STATUS: its wait status, e.g. killed by SIGSYS when it made a
 * call outside its seccomp filter); -errno. After 1 every request fails
 * with -ECONNRESET. */
int netns_helper_exited(struct netns_helper *h, int *ret_status);
/* Close the socketpair and reap the helper. */
void netns_helper_stop(struct netns_helper *h);

/* The size of every helper message, request or reply (wire.h). */
#define NETNS_REQ_SIZE 24

#ifdef LXCOLLECTD_TEST
/* Test builds only (liblxcollectd-test.a): send LEN raw bytes (with
 * ATTACH_FD in SCM_RIGHTS unless it is -1) as one request, wait for the
 * next reply and return its error (0 or -errno; a fd that came with it is
 * closed). */
int netns_helper_raw_request(struct netns_helper *h, const void *buf, size_t len, int attach_fd);
/* The NETNS_REQ_SIZE wire bytes of a well-formed open request. */
void netns_helper_raw_open_request(pid_t pid, uint64_t starttime, void *ret_buf);
/* The same through /proc/PID/ns/net only: the helper's path on kernels
 * before 6.11 (Debian 12's 6.1), taken on any kernel. */
void netns_helper_raw_open_proc_request(pid_t pid, uint64_t starttime, void *ret_buf);
/* A list request: MODE as netns_list_mode (any value, to test refusals). */
void netns_helper_raw_list_request(int32_t mode, void *ret_buf);
/* A request of the test-only type that makes the helper call uname(2),
 * which its seccomp filter does not allow. */
void netns_helper_raw_uncovered_request(void *ret_buf);
#endif

struct netns_link {
	char name[16];    /* IFNAMSIZ */
	int ifindex;
	int link_ifindex; /* IFLA_LINK: for a veth, the peer's ifindex in the
			   * other namespace (the host); 0 when none */
	bool veth;
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

struct netns_sock;

/* Adopt a NETLINK_ROUTE socket fd (takes ownership, also on failure). It
 * joins RTNLGRP_LINK of its namespace, to know when the table changes. */
int netns_sock_adopt(int fd, struct netns_sock **ret);
/* A socket in the caller's own namespace (the host side); it does not
 * join: every netns_sock_links() on it dumps the whole table. */
int netns_sock_host(struct netns_sock **ret);
/* The links with their counters. The counters come from one RTM_GETSTATS
 * dump; names, peers and kinds from an rtnl_link cache (RTM_GETLINK) at
 * the first call and whenever the table may have changed (a link
 * notification, lost notifications, counters of an unknown ifindex or
 * missing for a known one). The array is owned by the socket and valid
 * until the next call. -EAGAIN when a dump was interrupted
 * (NLM_F_DUMP_INTR). */
int netns_sock_links(struct netns_sock *s, const struct netns_link **ret, size_t *ret_n);
#ifdef LXCOLLECTD_TEST
/* Test builds only: the whole table through the rtnl_link cache now,
 * whatever the notifications say, for benchmarks and as a cross-check. */
int netns_sock_links_cache(struct netns_sock *s, const struct netns_link **ret, size_t *ret_n);
#endif
void netns_sock_free(struct netns_sock *s);

/* Link notifications (RTNLGRP_LINK) of the caller's own namespace, so the
 * host side is dumped again only when its links changed. */
struct netns_watch;
int netns_watch_links(struct netns_watch **ret);
/* Apply the link notifications that arrived since the last call: FN(UD,
 * IFINDEX, NAME) for a link added or changed, FN(UD, IFINDEX, NULL) for one
 * removed, in the order they happened. 0 when every one was applied, 1
 * when some were lost (or could not be read): the caller's table needs a
 * dump; -errno on failure. Never blocks. */
typedef void (*netns_link_change_fn)(void *ud, int ifindex, const char *name);
int netns_watch_apply(struct netns_watch *w, netns_link_change_fn fn, void *ud);
void netns_watch_free(struct netns_watch *w);

#endif
