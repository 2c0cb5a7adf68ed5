/* prom_render: one cycle's line protocol -> a Prometheus text or
 * OpenMetrics exposition of lxcollectd's own families.
 *
 * The line protocol is the one schema of every figure (schema.c, net.c,
 * collect.c write it); translating it keeps /metrics complete by
 * construction: a figure added to the line protocol needs one row in
 * prom_own.c's table, and the tests fail on any field without one
 * (prom_render_stats.unmapped). Each endpoint is a profile: its families
 * and the (measurement, field) rows that feed them (prom_own.c,
 * prom_lxd.c).
 *
 * Units follow Prometheus conventions: the line protocol's nanoseconds,
 * microseconds and percentages become seconds and ratios, so such values
 * are written as floats (the shortest text that reads back exactly). */
#include "collector/prom.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Families, in the order they are written. */
/* ---- reading our own line protocol ---- */

/* Copy the name at *p up to an unescaped character of STOP into out
 * (NUL-terminated, at most size - 1 bytes), undoing lp.c's escapes: a
 * backslash before one of ESC is dropped, any other is kept. */
static int lp_scan(const char **p, const char *end, const char *stop, const char *esc, char *out,
		   size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && !strchr(stop, *s)) {
		char c = *s++;

		if (c == '\\' && s < end && strchr(esc, *s))
			c = *s++;
		if (c == '\n' || n + 1 >= size)
			return -EINVAL;
		out[n++] = c;
	}
	if (n == 0)
		return -EINVAL;
	out[n] = '\0';
	*p = s;
	return 0;
}

struct prom_sample {
	uint32_t fam;
	uint32_t lab_off, lab_len; /* labels of the line, in the arena */
	uint32_t val_off, val_len; /* the value's text, in the arena */
	const char *extra;	   /* the map's own labels, or NULL */
	uint32_t ext_off, ext_len; /* or these, in the arena (ext_len 0: none) */
};

struct prom_work {
	const struct prom_profile *prof;
	struct lp_buf arena;
	struct prom_sample *s;
	size_t n, cap;
	struct prom_render_stats st;
};

static int put(struct lp_buf *b, const char *s)
{
	return lp_append(b, s, strlen(s));
}

/* A label value: backslash, double quote and newline escaped. */
static int put_label_value(struct lp_buf *b, const char *v)
{
	int r = 0;

	for (; *v && r >= 0; v++) {
		if (*v == '\\')
			r = put(b, "\\\\");
		else if (*v == '"')
			r = put(b, "\\\"");
		else if (*v == '\n')
			r = put(b, "\\n");
		else
			r = lp_append(b, v, 1);
	}
	return r;
}

static int put_label(struct lp_buf *b, bool first, const char *k, const char *v)
{
	int r = first ? 0 : put(b, ",");

	if (r >= 0)
		r = put(b, k);
	if (r >= 0)
		r = put(b, "=\"");
	if (r >= 0)
		r = put_label_value(b, v);
	if (r >= 0)
		r = put(b, "\"");
	return r;
}

/* A tag key is a label name when it is [a-zA-Z_][a-zA-Z0-9_]* and does
 * not start with "__" (reserved). */
static bool label_name_ok(const char *k)
{
	if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
		return false;
	if (k[0] == '_' && k[1] == '_')
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* The value text of an integer ("123i") or float field divided by div. */
static int put_value(struct lp_buf *b, const char *v, uint64_t div)
{
	size_t len = strlen(v);
	char num[40];
	double d;
	char *end;
	int n;

	if (len == 0 || v[0] == '"' || v[0] == 't' || v[0] == 'f' || v[0] == 'T' || v[0] == 'F')
		return -EINVAL;
	if (v[len - 1] == 'i' || v[len - 1] == 'u') {
		if (div == 1)
			return lp_append(b, v, len - 1);
		d = (double)strtoull(v, &end, 10);
		if (end != v + len - 1)
			return -EINVAL;
	} else {
		d = strtod(v, &end);
		if (end != v + len)
			return -EINVAL;
	}
	n = lp_format_f64(d / (double)div, num, sizeof(num));
	if (n < 0)
		return n;
	return lp_append(b, num, (size_t)n);
}

static int add_sample(struct prom_work *w, uint32_t fam, size_t lab_off, size_t lab_len,
		      size_t val_off, const char *extra)
{
	if (w->arena.len > UINT32_MAX)
		return -ENOMEM;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct prom_sample *s = realloc(w->s, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		w->s = s;
		w->cap = cap;
	}
	w->s[w->n++] = (struct prom_sample){ fam,
					     (uint32_t)lab_off,
					     (uint32_t)lab_len,
					     (uint32_t)val_off,
					     (uint32_t)(w->arena.len - val_off),
					     extra,
					     0,
					     0 };
	return 0;
}

/* A map with div 0 takes a string field whose values are these, and
 * makes it the label state="VALUE" of a sample 1 (container_state). */
static const char *state_label(const char *val)
{
	static const char *const labels[][2] = {
		{ "\"RUNNING\"", "state=\"RUNNING\"" },
		{ "\"STOPPED\"", "state=\"STOPPED\"" },
		{ "\"FROZEN\"", "state=\"FROZEN\"" },
	};

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(val, labels[i][0]))
			return labels[i][1];
	return NULL;
}

