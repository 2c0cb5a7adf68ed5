/* log: the daemon's messages, on stderr. Under systemd (JOURNAL_STREAM
 * naming standard error's device and inode) each line starts with a "<N>" syslog priority prefix, which journald
 * turns into the message's priority; otherwise a local timestamp and the
 * level name lead. Only collector/ logs; libraries return errors. */
#ifndef LXC_LOG_H
#define LXC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

void log_init(int max_level); /* LOG_ERR .. LOG_DEBUG */
/* Is fd the stream JOURNAL_STREAM ("DEV:INODE", as systemd sets it) names? */
bool log_journal_stream(const char *env, int fd);
/* Standard error goes to the journal (decided by log_init()). */
bool log_to_journal(void);
/* Never write SECRET: every later message shows it as "***". Secrets
 * shorter than LOG_SECRET_MIN bytes are not registered (masking every
 * "ab" in every line would garble the log). 0 or -ENOMEM. */
#define LOG_SECRET_MIN 4
int log_add_secret(const char *secret);
/* Replace every registered secret in the string MSG (in place). */
void log_scrub(char *msg);
void log_set_level(int max_level);
int log_get_level(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                          \
	do {                                                    \
		if (log_get_level() >= LOG_DEBUG)               \
			log_msg(LOG_DEBUG, __VA_ARGS__);        \
	} while (0)

/* Hand every message to SINK instead of writing it to stderr (NULL:
 * stderr again): a full-screen program keeps them off its screen. */
void log_set_sink(void (*sink)(int prio, const char *msg));

/* Copy NAME into BUF with anything unprintable shown as \xNN, so a
 * hostile name can be named in a log line without corrupting it. */
const char *log_escape(const char *name, char *buf, size_t size);

#endif
