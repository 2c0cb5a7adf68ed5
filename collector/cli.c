/* cli: the shared half of the command lines (cli.h). */
#include "collector/cli.h"

#include <stdarg.h>

#include "collector/config.h"

int cli_next(const struct cli *c, int argc, char **argv)
{
	char *argv0 = argv[0];
	int ch;

	/* getopt starts its messages with argv[0]: the command as typed,
	 * not the binary's path (nor "top" alone) */
	argv[0] = (char *)c->prog;
	opterr = 1;
	ch = getopt_long(argc, argv, c->shortopts, c->longopts, NULL);
	argv[0] = argv0;
	if (ch == '?')
		c->usage(stderr);
	return ch;
}

int cli_error(const struct cli *c, int code, bool show_usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (show_usage)
		c->usage(stderr);
	return code;
}

int cli_count(const struct cli *c, const char *opt, const char *value, uint64_t *ret)
{
	if (cfg_parse_count(value, ret) < 0)
		return cli_error(c, CLI_EX_USAGE, false, "%s needs a whole number >= 1, not '%s'",
				 opt, value);
	return 0;
}

int cli_no_operands(const struct cli *c, int argc, char **argv)
{
	if (optind < argc)
		return cli_error(c, CLI_EX_USAGE, true, "unexpected argument '%s'", argv[optind]);
	return 0;
}
