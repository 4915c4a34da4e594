/* The relay_client cases about SRTP: real UDP through mediad with phones played by libsrtp2
 * here (independently of mediad's code). srtp: SRTP on leg A, plain RTP on leg B, both ways,
 * SRTCP too; a tampered, a replayed and a plain packet sent to the SRTP leg are dropped and
 * counted in srtp_failed, never relayed. srtp_bridge: SRTP on both legs with other keys and
 * another suite. srtp_rekey: UpdateSession gives leg A new keys (a re-INVITE): the old key is
 * refused from then on, the new one relayed; then the leg goes plain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "relay_cases.h"
#include "relay_util.h"

/* One leg's keys and the phone's two contexts: it encrypts with rx (what the node decrypts
 * with) and decrypts with tx. */
struct sleg {
	RpcSrtpParams params;
	uint8_t rx[44], tx[44];
	srtp_t enc, dec;
};

static void policy_for(int suite, srtp_policy_t *p)
{
	memset(p, 0, sizeof(*p));
	switch (suite) {
	case TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	case TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
	}
}

static size_t key_len(int suite)
{
	return suite == TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AEAD_AES_256_GCM   ? 44
	       : suite == TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AEAD_AES_128_GCM ? 28
	                                                                       : 30;
}

static void sleg_init(struct sleg *l, int suite)
{
	srtp_policy_t p;
	size_t n = key_len(suite);
	FILE *r = fopen("/dev/urandom", "rb");

	if (!r || fread(l->rx, 1, sizeof(l->rx), r) != sizeof(l->rx) ||
	    fread(l->tx, 1, sizeof(l->tx), r) != sizeof(l->tx))
		abort();
	fclose(r);
	/* For the script: these must appear nowhere in the node's log. */
	printf("key:");
	for (size_t i = 0; i < n; i++)
		printf("%02x", l->rx[i]);
	printf("\nkey:");
	for (size_t i = 0; i < n; i++)
		printf("%02x", l->tx[i]);
	printf("\n");
	tandem__media__v1__srtp_params__init(&l->params);
	l->params.suite = suite;
	l->params.rx_key.data = l->rx;
	l->params.rx_key.len = n;
	l->params.tx_key.data = l->tx;
	l->params.tx_key.len = n;
	policy_for(suite, &p);
	p.ssrc.type = ssrc_any_outbound;
	p.key = l->rx;
	if (srtp_create(&l->enc, &p))
		abort();
	policy_for(suite, &p);
	p.ssrc.type = ssrc_any_inbound;
	p.key = l->tx;
	if (srtp_create(&l->dec, &p))
		abort();
}

static void sleg_free(struct sleg *l)
{
	srtp_dealloc(l->enc);
	srtp_dealloc(l->dec);
}

static size_t protect(struct sleg *l, uint8_t *pkt, size_t n, bool rtcp)
{
	int len = (int)n;

	if ((rtcp ? srtp_protect_rtcp(l->enc, pkt, &len) : srtp_protect(l->enc, pkt, &len)) !=
	    srtp_err_status_ok)
		return 0;
	return (size_t)len;
}

/* Sends pkt (len) from `from` to port; what arrives on `to` from want_src, decrypted with
 * dec when the receiving phone is SRTP, must equal plain (plen). */
static bool arrives(int from, unsigned port, int to, unsigned want_src, const uint8_t *pkt,
                    size_t len, struct sleg *dec, bool rtcp, const uint8_t *plain, size_t plen)
{
	uint8_t got[2048];
	unsigned src = 0;
	int n;

	if (udp_send(from, port, pkt, len))
		return false;
	n = udp_recv(to, got, sizeof(got), 2000, &src);
	if (n < 0 || src != want_src)
		return false;
	if (dec &&
	    (rtcp ? srtp_unprotect_rtcp(dec->dec, got, &n) : srtp_unprotect(dec->dec, got, &n)))
		return false;
	return n == (int)plen && memcmp(got, plain, plen) == 0;
}

/* RTP both ways between legs whose phones are pa (NULL: plain) and pb; returns how many of
 * count packets each way arrived right. */
