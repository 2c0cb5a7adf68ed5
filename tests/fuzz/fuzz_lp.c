/* fuzz_lp: line-protocol encoding of arbitrary names (container, project
 * and interface names come from the host and its containers). The input
 * is split at NUL bytes into measurement, tag key, tag value, field key;
 * the last 8 bytes are also a float field value.
 *
 * Oracles, written independently of collector/lp.c:
 *  - acceptance: a name is refused exactly when it is not valid UTF-8,
 *    holds a control character (C0, DEL, C1), is empty, ends in a
 *    backslash, or (measurement, field key) has a backslash before a
 *    character that position unescapes, or (measurement) starts with '#';
 *  - round trip: an accepted line is read back the way InfluxDB 1.6.7's
 *    scanner and unescaper read it (a delimiter counts unless the byte
 *    before it is a backslash; "\X" becomes X for the position's
 *    escapable X) and every name must come back byte for byte;
 *  - a refused line leaves the buffer as it was;
 *  - log_escape() output is printable ASCII and bounded. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <wchar.h>

#include "collector/log.h"
#include "collector/lp.h"
#include "tests/fuzz/fuzz.h"

#define TS 1700000000000000000LL

/* Valid UTF-8 (glibc's decoder: no overlongs, surrogates, > U+10FFFF),
 * no C0, DEL or C1 control character, not empty. */
static bool oracle_name_ok(const char *s)
{
	static locale_t utf8;
	mbstate_t st;
	locale_t old;
	bool ok = *s != '\0';

	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	FUZZ_CHECK(utf8);
	old = uselocale(utf8);
	memset(&st, 0, sizeof(st));
	for (size_t n = strlen(s); ok && n > 0;) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			ok = false;
		else if (wc < 0x20 || (wc >= 0x7f && wc < 0xa0) || (wc >= 0xd800 && wc < 0xe000) ||
			 (unsigned long)wc > 0x10ffff)
			ok = false;
		else
			s += k, n -= k;
	}
	uselocale(old);
	return ok;
}

static bool backslash_before(const char *s, const char *set)
{
	for (; *s; s++)
		if (s[0] == '\\' && s[1] && strchr(set, s[1]))
			return true;
	return false;
}

static bool ends_backslash(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '\\';
}

/* Scan [*p, end) up to a byte of DELIMS not preceded by a backslash;
 * unescape it into a malloc'd string (SET: what "\X" stands for). */
static char *scan(const char **p, const char *end, const char *delims, const char *set)
{
	const char *s = *p, *e = s;
	char *out, *o;

	while (e < end && !(strchr(delims, *e) && (e == s || e[-1] != '\\')))
		e++;
	out = o = malloc((size_t)(e - s) + 1);
	FUZZ_CHECK(out);
	for (const char *q = s; q < e; q++) {
		if (q[0] == '\\' && q + 1 < e && strchr(set, q[1]))
			q++;
		*o++ = *q;
	}
	*o = '\0';
	*p = e;
	return out;
}

/* Field keys are validated with "a backslash escapes the next byte":
 * the '=' that ends the key must be the same under both readings. */
static const char *field_key_end_strict(const char *s, const char *end)
{
	while (s < end && *s != '=') {
		if (*s == '\\' && s + 1 < end)
			s++;
		s++;
	}
	return s;
}

static void check_line(const char *line, size_t len, const char *meas, const char *tk,
		       const char *tv, const char *fk, double fv)
{
	const char *p = line, *end = line + len - 1, *strict;
	char *m, *k, *v;

	FUZZ_CHECK(len > 1 && line[len - 1] == '\n' && !memchr(line, '\n', len - 1));
	m = scan(&p, end, ", ", ", =\"");
	FUZZ_CHECK(!strcmp(m, meas));
	free(m);
	/* tag host=h, then tk=tv unless tv is empty (the tag is left out) */
	for (int t = 0; t < (*tv ? 2 : 1); t++) {
		FUZZ_CHECK(p < end && *p == ',');
		p++;
		k = scan(&p, end, ",= ", ",= ");
		FUZZ_CHECK(p < end && *p == '=');
		p++;
		v = scan(&p, end, ", ", ",= ");
		FUZZ_CHECK(!strcmp(k, t ? tk : "host") && !strcmp(v, t ? tv : "h"));
		free(k);
		free(v);
	}
	FUZZ_CHECK(p < end && *p == ' ');
	p++;
	strict = field_key_end_strict(p, end);
	k = scan(&p, end, "=", ",= \"");
	FUZZ_CHECK(p == strict && p < end && *p == '=');
	FUZZ_CHECK(!strcmp(k, fk));
	free(k);
	p++;
	FUZZ_CHECK(end - p > 3 && !strncmp(p, "42i,", 4));
	p += 4;
	FUZZ_CHECK(!strncmp(p, "f=", 2));
	p += 2;
	{
		char *e;
		double got = strtod(p, &e);

		FUZZ_CHECK(e > p && *e == ' ' && got == fv);
		p = e + 1;
	}
	FUZZ_CHECK(!strncmp(p, "1700000000000000000", 19) && p + 19 == end);
}

