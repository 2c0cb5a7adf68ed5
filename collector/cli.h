/* cli: what the command lines of lxcollectd and lxcollectd top share: the
 * exit codes, and the words and exit code of a usage error, so that both
 * commands report one alike. */
#ifndef LXC_CLI_H
#define LXC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* sysexits.h's numbers: the unit's RestartPreventExitStatus= names 78 */
enum cli_exit {
	CLI_EX_OK = 0,
	CLI_EX_FAIL = 1,
	CLI_EX_USAGE = 64,	 /* the command line is wrong */
	CLI_EX_UNAVAILABLE = 69, /* no server answered */
	CLI_EX_CONFIG = 78,	 /* the configuration is wrong */
};

struct cli {
	const char *prog; /* "lxcollectd", "lxcollectd top": starts every message */
	void (*usage)(FILE *f);
	const char *shortopts;	       /* as getopt_long()'s */
	const struct option *longopts; /* terminated by a zeroed entry */
};

/* getopt_long() over ARGV with the command's own name in getopt's
 * messages ("lxcollectd top: invalid option -- 'x'", "lxcollectd:
 * unrecognized option '--x'", "...: option '--count' requires an
 * argument"), and the usage text on standard error after one. Returns
 * the option, -1 after the last, or '?' after such an error (the caller
 * exits CLI_EX_USAGE). */
int cli_next(const struct cli *c, int argc, char **argv);

/* "PROG: " and the message on standard error, the usage text after it
 * when SHOW_USAGE. Returns CODE. */
int cli_error(const struct cli *c, int code, bool show_usage, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* OPT's VALUE as a count (a whole number >= 1, cfg_parse_count()), or
 * "PROG: OPT needs a whole number >= 1, not 'VALUE'". 0, or CLI_EX_USAGE. */
int cli_count(const struct cli *c, const char *opt, const char *value, uint64_t *ret);

/* After the options: an operand left is "PROG: unexpected argument 'X'"
 * and the usage text. 0, or CLI_EX_USAGE. */
int cli_no_operands(const struct cli *c, int argc, char **argv);

#endif
