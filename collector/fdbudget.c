/* fdbudget: the file descriptor budget of the container table; see
 * fdbudget.h. */
#include "collector/fdbudget.h"

#include <dirent.h>
#include <inttypes.h>
#include <sys/resource.h>

#include "collector/log.h"

static uint64_t count_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	uint64_t n = 0;

	if (!d)
		return 32; /* no /proc: a guess at what start-up opened */
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n > 0 ? n - 1 : 0; /* opendir's own */
}

void fdb_init(struct fdbudget *b)
{
	struct rlimit rl;

	b->limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
			   (uint64_t)rl.rlim_cur : UINT64_MAX / 4;
	b->other = 0;
	b->held = 0;
	b->per_ct = 0;
	b->counted = false;
	b->warned = false;
}

/* What the process had open before the first container, counted once:
 * not at fdb_init(), since on SIGHUP the new table is made while the old
 * one still holds its files. */
static void count_other(struct fdbudget *b)
{
	if (b->counted)
		return;
	b->other = count_open() + FDB_RESERVE;
	b->counted = true;
}

bool fdb_take(struct fdbudget *b, uint64_t n)
{
	count_other(b);
	if (n > b->per_ct)
		b->per_ct = n;
	/* one container's worth stays free for reading a cold one */
	if (b->other + b->held + n + b->per_ct > b->limit)
		return false;
	b->held += n;
	return true;
}

void fdb_give(struct fdbudget *b, uint64_t n)
{
	b->held = n < b->held ? b->held - n : 0;
}

void fdb_report(struct fdbudget *b, size_t containers, size_t cold)
{
	uint64_t need;

	if (!cold || b->warned)
		return;
	b->warned = true;
	count_other(b);
	if (!b->per_ct) /* EMFILE before any container could be measured */
		b->per_ct = FDB_PER_CT_GUESS;
	need = b->other + (containers + 1) * b->per_ct;
	log_warning("open files: %zu containers need about %" PRIu64 " file descriptors (%" PRIu64
		    " each, and %" PRIu64 " for the daemon itself) but the limit (RLIMIT_NOFILE) is %"
		    PRIu64 ": %zu of them are read by opening their files every cycle (slower, the "
		    "figures complete). Raise the limit to at least %" PRIu64 ": LimitNOFILE= in the "
		    "systemd unit, or ulimit -n before starting lxcollectd",
		    containers, need, b->per_ct, b->other + b->per_ct, b->limit, cold, need);
}