/* Does field KEY match a map's FIELD? A FIELD ending in '#' matches
 * itself without the '#' followed by a number (up to 9 digits), which
 * *RET_NUM then points at (else NULL). */
static bool field_match(const char *field, const char *key, const char **ret_num)
{
	size_t n = strlen(field), d;

	*ret_num = NULL;
	if (n == 0 || field[n - 1] != '#')
		return !strcmp(field, key);
	if (strncmp(field, key, n - 1))
		return false;
	d = strspn(key + n - 1, "0123456789");
	if (d == 0 || d > 9 || key[n - 1 + d])
		return false;
	*ret_num = key + n - 1;
	return true;
}

/* A map's labels with each '#' replaced by NUM, into the arena. */
static int put_numbered(struct lp_buf *b, const char *labels, const char *num)
{
	int r = 0;

	for (const char *p = labels; *p && r >= 0;) {
		size_t k = strcspn(p, "#");

		r = lp_append(b, p, k);
		p += k;
		if (*p == '#' && r >= 0) {
			r = put(b, num);
			p++;
		}
	}
	return r;
}

/* The rows of the profile's maps for measurement M: [*first, *first + n). */
static size_t maps_of(const struct prom_profile *p, const char *m, size_t *first)
{
	size_t i = 0, n = 0;

	while (i < p->nmaps && strcmp(p->maps[i].measurement, m))
		i++;
	*first = i;
	while (i + n < p->nmaps && !strcmp(p->maps[i + n].measurement, m))
		n++;
	return n;
}

/* The tags of one line, for LXD's labels. */
struct lxd_tags {
	char container[256], project[256], interface[256], fstype[64], mountpoint[256], device[256];
};

static char *lxd_tag_slot(struct lxd_tags *t, const char *key, size_t *size)
{
	static const struct {
		const char *key;
		size_t off, size;
	} slots[] = {
		{ "container", offsetof(struct lxd_tags, container), sizeof(((struct lxd_tags *)0)->container) },
		{ "project", offsetof(struct lxd_tags, project), sizeof(((struct lxd_tags *)0)->project) },
		{ "interface", offsetof(struct lxd_tags, interface), sizeof(((struct lxd_tags *)0)->interface) },
		{ "fstype", offsetof(struct lxd_tags, fstype), sizeof(((struct lxd_tags *)0)->fstype) },
		{ "mountpoint", offsetof(struct lxd_tags, mountpoint), sizeof(((struct lxd_tags *)0)->mountpoint) },
		{ "device", offsetof(struct lxd_tags, device), sizeof(((struct lxd_tags *)0)->device) },
	};

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (!strcmp(slots[i].key, key)) {
			*size = slots[i].size;
			return (char *)t + slots[i].off;
		}
	return NULL;
}

/* LXD's labels, in its (alphabetical) order: device (the interface, a
 * filesystem's device, or a block device of _lxd_disk), fstype,
 * mountpoint, name, project ("default" for none), type (not on
 * filesystem samples, as LXD 5.0 writes them). */
static int put_lxd_labels(struct lp_buf *b, const char *meas, const struct lxd_tags *t)
{
	bool fs = !strcmp(meas, "container_fs");
	bool dev = t->interface[0] || t->device[0] || fs;
	int r = 0;

	if (dev)
		r = put_label(b, true, "device", t->interface[0] ? t->interface : t->device);
	if (r >= 0 && fs)
		r = put_label(b, false, "fstype", t->fstype);
	if (r >= 0 && fs)
		r = put_label(b, false, "mountpoint", t->mountpoint);
	if (r >= 0)
		r = put_label(b, b->len == 0 || !dev, "name", t->container);
	if (r >= 0)
		r = put_label(b, false, "project", t->project[0] ? t->project : "default");
	if (r >= 0 && !fs)
		r = put_label(b, false, "type", "container");
	return r;
}

