/* Helpers for the relay integration client: a DEALER to mediad, request builders, UDP sockets on
 * loopback and RTP packets. Test code: failures print one line and count, they never abort. */
#ifndef TANDEM_RELAY_UTIL_H
#define TANDEM_RELAY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

extern int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok: ");                                                            \
		} else {                                                                           \
			printf("FAIL (%s:%d): ", __FILE__, __LINE__);                              \
			failures++;                                                                \
		}                                                                                  \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		fflush(stdout);                                                                    \
	} while (0)

/* --- RPC ---------------------------------------------------------------------------------- */

int node_connect(const char *endpoint, const char *identity);
void node_close(void);
/* Sends req (version and request id filled in) and returns the reply, or NULL on timeout. */
RpcEnvelope *node_call(RpcEnvelope *req);
/* The DEALER, for clients that wait for replies and events themselves. */
void *node_dealer(void);
/* Sends bytes as one frame and returns whatever comes back first, or NULL. */
RpcEnvelope *node_raw(const void *buf, size_t len);
/* The next event within timeout_ms (other messages skipped), or NULL. */
RpcEnvelope *node_event(int timeout_ms);
/* Status code of a reply (-1 when none). */
int reply_code(const RpcEnvelope *env);

/* One stream of one leg for create_session(). */
struct spec {
	int kind; /* MediaKind value, 0 = audio */
	bool mux;
	unsigned port;             /* remote RTP port on 127.0.0.1; 0 = not known */
	unsigned rtcp_port;        /* remote RTCP port; 0 = derived */
	const char *ip;            /* NULL = 127.0.0.1 */
	const RpcSrtpParams *srtp; /* NULL = plain */
	unsigned te_pt;            /* telephone-event payload type, 0 = none */
	const char *codec;         /* NULL = "" */
	unsigned codec_pt;
};

RpcEnvelope *create_session(const char *call_id, size_t n, const struct spec *a,
                            const struct spec *b, bool strict, uint32_t timeout_ms);
RpcEnvelope *session_op(int body, const char *session_id); /* query or delete */
RpcEnvelope *ping_node(void);
/* The created/queried/deleted session of a reply, or NULL. */
const RpcSessionInfo *reply_session(const RpcEnvelope *env);
/* Local RTP/RTCP port of stream i of leg (0 = A). */
unsigned local_rtp(const RpcSessionInfo *s, int leg, size_t i);
unsigned local_rtcp(const RpcSessionInfo *s, int leg, size_t i);
const RpcTrafficStats *traffic(const RpcSessionInfo *s, int leg, size_t i, bool rtcp);

#define Q RPC_BODY(QUERY_SESSION)
#define D RPC_BODY(DELETE_SESSION)

/* A Call-ID unique to this run ("what-PID-N@test"), in a static buffer. */
const char *new_call(const char *what);
/* Deletes a session and checks the reply is OK. */
void delete_ok(const char *session_id);

/* --- UDP and RTP -------------------------------------------------------------------------- */

/* A UDP socket on 127.0.0.1 (port 0 = any); *port gets the bound port. -1 on failure. */
int udp_open(unsigned port, unsigned *bound);
int udp_send(int fd, unsigned to_port, const void *buf, size_t len);
/* Waits up to timeout_ms for one datagram; returns its length (0 allowed) or -1. */
int udp_recv(int fd, void *buf, size_t cap, int timeout_ms, unsigned *from_port);
/* True when nothing arrives within timeout_ms. */
bool udp_silent(int fd, int timeout_ms);
/* RTP (version 2, PT 0) with seq, ssrc and len bytes of payload derived from seq. */
size_t rtp_packet(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload);
size_t rtcp_packet(uint8_t *buf, uint32_t ssrc);
/* Sends one packet from `from` to port and checks it arrives unchanged on `to`, from from_port
 * (the relay's port on the far leg). */
bool relayed(int from, unsigned port, int to, unsigned want_src, const uint8_t *pkt, size_t len);
void raise_fd_limit(void);

#endif
