/* top_ui: the full-screen view of `lxcollectd top`, with ncurses (it
 * knows the terminal's codes for keys and resizes; KEY_RESIZE arrives
 * through getch() from its own SIGWINCH handler). Every line is built as
 * text and clipped to the screen's width. */
#include "collector/top.h"
#include "util/util.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

static SCREEN *scr;

int top_ui_start(void)
{
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return -ENOTTY;
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	return 0;
}

void top_ui_end(void)
{
	if (!scr)
		return;
	endwin();
	delscreen(scr);
	scr = NULL;
}

static bool col_shown(const struct top_frame *f, bool net, enum top_col c)
{
	if (top_col_info(c)->net && !net)
		return false;
	if (c == TOP_C_PROJECT && f) {
		for (size_t i = 0; i < f->n; i++)
			if (f->rows[i].project)
				return true;
		return false;
	}
	return true;
}

/* printable text for the screen: anything else becomes '?' */
static void screen_text(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 1 < size; s++)
		buf[o++] = (*s >= ' ' && *s < 0x7f) ? *s : '?';
	buf[o] = '\0';
}

static int name_width(const struct top_frame *f)
{
	int w = top_col_info(TOP_C_NAME)->width;

	for (size_t i = 0; f && i < f->n; i++) {
		int l = f->rows[i].name ? (int)strlen(f->rows[i].name) : 0;

		if (l > w)
			w = l;
	}
	return w > 32 ? 32 : w;
}

static int col_width(enum top_col c, int namew)
{
	const struct top_colinfo *ci = top_col_info(c);
	int w = c == TOP_C_NAME ? namew : ci->width;

	return (int)strlen(ci->name) > w ? (int)strlen(ci->name) : w;
}

/* Append one cell (text left-aligned, numbers right-aligned) to LINE. */
static void put_cell(char *line, size_t size, enum top_col c, const char *text, int w)
{
	size_t o = strlen(line);

	if (o >= size - 1)
		return;
	if (top_col_info(c)->kind == TOP_K_TEXT)
		snprintf(line + o, size - o, "%s%-*.*s", o ? " " : "", w, w, text);
	else
		snprintf(line + o, size - o, "%s%*s", o ? " " : "", w, text);
}

static void header_lines(const struct top_frame *f, double interval_s)
{
	char a[32], b[32], c[32], d[32], e[32], now[16];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(now, sizeof(now), "%H:%M:%S", &tm);
	mvprintw(0, 0, "lxcollectd top - %s  every %.3gs", now, interval_s);
	if (!f) {
		mvprintw(2, 0, "collecting: the first frame comes after one interval");
		return;
	}
	printw("  host %.40s  %d CPUs  load %.2f", f->hostname, f->host.ncpu, f->host.load1);
	mvprintw(1, 0, "Host:       CPU %s%%  mem %s of %s",
		 top_fmt_human(f->host_cpu, TOP_K_PCT, a, sizeof(a)),
		 top_fmt_human(f->host.mem_total ? (double)(f->host.mem_total - f->host.mem_avail) : NAN,
			       TOP_K_BYTES, b, sizeof(b)),
		 top_fmt_human(f->host.mem_total ? (double)f->host.mem_total : NAN, TOP_K_BYTES, c,
			       sizeof(c)));
	mvprintw(2, 0, "Containers: %zu  CPU %s%%  mem %s  disk read %s/s write %s/s", f->n,
		 top_fmt_human(f->sum[TOP_C_CPU], TOP_K_PCT, a, sizeof(a)),
		 top_fmt_human(f->sum[TOP_C_MEM], TOP_K_BYTES, b, sizeof(b)),
		 top_fmt_human(f->sum[TOP_C_READ], TOP_K_BRATE, c, sizeof(c)),
		 top_fmt_human(f->sum[TOP_C_WRITE], TOP_K_BRATE, d, sizeof(d)));
	if (f->net)
		printw("  RX %s/s TX %s/s", top_fmt_human(f->sum[TOP_C_RX], TOP_K_BRATE, a, sizeof(a)),
		       top_fmt_human(f->sum[TOP_C_TX], TOP_K_BRATE, e, sizeof(e)));
}

