/* notify: the sd_notify(3) protocol, written out: one datagram to the
 * AF_UNIX socket named by $NOTIFY_SOCKET. It is a few lines, it keeps
 * libsystemd out of the collecting process, and it behaves the same when
 * not run by systemd (no socket: nothing to do). */
#ifndef LXC_NOTIFY_H
#define LXC_NOTIFY_H

#include <stdint.h>

/* Read NOTIFY_SOCKET and WATCHDOG_USEC (honouring WATCHDOG_PID); unset
 * them so children do not inherit them. */
void notify_init(void);
/* Send STATE ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=..."). */
int notify_send(const char *state);
/* The watchdog interval systemd asked for, 0 when none. */
uint64_t notify_watchdog_usec(void);

#endif