/* A line's tags, up to the space before its fields: labels into the
 * arena (our profile) or into LT (LXD's, written in its order later). */
static int scan_tags(struct prom_work *w, const char **pp, const char *end, struct lxd_tags *lt)
{
	const char *p = *pp;
	char key[256], val[512];
	bool first = true;
	int r;

	while (p < end && *p == ',') {
		char *slot;
		size_t size;

		p++;
		r = lp_scan(&p, end, ",= ", ",= ", key, sizeof(key));
		if (r < 0 || p >= end || *p != '=')
			return -EINVAL;
		p++;
		r = lp_scan(&p, end, ", ", ",= ", val, sizeof(val));
		if (r < 0)
			return r;
		if (w->prof->lxd) {
			slot = lxd_tag_slot(lt, key, &size);
			if (slot)
				snprintf(slot, size, "%s", val);
			continue;
		}
		if (!strcmp(key, "host") || !label_name_ok(key))
			continue;
		r = put_label(&w->arena, first, key, val);
		if (r < 0)
			return r;
		first = false;
	}
	if (p >= end || *p != ' ')
		return -EINVAL;
	*pp = p + 1;
	return 0;
}

/* One line: its labels once into the arena, then a sample per mapped
 * field. -EINVAL for a line that does not parse (counted, skipped). */
static int do_line(struct prom_work *w, const char *p, const char *end)
{
	const struct prom_profile *prof = w->prof;
	char meas[256], key[256], val[512];
	size_t lab_off = w->arena.len, lab_len, first, nmaps;
	struct lxd_tags lt;
	int r;

	r = lp_scan(&p, end, ", ", ", ", meas, sizeof(meas));
	if (r < 0)
		return r;
	nmaps = maps_of(prof, meas, &first);
	if (nmaps == 0) {
		/* measurements of the other endpoint ('_': collected for
		 * /1.0/metrics only) are not ours to miss */
		if (!prof->lxd && meas[0] != '_')
			w->st.unmapped++;
		return 0;
	}
	memset(&lt, 0, sizeof(lt));
	r = scan_tags(w, &p, end, &lt);
	if (r < 0)
		return r;
	if (prof->lxd) {
		struct lp_buf tmp;

		/* LXD's order needs every tag first; built apart so that
		 * "first label" means first of this line */
		lp_buf_init(&tmp);
		r = put_lxd_labels(&tmp, meas, &lt);
		if (r >= 0)
			r = lp_append(&w->arena, tmp.data, tmp.len);
		lp_buf_free(&tmp);
		if (r < 0)
			return r;
	}
	lab_len = w->arena.len - lab_off;
	for (;;) {
		const char *v0, *num;
		size_t i;

		r = lp_scan(&p, end, ",= ", ",= \"", key, sizeof(key));
		if (r < 0 || p >= end || *p != '=')
			return -EINVAL;
		v0 = ++p;
		if (p < end && *p == '"') { /* string field: skip to its closing quote */
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p >= end)
				return -EINVAL;
			p++;
		} else {
			while (p < end && *p != ',' && *p != ' ')
				p++;
		}
		if ((size_t)(p - v0) >= sizeof(val))
			return -EINVAL;
		memcpy(val, v0, (size_t)(p - v0));
		val[p - v0] = '\0';
		for (i = 0; i < nmaps && !field_match(prof->maps[first + i].field, key, &num); i++)
			;
		if (i == nmaps) {
			if (!prof->lxd)
				w->st.unmapped++;
		} else {
			const struct prom_map *m = &prof->maps[first + i];
			size_t ext_off = w->arena.len, val_off;
			const char *extra = m->labels;

			if (num && m->labels) { /* numbered: its labels made here */
				r = put_numbered(&w->arena, m->labels, num);
				if (r < 0)
					return r;
				extra = NULL;
			}
			val_off = w->arena.len;
			if (m->div == 0) /* a state string: a label, value 1 */
				r = (extra = state_label(val)) ? lp_append(&w->arena, "1", 1) : -EINVAL;
			else
				r = put_value(&w->arena, val, m->div);
			if (r == -ENOMEM)
				return r;
			if (r >= 0)
				r = add_sample(w, m->fam, lab_off, lab_len, val_off, extra);
			else
				w->arena.len = ext_off, w->st.bad_lines++;
			if (r >= 0 && val_off > ext_off) {
				w->s[w->n - 1].ext_off = (uint32_t)ext_off;
				w->s[w->n - 1].ext_len = (uint32_t)(val_off - ext_off);
			}
			if (r == -ENOMEM)
				return r;
		}
		if (p >= end || *p != ',')
			break;
		p++;
	}
	return p < end && *p == ' ' ? 0 : -EINVAL;
}

