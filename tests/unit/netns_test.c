/* netns_test: the helper, the link dump and priv_drop() against real
 * namespaces. Needs root: makes a "container" (a process that is PID 1 of
 * its own pid namespace, in a fresh network namespace) and a veth pair with
 * one end inside it. No addresses are assigned anywhere: the traffic is a
 * known number of raw Ethernet frames of known size (AF_PACKET, an
 * experimental ethertype) sent between the two ends, so the counters can be
 * asserted exactly. IPv6 is disabled on both ends so nothing else moves
 * them. Everything is torn down at exit; the container dies with us
 * (PR_SET_PDEATHSIG) and takes the veth pair with its namespace. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collector/priv.h"
#include "cgroupfs/cgroupfs.h"
#include "netns/netns.h"
#include "tests/testing.h"

#define ETH_P_TEST 0x88B5 /* IEEE 802 local experimental ethertype */
#define HELPER_CAPS ((1ull << CAP_SYS_ADMIN) | (1ull << CAP_SYS_PTRACE) | (1ull << CAP_DAC_READ_SEARCH))

enum { CMD_UP = 1, CMD_SEND = 2 };
struct cmd {
	int op, count, len;
};

static pid_t ct_outer = -1, ct_init = -1;
static int cmd_w = -1, ack_r = -1;
static char host_if[IFNAMSIZ];

static void cleanup(void)
{
	char c[64];

	if (ct_init > 0)
		kill(ct_init, SIGKILL);
	if (ct_outer > 0) {
		kill(ct_outer, SIGKILL);
		waitpid(ct_outer, NULL, 0);
		ct_outer = -1;
	}
	if (host_if[0]) {
		snprintf(c, sizeof(c), "ip link del %s 2>/dev/null", host_if);
		if (system(c)) {
			/* gone with the namespace already */
		}
	}
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* COUNT broadcast frames of exactly LEN bytes (header included; veth counts
 * skb->len, no FCS, no padding) out of interface IFNAME. */
static int send_frames(const char *ifname, int count, int len)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	unsigned char frame[1500];
	int fd, i, r = 0;

	if (len < ETH_HLEN || len > (int)sizeof(frame))
		return -EINVAL;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex <= 0)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: receive nothing */
	if (fd < 0)
		return -errno;
	memset(frame, 0xff, ETH_ALEN); /* broadcast */
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	memset(frame + ETH_ALEN, 0x02, ETH_ALEN);
	frame[12] = ETH_P_TEST >> 8;
	frame[13] = ETH_P_TEST & 0xff;
	memset(frame + ETH_HLEN, 0xa5, (size_t)len - ETH_HLEN);
	for (i = 0; i < count && r == 0; i++)
		if (sendto(fd, frame, (size_t)len, 0, (struct sockaddr *)&sll, sizeof(sll)) != len)
			r = -errno;
	close(fd);
	return r;
}

static int link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (r == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* The container's PID 1: already in its own netns, it runs commands sent
 * by the test (it never needs setns: it lives there). */
/* Until the kernel's link watch has seen the carrier (operstate "up"),
 * a device's queue is the noop qdisc, which drops what is sent: wait for
 * it (up to 3 s), then a little more for the queue to be set up. */
static void wait_running(const char *ifname)
{
	char path[128], state[16] = "";

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", ifname);
	for (int i = 0; i < 300; i++) {
		if (read_str(path, state, sizeof(state)) == 0 && strncmp(state, "up", 2) == 0)
			break;
		usleep(10000);
	}
	usleep(20000);
}

static _Noreturn void ct_init_main(int cmd_r, int ack_w)
{
	struct cmd c;
	char p[128];
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* links that arrive later inherit "default" */
	write_str("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_str("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	while (read(cmd_r, &c, sizeof(c)) == (ssize_t)sizeof(c)) {
		if (c.op == CMD_UP) {
			snprintf(p, sizeof(p), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", "eth0");
			write_str(p, "1");
			r = link_up("eth0");
		} else if (c.op == CMD_SEND)
			r = send_frames("eth0", c.count, c.len);
		else
			r = -EINVAL;
		if (write(ack_w, &r, sizeof(r)) != sizeof(r))
			break;
	}
	_exit(0);
}

static int ct_start(void)
{
	int cmd[2], ack[2], pidp[2];
	pid_t pid;

	if (pipe2(cmd, O_CLOEXEC) < 0 || pipe2(ack, O_CLOEXEC) < 0 || pipe2(pidp, O_CLOEXEC) < 0)
		return -errno;
	ct_outer = fork();
	if (ct_outer < 0)
		return -errno;
	if (ct_outer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET | CLONE_NEWPID) < 0)
			_exit(1);
		pid = fork(); /* PID 1 of the new pid namespace */
		if (pid == 0)
			ct_init_main(cmd[0], ack[1]);
		if (write(pidp[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(cmd[0]);
	close(ack[1]);
	close(pidp[1]);
	cmd_w = cmd[1];
	ack_r = ack[0];
	if (read(pidp[0], &pid, sizeof(pid)) != sizeof(pid) || pid <= 0) {
		close(pidp[0]);
		return -ECHILD;
	}
	close(pidp[0]);
	ct_init = pid;
	return 0;
}

static int ct_cmd(int op, int count, int len)
{
	struct cmd c = { op, count, len };
	int r;

	if (write(cmd_w, &c, sizeof(c)) != sizeof(c) || read(ack_r, &r, sizeof(r)) != sizeof(r))
		return -EPIPE;
	return r;
}

static uint64_t starttime_of(pid_t pid)
{
	uint64_t st = 0;

	return cg_read_starttime("/proc", pid, &st) < 0 ? 0 : st;
}

/* "CapEff:\t000..." etc. from /proc/PID/status; ~0 when missing */
static uint64_t status_hex(pid_t pid, const char *key)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_str(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, key)))
		return ~0ull;
	return strtoull(p + strlen(key), NULL, 16);
}

static long status_dec(pid_t pid, const char *key)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_str(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, key)))
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

