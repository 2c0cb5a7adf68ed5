/* log: no registered secret ever reaches a line, whatever message holds
 * it; JOURNAL_STREAM counts only when it names standard error itself. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/log.h"
#include "tests/testing.h"

static void test_scrub(void)
{
	char msg[256];

	T_EQ_INT(log_add_secret("PASSWORD"), 0, "register a secret");
	T_EQ_INT(log_add_secret("t0k3n-value"), 0, "register another");
	T_EQ_INT(log_add_secret("abc"), 0, "a 3-byte secret is not registered");
	T_EQ_INT(log_add_secret(NULL), 0, "NULL: nothing");
	snprintf(msg, sizeof(msg), "InfluxDB said: bad auth PASSWORD for http://a:PASSWORD@h, t0k3n-value!");
	log_scrub(msg);
	T_EQ_STR(msg, "InfluxDB said: bad auth *** for http://a:***@h, ***!", "every occurrence masked");
	snprintf(msg, sizeof(msg), "abc and PASSWORDPASSWORD");
	log_scrub(msg);
	T_EQ_STR(msg, "abc and ******", "adjacent occurrences; short strings left");
	for (int i = 0; i < 20; i++) {
		char s[32];

		snprintf(s, sizeof(s), "reload-secret-%02d", i);
		log_add_secret(s);
	}
	snprintf(msg, sizeof(msg), "reload-secret-19 reload-secret-04");
	log_scrub(msg);
	T_EQ_STR(msg, "*** ***", "the latest 16 secrets are kept");
}

static void test_journal(void)
{
	char tmpl[] = "/tmp/lxcollectd-log-test.XXXXXX", env[64];
	struct stat st;
	int fd = mkstemp(tmpl);

	T_OK(fd >= 0 && fstat(fd, &st) == 0, "a file to stand for the journal's stream");
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	T_OK(log_journal_stream(env, fd), "JOURNAL_STREAM naming fd: the journal");
	T_OK(!log_journal_stream(env, STDIN_FILENO) || fstat(STDIN_FILENO, &st) < 0,
	     "another fd (stderr sent elsewhere): not the journal");
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	T_OK(!log_journal_stream(env, fd), "another inode: not the journal");
	T_OK(!log_journal_stream("", fd) && !log_journal_stream(NULL, fd) &&
		     !log_journal_stream("8:1x", fd) && !log_journal_stream("1", fd),
	     "unset or malformed: not the journal");
	close(fd);
	unlink(tmpl);
}

int main(void)
{
	test_scrub();
	test_journal();
	return t_done();
}
