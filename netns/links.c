/* netns links: the link table and the counters of the namespace a
 * NETLINK_ROUTE socket was made in (it stays there), into a reusable array
 * of struct netns_link.
 *
 * Two requests, because they cost very differently. The link table
 * (names, IFLA_LINK peers, link kinds) comes from libnl-route's rtnl_link
 * cache, RTM_GETLINK: at the first dump, and again only when it may have
 * changed. The counters, which a collector needs every cycle for every
 * container for years, come from RTM_GETSTATS with only
 * IFLA_STATS_LINK_64 asked for: about half the kernel's work of a link
 * dump, which also fills in every attribute of every link. The answer is
 * received into one buffer shared by every socket and walked in place
 * with libnl-3's nlmsg_parse: no allocation per cycle.
 *
 * The table may have changed when a link notification (RTNLGRP_LINK, on
 * the same socket: no further fd) arrived, when notifications were lost
 * (ENOBUFS), or when the counters name an ifindex the table lacks or lack
 * one it has. Then the table is dumped again in the same call.
 *
 * netns_sock_links_cache(), built into the test library only, dumps the
 * whole table through the rtnl_link cache whatever the notifications say.
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
	struct nl_msg *req; /* RTM_GETSTATS dump request, built once */
	uint32_t seq;       /* ours, apart from libnl's (the table dump) */
	struct netns_link *links;
	size_t n, cap;
	size_t seen; /* links of the table the counters named */
	int err;     /* first failure inside a callback */
	bool watched;  /* link notifications arrive on this socket */
	bool table_ok; /* the table is up to date as far as we know */
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

/* One receive buffer for every socket: per socket it would cost 32 KiB of
 * RSS per container. Aligned for struct nlmsghdr. */
static char rbuf[LINKS_MSG_BUF] __attribute__((aligned(8)));

static struct nla_policy stats_policy[IFLA_STATS_MAX + 1] = {
	/* the first eight counters are all we read */
	[IFLA_STATS_LINK_64] = { .minlen = 8 * sizeof(uint64_t) },
};

static struct netns_link *link_by_index(struct netns_sock *s, int ifindex)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->links[i].ifindex == ifindex)
			return &s->links[i];
	return NULL;
}

/* One RTM_NEWSTATS message: the counters of a link of the table. An
 * ifindex the table lacks makes the table stale. */
static int parse_stats(struct netns_sock *s, struct nlmsghdr *hdr)
{
	struct nlattr *tb[IFLA_STATS_MAX + 1];
	const struct if_stats_msg *ism;
	struct netns_link *out;
	uint64_t v[8];

	if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*ism)))
		return -EPROTO;
	if (nlmsg_parse(hdr, sizeof(*ism), tb, IFLA_STATS_MAX, stats_policy) < 0)
		return -EPROTO;
	ism = nlmsg_data(hdr);
	out = link_by_index(s, (int)ism->ifindex);
	if (!out) {
		s->table_ok = false;
		return 0;
	}
	s->seen++;
	if (!tb[IFLA_STATS_LINK_64])
		return 0;
	/* attributes are only 4-byte aligned */
	memcpy(v, nla_data(tb[IFLA_STATS_LINK_64]), sizeof(v));
	out->rx_packets = v[0], out->tx_packets = v[1];
	out->rx_bytes = v[2], out->tx_bytes = v[3];
	out->rx_errors = v[4], out->tx_errors = v[5];
	out->rx_dropped = v[6], out->tx_dropped = v[7];
	return 0;
}

/* A notification (sequence number 0, from the kernel): a link came, went
 * or changed, so the table is stale. */
static bool is_notification(const struct nlmsghdr *hdr)
{
	return hdr->nlmsg_seq == 0 && hdr->nlmsg_pid == 0 &&
	       (hdr->nlmsg_type == RTM_NEWLINK || hdr->nlmsg_type == RTM_DELLINK);
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
			if (errno == ENOBUFS) { /* notifications were lost */
				s->table_ok = false;
				continue;
			}
			return -errno;
		}
		if (n == 0)
			return -EPROTO;
		if ((size_t)n > sizeof(rbuf))
			return -EMSGSIZE; /* a message larger than any link's */
		rem = (int)n;
		for (hdr = (struct nlmsghdr *)rbuf; nlmsg_ok(hdr, rem); hdr = nlmsg_next(hdr, &rem)) {
			if (is_notification(hdr))
				s->table_ok = false;
			if (hdr->nlmsg_seq != seq)
				continue; /* a notification, or left over from a failed dump */
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
			case RTM_NEWSTATS:
				if (!err)
					err = parse_stats(s, hdr);
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

		if (n > 0 || (n < 0 && errno == ENOBUFS)) {
			s->table_ok = false; /* what went may have been a notification */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break; /* EAGAIN: empty */
	}
}

/* libnl's sequence check for the table dump: a notification on a watched
 * socket (sequence number 0) is not part of the dump; it makes the table
 * just dumped possibly stale already. */
static int seq_check(struct nl_msg *msg, void *arg)
{
	struct netns_sock *s = arg;

	if (is_notification(nlmsg_hdr(msg))) {
		s->table_ok = false;
		return NL_SKIP;
	}
	return NL_OK;
}