static long nspid_last(pid_t pid)
{
	char path[64], buf[4096], *p, *e;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_str(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "NSpid:")))
		return -1;
	e = strchr(p, '\n');
	if (e)
		*e = '\0';
	p = strrchr(p, '\t');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

static const struct netns_link *find(const struct netns_link *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return &l[i];
	return NULL;
}

/* one dump of the named link from a socket, by value */
static int snap(struct netns_sock *s, const char *name, struct netns_link *ret)
{
	const struct netns_link *l, *x;
	size_t n;
	int r, tries = 0;

	do
		r = netns_sock_links(s, &l, &n);
	while (r == -EAGAIN && ++tries < 5);
	if (r < 0)
		return r;
	x = find(l, n, name);
	if (!x)
		return -ENODEV;
	*ret = *x;
	return 0;
}

struct child_report {
	uint64_t eff, prm, bnd, inh, amb;
	long nnp, uid, gid;
	int drop, open, dump, eth0;
};

/* Forked "collector": drops privileges, then must still be served. */
static void child_priv(struct netns_helper *h, const char *user, struct child_report *rep)
{
	int p[2];
	pid_t pid;

	memset(rep, 0xff, sizeof(*rep));
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct child_report c;
		struct netns_sock *s = NULL;
		const struct netns_link *l;
		size_t n = 0;
		int fd = -1;

		memset(&c, 0, sizeof(c));
		c.drop = priv_drop(user);
		c.eff = status_hex(getpid(), "CapEff:");
		c.prm = status_hex(getpid(), "CapPrm:");
		c.bnd = status_hex(getpid(), "CapBnd:");
		c.inh = status_hex(getpid(), "CapInh:");
		c.amb = status_hex(getpid(), "CapAmb:");
		c.nnp = status_dec(getpid(), "NoNewPrivs:");
		c.uid = status_dec(getpid(), "Uid:");
		c.gid = status_dec(getpid(), "Gid:");
		c.open = netns_helper_open(h, ct_init, starttime_of(ct_init), &fd, NULL);
		c.dump = c.open < 0 ? c.open : netns_sock_adopt(fd, &s);
		if (c.dump == 0)
			c.dump = netns_sock_links(s, &l, &n);
		c.eth0 = c.dump == 0 && find(l, n, "eth0") != NULL;
		netns_sock_free(s);
		if (write(p[1], &c, sizeof(c)) != sizeof(c))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0) {
		if (read(p[0], rep, sizeof(*rep)) != sizeof(*rep))
			memset(rep, 0xff, sizeof(*rep));
		waitpid(pid, NULL, 0);
	}
	close(p[0]);
}

static int count_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	/* below 64: valgrind parks its own fds at the top of the range */
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 64)
			n++;
	closedir(d);
	return n;
}

/* The counters come without names (RTM_GETSTATS); the table must follow
 * links made, renamed and removed inside the namespace: notifications on
 * the socket, or an ifindex the counters name, say it changed. */
