/* Request intake for mediad: frames, version, dispatch by body, error replies. Knows nothing of
 * sessions; the route table decides what a request means. */
#include "rpc_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct rpc_server {
	struct rpc_server_cfg cfg; /* tables borrowed */
	void *sock;                /* owned ROUTER */
};

/* A server without a socket still packs what it would send, so that every reply is built
 * and serialised as in service. */
static int send_env(struct rpc_server *srv, const uint8_t *rid, size_t rid_len,
                    const RpcEnvelope *env)
{
	uint8_t *buf;

	if (srv->sock)
		return rpc_send(srv->sock, rid, rid_len, env);
	buf = malloc(tandem__media__v1__envelope__get_packed_size(env) + 1);
	if (!buf)
		return -ENOMEM;
	tandem__media__v1__envelope__pack(env, buf);
	free(buf);
	return 0;
}

int rpc_server_reply(struct rpc_server *srv, const struct rpc_peer *peer, RpcEnvelope *env)
{
	int rc;

	if (!peer->rid_len)
		return 0;
	env->version = RPC_VERSION;
	env->request_id = peer->request_id;
	env->instance = srv->cfg.instance;
	rc = send_env(srv, peer->rid, peer->rid_len, env);
	if (rc)
		log_warn("rpc", "cannot send reply to request %llu: %s",
		         (unsigned long long)peer->request_id, strerror(-rc));
	return rc;
}

int rpc_server_error(struct rpc_server *srv, const struct rpc_peer *peer, int code,
                     const char *text)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcErrorReply er = TANDEM__MEDIA__V1__ERROR_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;

	st.code = code;
	st.message = (char *)text;
	er.status = &st;
	env.body_case = RPC_BODY(ERROR);
	env.error = &er;
	log_warn("rpc", "request %llu refused: %s (%s)", (unsigned long long)peer->request_id,
	         rpc_status_name(code), text);
	return rpc_server_reply(srv, peer, &env);
}

int rpc_server_event(struct rpc_server *srv, const uint8_t *rid, size_t rid_len, RpcEvent *event)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;

	env.version = RPC_VERSION;
	env.request_id = 0;
	env.instance = srv->cfg.instance;
	env.body_case = RPC_BODY(EVENT);
	env.event = event;
	return send_env(srv, rid, rid_len, &env);
}

static void dispatch(struct rpc_server *srv, const struct rpc_msg *msg)
{
	const RpcEnvelope *req = msg->env;
	struct rpc_peer peer;

	memset(&peer, 0, sizeof(peer));
	memcpy(peer.rid, msg->rid, msg->rid_len);
	peer.rid_len = msg->rid_len;
	peer.request_id = req->request_id;
	peer.instance = req->instance;
	memcpy(peer.user, msg->user, sizeof(peer.user));
	if (srv->cfg.clients) {
		const struct rpc_client_key *c = rpc_allowlist_find(srv->cfg.clients, msg->user);

		/* ZAP let only listed keys in; anything else is not answered at all. */
		if (!c)
			return;
		peer.admin = c->role == RPC_ROLE_ADMIN;
	} else {
		peer.admin = true;
	}
	if (req->version != RPC_VERSION) {
		char text[96];

		snprintf(text, sizeof(text), "protocol version %u not supported (speaks %d)",
		         req->version, RPC_VERSION);
		rpc_server_error(srv, &peer, RPC_BAD_VERSION, text);
		return;
	}
	for (size_t i = 0; i < srv->cfg.n_routes; i++) {
		const struct rpc_route *r = &srv->cfg.routes[i];

		if (r->body != (int)req->body_case)
			continue;
		log_debug("rpc", "%s request %llu", r->name, (unsigned long long)req->request_id);
		r->fn(srv->cfg.arg, &peer, req);
		return;
	}
	rpc_server_error(srv, &peer, RPC_UNKNOWN_REQUEST,
	                 req->body_case == TANDEM__MEDIA__V1__ENVELOPE__BODY__NOT_SET
	                     ? "empty envelope"
	                     : "not a request this node handles");
}

int rpc_server_drain(struct rpc_server *srv)
{
	int handled = 0;

	/* Bounded so one flooding client cannot starve the workers' answers and the timers. */
	while (handled < 256 && rpc_has_input(srv->sock)) {
		struct rpc_msg msg;
		int rc = rpc_recv(srv->sock, true, &msg);

		if (rc == -EAGAIN)
			break;
		handled++;
		if (msg.rid_len && srv->cfg.seen)
			srv->cfg.seen(srv->cfg.arg, &msg);
		if (rc == -EBADMSG || rc == -EMSGSIZE) {
			struct rpc_peer peer = {.rid_len = msg.rid_len, .request_id = 0};

			memcpy(peer.rid, msg.rid, msg.rid_len);
			rpc_server_error(srv, &peer, RPC_BAD_REQUEST,
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

void rpc_server_input(struct rpc_server *srv, const uint8_t *rid, size_t rid_len, const void *buf,
                      size_t len)
{
	struct rpc_msg msg = {.rid_len = rid_len < sizeof(msg.rid) ? rid_len : sizeof(msg.rid)};
	int rc;

	memcpy(msg.rid, rid, msg.rid_len);
	rc = rpc_decode(buf, len, &msg.env);
	if (msg.rid_len && srv->cfg.seen)
		srv->cfg.seen(srv->cfg.arg, &msg);
	if (rc) {
		struct rpc_peer peer = {.rid_len = msg.rid_len, .request_id = 0};

		memcpy(peer.rid, msg.rid, msg.rid_len);
		rpc_server_error(srv, &peer, RPC_BAD_REQUEST,
		                 rc == -EMSGSIZE ? "message too large" : "not a valid Envelope");
		return;
	}
	dispatch(srv, &msg);
	rpc_msg_clear(&msg);
}

int rpc_server_new(struct rpc_server **out, void *zctx, const struct rpc_server_cfg *cfg, char *err,
                   size_t errlen)
{
	struct rpc_server *srv = calloc(1, sizeof(*srv));
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->cfg = *cfg;
	if (!cfg->endpoint) {
		*out = srv;
		return 0;
	}
	rc = rpc_router_bind_curve(zctx, cfg->endpoint, cfg->secret_key, &srv->sock);
	if (rc) {
		snprintf(err, errlen, "[mediad] rpc_endpoint: cannot bind %s: %s", cfg->endpoint,
		         strerror(-rc));
		free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

int rpc_server_fd(const struct rpc_server *srv)
{
	if (!srv->sock)
		return -1;
	return rpc_socket_fd(srv->sock);
}

void *rpc_server_socket(struct rpc_server *srv)
{
	return srv->sock;
}

void rpc_server_free(struct rpc_server *srv)
{
	if (!srv)
		return;
	rpc_socket_close(srv->sock);
	free(srv);
}
