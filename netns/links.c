/* netns links: one RTM_GETLINK dump per call on a NETLINK_ROUTE socket
 * (which stays in the namespace it was made in), into a reusable array of
 * struct netns_link.
 *
 * A collector pays for this every cycle for every container, for years, so
 * the dump allocates nothing: the request is built once per socket (libnl
 * nlmsg_alloc_size + nlmsg_put, sent with nl_send_auto), the answer is received into
 * one buffer shared by every socket and walked in place with libnl-3's
 * nlmsg_parse/nla_parse_nested into the four things we need (IFLA_IFNAME,
 * IFLA_LINK, IFLA_LINKINFO kind, IFLA_STATS64). libnl-route's per-message
 * parse (nl_msg_parse) costs about 46 allocations per link and was most of
 * the userspace time of a cycle. netns_sock_links_cache(), built into the
 * test library only, still goes through libnl-route's rtnl_link cache:
 * the tests compare the two.
 *
 * Not thread-safe: one thread dumps (the shared receive buffer). */
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
#include <linux/if_link.h>

#include "netns/netns.h"

/* Large enough for a batch of link messages without MSG_PEEK + realloc;
 * the kernel sizes dump batches after the reader's buffer (max 32 KiB). */
#define LINKS_MSG_BUF 32768
#define IFNAMSIZ_ 16

struct netns_sock {
	struct nl_sock *nl;
	struct nl_msg *req; /* RTM_GETLINK dump request, built once */
	uint32_t seq;       /* ours, apart from libnl's (the cache path) */
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

#ifdef LXCOLLECTD_TEST
/* test builds only, for netns_sock_links_cache() */
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
#endif

/* One receive buffer for every socket: per socket it would cost 32 KiB of
 * RSS per container. Aligned for struct nlmsghdr. */
static char rbuf[LINKS_MSG_BUF] __attribute__((aligned(8)));

static struct nla_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ_ },
	[IFLA_LINK] = { .type = NLA_U32 },
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
	/* the first eight counters are all we read; older kernels send a
	 * shorter struct than today's headers describe */
	[IFLA_STATS64] = { .minlen = 8 * sizeof(uint64_t) },
	[IFLA_STATS] = { .minlen = 8 * sizeof(uint32_t) },
};

static struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { .type = NLA_STRING },
};

/* One RTM_NEWLINK message into the next slot of the table. */
static int parse_link(struct netns_sock *s, struct nlmsghdr *hdr)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi;
	struct netns_link *out;
	int r;

	if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EPROTO;
	r = nlmsg_parse(hdr, sizeof(*ifi), tb, IFLA_MAX, link_policy);
	if (r < 0)
		return -EPROTO;
	ifi = nlmsg_data(hdr);
	out = links_next(s);
	if (!out)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	if (tb[IFLA_IFNAME])
		snprintf(out->name, sizeof(out->name), "%s", (const char *)nla_data(tb[IFLA_IFNAME]));
	if (tb[IFLA_LINK])
		out->link_ifindex = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], info_policy) == 0 &&
	    info[IFLA_INFO_KIND])
		out->veth = strcmp((const char *)nla_data(info[IFLA_INFO_KIND]), "veth") == 0;
	/* 64-bit counters from IFLA_STATS64 (every kernel since 2.6.35), the
	 * 32-bit IFLA_STATS otherwise; attributes are only 4-byte aligned */
	if (tb[IFLA_STATS64]) {
		uint64_t v[8];

		memcpy(v, nla_data(tb[IFLA_STATS64]), sizeof(v));
		out->rx_packets = v[0], out->tx_packets = v[1];
		out->rx_bytes = v[2], out->tx_bytes = v[3];
		out->rx_errors = v[4], out->tx_errors = v[5];
		out->rx_dropped = v[6], out->tx_dropped = v[7];
	} else if (tb[IFLA_STATS]) {
		uint32_t v[8];

		memcpy(v, nla_data(tb[IFLA_STATS]), sizeof(v));
		out->rx_packets = v[0], out->tx_packets = v[1];
		out->rx_bytes = v[2], out->tx_bytes = v[3];
		out->rx_errors = v[4], out->tx_errors = v[5];
		out->rx_dropped = v[6], out->tx_dropped = v[7];
	}
	return 0;
}

/* Receive the dump answering sequence number SEQ. 1 when done, -EAGAIN
 * when the kernel flagged it interrupted (NLM_F_DUMP_INTR: links changed
 * meanwhile; it is still read to its end). */