static int put_family_head(struct lp_buf *o, const struct prom_family *f, enum prom_format fmt)
{
	bool total = f->type == PT_COUNTER && fmt == PROM_FMT_TEXT;
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "# HELP %s%s %s\n# TYPE %s%s %s\n", f->name,
		     total ? "_total" : "", f->help, f->name, total ? "_total" : "",
		     f->type == PT_COUNTER ? "counter" : "gauge");
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	return lp_append(o, line, (size_t)n);
}

static int put_sample(struct lp_buf *o, const struct prom_family *f, const char *arena,
		      const struct prom_sample *s)
{
	bool ext = s->extra || s->ext_len;
	int r = put(o, f->name);

	if (r >= 0 && f->type == PT_COUNTER)
		r = put(o, "_total");
	if (r >= 0 && (s->lab_len || ext)) {
		r = put(o, "{");
		if (r >= 0 && s->extra)
			r = put(o, s->extra);
		if (r >= 0 && s->ext_len)
			r = lp_append(o, arena + s->ext_off, s->ext_len);
		if (r >= 0 && ext && s->lab_len)
			r = put(o, ",");
		if (r >= 0)
			r = lp_append(o, arena + s->lab_off, s->lab_len);
		if (r >= 0)
			r = put(o, "}");
	}
	if (r >= 0)
		r = put(o, " ");
	if (r >= 0)
		r = lp_append(o, arena + s->val_off, s->val_len);
	if (r >= 0)
		r = put(o, "\n");
	return r;
}

/* The renderer's own samples: the cycle's time and the build. */
static int add_self(struct prom_work *w, int64_t cycle_ts_ns)
{
	char num[40];
	size_t off = w->arena.len, lab_off;
	int n, r;

	n = lp_format_f64((double)cycle_ts_ns / 1e9, num, sizeof(num));
	if (n < 0)
		return n;
	r = lp_append(&w->arena, num, (size_t)n);
	if (r >= 0)
		r = add_sample(w, (uint32_t)w->prof->fam_last_cycle, 0, 0, off, NULL);
	lab_off = w->arena.len;
	if (r >= 0)
		r = put_label(&w->arena, true, "version", LXCOLLECTD_VERSION);
	off = w->arena.len;
	if (r >= 0)
		r = put(&w->arena, "1");
	if (r >= 0)
		r = add_sample(w, (uint32_t)w->prof->fam_build, lab_off, off - lab_off, off, NULL);
	return r;
}

/* Write the samples grouped by family, in family order, each family's
 * samples in the order of the line protocol (a stable counting sort). */
