/* parse: pure parsers of cgroup and /proc files (no I/O, no allocation).
 *
 * Buffers come straight from pread(): not NUL-terminated, possibly
 * truncated, possibly written by a kernel we have never seen. Every parser
 * honours LEN, rejects what it does not understand with -EINVAL and
 * reports numbers that do not fit with -EOVERFLOW. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cgroupfs/internal.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Unsigned decimal at *p (at least one digit); advances *p. */
static int parse_dec(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || !is_digit(*s))
		return -EINVAL;
	for (; s < end && is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EOVERFLOW;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

/* Non-negative fixed-point decimal "12.34" (PSI averages). Written by the
 * kernel as plain digits, so no strtod() and no locale. */
static int parse_fixed(const char **p, const char *end, double *ret)
{
	const char *s = *p;
	uint64_t ip, fp = 0;
	double scale = 1;
	int r;

	r = parse_dec(&s, end, &ip);
	if (r < 0)
		return r;
	if (s < end && *s == '.') {
		s++;
		if (s >= end || !is_digit(*s))
			return -EINVAL;
		for (; s < end && is_digit(*s); s++) {
			if (scale >= 1e15) /* more digits than a double holds */
				continue;
			fp = fp * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	*p = s;
	*ret = (double)ip + (double)fp / scale;
	return 0;
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Next line of [*p, end): sets *ls and *le (no newline), advances *p.
 * False at the end of the buffer. */
static bool next_line(const char **p, const char *end, const char **ls, const char **le)
{
	const char *nl;

	if (*p >= end)
		return false;
	*ls = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*le = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	return true;
}

static bool token_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

static const char *token_end(const char *p, const char *end)
{
	while (p < end && !is_space(*p))
		p++;
	return p;
}

int cg_parse_u64(const char *buf, size_t len, uint64_t *ret)
{
	const char *p = buf, *end = buf + len;
	uint64_t v;
	int r;

	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (token_is(p, end, "max"))
		return -ERANGE;
	r = parse_dec(&p, end, &v);
	if (r < 0)
		return r;
	if (p != end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int cg_parse_keyed(const char *buf, size_t len, const char *key, uint64_t *ret)
{
	const char *p = buf, *end = buf + len, *ls, *le;

	while (next_line(&p, end, &ls, &le)) {
		const char *ke = token_end(ls, le), *v;
		uint64_t val;
		int r;

		if (!token_is(ls, ke, key))
			continue;
		v = skip_blank(ke, le);
		r = parse_dec(&v, le, &val);
		if (r < 0)
			return r;
		while (v < le && is_space(*v))
			v++;
		if (v != le)
			return -EINVAL;
		*ret = val;
		return 0;
	}
	return -ENOENT;
}

void cg_parse_keyed_multi(const char *buf, size_t len, const char *const *keys, size_t nkeys,
			  uint64_t *ret, int *ret_r)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	size_t klen[16], left = nkeys;

	if (nkeys > 16)
		nkeys = left = 16; /* the tables have at most 8 */
	for (size_t k = 0; k < nkeys; k++) {
		klen[k] = strlen(keys[k]);
		ret_r[k] = -ENOENT;
	}
	while (left > 0 && next_line(&p, end, &ls, &le)) {
		const char *ke = token_end(ls, le), *v;
		uint64_t val = 0;
		int r = 1; /* not parsed yet */

		for (size_t k = 0; k < nkeys; k++) {
			if (ret_r[k] != -ENOENT || (size_t)(ke - ls) != klen[k] ||
			    memcmp(ls, keys[k], klen[k]) != 0)
				continue;
			if (r == 1) {
				v = skip_blank(ke, le);
				r = parse_dec(&v, le, &val);
				while (r == 0 && v < le && is_space(*v))
					v++;
				if (r == 0 && v != le)
					r = -EINVAL;
			}
			ret_r[k] = r;
			if (r == 0)
				ret[k] = val;
			left--;
		}
	}
}

/* v2 cpu.max: "QUOTA PERIOD" in µs, QUOTA may be "max". */
int cg_parse_frozen(const char *buf, size_t len, bool v1)
{
	uint64_t v;
	int r;

	if (!v1) {
		r = cg_parse_keyed(buf, len, "frozen", &v);
		if (r < 0)
			return r == -ENOENT ? -EINVAL : r;
		return v == 1 ? 1 : v == 0 ? 0 : -EINVAL;
	}
	while (len > 0 && is_space(buf[len - 1]))
		len--;
	if (len == 6 && !memcmp(buf, "FROZEN", 6))
		return 1;
	if ((len == 6 && !memcmp(buf, "THAWED", 6)) || (len == 8 && !memcmp(buf, "FREEZING", 8)))
		return 0;
	return -EINVAL;
}

/* "0-3,8,10-11\n": ranges and single CPUs, comma-separated (the kernel's
 * cpulist format); the count is what LXD's lxd_cpu_effective_total shows. */
int cg_parse_cpuset_count(const char *buf, size_t len, uint64_t *ret)
{
	const char *p = buf, *end = buf + len;
	uint64_t n = 0;

	while (end > p && is_space(end[-1]))
		end--;
	p = skip_blank(p, end);
	if (p == end)
		return -ENODATA;
	for (;;) {
		uint64_t lo, hi;
		int r = parse_dec(&p, end, &lo);

		if (r < 0)
			return r;
		hi = lo;
		if (p < end && *p == '-') {
			p++;
			r = parse_dec(&p, end, &hi);
			if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		if (hi - lo >= UINT64_MAX - n)
			return -EOVERFLOW;
		n += hi - lo + 1;
		if (p == end)
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	*ret = n;
	return 0;
}

int cg_parse_cpu_max(const char *buf, size_t len, double *ret_cpus)
{
	const char *p = buf, *end = buf + len, *te;
	uint64_t quota = 0, period;
	bool unlimited;
	int r;

	while (end > p && is_space(end[-1]))
		end--;
	p = skip_blank(p, end);
	te = token_end(p, end);
	unlimited = token_is(p, te, "max");
	if (unlimited) {
		p = te;
	} else {
		r = parse_dec(&p, end, &quota);
		if (r < 0)
			return r;
		if (p != te)
			return -EINVAL;
	}
	p = skip_blank(p, end);
	if (p == end && unlimited)
		return -ERANGE; /* kernels that print "max" alone */
	r = parse_dec(&p, end, &period);
	if (r < 0)
		return r;
	if (p != end || period == 0)
		return -EINVAL;
	if (unlimited)
		return -ERANGE;
	*ret_cpus = (double)quota / (double)period;
	return 0;
}

static int add_u64(uint64_t *sum, uint64_t v)
{
	if (*sum > UINT64_MAX - v)
		return -EOVERFLOW;
	*sum += v;
	return 0;
}

/* v2 io.stat: one line per device,
 * "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"; keys other than
 * the four we sum (dbytes, cost.*, ...) are ignored. No line at all (no
 * I/O yet) is a valid zero. */
int cg_parse_devno(const char *s, const char *e, uint32_t *ret_major, uint32_t *ret_minor)
{
	const char *colon = memchr(s, ':', (size_t)(e - s));
	uint64_t ma, mi;

	if (!colon || parse_dec(&s, colon, &ma) < 0 || s != colon)
		return -EINVAL;
	s = colon + 1;
	if (parse_dec(&s, e, &mi) < 0 || s != e || ma > UINT32_MAX || mi > UINT32_MAX)
		return -EINVAL;
	*ret_major = (uint32_t)ma;
	*ret_minor = (uint32_t)mi;
	return 0;
}

struct cg_dev_split *cg_dev_slot(struct cg_dev_split *devs, size_t *n, size_t cap, size_t *hint,
				 uint32_t major, uint32_t minor)
{
	/* the files list a device's lines together, and the two blkio files
	 * their devices in the same order: the hint is nearly always right */
	if (*hint < *n && devs[*hint].major == major && devs[*hint].minor == minor)
		return &devs[*hint];
	for (size_t i = 0; i < *n; i++)
		if (devs[i].major == major && devs[i].minor == minor) {
			*hint = i;
			return &devs[i];
		}
	if (*n == cap)
		return NULL;
	devs[*n] = (struct cg_dev_split){ .major = major, .minor = minor };
	*hint = (*n)++;
	return &devs[*hint];
}

/* rbytes, wbytes, rios, wios of D by index */
static uint64_t *dev_field(struct cg_dev_split *d, int k)
{
	return k == 0 ? &d->rbytes : k == 1 ? &d->wbytes : k == 2 ? &d->rios : &d->wios;
}

/* The walk of io.stat: sums into SUM and, when DEVS is given, per
 * device into DEVS (up to CAP); the number of devices. */
static int io_stat_walk(const char *buf, size_t len, uint64_t sum[4], struct cg_dev_split *devs,
			size_t cap)
{
	static const char *const keys[4] = { "rbytes", "wbytes", "rios", "wios" };
	const char *p = buf, *end = buf + len, *ls, *le;
	size_t n = 0, hint = 0;

	memset(sum, 0, 4 * sizeof(*sum));
	while (next_line(&p, end, &ls, &le)) {
		const char *t = skip_blank(ls, le), *te;
		struct cg_dev_split *d = NULL;
		uint32_t ma, mi;

		if (t == le)
			continue;
		te = token_end(t, le);
		if (cg_parse_devno(t, te, &ma, &mi) < 0)
			return -EINVAL;
		if (devs && !(d = cg_dev_slot(devs, &n, cap, &hint, ma, mi)))
			return -ENOBUFS;
		for (t = skip_blank(te, le); t < le; t = skip_blank(te, le)) {
			const char *eq;

			te = token_end(t, le);
			eq = memchr(t, '=', (size_t)(te - t));
			if (!eq || eq == t)
				return -EINVAL;
			for (int k = 0; k < 4; k++) {
				const char *vp = eq + 1;
				uint64_t v;
				int r;

				if (!token_is(t, eq, keys[k]))
					continue;
				r = parse_dec(&vp, te, &v);
				if (r < 0)
					return r;
				if (vp != te)
					return -EINVAL;
				r = add_u64(&sum[k], v);
				if (r < 0)
					return r;
				if (d) /* no overflow: the sum holds it */
					*dev_field(d, k) += v;
			}
		}
	}
	return (int)n;
}

int cg_parse_io_stat(const char *buf, size_t len, uint64_t ret[4])
{
	uint64_t sum[4];
	int r = io_stat_walk(buf, len, sum, NULL, 0);

	if (r < 0)
		return r;
	memcpy(ret, sum, sizeof(sum));
	return 0;
}

int cg_parse_io_stat_dev(const char *buf, size_t len, struct cg_dev_split *ret, size_t cap)
{
	uint64_t sum[4];

	return io_stat_walk(buf, len, sum, ret, cap);
}

int cg_parse_io_stat_split(const char *buf, size_t len, uint64_t sum[4], struct cg_dev_split *devs,
			   size_t cap)
{
	return io_stat_walk(buf, len, sum, devs, cap);
}

/* One PSI line after its "some"/"full" word:
 * " avg10=0.00 avg60=0.00 avg300=0.00 total=0". */
static int parse_psi_line(const char *p, const char *end, double *ret_avg10, uint64_t *ret_total)
{
	bool have_avg = false, have_total = false;
	uint64_t total = 0;
	double avg10 = 0;

	for (p = skip_blank(p, end); p < end; p = skip_blank(p, end)) {
		const char *te = token_end(p, end), *eq = memchr(p, '=', (size_t)(te - p)), *v;
		int r;

		if (!eq)
			return -EINVAL;
		v = eq + 1;
		if (token_is(p, eq, "avg10")) {
			r = parse_fixed(&v, te, &avg10);
			have_avg = true;
		} else if (token_is(p, eq, "total")) {
			r = parse_dec(&v, te, &total);
			have_total = true;
		} else if (token_is(p, eq, "avg60") || token_is(p, eq, "avg300")) {
			double ignored;

			r = parse_fixed(&v, te, &ignored);
		} else {
			r = 0; /* a key a future kernel adds */
			v = te;
		}
		if (r < 0)
			return r;
		if (v != te)
			return -EINVAL;
		p = te;
	}
	if (!have_avg || !have_total)
		return -EINVAL;
	*ret_avg10 = avg10;
	*ret_total = total;
	return 0;
}

/* cpu.pressure, memory.pressure, io.pressure (v2 tree). avg10 in percent,
 * total in µs. cpu.pressure has no "full" line before Linux 5.13. */
int cg_parse_psi(const char *buf, size_t len, double *ret_some_avg10, uint64_t *ret_some_total,
		 double *ret_full_avg10, uint64_t *ret_full_total, bool *ret_have_full)
{
	const char *p = buf, *end = buf + len, *ls, *le;
	bool have_some = false, have_full = false;
	double sa = 0, fa = 0;
	uint64_t st = 0, ft = 0;

	while (next_line(&p, end, &ls, &le)) {
		const char *t = skip_blank(ls, le), *te = token_end(t, le);
		int r;

		if (t == le)
			continue;
		if (token_is(t, te, "some") && !have_some) {
			r = parse_psi_line(te, le, &sa, &st);
			have_some = true;
		} else if (token_is(t, te, "full") && !have_full) {
			r = parse_psi_line(te, le, &fa, &ft);
			have_full = true;
		} else {
			r = -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (!have_some)
		return -EINVAL;
	*ret_some_avg10 = sa;
	*ret_some_total = st;
	*ret_full_avg10 = fa;
	*ret_full_total = ft;
	*ret_have_full = have_full;
	return 0;
}

int cg_parse_nspid_levels(const char *buf, size_t len, pid_t *ret_last, unsigned *ret_levels)
{
	const char *p = buf, *end = buf + len, *ls, *le;

	while (next_line(&p, end, &ls, &le)) {
		static const char tag[] = "NSpid:";
		unsigned levels = 0;
		uint64_t v = 0;

		if ((size_t)(le - ls) < sizeof(tag) - 1 || memcmp(ls, tag, sizeof(tag) - 1) != 0)
			continue;
		for (ls += sizeof(tag) - 1; (ls = skip_blank(ls, le)) < le;) {
			int r = parse_dec(&ls, le, &v);

			if (r < 0)
				return -EINVAL;
			if (ls < le && *ls != ' ' && *ls != '\t')
				return -EINVAL;
			if (v == 0 || v > INT_MAX)
				return -EINVAL;
			levels++;
		}
		if (levels == 0)
			return -EINVAL;
		*ret_last = (pid_t)v;
		*ret_levels = levels;
		return 0;
	}
	return -ENOENT; /* kernels before 4.1 have no NSpid line */
}

int cg_parse_nspid(const char *buf, size_t len, pid_t *ret_last)
{
	unsigned levels;

	return cg_parse_nspid_levels(buf, len, ret_last, &levels);
}

/* /proc/PID/stat: "PID (COMM) S PPID ... STARTTIME ...". COMM is whatever
 * the process chose (spaces, ')' included), so count fields from the last
 * ')': the state is field 3, starttime field 22 (clock ticks since boot). */
int cg_parse_starttime(const char *buf, size_t len, uint64_t *ret)
{
	const char *p = NULL, *end = buf + len;
	uint64_t v;
	int field = 2, r;

	for (const char *s = buf; s < end; s++)
		if (*s == ')')
			p = s;
	if (!p)
		return -EINVAL;
	for (p++; p < end;) {
		const char *te;

		if (*p != ' ')
			return -EINVAL;
		p++;
		te = token_end(p, end);
		if (te == p)
			return -EINVAL;
		if (++field == 22) {
			r = parse_dec(&p, te, &v);
			if (r < 0)
				return r;
			if (p != te)
				return -EINVAL;
			*ret = v;
			return 0;
		}
		p = te;
	}
	return -EINVAL;
}
