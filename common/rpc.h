/* The media RPC transport: ZeroMQ sockets carrying protobuf-c Envelopes (proto/media.proto).
 * This is the only file that includes zmq.h; everything above it speaks Envelopes.
 *
 * Ownership: rpc_recv() hands the caller an unpacked Envelope in msg->env, freed by
 * rpc_msg_clear(). rpc_send() does not take ownership of the Envelope it is given.
 * Threads: a ZeroMQ socket belongs to the thread that created it; nothing here locks. */
#ifndef TANDEM_RPC_H
#define TANDEM_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media.pb-c.h"

/* Short names for the generated types; the long ones are protobuf-c's mangling of the package. */
typedef Tandem__Media__V1__Envelope RpcEnvelope;
typedef Tandem__Media__V1__Status RpcStatus;
typedef Tandem__Media__V1__Endpoint RpcEndpoint;
typedef Tandem__Media__V1__SessionRef RpcSessionRef;
typedef Tandem__Media__V1__NodeStatus RpcNodeStatus;
typedef Tandem__Media__V1__PingRequest RpcPingRequest;
typedef Tandem__Media__V1__PingReply RpcPingReply;
typedef Tandem__Media__V1__ErrorReply RpcErrorReply;
typedef Tandem__Media__V1__StreamSpec RpcStreamSpec;
typedef Tandem__Media__V1__SrtpParams RpcSrtpParams;
typedef Tandem__Media__V1__LegSpec RpcLegSpec;
typedef Tandem__Media__V1__SessionOptions RpcSessionOptions;
typedef Tandem__Media__V1__TrafficStats RpcTrafficStats;
typedef Tandem__Media__V1__StreamInfo RpcStreamInfo;
typedef Tandem__Media__V1__LegInfo RpcLegInfo;
typedef Tandem__Media__V1__SessionInfo RpcSessionInfo;
typedef Tandem__Media__V1__CreateSessionRequest RpcCreateSessionRequest;
typedef Tandem__Media__V1__CreateSessionReply RpcCreateSessionReply;
typedef Tandem__Media__V1__StreamUpdate RpcStreamUpdate;
typedef Tandem__Media__V1__StreamAdd RpcStreamAdd;
typedef Tandem__Media__V1__UpdateSessionRequest RpcUpdateSessionRequest;
typedef Tandem__Media__V1__UpdateSessionReply RpcUpdateSessionReply;
typedef Tandem__Media__V1__DeleteSessionRequest RpcDeleteSessionRequest;
typedef Tandem__Media__V1__DeleteSessionReply RpcDeleteSessionReply;
typedef Tandem__Media__V1__QuerySessionRequest RpcQuerySessionRequest;
typedef Tandem__Media__V1__QuerySessionReply RpcQuerySessionReply;
typedef Tandem__Media__V1__ListSessionsRequest RpcListSessionsRequest;
typedef Tandem__Media__V1__ListSessionsReply RpcListSessionsReply;
typedef Tandem__Media__V1__RtpTimeout RpcRtpTimeout;
typedef Tandem__Media__V1__SessionClosed RpcSessionClosed;
typedef Tandem__Media__V1__Event RpcEvent;
typedef Tandem__Media__V1__DrainRequest RpcDrainRequest;
typedef Tandem__Media__V1__DrainReply RpcDrainReply;
typedef Tandem__Media__V1__ClaimSessionsRequest RpcClaimSessionsRequest;
typedef Tandem__Media__V1__ClaimSessionsReply RpcClaimSessionsReply;

#define RPC_VERSION         TANDEM__MEDIA__V1__PROTOCOL_VERSION__PROTOCOL_VERSION_1
#define RPC_OK              TANDEM__MEDIA__V1__STATUS_CODE__STATUS_OK
#define RPC_BAD_REQUEST     TANDEM__MEDIA__V1__STATUS_CODE__STATUS_BAD_REQUEST
#define RPC_BAD_VERSION     TANDEM__MEDIA__V1__STATUS_CODE__STATUS_UNSUPPORTED_VERSION
#define RPC_UNKNOWN_REQUEST TANDEM__MEDIA__V1__STATUS_CODE__STATUS_UNKNOWN_REQUEST
#define RPC_NOT_FOUND       TANDEM__MEDIA__V1__STATUS_CODE__STATUS_NOT_FOUND
#define RPC_ALREADY_EXISTS  TANDEM__MEDIA__V1__STATUS_CODE__STATUS_ALREADY_EXISTS
#define RPC_NO_PORTS        TANDEM__MEDIA__V1__STATUS_CODE__STATUS_NO_PORTS
#define RPC_INVALID_ADDRESS TANDEM__MEDIA__V1__STATUS_CODE__STATUS_INVALID_ADDRESS
#define RPC_OVERLOADED      TANDEM__MEDIA__V1__STATUS_CODE__STATUS_OVERLOADED
#define RPC_INTERNAL        TANDEM__MEDIA__V1__STATUS_CODE__STATUS_INTERNAL
#define RPC_FORBIDDEN       TANDEM__MEDIA__V1__STATUS_CODE__STATUS_FORBIDDEN

#define RPC_BODY(name) TANDEM__MEDIA__V1__ENVELOPE__BODY_##name

/* Largest Envelope accepted; bigger messages are refused before unpacking. */
#define RPC_MAX_MESSAGE    (1u << 20)
#define RPC_MAX_ROUTING_ID 255
/* ZAP user ids are Z85 public keys (40 characters). */
#define RPC_USER_MAX 48

