/* lp: InfluxDB line-protocol encoder.
 *
 * How InfluxDB 1.6.7 reads a backslash (found by writing lines to a real
 * influxd and reading them back; models/points.go and pkg/escape):
 *
 *  - The scanner ends a measurement, tag key or tag value at a ',', ' '
 *    or '=' whose *previous byte* is not a backslash. A backslash does not
 *    escape a backslash: "\\," is a backslash followed by an escaped comma.
 *  - Names are then unescaped left to right: "\X" becomes X when X is one
 *    of the position's escapable characters, any other backslash is kept
 *    as it is. Tag keys and values unescape ", = space"; measurements and
 *    field keys also unescape '"'.
 *  - Field keys are scanned differently for validation: there a backslash
 *    does escape the next byte, whatever it is.
 *
 * So a backslash is written as it is (doubling it would store two), and
 * each escapable character gets one backslash in front. That round-trips
 * every name except these, which no escaping can express and which the
 * escapers refuse with -EINVAL:
 *  - any name ending in a backslash: the delimiter after it reads as
 *    escaped (tag "a\" or "\\" cannot be written at all);
 *  - a field key or measurement with a backslash right before ',', ' ' or
 *    '=' (and, for measurements, '"'): 1.6.7 stores a mangled name;
 *  - a measurement starting with '#': the line is a comment.
 */
#include "collector/lp.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LP_MIN_CAP 256

void lp_buf_init(struct lp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void lp_buf_reset(struct lp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->line_start = 0;
	b->nfields = 0;
	b->in_line = false;
	b->error = 0;
}

void lp_buf_free(struct lp_buf *b)
{
	free(b->data);
	lp_buf_init(b);
}

/* Room for n more bytes plus the NUL that keeps data a C string. */
static int lp_reserve(struct lp_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : LP_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int lp_put(struct lp_buf *b, const char *s, size_t n)
{
	int r = lp_reserve(b, n);

	if (r < 0)
		return r;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int lp_append(struct lp_buf *b, const char *s, size_t n)
{
	return lp_put(b, s, n);
}

/* VALUE in decimal, ending at END (exclusive); returns where it starts.
 * What snprintf's %PRIu64 writes, without its cost (about sixty numbers
 * per container per cycle). */
static char *lp_u64_dec(uint64_t value, char *end)
{
	do {
		*--end = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	return end;
}

static int lp_putc(struct lp_buf *b, char c)
{
	return lp_put(b, &c, 1);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid:
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0) /* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0) /* U+D800..U+DFFF */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0; /* continuation byte, 0xc0/0xc1, 0xf5.. */
}

static size_t lp_plain(const char *s);

bool lp_name_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!p || !*p)
		return false;
	if (lp_plain(s) > 0)
		return true;
	while (*p) {
		size_t n = utf8_seq(p);

		if (n == 0)
			return false;
		if (n == 1 && (*p < 0x20 || *p == 0x7f))
			return false;
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) /* C1: U+0080..U+009F */
			return false;
		p += n;
	}
	return true;
}

/* Positions differ in which characters get a backslash and which
 * backslash sequences 1.6.7 cannot store (see the top of this file). */
struct lp_pos {
	const char *escape;    /* characters written as "\X" */
	const char *bad_after; /* a backslash before one of these: refused */
};

static const struct lp_pos pos_measurement = { ", ", ", =\"" };
static const struct lp_pos pos_tag = { ",= ", "" };
static const struct lp_pos pos_field_key = { ",= \"", ",= " };

/* Can S be written at POS so that 1.6.7 stores it exactly? */
static bool lp_representable(const char *s, const struct lp_pos *pos)
{
	size_t n = strlen(s);

	if (n == 0 || s[n - 1] == '\\')
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\\' && strchr(pos->bad_after, s[i + 1]))
			return false;
	return true;
}

bool lp_tag_ok(const char *s)
{
	return lp_name_ok(s) && lp_representable(s, &pos_tag);
}

/* Length of S when it holds only [A-Za-z0-9_.-] (what schema keys,
 * measurements and most host and container names are): valid at every
 * position, nothing to escape. 0 otherwise. */
static size_t lp_plain(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return i;
}

