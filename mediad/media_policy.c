/* The media destination policy: CIDR tables and the node's own addresses, built once. */
#include "media_policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loopback entries first: they are the ones left out on a loopback-bound node. */
#define DEFAULT_LOOPBACK "127.0.0.0/8 ::1/128 ::ffff:127.0.0.0/104"
#define DEFAULT_OTHERS                                                                             \
	"0.0.0.0/8 169.254.0.0/16 224.0.0.0/4 240.0.0.0/4 fe80::/10 ff00::/8 "                     \
	"::ffff:169.254.0.0/112 ::ffff:224.0.0.0/100"

static int net_parse(const char *text, struct media_net *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned max;
	long bits;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6, max = 128;
	else
		return -EINVAL;
	bits = max;
	if (slash) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || bits < 0 || bits > (long)max)
			return -EINVAL;
	}
	out->bits = (uint8_t)bits;
	return 0;
}

static bool net_contains(const struct media_net *n, int family, const uint8_t *addr)
{
	unsigned full = n->bits / 8u, rest = n->bits % 8u;

	if (n->family != family || memcmp(n->addr, addr, full) != 0)
		return false;
	if (!rest)
		return true;
	return ((n->addr[full] ^ addr[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

static const uint8_t *addr_bytes(const struct sockaddr *sa, uint32_t len, int *family)
{
	if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		*family = AF_INET;
		return (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	}
	if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		*family = AF_INET6;
		return (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	}
	return NULL;
}

static const struct media_net *find(const struct media_net *tab, unsigned n, int family,
                                    const uint8_t *addr)
{
	for (unsigned i = 0; i < n; i++)
		if (net_contains(&tab[i], family, addr))
			return &tab[i];
	return NULL;
}

/* Appends every entry of list to tab. */
static int parse_list(const char *key, const char *list, struct media_net *tab, unsigned *n,
                      char *err, size_t errlen)
{
	const char *p = list;

	while (*p) {
		char item[INET6_ADDRSTRLEN + 8];
		size_t len = strcspn(p, " ,\t");

		if (!len) {
			p++;
			continue;
		}
		if (len >= sizeof(item) || *n >= MEDIA_POLICY_MAX_NETS) {
			snprintf(err, errlen, "[rtp] %s: %s", key,
			         len >= sizeof(item) ? "an entry is too long"
			                             : "more than 32 entries");
			return -EINVAL;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (strcmp(item, "none") != 0) {
			if (net_parse(item, &tab[*n])) {
				snprintf(err, errlen, "[rtp] %s: '%s' is not an address or CIDR",
				         key, item);
				return -EINVAL;
			}
			(*n)++;
		}
		p += len;
	}
	return 0;
}

static void add_own(struct media_policy *p, const struct media_net *n)
{
	struct media_net host = *n;

	host.bits = n->family == AF_INET ? 32 : 128;
	if (p->n_own < MEDIA_POLICY_MAX_OWN && !find(p->own, p->n_own, n->family, n->addr))
		p->own[p->n_own++] = host;
}

/* A wildcard bind: every address of the family on a local interface is the node's. */
static void add_interfaces(struct media_policy *p, int family)
{
	struct ifaddrs *ifs, *i;

	if (getifaddrs(&ifs))
		return;
	for (i = ifs; i; i = i->ifa_next) {
		struct media_net n = {0};
		const uint8_t *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		a = addr_bytes(i->ifa_addr,
		               family == AF_INET ? sizeof(struct sockaddr_in)
		                                 : sizeof(struct sockaddr_in6),
		               &n.family);
		if (!a)
			continue;
		memcpy(n.addr, a, family == AF_INET ? 4 : 16);
		add_own(p, &n);
	}
	freeifaddrs(ifs);
}

int media_policy_init(struct media_policy *p, const char *bind_ip, const char *advertise_ip,
                      unsigned port_min, unsigned port_max, const char *allow, const char *deny,
                      char *err, size_t errlen)
{
	struct media_net bind, adv;
	static const uint8_t zero[16];
	int rc;

	memset(p, 0, sizeof(*p));
	p->port_min = port_min;
	p->port_max = port_max;
	if (net_parse(bind_ip, &bind) || strchr(bind_ip, '/')) {
		snprintf(err, errlen, "[rtp] bind_ip: '%s' is not an IP address", bind_ip);
		return -EINVAL;
	}
	add_own(p, &bind);
	if (advertise_ip && !net_parse(advertise_ip, &adv) && !strchr(advertise_ip, '/'))
		add_own(p, &adv);
	if (memcmp(bind.addr, zero, bind.family == AF_INET ? 4 : 16) == 0)
		add_interfaces(p, bind.family);
	/* addr is a byte array with no alignment: copy it before the in6_addr macros, which
	 * read it as 32-bit words. */
	struct in6_addr a6;
	memcpy(&a6, bind.addr, sizeof(a6));
	p->loopback = (bind.family == AF_INET && bind.addr[0] == 127) ||
	              (bind.family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a6));
	if (!deny) {
		rc = parse_list("media_deny", DEFAULT_OTHERS, p->deny, &p->n_deny, err, errlen);
		if (!rc && !p->loopback)
			rc = parse_list("media_deny", DEFAULT_LOOPBACK, p->deny, &p->n_deny, err,
			                errlen);
		/* No phone has the media node's own address, except on a single-host setup. */
		for (unsigned i = 0; !rc && !p->loopback && i < p->n_own; i++)
			if (p->n_deny < MEDIA_POLICY_MAX_NETS)
				p->deny[p->n_deny++] = p->own[i];
	} else {
		rc = parse_list("media_deny", deny, p->deny, &p->n_deny, err, errlen);
	}
	if (!rc && allow)
		rc = parse_list("media_allow", allow, p->allow, &p->n_allow, err, errlen);
	return rc;
}

int media_policy_track(struct media_policy *p)
{
	p->held = calloc(65536, sizeof(*p->held));
	return p->held ? 0 : -ENOMEM;
}

void media_policy_free(struct media_policy *p)
{
	free(p->held);
	p->held = NULL;
}

/* A single-host setup shares the address with the phones: a port of the range the node does
 * not hold may be a phone's. */
static bool own_port(const struct media_policy *p, unsigned port)
{
	if (port < p->port_min || port > p->port_max)
		return false;
	return !p->loopback ||
	       (p->held && atomic_load_explicit(&p->held[port], memory_order_relaxed));
}

bool media_policy_is_own_source(const struct media_policy *p, const void *sa, uint32_t len)
{
	int family;
	const uint8_t *a = addr_bytes(sa, len, &family);
	unsigned port;

	if (!a || p->allow_self)
		return false;
	port = ntohs(family == AF_INET ? ((const struct sockaddr_in *)sa)->sin_port
	                               : ((const struct sockaddr_in6 *)sa)->sin6_port);
	return own_port(p, port) && find(p->own, p->n_own, family, a) != NULL;
}

bool media_policy_is_own(const struct media_policy *p, const struct net_addr *a)
{
	return a->len && media_policy_is_own_source(p, &a->u, a->len);
}

static void net_text(const struct media_net *n, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(n->family, n->addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, n->bits);
}

/* The rule that refuses a: 0 none, 1 own relay port, 2 denied (*n names the entry), 3 not
 * allowed. */
static int verdict(const struct media_policy *p, const void *sa, uint32_t len,
                   const struct media_net **n)
{
	int family;
	const uint8_t *b = addr_bytes(sa, len, &family);

	if (!b)
		return 0;
	if (media_policy_is_own_source(p, sa, len))
		return 1;
	if ((*n = find(p->deny, p->n_deny, family, b)))
		return 2;
	if (p->n_allow && !find(p->allow, p->n_allow, family, b))
		return 3;
	return 0;
}

bool media_policy_allows_source(const struct media_policy *p, const void *sa, uint32_t len)
{
	const struct media_net *n;

	return verdict(p, sa, len, &n) == 0;
}

int media_policy_check(const struct media_policy *p, const struct net_addr *a, char *why,
                       size_t len)
{
	const struct media_net *n = NULL;
	char text[INET6_ADDRSTRLEN + 8];

	if (!p || !a->len)
		return 0;
	switch (verdict(p, &a->u, a->len, &n)) {
	case 1:
		snprintf(why, len, "is one of this media node's own relay ports");
		return -EACCES;
	case 2:
		net_text(n, text, sizeof(text));
		snprintf(why, len, "is in [rtp] media_deny (%s)", text);
		return -EACCES;
	case 3:
		snprintf(why, len, "is outside [rtp] media_allow");
		return -EACCES;
	default:
		return 0;
	}
}