static void test_table_follows(struct netns_sock *s)
{
	const struct netns_link *l;
	size_t n;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n ip link add zdum0 type veth peer name zdum0p",
		 (int)ct_init);
	T_EQ_INT(system(cmd), 0, "a veth pair made inside");
	T_OK(netns_sock_links(s, &l, &n) == 0 && n == 4 && find(l, n, "zdum0") &&
		     find(l, n, "zdum0p"),
	     "the table has both ends");
	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n ip link set zdum0 name zdum1", (int)ct_init);
	T_EQ_INT(system(cmd), 0, "renamed inside");
	T_OK(netns_sock_links(s, &l, &n) == 0 && n == 4 && find(l, n, "zdum1") &&
		     !find(l, n, "zdum0"),
	     "the table has the new name, not the old");
	T_OK(netns_sock_links(s, &l, &n) == 0 && n == 4 && find(l, n, "zdum1"),
	     "and keeps it (counters only)");
	snprintf(cmd, sizeof(cmd), "nsenter -t %d -n ip link del zdum1", (int)ct_init);
	T_EQ_INT(system(cmd), 0, "removed inside (both ends)");
	T_OK(netns_sock_links(s, &l, &n) == 0 && n == 2 && !find(l, n, "zdum1") &&
		     find(l, n, "eth0"),
	     "the table is lo and eth0 again");
}

static void test_malformed(struct netns_helper *h, uint64_t st)
{
	unsigned char req[NETNS_REQ_SIZE], big[4096];
	pid_t hp = netns_helper_pid(h);
	int fd, r;

	T_EQ_INT(netns_helper_raw_request(h, "abc", 3, -1), -EINVAL, "short request refused");
	T_EQ_INT(netns_helper_raw_request(h, "", 0, -1), -EINVAL, "empty request refused");
	memset(big, 0x41, sizeof(big));
	T_EQ_INT(netns_helper_raw_request(h, big, sizeof(big), -1), -EINVAL,
		 "oversized request refused");
	T_EQ_INT(netns_helper_raw_request(h, big, NETNS_REQ_SIZE, -1), -EINVAL,
		 "garbage of the right size refused");
	netns_helper_raw_open_request(ct_init, st, big);
	T_EQ_INT(netns_helper_raw_request(h, big, NETNS_REQ_SIZE + 1, -1), -EINVAL,
		 "well-formed request plus one byte refused");
	netns_helper_raw_open_request(0, st, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL, "pid 0 refused");
	netns_helper_raw_open_request(-7, st, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL, "pid -7 refused");
	netns_helper_raw_open_request(ct_init, st, req);
	req[12] = 1; /* the reserved word */
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL,
		 "non-zero reserved field refused");
	netns_helper_raw_open_request(ct_init, st, req);
	req[14] = 0x77; /* the message type: none the helper knows */
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL,
		 "unknown message type refused");
	netns_helper_raw_open_request(ct_init, st, req);
	req[14] = 1; /* NETNS_MSG_READY goes only from the helper to the client */
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL,
		 "a reply type sent as a request refused");
	netns_helper_raw_open_request(ct_init, st, req);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), fd), -EINVAL,
		 "request carrying an fd refused");
	close(fd);
	T_EQ_INT(count_fds(hp), 5, "helper holds 5 fds (null, null, stderr, socket, own netns)");
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), 0, "raw well-formed request served");
	netns_helper_raw_open_proc_request(ct_init, st, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), 0,
		 "served through /proc/PID/ns/net (kernels before 6.11) under the filter");
	netns_helper_raw_open_proc_request(ct_init, st + 1, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -ESRCH,
		 "the /proc path checks the start time too");
	T_EQ_INT(netns_helper_open(h, 0, st, &fd, NULL), -EINVAL, "client refuses pid 0");
	r = netns_helper_open(h, ct_init, st, &fd, NULL);
	T_EQ_INT(r, 0, "helper still serves after malformed requests");
	if (r == 0)
		close(fd);
	T_OK(kill(hp, 0) == 0, "helper alive");
}

/* The helper is this program executed again: same file, helper mode, an
 * empty environment, and a seccomp filter of its own (mode 2). */
/* mkdir/creat under the test's directory: T_OK on each */
static void mk(const char *root, const char *rel, mode_t mode, char kind)
{
	char p[PATH_MAX];
	int fd, r = -1;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (kind == 'd')
		r = mkdir(p, mode);
	else if (kind == 'f' && (fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) >= 0)
		r = close(fd);
	if (r < 0)
		T_OK(0, "create %s: %s", rel, strerror(errno));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of one list answer, sorted and joined with ',' */
static int list_of(struct netns_helper *h, const char *path, int mode, char *out, size_t cap,
		   bool *ret_trunc, size_t *ret_count)
{
	char *names = NULL, *sorted[1024];
	size_t len = 0, n = 0;
	int fd, r;

	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = netns_helper_list(h, fd, mode, &names, &len, ret_trunc);
	close(fd);
	if (r < 0)
		return r;
	for (size_t off = 0; off < len && n < 1024; off += strlen(names + off) + 1)
		sorted[n++] = names + off;
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "", sorted[i]);
	*ret_count = n;
	free(names);
	return 0;
}

