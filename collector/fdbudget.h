/* fdbudget: how many file descriptors the container table may keep open.
 *
 * A container held "warm" keeps its cgroup files and its netlink socket
 * open between cycles (about a dozen fds). When
 * RLIMIT_NOFILE cannot hold all of them, the containers beyond the budget
 * are read "cold": their files opened, read and closed, their socket
 * obtained and closed, every cycle. Slower, never blind. The budget keeps
 * a reserve for what is not the table's: the spool, the HTTP connection,
 * discovery, a cold container's files while it is read. */
#ifndef LXC_FDBUDGET_H
#define LXC_FDBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdbudget {
	uint64_t limit;   /* RLIMIT_NOFILE (soft) */
	uint64_t other;   /* open before the first container, plus FDB_RESERVE */
	uint64_t held;    /* what warm containers hold */
	uint64_t per_ct;  /* the most one container was seen to take */
	bool counted;     /* other is known */
	bool warned;
};

#define FDB_RESERVE 32
/* fds of one container (cgroup files and netlink socket, README
 * "Performance"), for the warning when none could be measured */
#define FDB_PER_CT_GUESS 12

/* Read the limit; what else the process has open is counted when the
 * first container asks for room. */
void fdb_init(struct fdbudget *b);
/* Room for N more fds held (keeping room to read one cold container)?
 * Then they are counted and true is returned. */
bool fdb_take(struct fdbudget *b, uint64_t n);
void fdb_give(struct fdbudget *b, uint64_t n);
/* After discovery: COLD of CONTAINERS are read cold. The first time that
 * happens, one warning names the limit, what would be needed and how to
 * raise it. */
void fdb_report(struct fdbudget *b, size_t containers, size_t cold);

#endif
