/* preflight: what start-up needs of this host, checked before anything
 * starts. `lxcollectd -t` runs the same checks, so that it refuses
 * exactly what start-up refuses, with the same words. */
#ifndef LXC_PREFLIGHT_H
#define LXC_PREFLIGHT_H

#include <stdbool.h>

#include "collector/config.h"

/* Check CFG against the host: [collector] proc_root is a directory,
 * cgroup_root holds a cgroup hierarchy, and (when SPOOL) [spool] dir is,
 * or can be made, a writable directory; what the probe made is removed
 * again. Each problem is pushed to ERRORS as "FILE:SECTION.KEY: message".
 * Returns 0 when all is well, -EINVAL when ERRORS got a problem, -ENOMEM. */
int preflight_check(const struct config *cfg, bool spool, struct strv *errors);

#endif
