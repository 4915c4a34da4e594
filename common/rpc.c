/* ZeroMQ + protobuf-c glue for the media RPC. Frames: a DEALER sends exactly one payload frame;
 * the ROUTER sees [routing id][payload] and replies the same way. */
#include "rpc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "clock.h"

void *rpc_context_new(void)
{
	return zmq_ctx_new();
}

void rpc_context_free(void *ctx)
{
	if (ctx)
		zmq_ctx_term(ctx);
}

static int common_opts(void *s)
{
	int linger = 0;
	int64_t maxsz = RPC_MAX_MESSAGE;

	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)))
		return -errno;
	/* Oversized messages make ZeroMQ drop the peer rather than buffer them. */
	if (zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxsz, sizeof(maxsz)))
		return -errno;
	return 0;
}

int rpc_router_bind(void *ctx, const char *endpoint, void **out)
{
	return rpc_router_bind_curve(ctx, endpoint, NULL, out);
}

int rpc_router_bind_curve(void *ctx, const char *endpoint, const char *server_secret, void **out)
{
	void *s = zmq_socket(ctx, ZMQ_ROUTER);
	int rc, on = 1, hb_ivl = 2000, hb_timeout = 6000;

	if (!s)
		return -errno;
	rc = common_opts(s);
	if (!rc && server_secret &&
	    (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &on, sizeof(on)) ||
	     zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server_secret, strlen(server_secret)) ||
	     zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "tandem", 6)))
		rc = -errno;
	/* Replies to a peer that vanished are dropped with EHOSTUNREACH instead of silently. */
	if (!rc && zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &on, sizeof(on)))
		rc = -errno;
	/* Without keys a reconnecting client with the same routing id takes over its old
	 * identity. With keys a routing id in use is not handed to another connection (which
	 * could be another key's, cutting off the owner); heartbeats free the id of a client
	 * that vanished without closing its connection within seconds. */
	if (!rc && !server_secret && zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &on, sizeof(on)))
		rc = -errno;
	if (!rc && server_secret &&
	    (zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof(hb_ivl)) ||
	     zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout))))
		rc = -errno;
	if (!rc && zmq_bind(s, endpoint))
		rc = -errno;
	if (rc) {
		zmq_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int rpc_dealer_connect(void *ctx, const char *endpoint, const char *identity, void **out)
{
	struct rpc_dealer_opts o = {.identity = identity};

	return rpc_dealer_open(ctx, endpoint, &o, out);
}

static int curve_client(void *s, const struct rpc_dealer_opts *o)
{
	if (!o->secret_key)
		return 0;
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, o->server_key, strlen(o->server_key)) ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, o->public_key, strlen(o->public_key)) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, o->secret_key, strlen(o->secret_key)))
		return -errno;
	return 0;
}

int rpc_dealer_open(void *ctx, const char *endpoint, const struct rpc_dealer_opts *o, void **out)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int rc, ivl = 200, ivl_max = 2000, on = 1, hb_ivl = 1000, hb_timeout = 5000;

	if (!s)
		return -errno;
	rc = common_opts(s);
	if (!rc && o->identity && o->identity[0] &&
	    zmq_setsockopt(s, ZMQ_ROUTING_ID, o->identity, strlen(o->identity)))
		rc = -errno;
	if (!rc)
		rc = curve_client(s, o);
	if (!rc && o->immediate && zmq_setsockopt(s, ZMQ_IMMEDIATE, &on, sizeof(on)))
		rc = -errno;
	/* A node whose host vanished without closing the connection would keep it "connected"
	 * for the kernel's TCP timeouts; heartbeats drop it within seconds. */
	if (!rc && o->immediate &&
	    (zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof(hb_ivl)) ||
	     zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout))))
		rc = -errno;
	if (!rc && zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl)))
		rc = -errno;
	if (!rc && zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max)))
		rc = -errno;
	if (!rc && zmq_connect(s, endpoint))
		rc = -errno;
	if (rc) {
		zmq_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rpc_socket_close(void *sock)
{
	if (sock)
		zmq_close(sock);
}

int rpc_socket_fd(void *sock)
{
	int fd = -1;
	size_t len = sizeof(fd);

	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len))
		return -errno;
	return fd;
}

bool rpc_has_input(void *sock)
{
	int ev = 0;
	size_t len = sizeof(ev);

	if (zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len))
		return false;
	return (ev & ZMQ_POLLIN) != 0;
}

