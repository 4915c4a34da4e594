/* relay_client cases about the RPC: malformed and refused requests, Ping's numbers, updates,
 * reaping of a silent owner's sessions, and many sessions at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay_cases.h"
#include "relay_util.h"

/* The status of the reply to raw bytes; messages that are not requests get an ErrorReply. */
static int raw_code(const void *buf, size_t len)
{
	RpcEnvelope *r = node_raw(buf, len);
	int code = reply_code(r);

	if (r && code != RPC_OK && r->body_case != RPC_BODY(ERROR))
		code = -2;

	rpc_envelope_free(r);
	return code;
}

static int call_code(RpcEnvelope *env)
{
	RpcEnvelope *r = node_call(env);
	int code = reply_code(r);

	rpc_envelope_free(r);
	return code;
}

static int create_code(size_t na, size_t nb, const char *ip, unsigned port)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcCreateSessionRequest r = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec la = TANDEM__MEDIA__V1__LEG_SPEC__INIT, lb = TANDEM__MEDIA__V1__LEG_SPEC__INIT;
	RpcStreamSpec s[4], *pa[2] = {&s[0], &s[1]}, *pb[2] = {&s[2], &s[3]};
	RpcEndpoint ep = TANDEM__MEDIA__V1__ENDPOINT__INIT;

	for (int i = 0; i < 4; i++)
		tandem__media__v1__stream_spec__init(&s[i]);
	ep.ip = (char *)ip;
	ep.port = port;
	s[0].remote_rtp = &ep;
	la.n_streams = na, la.streams = pa;
	lb.n_streams = nb, lb.streams = pb;
	r.call_id = (char *)new_call("bad");
	r.leg_a = &la;
	r.leg_b = &lb;
	env.body_case = RPC_BODY(CREATE_SESSION);
	env.create_session = &r;
	return call_code(&env);
}

static RpcEnvelope *update(const char *sid, RpcStreamUpdate **su, size_t n, RpcStreamAdd **add,
                           size_t n_add, uint32_t *rm, size_t n_rm, RpcSessionOptions *o)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;

	ref.session_id = (char *)sid;
	r.session = &ref;
	r.n_streams = n, r.streams = su;
	r.n_add = n_add, r.add = add;
	r.n_remove = n_rm, r.remove = rm;
	r.options = o;
	env.body_case = RPC_BODY(UPDATE_SESSION);
	env.update_session = &r;
	return node_call(&env);
}

static void case_badrpc_envelopes(void)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcPingRequest ping = TANDEM__MEDIA__V1__PING_REQUEST__INIT;
	RpcPingReply pr = TANDEM__MEDIA__V1__PING_REPLY__INIT;
	uint8_t buf[256];
	size_t n;

	CHECK(raw_code("\xff\xfe junk that is no protobuf", 28) == RPC_BAD_REQUEST,
	      "junk frame: ErrorReply STATUS_BAD_REQUEST");
	CHECK(raw_code("", 0) == RPC_BAD_VERSION,
	      "empty frame: version 0, STATUS_UNSUPPORTED_VERSION");
	env.version = 2;
	env.body_case = RPC_BODY(PING);
	env.ping = &ping;
	CHECK(call_code(&env) == RPC_BAD_VERSION, "version 2: STATUS_UNSUPPORTED_VERSION");
	env.version = 0;
	env.body_case = TANDEM__MEDIA__V1__ENVELOPE__BODY__NOT_SET;
	CHECK(call_code(&env) == RPC_UNKNOWN_REQUEST, "no body: STATUS_UNKNOWN_REQUEST");
	env.body_case = RPC_BODY(PING_REPLY);
	env.ping_reply = &pr;
	CHECK(call_code(&env) == RPC_UNKNOWN_REQUEST,
	      "a reply sent as request: STATUS_UNKNOWN_REQUEST");
	/* A field this node does not know (number 99) is skipped, as proto3 wants. */
	env.version = RPC_VERSION;
	env.request_id = 77;
	env.body_case = RPC_BODY(PING);
	env.ping = &ping;
	n = tandem__media__v1__envelope__pack(&env, buf);
	buf[n++] = 0x98, buf[n++] = 0x06, buf[n++] = 0x01; /* field 99, varint 1 */
	CHECK(raw_code(buf, n) == RPC_OK, "unknown field: ignored, Ping answered");
}