static int sock_wrap(struct nl_sock *nl, bool watch, struct netns_sock **ret)
{
	struct if_stats_msg ism = { .family = AF_UNSPEC,
				    .filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64) };
	struct netns_sock *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	/* sized to fit: nlmsg_alloc_simple takes a page, 4 KiB per container */
	s->req = nlmsg_alloc_size(NLMSG_SPACE(sizeof(ism)));
	if (!s->req ||
	    !nlmsg_put(s->req, NL_AUTO_PORT, NL_AUTO_SEQ, RTM_GETSTATS, 0, NLM_F_DUMP) ||
	    nlmsg_append(s->req, &ism, sizeof(ism), NLMSG_ALIGNTO) < 0 ||
	    nl_socket_modify_cb(nl, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_check, s) < 0) {
		nlmsg_free(s->req);
		free(s);
		return -ENOMEM;
	}
	/* complete: dump_stats sends it as it is (port 0: the kernel's) */
	nlmsg_hdr(s->req)->nlmsg_flags |= NLM_F_REQUEST;
	s->nl = nl;
	/* the table dump receives through libnl: batches as large as ours
	 * without MSG_PEEK + realloc */
	nl_socket_set_msg_buf_size(nl, LINKS_MSG_BUF);
	/* without notifications the table is dumped every time: a renamed
	 * link would go unnoticed otherwise */
	s->watched = watch && nl_socket_add_membership(nl, RTNLGRP_LINK) == 0;
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
	r = sock_wrap(nl, true, ret);
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
	/* the host's table is dumped only when the caller's own watch
	 * (netns_watch_links) says it changed: always the whole table */
	r = sock_wrap(nl, false, ret);
	if (r < 0)
		nl_socket_free(nl);
	return r;
}

/* The link table through libnl-route's rtnl_link cache, counters
 * included (IFLA_STATS64). Whatever was queued before is read away first:
 * libnl would take an earlier dump's leftovers for its own answer. */
static int dump_table(struct netns_sock *s)
{
	struct nl_cache *cache = NULL;
	int r;

	drain(s);
	s->n = 0;
	s->err = 0;
	s->table_ok = true; /* until a notification says otherwise */
	r = rtnl_link_alloc_cache(s->nl, AF_UNSPEC, &cache);
	if (r < 0) {
		s->table_ok = false;
		drain(s);
		return -nlerr_to_errno(r);
	}
	nl_cache_foreach(cache, fill_link, s);
	nl_cache_free(cache);
	if (s->err) {
		s->table_ok = false;
		return s->err;
	}
	if (!s->watched)
		s->table_ok = false;
	return 0;
}

/* The counters of every link of the table: one RTM_GETSTATS dump. */
static int dump_stats(struct netns_sock *s)
{
	struct nlmsghdr *req;
	int r;

	/* a fresh sequence number each time, so a late answer is never taken
	 * for ours; our own counter, because libnl's is checked against what
	 * libnl itself received, and the answers to these never pass through
	 * libnl */
	req = nlmsg_hdr(s->req);
	req->nlmsg_seq = ++s->seq ? s->seq : ++s->seq;
	s->seen = 0;
	/* the request is complete (sock_wrap): one plain send, without
	 * libnl's per-message completion and sendmsg set-up */
	while (send(nl_socket_get_fd(s->nl), req, req->nlmsg_len, 0) < 0)
		if (errno != EINTR)
			return -errno;
	r = recv_dump(s, req->nlmsg_seq);
	if (r < 0) {
		if (r != -EAGAIN)
			drain(s);
		return r;
	}
	if (s->seen != s->n) /* a link went */
		s->table_ok = false;
	return 0;
}

int netns_sock_links(struct netns_sock *s, const struct netns_link **ret, size_t *ret_n)
{
	int r;

	if (!s)
		return -EBADF;
	r = s->table_ok ? dump_stats(s) : 0;
	if (r < 0)
		return r;
	if (!s->table_ok) {
		/* a notification lost in a full socket buffer shows as ENOMEM
		 * (libnl's name for ENOBUFS): once more after reading it away */
		r = dump_table(s);
		if (r == -ENOMEM)
			r = dump_table(s);
		if (r < 0)
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
	int r;

	if (!s)
		return -EBADF;
	r = dump_table(s);
	if (r < 0)
		return r;
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

/* One datagram of notifications: FN for each link message; false when it
 * cannot be applied (truncated, or a link message without a name). */
static bool apply_batch(ssize_t len, netns_link_change_fn fn, void *ud)
{
	struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
	int left = (int)len;

	if (len > (ssize_t)sizeof(rbuf)) /* MSG_TRUNC: a part is missing */
		return false;
	for (; nlmsg_ok(h, left); h = nlmsg_next(h, &left)) {
		struct nlattr *tb[IFLA_MAX + 1];
		const struct ifinfomsg *ifi;

		if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
			continue;
		if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
			return false;
		ifi = nlmsg_data(h);
		if (h->nlmsg_type == RTM_DELLINK) {
			fn(ud, ifi->ifi_index, NULL);
			continue;
		}
		if (!tb[IFLA_IFNAME])
			return false;
		fn(ud, ifi->ifi_index, nla_get_string(tb[IFLA_IFNAME]));
	}
	return true;
}

int netns_watch_apply(struct netns_watch *w, netns_link_change_fn fn, void *ud)
{
	int fd = nl_socket_get_fd(w->nl), lost = 0;

	/* each notification carries the link as it is after its change, so
	 * applying them in order on top of any earlier table gives the
	 * current one; only a lost or unreadable one needs a dump */
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);

		if (n > 0) {
			if (!lost && !apply_batch(n, fn, ud))
				lost = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) { /* notifications were lost */
			lost = 1;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		return lost;
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
