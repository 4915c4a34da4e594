/* sd_notify from libsystemd. The environment is left in place (unset_environment 0): nothing
 * this daemon starts reads it, and a re-read after a reload must see the same socket. */
#include "service_notify.h"

#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"

static void send_state(const char *state)
{
	static int warned;
	int rc = sd_notify(0, state);

	/* 0: no service manager listening; only a failed send is worth a line, once. */
	if (rc < 0 && !warned) {
		warned = 1;
		log_warn("service", "cannot notify the service manager: error %d", -rc);
	}
}

void service_ready(const char *status)
{
	char msg[512];

	if (status)
		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	else
		snprintf(msg, sizeof(msg), "READY=1");
	send_state(msg);
}

void service_reloading(void)
{
	struct timespec ts;
	char msg[96];

	/* MONOTONIC_USEC lets a service manager match READY=1 to this reload (Type=notify-reload).
	 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ull +
	             (unsigned long long)ts.tv_nsec / 1000);
	send_state(msg);
}

void service_stopping(void)
{
	send_state("STOPPING=1");
}

uint64_t service_watchdog_interval_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || !usec)
		return 0;
	return usec / 2000 ? usec / 2000 : 1;
}

void service_watchdog(void)
{
	send_state("WATCHDOG=1");
}