static void encode(struct lp_buf *b, const char *meas, const char *tk, const char *tv,
		   const char *fk, double fv)
{
	size_t before = b->len;
	bool want_ok, ok_m, ok_tk, ok_tv, ok_fk;
	int r;

	ok_m = oracle_name_ok(meas) && !ends_backslash(meas) && meas[0] != '#' &&
	       !backslash_before(meas, ", =\"");
	/* with an empty value the tag is left out: its key need not be
	 * writable, only a sane name */
	ok_tk = oracle_name_ok(tk) && (!*tv || !ends_backslash(tk));
	ok_tv = !*tv || (oracle_name_ok(tv) && !ends_backslash(tv));
	ok_fk = oracle_name_ok(fk) && !ends_backslash(fk) && !backslash_before(fk, ",= ");
	want_ok = ok_m && ok_tk && ok_tv && ok_fk && isfinite(fv);

	r = lp_begin(b, meas);
	if (r >= 0)
		r = lp_tag(b, "host", "h");
	if (r >= 0)
		r = lp_tag(b, tk, tv);
	if (r >= 0)
		r = lp_field_u64(b, fk, 42);
	if (r >= 0)
		r = lp_field_f64(b, "f", fv);
	if (r < 0)
		lp_abort(b);
	else
		r = lp_end(b, TS);
	if (r == -ENOMEM)
		return;
	if (!want_ok) {
		FUZZ_CHECK(r == -EINVAL || r == -EDOM);
		FUZZ_CHECK(b->len == before && (!b->data || b->data[before] == '\0'));
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(strlen(b->data) == b->len);
	check_line(b->data + before, b->len - before, meas, tk, tv, fk, fv);
}

static void check_log_escape(const char *s)
{
	char esc[80];
	const char *e = log_escape(s, esc, sizeof(esc));

	FUZZ_CHECK(strlen(e) < sizeof(esc));
	for (const char *q = e; *q; q++) {
		FUZZ_CHECK(*q >= 0x20 && *q < 0x7f);
		if (*q == '\\')
			FUZZ_CHECK(q[1] == 'x');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *part[4];
	struct lp_buf b;
	double fv = 1.5;
	char num[40];

	if (size >= 8)
		memcpy(&fv, data + size - 8, 8);
	for (int i = 0; i < 4; i++) {
		const uint8_t *z = p < end ? memchr(p, 0, (size_t)(end - p)) : NULL;
		size_t n = p < end ? (size_t)((z ? z : end) - p) : 0;

		part[i] = fuzz_str(p, n);
		FUZZ_CHECK(part[i]);
		p = z ? z + 1 : end;
	}
	lp_buf_init(&b);
	/* the pieces together, then each piece alone in every position */
	encode(&b, part[0], part[1], part[2], part[3], fv);
	for (int i = 0; i < 4; i++) {
		encode(&b, part[i], "k", "v", "f0", 1.0);
		encode(&b, "m", part[i], "v", "f0", 1.0);
		encode(&b, "m", "k", part[i], "f0", 1.0);
		encode(&b, "m", "k", "v", part[i], 1.0);
		check_log_escape(part[i]);
		free(part[i]);
	}
	lp_buf_free(&b);

	if (lp_format_f64(fv, num, sizeof(num)) >= 0) {
		FUZZ_CHECK(isfinite(fv) && strtod(num, NULL) == fv);
		FUZZ_CHECK(!strpbrk(num, ", =\"ni")); /* no nan/inf, no delimiter */
	} else {
		FUZZ_CHECK(!isfinite(fv));
	}
	return 0;
}
