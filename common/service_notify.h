/* What the service manager needs to hear from a daemon (systemd's sd_notify protocol, through
 * $NOTIFY_SOCKET): ready once its listening sockets are up, reloading and stopping, and watchdog
 * pings from the thread that runs its loop, so a wedged loop gets the daemon restarted.
 *
 * Built without libsystemd (-DTANDEM_SYSTEMD=OFF) every call compiles to nothing; with it and no
 * $NOTIFY_SOCKET (started by hand) each is a no-op too. */
#ifndef TANDEM_SERVICE_NOTIFY_H
#define TANDEM_SERVICE_NOTIFY_H

#include <stdint.h>

#ifdef TANDEM_SYSTEMD

/* READY=1 with status (a line for `systemctl status`; may be NULL). */
void service_ready(const char *status);
/* RELOADING=1; a service_ready() must follow when the reload is over. */
void service_reloading(void);
/* STOPPING=1: shutdown has begun. */
void service_stopping(void);
/* The interval for service_watchdog() in ms: half of $WATCHDOG_USEC (at least 1), or 0 when the
 * service manager expects no pings. */
uint64_t service_watchdog_interval_ms(void);
/* WATCHDOG=1. */
void service_watchdog(void);

#else

static inline void service_ready(const char *status)
{
	(void)status;
}
static inline void service_reloading(void)
{
}
static inline void service_stopping(void)
{
}
static inline uint64_t service_watchdog_interval_ms(void)
{
	return 0;
}
static inline void service_watchdog(void)
{
}

#endif
#endif
