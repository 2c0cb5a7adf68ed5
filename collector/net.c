/* net: container_net points from sockets bound inside each container's
 * network namespace. The host-side dump maps a veth's IFLA_LINK (the
 * peer's ifindex in the host namespace) to the host-side interface name;
 * with a thousand containers it is a thousand links, as dear as all the
 * containers' own dumps together, so it is made once and then kept up to
 * date by the link notifications themselves (again only when some were
 * lost). */
#include "collector/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/log.h"
#include "netns/netns.h"

struct host_if {
	int ifindex;
	char name[16];
};

struct net {
	struct netns_helper *helper;
	const struct config *cfg;
	struct netns_sock *host;
	struct netns_watch *watch; /* NULL: dump the host side every cycle */
	struct host_if *hosts; /* sorted by ifindex */
	size_t nhosts, hosts_cap;
	bool host_ok;
	bool host_stale; /* the last dump failed: dump again, events or not */
};

struct net_ct {
	struct netns_sock *sock;
	uint64_t ino;
	char (*warned)[16]; /* interface names warned about, once each */
	size_t nwarned;
};

int net_new(struct netns_helper *helper, const struct config *cfg, struct net **ret)
{
	struct net *n;
	int r;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->helper = helper;
	n->cfg = cfg;
	r = netns_sock_host(&n->host);
	if (r < 0) {
		free(n);
		return r;
	}
	if (netns_watch_links(&n->watch) < 0)
		n->watch = NULL;
	*ret = n;
	return 0;
}

void net_free(struct net *n)
{
	if (!n)
		return;
	netns_sock_free(n->host);
	netns_watch_free(n->watch);
	free(n->hosts);
	free(n);
}

