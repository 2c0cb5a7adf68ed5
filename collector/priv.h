/* priv: the one place where the collecting process narrows its privileges,
 * after the netns helper has been forked and before anything a container
 * controls is parsed or the network is spoken to. */
#ifndef LXC_PRIV_H
#define LXC_PRIV_H

/* When USER is non-NULL (and not empty): switch to its uid, its primary gid
 * and no supplementary groups (this needs CAP_SETUID and CAP_SETGID).
 * Always: empty the effective, permitted, inheritable and ambient
 * capability sets, empty the bounding set too when CAP_SETPCAP is held
 * (without it the bounding set is left: no_new_privs makes it inert), set
 * no_new_privs, then verify that all of it holds. Works for root and for a
 * non-root process with ambient capabilities alike. Returns 0 or -errno
 * (-EPERM when a set could not be emptied; -ENOENT for an unknown user).
 * Idempotent. */
int priv_drop(const char *user);

/* The network namespace helper's capabilities, as a message names them:
 * "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_ADMIN and CAP_SYS_PTRACE",
 * or NULL when this process holds both in its permitted set (or when the
 * sets cannot be read: then the helper's own start-up says why). */
const char *priv_netns_missing(void);

#endif
