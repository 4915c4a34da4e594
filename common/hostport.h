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

/* Whether two hosts are the same, ignoring case and the brackets of an IPv6 reference (sofia-sip
 * keeps them in url_host: "[::1]" names the host "::1" of the settings). Text comparison: two
 * spellings of one IPv6 address differ. NULL equals nothing. */
bool hostport_same_host(const char *a, const char *b);

/* Writes host, bracketed when it is a bare IPv6 literal (one already bracketed is kept), into
 * buf. Returns the length written, or -ENOSPC when it does not fit (buf then holds "") or
 * -EINVAL for an empty host. */
int hostport_host(char *buf, size_t len, const char *host);

/* Writes "host:port" ("[v6]:port"); port 0 writes the host alone. Same returns as
 * hostport_host. */
int hostport_format(char *buf, size_t len, const char *host, unsigned port);

#endif
