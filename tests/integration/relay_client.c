/* relay_client ENDPOINT CASE [ARG]: drives a running mediad through its RPC (common/rpc.c over
 * ZeroMQ) and sends real RTP/RTCP over loopback UDP, checking what arrives on the other leg.
 * Prints one "ok:"/"FAIL" line per check; exits 0 when all passed, 1 otherwise, 2 on usage.
 * Cases: forward video latch strict delete timeout garbage (here), badrpc status update policy reap
 * scale N
 * (relay_cases_rpc.c), srtp srtp_bridge srtp_rekey (relay_cases_srtp.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay_cases.h"
#include "relay_util.h"

/* Payloads, SSRC and sequence numbers arrive unchanged on the other leg, RTP and RTCP, both
 * ways, from the relay's port on that leg; the counters agree. */
static void case_forward(void)
{
	unsigned pa, pac, pb, pbc;
	int a = udp_open(0, &pa), ac = udp_open(0, &pac), b = udp_open(0, &pb),
	    bc = udp_open(0, &pbc);
	struct spec sa = {.port = pa, .rtcp_port = pac}, sb = {.port = pb, .rtcp_port = pbc};
	RpcEnvelope *r = create_session(new_call("fwd"), 1, &sa, &sb, false, 0), *q;
	const RpcSessionInfo *s = reply_session(r);
	uint8_t pkt[256];
	int ok_ab = 0, ok_ba = 0;

	CHECK(reply_code(r) == RPC_OK && s, "CreateSession answered OK");
	if (!s)
		return;
	for (uint16_t i = 0; i < 20; i++) {
		size_t n = rtp_packet(pkt, i, 0x11112222, 160);

		ok_ab += relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n);
		n = rtp_packet(pkt, (uint16_t)(1000 + i), 0x33334444, 160);
		ok_ba += relayed(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, n);
	}
	CHECK(ok_ab == 20, "A->B: %d/20 RTP packets arrived unchanged", ok_ab);
	CHECK(ok_ba == 20, "B->A: %d/20 RTP packets arrived unchanged", ok_ba);
	CHECK(relayed(ac, local_rtcp(s, 0, 0), bc, local_rtcp(s, 1, 0), pkt,
	              rtcp_packet(pkt, 0x11112222)),
	      "A->B RTCP arrived unchanged from B's RTCP port");
	CHECK(relayed(bc, local_rtcp(s, 1, 0), ac, local_rtcp(s, 0, 0), pkt,
	              rtcp_packet(pkt, 0x33334444)),
	      "B->A RTCP arrived unchanged from A's RTCP port");
	CHECK(local_rtcp(s, 0, 0) == local_rtp(s, 0, 0) + 1 && local_rtp(s, 0, 0) % 2 == 0,
	      "local ports are an even RTP port and RTP+1 for RTCP");
	q = session_op(Q, s->session_id);
	s = reply_session(q);
	CHECK(s && traffic(s, 0, 0, false)->packets == 20 &&
	          traffic(s, 0, 0, false)->forwarded == 20 &&
	          traffic(s, 0, 0, false)->bytes == 20 * 172 && traffic(s, 0, 0, false)->lost == 0,
	      "QuerySession: leg A sent 20 RTP packets, 3440 bytes, none lost");
	CHECK(s && traffic(s, 1, 0, true)->packets == 1 && traffic(s, 1, 0, false)->packets == 20,
	      "QuerySession: leg B sent 20 RTP and 1 RTCP");
	if (s)
		delete_ok(s->session_id);
	rpc_envelope_free(q);
	rpc_envelope_free(r);
	close(a), close(ac), close(b), close(bc);
}

/* Audio and video streams side by side, video with rtcp-mux on leg B: each stream's packets stay
 * on that stream. */