static int host_cmp(const void *a, const void *b)
{
	const struct host_if *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* One link notification on the host map: added, renamed or (NAME NULL)
 * removed. Out of memory: host_stale, a dump next. */
static void host_apply(void *ud, int ifindex, const char *name)
{
	struct net *n = ud;
	size_t lo = 0, hi = n->nhosts;

	while (lo < hi) { /* the first entry with an ifindex >= IFINDEX */
		size_t mid = lo + (hi - lo) / 2;

		if (n->hosts[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n->nhosts && n->hosts[lo].ifindex == ifindex) {
		if (!name) {
			memmove(&n->hosts[lo], &n->hosts[lo + 1],
				(n->nhosts - lo - 1) * sizeof(*n->hosts));
			n->nhosts--;
			return;
		}
	} else {
		if (!name)
			return;
		if (n->nhosts == n->hosts_cap) {
			size_t cap = n->hosts_cap ? n->hosts_cap * 2 : 16;
			struct host_if *h = reallocarray(n->hosts, cap, sizeof(*h));

			if (!h) {
				n->host_stale = true;
				return;
			}
			n->hosts = h;
			n->hosts_cap = cap;
		}
		memmove(&n->hosts[lo + 1], &n->hosts[lo], (n->nhosts - lo) * sizeof(*n->hosts));
		n->nhosts++;
		n->hosts[lo].ifindex = ifindex;
	}
	snprintf(n->hosts[lo].name, sizeof(n->hosts[lo].name), "%s", name);
}

int net_cycle_begin(struct net *n)
{
	const struct netns_link *links;
	size_t nl;
	int r, tries = 0;

	/* The watch is subscribed before the first dump; after it the
	 * notifications themselves keep the map (a change during a dump is
	 * applied at the next call, on top of it). A dump again only when
	 * some were lost. */
	if (n->host_ok && !n->host_stale && n->watch &&
	    netns_watch_apply(n->watch, host_apply, n) == 0 && !n->host_stale)
		return 0;
	n->host_stale = true; /* until a dump succeeds */

	/* A dump is interrupted (NLM_F_DUMP_INTR) when links come or go
	 * meanwhile; on a host starting many containers that can happen a few
	 * times in a row. Then the map of the previous cycle stays: peers of
	 * containers that existed then are still named right. */
	do
		r = netns_sock_links(n->host, &links, &nl);
	while (r == -EAGAIN && ++tries < 5);
	if (r < 0)
		return r;
	if (nl > n->hosts_cap) {
		struct host_if *h = realloc(n->hosts, nl * sizeof(*h));

		if (!h)
			return -ENOMEM;
		n->hosts = h;
		n->hosts_cap = nl;
	}
	for (size_t i = 0; i < nl; i++) {
		n->hosts[i].ifindex = links[i].ifindex;
		memcpy(n->hosts[i].name, links[i].name, sizeof(n->hosts[i].name));
		n->hosts[i].name[sizeof(n->hosts[i].name) - 1] = '\0';
	}
	n->nhosts = nl;
	qsort(n->hosts, n->nhosts, sizeof(*n->hosts), host_cmp);
	n->host_ok = true;
	n->host_stale = false;
	return 0;
}

static const char *host_name(const struct net *n, int ifindex)
{
	struct host_if key = { .ifindex = ifindex };
	const struct host_if *h;

	if (!n->host_ok || ifindex <= 0)
		return NULL;
	h = bsearch(&key, n->hosts, n->nhosts, sizeof(*n->hosts), host_cmp);
	return h ? h->name : NULL;
}

int net_ct_sync(struct net *n, struct net_ct **slot, pid_t pid, uint64_t starttime, int *ret_root)
{
	struct net_ct *c = *slot;
	uint64_t ino;
	int fd, root = -1, r;

	r = netns_helper_open_root(n->helper, pid, starttime, &fd, &ino, &root);
	if (r < 0)
		return r;
	if (c && c->sock && c->ino == ino) {
		/* same namespace (the init was found again): keep the socket */
		close(fd);
		*ret_root = root;
		return 0;
	}
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			r = -ENOMEM;
			goto fail;
		}
	} else {
		netns_sock_free(c->sock);
		c->sock = NULL;
	}
	r = netns_sock_adopt(fd, &c->sock);
	if (r < 0) {
		net_ct_free(c);
		*slot = NULL;
		goto fail;
	}
	c->ino = ino;
	*slot = c;
	*ret_root = root;
	return 0;
fail:
	if (root >= 0)
		close(root);
	return r;
}

void net_ct_release(struct net_ct *c)
{
	if (!c)
		return;
	netns_sock_free(c->sock);
	c->sock = NULL;
	c->ino = 0;
}

void net_ct_free(struct net_ct *c)
{
	if (!c)
		return;
	netns_sock_free(c->sock);
	free(c->warned);
	free(c);
}

static int write_link(struct net *n, const struct netns_link *l, const struct ct_ident *id,
		      int64_t ts_ns, struct lp_buf *b, const char *measurement)
{
	const char *peer = l->veth ? host_name(n, l->link_ifindex) : NULL;
	bool lxd2influx = n->cfg->schema == CFG_SCHEMA_LXD2INFLUX && !measurement;
	int r;

	/* a host-side name lp_tag() would refuse: leave the tag out rather
	 * than lose the container's interface */
	if (peer && !lp_tag_ok(peer))
		peer = NULL;

	if (!measurement)
		measurement = lxd2influx ? "network" : "container_net";
	r = schema_begin(b, measurement, id);
	if (r < 0)
		return r;
	r = lp_tag(b, "interface", l->name);
	if (r >= 0 && peer && !lxd2influx)
		r = lp_tag(b, "host_interface", peer);
	if (r >= 0)
		r = lp_field_u64(b, "rx_bytes", l->rx_bytes);
	if (r >= 0)
		r = lp_field_u64(b, "tx_bytes", l->tx_bytes);
	if (r >= 0)
		r = lp_field_u64(b, "rx_packets", l->rx_packets);
	if (r >= 0)
		r = lp_field_u64(b, "tx_packets", l->tx_packets);
	if (!lxd2influx) {
		if (r >= 0)
			r = lp_field_u64(b, "rx_errors", l->rx_errors);
		if (r >= 0)
			r = lp_field_u64(b, "tx_errors", l->tx_errors);
		if (r >= 0)
			r = lp_field_u64(b, "rx_dropped", l->rx_dropped);
		if (r >= 0)
			r = lp_field_u64(b, "tx_dropped", l->tx_dropped);
	}
	if (r < 0) {
		lp_abort(b);
		return r;
	}
	return lp_end(b, ts_ns);
}

/* True when NAME was warned about already; otherwise remembers it. */
static bool warned_before(struct net_ct *c, const char *name)
{
	char (*w)[16];

	for (size_t i = 0; i < c->nwarned; i++)
		if (strncmp(c->warned[i], name, sizeof(c->warned[i])) == 0)
			return true;
	w = realloc(c->warned, (c->nwarned + 1) * sizeof(*w));
	if (!w)
		return false; /* warn again next time rather than never */
	c->warned = w;
	snprintf(c->warned[c->nwarned++], sizeof(*w), "%s", name);
	return false;
}

int net_ct_links(struct net_ct *c, const struct netns_link **ret, size_t *ret_n)
{
	int r;

	r = netns_sock_links(c->sock, ret, ret_n);
	if (r == -EAGAIN)
		r = netns_sock_links(c->sock, ret, ret_n);
	return r;
}

int net_ct_write(struct net *n, struct net_ct *c, const struct netns_link *links, size_t nl,
		 const struct ct_ident *id, int64_t ts_ns, struct lp_buf *b, struct lp_buf *side)
{
	int r, points = 0;

	for (size_t i = 0; i < nl; i++) {
		const struct netns_link *l = &links[i];
		bool excluded = strv_match(&n->cfg->interfaces_exclude, l->name);
		char esc[80];

		if (excluded && !side)
			continue;
		if (!lp_tag_ok(l->name)) {
			/* warn once per name, not every cycle (a container
			 * may have several such interfaces) */
			if (!warned_before(c, l->name))
				log_warning("container %s: interface %s cannot be written as line protocol, skipping",
					    id->name, log_escape(l->name, esc, sizeof(esc)));
			continue;
		}
		if (excluded) {
			r = write_link(n, l, id, ts_ns, side, "_container_net");
			if (r < 0)
				return r;
			continue;
		}
		r = write_link(n, l, id, ts_ns, b, NULL);
		if (r < 0)
			return r;
		points++;
	}
	return points;
}
