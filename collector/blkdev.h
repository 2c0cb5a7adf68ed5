/* blkdev: block device names by device number, for the device label of
 * /1.0/metrics' disk families. The cgroup files name a device by
 * MAJ:MIN only; the kernel's name of it is DEVNAME in
 * SYS/dev/block/MAJ:MIN/uevent (readable without privileges, and not
 * hidden by the unit's ProcSubset=pid as /proc/partitions is). Each
 * device costs one lookup, the first time it is seen; names are kept for
 * the daemon's life, failed lookups too. */
#ifndef LXC_BLKDEV_H
#define LXC_BLKDEV_H

#include <stddef.h>
#include <stdint.h>

#define BLKDEV_NAME_MAX 64 /* names longer than 63 bytes are not used */

struct blkdev_names;

/* SYS_ROOT: where sysfs is ("/sys"; a fixture tree in tests). NULL on
 * out-of-memory. */
struct blkdev_names *blkdev_names_new(const char *sys_root);
void blkdev_names_free(struct blkdev_names *n);
/* The name of MAJOR:MINOR: the kernel's, or "MAJ:MIN" when it has none
 * (the device is gone, or its name is not printable ASCII without
 * blanks, quotes or backslashes). Valid until the next call. */
const char *blkdev_name(struct blkdev_names *n, uint32_t major, uint32_t minor);
/* Pure: DEVNAME of a uevent buffer into RET (SIZE bytes): 0, -ENOENT
 * without one, -EINVAL when it is empty, too long or holds a character
 * outside 0x21-0x7e or one of " ' \ , = (kept out of labels and tags). */
int blkdev_parse_uevent(const char *buf, size_t len, char *ret, size_t size);

#endif
