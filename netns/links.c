/* netns links: one RTM_GETLINK dump per call on a NETLINK_ROUTE socket
 * (which stays in the namespace it was made in), parsed by libnl-route into
 * a reusable array of struct netns_link.
 *
 * The dump is parsed message by message (nl_msg_parse hands us one
 * transient rtnl_link per interface) instead of filling a link cache every
 * cycle: no cache hash table to build and tear down, and the socket's seq
 * check, multi-part handling and NLM_F_DUMP_INTR detection stay libnl's.
 * netns_sock_links_cache() does the same through rtnl_link_alloc_cache()
 * for comparison (benchmarks, and a cross-check in the tests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "netns/netns.h"

/* Large enough for a batch of link messages without MSG_PEEK + realloc;
 * the kernel sizes dump batches after the reader's buffer (max 32 KiB). */
#define LINKS_MSG_BUF 32768

struct netns_sock {
	struct nl_sock *nl;
	struct netns_link *links;
	size_t n, cap;
	int err; /* first failure inside a callback */
};

static int nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_DUMP_INTR:
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_INTR:
		return EINTR;
	case NLE_BAD_SOCK:
		return EBADF;
	case NLE_PERM:
		return EPERM;
	case NLE_NOACCESS:
		return EACCES;
	case NLE_INVAL:
		return EINVAL;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_MSG_TRUNC:
	case NLE_MSG_OVERFLOW:
	case NLE_MSGSIZE:
		return EMSGSIZE;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:
	case NLE_PROTO_MISMATCH:
		return EPROTO;
	default:
		return EIO;
	}
}

static struct netns_link *links_next(struct netns_sock *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct netns_link *p = realloc(s->links, cap * sizeof(*p));

		if (!p)
			return NULL;
		s->links = p;
		s->cap = cap;
	}
	return &s->links[s->n++];
}

static void fill_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	struct netns_sock *s = arg;
	struct netns_link *out;
	const char *name, *kind;

	if (s->err)
		return;
	out = links_next(s);
	if (!out) {
		s->err = -ENOMEM;
		return;
	}
	memset(out, 0, sizeof(*out));
	name = rtnl_link_get_name(l);
	if (name)
		snprintf(out->name, sizeof(out->name), "%s", name);
	out->ifindex = rtnl_link_get_ifindex(l);
	out->link_ifindex = rtnl_link_get_link(l);
	kind = rtnl_link_get_type(l);
	out->veth = kind && strcmp(kind, "veth") == 0;
	/* libnl fills these from IFLA_STATS64 when the kernel sends it (every
	 * kernel since 2.6.35), from the 32-bit IFLA_STATS otherwise */
	out->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	out->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	out->rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
	out->tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
	out->rx_errors = rtnl_link_get_stat(l, RTNL_LINK_RX_ERRORS);
	out->tx_errors = rtnl_link_get_stat(l, RTNL_LINK_TX_ERRORS);
	out->rx_dropped = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
	out->tx_dropped = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct netns_sock *s = arg;
	int r;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWLINK)
		return NL_SKIP;
	r = nl_msg_parse(msg, fill_link, s);
	if (r < 0 && !s->err)
		s->err = -nlerr_to_errno(r);
	return NL_OK;
}

/* After a failed dump the rest of it may still sit in the socket and would
 * fail the next dump's sequence check: read it away. */
static void drain(struct netns_sock *s)
{
	char buf[4096];
	int fd = nl_socket_get_fd(s->nl);

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break; /* EAGAIN: empty */
	}
}

static int sock_wrap(struct nl_sock *nl, struct netns_sock **ret)
{
	struct netns_sock *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nl = nl;
	nl_socket_set_msg_buf_size(nl, LINKS_MSG_BUF); /* also: no MSG_PEEK */
	r = nl_socket_modify_cb(nl, NL_CB_VALID, NL_CB_CUSTOM, on_valid, s);
	if (r < 0) {
		free(s);
		return -nlerr_to_errno(r);
	}
	*ret = s;
	return 0;
}

int netns_sock_adopt(int fd, struct netns_sock **ret)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_sock *nl;
	int r;

	if (fd < 0)
		return -EBADF;
	/* libnl wants a bound socket (it takes the port from getsockname);
	 * port 0 lets the kernel pick one in that namespace. EINVAL: bound. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINVAL) {
		r = -errno;
		close(fd);
		return r;
	}
	nl = nl_socket_alloc();
	if (!nl) {
		close(fd);
		return -ENOMEM;
	}
	r = nl_socket_set_fd(nl, NETLINK_ROUTE, fd);
	if (r < 0) {
		nl_socket_free(nl); /* does not own fd yet */
		close(fd);
		return -nlerr_to_errno(r);
	}
	r = sock_wrap(nl, ret);
	if (r < 0)
		nl_socket_free(nl); /* closes fd */
	return r;
}

int netns_sock_host(struct netns_sock **ret)
{
	struct nl_sock *nl;
	int r;

	nl = nl_socket_alloc();
	if (!nl)
		return -ENOMEM;
	r = nl_connect(nl, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(nl);
		return -nlerr_to_errno(r);
	}
	r = sock_wrap(nl, ret);
	if (r < 0)
		nl_socket_free(nl);
	return r;
}

int netns_sock_links(struct netns_sock *s, const struct netns_link **ret, size_t *ret_n)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	int r;

	if (!s)
		return -EBADF;
	s->n = 0;
	s->err = 0;
	r = nl_send_simple(s->nl, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	if (r < 0)
		return -nlerr_to_errno(r);
	r = nl_recvmsgs_default(s->nl);
	if (r < 0 || s->err) {
		if (r != -NLE_DUMP_INTR)
			drain(s);
		return s->err ? s->err : -nlerr_to_errno(r);
	}
	*ret = s->links;
	*ret_n = s->n;
	return 0;
}

int netns_sock_links_cache(struct netns_sock *s, const struct netns_link **ret, size_t *ret_n)
{
	struct nl_cache *cache = NULL;
	int r;

	if (!s)
		return -EBADF;
	s->n = 0;
	s->err = 0;
	r = rtnl_link_alloc_cache(s->nl, AF_UNSPEC, &cache);
	if (r < 0) {
		drain(s);
		return -nlerr_to_errno(r);
	}
	nl_cache_foreach(cache, fill_link, s);
	nl_cache_free(cache);
	if (s->err)
		return s->err;
	*ret = s->links;
	*ret_n = s->n;
	return 0;
}

void netns_sock_free(struct netns_sock *s)
{
	if (!s)
		return;
	nl_socket_free(s->nl);
	free(s->links);
	free(s);
}
