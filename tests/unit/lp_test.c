/* lp_test: the line-protocol encoder against exact output strings. The
 * backslash rules are InfluxDB 1.6.7's, found on a real influxd (see
 * collector/lp.c); tests/integration/lp_roundtrip.sh checks them there. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "collector/lp.h"
#include "tests/testing.h"

enum pos { MEAS, TAG, FKEY };

static const struct {
	enum pos pos;
	const char *in;
	const char *out; /* NULL: refused with -EINVAL */
} esc[] = {
	{ MEAS, "cpu", "cpu" },
	{ MEAS, "a b", "a\\ b" },
	{ MEAS, "a,b", "a\\,b" },
	{ MEAS, "a=b", "a=b" },
	{ MEAS, "a\"b", "a\"b" },
	{ MEAS, "a\\b", "a\\b" },
	{ MEAS, "a\\\\b", "a\\\\b" },
	{ MEAS, " lead", "\\ lead" },
	{ MEAS, "m#", "m#" },
	{ MEAS, "#m", NULL },
	{ MEAS, "a\\,b", NULL },
	{ MEAS, "a\\ b", NULL },
	{ MEAS, "a\\=b", NULL },
	{ MEAS, "a\\\"b", NULL },
	{ MEAS, "a\\", NULL },
	{ MEAS, "", NULL },
	{ TAG, "web", "web" },
	{ TAG, "a b", "a\\ b" },
	{ TAG, "a,b", "a\\,b" },
	{ TAG, "a=b", "a\\=b" },
	{ TAG, " ,= ", "\\ \\,\\=\\ " },
	{ TAG, "a\"b", "a\"b" },
	{ TAG, "\"q\"", "\"q\"" },
	{ TAG, "'s'", "'s'" },
	{ TAG, "#x", "#x" },
	{ TAG, "a\\b", "a\\b" },
	{ TAG, "a\\\\b", "a\\\\b" },
	{ TAG, "a\\,b", "a\\\\,b" },
	{ TAG, "a\\ b", "a\\\\ b" },
	{ TAG, "a\\=b", "a\\\\=b" },
	{ TAG, "a\\\\,b", "a\\\\\\,b" },
	{ TAG, "a\\\"b", "a\\\"b" },
	{ TAG, "\\x", "\\x" },
	{ TAG, "\\ ", "\\\\ " },
	{ TAG, "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80 x", "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\\ x" },
	{ TAG, "a\\", NULL },
	{ TAG, "\\\\", NULL },
	{ TAG, "\\", NULL },
	{ TAG, "", NULL },
	{ FKEY, "usage_ns", "usage_ns" },
	{ FKEY, "cpuacct.stat.user", "cpuacct.stat.user" },
	{ FKEY, "a b", "a\\ b" },
	{ FKEY, "a,b", "a\\,b" },
	{ FKEY, "a=b", "a\\=b" },
	{ FKEY, "a\"b", "a\\\"b" },
	{ FKEY, "a\\\"b", "a\\\\\"b" },
	{ FKEY, "a\\b", "a\\b" },
	{ FKEY, "a\\,b", NULL },
	{ FKEY, "a\\ b", NULL },
	{ FKEY, "a\\=b", NULL },
	{ FKEY, "a\\", NULL },
};

