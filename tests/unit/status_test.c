/* status: the start line and the cycle line, word for word: the tick as
 * a time, singular and plural, the spool only when there is one, how many
 * cgroups include/exclude left out, what the start line names; and when
 * a journal gets a cycle line at info level. */
#include <stdlib.h>

#include "collector/status.h"
#include "tests/testing.h"

#define TICK INT64_C(1796053120000000000) /* 2026-11-30T15:38:40Z */

static void test_cycle(void)
{
	struct cycle_stats st = { .containers = 1, .found = 1, .points = 0, .cycle_us = 1121 };
	struct deliver_stats ds = { 0 };
	char line[512];

	status_cycle_line(line, sizeof(line), TICK, &st, NULL, 0);
	T_EQ_STR(line, "cycle 2026-11-30T15:38:40Z: 1 container, 1 point to standard output, 1121 us",
		 "--stdout: tick as a time, singular, no spool");
	status_cycle_line(line, sizeof(line), TICK, &st, &ds, 0);
	T_EQ_STR(line, "cycle 2026-11-30T15:38:40Z: 1 container, 1 point, 1121 us; spool empty",
		 "to InfluxDB, nothing spooled");
	st = (struct cycle_stats){ .containers = 0, .found = 1000, .left_out = 1000, .points = 0,
				   .cycle_us = 80 };
	ds = (struct deliver_stats){ .spool_bytes = 1, .dropped_points = 7 };
	status_cycle_line(line, sizeof(line), TICK, &st, &ds, 1);
	T_EQ_STR(line,
		 "cycle 2026-11-30T15:38:40Z: 0 containers (1000 of 1000 found left out by "
		 "include/exclude), 1 point, 80 us; 1 byte spooled, 7 points dropped, 1 tick skipped",
		 "include/exclude named, spool, drops and skips");
	st = (struct cycle_stats){ .containers = 2, .found = 3, .points = 16, .cycle_us = 5 };
	ds = (struct deliver_stats){ .spool_bytes = 4096 };
	status_cycle_line(line, sizeof(line), TICK, &st, &ds, 3);
	T_EQ_STR(line,
		 "cycle 2026-11-30T15:38:40Z: 2 containers, 17 points, 5 us; 4096 bytes spooled, "
		 "3 ticks skipped",
		 "plural; a cgroup lost for another reason is not blamed on include/exclude");
	status_cycle_line(line, 20, TICK, &st, &ds, 3);
	T_EQ_STR(line, "cycle 2026-11-30T15", "a short buffer truncates, terminated");
}

#define STARTED "lxcollectd " LXCOLLECTD_VERSION " started: "
#define DEFAULTS STARTED "built-in defaults (no /etc/lxcollectd/lxcollectd.ini), every 10 s, "

static void start_is(const struct config *c, bool to_stdout, const char *want, const char *what)
{
	char line[1024];

	status_start_line(line, sizeof(line), c, to_stdout);
	T_EQ_STR(line, want, what);
}

static void test_start(void)
{
	struct config c = {
		.path = (char *)"/etc/lxcollectd/lxcollectd.ini",
		.interval_ms = 10000,
		.url = (char *)"http://admin:PASSWORD@db:8086",
		.api = CFG_API_V1,
		.database = (char *)"lxd",
	};

	start_is(&c, false,
		 STARTED "configuration /etc/lxcollectd/lxcollectd.ini, every 10 s, to "
			 "http://admin:***@db:8086 (InfluxDB API v1, database lxd)",
		 "v1: file, URL without its password, database");
	c.path = NULL;
	c.retention_policy = (char *)"week";
	c.username = (char *)"admin";
	start_is(&c, false,
		 DEFAULTS "to http://admin:***@db:8086 (InfluxDB API v1, database lxd, retention "
			  "policy week, user admin)",
		 "v1: built-in defaults, retention policy, user");
	c.api = CFG_API_V2;
	c.url = (char *)"https://cloud:8086/";
	c.org = (char *)"acme";
	c.bucket = (char *)"lxd";
	c.token = (char *)"t0ken";
	start_is(&c, false,
		 DEFAULTS "to https://cloud:8086/ (InfluxDB API v2, org acme, bucket lxd, with a token)",
		 "v2: org, bucket, token present (not shown)");
	start_is(&c, true, DEFAULTS "to standard output", "--stdout");
}

static void test_journal(void)
{
	int64_t last = 0, s = 1000000000;
	int info = 0;

	/* 10 s cycles for an hour: the first, then one each 5 minutes */
	for (int64_t t = TICK; t < TICK + 3600 * s; t += 10 * s)
		info += status_journal_due(&last, t);
	T_EQ_INT(info, 12, "an hour of 10 s cycles: 12 info lines in the journal");
	last = 0;
	T_OK(status_journal_due(&last, TICK), "the first cycle is logged");
	T_OK(!status_journal_due(&last, TICK + 299 * s), "not again within 5 minutes");
	T_OK(status_journal_due(&last, TICK + 300 * s), "again after 5 minutes");
	T_OK(status_journal_due(&last, TICK + 3600 * s), "an interval of an hour: every cycle");
}

int main(void)
{
	test_cycle();
	test_start();
	test_journal();
	return t_done();
}
