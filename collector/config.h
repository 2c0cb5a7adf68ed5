/* config: the only user of iniparser. Yields an immutable struct config.
 * Every problem is reported as "FILE:SECTION.KEY: message". */
#ifndef LXC_CONFIG_H
#define LXC_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CFG_DEFAULT_PATH "/etc/lxcollectd/lxcollectd.ini"

/* metric groups; the cgroup ones equal enum cg_metric's bits */
enum cfg_metric {
	CFG_M_CPU = 1u << 0,
	CFG_M_MEMORY = 1u << 1,
	CFG_M_PIDS = 1u << 2,
	CFG_M_IO = 1u << 3,
	CFG_M_PRESSURE = 1u << 4,
	CFG_M_NET = 1u << 5,
	CFG_M_STATE = 1u << 6, /* container_state (no cgroup group: bit 6 is not passed on) */
	CFG_M_ALL = 0x7f,
};

enum cfg_schema { CFG_SCHEMA_DEFAULT, CFG_SCHEMA_LXD2INFLUX };
enum cfg_api { CFG_API_V1, CFG_API_V2 };

struct strv {
	char **v; /* NULL-terminated when n > 0; NULL when empty */
	size_t n;
};

/* [collector] tags: one extra tag KEY=VALUE on every point */
struct cfg_tag {
	char *key;
	char *value;
};

struct config {
	char *path; /* file it came from, NULL for built-in defaults */

	/* [collector] */
	uint64_t interval_ms; /* whole seconds, >= 1000 */
	char *hostname;       /* never NULL: gethostname() when unset */
	char *cgroup_root;
	char *proc_root;
	struct strv include;
	struct strv exclude;
	struct strv interfaces_exclude;
	struct strv lxc_path; /* LXC lxcpaths: every NAME/config is a container */
	struct strv lxd_path; /* LXD instance directories: [PROJECT_]NAME */
	unsigned metrics; /* enum cfg_metric bits */
	enum cfg_schema schema;
	char *user; /* NULL: stay root without capabilities */
	struct cfg_tag *tags; /* in the order given; keys checked by cfg_tag_key_ok() */
	size_t ntags;

	/* [influxdb] */
	char *url;
	enum cfg_api api;
	char *database;
	char *retention_policy;
	char *username;
	char *password; /* contents of password_file, trailing newline removed */
	char *password_file;
	char *org;
	char *bucket;
	char *token; /* contents of token_file */
	char *token_file;
	bool gzip;
	uint64_t timeout_ms;
	char *ca_file;
	bool tls_verify;

	/* [spool] */
	char *spool_dir;
	uint64_t spool_max_size;

	/* [prometheus] */
	char *prom_listen;     /* "HOST:PORT"; NULL: no endpoint */
	char *prom_token_file; /* scrapes must send "Authorization: Bearer" */
	char *prom_token;      /* its contents */
	char *prom_tls_cert;   /* PEM files; both or neither */
	char *prom_tls_key;

	/* [log] */
	int log_level; /* syslog priority: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */
};

/* Problems found while loading: errors make the configuration unusable,
 * warnings do not (e.g. a world-readable secret file). Each entry is a
 * complete message "FILE:SECTION.KEY: message". */
struct cfg_report {
	struct strv errors;
	struct strv warnings;
};

/* Load PATH (NULL: CFG_DEFAULT_PATH). When must_exist is false and PATH
 * does not exist, the built-in defaults are used (c->path NULL). Returns 0
 * with *ret set when there are no errors; -EINVAL (report->errors filled)
 * otherwise; -ENOMEM. *report is (re)initialised here and holds warnings
 * in either case; free it with cfg_report_free(). report may be NULL.
 * Messages are "FILE:SECTION.KEY: message"; problems of the whole file
 * are "FILE: message", of a whole section "FILE:SECTION: message". */
int cfg_load(const char *path, bool must_exist, struct config **ret, struct cfg_report *report);
/* The built-in defaults alone, no file read (for lxcollectd top). */
int cfg_load_defaults(struct config **ret);
void cfg_free(struct config *c);
void cfg_report_free(struct cfg_report *r);

/* Value parsers, pure, exposed for tests and fuzzing. */
/* 10 (seconds), 10s, 500ms, 2m, 1h: digits and one unit, nothing else.
 * -EINVAL for junk or a sign, -ERANGE on overflow. */
