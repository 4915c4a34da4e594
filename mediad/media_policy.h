/* Where the node may send media. A remote (from SDP, or a source about to be latched) is refused
 * when it is one of the node's own relay sockets (an own address with a port in the RTP range,
 * or on a loopback node a port it holds now: one packet would circle forever), when it falls in
 * [rtp] media_deny, or when [rtp] media_allow is set and it falls outside it. The default deny list
 * is loopback, link-local, multicast and reserved ranges plus the node's own addresses; the
 * loopback entries are left out when the node itself is bound on loopback (a single-host setup,
 * where the phones are there too).
 *
 * Built once from the configuration and read-only afterwards, so every thread may read it. No
 * allocation: fixed-size tables. */
#ifndef MEDIAD_MEDIA_POLICY_H
#define MEDIAD_MEDIA_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_addr.h"

#define MEDIA_POLICY_MAX_NETS 32
#define MEDIA_POLICY_MAX_OWN  16

struct media_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bits;
	uint8_t addr[16]; /* network byte order; 4 bytes used for IPv4 */
};

struct media_policy {
	struct media_net deny[MEDIA_POLICY_MAX_NETS], allow[MEDIA_POLICY_MAX_NETS];
	unsigned n_deny, n_allow;
	struct media_net own[MEDIA_POLICY_MAX_OWN]; /* host addresses (bits = 32 or 128) */
	unsigned n_own;
	unsigned port_min, port_max;
	bool loopback; /* the node is bound on loopback */
	/* [rtp] self_relay: nothing counts as the node's own, so a benchmark can chain sessions
	 * through one node (a looped packet then circles until a session closes). */
	bool allow_self;
	/* Per port: held by the node now (port_pool_publish). On a loopback node, where phones
	 * share the node's address, only held ports are the node's own. Owned; NULL = none. */
	atomic_uchar *held;
};

/* bind_ip/advertise_ip: the node's addresses (bind_ip may be the wildcard: then every local
 * interface address counts as its own). allow/deny: CIDR lists separated by spaces or commas
 * ("10.0.0.0/8, 2001:db8::/32"; a bare address is a host); deny NULL = the default list, "" or
 * "none" = nothing denied; allow NULL or "" = everything allowed. Overwrites *p whole (no held
 * map). Returns 0, or -EINVAL with err naming the key and the entry. */
int media_policy_init(struct media_policy *p, const char *bind_ip, const char *advertise_ip,
                      unsigned port_min, unsigned port_max, const char *allow, const char *deny,
                      char *err, size_t errlen);

/* Allocates p->held (zeroed); mediad_config does it. Returns 0 or -ENOMEM. */
int media_policy_track(struct media_policy *p);
void media_policy_free(struct media_policy *p);

/* True when a is one of the node's relay sockets: an own address with a port in the RTP range
 * (on a loopback node: a port the node holds now). */
bool media_policy_is_own(const struct media_policy *p, const struct net_addr *a);
/* True for a sockaddr as recvmsg reported it (the packet path's stranger check). */
bool media_policy_is_own_source(const struct media_policy *p, const void *sa, uint32_t len);

/* The same as media_policy_check() for a sockaddr as recvmsg reported it, without the text:
 * may the relay latch onto this source (and so send to it)? */
bool media_policy_allows_source(const struct media_policy *p, const void *sa, uint32_t len);

/* 0 when media may go to a, else -EACCES with why filled ("is this node's own relay port",
 * "is in [rtp] media_deny (127.0.0.0/8)", ...). */
int media_policy_check(const struct media_policy *p, const struct net_addr *a, char *why,
                       size_t len);

#endif