void case_badrpc(void)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT, *r, *ping;
	RpcQuerySessionRequest q = TANDEM__MEDIA__V1__QUERY_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	struct spec sa = {.port = 4000}, sb = {.port = 5000};
	uint8_t buf[512];
	size_t n;

	case_badrpc_envelopes();
	r = session_op(Q, "no-such-session");
	CHECK(reply_code(r) == RPC_NOT_FOUND && r->body_case == RPC_BODY(QUERY_SESSION_REPLY) &&
	          !r->query_session_reply->session,
	      "unknown session: a QuerySessionReply with STATUS_NOT_FOUND and no session");
	rpc_envelope_free(r);
	ref.session_id = ref.call_id = "";
	q.session = &ref;
	env.body_case = RPC_BODY(QUERY_SESSION);
	env.query_session = &q;
	CHECK(call_code(&env) == RPC_BAD_REQUEST, "empty SessionRef: STATUS_BAD_REQUEST");
	r = update("no-such-session", &sup, 1, NULL, 0, NULL, 0, NULL);
	CHECK(reply_code(r) == RPC_NOT_FOUND, "update of an unknown session: STATUS_NOT_FOUND");
	rpc_envelope_free(r);

	CHECK(create_code(1, 2, "127.0.0.1", 4000) == RPC_BAD_REQUEST,
	      "leg stream counts 1 vs 2: STATUS_BAD_REQUEST");
	CHECK(create_code(0, 0, "127.0.0.1", 4000) == RPC_BAD_REQUEST, "no streams: BAD_REQUEST");
	CHECK(create_code(1, 1, "999.1.1.1", 4000) == RPC_INVALID_ADDRESS,
	      "remote 999.1.1.1: STATUS_INVALID_ADDRESS");
	CHECK(create_code(1, 1, "127.0.0.1", 70000) == RPC_INVALID_ADDRESS,
	      "port 70000: STATUS_INVALID_ADDRESS");
	CHECK(create_code(1, 1, "224.0.0.1", 4000) == RPC_INVALID_ADDRESS,
	      "multicast remote: STATUS_INVALID_ADDRESS");
	CHECK(create_code(1, 1, "::1", 4000) == RPC_INVALID_ADDRESS,
	      "IPv6 remote on an IPv4 node: STATUS_INVALID_ADDRESS");

	r = create_session(new_call("dup"), 1, &sa, &sb, false, 0);
	CHECK(reply_code(r) == RPC_OK, "a valid session is still created");
	if (reply_session(r)) {
		RpcEnvelope *dup = create_session(reply_session(r)->call_id, 1, &sa, &sb, false, 0);
		const char *sid = reply_session(r)->session_id;

		CHECK(reply_code(dup) == RPC_ALREADY_EXISTS, "same Call-ID again: ALREADY_EXISTS");
		rpc_envelope_free(dup);
		su.index = 3;
		dup = update(sid, &sup, 1, NULL, 0, NULL, 0, NULL);
		CHECK(reply_code(dup) == RPC_BAD_REQUEST, "update of stream 3 of 1: BAD_REQUEST");
		rpc_envelope_free(dup);
		/* A request cut short inside its body does not unpack. */
		env.version = RPC_VERSION;
		env.request_id = 5;
		ref.session_id = (char *)sid;
		n = tandem__media__v1__envelope__pack(&env, buf);
		CHECK(raw_code(buf, n - 4) == RPC_BAD_REQUEST, "truncated protobuf: BAD_REQUEST");
		ping = ping_node();
		CHECK(reply_code(ping) == RPC_OK && ping->ping_reply->node->sessions == 1,
		      "mediad still serving, one session");
		rpc_envelope_free(ping);
		delete_ok(sid);
	}
	rpc_envelope_free(r);
}

