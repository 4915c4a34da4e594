/* The kernel fast path seen from outside (mediad/fastpath.h): once both legs are latched, RTP
 * flows without the relay thread seeing it (the node's userspace counters stand still while the
 * session's grow), strangers still go nowhere, and an update or a delete takes the stream out
 * at once. Run against a node whose log said "fast path: kernel". */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "relay_cases.h"
#include "relay_util.h"

/* Datagrams the node's relay threads received (userspace only). */
static uint64_t userspace_received(void)
{
	RpcEnvelope *p = ping_node();
	uint64_t n = 0;

	if (p && p->body_case == RPC_BODY(PING_REPLY) && p->ping_reply->node)
		n = p->ping_reply->node->packets_received;
	rpc_envelope_free(p);
	return n;
}

static RpcEnvelope *set_direction(const char *sid, int leg, int direction)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;

	ref.session_id = (char *)sid;
	su.index = 0;
	su.leg = leg ? TANDEM__MEDIA__V1__LEG_ID__LEG_B : TANDEM__MEDIA__V1__LEG_ID__LEG_A;
	su.direction = direction;
	r.session = &ref;
	r.n_streams = 1, r.streams = &sup;
	env.body_case = RPC_BODY(UPDATE_SESSION);
	env.update_session = &r;
	return node_call(&env);
}

/* n packets each way, every one checked to arrive unchanged from the far relay port. */
static int both_ways(int a, int b, const RpcSessionInfo *s, uint16_t seq, int n)
{
	uint8_t pkt[256];
	int ok = 0;

	for (int i = 0; i < n; i++) {
		size_t len = rtp_packet(pkt, (uint16_t)(seq + i), 0xfa57a, 160);

		ok += relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, len);
		len = rtp_packet(pkt, (uint16_t)(seq + i), 0xfa57b, 160);
		ok += relayed(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, len);
	}
	return ok;
}

