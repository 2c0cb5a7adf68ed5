/* log: see log.h. */
#include "collector/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_INFO;
static bool log_journal;
static void (*log_sink)(int prio, const char *msg);

/* Secrets never written: replaced by "***" wherever they appear. Set
 * from the main thread, read by every thread that logs. */
#define LOG_SECRETS_MAX 16
static pthread_mutex_t log_secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_secrets[LOG_SECRETS_MAX];

bool log_journal_stream(const char *env, int fd)
{
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end])
		return false;
	return fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void log_init(int max_level)
{
	log_level = max_level;
	/* systemd sets JOURNAL_STREAM to the device and inode of the stream
	 * it connected standard error to; a child whose stderr went
	 * elsewhere (2>file) inherits the variable but not the stream */
	log_journal = log_journal_stream(getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

bool log_to_journal(void)
{
	return log_journal;
}

int log_add_secret(const char *secret)
{
	char *dup;

	if (!secret || strlen(secret) < LOG_SECRET_MIN)
		return 0;
	pthread_mutex_lock(&log_secrets_lock);
	for (size_t i = 0; i < LOG_SECRETS_MAX && log_secrets[i]; i++)
		if (!strcmp(log_secrets[i], secret)) {
			pthread_mutex_unlock(&log_secrets_lock);
			return 0;
		}
	dup = strdup(secret);
	if (dup) {
		/* full: the oldest (of an earlier configuration) goes */
		if (log_secrets[LOG_SECRETS_MAX - 1]) {
			explicit_bzero(log_secrets[0], strlen(log_secrets[0]));
			free(log_secrets[0]);
			memmove(log_secrets, log_secrets + 1, (LOG_SECRETS_MAX - 1) * sizeof(char *));
			log_secrets[LOG_SECRETS_MAX - 1] = NULL;
		}
		for (size_t i = 0; i < LOG_SECRETS_MAX; i++)
			if (!log_secrets[i]) {
				log_secrets[i] = dup;
				break;
			}
	}
	pthread_mutex_unlock(&log_secrets_lock);
	return dup ? 0 : -ENOMEM;
}

void log_scrub(char *msg)
{
	pthread_mutex_lock(&log_secrets_lock);
	for (size_t i = 0; i < LOG_SECRETS_MAX && log_secrets[i]; i++) {
		size_t n = strlen(log_secrets[i]);
		char *p = msg;

		while ((p = strstr(p, log_secrets[i]))) {
			/* "***" is never longer than a secret (>= LOG_SECRET_MIN) */
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
			p += 3;
		}
	}
	pthread_mutex_unlock(&log_secrets_lock);
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
	log_scrub(msg);
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