struct rpc_msg {
	uint8_t rid[RPC_MAX_ROUTING_ID]; /* ROUTER side: the sender's routing id */
	size_t rid_len;
	char user[RPC_USER_MAX]; /* ROUTER side: the ZAP User-Id of the connection, "" if none */
	RpcEnvelope *env;        /* owned; NULL when the payload did not unpack */
	size_t size;             /* payload size in bytes */
};

/* One ZeroMQ context per process. Returns NULL with errno set. */
void *rpc_context_new(void);
void rpc_context_free(void *ctx);

/* ROUTER bound on endpoint (e.g. "tcp://127.0.0.1:5555"). Returns 0 or -errno. */
int rpc_router_bind(void *ctx, const char *endpoint, void **out);
/* The same with CURVE: server_secret is the node's Z85 secret key (NULL: no CURVE). Bind the
 * ZAP handler (rpc_zap_bind) first, or every client key gets in. */
int rpc_router_bind_curve(void *ctx, const char *endpoint, const char *server_secret, void **out);
/* DEALER connected to endpoint with the given routing id (NULL = ZeroMQ chooses). */
int rpc_dealer_connect(void *ctx, const char *endpoint, const char *identity, void **out);

struct rpc_dealer_opts {
	const char *identity; /* routing id; NULL = ZeroMQ chooses */
	/* CURVE client: all three Z85 keys, or all NULL for none */
	const char *public_key, *secret_key, *server_key;
	/* Sends fail with -EAGAIN while no connection is up, instead of queueing for a node that
	 * may never come (ZMQ_IMMEDIATE); heartbeats (1 s, 5 s timeout) drop a connection whose
	 * peer stopped answering. */
	bool immediate;
};
int rpc_dealer_open(void *ctx, const char *endpoint, const struct rpc_dealer_opts *opts,
                    void **out);

/* ZAP (ZeroMQ RFC 27): the handler that decides which CURVE client keys get in. One REP socket
 * per context on inproc://zeromq.zap.01, served by the owner's loop: poll its fd like any
 * ZeroMQ socket (rpc_has_input), answer each request with rpc_zap_reply. */
struct rpc_zap_request {
	uint8_t request_id[64];
	size_t request_id_len;
	char mechanism[16];
	char address[64];
	char key[41]; /* CURVE: the client's public key in Z85; "" for other mechanisms */
};
int rpc_zap_bind(void *ctx, void **out);
/* Returns 0, -EAGAIN (nothing waiting) or -EBADMSG (malformed: answered with a refusal). */
int rpc_zap_recv(void *zap, struct rpc_zap_request *req);
/* allow: "200" with user_id as the connection's User-Id; otherwise "400". */
int rpc_zap_reply(void *zap, const struct rpc_zap_request *req, bool allow, const char *user_id);

/* Handshake failures on a socket (a client without CURVE, or with another server key), which
 * never reach ZAP. Opens a PAIR socket receiving them; rpc_monitor_recv returns 0 with a short
 * description, -EAGAIN when nothing is waiting. */
int rpc_monitor_open(void *ctx, void *sock, const char *name, void **out);
int rpc_monitor_recv(void *mon, char *what, size_t len);
void rpc_socket_close(void *sock);

/* The fd to poll for readiness (edge-style: see rpc_has_input). */
int rpc_socket_fd(void *sock);
/* True when a message is waiting. Reading ZMQ_EVENTS also re-arms the fd; call it after every
 * send and in every fd callback. */
bool rpc_has_input(void *sock);

/* Packs env and sends it, preceded by the routing id frame when rid is not NULL (ROUTER side).
 * Non-blocking; returns 0, -EAGAIN (peer queue full or no peer) or -errno. */
int rpc_send(void *sock, const uint8_t *rid, size_t rid_len, const RpcEnvelope *env);

/* Sends bytes as they are, as one payload frame (after the routing id frame when rid is not
 * NULL): for tests and fuzzing that must put malformed messages on the wire. */
int rpc_send_raw(void *sock, const uint8_t *rid, size_t rid_len, const void *buf, size_t len);

/* Unpacks one payload as received: 0 with *out owned by the caller (rpc_envelope_free),
 * -EMSGSIZE (larger than RPC_MAX_MESSAGE) or -EBADMSG (not an Envelope). */
int rpc_decode(const void *buf, size_t len, RpcEnvelope **out);

/* Receives one message without blocking. router: expect a routing-id frame first.
 * Returns 0 (msg->env set), -EBADMSG (frames or payload malformed: msg->env NULL, msg->rid set
 * when it could be read), -EMSGSIZE (too large), -EAGAIN (nothing waiting) or -errno. */
int rpc_recv(void *sock, bool router, struct rpc_msg *msg);
void rpc_msg_clear(struct rpc_msg *msg);

/* Blocking round trip for tools and tests: sends req (request_id set by the caller) and waits up
 * to timeout_ms for the reply with the same request_id; events and stale replies are skipped.
 * Returns 0 with *reply owned by the caller (free with rpc_envelope_free), -ETIMEDOUT or -errno. */
int rpc_call(void *dealer, const RpcEnvelope *req, int timeout_ms, RpcEnvelope **reply);

/* Waits up to timeout_ms for any message on a DEALER (events for mediactl watch). */
int rpc_wait(void *dealer, int timeout_ms, RpcEnvelope **out);

void rpc_envelope_free(RpcEnvelope *env);

/* Status helpers. */
const char *rpc_status_name(int code);
/* The Status of whichever reply body env carries, or NULL. */
const RpcStatus *rpc_reply_status(const RpcEnvelope *env);

#endif