/* NETNS_MSG_LIST: LXC's and LXD's directories as lxc-create and LXD
 * make them (0770 and 0711, root's), which only CAP_DAC_READ_SEARCH lets
 * the helper (uid 65534) read. */
static void test_list(struct netns_helper *h)
{
	char tmpl[] = "/tmp/netns_test.XXXXXX", p[PATH_MAX], got[4096], long_name[251];
	unsigned char req[NETNS_REQ_SIZE];
	pid_t hp = netns_helper_pid(h);
	bool trunc = false;
	size_t n = 0;
	int fd;

	if (!mkdtemp(tmpl)) {
		T_OK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	mk(tmpl, "lxc", 0700, 'd');
	mk(tmpl, "lxc/a", 0770, 'd');
	mk(tmpl, "lxc/a/config", 0640, 'f');
	mk(tmpl, "lxc/nocfg", 0770, 'd');
	mk(tmpl, "lxc/cfgdir", 0770, 'd');
	mk(tmpl, "lxc/cfgdir/config", 0770, 'd');
	mk(tmpl, "lxc/.hidden", 0770, 'd');
	mk(tmpl, "lxc/.hidden/config", 0640, 'f');
	mk(tmpl, "lxc/bad\x01name", 0770, 'd');
	mk(tmpl, "lxc/bad\x01name/config", 0640, 'f');
	mk(tmpl, "lxc/plainfile", 0640, 'f');
	snprintf(p, sizeof(p), "%s/lxc/l", tmpl);
	T_EQ_INT(symlink("a", p), 0, "symlink l -> a");
	mk(tmpl, "lxd", 0711, 'd');
	mk(tmpl, "lxd/proj_web", 0700, 'd');
	mk(tmpl, "lxd/plain", 0700, 'd');
	mk(tmpl, "lxd/afile", 0600, 'f');
	snprintf(p, sizeof(p), "%s/lxd/snap", tmpl);
	T_EQ_INT(symlink("/nonexistent/pool/containers/snap", p), 0, "dangling symlink");

	snprintf(p, sizeof(p), "%s/lxc", tmpl);
	T_EQ_INT(list_of(h, p, NETNS_LIST_LXC, got, sizeof(got), &trunc, &n), 0, "LXC list");
	T_EQ_STR(got, "a,l", "LXC: only NAME with a regular NAME/config, valid names");
	T_OK(!trunc, "LXC list complete");
	T_EQ_INT(list_of(h, p, NETNS_LIST_LXD, got, sizeof(got), &trunc, &n), 0, "LXD mode there");
	T_EQ_STR(got, "a,cfgdir,l,nocfg", "LXD mode: directories and symlinks, no file");
	snprintf(p, sizeof(p), "%s/lxd", tmpl);
	T_EQ_INT(list_of(h, p, NETNS_LIST_LXD, got, sizeof(got), &trunc, &n), 0, "LXD list");
	T_EQ_STR(got, "plain,proj_web,snap", "LXD: every directory and symlink, none followed");

	/* more than NETNS_LIST_MAX bytes of names: 300 of 251 bytes */
	mk(tmpl, "many", 0711, 'd');
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (int i = 0; i < 300; i++) {
		snprintf(long_name, sizeof(long_name), "%03d", i);
		long_name[3] = 'n';
		snprintf(p, sizeof(p), "many/%s", long_name);
		mk(tmpl, p, 0700, 'd');
	}
	snprintf(p, sizeof(p), "%s/many", tmpl);
	T_EQ_INT(list_of(h, p, NETNS_LIST_LXD, got, sizeof(got), &trunc, &n), 0, "long list");
	T_OK(trunc, "a list over %d bytes says it was cut short", NETNS_LIST_MAX);
	T_EQ_INT((int)n, NETNS_LIST_MAX / 251, "as many whole names as fit");

	snprintf(p, sizeof(p), "%s/lxc/a/config", tmpl);
	T_EQ_INT(list_of(h, p, NETNS_LIST_LXC, got, sizeof(got), &trunc, &n), -ENOTDIR,
		 "a file is not listed: -ENOTDIR");

	snprintf(p, sizeof(p), "%s/lxd", tmpl);
	fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	netns_helper_raw_list_request(3, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), fd), -EINVAL, "list mode 3 refused");
	netns_helper_raw_list_request(0, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), fd), -EINVAL, "list mode 0 refused");
	netns_helper_raw_list_request(NETNS_LIST_LXD, req);
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), -1), -EINVAL,
		 "list request without a directory refused");
	req[12] = 1;
	T_EQ_INT(netns_helper_raw_request(h, req, sizeof(req), fd), -EINVAL,
		 "list request with the reserved field set refused");
	close(fd);
	T_EQ_INT(count_fds(hp), 5, "helper closed every directory it was handed");
	T_EQ_INT(kill(hp, 0), 0, "helper alive after the list requests");

	snprintf(p, sizeof(p), "rm -rf '%s'", tmpl);
	T_EQ_INT(system(p), 0, "test directory removed");
}