int rpc_send(void *sock, const uint8_t *rid, size_t rid_len, const RpcEnvelope *env)
{
	size_t len = tandem__media__v1__envelope__get_packed_size(env);
	uint8_t stackbuf[4096];
	uint8_t *buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	tandem__media__v1__envelope__pack(env, buf);
	if (rid && zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		rc = -errno;
	if (!rc && zmq_send(sock, buf, len, ZMQ_DONTWAIT) < 0)
		rc = -errno;
	if (buf != stackbuf)
		free(buf);
	return rc;
}

int rpc_send_raw(void *sock, const uint8_t *rid, size_t rid_len, const void *buf, size_t len)
{
	if (rid && zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -errno;
	if (zmq_send(sock, buf, len, ZMQ_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/* Discards the remaining frames of a multipart message. */
static void skip_rest(void *sock)
{
	int more = 0;
	size_t len = sizeof(more);
	zmq_msg_t m;

	while (!zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) && more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		zmq_msg_close(&m);
	}
}

int rpc_recv(void *sock, bool router, struct rpc_msg *msg)
{
	zmq_msg_t m;
	int rc;

	memset(msg, 0, sizeof(*msg));
	if (router) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			rc = -errno;
			zmq_msg_close(&m);
			return rc;
		}
		if (zmq_msg_size(&m) > sizeof(msg->rid) || !zmq_msg_more(&m)) {
			zmq_msg_close(&m);
			skip_rest(sock);
			return -EBADMSG;
		}
		msg->rid_len = zmq_msg_size(&m);
		memcpy(msg->rid, zmq_msg_data(&m), msg->rid_len);
		zmq_msg_close(&m);
	}
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
		rc = -errno;
		zmq_msg_close(&m);
		return rc == -EAGAIN ? -EBADMSG : rc;
	}
	msg->size = zmq_msg_size(&m);
	if (router) {
		const char *user = zmq_msg_gets(&m, "User-Id");

		if (user)
			snprintf(msg->user, sizeof(msg->user), "%s", user);
	}
	if (zmq_msg_more(&m)) {
		/* Extra frames are not part of the protocol. */
		zmq_msg_close(&m);
		skip_rest(sock);
		return -EBADMSG;
	}
	rc = rpc_decode(zmq_msg_data(&m), msg->size, &msg->env);
	zmq_msg_close(&m);
	return rc;
}

int rpc_decode(const void *buf, size_t len, RpcEnvelope **out)
{
	if (len > RPC_MAX_MESSAGE) {
		*out = NULL;
		return -EMSGSIZE;
	}
	*out = tandem__media__v1__envelope__unpack(NULL, len, buf);
	return *out ? 0 : -EBADMSG;
}

void rpc_msg_clear(struct rpc_msg *msg)
{
	rpc_envelope_free(msg->env);
	msg->env = NULL;
}

void rpc_envelope_free(RpcEnvelope *env)
{
	if (env)
		tandem__media__v1__envelope__free_unpacked(env, NULL);
}

int rpc_wait(void *dealer, int timeout_ms, RpcEnvelope **out)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		struct rpc_msg msg;
		zmq_pollitem_t it = {.socket = dealer, .events = ZMQ_POLLIN};
		uint64_t now = clock_mono_ms();
		int rc;

		rc = rpc_recv(dealer, false, &msg);
		if (rc == 0) {
			*out = msg.env;
			return 0;
		}
		if (rc != -EAGAIN && rc != -EBADMSG)
			return rc;
		if (now >= deadline)
			return -ETIMEDOUT;
		rc = zmq_poll(&it, 1, (long)(deadline - now));
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

int rpc_call(void *dealer, const RpcEnvelope *req, int timeout_ms, RpcEnvelope **reply)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	int rc = rpc_send(dealer, NULL, 0, req);

	/* A DEALER with no connection yet queues the message, so -EAGAIN here means a full queue.
	 */
	if (rc)
		return rc;
	for (;;) {
		uint64_t now = clock_mono_ms();
		RpcEnvelope *env;

		if (now >= deadline)
			return -ETIMEDOUT;
		rc = rpc_wait(dealer, (int)(deadline - now), &env);
		if (rc)
			return rc;
		if (env->request_id == req->request_id && env->body_case != RPC_BODY(EVENT)) {
			*reply = env;
			return 0;
		}
		rpc_envelope_free(env);
	}
}

const char *rpc_status_name(int code)
{
	const ProtobufCEnumValue *v =
	    protobuf_c_enum_descriptor_get_value(&tandem__media__v1__status_code__descriptor, code);

	return v ? v->name : "STATUS_UNKNOWN";
}

const RpcStatus *rpc_reply_status(const RpcEnvelope *env)
{
	switch (env->body_case) {
	case RPC_BODY(PING_REPLY):
		return env->ping_reply->status;
	case RPC_BODY(CREATE_SESSION_REPLY):
		return env->create_session_reply->status;
	case RPC_BODY(UPDATE_SESSION_REPLY):
		return env->update_session_reply->status;
	case RPC_BODY(DELETE_SESSION_REPLY):
		return env->delete_session_reply->status;
	case RPC_BODY(QUERY_SESSION_REPLY):
		return env->query_session_reply->status;
	case RPC_BODY(LIST_SESSIONS_REPLY):
		return env->list_sessions_reply->status;
	case RPC_BODY(DRAIN_REPLY):
		return env->drain_reply->status;
	case RPC_BODY(CLAIM_SESSIONS_REPLY):
		return env->claim_sessions_reply->status;
	case RPC_BODY(ERROR):
		return env->error->status;
	default:
		return NULL;
	}
}

