/* hostport.h: the one place that decides when an address needs brackets. */
#include "hostport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool hostport_is_v6(const char *host)
{
	return host && host[0] != '[' && strchr(host, ':') != NULL;
}

int hostport_format(char *buf, size_t len, const char *host, unsigned port)
{
	int n;

	if (!host || !*host) {
		if (len)
			buf[0] = '\0';
		return -EINVAL;
	}
	if (port)
		n = snprintf(buf, len, hostport_is_v6(host) ? "[%s]:%u" : "%s:%u", host, port);
	else
		n = snprintf(buf, len, hostport_is_v6(host) ? "[%s]" : "%s", host);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int hostport_host(char *buf, size_t len, const char *host)
{
	return hostport_format(buf, len, host, 0);
}
