/* config_value: what cfg_load() needs besides iniparser: the value
 * parsers (durations, sizes, booleans, lists, URLs), the string-vector
 * helpers, the duplicate-key scan and the secret-file reader. Only the
 * last two do I/O; fuzz and unit tests call the rest directly. */
#include "collector/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Leading decimal digits of s into *ret; no sign, no space, no overflow. */
static int parse_u64_prefix(const char *s, uint64_t *ret, const char **end)
{
	unsigned long long v;
	char *e;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*ret = v;
	*end = e;
	return 0;
}

static int mul_u64(uint64_t a, uint64_t b, uint64_t *ret)
{
	if (b && a > UINT64_MAX / b)
		return -ERANGE;
	*ret = a * b;
	return 0;
}

struct unit {
	const char *suffix;
	uint64_t factor;
};

/* A whole number followed by one of UNITS' suffixes (exactly). */
static int parse_with_unit(const char *s, const struct unit *units, size_t n, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r;

	r = parse_u64_prefix(s, &v, &end);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(end, units[i].suffix))
			return mul_u64(v, units[i].factor, ret);
	return -EINVAL;
}

int cfg_parse_duration_ms(const char *s, uint64_t *ret)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 }, { "h", 3600000 },
	};

	return parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), ret);
}

int cfg_parse_size(const char *s, uint64_t *ret)
{
	/* K, M, G, T are binary too, as in systemd; "KB"/"MB" are refused
	 * because half the world reads them as powers of ten. */
	static const struct unit units[] = {
		{ "", 1 },	     { "B", 1 },	   { "K", 1ull << 10 }, { "KiB", 1ull << 10 },
		{ "M", 1ull << 20 }, { "MiB", 1ull << 20 }, { "G", 1ull << 30 }, { "GiB", 1ull << 30 },
		{ "T", 1ull << 40 }, { "TiB", 1ull << 40 },
	};

	return parse_with_unit(s, units, sizeof(units) / sizeof(units[0]), ret);
}

int cfg_parse_count(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > UINT32_MAX)
		return -EINVAL;
	*ret = v;
	return 0;
}

int cfg_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

int strv_push(struct strv *v, char *s)
{
	char **p;

	if (!s)
		return -ENOMEM;
	p = realloc(v->v, (v->n + 2) * sizeof(*p));
	if (!p) {
		free(s);
		return -ENOMEM;
	}
	p[v->n++] = s;
	p[v->n] = NULL;
	v->v = p;
	return 0;
}

int strv_pushv(struct strv *v, const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL, *line = NULL;
	int r;

	r = vasprintf(&msg, fmt, ap);
	if (r < 0)
		return -ENOMEM;
	r = asprintf(&line, "%s%s", prefix, msg);
	free(msg);
	return strv_push(v, r < 0 ? NULL : line);
}

int cfg_parse_list(const char *s, struct strv *ret)
{
	struct strv v = { NULL, 0 };
	const char *p = s ? s : "";

	for (;;) {
		const char *comma = strchrnul(p, ',');
		const char *a = p, *b = comma;

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a && strv_push(&v, strndup(a, (size_t)(b - a))) < 0) {
			strv_free(&v);
			return -ENOMEM;
		}
		if (!*comma)
			break;
		p = comma + 1;
	}
	*ret = v;
	return 0;
}