static void test_exec_confined(pid_t hp)
{
	char path[64], a[PATH_MAX], b[PATH_MAX], cmdline[256];
	ssize_t n;
	int fd;

	T_EQ_INT(status_dec(hp, "Seccomp:"), 2, "helper Seccomp: 2 (filter mode)");
	T_EQ_INT(status_dec(hp, "Seccomp_filters:"), 1, "helper has exactly one filter");
	T_EQ_INT(status_dec(getpid(), "Seccomp:"), 0, "the collector's side has none");
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)hp);
	n = readlink(path, a, sizeof(a) - 1);
	a[n > 0 ? n : 0] = '\0';
	n = readlink("/proc/self/exe", b, sizeof(b) - 1);
	b[n > 0 ? n : 0] = '\0';
	T_OK(a[0] && strcmp(a, b) == 0, "helper runs this very program (%s)", a);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)hp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline) - 1);
	if (fd >= 0)
		close(fd);
	T_OK(n > 0 && strcmp(cmdline + strlen(cmdline) + 1, "--netns-helper") == 0,
	     "helper was executed in helper mode (argv[1] --netns-helper)");
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)hp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, cmdline, sizeof(cmdline));
	if (fd >= 0)
		close(fd);
	T_EQ_INT(n, 0, "helper's environment is empty");
}

/* A request its allow-list does not cover (a test-only type that makes
 * the helper call uname(2)) kills the helper with SIGSYS; the client sees
 * the connection end and netns_helper_exited() tells how it ended. */
static void test_uncovered_kills(uint64_t st)
{
	unsigned char req[NETNS_REQ_SIZE];
	struct netns_helper *h3 = NULL;
	int status = 0, r, fd = -1, i;
	pid_t hp;

	r = netns_helper_start(&h3);
	T_EQ_INT(r, 0, "third helper starts");
	if (r < 0)
		return;
	hp = netns_helper_pid(h3);
	T_EQ_INT(netns_helper_exited(h3, &status), 0, "netns_helper_exited: 0 while it runs");
	netns_helper_raw_uncovered_request(req);
	r = netns_helper_raw_request(h3, req, sizeof(req), -1);
	T_EQ_INT(r, -ECONNRESET, "uncovered request: no answer, the connection ends");
	for (i = 0; i < 200 && (r = netns_helper_exited(h3, &status)) == 0; i++)
		usleep(10000);
	T_EQ_INT(r, 1, "netns_helper_exited: 1 after the uncovered request");
	T_OK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
	     "helper killed by SIGSYS (status %#x)", status);
	T_OK(kill(hp, 0) < 0 && errno == ESRCH, "helper reaped by netns_helper_exited");
	T_EQ_INT(netns_helper_open(h3, ct_init, st, &fd, NULL), -ECONNRESET,
		 "open after the helper died -> ECONNRESET");
	T_EQ_INT(netns_helper_exited(h3, &status), 1, "netns_helper_exited stays 1");
	netns_helper_stop(h3);
}

