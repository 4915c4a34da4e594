/* Helpers for relay_client.c; see relay_util.h. */
#include "relay_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int failures;

static void *zctx, *dealer;
static uint64_t next_id = 1000;

int node_connect(const char *endpoint, const char *identity)
{
	zctx = rpc_context_new();
	return zctx ? rpc_dealer_connect(zctx, endpoint, identity, &dealer) : -1;
}

void node_close(void)
{
	rpc_socket_close(dealer);
	rpc_context_free(zctx);
}

RpcEnvelope *node_call(RpcEnvelope *req)
{
	RpcEnvelope *reply = NULL;

	if (!req->version)
		req->version = RPC_VERSION;
	req->request_id = next_id++;
	if (rpc_call(dealer, req, 5000, &reply))
		return NULL;
	return reply;
}

void *node_dealer(void)
{
	return dealer;
}

RpcEnvelope *node_raw(const void *buf, size_t len)
{
	RpcEnvelope *reply = NULL;

	if (rpc_send_raw(dealer, NULL, 0, buf, len) || rpc_wait(dealer, 5000, &reply))
		return NULL;
	return reply;
}

RpcEnvelope *node_event(int timeout_ms)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		RpcEnvelope *env = NULL;
		int left;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = timeout_ms -
		       (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || rpc_wait(dealer, left, &env))
			return NULL;
		if (env->body_case == RPC_BODY(EVENT))
			return env;
		rpc_envelope_free(env);
	}
}

int reply_code(const RpcEnvelope *env)
{
	const RpcStatus *st = env ? rpc_reply_status(env) : NULL;

	return st ? (int)st->code : -1;
}

static RpcStreamSpec *stream(const struct spec *sp, RpcEndpoint *ep, RpcEndpoint *rtcp)
{
	RpcStreamSpec *s = calloc(1, sizeof(*s));

	tandem__media__v1__stream_spec__init(s);
	s->kind = sp->kind;
	s->rtcp_mux = sp->mux;
	s->srtp = (RpcSrtpParams *)sp->srtp;
	s->telephone_event_pt = sp->te_pt;
	s->codec = (char *)(sp->codec ? sp->codec : "");
	s->codec_pt = sp->codec_pt;
	if (sp->port) {
		tandem__media__v1__endpoint__init(ep);
		ep->ip = (char *)(sp->ip ? sp->ip : "127.0.0.1");
		ep->port = sp->port;
		s->remote_rtp = ep;
	}
	if (sp->rtcp_port) {
		tandem__media__v1__endpoint__init(rtcp);
		rtcp->ip = (char *)(sp->ip ? sp->ip : "127.0.0.1");
		rtcp->port = sp->rtcp_port;
		s->remote_rtcp = rtcp;
	}
	return s;
}

RpcEnvelope *create_session(const char *call_id, size_t n, const struct spec *a,
                            const struct spec *b, bool strict, uint32_t timeout_ms)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT, *reply;
	RpcCreateSessionRequest r = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec la = TANDEM__MEDIA__V1__LEG_SPEC__INIT, lb = TANDEM__MEDIA__V1__LEG_SPEC__INIT;
	RpcSessionOptions o = TANDEM__MEDIA__V1__SESSION_OPTIONS__INIT;
	RpcStreamSpec *sa[8], *sb[8];
	RpcEndpoint ep[4][8];

	for (size_t i = 0; i < n; i++) {
		sa[i] = stream(&a[i], &ep[0][i], &ep[1][i]);
		sb[i] = stream(&b[i], &ep[2][i], &ep[3][i]);
	}
	la.n_streams = lb.n_streams = n;
	la.streams = sa;
	lb.streams = sb;
	la.tag = "tag-a";
	lb.tag = "tag-b";
	o.strict_source = strict;
	o.inactivity_timeout_ms = timeout_ms;
	r.call_id = (char *)call_id;
	r.owner = "relay-client";
	r.leg_a = &la;
	r.leg_b = &lb;
	r.options = &o;
	env.body_case = RPC_BODY(CREATE_SESSION);
	env.create_session = &r;
	reply = node_call(&env);
	for (size_t i = 0; i < n; i++) {
		free(sa[i]);
		free(sb[i]);
	}
	return reply;
}

RpcEnvelope *session_op(int body, const char *session_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcQuerySessionRequest q = TANDEM__MEDIA__V1__QUERY_SESSION_REQUEST__INIT;
	RpcDeleteSessionRequest d = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;

	ref.session_id = (char *)session_id;
	q.session = d.session = &ref;
	d.reason = "relay-client";
	env.body_case = body;
	if (body == RPC_BODY(QUERY_SESSION))
		env.query_session = &q;
	else
		env.delete_session = &d;
	return node_call(&env);
}

