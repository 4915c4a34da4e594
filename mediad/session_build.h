/* Turns CreateSession and UpdateSession requests into relay objects: checks every field a
 * client can get wrong (counts, kinds, directions, addresses), leases ports, and fills both the
 * control thread's session and the relay session or update that will go to the worker. A
 * request is checked whole before any port is leased, and a failure leaves nothing leased.
 *
 * Errors are returned as RPC status codes (RPC_OK on success) with msg saying what was wrong,
 * e.g. "leg_b.streams[1].remote_rtp: '10.0.0.300' is not an IP address". Control thread only. */
#ifndef MEDIAD_SESSION_BUILD_H
#define MEDIAD_SESSION_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "media_policy.h"
#include "port_pool.h"
#include "relay.h"
#include "rpc.h"
#include "session_table.h"
#include "worker.h"

struct build_env {
	struct port_pool *pool; /* borrowed */
	int family;             /* AF_INET or AF_INET6: the relay's sockets */
	bool strict;            /* the session's strict-source flag (after this request) */
	/* Where media may go (borrowed, outlives every session); NULL = anywhere. */
	const struct media_policy *policy;
	uint64_t learn_ns, relearn_ns; /* latching, copied into new relay sessions */
};

/* Checks an Endpoint: out->len 0 when absent, port 0 or the unspecified address ("not known"
 * or on hold). where names the field in msg. */
int session_build_endpoint(const RpcEndpoint *ep, int family, struct net_addr *out,
                           const char *where, char *msg, size_t len);

/* Checks an endpoint against the policy: RPC_OK, or RPC_INVALID_ADDRESS with msg saying which
 * rule refused it. */
int session_build_destination(const struct media_policy *policy, const struct net_addr *a,
                              const char *where, char *msg, size_t len);

/* Builds s's streams and *out (key, streams, latching; options are the caller's) from req.
 * Remotes are checked against env->policy. */
int session_build_create(const struct build_env *env, const RpcCreateSessionRequest *req,
                         struct session *s, struct relay_session **out, char *msg, size_t len);

/* Builds the update for req (options excepted) and appends added streams to s. */
int session_build_update(const struct build_env *env, struct session *s,
                         const RpcUpdateSessionRequest *req, struct relay_update **out, char *msg,
                         size_t len);

/* Gives a stream's ports back (its sockets must be closed). */
void session_build_release(struct port_pool *pool, const struct session_stream *ss);

#endif
