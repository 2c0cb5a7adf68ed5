/* lp: InfluxDB line-protocol encoder. Pure: writes into a growable buffer,
 * does no I/O and never logs.
 *
 * A line is built with lp_begin(), lp_tag()..., lp_field_*()..., lp_end().
 * Any error leaves the buffer as it was before lp_begin() once lp_abort()
 * (or a failing lp_end()) has been called, so a bad point never leaves
 * half a line behind. */
#ifndef LXC_LP_H
#define LXC_LP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lp_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t line_start; /* offset of the line being built */
	unsigned nfields;  /* fields written to the current line */
	bool in_line;
	int error; /* first error of the current line (-errno), 0 if none */
};

void lp_buf_init(struct lp_buf *b);
void lp_buf_reset(struct lp_buf *b); /* keep the allocation, drop contents */
void lp_buf_free(struct lp_buf *b);

/* Append N raw bytes (no escaping; data stays NUL-terminated): for
 * other text formats built in the same buffer. 0 or -ENOMEM. */
int lp_append(struct lp_buf *b, const char *s, size_t n);

/* True when S can be written safely: valid UTF-8, no control characters
 * (C0, DEL, C1), not empty. */
bool lp_name_ok(const char *s);

/* True when S can be a tag value (or key) that InfluxDB 1.x stores
 * exactly: lp_name_ok() and not ending in a backslash. */
bool lp_tag_ok(const char *s);

/* Start a line. Measurement names are escaped (comma, space). A line
 * begun while another is open drops the open one. After any error the
 * line is poisoned: further calls return that error and lp_end() rolls
 * the line back. */
int lp_begin(struct lp_buf *b, const char *measurement);
/* Tag key and value escaped (comma, '=', space; see lp_escape_tag()).
 * An empty (or NULL) value omits the tag (line protocol has no empty tag
 * values). -EINVAL when key or value fails lp_name_ok() or cannot be
 * stored exactly (ends in a backslash), or after a field. Tags must come before
 * fields, in the order the caller wants them stored. */
int lp_tag(struct lp_buf *b, const char *key, const char *value);
/* String field: key="value", '"' and '\\' escaped. */
int lp_field_str(struct lp_buf *b, const char *key, const char *value);
/* Integer field: key=123i */
int lp_field_u64(struct lp_buf *b, const char *key, uint64_t value);
/* Float field; -EDOM for NaN or infinity (line protocol cannot hold them):
 * then nothing is written and the line stays usable without that field. */
int lp_field_f64(struct lp_buf *b, const char *key, double value);
/* Finish with a timestamp in nanoseconds and '\n'. -ENODATA (and the line
 * is rolled back) when it has no field; any earlier error rolls back too. */
int lp_end(struct lp_buf *b, int64_t ts_ns);
/* Drop the line being built. */
void lp_abort(struct lp_buf *b);

/* Escapers, one per position; each appends to b and returns 0, -ENOMEM,
 * or -EINVAL (nothing appended) for a name InfluxDB 1.x cannot store
 * exactly: empty, ending in a backslash, a backslash right before a
 * character that position escapes (measurement, field key), a measurement
 * starting with '#'. Backslashes are written as they are: InfluxDB keeps a
 * backslash that does not precede an escapable character. lp.c has the
 * details. They do not check lp_name_ok(). Exposed for the tests' table. */
int lp_escape_measurement(struct lp_buf *b, const char *s); /* ',' ' ' */
int lp_escape_tag(struct lp_buf *b, const char *s);         /* tag keys and values: ',' '=' ' ' */
int lp_escape_field_key(struct lp_buf *b, const char *s);   /* ',' '=' ' ' '"' */

/* Format a finite double as the line protocol float it is written as
 * (shortest of %.15g..%.17g that reads back exactly, '.' whatever the
 * locale). Returns the length, -EDOM for NaN/infinity, -ENOBUFS. */
int lp_format_f64(double v, char *out, size_t size);

#endif
