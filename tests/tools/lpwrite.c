/* lpwrite: hostile names through the line-protocol encoder, for
 * tests/integration/lp_roundtrip.sh.
 *
 *   lpwrite lines   line protocol for every case InfluxDB can store
 *                   (measurement cases go in a second batch after a line
 *                   "#--measurements--", so they can go to their own db)
 *   lpwrite expect  "KIND<TAB>CASE<TAB>NAME" for what must come back
 *
 * KIND: t tag value, k tag key, f field key, m measurement. A case marked
 * refused must make the encoder fail and leave the buffer unchanged; the
 * tool exits 1 when any case does not behave as the table says. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "collector/lp.h"

struct lp_case {
	char kind;
	const char *name;
	int err; /* 0: stored exactly; else the error the encoder must return */
};

static char longname[1100];

static const struct lp_case cases[] = {
	{ 't', "plain", 0 },
	{ 't', "a\\b", 0 },
	{ 't', "a\\,b", 0 },
	{ 't', "a\\ b", 0 },
	{ 't', "a\\=b", 0 },
	{ 't', "a\\\\,b", 0 },
	{ 't', "x\\\\\\=y", 0 },
	{ 't', "\\\\x", 0 },
	{ 't', "\\,", 0 },
	{ 't', "\\ ", 0 },
	{ 't', "a\\b\\c\\d", 0 },
	{ 't', "a,b", 0 },
	{ 't', "a b", 0 },
	{ 't', "a=b", 0 },
	{ 't', ",", 0 },
	{ 't', "=", 0 },
	{ 't', " ", 0 },
	{ 't', " lead", 0 },
	{ 't', "trail ", 0 },
	{ 't', "a\"b", 0 },
	{ 't', "\"q\"", 0 },
	{ 't', "a\\\"b", 0 },
	{ 't', "'single'", 0 },
	{ 't', "#hash", 0 },
	{ 't', "x;y", 0 },
	{ 't', "\xc3\xbcn\xc3\xaf \xe2\x82\xac\xf0\x9f\x98\x80", 0 },
	{ 't', "\xc2\xa0nbsp", 0 },
	{ 't', longname, 0 },
	{ 't', "", 0 }, /* the tag is omitted */
	{ 't', "a\\", -EINVAL },
	{ 't', "\\\\", -EINVAL },
	{ 't', "\\", -EINVAL },
	{ 't', "a\nb", -EINVAL },
	{ 't', "a\tb", -EINVAL },
	{ 't', "a\rb", -EINVAL },
	{ 't', "a\x7f", -EINVAL },
	{ 't', "a\xc2\x85", -EINVAL },
	{ 't', "a\xff", -EINVAL },
	{ 't', "\xc0\xaf", -EINVAL },
	{ 't', "\xed\xa0\x80", -EINVAL },
	{ 't', "\xf4\x90\x80\x80", -EINVAL },
	{ 'k', "k\\b", 0 },
	{ 'k', "k,x", 0 },
	{ 'k', "k x", 0 },
	{ 'k', "k=x", 0 },
	{ 'k', "k\\,x", 0 },
	{ 'k', "k\\=x", 0 },
	{ 'k', "k\\ x", 0 },
	{ 'k', "k\"x", 0 },
	{ 'k', "\xc3\xa9t\xc3\xa9", 0 },
	{ 'k', "k\\", -EINVAL },
	{ 'k', "k\n", -EINVAL },
	{ 'f', "f\\b", 0 },
	{ 'f', "f,x", 0 },
	{ 'f', "f x", 0 },
	{ 'f', "f=x", 0 },
	{ 'f', "f\"x", 0 },
	{ 'f', "\"f\"", 0 },
	{ 'f', "f\\\"x", 0 },
	{ 'f', "f\\\\\"x", 0 },
	{ 'f', "f\\\\x", 0 },
	{ 'f', "f\\,x", -EINVAL },
	{ 'f', "f\\ x", -EINVAL },
	{ 'f', "f\\=x", -EINVAL },
	{ 'f', "f\\", -EINVAL },
	{ 'm', "m\\b", 0 },
	{ 'm', "m,x", 0 },
	{ 'm', "m x", 0 },
	{ 'm', "m=x", 0 },
	{ 'm', "m\"x", 0 },
	{ 'm', " m", 0 },
	{ 'm', "m\\\\b", 0 },
	{ 'm', "m#", 0 },
	{ 'm', "#m", -EINVAL },
	{ 'm', "m\\,x", -EINVAL },
	{ 'm', "m\\=x", -EINVAL },
	{ 'm', "m\\\"x", -EINVAL },
	{ 'm', "m\\", -EINVAL },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))
#define TS0 INT64_C(1600000000000000000)

static int encode(struct lp_buf *b, size_t i)
{
	const struct lp_case *c = &cases[i];
	char num[16];
	int r;

	snprintf(num, sizeof(num), "%zu", i);
	switch (c->kind) {
	case 't':
		r = lp_begin(b, "lp_tags");
		if (r >= 0)
			r = lp_tag(b, "case", num);
		if (r >= 0)
			r = lp_tag(b, "t", c->name);
		if (r >= 0)
			r = lp_field_u64(b, "v", i);
		break;
	case 'k':
		r = lp_begin(b, "lp_tagkeys");
		if (r >= 0)
			r = lp_tag(b, "case", num);
		if (r >= 0)
			r = lp_tag(b, c->name, "x");
		if (r >= 0)
			r = lp_field_u64(b, "v", i);
		break;
	case 'f':
		r = lp_begin(b, "lp_fields");
		if (r >= 0)
			r = lp_tag(b, "case", num);
		if (r >= 0)
			r = lp_field_u64(b, c->name, i);
		break;
	default:
		r = lp_begin(b, c->name);
		if (r >= 0)
			r = lp_tag(b, "mcase", num);
		if (r >= 0)
			r = lp_field_u64(b, "v", i);
		break;
	}
	return lp_end(b, TS0 + (int64_t)i);
}

int main(int argc, char **argv)
{
	struct lp_buf tags, meas;
	int bad = 0;

	if (argc != 2 || (strcmp(argv[1], "lines") && strcmp(argv[1], "expect"))) {
		fprintf(stderr, "usage: lpwrite lines|expect\n");
		return 64;
	}
	/* a long name full of everything that needs care */
	for (size_t j = 0; j + 1 < sizeof(longname); j++)
		longname[j] = "a\\, =\"b"[j % 7];
	longname[sizeof(longname) - 2] = 'z';

	lp_buf_init(&tags);
	lp_buf_init(&meas);
	for (size_t i = 0; i < NCASES; i++) {
		struct lp_buf *b = cases[i].kind == 'm' ? &meas : &tags;
		size_t before = b->len;
		int r = encode(b, i);

		if (r != cases[i].err || (r < 0 && b->len != before)) {
			fprintf(stderr, "lpwrite: case %zu (%c): got %d, want %d\n", i,
				cases[i].kind, r, cases[i].err);
			bad = 1;
		}
		if (r < 0 || strcmp(argv[1], "expect"))
			continue;
		printf("%c\t%zu\t%s\n", cases[i].kind, i, cases[i].name);
	}
	if (!strcmp(argv[1], "lines"))
		printf("%s#--measurements--\n%s", tags.data ? tags.data : "",
		       meas.data ? meas.data : "");
	lp_buf_free(&tags);
	lp_buf_free(&meas);
	return bad;
}
