/* Parsing and printing of relay addresses; control plane only. */
#include "net_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

int net_addr_family(const char *ip)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!ip)
		return -EINVAL;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return AF_INET6;
	return -EINVAL;
}

int net_addr_parse(const char *ip, unsigned port, struct net_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!ip || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, ip, &out->u.in.sin_addr) == 1) {
		out->u.in.sin_family = AF_INET;
		out->u.in.sin_port = htons((uint16_t)port);
		out->len = sizeof(out->u.in);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &out->u.in6.sin6_addr) == 1) {
		out->u.in6.sin6_family = AF_INET6;
		out->u.in6.sin6_port = htons((uint16_t)port);
		out->len = sizeof(out->u.in6);
		return 0;
	}
	return -EINVAL;
}

bool net_addr_is_unspecified(const struct net_addr *a)
{
	if (a->len == sizeof(a->u.in))
		return a->u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->len == sizeof(a->u.in6))
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr);
	return false;
}

bool net_addr_is_group(const struct net_addr *a)
{
	if (a->len == sizeof(a->u.in)) {
		uint32_t h = ntohl(a->u.in.sin_addr.s_addr);

		return IN_MULTICAST(h) || h == INADDR_BROADCAST;
	}
	if (a->len == sizeof(a->u.in6))
		return IN6_IS_ADDR_MULTICAST(&a->u.in6.sin6_addr);
	return false;
}

void net_addr_ip(const struct net_addr *a, char *buf, size_t len)
{
	const void *src = a->len == sizeof(a->u.in6) ? (const void *)&a->u.in6.sin6_addr
	                                             : (const void *)&a->u.in.sin_addr;

	if (!len)
		return;
	buf[0] = '\0';
	if (a->len && !inet_ntop(a->u.sa.sa_family, src, buf, (socklen_t)len))
		buf[0] = '\0';
}

unsigned net_addr_port(const struct net_addr *a)
{
	if (a->len == sizeof(a->u.in))
		return ntohs(a->u.in.sin_port);
	if (a->len == sizeof(a->u.in6))
		return ntohs(a->u.in6.sin6_port);
	return 0;
}

void net_addr_set_port(struct net_addr *a, unsigned port)
{
	if (a->len == sizeof(a->u.in))
		a->u.in.sin_port = htons((uint16_t)port);
	else if (a->len == sizeof(a->u.in6))
		a->u.in6.sin6_port = htons((uint16_t)port);
}

void net_addr_format(const struct net_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!a->len) {
		snprintf(buf, len, "-");
		return;
	}
	net_addr_ip(a, ip, sizeof(ip));
	if (a->len == sizeof(a->u.in6))
		snprintf(buf, len, "[%s]:%u", ip, net_addr_port(a));
	else
		snprintf(buf, len, "%s:%u", ip, net_addr_port(a));
}
