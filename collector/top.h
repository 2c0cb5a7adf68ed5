/* top: `lxcollectd top`, a live view of every container through the
 * daemon's own collector (discovery, cgroup readers, netns helper), with
 * rates computed between two samples. top.c runs it, top_fmt.c holds the
 * pure parts (columns, rates, units, sorting, /proc parsers; unit-tested),
 * top_ui.c the full-screen terminal view (ncurses). */
#ifndef LXC_TOP_H
#define LXC_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The columns, in display order. */
enum top_col {
	TOP_C_NAME,
	TOP_C_PROJECT,
	TOP_C_CPU,    /* % of one CPU */
	TOP_C_CPULIM, /* % of the container's CPU limit */
	TOP_C_MEM,    /* bytes: working set (usage - inactive file), else usage */
	TOP_C_MEMLIM, /* bytes */
	TOP_C_PIDS,
	TOP_C_READ,  /* disk bytes/s */
	TOP_C_WRITE, /* disk bytes/s */
	TOP_C_RX,    /* network bytes/s, all interfaces but the excluded ones */
	TOP_C_TX,
	TOP_C_RXPK, /* packets/s */
	TOP_C_TXPK,
	TOP_C_PSICPU, /* pressure: "some" avg10, % */
	TOP_C_PSIMEM,
	TOP_C_PSIIO,
	TOP_C_MAX,
};

enum top_kind {
	TOP_K_TEXT,
	TOP_K_PCT,   /* a percentage, one decimal */
	TOP_K_BYTES, /* bytes */
	TOP_K_BRATE, /* bytes per second */
	TOP_K_COUNT, /* a whole number */
	TOP_K_PRATE, /* packets per second */
};

struct top_colinfo {
	const char *name; /* header and -s name: no spaces */
	enum top_kind kind;
	bool net;    /* hidden without network figures */
	char key;    /* interactive sort key, 0 for none */
	int width;   /* interactive width (NAME: minimum) */
};
const struct top_colinfo *top_col_info(enum top_col c);
/* Column by name, any case; -EINVAL when there is none. */
int top_col_parse(const char *name);

/* The raw counters of one sample, from which rates are made. */
enum top_raw_field {
	TOP_R_CPU_NS,
	TOP_R_READ,
	TOP_R_WRITE,
	TOP_R_RX,
	TOP_R_TX,
	TOP_R_RXPK,
	TOP_R_TXPK,
	TOP_R_MAX,
};
struct top_raw {
	int64_t t_ns;     /* CLOCK_MONOTONIC when read */
	uint64_t present; /* bit f: v[f] holds a value */
	uint64_t v[TOP_R_MAX];
};

struct top_row {
	char *relpath; /* the collector's key */
	char *name;
	char *project; /* NULL: none */
	struct top_raw raw;
	double v[TOP_C_MAX]; /* NAN: not known (yet); NAME and PROJECT unused */
};

/* Per-second rates of CUR against PREV (NULL: first sight, no rates) into
 * the rate columns of V (NAN where either side lacks the counter, where
 * no time passed, or where a counter went back: a restarted container). */
void top_rates(const struct top_raw *prev, const struct top_raw *cur, double v[TOP_C_MAX]);

/* Sort rows by COL: numbers largest first (unknown last), text A to Z;
 * REVERSE turns it round. Ties by name, then project. */
void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse);

/* The host's own figures. */
struct top_host {
	uint64_t cpu_busy, cpu_total; /* /proc/stat "cpu" line, USER_HZ ticks */
	int ncpu;
	uint64_t mem_total, mem_avail; /* bytes, /proc/meminfo */
	double load1;
};
/* Pure: /proc/stat's first line: busy (all but idle and iowait) and total
 * ticks; ret_ncpu: the number of "cpuN" lines. */
int top_parse_stat(const char *buf, size_t len, uint64_t *ret_busy, uint64_t *ret_total,
		   int *ret_ncpu);
/* Pure: MemTotal and MemAvailable of /proc/meminfo, in bytes. */
int top_parse_meminfo(const char *buf, size_t len, uint64_t *ret_total, uint64_t *ret_avail);

/* One frame: the rows and the header figures. */
struct top_frame {
	struct top_row *rows;
	size_t n;
	double interval_s;  /* since the previous frame */
	double host_cpu;    /* % of one CPU, NAN when unknown */
	struct top_host host;
	double sum[TOP_C_MAX]; /* over the rows, numeric columns */
	bool net;              /* network columns are shown */
	const char *hostname;
	int64_t wall_s;
};
void top_frame_sums(struct top_frame *f);

/* Human units for the screen: 1023 -> "1023", 1536 -> "1.5K", then M, G,
 * T (powers of 1024); "-" for NAN. */
const char *top_fmt_human(double v, enum top_kind kind, char *buf, size_t size);
/* A batch cell: plain numbers (percent and packets/s with one decimal,
 * bytes and bytes/s whole), "-" for unknown, text with spaces, controls
 * and backslashes as \xNN so that a cell never holds a space. */
const char *top_fmt_cell(const struct top_row *r, enum top_col c, char *buf, size_t size);
/* A batch frame: a key=value host line, the column names, one line per
 * row, an empty line. */
int top_write_batch(FILE *out, const struct top_frame *f);

/* ---- the screen (top_ui.c) ---- */
struct top_view {
	enum top_col sort;
	bool reverse;
	const char *note; /* shown on the status line, NULL for none */
};
int top_ui_start(void);
void top_ui_end(void);
void top_ui_draw(const struct top_frame *f, const struct top_view *v, double interval_s);
/* Wait for a key until the CLOCK_MONOTONIC deadline: the key, or -1 at the
 * deadline; TOP_KEY_RESIZE when the terminal changed size. */
#define TOP_KEY_RESIZE (-2)
int top_ui_key(int64_t deadline_ns);
/* Apply key K to the view: 1 when the view changed, 0 not, -1 quit. */
int top_ui_apply(struct top_view *v, int k, bool net);

/* `lxcollectd top ARGS` (ARGV[0] is "top"); returns the exit code. */
int top_main(int argc, char **argv);

#endif
