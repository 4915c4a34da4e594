/* ZeroMQ + protobuf-c glue for the media RPC. Frames: a DEALER sends exactly one payload frame;
 * the ROUTER sees [routing id][payload] and replies the same way. */
#include "rpc.h"

#include <errno.h>
#include <poll.h>
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
	void *s = zmq_socket(ctx, ZMQ_ROUTER);
	int rc, on = 1;

	if (!s)
		return -errno;
	rc = common_opts(s);
	/* Replies to a peer that vanished are dropped with EHOSTUNREACH instead of silently. */
	if (!rc && zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &on, sizeof(on)))
		rc = -errno;
	/* A reconnecting client with the same routing id takes over its old identity. */
	if (!rc && zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &on, sizeof(on)))
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
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int rc, ivl = 200, ivl_max = 2000;

	if (!s)
		return -errno;
	rc = common_opts(s);
	if (!rc && identity && identity[0] &&
	    zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity)))
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
	case RPC_BODY(ERROR):
		return env->error->status;
	default:
		return NULL;
	}
}
