/* fuzz_config: the configuration value parsers (durations, sizes,
 * booleans, lists, glob lists, URLs), the duplicate-key scan and a whole
 * cfg_load() of the input as an INI file (through a memfd). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector/config.h"
#include "tests/fuzz/fuzz.h"

static void scan_report(void *u, const struct cfg_scan_hit *h)
{
	FUZZ_CHECK(h->line > 0 && h->kind < CFG_SCAN_KIND_MAX);
	FUZZ_CHECK(h->kind == CFG_SCAN_DUP_SECTION ? h->first_line < h->line && !h->key : !!h->key);
	++*(unsigned *)u;
}

static void values(const char *s)
{
	uint64_t v = 7;
	bool b;
	struct strv l;
	int r;

	r = cfg_parse_duration_ms(s, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	r = cfg_parse_size(s, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	r = cfg_parse_bool(s, &b);
	FUZZ_CHECK(r == 0 || r == -EINVAL);
	if (cfg_url_ok(s)) {
		char why[256];

		why[0] = '\0';
		r = cfg_url_problem(s, why, sizeof(why));
		FUZZ_CHECK(r == 0 || (r == -EINVAL && why[0]));
	}
	{
		/* the redacted URL never holds a secret of it */
		char red[256];
		struct strv sec = { NULL, 0 };

		cfg_url_redact(s, red, sizeof(red));
		FUZZ_CHECK(strlen(red) < sizeof(red));
		if (strlen(s) < 100 && cfg_url_secrets(s, &sec) == 0)
			for (size_t i = 0; i < sec.n; i++)
				FUZZ_CHECK(strlen(sec.v[i]) > 0);
		strv_free(&sec);
	}
	if (cfg_parse_list(s, &l) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			/* trimmed, non-empty, no comma */
			FUZZ_CHECK(l.v[i][0] && !strchr(l.v[i], ','));
			FUZZ_CHECK(l.v[i][0] != ' ' && l.v[i][strlen(l.v[i]) - 1] != ' ');
		}
		FUZZ_CHECK(l.n == 0 || l.v[l.n] == NULL);
		(void)strv_match(&l, s);
		(void)strv_match(&l, "lxc.payload.web");
		strv_free(&l);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), path[64];
	struct config *c = NULL;
	struct cfg_report rep;
	unsigned dups = 0;
	FILE *f;
	int fd, r;

	if (!s)
		return 0;
	values(s);
	/* each line as a value too (what iniparser would hand over) */
	for (char *line = s, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		values(line);
	}
	free(s);

	if (size > 0) {
		f = fmemopen((void *)data, size, "r");
		if (f) {
			FUZZ_CHECK(cfg_scan_keys(f, scan_report, &dups) == 0);
			fclose(f);
		}
	}

	fd = memfd_create("fuzz.ini", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size == 0 || write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r = cfg_load(path, true, &c, &rep);
		FUZZ_CHECK(r == 0 || r == -EINVAL);
		FUZZ_CHECK((r == 0) == (rep.errors.n == 0));
		if (r == 0) {
			FUZZ_CHECK(c && c->interval_ms >= 1000 && c->interval_ms % 1000 == 0);
			cfg_free(c);
		}
		cfg_report_free(&rep);
	}
	close(fd);
	return 0;
}