void top_ui_draw(const struct top_frame *f, const struct top_view *v, double interval_s)
{
	bool net = !f || f->net;
	int namew = name_width(f), y = 5, x = 0;
	char line[1024] = "", cell[128], text[64];

	erase();
	header_lines(f, interval_s);
	if (v->note) {
		attron(A_BOLD);
		mvaddnstr(3, 0, v->note, COLS);
		attroff(A_BOLD);
	}
	/* the column names, the sort column marked */
	attron(A_REVERSE);
	mvhline(4, 0, ' ', COLS);
	for (int c = 0; c < TOP_C_MAX; c++) {
		int w;

		if (!col_shown(f, net, (enum top_col)c))
			continue;
		w = col_width((enum top_col)c, namew);
		if (x + w > COLS)
			break;
		if (c == (int)v->sort)
			attron(A_BOLD | A_UNDERLINE);
		if (top_col_info((enum top_col)c)->kind == TOP_K_TEXT)
			mvprintw(4, x, "%-*s", w, top_col_info((enum top_col)c)->name);
		else
			mvprintw(4, x, "%*s", w, top_col_info((enum top_col)c)->name);
		if (c == (int)v->sort)
			attroff(A_BOLD | A_UNDERLINE);
		x += w + 1;
	}
	attroff(A_REVERSE);

	for (size_t i = 0; f && i < f->n && y < LINES - 1; i++, y++) {
		const struct top_row *r = &f->rows[i];

		line[0] = '\0';
		for (int c = 0; c < TOP_C_MAX; c++) {
			const struct top_colinfo *ci = top_col_info((enum top_col)c);

			if (!col_shown(f, net, (enum top_col)c))
				continue;
			if (c == TOP_C_NAME || c == TOP_C_PROJECT)
				screen_text(c == TOP_C_NAME ? r->name : (r->project ? r->project : "-"),
					    text, sizeof(text));
			else
				top_fmt_human(r->v[c], ci->kind, text, sizeof(text));
			put_cell(line, sizeof(line), (enum top_col)c, text,
				 col_width((enum top_col)c, namew));
		}
		mvaddnstr(y, 0, line, COLS);
	}
	snprintf(cell, sizeof(cell), "sorted by %s (%s)  q quit  < > sort  I invert  c m n p d w r t",
		 top_col_info(v->sort)->name,
		 (top_col_info(v->sort)->kind == TOP_K_TEXT) != v->reverse ? "A-Z" : "largest first");
	mvaddnstr(LINES - 1, 0, cell, COLS);
	refresh();
}

int top_ui_key(int64_t deadline_ns)
{
	int64_t ms;
	int k;

	ms = (deadline_ns - clock_ns(CLOCK_MONOTONIC) + 999999) / 1000000;
	if (ms <= 0)
		return -1;
	timeout(ms > 1000 ? 1000 : (int)ms);
	k = getch();
	if (k == ERR)
		return -1;
	if (k == KEY_RESIZE)
		return TOP_KEY_RESIZE;
	return k;
}

static enum top_col step(enum top_col c, int dir, bool net)
{
	int n = (int)c;

	do
		n = (n + dir + TOP_C_MAX) % TOP_C_MAX;
	while (!col_shown(NULL, net, (enum top_col)n));
	return (enum top_col)n;
}

int top_ui_apply(struct top_view *v, int k, bool net)
{
	switch (k) {
	case 'q':
	case 'Q':
		return -1;
	case '<':
	case KEY_LEFT:
		v->sort = step(v->sort, -1, net);
		return 1;
	case '>':
	case KEY_RIGHT:
		v->sort = step(v->sort, 1, net);
		return 1;
	case 'I':
		v->reverse = !v->reverse;
		return 1;
	}
	for (int c = 0; c < TOP_C_MAX; c++) {
		const struct top_colinfo *ci = top_col_info((enum top_col)c);

		if (ci->key && ci->key == k && (!ci->net || net)) {
			v->sort = (enum top_col)c;
			v->reverse = false;
			return 1;
		}
	}
	return 0;
}