static int exchange(const RpcSessionInfo *s, int a, int b, struct sleg *pa, struct sleg *pb,
                    uint16_t seq0, int count)
{
	int ok = 0;

	for (int i = 0; i < count; i++) {
		uint8_t plain[2048], pkt[2048];
		size_t pn = rtp_packet(plain, (uint16_t)(seq0 + i), 0xA1A1A1A1, 160), n = pn;

		memcpy(pkt, plain, pn);
		if (pa)
			n = protect(pa, pkt, pn, false);
		ok += arrives(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt, n, pb, false,
		              plain, pn);
		pn = rtp_packet(plain, (uint16_t)(seq0 + 500 + i), 0xB2B2B2B2, 160);
		memcpy(pkt, plain, pn);
		n = pb ? protect(pb, pkt, pn, false) : pn;
		ok += arrives(b, local_rtp(s, 1, 0), a, local_rtp(s, 0, 0), pkt, n, pa, false,
		              plain, pn);
	}
	return ok;
}

static const RpcTrafficStats *query(RpcEnvelope **q, const char *sid, int leg, bool rtcp)
{
	rpc_envelope_free(*q);
	*q = session_op(Q, sid);
	return reply_session(*q) ? traffic(reply_session(*q), leg, 0, rtcp) : NULL;
}

static void case_srtp_suite(int suite)
{
	unsigned pa, pac, pb, pbc;
	int a = udp_open(0, &pa), ac = udp_open(0, &pac), b = udp_open(0, &pb),
	    bc = udp_open(0, &pbc);
	struct sleg la;
	struct spec sa = {.port = pa, .rtcp_port = pac, .srtp = &la.params},
	            sb = {.port = pb, .rtcp_port = pbc};
	RpcEnvelope *r, *q = NULL;
	const RpcSessionInfo *s;
	const RpcTrafficStats *t;
	uint8_t plain[256], pkt[256], copy[256];
	size_t pn, n;
	int bad = 0;

	sleg_init(&la, suite);
	r = create_session(new_call("srtp"), 1, &sa, &sb, false, 0);
	s = reply_session(r);
	CHECK(reply_code(r) == RPC_OK && s, "CreateSession with SRTP (suite %d) on leg A", suite);
	if (!s)
		goto out;
	CHECK(s->leg_a->streams[0]->srtp == (Tandem__Media__V1__SrtpSuite)suite &&
	          s->leg_b->streams[0]->srtp == 0,
	      "StreamInfo names leg A's suite, leg B plain");
	CHECK(exchange(s, a, b, &la, NULL, 100, 20) == 40,
	      "SRTP A -> plain B and plain B -> SRTP A: 40/40 packets decrypted and encrypted");
	/* SRTCP from A arrives as RTCP at B; RTCP from B as SRTCP at A. */
	pn = rtcp_packet(plain, 0xA1A1A1A1);
	memcpy(pkt, plain, pn);
	n = protect(&la, pkt, pn, true);
	CHECK(arrives(ac, local_rtcp(s, 0, 0), bc, local_rtcp(s, 1, 0), pkt, n, NULL, true, plain,
	              pn),
	      "SRTCP from A arrives as RTCP at B");
	pn = rtcp_packet(plain, 0xB2B2B2B2);
	CHECK(arrives(bc, local_rtcp(s, 1, 0), ac, local_rtcp(s, 0, 0), plain, pn, &la, true, plain,
	              pn),
	      "RTCP from B arrives as SRTCP at A");
	/* Tampered, replayed, plain: none relayed, each counted. */
	pn = rtp_packet(plain, 200, 0xA1A1A1A1, 160);
	memcpy(pkt, plain, pn);
	n = protect(&la, pkt, pn, false);
	memcpy(copy, pkt, n);
	pkt[60] ^= 0x01;
	bad += udp_send(a, local_rtp(s, 0, 0), pkt, n) == 0;
	CHECK(udp_silent(b, 300), "a tampered SRTP packet is not relayed");
	CHECK(
	    arrives(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), copy, n, NULL, false, plain, pn),
	    "the genuine packet after it is");
	bad += udp_send(a, local_rtp(s, 0, 0), copy, n) == 0;
	CHECK(udp_silent(b, 300), "the same packet replayed is not relayed");
	pn = rtp_packet(plain, 201, 0xA1A1A1A1, 160);
	bad += udp_send(a, local_rtp(s, 0, 0), plain, pn) == 0;
	CHECK(udp_silent(b, 300), "plain RTP sent to the SRTP leg is not relayed");
	CHECK(bad == 3, "3 bad packets sent");
	t = query(&q, s->session_id, 0, false);
	CHECK(t && t->srtp_failed == 3 && t->dropped == 3 && t->forwarded == 21,
	      "QuerySession: leg A srtp_failed %llu, dropped %llu, forwarded %llu (want 3, 3, 21)",
	      t ? (unsigned long long)t->srtp_failed : 0, t ? (unsigned long long)t->dropped : 0,
	      t ? (unsigned long long)t->forwarded : 0);
	delete_ok(s->session_id);
