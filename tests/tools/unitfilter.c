/* unitfilter ALLOW DENY CMD [ARG...]: run CMD under a seccomp filter
 * shaped like a systemd unit's SystemCallFilter= with
 * SystemCallErrorNumber=EPERM: the system calls named in file ALLOW (one
 * a line) are allowed except those named in file DENY; every other call
 * fails with EPERM. Names this libseccomp does not know are skipped, as
 * systemd does. For tests/integration/unit_filter.sh. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int load_names(const char *path, scmp_filter_ctx ctx, uint32_t action)
{
	char line[128];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int nr;

		line[strcspn(line, "\n")] = '\0';
		nr = seccomp_syscall_resolve_name(line);
		if (!line[0] || nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		if (seccomp_rule_add(ctx, action, nr, 0) == 0)
			n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int n;

	if (argc < 4) {
		fprintf(stderr, "usage: unitfilter ALLOW DENY CMD [ARG...]\n");
		return 64;
	}
	/* the deny list wins: add its names with EPERM first; a name's
	 * second rule with another action is refused by libseccomp */
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx || load_names(argv[2], ctx, SCMP_ACT_ERRNO(EPERM)) < 0)
		return 1;
	n = load_names(argv[1], ctx, SCMP_ACT_ALLOW);
	if (n <= 0) {
		fprintf(stderr, "unitfilter: no system call allowed from %s\n", argv[1]);
		return 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0) {
		perror("unitfilter: seccomp");
		return 1;
	}
	seccomp_release(ctx);
	execv(argv[3], argv + 3);
	perror("unitfilter: execv");
	return 127;
}