void case_status(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *p0 = ping_node(), *r, *p;
	const RpcNodeStatus *n0 = p0 ? p0->ping_reply->node : NULL;
	const RpcSessionInfo *s;
	uint8_t pkt[256];
	uint64_t pps = 0, rx = 0;

	CHECK(n0 && n0->workers >= 1 && n0->total_ports > 0 && n0->free_ports == n0->total_ports &&
	          n0->version[0] && n0->advertise_ip[0],
	      "Ping: workers, ports, version, advertise address");
	if (!n0)
		return;
	r = create_session(new_call("status"), 1, &sa, &sb, false, 0);
	s = reply_session(r);
	p = ping_node();
	CHECK(p && p->ping_reply->node->sessions == n0->sessions + 1 &&
	          p->ping_reply->node->free_ports == n0->free_ports - 2,
	      "a one-stream session takes one port pair per leg");
	rpc_envelope_free(p);
	/* Traffic for up to 4 s; Ping's rate is over the last second, so it shows soon. */
	for (int i = 0; s && i < 400 && !pps; i++) {
		uint8_t got[256];

		udp_send(a, local_rtp(s, 0, 0), pkt, rtp_packet(pkt, (uint16_t)i, 1, 160));
		udp_recv(b, got, sizeof(got), 10, NULL);
		usleep(10000); /* 100 packets/s: the samples are a second apart */
		if (i % 25 == 24) {
			p = ping_node();
			pps = p ? p->ping_reply->node->packets_per_s : 0;
			rx = p ? p->ping_reply->node->packets_received : 0;
			CHECK(p && p->ping_reply->node->cpu_percent >= 0, "cpu_percent reported");
			rpc_envelope_free(p);
		}
	}
	CHECK(pps > 0 && rx > 0, "packets_per_s %llu and packets_received %llu under traffic",
	      (unsigned long long)pps, (unsigned long long)rx);
	if (s)
		delete_ok(s->session_id);
	p = ping_node();
	CHECK(p && p->ping_reply->node->free_ports == n0->total_ports &&
	          p->ping_reply->node->sessions == n0->sessions,
	      "after delete every port is free again");
	rpc_envelope_free(p);
	rpc_envelope_free(r);
	rpc_envelope_free(p0);
	close(a), close(b);
}

/* UpdateSession: a remote learnt from the answer, a direction, a stream added, one removed. */
void case_update(void)
{
	unsigned pa, pb, pa2, pb2, old[2];
	int a = udp_open(0, &pa), b = udp_open(0, &pb), a2 = udp_open(0, &pa2),
	    b2 = udp_open(0, &pb2), fd;
	struct spec sa = {.port = pa}, sb = {0};
	RpcEnvelope *r = create_session(new_call("update"), 1, &sa, &sb, false, 0), *u;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	RpcEndpoint ep = TANDEM__MEDIA__V1__ENDPOINT__INIT, ea = ep, eb = ep;
	RpcStreamSpec na = TANDEM__MEDIA__V1__STREAM_SPEC__INIT, nb = na;
	RpcStreamAdd add = TANDEM__MEDIA__V1__STREAM_ADD__INIT, *addp = &add;
	RpcSessionOptions o = TANDEM__MEDIA__V1__SESSION_OPTIONS__INIT;
	const RpcSessionInfo *s = reply_session(r), *us;
	uint32_t rm = 0;
	uint8_t pkt[256];
	size_t n = rtp_packet(pkt, 1, 0xdddd, 160);

	if (!s) {
		CHECK(0, "session created");
		return;
	}
	udp_send(a, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 200), "B's address is not known yet");
	ep.ip = "127.0.0.1", ep.port = pb;
	su.index = 0, su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_B, su.remote_rtp = &ep;
	u = update(s->session_id, &sup, 1, NULL, 0, NULL, 0, NULL);
	CHECK(reply_code(u) == RPC_OK, "UpdateSession sets B's remote");
	rpc_envelope_free(u);
	CHECK(relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n), "now A->B flows");
	su.remote_rtp = NULL;
	su.direction = TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDONLY;
	u = update(s->session_id, &sup, 1, NULL, 0, NULL, 0, NULL);
	CHECK(reply_code(u) == RPC_OK, "B becomes sendonly");
	rpc_envelope_free(u);
	udp_send(a, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 200), "so nothing goes to B");
	CHECK(relayed(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, n), "but B->A flows");

	old[0] = local_rtp(s, 0, 0), old[1] = local_rtp(s, 1, 0);
	ea.ip = eb.ip = "127.0.0.1", ea.port = pa2, eb.port = pb2;
	na.kind = nb.kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_VIDEO;
	na.remote_rtp = &ea, nb.remote_rtp = &eb;
	add.a = &na, add.b = &nb;
	o.strict_source = 1, o.inactivity_timeout_ms = 60000;
	u = update(s->session_id, NULL, 0, &addp, 1, &rm, 1, &o);
	us = reply_session(u);
	CHECK(reply_code(u) == RPC_OK && us && us->leg_a->n_streams == 2 &&
	          us->leg_a->streams[0]->removed && !us->leg_a->streams[1]->removed &&
	          us->options->strict_source && us->options->inactivity_timeout_ms == 60000,
	      "stream 0 removed, video stream 1 added, options changed");
	fd = udp_open(old[0], NULL);
	CHECK(fd >= 0, "the removed stream's port binds right after the reply");
	if (fd >= 0)
		close(fd);
	fd = udp_open(old[1], NULL);
	CHECK(fd >= 0, "on both legs");
	if (fd >= 0)
		close(fd);
	if (us)
		CHECK(relayed(a2, local_rtp(us, 0, 1), b2, local_rtp(us, 1, 1), pkt, n),
		      "the added stream relays");
	delete_ok(s->session_id);
	rpc_envelope_free(u);
	rpc_envelope_free(r);
	close(a), close(b), close(a2), close(b2);
}

