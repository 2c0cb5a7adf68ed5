/* top_fmt: the pure parts of `lxcollectd top`: the column table, rates
 * between two samples, sorting, units, the batch format and the parsers
 * of the host's /proc files. No I/O but the FILE a batch frame goes to. */
#include "collector/top.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct top_colinfo cols[TOP_C_MAX] = {
	[TOP_C_NAME] = { "NAME", TOP_K_TEXT, false, 'n', 12 },
	[TOP_C_PROJECT] = { "PROJECT", TOP_K_TEXT, false, 0, 8 },
	[TOP_C_CPU] = { "CPU", TOP_K_PCT, false, 'c', 6 },
	[TOP_C_CPULIM] = { "CPULIM", TOP_K_PCT, false, 'l', 6 },
	[TOP_C_MEM] = { "MEM", TOP_K_BYTES, false, 'm', 6 },
	[TOP_C_MEMLIM] = { "MEMLIM", TOP_K_BYTES, false, 0, 6 },
	[TOP_C_PIDS] = { "PIDS", TOP_K_COUNT, false, 'p', 5 },
	[TOP_C_READ] = { "READ", TOP_K_BRATE, false, 'd', 6 },
	[TOP_C_WRITE] = { "WRITE", TOP_K_BRATE, false, 'w', 6 },
	[TOP_C_RX] = { "RX", TOP_K_BRATE, true, 'r', 6 },
	[TOP_C_TX] = { "TX", TOP_K_BRATE, true, 't', 6 },
	[TOP_C_RXPK] = { "RXPK", TOP_K_PRATE, true, 0, 6 },
	[TOP_C_TXPK] = { "TXPK", TOP_K_PRATE, true, 0, 6 },
	[TOP_C_PSICPU] = { "PSICPU", TOP_K_PCT, false, 0, 6 },
	[TOP_C_PSIMEM] = { "PSIMEM", TOP_K_PCT, false, 0, 6 },
	[TOP_C_PSIIO] = { "PSIIO", TOP_K_PCT, false, 0, 6 },
};

const struct top_colinfo *top_col_info(enum top_col c)
{
	return &cols[c];
}

int top_col_parse(const char *name)
{
	for (int c = 0; c < TOP_C_MAX; c++)
		if (strcasecmp(name, cols[c].name) == 0)
			return c;
	return -EINVAL;
}

/* which rate column each raw counter feeds */
static const enum top_col rate_col[TOP_R_MAX] = {
	[TOP_R_CPU_NS] = TOP_C_CPU, [TOP_R_READ] = TOP_C_READ, [TOP_R_WRITE] = TOP_C_WRITE,
	[TOP_R_RX] = TOP_C_RX,	    [TOP_R_TX] = TOP_C_TX,     [TOP_R_RXPK] = TOP_C_RXPK,
	[TOP_R_TXPK] = TOP_C_TXPK,
};

void top_rates(const struct top_raw *prev, const struct top_raw *cur, double v[TOP_C_MAX])
{
	double dt = prev ? (double)(cur->t_ns - prev->t_ns) / 1e9 : 0;

	for (int f = 0; f < TOP_R_MAX; f++) {
		enum top_col c = rate_col[f];
		bool both = prev && ((prev->present & cur->present) >> f & 1);

		v[c] = NAN;
		if (!both || dt <= 0 || cur->v[f] < prev->v[f])
			continue;
		v[c] = (double)(cur->v[f] - prev->v[f]) / dt;
	}
	/* CPU: nanoseconds per second -> % of one CPU */
	if (!isnan(v[TOP_C_CPU]))
		v[TOP_C_CPU] /= 1e7;
}

static enum top_col sort_col;
static bool sort_reverse;

static int cmp_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int r = 0;

	if (sort_col == TOP_C_NAME) {
		r = cmp_text(a->name, b->name);
	} else if (sort_col == TOP_C_PROJECT) {
		r = cmp_text(a->project, b->project);
	} else {
		double x = a->v[sort_col], y = b->v[sort_col];

		/* unknown last, whichever the direction */
		if (isnan(x) || isnan(y))
			return isnan(x) - isnan(y);
		r = (x < y) - (x > y);
	}
	if (sort_reverse)
		r = -r;
	if (r == 0)
		r = cmp_text(a->name, b->name);
	if (r == 0)
		r = cmp_text(a->project, b->project);
	return r;
}

void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse)
{
	/* qsort has no context argument in C11; top is single-threaded */
	sort_col = col;
	sort_reverse = reverse;
	qsort(rows, n, sizeof(*rows), row_cmp);
}

void top_frame_sums(struct top_frame *f)
{
	for (int c = 0; c < TOP_C_MAX; c++) {
		double s = 0;
		bool any = false;

		for (size_t i = 0; i < f->n; i++)
			if (!isnan(f->rows[i].v[c])) {
				s += f->rows[i].v[c];
				any = true;
			}
		/* no container: zero; containers but no figure: unknown */
		f->sum[c] = any || f->n == 0 ? s : NAN;
	}
}