static const struct {
	const char *s;
	bool ok;
} names[] = {
	{ "web-1", true },
	{ "a b,c=d\\e\"f'", true },
	{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", true },   /* é € 😀 */
	{ "\xc2\xa0", true },				    /* U+00A0, first after C1 */
	{ "\xed\x9f\xbf", true },			    /* U+D7FF */
	{ "\xee\x80\x80", true },			    /* U+E000 */
	{ "\xf4\x8f\xbf\xbf", true },			    /* U+10FFFF */
	{ "\xef\xbf\xbd", true },			    /* U+FFFD */
	{ "~", true },
	{ "", false },
	{ "a\nb", false },
	{ "a\tb", false },
	{ "a\rb", false },
	{ "\x01", false },
	{ "\x1f", false },
	{ "\x7f", false },				    /* DEL */
	{ "\xc2\x80", false },				    /* C1 */
	{ "\xc2\x85", false },				    /* NEL */
	{ "\xc2\x9f", false },				    /* C1 */
	{ "\xc0\xaf", false },				    /* overlong '/' */
	{ "\xc1\xbf", false },				    /* overlong */
	{ "\xe0\x80\xaf", false },			    /* overlong */
	{ "\xe0\x9f\xbf", false },			    /* overlong */
	{ "\xf0\x80\x80\xaf", false },			    /* overlong */
	{ "\xf0\x8f\xbf\xbf", false },			    /* overlong */
	{ "\xed\xa0\x80", false },			    /* U+D800 */
	{ "\xed\xbf\xbf", false },			    /* U+DFFF */
	{ "\xf4\x90\x80\x80", false },			    /* U+110000 */
	{ "\xf5\x80\x80\x80", false },
	{ "\xff", false },
	{ "\x80", false },				    /* lone continuation */
	{ "\xc3", false },				    /* truncated */
	{ "\xe2\x82", false },				    /* truncated */
	{ "a\xe2\x82z", false },
};

static void test_escapers(void)
{
	struct lp_buf b;

	lp_buf_init(&b);
	for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		static const char *const pn[] = { "measurement", "tag", "field key" };
		int r;

		lp_buf_reset(&b);
		lp_escape_tag(&b, "x"); /* something before: nothing may be lost */
		switch (esc[i].pos) {
		case MEAS:
			r = lp_escape_measurement(&b, esc[i].in);
			break;
		case TAG:
			r = lp_escape_tag(&b, esc[i].in);
			break;
		default:
			r = lp_escape_field_key(&b, esc[i].in);
			break;
		}
		if (esc[i].out) {
			char want[256];

			snprintf(want, sizeof(want), "x%s", esc[i].out);
			T_OK(r == 0 && !strcmp(b.data, want), "%s \"%s\" -> \"%s\" (got r %d, \"%s\")",
			     pn[esc[i].pos], esc[i].in, esc[i].out, r, b.data);
		} else {
			T_OK(r == -EINVAL && !strcmp(b.data, "x"),
			     "%s \"%s\" refused, nothing written (got r %d, \"%s\")", pn[esc[i].pos],
			     esc[i].in, r, b.data);
		}
	}
	lp_buf_free(&b);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char hex[64] = "";

		for (const char *p = names[i].s; *p && strlen(hex) < 50; p++)
			sprintf(hex + strlen(hex), "%02x", (unsigned char)*p);
		T_OK(lp_name_ok(names[i].s) == names[i].ok, "lp_name_ok(%s) == %s", hex,
		     names[i].ok ? "true" : "false");
	}
	T_OK(!lp_name_ok(NULL), "lp_name_ok(NULL) == false");
}

