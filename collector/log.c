/* log: see log.h. */
#include "collector/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int log_level = LOG_INFO;
static bool log_journal;
static void (*log_sink)(int prio, const char *msg);

void log_init(int max_level)
{
	log_level = max_level;
	/* systemd sets JOURNAL_STREAM when stderr is connected to journald */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_set_level(int max_level)
{
	log_level = max_level;
}

int log_get_level(void)
{
	return log_level;
}

static const char *level_name(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (prio > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one message, one line: never let a name split it */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	if (log_sink) {
		log_sink(prio, msg);
	} else if (log_journal) {
		fprintf(stderr, "<%d>%s\n", prio, msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld lxcollectd %s: %s\n", when, ts.tv_nsec / 1000000,
			level_name(prio), msg);
	}
}

void log_set_sink(void (*sink)(int prio, const char *msg))
{
	log_sink = sink;
}

const char *log_escape(const char *name, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return "";
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 5 < size; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return buf;
}
