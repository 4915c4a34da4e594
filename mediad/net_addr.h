/* A UDP transport address (IPv4 or IPv6) as the relay keeps it: a sockaddr ready to hand to the
 * kernel, so the packet path never converts addresses. len == 0 means "not known". The packet
 * path only uses the inline comparisons here; parsing and printing are for the control plane. */
#ifndef MEDIAD_NET_ADDR_H
#define MEDIAD_NET_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

struct net_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len; /* 0: unknown */
};

/* Longest text net_addr_format() writes: "[v6]:port". */
#define NET_ADDR_TEXT 64

/* Parses a numeric IPv4 or IPv6 literal (no names) and a port into out.
 * Returns 0, or -EINVAL (not an IP literal, or port above 65535). */
int net_addr_parse(const char *ip, unsigned port, struct net_addr *out);

/* The address family of a numeric IP literal: AF_INET, AF_INET6, or -EINVAL. */
int net_addr_family(const char *ip);

/* True for 0.0.0.0 / :: (SDP's "on hold" address). */
bool net_addr_is_unspecified(const struct net_addr *a);
/* True for multicast and the IPv4 limited broadcast, which a relay never sends to. */
bool net_addr_is_group(const struct net_addr *a);

/* The IP as text ("1.2.3.4", "::1") and the port; for RPC replies and logs. */
void net_addr_ip(const struct net_addr *a, char *buf, size_t len);
unsigned net_addr_port(const struct net_addr *a);
void net_addr_set_port(struct net_addr *a, unsigned port);
/* "ip:port" or "[ip]:port"; "-" when unknown. */
void net_addr_format(const struct net_addr *a, char *buf, size_t len);

/* Copies a source address as recvmsg reported it. Lengths other than the two families are
 * stored as unknown. */
static inline void net_addr_from_sockaddr(struct net_addr *a, const void *sa, socklen_t len)
{
	if (len == sizeof(struct sockaddr_in) || len == sizeof(struct sockaddr_in6)) {
		memcpy(&a->u, sa, len);
		a->len = len;
	} else {
		a->len = 0;
	}
}

/* Same family, address and port as a recvmsg source (the latching test, once per packet). */
static inline bool net_addr_matches(const struct net_addr *a, const void *sa, socklen_t len)
{
	const struct sockaddr_in *s4 = sa;
	const struct sockaddr_in6 *s6 = sa;

	if (a->len != len)
		return false;
	if (len == sizeof(struct sockaddr_in))
		return a->u.in.sin_port == s4->sin_port &&
		       a->u.in.sin_addr.s_addr == s4->sin_addr.s_addr;
	return a->u.in6.sin6_port == s6->sin6_port &&
	       memcmp(&a->u.in6.sin6_addr, &s6->sin6_addr, sizeof(s6->sin6_addr)) == 0;
}

/* Same family and IP address as a recvmsg source, whatever the port. */
static inline bool net_addr_same_ip(const struct net_addr *a, const void *sa, socklen_t len)
{
	const struct sockaddr_in *s4 = sa;
	const struct sockaddr_in6 *s6 = sa;

	if (!a->len || a->len != len)
		return false;
	if (len == sizeof(struct sockaddr_in))
		return a->u.in.sin_addr.s_addr == s4->sin_addr.s_addr;
	return memcmp(&a->u.in6.sin6_addr, &s6->sin6_addr, sizeof(s6->sin6_addr)) == 0;
}

/* Both unknown, or the same family, address and port. */
static inline bool net_addr_equal(const struct net_addr *a, const struct net_addr *b)
{
	return a->len == b->len && (!a->len || net_addr_matches(a, &b->u, b->len));
}

#endif