/* A collector that dies without netns_helper_stop(): its helper must go. */
static void test_helper_dies_with_collector(void)
{
	int p[2], st;
	pid_t c, hp = -1;
	int i;

	prctl(PR_SET_CHILD_SUBREAPER, 1); /* the orphaned helper comes to us */
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	c = fork();
	if (c == 0) {
		struct netns_helper *h2;

		if (netns_helper_start(&h2) < 0)
			_exit(1);
		hp = netns_helper_pid(h2);
		if (write(p[1], &hp, sizeof(hp)) != sizeof(hp))
			_exit(1);
		_exit(0); /* no stop */
	}
	close(p[1]);
	if (read(p[0], &hp, sizeof(hp)) != sizeof(hp))
		hp = -1;
	close(p[0]);
	waitpid(c, &st, 0);
	T_OK(hp > 0, "second helper started in a child");
	for (i = 0; hp > 0 && i < 200; i++) {
		if (waitpid(hp, &st, WNOHANG) == hp)
			break;
		usleep(10000);
	}
	T_OK(hp > 0 && i < 200, "helper exits when its collector exits (%d ms)", i * 10);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* What netns_watch_apply() handed over, in a child's own namespace. */
struct watch_seen {
	int n, ifindex[8];
	char name[8][IFNAMSIZ]; /* "" for a removal */
};

static void watch_record(void *ud, int ifindex, const char *name)
{
	struct watch_seen *w = ud;

	if (w->n < 8) {
		w->ifindex[w->n] = ifindex;
		snprintf(w->name[w->n], sizeof(w->name[w->n]), "%s", name ? name : "");
	}
	w->n++;
}

/* In a child in a namespace of its own: each check one bit of the exit
 * status (0 when all hold). */
static _Noreturn void watch_child(void)
{
	struct netns_watch *w = NULL;
	struct watch_seen seen = { 0 };
	int bad = 0, idx;

	if (unshare(CLONE_NEWNET) < 0 || netns_watch_links(&w) < 0)
		_exit(0xff);
	if (netns_watch_apply(w, watch_record, &seen) != 0 || seen.n != 0)
		bad |= 1; /* nothing yet */
	if (system("ip link add wa0 type veth peer name wp0") != 0)
		_exit(0xff);
	idx = (int)if_nametoindex("wa0");
	memset(&seen, 0, sizeof(seen));
	for (int i = 0; i < 8; i++)
		seen.ifindex[i] = -1;
	if (netns_watch_apply(w, watch_record, &seen) != 0 || seen.n < 2)
		bad |= 2; /* added: both ends of the pair, ours by its name */
	for (int i = 0, found = 0; !(bad & 2) && i < seen.n && i < 8; i++) {
		found |= seen.ifindex[i] == idx && !strcmp(seen.name[i], "wa0");
		if (i == seen.n - 1 && !found)
			bad |= 2;
	}
	memset(&seen, 0, sizeof(seen));
	if (system("ip link set wa0 name wb0") != 0 || netns_watch_apply(w, watch_record, &seen) != 0 ||
	    seen.n < 1 || seen.ifindex[seen.n - 1] != idx || strcmp(seen.name[seen.n - 1], "wb0") != 0)
		bad |= 4; /* renamed */
	memset(&seen, 0, sizeof(seen));
	/* a veth goes with its peer: two removals, ours among them */
	if (system("ip link del wb0") != 0 || netns_watch_apply(w, watch_record, &seen) != 0 ||
	    seen.n < 2 || seen.n > 8)
		bad |= 8;
	for (int i = 0, found = 0; !(bad & 8) && i < seen.n; i++) {
		found |= seen.ifindex[i] == idx && seen.name[i][0] == '\0';
		if (seen.name[i][0] != '\0')
			bad |= 8; /* only removals */
		if (i == seen.n - 1 && !found)
			bad |= 8;
	}
	netns_watch_free(w);
	_exit(bad);
}

static void test_watch_apply(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		watch_child();
	if (pid > 0)
		waitpid(pid, &status, 0);
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) != 0xff, "watch child ran (status %d)",
	     status);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 0xff;
	T_OK(!(status & 1), "link notifications: none before a change");
	T_OK(!(status & 2), "a link added: its ifindex and name");
	T_OK(!(status & 4), "a link renamed: the new name");
	T_OK(!(status & 8), "a link removed: its ifindex, no name");
}

