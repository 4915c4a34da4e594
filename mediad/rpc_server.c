/* Request dispatch for mediad. Malformed input never reaches a handler: it is answered here with
 * an ErrorReply naming the problem, and the loop goes on. */
#include "rpc_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "rpc.h"

struct rpc_server {
	const struct mediad_config *cfg; /* borrowed */
	void *sock;                      /* owned ROUTER */
	uint64_t started_ms;
	uint64_t requests, bad_requests;
};

typedef void (*request_fn)(struct rpc_server *srv, const RpcEnvelope *req, RpcEnvelope *reply);

static void reply_status(RpcStatus *st, int code, const char *message)
{
	st->code = code;
	st->message = (char *)(message ? message : "");
}

static void handle_ping(struct rpc_server *srv, const RpcEnvelope *req, RpcEnvelope *reply)
{
	static RpcPingReply pr;
	static RpcStatus st;
	static RpcNodeStatus node;

	tandem__media__v1__ping_reply__init(&pr);
	tandem__media__v1__status__init(&st);
	tandem__media__v1__node_status__init(&node);
	reply_status(&st, RPC_OK, NULL);
	node.node_id = srv->cfg->node_id;
	node.version = TANDEM_VERSION;
	node.uptime_s = (clock_mono_ms() - srv->started_ms) / 1000;
	node.sessions = 0;
	node.total_ports = (uint32_t)((srv->cfg->port_max - srv->cfg->port_min + 1) / 2);
	node.free_ports = node.total_ports;
	node.workers = (uint32_t)srv->cfg->workers;
	node.advertise_ip = srv->cfg->advertise_ip;
	pr.status = &st;
	pr.node = &node;
	reply->body_case = RPC_BODY(PING_REPLY);
	reply->ping_reply = &pr;
}

static const struct {
	int body;
	const char *name;
	request_fn fn;
} handlers[] = {
    {RPC_BODY(PING), "Ping", handle_ping},
};

static void send_error(struct rpc_server *srv, const struct rpc_msg *msg, uint64_t request_id,
                       int code, const char *text)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcErrorReply er = TANDEM__MEDIA__V1__ERROR_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	int rc;

	reply_status(&st, code, text);
	er.status = &st;
	env.version = RPC_VERSION;
	env.request_id = request_id;
	env.body_case = RPC_BODY(ERROR);
	env.error = &er;
	srv->bad_requests++;
	log_warn("rpc", "request %llu rejected: %s (%s)", (unsigned long long)request_id,
	         rpc_status_name(code), text);
	rc = rpc_send(srv->sock, msg->rid, msg->rid_len, &env);
	if (rc)
		log_warn("rpc", "cannot send error reply: %s", strerror(-rc));
}

static void dispatch(struct rpc_server *srv, const struct rpc_msg *msg)
{
	const RpcEnvelope *req = msg->env;
	RpcEnvelope reply = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	int rc;

	if (req->version != RPC_VERSION) {
		char text[96];

		snprintf(text, sizeof(text), "protocol version %u not supported (speaks %d)",
		         req->version, RPC_VERSION);
		send_error(srv, msg, req->request_id, RPC_BAD_VERSION, text);
		return;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].body != (int)req->body_case)
			continue;
		reply.version = RPC_VERSION;
		reply.request_id = req->request_id;
		log_debug("rpc", "%s request %llu", handlers[i].name,
		          (unsigned long long)req->request_id);
		handlers[i].fn(srv, req, &reply);
		rc = rpc_send(srv->sock, msg->rid, msg->rid_len, &reply);
		if (rc)
			log_warn("rpc", "cannot send %s reply: %s", handlers[i].name,
			         strerror(-rc));
		srv->requests++;
		return;
	}
	send_error(srv, msg, req->request_id, RPC_UNKNOWN_REQUEST,
	           req->body_case == TANDEM__MEDIA__V1__ENVELOPE__BODY__NOT_SET
	               ? "empty envelope"
	               : "not a request this node handles");
}

int rpc_server_drain(struct rpc_server *srv)
{
	int handled = 0;

	/* Bounded so one flooding client cannot starve the timers. */
	while (handled < 1024 && rpc_has_input(srv->sock)) {
		struct rpc_msg msg;
		int rc = rpc_recv(srv->sock, true, &msg);

		if (rc == -EAGAIN)
			break;
		handled++;
		if (rc == -EBADMSG || rc == -EMSGSIZE) {
			if (msg.rid_len)
				send_error(srv, &msg, 0, RPC_BAD_REQUEST,
				           rc == -EMSGSIZE ? "message too large"
				                           : "not a valid Envelope");
			continue;
		}
		if (rc) {
			log_warn("rpc", "receive failed: %s", strerror(-rc));
			break;
		}
		dispatch(srv, &msg);
		rpc_msg_clear(&msg);
	}
	return handled;
}

int rpc_server_new(struct rpc_server **out, void *zctx, const struct mediad_config *cfg, char *err,
                   size_t errlen)
{
	struct rpc_server *srv = calloc(1, sizeof(*srv));
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->cfg = cfg;
	srv->started_ms = clock_mono_ms();
	rc = rpc_router_bind(zctx, cfg->rpc_endpoint, &srv->sock);
	if (rc) {
		snprintf(err, errlen, "[mediad] rpc_endpoint: cannot bind %s: %s",
		         cfg->rpc_endpoint, strerror(-rc));
		free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

int rpc_server_fd(const struct rpc_server *srv)
{
	return rpc_socket_fd(srv->sock);
}

void rpc_server_free(struct rpc_server *srv)
{
	if (!srv)
		return;
	rpc_socket_close(srv->sock);
	free(srv);
}
