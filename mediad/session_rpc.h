/* The session requests (CreateSession, UpdateSession, DeleteSession, QuerySession,
 * ListSessions) and the replies to them once a worker has answered; also the node's own
 * closing of a session (owner silent, shutdown), which ends in a SessionClosed event.
 * Control thread only. Handlers have the rpc_handler_fn shape, with arg = struct mediad. */
#ifndef MEDIAD_SESSION_RPC_H
#define MEDIAD_SESSION_RPC_H

#include "control.h"
#include "rpc_server.h"
#include "worker.h"

void session_rpc_create(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void session_rpc_update(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void session_rpc_delete(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void session_rpc_query(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void session_rpc_list(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void session_rpc_claim(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);

/* Only the owner (same key and routing id) touches a session; an admin key touches any. */
bool session_rpc_may_touch(const struct rpc_peer *peer, const struct session *s);

/* A worker answered m (any op but WMSG_RTP_TIMEOUT); takes m. */
void session_rpc_answer(struct mediad *md, struct wmsg *m);

/* Closes s for the node's own reason: the worker stops it, its ports return, its owner gets a
 * SessionClosed event with the final counters. Returns 0 or -ENOMEM. */
int session_rpc_close(struct mediad *md, struct session *s, const char *reason);

#endif
