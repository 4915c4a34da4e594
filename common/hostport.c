/* hostport.h: the one place that decides when an address needs brackets. */
#include "hostport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* host without its brackets: start and length. */
static void bare(const char *h, const char **start, size_t *len)
{
	size_t n = strlen(h);

	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		*start = h + 1;
		*len = n - 2;
	} else {
		*start = h;
		*len = n;
	}
}

bool hostport_same_host(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t na, nb;

	if (!a || !b)
		return false;
	bare(a, &sa, &na);
	bare(b, &sb, &nb);
	return na == nb && strncasecmp(sa, sb, na) == 0;
}
