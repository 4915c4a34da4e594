/* What the node says of itself: Ping's NodeStatus (sessions, ports, packet rate, CPU, workers)
 * and the once-a-second sample behind the rates. Control thread only. */
#ifndef MEDIAD_NODE_STATUS_H
#define MEDIAD_NODE_STATUS_H

#include "control.h"
#include "rpc_server.h"

/* rpc_handler_fn for Ping; arg = struct mediad. */
void node_status_ping(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);

/* Takes a sample: packets received by all workers and process CPU time since the last one. */
void node_status_sample(struct mediad *md, uint64_t now_ms);

/* DrainRequest: admin only (every client is admin on a node without keys). */
void node_status_drain(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);

#endif
