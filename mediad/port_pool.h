/* The node's RTP port range: even ports for RTP, the odd port above for RTCP (a stream with
 * rtcp-mux takes an even port alone and leaves its odd neighbour unused). A lease is a port pair
 * with its sockets already bound on [rtp] bind_ip; ports another program holds are skipped.
 * Freed ports go to the back of the line, so a just-closed port is the last to be reused.
 *
 * Control thread only. The pool hands the bound sockets to the caller and forgets them: the
 * lease's fds are the caller's to close, and port_pool_release() must follow the close. */
#ifndef MEDIAD_PORT_POOL_H
#define MEDIAD_PORT_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct port_pool;

struct port_lease {
	uint16_t port; /* even RTP port; RTCP is port + 1 unless mux */
	bool mux;
	int rtp_fd;  /* bound UDP socket, owned by the caller */
	int rtcp_fd; /* bound UDP socket on port + 1, -1 when mux */
};

/* Pairs (p, p+1) with p even and port_min <= p < p+1 <= port_max. bind_ip is a numeric IPv4 or
 * IPv6 literal. Returns 0, -EINVAL (bad address or no pair fits) or -ENOMEM. */
int port_pool_new(struct port_pool **out, const char *bind_ip, unsigned port_min,
                  unsigned port_max);
void port_pool_free(struct port_pool *pool);

/* Makes the pair with index `start` (modulo the number of pairs) the first one leased, the
 * others following in order and wrapping around. Only before the first lease (-EBUSY after).
 * mediad starts at a random pair, so a restarted node does not hand new calls the ports that
 * the previous process gave calls whose phones may still be sending. */
int port_pool_start_at(struct port_pool *pool, unsigned start);

/* Takes the next pair whose sockets can be bound. Returns 0, -ENOSPC (every free pair was tried
 * and none could be bound, or none is free), or the -errno that stopped it (-EMFILE, ...). On
 * failure nothing stays bound or reserved. */
int port_pool_acquire(struct port_pool *pool, bool mux, struct port_lease *out);

/* Returns a pair (by its RTP port) to the pool once its sockets are closed. Unknown or free
 * ports are ignored with -EINVAL. */
int port_pool_release(struct port_pool *pool, uint16_t port);

/* Marks every port of a lease in held (65536 entries, borrowed) while it is leased, for threads
 * that must recognise the node's own sockets (media_policy.h). Relaxed stores: a reader may see
 * a lease a moment late, never a torn value. */
void port_pool_publish(struct port_pool *pool, atomic_uchar *held);

unsigned port_pool_free_count(const struct port_pool *pool); /* pairs free now */
unsigned port_pool_total(const struct port_pool *pool);      /* pairs in the range */
int port_pool_family(const struct port_pool *pool);          /* AF_INET or AF_INET6 */

#endif