const char *new_call(const char *what)
{
	static char call_id[64];
	static int n;

	snprintf(call_id, sizeof(call_id), "%s-%d-%d@test", what, (int)getpid(), n++);
	return call_id;
}

void delete_ok(const char *id)
{
	RpcEnvelope *r = session_op(D, id);

	CHECK(reply_code(r) == RPC_OK, "DeleteSession %s", id);
	rpc_envelope_free(r);
}

RpcEnvelope *ping_node(void)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcPingRequest p = TANDEM__MEDIA__V1__PING_REQUEST__INIT;

	env.body_case = RPC_BODY(PING);
	env.ping = &p;
	return node_call(&env);
}

const RpcSessionInfo *reply_session(const RpcEnvelope *env)
{
	if (!env)
		return NULL;
	switch (env->body_case) {
	case RPC_BODY(CREATE_SESSION_REPLY):
		return env->create_session_reply->session;
	case RPC_BODY(QUERY_SESSION_REPLY):
		return env->query_session_reply->session;
	case RPC_BODY(DELETE_SESSION_REPLY):
		return env->delete_session_reply->session;
	case RPC_BODY(UPDATE_SESSION_REPLY):
		return env->update_session_reply->session;
	default:
		return NULL;
	}
}

static const RpcStreamInfo *stream_info(const RpcSessionInfo *s, int leg, size_t i)
{
	const RpcLegInfo *l = leg ? s->leg_b : s->leg_a;

	return l && i < l->n_streams ? l->streams[i] : NULL;
}

unsigned local_rtp(const RpcSessionInfo *s, int leg, size_t i)
{
	const RpcStreamInfo *si = stream_info(s, leg, i);

	return si && si->local_rtp ? si->local_rtp->port : 0;
}

unsigned local_rtcp(const RpcSessionInfo *s, int leg, size_t i)
{
	const RpcStreamInfo *si = stream_info(s, leg, i);

	return si && si->local_rtcp ? si->local_rtcp->port : 0;
}

const RpcTrafficStats *traffic(const RpcSessionInfo *s, int leg, size_t i, bool rtcp)
{
	static const RpcTrafficStats none = TANDEM__MEDIA__V1__TRAFFIC_STATS__INIT;
	const RpcStreamInfo *si = stream_info(s, leg, i);
	const RpcTrafficStats *t = si ? (rtcp ? si->rtcp : si->rtp) : NULL;

	return t ? t : &none;
}

int udp_open(unsigned port, unsigned *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		close(fd);
		return -1;
	}
	if (bound)
		*bound = ntohs(sa.sin_port);
	return fd;
}

int udp_send(int fd, unsigned to_port, const void *buf, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)to_port)};

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len ? 0 : -1;
}

int udp_recv(int fd, void *buf, size_t cap, int timeout_ms, unsigned *from_port)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	n = recvfrom(fd, buf, cap, MSG_DONTWAIT, (struct sockaddr *)&sa, &len);
	if (n < 0)
		return -1;
	if (from_port)
		*from_port = ntohs(sa.sin_port);
	return (int)n;
}

bool udp_silent(int fd, int timeout_ms)
{
	uint8_t buf[2048];

	return udp_recv(fd, buf, sizeof(buf), timeout_ms, NULL) < 0;
}

size_t rtp_packet(uint8_t *buf, uint16_t seq, uint32_t ssrc, size_t payload)
{
	buf[0] = 0x80;
	buf[1] = 0;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	for (int i = 0; i < 4; i++) {
		buf[4 + i] = (uint8_t)((seq * 160u) >> (24 - 8 * i));
		buf[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	}
	for (size_t i = 0; i < payload; i++)
		buf[12 + i] = (uint8_t)(seq * 31u + i * 7u + (ssrc & 0xff));
	return 12 + payload;
}

size_t rtcp_packet(uint8_t *buf, uint32_t ssrc)
{
	memset(buf, 0, 28);
	buf[0] = 0x80; /* SR, no report blocks: 7 words */
	buf[1] = 200;
	buf[3] = 6;
	for (int i = 0; i < 4; i++)
		buf[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	buf[20] = 0x5a; /* something recognisable in the packet count */
	return 28;
}

bool relayed(int from, unsigned port, int to, unsigned want_src, const uint8_t *pkt, size_t len)
{
	uint8_t got[2048];
	unsigned src = 0;
	int n;

	if (udp_send(from, port, pkt, len))
		return false;
	n = udp_recv(to, got, sizeof(got), 2000, &src);
	return n == (int)len && memcmp(got, pkt, len) == 0 && src == want_src;
}

void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}