int main(int argc, char **argv)
{
	struct netns_helper *h = NULL;
	struct netns_sock *s = NULL, *host = NULL, *s2 = NULL;
	const struct netns_link *l, *l2, *eth0, *lo;
	struct netns_link a0, a1, b0, b1;
	struct child_report rep;
	struct stat self_ns;
	char cmd[256];
	uint64_t st, ino = 0;
	size_t n, n2, i;
	int r, fd = -1, host_ifindex;
	pid_t hp;

	/* the netns helper is this program run again */
	netns_helper_exec_main(argc, argv);
	if (geteuid() != 0) {
		printf("# skip not root\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120); /* a hang ends the test; PDEATHSIG takes the container along */
	atexit(cleanup);

	/* start the helper first, as the daemon does, before any child exists */
	r = netns_helper_start(&h);
	T_EQ_INT(r, 0, "helper starts");
	if (r < 0)
		return t_done();
	hp = netns_helper_pid(h);
	T_EQ_U64(status_hex(hp, "CapEff:"), HELPER_CAPS, "helper CapEff = SYS_ADMIN|SYS_PTRACE|DAC_READ_SEARCH");
	T_EQ_U64(status_hex(hp, "CapPrm:"), HELPER_CAPS, "helper CapPrm = SYS_ADMIN|SYS_PTRACE|DAC_READ_SEARCH");
	T_EQ_U64(status_hex(hp, "CapBnd:"), HELPER_CAPS, "helper CapBnd = SYS_ADMIN|SYS_PTRACE|DAC_READ_SEARCH");
	T_EQ_U64(status_hex(hp, "CapInh:"), 0, "helper CapInh empty");
	T_EQ_U64(status_hex(hp, "CapAmb:"), 0, "helper CapAmb empty");
	T_EQ_INT(status_dec(hp, "NoNewPrivs:"), 1, "helper no_new_privs");
	T_EQ_INT(status_dec(hp, "Uid:"), 65534, "helper runs as uid 65534");
	test_exec_confined(hp);
	test_watch_apply();

	r = ct_start();
	T_EQ_INT(r, 0, "container process started");
	if (r < 0)
		return t_done();
	T_EQ_INT(nspid_last(ct_init), 1, "container init is PID 1 of its pid namespace");
	snprintf(host_if, sizeof(host_if), "lxnt%d", (int)(getpid() % 100000));
	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name eth0 netns %d && "
		 "echo 1 > /proc/sys/net/ipv6/conf/%s/disable_ipv6 && ip link set %s up",
		 host_if, (int)ct_init, host_if, host_if);
	T_EQ_INT(system(cmd), 0, "veth pair created, one end inside");
	T_EQ_INT(ct_cmd(CMD_UP, 0, 0), 0, "inside end up");
	wait_running(host_if);
	host_ifindex = (int)if_nametoindex(host_if);
	st = starttime_of(ct_init);

	r = netns_helper_open(h, ct_init, st, &fd, &ino);
	T_EQ_INT(r, 0, "helper opens the container's netns");
	if (r < 0)
		return t_done();
	stat("/proc/self/ns/net", &self_ns);
	T_OK(ino != 0 && ino != (uint64_t)self_ns.st_ino, "netns inode %" PRIu64 " differs from host",
	     ino);
	{ /* with the socket, the init's root directory (for container_fs) */
		struct statfs a, b;
		int sfd = -1, root = -1;
		char rp[64];

		r = netns_helper_open_root(h, ct_init, st, &sfd, NULL, &root);
		T_OK(r == 0 && sfd >= 0 && root >= 0, "helper hands over the root directory too");
		snprintf(rp, sizeof(rp), "/proc/%d/root", (int)ct_init);
		T_OK(root >= 0 && fstatfs(root, &a) == 0 && statfs(rp, &b) == 0 &&
			     a.f_type == b.f_type && a.f_blocks == b.f_blocks && a.f_bsize == b.f_bsize,
		     "its fstatfs is that of the init's root filesystem");
		{
			struct stat rs;

			T_OK(root >= 0 && fstat(root, &rs) == 0 && S_ISDIR(rs.st_mode) &&
				     (fcntl(root, F_GETFL) & O_ACCMODE) == O_RDONLY,
			     "a read-only directory");
		}
		if (sfd >= 0)
			close(sfd);
		if (root >= 0)
			close(root);
	}
	r = netns_sock_adopt(fd, &s);
	T_EQ_INT(r, 0, "socket adopted");
	r = netns_sock_links(s, &l, &n);
	T_EQ_INT(r, 0, "link dump");
	if (r < 0)
		return t_done();
	T_EQ_INT(n, 2, "two links inside (lo, eth0)");
	lo = find(l, n, "lo");
	eth0 = find(l, n, "eth0");
	T_OK(lo && !lo->veth && lo->link_ifindex == 0, "lo present, not veth, no IFLA_LINK");
	T_OK(eth0 && eth0->veth, "eth0 present and veth");
	T_EQ_INT(eth0 ? eth0->link_ifindex : -1, host_ifindex, "eth0 IFLA_LINK = host peer ifindex");

	/* the cache path must see the same table */
	r = netns_sock_links_cache(s, &l2, &n2);
	T_EQ_INT(r, 0, "cache dump");
	r = netns_sock_links(s, &l, &n);
	T_OK(r == 0 && n == n2, "both paths: same number of links");
	for (i = 0; r == 0 && i < n && i < n2; i++) {
		const struct netns_link *x = find(l2, n2, l[i].name);

		T_OK(x && x->ifindex == l[i].ifindex && x->link_ifindex == l[i].link_ifindex &&
			     x->veth == l[i].veth && x->rx_bytes == l[i].rx_bytes &&
			     x->tx_packets == l[i].tx_packets,
		     "both paths agree on %s", l[i].name);
	}

	/* exact counters: 5 frames of 114 bytes in, 3 frames of 242 out */
	r = netns_sock_host(&host);
	T_EQ_INT(r, 0, "host socket");
	T_OK(snap(s, "eth0", &a0) == 0 && snap(host, host_if, &b0) == 0, "baseline counters");
	T_EQ_INT(send_frames(host_if, 5, 114), 0, "host side sends 5 x 114 bytes");
	T_EQ_INT(ct_cmd(CMD_SEND, 3, 242), 0, "container sends 3 x 242 bytes");
	usleep(20000);
	T_OK(snap(s, "eth0", &a1) == 0 && snap(host, host_if, &b1) == 0, "counters after");
	T_EQ_U64(a1.rx_packets - a0.rx_packets, 5, "eth0 rx_packets delta");
	T_EQ_U64(a1.rx_bytes - a0.rx_bytes, 5 * 114, "eth0 rx_bytes delta");
	T_EQ_U64(a1.tx_packets - a0.tx_packets, 3, "eth0 tx_packets delta");
	T_EQ_U64(a1.tx_bytes - a0.tx_bytes, 3 * 242, "eth0 tx_bytes delta");
	T_EQ_U64(b1.tx_packets - b0.tx_packets, 5, "host peer tx_packets delta");
	T_EQ_U64(b1.tx_bytes - b0.tx_bytes, 5 * 114, "host peer tx_bytes delta");
	T_EQ_U64(b1.rx_packets - b0.rx_packets, 3, "host peer rx_packets delta");
	T_EQ_U64(b1.rx_bytes - b0.rx_bytes, 3 * 242, "host peer rx_bytes delta");
	T_EQ_U64(a1.rx_errors + a1.tx_errors + a1.tx_dropped, 0, "no errors, no tx drops");
	test_table_follows(s);

	/* refusals */
	T_EQ_INT(netns_helper_open(h, getpid(), starttime_of(getpid()), &fd, NULL), -EXDEV,
		 "own pid (host netns) -> EXDEV");
	T_EQ_INT(netns_helper_open(h, hp, starttime_of(hp), &fd, NULL), -EXDEV,
		 "helper's pid -> EXDEV");
	T_EQ_INT(netns_helper_open(h, ct_init, st + 1, &fd, NULL), -ESRCH,
		 "wrong starttime -> ESRCH");
	{
		pid_t dead = fork();
		uint64_t dst;

		if (dead == 0) {
			pause();
			_exit(0);
		}
		dst = starttime_of(dead);
		kill(dead, SIGKILL);
		waitpid(dead, NULL, 0);
		T_EQ_INT(netns_helper_open(h, dead, dst, &fd, NULL), -ESRCH, "dead pid -> ESRCH");
	}
	test_malformed(h, st);
	test_list(h);

	/* privilege separation: the collector drops everything, still served */
	child_priv(h, NULL, &rep);
	T_EQ_INT(rep.drop, 0, "priv_drop(NULL)");
	T_OK(rep.eff == 0 && rep.prm == 0 && rep.bnd == 0 && rep.inh == 0 && rep.amb == 0,
	     "after priv_drop(NULL): CapEff %" PRIx64 " CapPrm %" PRIx64 " CapBnd %" PRIx64
	     " CapInh %" PRIx64 " CapAmb %" PRIx64,
	     rep.eff, rep.prm, rep.bnd, rep.inh, rep.amb);
	T_EQ_INT(rep.nnp, 1, "after priv_drop(NULL): no_new_privs");
	T_EQ_INT(rep.uid, 0, "after priv_drop(NULL): uid unchanged");
	T_OK(rep.open == 0 && rep.dump == 0 && rep.eth0 == 1,
	     "capability-less collector gets a socket and dumps eth0 (open %d, dump %d)", rep.open,
	     rep.dump);
	child_priv(h, "nobody", &rep);
	T_EQ_INT(rep.drop, 0, "priv_drop(\"nobody\")");
	T_OK(rep.eff == 0 && rep.prm == 0 && rep.bnd == 0 && rep.inh == 0 && rep.amb == 0,
	     "after priv_drop(\"nobody\"): all capability sets empty");
	T_OK(rep.uid == 65534 && rep.gid == 65534, "after priv_drop(\"nobody\"): uid/gid 65534");
	T_OK(rep.open == 0 && rep.dump == 0 && rep.eth0 == 1,
	     "uid-changed collector gets a socket and dumps eth0 (open %d, dump %d)", rep.open,
	     rep.dump);
	child_priv(h, "no-such-user-lxcollectd", &rep);
	T_EQ_INT(rep.drop, -ENOENT, "priv_drop(unknown user) -> ENOENT");
	T_EQ_U64(status_hex(hp, "CapEff:"), HELPER_CAPS, "helper caps unchanged");

	/* the socket keeps working without any setns, and a second one too */
	r = netns_helper_open(h, ct_init, st, &fd, NULL);
	T_OK(r == 0 && netns_sock_adopt(fd, &s2) == 0 && snap(s2, "eth0", &a1) == 0,
	     "second socket into the same netns");

	test_helper_dies_with_collector();
	test_uncovered_kills(st);

	netns_helper_stop(h);
	T_OK(kill(hp, 0) < 0 && errno == ESRCH, "helper reaped by netns_helper_stop");
	netns_sock_free(s);
	netns_sock_free(s2);
	netns_sock_free(host);
	cleanup();
	snprintf(cmd, sizeof(cmd), "ip link show %s >/dev/null 2>&1", host_if);
	T_OK(system(cmd) != 0, "veth pair gone after cleanup");
	host_if[0] = '\0';
	return t_done();
}
