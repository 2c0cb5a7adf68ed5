/* net: the collector's side of network statistics: one socket per
 * container (made by the netns helper inside its namespace), one host-side
 * dump per cycle to name veth peers, and the container_net points. */
#ifndef LXC_NET_H
#define LXC_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collector/config.h"
#include "collector/lp.h"
#include "collector/schema.h"

struct netns_helper;
struct netns_link;
struct net;
struct net_ct;

int net_new(struct netns_helper *helper, const struct config *cfg, struct net **ret);
void net_free(struct net *n);
/* Once per cycle, before the containers: the host-side link dump. */
int net_cycle_begin(struct net *n);
/* Make *slot a socket in the namespace of init PID (start time
 * starttime). Keeps the current socket when the namespace is unchanged.
 * ret_root: the init's root directory (read-only), -1 when it could not be
 * opened; the caller owns it. -EXDEV: the container shares the host's
 * namespace (no net points); -ESRCH: the process is gone. */
int net_ct_sync(struct net *n, struct net_ct **slot, pid_t pid, uint64_t starttime, int *ret_root);
/* One link dump of the container's namespace. The array is owned by the
 * socket and valid until the next dump on it. */
int net_ct_links(struct net_ct *c, const struct netns_link **ret, size_t *ret_n);
/* Append the interface points of LINKS (from net_ct_links()); returns the
 * number written. SIDE (may be NULL): where the interfaces [collector]
 * interfaces_exclude keeps out go, as "_container_net" points (for
 * /1.0/metrics). */
int net_ct_write(struct net *n, struct net_ct *c, const struct netns_link *links, size_t nl,
		 const struct ct_ident *id, int64_t ts_ns, struct lp_buf *b, struct lp_buf *side);
/* Close the socket but keep what C remembers (interfaces warned about):
 * the next net_ct_sync() obtains a new one. For containers read cold. */
void net_ct_release(struct net_ct *c);
void net_ct_free(struct net_ct *c);

#endif