static void test_lines(void)
{
	struct lp_buf b;
	char big[4096];

	lp_buf_init(&b);
	T_EQ_INT(lp_begin(&b, "container_cpu"), 0, "begin");
	T_EQ_INT(lp_tag(&b, "host", "h1"), 0, "tag host");
	T_EQ_INT(lp_tag(&b, "container", "web 1,a=b\\c"), 0, "tag container");
	T_EQ_INT(lp_tag(&b, "project", ""), 0, "empty tag value: omitted");
	T_EQ_INT(lp_tag(&b, "project", NULL), 0, "NULL tag value: omitted");
	T_EQ_INT(lp_field_u64(&b, "usage_ns", 123), 0, "u64 field");
	T_EQ_INT(lp_field_u64(&b, "max", UINT64_MAX), 0, "u64 max");
	T_EQ_INT(lp_field_f64(&b, "limit_cpus", 1.5), 0, "f64 field");
	T_EQ_INT(lp_end(&b, INT64_C(1700000000000000000)), 0, "end");
	T_EQ_STR(b.data,
		 "container_cpu,host=h1,container=web\\ 1\\,a\\=b\\c usage_ns=123i,"
		 "max=18446744073709551615i,limit_cpus=1.5 1700000000000000000\n",
		 "full line");
	size_t one = b.len;

	/* a bad tag value rolls the line back */
	T_EQ_INT(lp_begin(&b, "m"), 0, "begin 2");
	T_EQ_INT(lp_tag(&b, "host", "h1"), 0, "tag ok");
	T_EQ_INT(lp_tag(&b, "container", "bad\nname"), -EINVAL, "newline refused");
	T_EQ_INT(lp_field_u64(&b, "v", 1), -EINVAL, "later calls return the error");
	T_EQ_INT(lp_end(&b, 1), -EINVAL, "end returns the error");
	T_EQ_U64(b.len, one, "line rolled back");
	T_OK(b.data[b.len] == '\0', "buffer stays a C string");

	static const char *const bad[] = { "a\tb", "\xff", "\xc0\xaf", "a\\", "\xc2\x85", "\x7f" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lp_begin(&b, "m");
		lp_tag(&b, "host", "h");
		int r = lp_tag(&b, "container", bad[i]);
		lp_field_u64(&b, "v", 1);
		T_OK(r == -EINVAL && lp_end(&b, 1) == -EINVAL && b.len == one,
		     "bad tag value %zu refused, line rolled back", i);
	}
	lp_begin(&b, "m");
	T_EQ_INT(lp_tag(&b, "bad key\n", "v"), -EINVAL, "bad tag key refused");
	T_OK(lp_end(&b, 1) == -EINVAL && b.len == one, "bad tag key: rolled back");
	lp_begin(&b, "m");
	T_EQ_INT(lp_tag(&b, "", "v"), -EINVAL, "empty tag key refused");
	lp_abort(&b);
	T_EQ_U64(b.len, one, "abort rolls back");
	T_EQ_INT(lp_begin(&b, "bad\nmeasurement"), -EINVAL, "bad measurement refused");
	T_OK(lp_field_u64(&b, "v", 1) == -EINVAL && lp_end(&b, 1) == -EINVAL && b.len == one,
	     "bad measurement: rolled back");
	T_EQ_INT(lp_begin(&b, "#comment"), -EINVAL, "measurement starting with '#' refused");
	lp_abort(&b);

	/* NaN and infinity cannot be written: the field is left out, the
	 * line goes on without it */
	lp_begin(&b, "m");
	lp_field_u64(&b, "a", 1);
	T_EQ_INT(lp_field_f64(&b, "b", NAN), -EDOM, "NaN refused");
	T_EQ_INT(lp_end(&b, 1), 0, "NaN: the line ends without that field");
	T_EQ_STR(b.data + one, "m a=1i 1\n", "NaN: only the other field written");
	one = b.len;
	lp_begin(&b, "m");
	T_EQ_INT(lp_field_f64(&b, "b", INFINITY), -EDOM, "+Inf refused");
	lp_abort(&b);
	lp_begin(&b, "m");
	T_EQ_INT(lp_field_f64(&b, "b", -INFINITY), -EDOM, "-Inf refused");
	T_OK(lp_end(&b, 1) == -ENODATA && b.len == one, "-Inf as the only field: no line");

	/* no field: nothing written */
	lp_begin(&b, "m");
	lp_tag(&b, "host", "h");
	T_EQ_INT(lp_end(&b, 1), -ENODATA, "line without fields: -ENODATA");
	T_EQ_U64(b.len, one, "no-field line rolled back");

	/* tags after fields are a bug of the caller */
	lp_begin(&b, "m");
	lp_field_u64(&b, "v", 1);
	T_EQ_INT(lp_tag(&b, "late", "x"), -EINVAL, "tag after field refused");
	T_OK(lp_end(&b, 1) == -EINVAL && b.len == one, "tag after field: rolled back");

	/* a line begun over an open one drops the open one */
	lp_begin(&b, "m");
	lp_field_u64(&b, "v", 1);
	lp_begin(&b, "n");
	lp_field_u64(&b, "w", 2);
	T_EQ_INT(lp_end(&b, -5), 0, "second begin");
	T_EQ_STR(b.data + one, "n w=2i -5\n", "open line dropped; negative timestamp");
	T_EQ_INT(lp_end(&b, 1), -EINVAL, "end without begin");
	T_EQ_INT(lp_tag(&b, "a", "b"), -EINVAL, "tag without begin");

	/* field key escaping in a line; field without tags */
	lp_buf_reset(&b);
	T_EQ_U64(b.len, 0, "reset empties");
	lp_begin(&b, "cpu");
	lp_field_u64(&b, "cpuacct.stat.user", 7);
	lp_field_u64(&b, "a b,c=\"d\"", 0);
	lp_end(&b, 0);
	T_EQ_STR(b.data, "cpu cpuacct.stat.user=7i,a\\ b\\,c\\=\\\"d\\\"=0i 0\n", "field keys");

	/* long names grow the buffer */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[100] = ' ';
	lp_buf_reset(&b);
	lp_begin(&b, "m");
	T_EQ_INT(lp_tag(&b, "container", big), 0, "4 KiB tag value");
	lp_field_u64(&b, "v", 1);
	T_EQ_INT(lp_end(&b, 1), 0, "long line ends");
	T_EQ_U64(b.len, strlen("m,container=") + sizeof(big) + strlen(" v=1i 1\n"),
		 "long line length (one escape)");
	T_OK(b.data[12 + 100] == '\\' && b.data[12 + 101] == ' ', "space in long name escaped");
	lp_buf_free(&b);
	T_OK(b.data == NULL && b.len == 0, "free");
}