int cfg_parse_duration_ms(const char *s, uint64_t *ret);
/* 1048576, 64KiB, 256MiB, 1GiB, TiB; K/M/G/T are binary too; B allowed;
 * "KB"/"MB" (ambiguous), signs, spaces, fractions and overflow are not. */
int cfg_parse_size(const char *s, uint64_t *ret);
int cfg_parse_bool(const char *s, bool *ret);
/* A count on a command line: decimal digits only, 1 to 2^32-1. */
int cfg_parse_count(const char *s, uint64_t *ret); /* true/false yes/no on/off 1/0, any case */
int cfg_parse_list(const char *s, struct strv *ret); /* comma-separated, trimmed, empty items dropped */
void strv_free(struct strv *v);
/* Append S, taking ownership (freed on failure; NULL S means -ENOMEM). */
int strv_push(struct strv *v, char *s);
/* Append PREFIX followed by FMT formatted with AP. 0 or -ENOMEM. */
int strv_pushv(struct strv *v, const char *prefix, const char *fmt, va_list ap);
/* An http:// or https:// URL with a host and no spaces or controls. */
bool cfg_url_ok(const char *u);
/* Of a URL cfg_url_ok() accepts: a query string or fragment, or a port
 * outside 1-65535. -EINVAL with the reason in BUF, else 0. */
int cfg_url_problem(const char *u, char *buf, size_t size);

/* [collector] interval (and --interval): whole seconds from 1s to 24h.
 * 0 with *ret set, or -EINVAL with *ret_why a printf format taking the
 * value once, e.g. "%s is more than 24h". */
int cfg_parse_interval_ms(const char *s, uint64_t *ret, const char **ret_why);

/* What iniparser accepts silently, found by cfg_scan_keys(). */
enum cfg_scan_kind {
	CFG_SCAN_OUTSIDE,     /* a key before any section (sec "") */
	CFG_SCAN_DUP_KEY,     /* a key given twice in one section */
	CFG_SCAN_DUP_SECTION, /* a section header given again (first_line: the first) */
	CFG_SCAN_QUOTE,       /* a value opening a quote it does not close */
	CFG_SCAN_AFTER_QUOTE, /* text after a quoted value's closing quote */
	CFG_SCAN_KIND_MAX,
};

struct cfg_scan_hit {
	enum cfg_scan_kind kind;
	const char *sec; /* lowercased */
	const char *key; /* lowercased; NULL for CFG_SCAN_DUP_SECTION */
	unsigned line;
	unsigned first_line; /* CFG_SCAN_DUP_SECTION only */
};

/* Scan the lines as iniparser will read them (a UTF-8 byte-order mark
 * before the first line is skipped) and call report() for each hit. 0 or
 * -ENOMEM. */
int cfg_scan_keys(FILE *f, void (*report)(void *u, const struct cfg_scan_hit *h), void *u);

/* The bytes of a UTF-8 byte-order mark, which cfg_load() accepts. */
#define CFG_UTF8_BOM "\xef\xbb\xbf"

/* URL with anything secret replaced by "***": the password of
 * user:password@, and the values of the query parameters p, password and
 * token. Writes into buf (truncating) and returns it. */
const char *cfg_url_redact(const char *url, char *buf, size_t size);
/* Append a copy of each of those secrets to *ret. 0 or -ENOMEM. */
int cfg_url_secrets(const char *url, struct strv *ret);

/* Tag keys a [collector] tags entry may not use: the ones lxcollectd
 * writes itself. NULL-terminated. */
extern const char *const cfg_reserved_tags[];

/* The effective configuration as an INI file that cfg_load() reads back
 * to the same values (secrets are never printed: the files they come
 * from are, and a URL's password shows as ***). 0 or -errno. */
int cfg_print(const struct config *c, FILE *f);
/* The keys cfg_print() writes, as "section:key", NULL-terminated. */
extern const char *const cfg_known[];

/* Read a secret file: one non-empty line, one trailing newline removed.
 * On success *ret (malloc'd) and *ret_mode (permission bits) are set.
 * -errno of open/read, -EINVAL not a regular file, -EFBIG larger than
 * CFG_SECRET_MAX, -EBADMSG empty or more than one line, -ENOMEM. */
#define CFG_SECRET_MAX 4096
int cfg_read_secret(const char *path, char **ret, unsigned *ret_mode);
/* Zero and free what cfg_read_secret() (or a copy of it) holds; NULL is fine. */
void cfg_secret_free(char *s);

/* fnmatch(3) against every pattern of V. */
bool strv_match(const struct strv *v, const char *name);

#endif
