/* mediad's control loop side: receives Envelopes on the ROUTER, dispatches each request to its
 * handler and replies to the sender. Runs on the control thread only. */
#ifndef MEDIAD_RPC_SERVER_H
#define MEDIAD_RPC_SERVER_H

#include <stdint.h>

#include "mediad_config.h"

struct rpc_server;

/* Binds cfg->rpc_endpoint. cfg and zctx are borrowed and must outlive the server.
 * Returns 0 or -errno (err filled with a one-line reason). */
int rpc_server_new(struct rpc_server **out, void *zctx, const struct mediad_config *cfg, char *err,
                   size_t errlen);
void rpc_server_free(struct rpc_server *srv);

/* fd to poll for input; after it fires (or after any timer), call rpc_server_drain(). */
int rpc_server_fd(const struct rpc_server *srv);
/* Handles every waiting request; returns the number handled. */
int rpc_server_drain(struct rpc_server *srv);

#endif