static int emit(struct prom_work *w, enum prom_format fmt, struct lp_buf *out)
{
	const struct prom_profile *prof = w->prof;
	size_t start[PROM_MAX_FAMILIES + 1] = { 0 }, pos[PROM_MAX_FAMILIES];
	struct prom_sample *sorted;
	int r = 0;

	for (size_t i = 0; i < w->n; i++)
		start[w->s[i].fam + 1]++;
	for (unsigned f = 0; f < prof->nfams; f++)
		start[f + 1] += start[f];
	sorted = malloc((w->n ? w->n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(pos, start, sizeof(pos));
	for (size_t i = 0; i < w->n; i++)
		sorted[pos[w->s[i].fam]++] = w->s[i];
	for (unsigned f = 0; f < prof->nfams && r >= 0; f++) {
		if (start[f] == start[f + 1])
			continue;
		w->st.families++;
		r = put_family_head(out, &prof->fams[f], fmt);
		for (size_t i = start[f]; i < start[f + 1] && r >= 0; i++)
			r = put_sample(out, &prof->fams[f], w->arena.data, &sorted[i]);
	}
	if (r >= 0 && fmt == PROM_FMT_OPENMETRICS)
		r = put(out, "# EOF\n");
	w->st.samples = w->n;
	free(sorted);
	return r;
}

int prom_render(const char *lp, size_t len, int64_t cycle_ts_ns, const struct prom_profile *prof,
		enum prom_format fmt, struct lp_buf *out, struct prom_render_stats *ret_stats)
{
	struct prom_work w = { .prof = prof };
	const char *p = lp, *end = lp + len;
	int r = 0;

	lp_buf_init(&w.arena);
	/* the arena's offset 0 must exist for samples without labels */
	r = lp_append(&w.arena, "", 0);
	while (p < end && r >= 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t mark = w.arena.len, nmark = w.n;

		if (le > p && *p != '#') {
			r = do_line(&w, p, le);
			if (r == -EINVAL) { /* drop what the bad line added */
				w.arena.len = mark;
				w.n = nmark;
				w.st.bad_lines++;
				r = 0;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (r >= 0 && prof->fam_last_cycle >= 0 && prof->fam_build >= 0)
		r = add_self(&w, cycle_ts_ns);
	if (r >= 0)
		r = emit(&w, fmt, out);
	if (r >= 0 && ret_stats)
		*ret_stats = w.st;
	lp_buf_free(&w.arena);
	free(w.s);
	return r < 0 ? -ENOMEM : 0;
}

/* ---- HTTP header helpers ---- */

/* The q-value of one media range's parameters ("; q=0.5"), 1 if none. */
static double q_of(const char *params, size_t n)
{
	const char *p = params, *end = params + n;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end;

		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (e - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			char num[16];
			size_t k = (size_t)(e - p - 2);

			if (k >= sizeof(num))
				k = sizeof(num) - 1;
			memcpy(num, p + 2, k);
			num[k] = '\0';
			return strtod(num, NULL);
		}
		p = semi ? semi + 1 : end;
	}
	return 1.0;
}

/* For each comma-separated item of a header: its token (before ';',
 * trimmed) and its q-value. */
static void header_items(const char *h, void (*fn)(void *u, const char *tok, size_t n, double q),
			 void *u)
{
	while (h && *h) {
		const char *comma = strchr(h, ',');
		const char *e = comma ? comma : h + strlen(h);
		const char *semi = memchr(h, ';', (size_t)(e - h));
		const char *te = semi ? semi : e;

		while (h < te && (*h == ' ' || *h == '\t'))
			h++;
		while (te > h && (te[-1] == ' ' || te[-1] == '\t'))
			te--;
		fn(u, h, (size_t)(te - h), semi ? q_of(semi + 1, (size_t)(e - semi - 1)) : 1.0);
		h = comma ? comma + 1 : e;
	}
}

struct accept_q {
	double om, text;
};

static bool tok_is(const char *tok, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(tok, want, n);
}

static void accept_item(void *u, const char *tok, size_t n, double q)
{
	struct accept_q *a = u;

	if (tok_is(tok, n, "application/openmetrics-text")) {
		if (q > a->om)
			a->om = q;
	} else if (tok_is(tok, n, "text/plain") || tok_is(tok, n, "text/*") ||
		   tok_is(tok, n, "*/*")) {
		if (q > a->text)
			a->text = q;
	}
}

enum prom_format prom_negotiate(const char *accept)
{
	struct accept_q a = { 0, 0 };

	header_items(accept, accept_item, &a);
	return a.om > 0 && a.om > a.text ? PROM_FMT_OPENMETRICS : PROM_FMT_TEXT;
}

static void gzip_item(void *u, const char *tok, size_t n, double q)
{
	if ((tok_is(tok, n, "gzip") || tok_is(tok, n, "x-gzip") || tok_is(tok, n, "*")) && q > 0)
		*(bool *)u = true;
}

bool prom_accepts_gzip(const char *accept_encoding)
{
	bool yes = false;

	header_items(accept_encoding, gzip_item, &yes);
	return yes;
}

const char *prom_content_type(enum prom_format fmt)
{
	return fmt == PROM_FMT_OPENMETRICS
		       ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		       : "text/plain; version=0.0.4; charset=utf-8";
}

int prom_parse_listen(const char *s, char *ret_host, size_t host_size, uint16_t *ret_port)
{
	const char *colon, *h = s;
	size_t hn;
	char *end;
	unsigned long port;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		h = s + 1;
		hn = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL; /* a bare IPv6 address needs brackets */
		hn = (size_t)(colon - s);
	}
	if (hn == 0 || hn >= host_size)
		return -EINVAL;
	for (size_t i = 0; i < hn; i++)
		if (h[i] <= ' ' || h[i] == 0x7f || h[i] == '/' || h[i] == '[' || h[i] == ']')
			return -EINVAL;
	if (colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port == 0 || port > 65535)
		return -EINVAL;
	memcpy(ret_host, h, hn);
	ret_host[hn] = '\0';
	*ret_port = (uint16_t)port;
	return 0;
}