static int lp_escape(struct lp_buf *b, const char *s, const struct lp_pos *pos)
{
	size_t n = lp_plain(s), i, start;
	int r;

	if (n > 0)
		return lp_put(b, s, n);
	n = strlen(s);
	if (!lp_representable(s, pos))
		return -EINVAL;
	for (i = 0, start = 0; i < n; i++) {
		if (!strchr(pos->escape, s[i]))
			continue;
		r = lp_put(b, s + start, i - start);
		if (r < 0)
			return r;
		r = lp_putc(b, '\\');
		if (r < 0)
			return r;
		start = i;
	}
	return lp_put(b, s + start, n - start);
}

/* The escapers check representability before writing anything, so on
 * -EINVAL nothing was appended; on -ENOMEM the caller rolls back. */
int lp_escape_measurement(struct lp_buf *b, const char *s)
{
	if (s[0] == '#')
		return -EINVAL;
	return lp_escape(b, s, &pos_measurement);
}

int lp_escape_tag(struct lp_buf *b, const char *s)
{
	return lp_escape(b, s, &pos_tag);
}

int lp_escape_field_key(struct lp_buf *b, const char *s)
{
	return lp_escape(b, s, &pos_field_key);
}

/* Record the line's first error and drop what it wrote so far. */
static int lp_fail(struct lp_buf *b, int err)
{
	if (!b->error)
		b->error = err;
	b->len = b->line_start;
	if (b->data)
		b->data[b->len] = '\0';
	return b->error;
}

void lp_abort(struct lp_buf *b)
{
	if (b->in_line) {
		b->len = b->line_start;
		if (b->data)
			b->data[b->len] = '\0';
	}
	b->in_line = false;
	b->nfields = 0;
	b->error = 0;
}

int lp_begin(struct lp_buf *b, const char *measurement)
{
	int r;

	if (b->in_line)
		lp_abort(b);
	b->line_start = b->len;
	b->nfields = 0;
	b->error = 0;
	b->in_line = true;
	if (!lp_name_ok(measurement))
		return lp_fail(b, -EINVAL);
	r = lp_escape_measurement(b, measurement);
	if (r < 0)
		return lp_fail(b, r);
	return 0;
}

int lp_tag(struct lp_buf *b, const char *key, const char *value)
{
	int r;

	if (!b->in_line)
		return -EINVAL;
	if (b->error)
		return b->error;
	if (b->nfields > 0)
		return lp_fail(b, -EINVAL);
	if (value && *value) {
		size_t kn = lp_plain(key), vn = kn ? lp_plain(value) : 0;

		/* plain key and value (nearly always): one scan each */
		if (vn > 0) {
			r = lp_putc(b, ',');
			if (r >= 0)
				r = lp_put(b, key, kn);
			if (r >= 0)
				r = lp_putc(b, '=');
			if (r >= 0)
				r = lp_put(b, value, vn);
			return r < 0 ? lp_fail(b, r) : 0;
		}
	}
	if (!lp_name_ok(key))
		return lp_fail(b, -EINVAL);
	if (!value || !*value)
		return 0;
	if (!lp_name_ok(value))
		return lp_fail(b, -EINVAL);
	r = lp_putc(b, ',');
	if (r >= 0)
		r = lp_escape_tag(b, key);
	if (r >= 0)
		r = lp_putc(b, '=');
	if (r >= 0)
		r = lp_escape_tag(b, value);
	if (r < 0)
		return lp_fail(b, r);
	return 0;
}

/* ' ' before the first field, ',' between fields, then "key=". */
static int lp_field_key(struct lp_buf *b, const char *key)
{
	size_t kn;
	int r;

	if (!b->in_line)
		return -EINVAL;
	if (b->error)
		return b->error;
	kn = lp_plain(key);
	if (kn == 0 && !lp_name_ok(key))
		return lp_fail(b, -EINVAL);
	r = lp_putc(b, b->nfields ? ',' : ' ');
	if (r >= 0)
		r = kn ? lp_put(b, key, kn) : lp_escape_field_key(b, key);
	if (r >= 0)
		r = lp_putc(b, '=');
	if (r < 0)
		return lp_fail(b, r);
	return 0;
}