static void case_video(void)
{
	unsigned p[6];
	int a = udp_open(0, &p[0]), b = udp_open(0, &p[1]), av = udp_open(0, &p[2]),
	    avc = udp_open(0, &p[3]), bv = udp_open(0, &p[4]);
	struct spec sa[2] = {{.port = p[0]}, {.kind = 2, .port = p[2], .rtcp_port = p[3]}};
	struct spec sb[2] = {{.port = p[1]}, {.kind = 2, .mux = true, .port = p[4]}};
	RpcEnvelope *r = create_session(new_call("video"), 2, sa, sb, false, 0);
	const RpcSessionInfo *s = reply_session(r);
	uint8_t pkt[1400];
	int ok = 0;

	CHECK(reply_code(r) == RPC_OK && s, "CreateSession with audio + video");
	if (!s)
		return;
	CHECK(s->leg_b->streams[1]->kind == TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_VIDEO &&
	          s->leg_b->streams[1]->rtcp_mux && local_rtcp(s, 1, 1) == local_rtp(s, 1, 1),
	      "video stream on B is muxed: one port for RTP and RTCP");
	for (uint16_t i = 0; i < 10; i++) {
		size_t n = rtp_packet(pkt, i, 0x7777, 1200); /* video-sized */

		ok += relayed(av, local_rtp(s, 0, 1), bv, local_rtp(s, 1, 1), pkt, n);
		ok += relayed(bv, local_rtp(s, 1, 1), av, local_rtp(s, 0, 1), pkt, n);
	}
	CHECK(ok == 20, "video both ways: %d/20 packets unchanged", ok);
	CHECK(udp_silent(a, 100) && udp_silent(b, 100), "nothing leaked onto the audio stream");
	CHECK(relayed(bv, local_rtp(s, 1, 1), avc, local_rtcp(s, 0, 1), pkt, rtcp_packet(pkt, 9)),
	      "RTCP on B's muxed video port reaches A's video RTCP port");
	CHECK(relayed(avc, local_rtcp(s, 0, 1), bv, local_rtp(s, 1, 1), pkt, rtcp_packet(pkt, 8)),
	      "A's video RTCP reaches B's muxed port");
	CHECK(
	    relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, rtp_packet(pkt, 1, 5, 160)),
	    "audio still relayed");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b), close(av), close(avc), close(bv);
}

/* Latching without strict source. A: SDP's address, locked by its first packet; B: no SDP
 * address, learnt from its first packets. A stranger's datagram after that is dropped and
 * counted, and the real peers keep their audio; after A has been silent for [rtp]
 * latch_relearn_ms (1 s), a new source continuing A's SSRC takes over (a NAT re-mapping). */
static void case_latch(void)
{
	unsigned p1, p2, pb, ps;
	int a1 = udp_open(0, &p1), a2 = udp_open(0, &p2), b = udp_open(0, &pb),
	    stranger = udp_open(0, &ps);
	struct spec sa = {.port = p1}, none = {0};
	RpcEnvelope *r = create_session(new_call("latch"), 1, &sa, &none, false, 0), *q;
	const RpcSessionInfo *s = reply_session(r), *qs;
	uint8_t pkt[256], other[256];
	size_t n = rtp_packet(pkt, 1, 0xaaaa, 160), no = rtp_packet(other, 7, 0x5eed, 160);

	CHECK(reply_code(r) == RPC_OK && s, "CreateSession, B without remote");
	if (!s)
		return;
	CHECK(relayed(b, local_rtp(s, 1, 0), a1, local_rtp(s, 0, 0), pkt, n),
	      "B's first packet goes to A's SDP address; B is learnt from it");
	CHECK(relayed(a1, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n),
	      "A's packets (from its SDP address, which locks A) go to B's learnt source");
	usleep(400 * 1000); /* B's learning window ([rtp] latch_learn_ms = 300 here) ends */
	CHECK(relayed(b, local_rtp(s, 1, 0), a1, local_rtp(s, 0, 0), pkt, n),
	      "B's next packet (which locks B) goes to A");
	/* The hijack: one datagram from elsewhere on each of the call's ports. */
	udp_send(stranger, local_rtp(s, 0, 0), other, no);
	udp_send(stranger, local_rtp(s, 1, 0), other, no);
	CHECK(udp_silent(b, 200) && udp_silent(a1, 50), "the stranger's datagrams are not relayed");
	CHECK(relayed(b, local_rtp(s, 1, 0), a1, local_rtp(s, 0, 0), pkt, n),
	      "A still receives B's audio");
	CHECK(relayed(a1, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n),
	      "B still receives A's audio");
	CHECK(udp_silent(stranger, 200), "the stranger receives nothing");
	/* A new source with A's SSRC while A talks is a stranger too. */
	udp_send(a2, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 200), "A's SSRC from a new address while A talks is not relayed");
	q = session_op(Q, s->session_id);
	qs = reply_session(q);
	CHECK(qs && traffic(qs, 0, 0, false)->strange_source == 2 &&
	          traffic(qs, 1, 0, false)->strange_source == 1,
	      "strangers counted: strange_source A %llu (want 2), B %llu (want 1)",
	      qs ? (unsigned long long)traffic(qs, 0, 0, false)->strange_source : 0ull,
	      qs ? (unsigned long long)traffic(qs, 1, 0, false)->strange_source : 0ull);
	rpc_envelope_free(q);
	/* A silent past latch_relearn_ms, then its stream resumes from a2 (same SSRC). */
	usleep(1300 * 1000);
	CHECK(relayed(a2, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n),
	      "after a silence, A's SSRC from a new address is relayed");
	CHECK(relayed(b, local_rtp(s, 1, 0), a2, local_rtp(s, 0, 0), pkt, n),
	      "and B's packets follow it there");
	CHECK(udp_silent(a1, 200), "the old source gets nothing more");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a1), close(a2), close(b), close(stranger);
}