const char *top_fmt_human(double v, enum top_kind kind, char *buf, size_t size)
{
	static const char units[] = "KMGTP";
	int u = -1;

	if (isnan(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (kind == TOP_K_PCT) {
		snprintf(buf, size, "%.1f", v);
		return buf;
	}
	if (kind == TOP_K_PRATE && v < 10) {
		snprintf(buf, size, "%.1f", v);
		return buf;
	}
	while (v >= 1024 && u < (int)sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%.0f", v);
	else if (v < 10)
		snprintf(buf, size, "%.1f%c", v, units[u]);
	else
		snprintf(buf, size, "%.0f%c", v, units[u]);
	return buf;
}

/* Text for a batch cell: never a space, a control or a lone backslash. */
static const char *cell_text(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (!s || !*s) {
		snprintf(buf, size, "-");
		return buf;
	}
	for (; *s && o + 5 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

const char *top_fmt_cell(const struct top_row *r, enum top_col c, char *buf, size_t size)
{
	double v = r->v[c];

	switch (cols[c].kind) {
	case TOP_K_TEXT:
		return cell_text(c == TOP_C_NAME ? r->name : r->project, buf, size);
	case TOP_K_PCT:
	case TOP_K_PRATE:
		if (isnan(v))
			break;
		snprintf(buf, size, "%.1f", v);
		return buf;
	case TOP_K_BYTES:
	case TOP_K_BRATE:
	case TOP_K_COUNT:
		if (isnan(v))
			break;
		snprintf(buf, size, "%.0f", v);
		return buf;
	}
	snprintf(buf, size, "-");
	return buf;
}

static void put_num(FILE *out, const char *key, double v, const char *fmt)
{
	fputc(' ', out);
	fputs(key, out);
	fputc('=', out);
	if (isnan(v))
		fputc('-', out);
	else
		fprintf(out, fmt, v);
}

int top_write_batch(FILE *out, const struct top_frame *f)
{
	const struct top_host *h = &f->host;
	char buf[512], when[32];
	struct tm tm;
	time_t t = (time_t)f->wall_s;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "time=%s host=%s interval=%.3f containers=%zu cpus=%d", when,
		cell_text(f->hostname, buf, sizeof(buf)), f->interval_s, f->n, h->ncpu);
	put_num(out, "host_cpu", f->host_cpu, "%.1f");
	put_num(out, "host_mem", h->mem_total ? (double)(h->mem_total - h->mem_avail) : NAN, "%.0f");
	put_num(out, "host_mem_total", h->mem_total ? (double)h->mem_total : NAN, "%.0f");
	put_num(out, "load1", h->load1, "%.2f");
	put_num(out, "cpu", f->sum[TOP_C_CPU], "%.1f");
	put_num(out, "mem", f->sum[TOP_C_MEM], "%.0f");
	put_num(out, "read", f->sum[TOP_C_READ], "%.0f");
	put_num(out, "write", f->sum[TOP_C_WRITE], "%.0f");
	if (f->net) {
		put_num(out, "rx", f->sum[TOP_C_RX], "%.0f");
		put_num(out, "tx", f->sum[TOP_C_TX], "%.0f");
	}
	fputc('\n', out);
	for (int c = 0, first = 1; c < TOP_C_MAX; c++) {
		if (cols[c].net && !f->net)
			continue;
		fprintf(out, "%s%s", first ? "" : " ", cols[c].name);
		first = 0;
	}
	fputc('\n', out);
	for (size_t i = 0; i < f->n; i++) {
		for (int c = 0, first = 1; c < TOP_C_MAX; c++) {
			if (cols[c].net && !f->net)
				continue;
			fprintf(out, "%s%s", first ? "" : " ",
				top_fmt_cell(&f->rows[i], (enum top_col)c, buf, sizeof(buf)));
			first = 0;
		}
		fputc('\n', out);
	}
	fputc('\n', out);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

/* ---- /proc parsers ---- */

static int parse_u64(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EOVERFLOW;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*ret = v;
	return 0;
}

int top_parse_stat(const char *buf, size_t len, uint64_t *ret_busy, uint64_t *ret_total,
		   int *ret_ncpu)
{
	const char *end = buf + len, *p = buf, *eol;
	uint64_t f[8] = { 0 }, total = 0;
	int ncpu = 0, r;

	if (len < 4 || memcmp(buf, "cpu ", 4) != 0)
		return -EINVAL;
	p += 4;
	/* user nice system idle iowait irq softirq steal (guest is in user) */
	for (int i = 0; i < 8; i++) {
		r = parse_u64(&p, end, &f[i]);
		if (r == -EINVAL && i >= 4)
			break; /* an old kernel's shorter line */
		if (r < 0)
			return r;
		if (total > UINT64_MAX - f[i])
			return -EOVERFLOW;
		total += f[i];
	}
	for (p = buf; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol - p > 3 && memcmp(p, "cpu", 3) == 0 && p[3] >= '0' && p[3] <= '9')
			ncpu++;
	}
	*ret_busy = total - f[3] - f[4];
	*ret_total = total;
	*ret_ncpu = ncpu;
	return 0;
}

int top_parse_meminfo(const char *buf, size_t len, uint64_t *ret_total, uint64_t *ret_avail)
{
	static const char *const keys[2] = { "MemTotal:", "MemAvailable:" };
	const char *end = buf + len, *p, *eol;
	uint64_t v[2];
	bool have[2] = { false, false };

	for (p = buf; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		for (int k = 0; k < 2; k++) {
			size_t kl = strlen(keys[k]);
			const char *q = p + kl;
			int r;

			if ((size_t)(eol - p) <= kl || memcmp(p, keys[k], kl) != 0)
				continue;
			r = parse_u64(&q, eol, &v[k]);
			if (r < 0)
				return r;
			if (v[k] > UINT64_MAX / 1024)
				return -EOVERFLOW;
			v[k] *= 1024; /* kB */
			have[k] = true;
		}
	}
	if (!have[0] || !have[1])
		return -ENOENT;
	*ret_total = v[0];
	*ret_avail = v[1];
	return 0;
}