int lp_field_u64(struct lp_buf *b, const char *key, uint64_t value)
{
	char num[32], *start;
	int r;

	r = lp_field_key(b, key);
	if (r < 0)
		return r;
	num[sizeof(num) - 1] = 'i';
	start = lp_u64_dec(value, num + sizeof(num) - 1);
	r = lp_put(b, start, (size_t)(num + sizeof(num) - start));
	if (r < 0)
		return lp_fail(b, r);
	b->nfields++;
	return 0;
}

int lp_field_str(struct lp_buf *b, const char *key, const char *value)
{
	int r = lp_field_key(b, key);

	if (r < 0)
		return r;
	r = lp_put(b, "\"", 1);
	for (const char *p = value; r >= 0 && *p; p++) {
		if (*p == '"' || *p == '\\')
			r = lp_put(b, "\\", 1);
		if (r >= 0)
			r = lp_put(b, p, 1);
	}
	if (r >= 0)
		r = lp_put(b, "\"", 1);
	if (r < 0)
		return lp_fail(b, r);
	b->nfields++;
	return 0;
}

/* The "C" numeric locale, so a daemon that ever calls setlocale() still
 * writes '.' as the decimal point. */
static locale_t lp_c_locale(void)
{
	static locale_t loc;

	if (!loc)
		loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return loc;
}

/* Shortest of %.15g..%.17g that reads back as the same double. */
int lp_format_f64(double v, char *out, size_t size)
{
	locale_t loc = lp_c_locale(), old;
	int prec, n = -1;

	if (!isfinite(v))
		return -EDOM;
	/* Hundredths (PSI averages, most CPU limits): when V is the double
	 * nearest to K/100, %.15g writes exactly K/100's decimal digits, and
	 * they read back as V. Written here without snprintf and strtod. */
	if (v >= 0.01 && v < 1e12 && size >= 32) {
		double k = (double)(uint64_t)(v * 100 + 0.5);

		if (k / 100 == v) {
			uint64_t ki = (uint64_t)k;
			char tmp[32], *e = tmp + sizeof(tmp), *p = e;

			if (ki % 100) {
				if (ki % 10)
					*--p = (char)('0' + ki % 10);
				*--p = (char)('0' + ki / 10 % 10);
				*--p = '.';
			}
			p = lp_u64_dec(ki / 100, p);
			n = (int)(e - p);
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
			return n;
		}
	}
	if (v == 0 && !signbit(v) && size >= 2) {
		memcpy(out, "0", 2);
		return 1;
	}
	if (!loc)
		return -ENOMEM;
	old = uselocale(loc);
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, size, "%.*g", prec, v);
		if (n < 0 || (size_t)n >= size) {
			n = -ENOBUFS;
			break;
		}
		if (strtod(out, NULL) == v)
			break;
	}
	uselocale(old);
	return n;
}

int lp_field_f64(struct lp_buf *b, const char *key, double value)
{
	char num[40];
	int n, r;

	if (!b->in_line)
		return -EINVAL;
	if (b->error)
		return b->error;
	/* not an error of the line: the field is left out, the caller may go
	 * on with the others */
	if (!isfinite(value))
		return -EDOM;
	n = lp_format_f64(value, num, sizeof(num));
	if (n < 0)
		return lp_fail(b, n);
	r = lp_field_key(b, key);
	if (r < 0)
		return r;
	r = lp_put(b, num, (size_t)n);
	if (r < 0)
		return lp_fail(b, r);
	b->nfields++;
	return 0;
}

int lp_end(struct lp_buf *b, int64_t ts_ns)
{
	char num[32];
	int n, r;

	if (!b->in_line)
		return -EINVAL;
	if (!b->error && b->nfields == 0)
		lp_fail(b, -ENODATA);
	if (b->error) {
		r = b->error;
		lp_abort(b);
		return r;
	}
	{
		char *start;

		num[sizeof(num) - 1] = '\n';
		start = lp_u64_dec(ts_ns < 0 ? -(uint64_t)ts_ns : (uint64_t)ts_ns,
				   num + sizeof(num) - 1);
		if (ts_ns < 0)
			*--start = '-';
		*--start = ' ';
		n = (int)(num + sizeof(num) - start);
		r = lp_put(b, start, (size_t)n);
	}
	if (r < 0) {
		lp_abort(b);
		return r;
	}
	b->in_line = false;
	b->nfields = 0;
	b->line_start = b->len;
	return 0;
}