/* Strict source: only SDP's address may send on A; a stranger is dropped and counted. */
static void case_strict(void)
{
	unsigned pa, pb, ps;
	int a = udp_open(0, &pa), b = udp_open(0, &pb), stranger = udp_open(0, &ps);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("strict"), 1, &sa, &sb, true, 0), *q;
	const RpcSessionInfo *s = reply_session(r);
	uint8_t pkt[256];
	size_t n = rtp_packet(pkt, 1, 0xbbbb, 160);

	CHECK(reply_code(r) == RPC_OK && s && s->options->strict_source, "strict session created");
	if (!s)
		return;
	udp_send(stranger, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 300), "a stranger's packet is not relayed");
	CHECK(relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n),
	      "SDP's source is relayed");
	CHECK(relayed(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, n),
	      "and answered to SDP's address, not the stranger's");
	q = session_op(Q, s->session_id);
	CHECK(reply_session(q) && traffic(reply_session(q), 0, 0, false)->strange_source == 1 &&
	          traffic(reply_session(q), 0, 0, false)->dropped == 1,
	      "the stranger is counted: strange_source 1, dropped 1");
	delete_ok(s->session_id);
	rpc_envelope_free(q);
	rpc_envelope_free(r);
	close(a), close(b), close(stranger);
}

/* DeleteSession: the reply carries final counters and comes after the sockets are closed, so
 * the ports bind again at once; nothing is relayed afterwards. */
static void case_delete(void)
{
	unsigned pa, pb, ports[4];
	int a = udp_open(0, &pa), b = udp_open(0, &pb), fds[4], bound = 0;
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("delete"), 1, &sa, &sb, false, 0), *d, *again;
	const RpcSessionInfo *s = reply_session(r), *fin;
	uint8_t pkt[256];
	size_t n = rtp_packet(pkt, 1, 0xcccc, 160);

	CHECK(reply_code(r) == RPC_OK && s, "session created");
	if (!s)
		return;
	ports[0] = local_rtp(s, 0, 0), ports[1] = local_rtcp(s, 0, 0);
	ports[2] = local_rtp(s, 1, 0), ports[3] = local_rtcp(s, 1, 0);
	CHECK(relayed(a, ports[0], b, ports[2], pkt, n), "relayed before delete");
	d = session_op(D, s->session_id);
	fin = reply_session(d);
	for (int i = 0; i < 4; i++) {
		fds[i] = udp_open(ports[i], NULL);
		bound += fds[i] >= 0;
	}
	CHECK(reply_code(d) == RPC_OK, "DeleteSession answered OK");
	CHECK(bound == 4, "all 4 ports bind right after the reply (%d/4)", bound);
	CHECK(fin && traffic(fin, 0, 0, false)->packets == 1 &&
	          traffic(fin, 0, 0, false)->forwarded == 1,
	      "the reply carries the final counters");
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	udp_send(a, ports[0], pkt, n);
	CHECK(udp_silent(b, 300), "nothing arrives after the delete");
	again = session_op(D, s->session_id);
	CHECK(reply_code(again) == RPC_NOT_FOUND, "a second delete: STATUS_NOT_FOUND");
	rpc_envelope_free(again);
	again = session_op(Q, s->session_id);
	CHECK(reply_code(again) == RPC_NOT_FOUND, "query after delete: STATUS_NOT_FOUND");
	rpc_envelope_free(again);
	rpc_envelope_free(d);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* A 300 ms inactivity timeout raises one RtpTimeout per idle period, to the creator. */
