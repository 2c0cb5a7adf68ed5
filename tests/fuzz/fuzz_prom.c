/* fuzz_prom: prom_render() on arbitrary input in place of a cycle's line
 * protocol, for both endpoints and both formats. The snapshot only ever
 * holds what collect.c wrote, but the renderer must not trust that.
 *
 * Oracles:
 *  - it returns 0 (or -ENOMEM) and never reads past the input;
 *  - every output line is a "# HELP", "# TYPE" or "# EOF" line or a
 *    sample "NAME[{...}] VALUE" with NAME of [a-zA-Z_:][a-zA-Z0-9_:]* and
 *    no raw newline inside the labels (they are escaped);
 *  - OpenMetrics output ends with "# EOF", text output never has it;
 *  - no more samples than fields ('=' in the input) plus the renderer's
 *    own two. */
#include <errno.h>

#include "collector/prom.h"
#include "tests/fuzz/fuzz.h"

static bool metric_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

static void check_output(const char *o, size_t n, enum prom_format fmt)
{
	const char *p = o, *end = o + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		FUZZ_CHECK(nl); /* every line ends in a newline */
		if (*p == '#') {
			FUZZ_CHECK(!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7) ||
				   (nl - p == 5 && !strncmp(p, "# EOF", 5)));
		} else {
			const char *q = p;

			FUZZ_CHECK(metric_char(*q, true));
			while (q < nl && metric_char(*q, false))
				q++;
			FUZZ_CHECK(q < nl && (*q == '{' || *q == ' '));
		}
		p = nl + 1;
	}
	if (fmt == PROM_FMT_OPENMETRICS)
		FUZZ_CHECK(n >= 6 && !memcmp(o + n - 6, "# EOF\n", 6));
	else
		FUZZ_CHECK(!memmem(o, n, "# EOF", 5));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct prom_profile *profs[] = { &prom_own_profile, &prom_lxd_profile };
	char *in = fuzz_dup(data, len);
	size_t fields = 0;

	if (!in)
		return 0;
	for (size_t i = 0; i < len; i++)
		fields += in[i] == '=';
	for (int p = 0; p < 2; p++)
		for (int f = 0; f < PROM_FMT_MAX; f++) {
			struct prom_render_stats st;
			struct lp_buf out;
			int r;

			lp_buf_init(&out);
			r = prom_render(in, len, 1700000000000000000LL, profs[p], (enum prom_format)f,
					&out, &st);
			FUZZ_CHECK(r == 0 || r == -ENOMEM);
			if (r == 0) {
				check_output(out.data ? out.data : "", out.len, (enum prom_format)f);
				FUZZ_CHECK(st.samples <= fields + 2);
			}
			lp_buf_free(&out);
		}
	free(in);
	return 0;
}