static int recv_dump(struct netns_sock *s, uint32_t seq)
{
	int fd = nl_socket_get_fd(s->nl), err = 0;
	bool intr = false;

	for (;;) {
		struct nlmsghdr *hdr;
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_TRUNC);
		int rem;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPROTO;
		if ((size_t)n > sizeof(rbuf))
			return -EMSGSIZE; /* a message larger than any link's */
		rem = (int)n;
		for (hdr = (struct nlmsghdr *)rbuf; nlmsg_ok(hdr, rem); hdr = nlmsg_next(hdr, &rem)) {
			if (hdr->nlmsg_seq != seq)
				continue; /* left over from an earlier, failed dump */
			if (hdr->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			switch (hdr->nlmsg_type) {
			case NLMSG_DONE:
				if (err)
					return err;
				return intr ? -EAGAIN : 1;
			case NLMSG_ERROR: {
				const struct nlmsgerr *e = nlmsg_data(hdr);

				if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error < 0 ? e->error : -EPROTO;
			}
			case RTM_NEWLINK:
				if (!err)
					err = parse_link(s, hdr);
				break;
			default:
				break; /* NLMSG_NOOP and the like */
			}
			if (!(hdr->nlmsg_flags & NLM_F_MULTI))
				return err ? err : -EPROTO;
		}
	}
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
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct netns_sock *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* sized to fit: nlmsg_alloc_simple takes a page, 4 KiB per container */
	s->req = nlmsg_alloc_size(NLMSG_SPACE(sizeof(ifi)));
	if (!s->req ||
	    !nlmsg_put(s->req, NL_AUTO_PORT, NL_AUTO_SEQ, RTM_GETLINK, 0, NLM_F_DUMP) ||
	    nlmsg_append(s->req, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(s->req);
		free(s);
		return -ENOMEM;
	}
	s->nl = nl;
	/* the cache path (netns_sock_links_cache) receives through libnl:
	 * batches as large as ours without MSG_PEEK + realloc */
	nl_socket_set_msg_buf_size(nl, LINKS_MSG_BUF);
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
	struct nlmsghdr *req;
	int r;

	if (!s)
		return -EBADF;
	s->n = 0;
	/* a fresh sequence number each time, so a late answer is never taken
	 * for ours; our own counter, because libnl's (which nl_send_auto would
	 * fill in) is checked against what libnl itself received, and the
	 * answers to these never pass through libnl */
	req = nlmsg_hdr(s->req);
	req->nlmsg_seq = ++s->seq ? s->seq : ++s->seq;
	r = nl_send_auto(s->nl, s->req);
	if (r < 0)
		return -nlerr_to_errno(r);
	r = recv_dump(s, req->nlmsg_seq);
	if (r < 0) {
		if (r != -EAGAIN)
			drain(s);
		return r;
	}
	*ret = s->links;
	*ret_n = s->n;
	return 0;
}

#ifdef LXCOLLECTD_TEST
/* test builds only (netns.h) */
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
#endif

/* ---- link notifications (the host side) ---- */

struct netns_watch {
	struct nl_sock *nl;
};

int netns_watch_links(struct netns_watch **ret)
{
	struct netns_watch *w;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->nl = nl_socket_alloc();
	if (!w->nl) {
		free(w);
		return -ENOMEM;
	}
	/* notifications carry sequence number 0 */
	nl_socket_disable_seq_check(w->nl);
	r = nl_connect(w->nl, NETLINK_ROUTE);
	if (r >= 0)
		r = nl_socket_add_membership(w->nl, RTNLGRP_LINK);
	if (r >= 0)
		r = nl_socket_set_nonblocking(w->nl);
	if (r < 0) {
		nl_socket_free(w->nl);
		free(w);
		return -nlerr_to_errno(r);
	}
	*ret = w;
	return 0;
}

int netns_watch_changed(struct netns_watch *w)
{
	int fd = nl_socket_get_fd(w->nl), changed = 0;

	/* what changed does not matter: any RTM_NEWLINK/RTM_DELLINK means
	 * the caller's next dump is worth its cost */
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);

		if (n > 0) {
			changed = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) { /* notifications were lost */
			changed = 1;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		return changed;
	}
}

void netns_watch_free(struct netns_watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->nl);
	free(w);
}

void netns_sock_free(struct netns_sock *s)
{
	if (!s)
		return;
	nl_socket_free(s->nl);
	nlmsg_free(s->req);
	free(s->links);
	free(s);
}