/* Media must not go to the node itself: a remote on one of its own relay ports (here: ports
 * another session holds) is refused on create and on update, as is a link-local address. The
 * node is bound on loopback, where the phones are too: a port it does not hold is a phone's. */
void case_policy(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("policy"), 1, &sa, &sb, false, 0), *u, *r2;
	const RpcSessionInfo *s = reply_session(r);
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	RpcEndpoint ep = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	RpcEnvelope *p0 = ping_node(), *p1;
	uint8_t pkt[256];
	size_t n = rtp_packet(pkt, 1, 0xcccc, 160);

	CHECK(reply_code(r) == RPC_OK && s, "session created");
	if (!s)
		return;
	CHECK(create_code(1, 1, "127.0.0.1", local_rtp(s, 0, 0)) == RPC_INVALID_ADDRESS,
	      "CreateSession pointing at this node's own RTP port: STATUS_INVALID_ADDRESS");
	CHECK(create_code(1, 1, "127.0.0.1", local_rtcp(s, 1, 0)) == RPC_INVALID_ADDRESS,
	      "and at its own RTCP port");
	CHECK(create_code(1, 1, "169.254.10.20", 4000) == RPC_INVALID_ADDRESS,
	      "a link-local remote is refused");
	ep.ip = "127.0.0.1", ep.port = local_rtp(s, 1, 0);
	su.index = 0, su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_A, su.remote_rtp = &ep;
	u = update(s->session_id, &sup, 1, NULL, 0, NULL, 0, NULL);
	CHECK(reply_code(u) == RPC_INVALID_ADDRESS,
	      "UpdateSession (a re-INVITE) pointing A at B's relay port: STATUS_INVALID_ADDRESS");
	rpc_envelope_free(u);
	CHECK(relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n),
	      "the session still relays to its remotes");
	p1 = ping_node();
	CHECK(p0 && p1 && p1->ping_reply->node->free_ports == p0->ping_reply->node->free_ports,
	      "the refused requests leased no port");
	rpc_envelope_free(p0);
	rpc_envelope_free(p1);
	delete_ok(s->session_id);
	/* Freed, the port is no longer the node's: on this loopback node it may be a phone's. */
	sa.port = local_rtp(s, 0, 0);
	r2 = create_session(new_call("policy2"), 1, &sa, &sb, false, 0);
	CHECK(reply_code(r2) == RPC_OK && reply_session(r2),
	      "a port of the range the node no longer holds is accepted (loopback node)");
	if (reply_session(r2))
		delete_ok(reply_session(r2)->session_id);
	rpc_envelope_free(r2);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* With [rtp] owner_timeout_s = 1, a session whose creator says nothing more is closed and the
 * creator (still connected) gets SessionClosed with the final counters. */
