/* mediad's RPC endpoint: the ROUTER socket, framing checks and dispatch. Each well-formed request
 * goes to the handler its body names (a table given at creation); malformed input, a wrong
 * version or a body no handler takes is answered here with an ErrorReply and never reaches a
 * handler. Handlers answer through rpc_server_reply(), at once or later (after a worker), with
 * the rpc_peer they were given (a copy, so it can be kept).
 *
 * Control thread only. */
#ifndef MEDIAD_RPC_SERVER_H
#define MEDIAD_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"
#include "rpc_keys.h"

struct rpc_server;

/* Who asked, and which request to answer. rid_len 0 names nobody (an internal request). */
struct rpc_peer {
	uint8_t rid[RPC_MAX_ROUTING_ID];
	size_t rid_len;
	char user[RPC_USER_MAX]; /* authenticated key (Z85), "" on a node without keys */
	bool admin;              /* may act on every session and drain; always on without keys */
	uint64_t request_id;
	uint64_t instance; /* the client's Envelope.instance, 0 = not told */
};

typedef void (*rpc_handler_fn)(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);

struct rpc_route {
	int body; /* RPC_BODY(...) of the request */
	const char *name;
	rpc_handler_fn fn;
};

struct rpc_server_cfg {
	/* ZeroMQ bind address; NULL: no socket, requests come only through rpc_server_input()
	 * and replies and events are packed and dropped (fuzzing and tests without sockets). */
	const char *endpoint;
	const struct rpc_route *routes;
	size_t n_routes;
	/* Called for every message received, well-formed or not (msg->env may be NULL), before
	 * it is handled: the sender is alive (owner tracking). May be NULL. */
	void (*seen)(void *arg, const struct rpc_msg *msg);
	void *arg;
	/* CURVE: the node's secret key and the clients let in (borrowed), or both NULL. */
	const char *secret_key;
	const struct rpc_allowlist *clients;
	uint64_t instance; /* this process start, put in every reply and event */
};

/* Binds cfg->endpoint; cfg's tables are borrowed and must outlive the server. zctx is borrowed.
 * Returns 0 or -errno (err filled with a one-line reason). */
int rpc_server_new(struct rpc_server **out, void *zctx, const struct rpc_server_cfg *cfg, char *err,
                   size_t errlen);
void rpc_server_free(struct rpc_server *srv);

/* fd to poll for input; after it fires, after any send, and after any timer, call
 * rpc_server_drain() (ZeroMQ's fd is edge-style). */
int rpc_server_fd(const struct rpc_server *srv);
/* The ROUTER itself, for the handshake monitor (rpc_auth.c). */
void *rpc_server_socket(struct rpc_server *srv);
/* Handles waiting requests (at most a bounded batch); returns the number handled. */
int rpc_server_drain(struct rpc_server *srv);

/* Handles one payload received from the client with routing id rid, as rpc_server_drain()
 * does for each message it reads: decode, checks, dispatch or ErrorReply. */
void rpc_server_input(struct rpc_server *srv, const uint8_t *rid, size_t rid_len, const void *buf,
                      size_t len);

/* Sends a reply whose body is set by the caller (body_case and member); version and
 * request_id come from peer. Does nothing for an internal peer. Returns 0 or -errno. */
int rpc_server_reply(struct rpc_server *srv, const struct rpc_peer *peer, RpcEnvelope *env);
/* Sends an ErrorReply with code and text: for messages that are not usable requests. */
int rpc_server_error(struct rpc_server *srv, const struct rpc_peer *peer, int code,
                     const char *text);
/* Sends an Event (request_id 0) to the client with routing id rid. Returns 0 or -errno
 * (-EHOSTUNREACH: that client is not connected). */
int rpc_server_event(struct rpc_server *srv, const uint8_t *rid, size_t rid_len, RpcEvent *event);

#endif