static void test_floats(void)
{
	static const struct {
		double v;
		const char *s;
	} f[] = {
		{ 0.0, "0" },
		{ -0.0, "-0" },
		{ 1.0, "1" },
		{ 0.1, "0.1" },
		{ 1.5, "1.5" },
		{ 2.5e-7, "2.5e-07" },
		{ 1e21, "1e+21" },
		{ 123456789012345678.0, "1.2345678901234568e+17" },
		{ 0.30000000000000004, "0.30000000000000004" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 5e-324, "4.94065645841247e-324" },
		{ -3.25, "-3.25" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int n = lp_format_f64(f[i].v, buf, sizeof(buf));

		T_OK(n == (int)strlen(f[i].s) && !strcmp(buf, f[i].s) && strtod(buf, NULL) == f[i].v,
		     "float %s (got \"%s\")", f[i].s, buf);
	}
	T_EQ_INT(lp_format_f64(NAN, buf, sizeof(buf)), -EDOM, "format NaN");
	T_EQ_INT(lp_format_f64(1.0 / 3, buf, 4), -ENOBUFS, "format into a small buffer");

	/* a locale with a decimal comma must not leak into the output */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		lp_format_f64(1.5, buf, sizeof(buf));
		T_EQ_STR(buf, "1.5", "decimal point under a comma locale");
		setlocale(LC_NUMERIC, "C");
	} else {
		printf("# no comma locale installed; locale check not run\n");
	}
}

/* lp_tag_ok() says in advance exactly what lp_tag() will take */
static void test_tag_ok(void)
{
	static const struct {
		const char *s;
		bool ok;
	} t[] = {
		{ "web", true },	 { "a b,c=d", true },	  { "a\\b", true },
		{ "a\\,b", true },	 { "caf\xc3\xa9", true }, { "a\\", false },
		{ "\\", false },	 { "a\nb", false },
		{ "a\tb", false },	 { "\xff", false },	  { "a\x7f", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lp_buf b;
		int r;

		lp_buf_init(&b);
		lp_begin(&b, "m");
		r = lp_tag(&b, "k", t[i].s);
		lp_buf_free(&b);
		T_OK(lp_tag_ok(t[i].s) == t[i].ok && (r == 0) == t[i].ok,
		     "lp_tag_ok and lp_tag agree on case %zu (%d, %d)", i, lp_tag_ok(t[i].s), r);
	}
	/* an empty value is no name (lp_tag leaves such a tag out) */
	T_OK(!lp_tag_ok(""), "empty is not a writable name");
}

/* The fast path for hundredths writes what the %.15g..%.17g rule writes. */
static void test_f64_hundredths(void)
{
	char got[64], want[64];
	long differ = 0;

	for (long k = 0; k <= 200000; k += 7) {
		double v = (double)k / 100;
		int p;

		lp_format_f64(v, got, sizeof(got));
		for (p = 15; p <= 17; p++) {
			snprintf(want, sizeof(want), "%.*g", p, v);
			if (strtod(want, NULL) == v)
				break;
		}
		differ += strcmp(got, want) != 0;
	}
	T_EQ_INT(differ, 0, "hundredths 0.00..2000.00: same text as %%.15g..%%.17g");
	lp_format_f64(0.5, got, sizeof(got));
	T_EQ_STR(got, "0.5", "0.5");
	lp_format_f64(12.3, got, sizeof(got));
	T_EQ_STR(got, "12.3", "12.3");
	lp_format_f64(100, got, sizeof(got));
	T_EQ_STR(got, "100", "100");
	lp_format_f64(1.0 / 3, got, sizeof(got));
	T_EQ_STR(got, "0.3333333333333333", "1/3 by the general rule (16 digits read back)");
	lp_format_f64(0.001, got, sizeof(got));
	T_EQ_STR(got, "0.001", "0.001 by the general rule");
}

static void test_str_field(void)
{
	struct lp_buf b;

	lp_buf_init(&b);
	T_EQ_INT(lp_begin(&b, "container_state"), 0, "begin");
	T_EQ_INT(lp_field_str(&b, "state", "RUNNING"), 0, "string field");
	T_EQ_INT(lp_field_str(&b, "odd", "a\"b\\c d,e=f"), 0, "string field to escape");
	T_EQ_INT(lp_field_u64(&b, "running", 1), 0, "then an integer");
	T_EQ_INT(lp_end(&b, 5), 0, "end");
	T_EQ_STR(b.data, "container_state state=\"RUNNING\",odd=\"a\\\"b\\\\c d,e=f\",running=1i 5\n",
		 "quote and backslash escaped, nothing else");
	lp_buf_free(&b);
}

int main(void)
{
	test_str_field();
	test_f64_hundredths();
	test_tag_ok();
	test_escapers();
	test_lines();
	test_floats();
	return t_done();
}