void strv_free(struct strv *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

bool strv_match(const struct strv *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (fnmatch(v->v[i], name, 0) == 0)
			return true;
	return false;
}

/* What curl would take but the daemon cannot use: a query string (the
 * write URL's own parameters are added to it), a fragment, a port that
 * is not 1-65535. Called on a URL cfg_url_ok() accepted. */
int cfg_url_problem(const char *u, char *buf, size_t size)
{
	const char *a = strstr(u, "://"), *end, *at, *hp, *colon = NULL;
	unsigned long port = 0;
	size_t n;

	if (strpbrk(u, "?#")) {
		snprintf(buf, size, "must not hold a query string or fragment (?, #): the database goes "
			 "in database and retention_policy (api = v1), or org and bucket (api = v2)");
		return -EINVAL;
	}
	if (!a)
		return 0;
	a += 3;
	end = a + strcspn(a, "/");
	for (at = a, hp = a; at < end; at++)
		if (*at == '@')
			hp = at + 1; /* the host begins after the last '@' of the userinfo */
	if (*hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(end - hp));

		if (rb && rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
	}
	if (!colon)
		return 0;
	n = (size_t)(end - colon - 1);
	for (size_t i = 0; i < n; i++) {
		if (colon[1 + i] < '0' || colon[1 + i] > '9' || port > 65535) {
			port = 65536;
			break;
		}
		port = port * 10 + (unsigned long)(colon[1 + i] - '0');
	}
	if (n == 0 || port == 0 || port > 65535) {
		snprintf(buf, size, "port \"%.*s\" is not a port number (1 to 65535)",
			 (int)(n > 16 ? 16 : n), colon + 1);
		return -EINVAL;
	}
	return 0;
}

bool cfg_url_ok(const char *u)
{
	const char *host;

	if (!strncasecmp(u, "http://", 7))
		host = u + 7;
	else if (!strncasecmp(u, "https://", 8))
		host = u + 8;
	else
		return false;
	if (!*host || *host == '/' || *host == ':')
		return false;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* Where a value's quoting goes wrong, as iniparser reads it: it takes
 * "abc as abc and "a" b as a, silently. P points after the '='. */
static int scan_quote(const char *p)
{
	const char *close;

	while (isspace((unsigned char)*p))
		p++;
	if (*p != '"' && *p != '\'')
		return -1;
	close = strchr(p + 1, *p);
	if (!close)
		return CFG_SCAN_QUOTE;
	for (close++; isspace((unsigned char)*close); close++)
		;
	if (*close && *close != ';' && *close != '#')
		return CFG_SCAN_AFTER_QUOTE;
	return -1;
}

/* A name seen before, with the line it was first seen on. */
static int seen_line(const struct strv *names, const unsigned *lines, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			return (int)lines[i];
	return 0;
}

static int seen_add(struct strv *names, unsigned **lines, char *name, unsigned line)
{
	unsigned *l = realloc(*lines, (names->n + 1) * sizeof(**lines));

	if (!l) {
		free(name);
		return -ENOMEM;
	}
	*lines = l;
	l[names->n] = line;
	return strv_push(names, name);
}

/* Mirrors iniparser's line rules: comments start with ';' or '#', a
 * trailing backslash continues the line, names are lowercased. */
int cfg_scan_keys(FILE *f, void (*report)(void *u, const struct cfg_scan_hit *h), void *u)
{
	struct strv keys = { NULL, 0 }, secs = { NULL, 0 };
	unsigned *key_lines = NULL, *sec_lines = NULL;
	char *line = NULL, sec[128] = "";
	size_t cap = 0;
	unsigned lineno = 0;
	bool cont = false;
	ssize_t len;
	int r = 0;

	while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *e = line + len, *eq;
		bool was_cont = cont;
		int q;

		lineno++;
		if (lineno == 1 && !strncmp(p, CFG_UTF8_BOM, 3))
			p += 3;
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		cont = e > p && e[-1] == '\\';
		if (was_cont)
			continue;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == ';' || *p == '#')
			continue;
		if (*p == '[') {
			char *close = strchr(p, ']');
			size_t n;
			int first;

			p++;
			if (!close)
				continue; /* iniparser reports it */
			while (p < close && isspace((unsigned char)*p))
				p++;
			while (close > p && isspace((unsigned char)close[-1]))
				close--;
			n = (size_t)(close - p) < sizeof(sec) - 1 ? (size_t)(close - p) : sizeof(sec) - 1;
			for (size_t i = 0; i < n; i++)
				sec[i] = (char)tolower((unsigned char)p[i]);
			sec[n] = '\0';
			first = seen_line(&secs, sec_lines, sec);
			if (first)
				report(u, &(struct cfg_scan_hit){ CFG_SCAN_DUP_SECTION, sec, NULL, lineno,
								  (unsigned)first });
			else
				r = seen_add(&secs, &sec_lines, strdup(sec), lineno);
			continue;
		}
		eq = strchr(p, '=');
		if (!eq)
			continue;
		q = cont ? -1 : scan_quote(eq + 1);
		while (eq > p && isspace((unsigned char)eq[-1]))
			eq--;
		*eq = '\0';
		for (char *k = p; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		if (q >= 0)
			report(u, &(struct cfg_scan_hit){ (enum cfg_scan_kind)q, sec, p, lineno, 0 });
		if (!*sec) {
			report(u, &(struct cfg_scan_hit){ CFG_SCAN_OUTSIDE, sec, p, lineno, 0 });
			continue;
		}
		char *id = NULL;
		if (asprintf(&id, "%s.%s", sec, p) < 0) {
			r = -ENOMEM;
			break;
		}
		if (seen_line(&keys, key_lines, id)) {
			report(u, &(struct cfg_scan_hit){ CFG_SCAN_DUP_KEY, sec, p, lineno, 0 });
			free(id);
		} else {
			r = seen_add(&keys, &key_lines, id, lineno);
		}
	}
	free(line);
	strv_free(&keys);
	strv_free(&secs);
	free(key_lines);
	free(sec_lines);
	return r;
}

int cfg_parse_interval_ms(const char *s, uint64_t *ret, const char **ret_why)
{
	uint64_t ms;

	if (cfg_parse_duration_ms(s, &ms) < 0)
		*ret_why = "invalid duration \"%s\" (examples: 10, 10s, 2m)";
	else if (ms % 1000)
		*ret_why = "%s is not a whole number of seconds";
	else if (ms < 1000)
		*ret_why = "%s is less than 1s";
	else if (ms > 86400000)
		*ret_why = "%s is more than 24h";
	else {
		*ret = ms;
		return 0;
	}
	return -EINVAL;
}

/* The next secret in URL at or after FROM: the password of
 * user:password@, or the value of a query parameter p, password or
 * token. Its start, or NULL; *ret_len its length. */
static const char *url_next_secret(const char *url, const char *from, size_t *ret_len)
{
	static const char *const params[] = { "p", "password", "token", NULL };
	const char *scheme = strstr(url, "://"), *p;

	/* user:password@ lies between "://" and the first '/', '?' or '#' */
	if (scheme && from <= scheme + 3) {
		const char *auth = scheme + 3, *end = auth + strcspn(auth, "/?#");
		const char *at = memrchr(auth, '@', (size_t)(end - auth));
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;

		if (colon && at > colon + 1) {
			*ret_len = (size_t)(at - colon - 1);
			return colon + 1;
		}
	}
	for (p = strpbrk(from, "?&"); p; p = strpbrk(p + 1, "?&")) {
		size_t n = strcspn(p + 1, "=&#");

		if (p[1 + n] != '=')
			continue;
		for (size_t i = 0; params[i]; i++)
			if (strlen(params[i]) == n && !strncasecmp(p + 1, params[i], n)) {
				*ret_len = strcspn(p + 2 + n, "&#");
				if (*ret_len)
					return p + 2 + n;
			}
	}
	return NULL;
}

const char *cfg_url_redact(const char *url, char *buf, size_t size)
{
	const char *p = url, *sec;
	size_t o = 0, n;

	if (size == 0)
		return "";
	while ((sec = url_next_secret(url, p, &n))) {
		o += (size_t)snprintf(buf + o, size - o, "%.*s***", (int)(sec - p), p);
		if (o >= size)
			return buf;
		p = sec + n;
	}
	snprintf(buf + o, size - o, "%s", p);
	return buf;
}

int cfg_url_secrets(const char *url, struct strv *ret)
{
	const char *p = url, *sec;
	size_t n;

	while ((sec = url_next_secret(url, p, &n))) {
		if (strv_push(ret, strndup(sec, n)) < 0)
			return -ENOMEM;
		p = sec + n;
	}
	return 0;
}

int cfg_read_secret(const char *path, char **ret, unsigned *ret_mode)
{
	char buf[CFG_SECRET_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if (n > CFG_SECRET_MAX) {
		r = -EFBIG;
		goto out;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* it goes into an HTTP header: no line breaks, no NULs */
	if (n == 0 || strlen(buf) != (size_t)n || strpbrk(buf, "\r\n")) {
		r = -EBADMSG;
		goto out;
	}
	*ret = strdup(buf);
	if (!*ret)
		r = -ENOMEM;
	else
		*ret_mode = (unsigned)(st.st_mode & 07777);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

void cfg_secret_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}