/* ---- ZAP ---------------------------------------------------------------------------------- */

int rpc_zap_bind(void *ctx, void **out)
{
	void *s = zmq_socket(ctx, ZMQ_REP);
	int linger = 0;

	if (!s)
		return -errno;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_bind(s, "inproc://zeromq.zap.01")) {
		int rc = -errno;

		zmq_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* One frame of a ZAP request into buf (NUL-terminated when text): its size, -1 when nothing
 * could be received (errno set), -2 when it does not fit (the frame is consumed). */
static int zap_frame(void *zap, void *buf, size_t cap, bool text, bool *more)
{
	zmq_msg_t m;
	size_t n;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, zap, ZMQ_DONTWAIT) < 0) {
		int e = errno;

		zmq_msg_close(&m);
		*more = false;
		errno = e;
		return -1;
	}
	n = zmq_msg_size(&m);
	*more = zmq_msg_more(&m);
	if (n > cap - (text ? 1 : 0)) {
		zmq_msg_close(&m);
		return -2;
	}
	memcpy(buf, zmq_msg_data(&m), n);
	if (text)
		((char *)buf)[n] = '\0';
	zmq_msg_close(&m);
	return (int)n;
}

int rpc_zap_recv(void *zap, struct rpc_zap_request *req)
{
	char version[8] = "", domain[64], identity[256];
	uint8_t cred[64];
	bool more = false;
	int n, cred_len = -1;

	memset(req, 0, sizeof(*req));
	n = zap_frame(zap, version, sizeof(version), true, &more);
	if (n == -1)
		return errno == EAGAIN ? -EAGAIN : -errno;
	/* version, request id, domain, address, identity, mechanism, credentials... */
	if (n >= 0 && more)
		n = zap_frame(zap, req->request_id, sizeof(req->request_id), false, &more);
	if (n >= 0)
		req->request_id_len = (size_t)n;
	if (n >= 0 && more)
		n = zap_frame(zap, domain, sizeof(domain), true, &more);
	if (n >= 0 && more)
		n = zap_frame(zap, req->address, sizeof(req->address), true, &more);
	if (n >= 0 && more)
		n = zap_frame(zap, identity, sizeof(identity), false, &more);
	if (n >= 0 && more)
		n = zap_frame(zap, req->mechanism, sizeof(req->mechanism), true, &more);
	if (n >= 0 && more)
		cred_len = zap_frame(zap, cred, sizeof(cred), false, &more);
	if (more)
		skip_rest(zap);
	/* A REP socket must answer every request it took, well-formed or not. */
	if (n < 0 || strcmp(version, "1.0") != 0) {
		rpc_zap_reply(zap, req, false, NULL);
		return -EBADMSG;
	}
	if (!strcmp(req->mechanism, "CURVE") && cred_len == 32 &&
	    !zmq_z85_encode(req->key, cred, 32))
		req->key[0] = '\0';
	return 0;
}

int rpc_zap_reply(void *zap, const struct rpc_zap_request *req, bool allow, const char *user_id)
{
	const char *code = allow ? "200" : "400", *text = allow ? "OK" : "not allowed";
	const char *user = allow && user_id ? user_id : "";

	if (zmq_send(zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(zap, req->request_id, req->request_id_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(zap, code, 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE) < 0 ||
	    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE) < 0 || zmq_send(zap, "", 0, 0) < 0)
		return -errno;
	return 0;
}

/* ---- handshake monitor -------------------------------------------------------------------- */

int rpc_monitor_open(void *ctx, void *sock, const char *name, void **out)
{
	char ep[128];
	void *s;
	int linger = 0;

	snprintf(ep, sizeof(ep), "inproc://monitor-%s", name);
	if (zmq_socket_monitor(sock, ep,
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
		return -errno;
	s = zmq_socket(ctx, ZMQ_PAIR);
	if (!s)
		return -errno;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) || zmq_connect(s, ep)) {
		int rc = -errno;

		zmq_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int rpc_monitor_recv(void *mon, char *what, size_t len)
{
	zmq_msg_t m;
	uint16_t event = 0;
	uint32_t value = 0;
	int rc;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
		rc = -errno;
		zmq_msg_close(&m);
		return rc;
	}
	if (zmq_msg_size(&m) >= 6) {
		memcpy(&event, zmq_msg_data(&m), 2);
		memcpy(&value, (uint8_t *)zmq_msg_data(&m) + 2, 4);
	}
	zmq_msg_close(&m);
	skip_rest(mon);
	if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
		snprintf(what, len, "key refused (ZAP status %u)", value);
	else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
	         value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
		snprintf(what, len, "client without a CURVE key");
	else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
	         value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
		snprintf(what, len, "client with another server public key");
	else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
		snprintf(what, len, "security handshake failed (protocol error %#x)", value);
	else
		snprintf(what, len, "security handshake failed (%s)", zmq_strerror((int)value));
	return 0;
}