out:
	rpc_envelope_free(q);
	rpc_envelope_free(r);
	sleg_free(&la);
	close(a), close(ac), close(b), close(bc);
}

void case_srtp(void)
{
	srtp_init();
	for (int suite = 1; suite <= 4; suite++)
		case_srtp_suite(suite);
}

void case_srtp_bridge(void)
{
	static const int pairs[][2] = {{1, 1}, {1, 3}, {4, 2}};

	srtp_init();
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		unsigned pa, pb;
		int a = udp_open(0, &pa), b = udp_open(0, &pb);
		struct sleg la, lb;
		struct spec sa = {.port = pa, .srtp = &la.params},
		            sb = {.port = pb, .srtp = &lb.params};
		RpcEnvelope *r;
		const RpcSessionInfo *s;

		sleg_init(&la, pairs[i][0]);
		sleg_init(&lb, pairs[i][1]);
		r = create_session(new_call("srtp2"), 1, &sa, &sb, false, 0);
		s = reply_session(r);
		CHECK(reply_code(r) == RPC_OK && s, "CreateSession, SRTP suites %d and %d",
		      pairs[i][0], pairs[i][1]);
		if (s) {
			CHECK(exchange(s, a, b, &la, &lb, 10, 10) == 20,
			      "SRTP <-> SRTP with other keys (suites %d, %d): 20/20 re-encrypted",
			      pairs[i][0], pairs[i][1]);
			delete_ok(s->session_id);
		}
		rpc_envelope_free(r);
		sleg_free(&la);
		sleg_free(&lb);
		close(a), close(b);
	}
}

static RpcEnvelope *rekey(const char *sid, RpcSrtpParams *p)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;

	ref.session_id = (char *)sid;
	r.session = &ref;
	su.index = 0;
	su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_A;
	su.srtp = p;
	r.n_streams = 1;
	r.streams = &sup;
	env.body_case = RPC_BODY(UPDATE_SESSION);
	env.update_session = &r;
	return node_call(&env);
}

void case_srtp_rekey(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct sleg old, fresh;
	struct spec sa = {.port = pa, .srtp = &old.params}, sb = {.port = pb};
	RpcEnvelope *r, *u, *q = NULL;
	RpcSrtpParams none = TANDEM__MEDIA__V1__SRTP_PARAMS__INIT;
	const RpcSessionInfo *s;
	const RpcTrafficStats *t;
	uint8_t plain[256], pkt[256];
	size_t pn, n;

	srtp_init();
	sleg_init(&old, 1);
	sleg_init(&fresh, 4);
	r = create_session(new_call("rekey"), 1, &sa, &sb, false, 0);
	s = reply_session(r);
	CHECK(reply_code(r) == RPC_OK && s, "CreateSession with SRTP on leg A");
	if (!s)
		goto out;
	CHECK(exchange(s, a, b, &old, NULL, 1, 5) == 10, "the first keys work both ways");
	u = rekey(s->session_id, &fresh.params);
	CHECK(reply_code(u) == RPC_OK, "UpdateSession with new keys and another suite for leg A");
	rpc_envelope_free(u);
	CHECK(exchange(s, a, b, &fresh, NULL, 100, 5) == 10, "the new keys work both ways");
	pn = rtp_packet(plain, 300, 0xA1A1A1A1, 160);
	memcpy(pkt, plain, pn);
	n = protect(&old, pkt, pn, false);
	udp_send(a, local_rtp(s, 0, 0), pkt, n);
	CHECK(udp_silent(b, 300), "a packet under the old key is refused");
	t = query(&q, s->session_id, 0, false);
	CHECK(t && t->srtp_failed == 1, "and counted in srtp_failed");
	u = rekey(s->session_id, &none);
	CHECK(reply_code(u) == RPC_OK, "UpdateSession with suite NONE: leg A plain");
	rpc_envelope_free(u);
	CHECK(exchange(s, a, b, NULL, NULL, 400, 5) == 10, "plain RTP both ways afterwards");
	delete_ok(s->session_id);
out:
	rpc_envelope_free(q);
	rpc_envelope_free(r);
	sleg_free(&old);
	sleg_free(&fresh);
	close(a), close(b);
}