static void case_timeout(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("timeout"), 1, &sa, &sb, false, 300), *ev;
	const RpcSessionInfo *s = reply_session(r);
	uint8_t pkt[256];

	CHECK(reply_code(r) == RPC_OK && s && s->options->inactivity_timeout_ms == 300,
	      "session with a 300 ms timeout");
	if (!s)
		return;
	udp_send(a, local_rtp(s, 0, 0), pkt, rtp_packet(pkt, 1, 1, 160));
	ev = node_event(5000);
	CHECK(ev && ev->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RTP_TIMEOUT &&
	          strcmp(ev->event->session->session_id, s->session_id) == 0 &&
	          strcmp(ev->event->session->call_id, s->call_id) == 0 &&
	          ev->event->rtp_timeout->idle_ms >= 300,
	      "RtpTimeout arrives for the session, idle_ms >= 300 (%llu)",
	      ev ? (unsigned long long)ev->event->rtp_timeout->idle_ms : 0ull);
	rpc_envelope_free(ev);
	ev = node_event(1000);
	CHECK(!ev, "only one RtpTimeout per idle period");
	rpc_envelope_free(ev);
	udp_send(b, local_rtp(s, 1, 0), pkt, rtp_packet(pkt, 2, 2, 160));
	ev = node_event(5000);
	CHECK(ev && ev->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RTP_TIMEOUT,
	      "a packet starts a new idle period, which times out again");
	rpc_envelope_free(ev);
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* Junk on media ports is dropped and counted; the session keeps relaying. */
static void case_garbage(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("garbage"), 1, &sa, &sb, false, 0), *q;
	const RpcSessionInfo *s = reply_session(r);
	static uint8_t big[3000], pkt[256];
	int sent = 0;

	CHECK(reply_code(r) == RPC_OK && s, "session created");
	if (!s)
		return;
	srand(42);
	for (int i = 0; i < 50; i++) {
		uint8_t junk[100];
		size_t len = (size_t)(rand() % 100);

		for (size_t j = 0; j < len; j++)
			junk[j] = (uint8_t)rand();
		junk[0] = (uint8_t)(junk[0] & 0x3f); /* never version 2 */
		sent += udp_send(a, local_rtp(s, 0, 0), junk, len) == 0;
	}
	memset(big, 0x80, sizeof(big)); /* RTP-looking but larger than any buffer */
	big[1] = 0;
	sent += udp_send(a, local_rtp(s, 0, 0), big, sizeof(big)) == 0;
	sent += udp_send(a, local_rtp(s, 0, 0), pkt, rtcp_packet(pkt, 1)) == 0; /* RTCP, no mux */
	sent += udp_send(a, local_rtp(s, 0, 0), pkt, rtp_packet(pkt, 1, 1, 160) - 165) == 0;
	sent += udp_send(a, local_rtcp(s, 0, 0), pkt, rtp_packet(pkt, 1, 1, 160)) == 0;
	CHECK(sent == 54, "54 bad datagrams sent");
	CHECK(udp_silent(b, 300), "none of them was relayed");
	CHECK(
	    relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, rtp_packet(pkt, 2, 1, 160)),
	    "a good packet after them is relayed");
	q = session_op(Q, s->session_id);
	CHECK(reply_session(q) && traffic(reply_session(q), 0, 0, false)->malformed == 53 &&
	          traffic(reply_session(q), 0, 0, true)->malformed == 1 &&
	          traffic(reply_session(q), 0, 0, false)->packets == 1,
	      "counted: 53 malformed on the RTP port, 1 on the RTCP port, 1 good packet");
	rpc_envelope_free(q);
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} cases[] = {
	    {"forward", case_forward},
	    {"video", case_video},
	    {"latch", case_latch},
	    {"strict", case_strict},
	    {"delete", case_delete},
	    {"timeout", case_timeout},
	    {"garbage", case_garbage},
	    {"badrpc", case_badrpc},
	    {"status", case_status},
	    {"update", case_update},
	    {"policy", case_policy},
	    {"reap", case_reap},
	    {"srtp", case_srtp},
	    {"srtp_bridge", case_srtp_bridge},
	    {"srtp_rekey", case_srtp_rekey},
	    {"fastpath", case_fastpath},
	    {"fastpath_open", case_fastpath_open},
	};
	char id[64];

	if (argc < 3) {
		fprintf(stderr, "usage: relay_client ENDPOINT CASE [N]\n");
		return 2;
	}
	raise_fd_limit();
	snprintf(id, sizeof(id), "relay-client-%d", (int)getpid());
	if (node_connect(argv[1], id)) {
		fprintf(stderr, "relay_client: cannot connect to %s\n", argv[1]);
		return 2;
	}
	if (strcmp(argv[2], "scale") == 0) {
		case_scale(argc > 3 ? atoi(argv[3]) : 500);
	} else {
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (strcmp(argv[2], cases[i].name) == 0)
				break;
		if (i == sizeof(cases) / sizeof(cases[0])) {
			fprintf(stderr, "relay_client: unknown case %s\n", argv[2]);
			node_close();
			return 2;
		}
		cases[i].fn();
	}
	node_close();
	printf("%s: %d failures\n", argv[2], failures);
	return failures ? 1 : 0;
}
