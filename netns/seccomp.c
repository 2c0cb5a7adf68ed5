/* seccomp: the netns helper's system call allow-list. The helper installs
 * it last in its set-up (helper.c) and from then on may make only the
 * calls of its request loop, each with the arguments that loop uses;
 * anything else kills the whole process (SIGSYS), which the collector
 * notices and reports (netns_helper_exited). Also when run under
 * systemd, whose SystemCallFilter= covers the collector and the helper
 * alike and is much wider. */
#include <errno.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netns/wire.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

struct rule {
	int nr;
	unsigned nargs;
	struct scmp_arg_cmp arg[3];
};

#define EQ(i, v) { .arg = (i), .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)(v) }

/* The request loop and what it calls: recvmsg/sendmsg on the socket,
 * poll to tell an empty message from a closed peer, /proc/PID/stat and
 * /proc/PID/ns/net opened read-only, pidfd_open and its one ioctl,
 * fstat on the namespace, setns into a network namespace and back, one
 * kind of socket, close, exit; for a list request the directory re-opened
 * for reading, getdents64 and fstatat of NAME/config. */
static int add_rules(scmp_filter_ctx ctx, int sock)
{
	const struct rule rules[] = {
		{ SCMP_SYS(recvmsg), 1, { EQ(0, sock) } },
		{ SCMP_SYS(sendmsg), 1, { EQ(0, sock) } },
		{ SCMP_SYS(poll), 0, { { 0 } } },
		{ SCMP_SYS(ppoll), 0, { { 0 } } },
		{ SCMP_SYS(openat), 1, { EQ(2, HELPER_OPEN_FLAGS) } },
		{ SCMP_SYS(openat), 1, { EQ(2, HELPER_OPENDIR_FLAGS) } },
		{ SCMP_SYS(getdents64), 0, { { 0 } } },
		{ SCMP_SYS(read), 0, { { 0 } } },
		{ SCMP_SYS(close), 0, { { 0 } } },
		{ SCMP_SYS(fstat), 0, { { 0 } } },
		{ SCMP_SYS(newfstatat), 0, { { 0 } } },
		{ SCMP_SYS(pidfd_open), 1, { EQ(1, 0) } },
		{ SCMP_SYS(ioctl), 1, { EQ(1, PIDFD_GET_NET_NAMESPACE) } },
		{ SCMP_SYS(setns), 1, { EQ(1, CLONE_NEWNET) } },
		{ SCMP_SYS(socket), 3,
		  { EQ(0, AF_NETLINK), EQ(1, SOCK_RAW | SOCK_CLOEXEC), EQ(2, NETLINK_ROUTE) } },
		{ SCMP_SYS(exit_group), 0, { { 0 } } },
		{ SCMP_SYS(exit), 0, { { 0 } } },
		{ SCMP_SYS(rt_sigreturn), 0, { { 0 } } },
		{ SCMP_SYS(restart_syscall), 0, { { 0 } } },
#ifdef LXCOLLECTD_SANITIZE
		/* Sanitizer builds only: what the ASan/UBSan runtime itself
		 * calls while it checks and when it reports (allocation,
		 * threads of its own, writing the report, symbolizing). The
		 * normal build allows none of these. */
		{ SCMP_SYS(write), 0, { { 0 } } },
		{ SCMP_SYS(writev), 0, { { 0 } } },
		{ SCMP_SYS(mmap), 0, { { 0 } } },
		{ SCMP_SYS(munmap), 0, { { 0 } } },
		{ SCMP_SYS(mprotect), 0, { { 0 } } },
		{ SCMP_SYS(madvise), 0, { { 0 } } },
		{ SCMP_SYS(brk), 0, { { 0 } } },
		{ SCMP_SYS(futex), 0, { { 0 } } },
		{ SCMP_SYS(sched_yield), 0, { { 0 } } },
		{ SCMP_SYS(getpid), 0, { { 0 } } },
		{ SCMP_SYS(gettid), 0, { { 0 } } },
		{ SCMP_SYS(tgkill), 0, { { 0 } } },
		{ SCMP_SYS(rt_sigaction), 0, { { 0 } } },
		{ SCMP_SYS(rt_sigprocmask), 0, { { 0 } } },
		{ SCMP_SYS(sigaltstack), 0, { { 0 } } },
		{ SCMP_SYS(readlink), 0, { { 0 } } },
		{ SCMP_SYS(prctl), 0, { { 0 } } },
		{ SCMP_SYS(prlimit64), 0, { { 0 } } },
		{ SCMP_SYS(getrlimit), 0, { { 0 } } },
		{ SCMP_SYS(lseek), 0, { { 0 } } },
		{ SCMP_SYS(pread64), 0, { { 0 } } },
		{ SCMP_SYS(clock_gettime), 0, { { 0 } } },
		{ SCMP_SYS(nanosleep), 0, { { 0 } } },
		{ SCMP_SYS(clock_nanosleep), 0, { { 0 } } },
#endif
	};
	int r;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		/* a call this architecture does not have (poll on arm64) */
		if (rules[i].nr < 0)
			continue;
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rules[i].nr, rules[i].nargs,
					   rules[i].arg);
		if (r < 0)
			return r;
	}
	return 0;
}

int netns_helper_filter(int sock)
{
	scmp_filter_ctx ctx;
	int r;

	/* valgrind carries out the program's system calls itself, with
	 * calls of its own in between, which no allow-list of ours can
	 * know: under valgrind (make check's valgrind test) there is none */
	if (RUNNING_ON_VALGRIND)
		return 0;
	/* NULL also when the kernel's seccomp(2) is out of reach (a
	 * SystemCallFilter= without it): libseccomp cannot learn whether
	 * SECCOMP_RET_KILL_PROCESS exists */
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOSYS;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r >= 0)
		r = add_rules(ctx, sock);
	if (r >= 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r < 0 ? r : 0;
}