void case_reap(void)
{
	struct spec sa = {.port = 4000}, sb = {.port = 5000};
	RpcEnvelope *r = create_session(new_call("reap"), 1, &sa, &sb, false, 0), *ev, *p;
	const RpcSessionInfo *s = reply_session(r);

	CHECK(reply_code(r) == RPC_OK && s, "session created");
	ev = node_event(8000);
	CHECK(ev && ev->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_SESSION_CLOSED &&
	          strstr(ev->event->session_closed->reason, "owner silent") &&
	          ev->event->session_closed->session && s &&
	          strcmp(ev->event->session->session_id, s->session_id) == 0,
	      "SessionClosed \"%s\" for the session",
	      ev && ev->event->session_closed ? ev->event->session_closed->reason : "-");
	p = ping_node();
	CHECK(p && p->ping_reply->node->sessions == 0 &&
	          p->ping_reply->node->free_ports == p->ping_reply->node->total_ports,
	      "the reaped session's ports are free");
	rpc_envelope_free(p);
	rpc_envelope_free(ev);
	rpc_envelope_free(r);
}

/* n sessions at once, each relaying both ways; all ports back afterwards. */
void case_scale(int n)
{
	int *fa = calloc((size_t)n, sizeof(int)), *fb = calloc((size_t)n, sizeof(int));
	unsigned *la = calloc((size_t)n, sizeof(unsigned)),
	         *lb = calloc((size_t)n, sizeof(unsigned));
	char **ids = calloc((size_t)n, sizeof(char *));
	RpcEnvelope *p0 = ping_node(), *p;
	int created = 0, ab = 0, ba = 0, deleted = 0;
	uint8_t pkt[256], got[256];

	for (int i = 0; i < n; i++) {
		unsigned pa, pb;
		struct spec sa, sb;
		RpcEnvelope *r;

		fa[i] = udp_open(0, &pa);
		fb[i] = udp_open(0, &pb);
		sa = (struct spec){.port = pa};
		sb = (struct spec){.port = pb};
		r = create_session(new_call("scale"), 1, &sa, &sb, false, 0);
		if (reply_code(r) != RPC_OK && created == i)
			printf("create %d: %s\n", i,
			       r && rpc_reply_status(r) ? rpc_reply_status(r)->message
			                                : "no reply");
		if (reply_code(r) == RPC_OK) {
			ids[i] = strdup(reply_session(r)->session_id);
			la[i] = local_rtp(reply_session(r), 0, 0);
			lb[i] = local_rtp(reply_session(r), 1, 0);
			created++;
		}
		rpc_envelope_free(r);
	}
	CHECK(created == n, "%d/%d sessions created", created, n);
	p = ping_node();
	CHECK(p && p->ping_reply->node->sessions == (uint32_t)n, "Ping counts %u sessions",
	      p ? p->ping_reply->node->sessions : 0);
	rpc_envelope_free(p);
	for (int i = 0; i < n; i++)
		if (ids[i])
			udp_send(fa[i], la[i], pkt, rtp_packet(pkt, (uint16_t)i, (uint32_t)i, 160));
	for (int i = 0; i < n; i++)
		ab += ids[i] && udp_recv(fb[i], got, sizeof(got), 2000, NULL) == 172 &&
		      got[3] == (uint8_t)i;
	for (int i = 0; i < n; i++)
		if (ids[i])
			udp_send(fb[i], lb[i], pkt, rtp_packet(pkt, (uint16_t)i, (uint32_t)i, 160));
	for (int i = 0; i < n; i++)
		ba += ids[i] && udp_recv(fa[i], got, sizeof(got), 2000, NULL) == 172 &&
		      got[3] == (uint8_t)i;
	CHECK(ab == n && ba == n, "every session relayed both ways (%d and %d of %d)", ab, ba, n);
	for (int i = 0; i < n; i++) {
		if (ids[i]) {
			RpcEnvelope *d = session_op(D, ids[i]);

			deleted += reply_code(d) == RPC_OK;
			rpc_envelope_free(d);
		}
		free(ids[i]);
		close(fa[i]);
		close(fb[i]);
	}
	CHECK(deleted == n, "%d/%d deleted", deleted, n);
	p = ping_node();
	CHECK(p && p0 && p->ping_reply->node->sessions == 0 &&
	          p->ping_reply->node->free_ports == p0->ping_reply->node->free_ports,
	      "all ports back in the pool");
	rpc_envelope_free(p);
	rpc_envelope_free(p0);
	free(fa), free(fb), free(la), free(lb), free(ids);
}
