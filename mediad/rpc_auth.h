/* mediad's side of CURVE authentication: the ZAP handler that lets in the client keys of
 * [mediad] rpc_clients_file and refuses every other, and the watch on the ROUTER's handshake
 * failures (clients without CURVE or with another server key never reach ZAP). A refused key is
 * logged once; handshake failures once, then as a count at most once a minute, so a client
 * retrying every few hundred milliseconds cannot flood the log.
 *
 * Control thread only: its sockets are served from the control loop like the ROUTER (poll the
 * fds, then rpc_auth_drain). The allowlist is borrowed. */
#ifndef MEDIAD_RPC_AUTH_H
#define MEDIAD_RPC_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "rpc_keys.h"

struct rpc_auth;

/* Binds the ZAP handler in zctx; must run before the ROUTER with CURVE is bound. */
int rpc_auth_new(struct rpc_auth **out, void *zctx, const struct rpc_allowlist *clients);
/* Starts watching router's handshakes. Returns 0 or -errno (then failures are not logged). */
int rpc_auth_watch(struct rpc_auth *a, void *zctx, void *router);
void rpc_auth_free(struct rpc_auth *a);

/* The fds to poll (ZeroMQ's, edge-style); fills up to 2, returns how many. */
int rpc_auth_fds(const struct rpc_auth *a, int fds[2]);
/* Answers waiting ZAP requests and reads handshake events. */
void rpc_auth_drain(struct rpc_auth *a, uint64_t now_ms);

#endif