void case_fastpath(void)
{
	unsigned pa, pb, ps;
	int a = udp_open(0, &pa), b = udp_open(0, &pb), stranger = udp_open(0, &ps);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("fastpath"), 1, &sa, &sb, false, 0), *q, *u;
	const RpcSessionInfo *s = reply_session(r), *qs;
	uint64_t rx0, rx1;
	uint8_t pkt[256];
	size_t n = rtp_packet(pkt, 1, 0x5eed, 160);

	CHECK(reply_code(r) == RPC_OK && s, "CreateSession answered OK");
	if (!s)
		return;
	/* Packets from the SDP addresses lock both legs; the worker's next tick installs. */
	CHECK(both_ways(a, b, s, 1, 5) == 10, "10 packets relayed while latching");
	usleep(300 * 1000);
	rx0 = userspace_received();
	CHECK(both_ways(a, b, s, 100, 100) == 200, "200 more packets relayed after latching");
	usleep(250 * 1000); /* the worker publishes its counters once per round */
	rx1 = userspace_received();
	CHECK(rx1 == rx0, "the relay thread received none of them (userspace counter %llu -> %llu)",
	      (unsigned long long)rx0, (unsigned long long)rx1);
	q = session_op(Q, s->session_id);
	qs = reply_session(q);
	CHECK(
	    qs && traffic(qs, 0, 0, false)->packets == 105 &&
	        traffic(qs, 0, 0, false)->forwarded == 105 &&
	        traffic(qs, 0, 0, false)->bytes == 105 * 172 &&
	        traffic(qs, 1, 0, false)->packets == 105 && qs->rtp_idle_ms < 1000,
	    "QuerySession counts the kernel's packets: A %llu, B %llu (want 105 each), idle %u ms",
	    qs ? (unsigned long long)traffic(qs, 0, 0, false)->packets : 0ull,
	    qs ? (unsigned long long)traffic(qs, 1, 0, false)->packets : 0ull,
	    qs ? (unsigned)qs->rtp_idle_ms : 0u);
	rpc_envelope_free(q);

	/* A stranger on a fast-path port goes up to the relay, which drops and counts it. */
	udp_send(stranger, local_rtp(s, 0, 0), pkt, n);
	udp_send(stranger, local_rtp(s, 1, 0), pkt, n);
	CHECK(udp_silent(b, 200) && udp_silent(a, 50), "the stranger's packets are not forwarded");
	q = session_op(Q, s->session_id);
	qs = reply_session(q);
	CHECK(qs && traffic(qs, 0, 0, false)->strange_source == 1 &&
	          traffic(qs, 1, 0, false)->strange_source == 1,
	      "the relay counted them as strange_source on both legs");
	rpc_envelope_free(q);
	CHECK(both_ways(a, b, s, 300, 5) == 10, "the call's own packets still flow");

	/* The relay thread has not seen A for longer than latch_relearn_ms (1 s), but the kernel
	 * has: a stranger continuing A's SSRC must not take A's place. */
	for (int i = 0; i < 13; i++) {
		both_ways(a, b, s, (uint16_t)(310 + 5 * i), 5);
		usleep(100 * 1000);
	}
	udp_send(stranger, local_rtp(s, 0, 0), pkt, rtp_packet(pkt, 400, 0xfa57a, 160));
	CHECK(udp_silent(b, 200),
	      "a stranger with A's SSRC while A talks through the kernel is dropped");
	CHECK(both_ways(a, b, s, 380, 5) == 10, "and A keeps its place");
	n = rtp_packet(pkt, 1, 0x5eed, 160);

	/* Hold: the update takes the stream out before its reply, so the very next packet is the
	 * relay thread's, which drops it as B said sendonly. */
	u = set_direction(s->session_id, 1, TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDONLY);
	CHECK(reply_code(u) == RPC_OK, "B goes sendonly (hold)");
	rpc_envelope_free(u);
	rx0 = userspace_received();
	udp_send(a, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 300), "right after the update A's packet is not forwarded to B");
	CHECK(relayed(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, n),
	      "B->A still flows, through the relay thread");
	usleep(250 * 1000);
	rx1 = userspace_received();
	CHECK(rx1 >= rx0 + 2, "the relay thread received them (%llu -> %llu)",
	      (unsigned long long)rx0, (unsigned long long)rx1);
	/* Back to sendrecv: the stream returns to the kernel. */
	u = set_direction(s->session_id, 1, TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDRECV);
	CHECK(reply_code(u) == RPC_OK, "B sendrecv again");
	rpc_envelope_free(u);
	usleep(300 * 1000);
	rx0 = userspace_received();
	CHECK(both_ways(a, b, s, 400, 20) == 40, "40 packets relayed after resuming");
	usleep(250 * 1000);
	rx1 = userspace_received();
	CHECK(rx1 == rx0, "back on the fast path (userspace counter %llu -> %llu)",
	      (unsigned long long)rx0, (unsigned long long)rx1);

	/* Delete: final counters include the kernel's, nothing flows after the reply. */
	q = session_op(D, s->session_id);
	qs = reply_session(q);
	udp_send(a, local_rtp(s, 0, 0), pkt, n);
	CHECK(reply_code(q) == RPC_OK && qs && traffic(qs, 0, 0, false)->packets == 201 &&
	          traffic(qs, 1, 0, false)->packets == 201,
	      "DeleteSession's final counters: A %llu, B %llu (want 201 each)",
	      qs ? (unsigned long long)traffic(qs, 0, 0, false)->packets : 0ull,
	      qs ? (unsigned long long)traffic(qs, 1, 0, false)->packets : 0ull);
	CHECK(udp_silent(b, 300), "nothing is forwarded after DeleteSession");
	rpc_envelope_free(q);
	rpc_envelope_free(r);
	close(a), close(b), close(stranger);
}

/* A session left open on purpose (the script then restarts or stops the node and looks at the
 * kernel's state): latched and on the fast path when this returns. */
void case_fastpath_open(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("fastpath-open"), 1, &sa, &sb, false, 0);
	const RpcSessionInfo *s = reply_session(r);

	CHECK(reply_code(r) == RPC_OK && s, "CreateSession answered OK");
	if (s) {
		CHECK(both_ways(a, b, s, 1, 5) == 10, "10 packets relayed while latching");
		usleep(300 * 1000);
	}
	rpc_envelope_free(r);
	close(a), close(b);
}
