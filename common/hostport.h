/* Host and port as they appear in URIs and in logs: an IPv6 literal goes in brackets
 * (RFC 3986 3.2.2, RFC 3261 25.1), anything else as it is. Pure functions, no allocation. */
#ifndef TANDEM_HOSTPORT_H
#define TANDEM_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text hostport_format writes for an IP literal: "[" INET6_ADDRSTRLEN "]:65535". */
#define HOSTPORT_LEN 64

/* True when host is an IPv6 literal without brackets (it holds a ':'). */
bool hostport_is_v6(const char *host);

/* Writes host, bracketed when it is a bare IPv6 literal (one already bracketed is kept), into
 * buf. Returns the length written, or -ENOSPC when it does not fit (buf then holds "") or
 * -EINVAL for an empty host. */
int hostport_host(char *buf, size_t len, const char *host);

/* Writes "host:port" ("[v6]:port"); port 0 writes the host alone. Same returns as
 * hostport_host. */
int hostport_format(char *buf, size_t len, const char *host, unsigned port);

#endif
