/* priv: the one place where the collecting process narrows its privileges,
 * after the netns helper has been forked and before anything a container
 * controls is parsed or the network is spoken to. */
#ifndef LXC_PRIV_H
#define LXC_PRIV_H

/* When USER is non-NULL (and not empty): switch to its uid, its primary gid
 * and no supplementary groups. Always: empty the effective, permitted,
 * inheritable, ambient and bounding capability sets and set no_new_privs,
 * then verify that all of it holds. Returns 0 or -errno (-EPERM when the
 * sets could not be emptied, e.g. without CAP_SETPCAP for the bounding
 * set; -ENOENT for an unknown user). Idempotent. */
int priv_drop(const char *user);

#endif
