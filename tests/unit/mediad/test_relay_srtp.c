/* relay_packet() with SRTP legs, without sockets: SRTP -> RTP, RTP -> SRTP, SRTP <-> SRTP with
 * other keys and another suite, SRTCP, a tampered or replayed packet dropped and counted in
 * srtp_failed (never forwarded, never latched), no room for the tag, re-keying a leg. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "relay.h"
#include "srtp_ctx.h"

#define NOW 5000000000ull
#define MS  1000000ull

/* A phone's side of one leg: it encrypts with the key the leg decrypts with, and back. */
struct phone {
	struct srtp_ctx *ctx;
	uint8_t seed;
};

struct fixture {
	struct relay_session rs;
	struct relay_stream *st;
	struct relay_fwd fwd;
	struct phone phone[2]; /* ctx NULL: plain */
	uint8_t buf[2048];
	uint16_t seq;
	uint64_t t;
};

static struct net_addr addr(const char *ip, unsigned port)
{
	struct net_addr a;

	assert_int_equal(net_addr_parse(ip, port, &a), 0);
	return a;
}

static void keys(uint8_t seed, uint8_t *rx, uint8_t *tx)
{
	for (size_t i = 0; i < SRTP_CTX_MAX_KEY; i++) {
		rx[i] = (uint8_t)(seed * 31 + i);
		tx[i] = (uint8_t)(seed * 17 + 3 * i + 1);
	}
}

/* The relay leg's context and the phone's matching one for suite (SRTP_NONE: neither). */
static struct srtp_ctx *leg_ctx(int suite, uint8_t seed, struct phone *ph)
{
	uint8_t rx[SRTP_CTX_MAX_KEY], tx[SRTP_CTX_MAX_KEY];
	size_t n = srtp_ctx_key_len(suite);
	struct srtp_ctx *c;

	ph->ctx = NULL;
	ph->seed = seed;
	if (suite == SRTP_NONE)
		return NULL;
	keys(seed, rx, tx);
	assert_int_equal(srtp_ctx_new(suite, rx, n, tx, n, &c), 0);
	assert_int_equal(srtp_ctx_new(suite, tx, n, rx, n, &ph->ctx), 0);
	return c;
}

/* Leg A at 10.0.0.1:4000/4001, leg B at 10.0.0.2:5000/5001. */
static struct fixture *make(int suite_a, int suite_b)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct port_lease lease[2] = {{30000, false, -1, -1}, {30002, false, -1, -1}};
	struct relay_leg_spec spec[2];

	assert_non_null(f);
	memset(spec, 0, sizeof(spec));
	spec[0].rtp = addr("10.0.0.1", 4000);
	spec[1].rtp = addr("10.0.0.2", 5000);
	spec[0].srtp = leg_ctx(suite_a, 1, &f->phone[0]);
	spec[1].srtp = leg_ctx(suite_b, 2, &f->phone[1]);
	f->st = relay_stream_new(0, KIND_AUDIO, 8000, lease, spec, false);
	assert_non_null(f->st);
	f->st->session = &f->rs;
	f->rs.learn_ns = 3000 * MS;
	f->rs.relearn_ns = 1000 * MS;
	f->rs.n_streams = 1;
	f->rs.streams[0] = f->st;
	f->t = NOW;
	return f;
}

static void destroy(struct fixture *f)
{
	relay_stream_free(f->st);
	srtp_ctx_free(f->phone[0].ctx);
	srtp_ctx_free(f->phone[1].ctx);
	free(f);
}

static uint32_t plain_rtp(uint8_t *b, uint16_t seq)
{
	memset(b, 0, 2048);
	b[0] = 0x80;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[11] = 0x42;
	for (int i = 12; i < 172; i++)
		b[i] = (uint8_t)(i + seq);
	return 172;
}

/* The phone of leg `from` sends the next RTP packet (encrypted when its leg is SRTP) into
 * f->buf; *plain gets the plain packet. Returns its length on the wire. */
static uint32_t phone_rtp(struct fixture *f, int from, uint8_t *plain)
{
	uint32_t n = plain_rtp(f->buf, ++f->seq);

	memcpy(plain, f->buf, n);
	if (f->phone[from].ctx)
		assert_int_equal(srtp_ctx_protect(f->phone[from].ctx, false, f->buf, &n, 2048), 0);
	return n;
}

static int deliver(struct fixture *f, int leg, bool rtcp, uint32_t n, const char *ip, unsigned port)
{
	struct net_addr src = addr(ip, port);
	struct relay_sock *s = rtcp ? &f->st->leg[leg].rtcp : &f->st->leg[leg].rtp;

	f->t += 20 * MS;
	return relay_packet(s, f->buf, n, sizeof(f->buf), false, &src.u, src.len, f->t, &f->fwd);
}

static const char *ip_of(int leg)
{
	return leg ? "10.0.0.2" : "10.0.0.1";
}

/* One packet from leg `from` reaches the other leg's phone as that phone expects it. */
static void relays(struct fixture *f, int from)
{
	uint8_t plain[2048];
	uint32_t n = phone_rtp(f, from, plain), out;
	struct phone *to = &f->phone[!from];

	assert_int_equal(deliver(f, from, false, n, ip_of(from), from ? 5000 : 4000), 1);
	assert_ptr_equal(f->fwd.out, &f->st->leg[!from].rtp);
	out = f->fwd.len;
	if (to->ctx) {
		assert_int_not_equal(out, 172);
		assert_int_equal(srtp_ctx_unprotect(to->ctx, false, f->buf, &out), 0);
	}
	assert_int_equal(out, 172);
	assert_memory_equal(f->buf, plain, 172);
}

static void test_srtp_to_rtp_and_back(void **state)
{
	struct fixture *f = make(SRTP_AES_CM_128_SHA1_80, SRTP_NONE);

	(void)state;
	for (int i = 0; i < 10; i++) {
		relays(f, 0);
		relays(f, 1);
	}
	assert_int_equal(f->st->leg[0].rx_rtp.forwarded, 10);
	assert_int_equal(f->st->leg[1].rx_rtp.forwarded, 10);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 0);
	/* bytes count what arrived: 172 + the 10-octet tag */
	assert_int_equal(f->st->leg[0].rx_rtp.bytes, 10 * 182);
	destroy(f);
}

static void test_srtp_to_srtp_other_keys(void **state)
{
	int suites[][2] = {{SRTP_AEAD_AES_128_GCM, SRTP_AES_CM_128_SHA1_80},
	                   {SRTP_AES_CM_128_SHA1_32, SRTP_AEAD_AES_256_GCM},
	                   {SRTP_AES_CM_128_SHA1_80, SRTP_AES_CM_128_SHA1_80}};

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		struct fixture *f = make(suites[s][0], suites[s][1]);

		for (int i = 0; i < 5; i++) {
			relays(f, 0);
			relays(f, 1);
		}
		destroy(f);
	}
}

static void test_rtp_to_rtp_untouched(void **state)
{
	struct fixture *f = make(SRTP_NONE, SRTP_NONE);

	(void)state;
	relays(f, 0);
	relays(f, 1);
	assert_null(f->st->leg[0].srtp);
	destroy(f);
}

static void test_srtcp(void **state)
{
	struct fixture *f = make(SRTP_AES_CM_128_SHA1_32, SRTP_AEAD_AES_128_GCM);
	uint8_t sr[8] = {0x80, 201, 0, 1, 0, 0, 0, 0x42};
	uint32_t n = sizeof(sr);

	(void)state;
	memcpy(f->buf, sr, n);
	assert_int_equal(srtp_ctx_protect(f->phone[0].ctx, true, f->buf, &n, 2048), 0);
	assert_int_equal(deliver(f, 0, true, n, "10.0.0.1", 4001), 1);
	assert_ptr_equal(f->fwd.out, &f->st->leg[1].rtcp);
	n = f->fwd.len;
	assert_int_equal(srtp_ctx_unprotect(f->phone[1].ctx, true, f->buf, &n), 0);
	assert_int_equal(n, sizeof(sr));
	assert_memory_equal(f->buf, sr, sizeof(sr));
	/* A tampered SRTCP packet is counted on the RTCP counters. */
	n = sizeof(sr);
	memcpy(f->buf, sr, n);
	assert_int_equal(srtp_ctx_protect(f->phone[0].ctx, true, f->buf, &n, 2048), 0);
	f->buf[6] ^= 1;
	assert_int_equal(deliver(f, 0, true, n, "10.0.0.1", 4001), 0);
	assert_int_equal(f->st->leg[0].rx_rtcp.srtp_failed, 1);
	assert_int_equal(f->st->leg[0].rx_rtcp.forwarded, 1);
	destroy(f);
}

static void test_tamper_replay_counted(void **state)
{
	struct fixture *f = make(SRTP_AES_CM_128_SHA1_80, SRTP_NONE);
	uint8_t plain[2048], copy[2048];
	uint32_t n;

	(void)state;
	relays(f, 0);
	n = phone_rtp(f, 0, plain);
	memcpy(copy, f->buf, n);
	f->buf[100] ^= 0x80;
	assert_int_equal(deliver(f, 0, false, n, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.dropped, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.forwarded, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 1); /* not accepted */
	/* The genuine packet passes once; its copy is a replay. */
	memcpy(f->buf, copy, n);
	assert_int_equal(deliver(f, 0, false, n, "10.0.0.1", 4000), 1);
	memcpy(f->buf, copy, n);
	assert_int_equal(deliver(f, 0, false, n, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 2);
	/* Plain RTP sent to an SRTP leg is not authentic either. */
	n = plain_rtp(f->buf, 999);
	assert_int_equal(deliver(f, 0, false, n, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 3);
	assert_int_equal(f->st->leg[0].rx_rtp.forwarded, 2);
	destroy(f);
}

/* While a leg is learning, only authentic packets may move its remote. */
static void test_forgery_does_not_latch(void **state)
{
	struct fixture *f = make(SRTP_AES_CM_128_SHA1_80, SRTP_NONE);
	uint8_t plain[2048];
	uint32_t n = phone_rtp(f, 0, plain);

	(void)state;
	f->buf[50] ^= 1;
	assert_int_equal(deliver(f, 0, false, n, "10.6.6.6", 7000), 0);
	assert_int_equal(net_addr_port(&f->st->leg[0].remote_rtp), 4000);
	assert_int_equal(f->st->leg[0].rx_rtp.strange_source, 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 1);
	destroy(f);
}

/* A packet too large to take its tag in the buffer is dropped, not overrun. */
static void test_no_room_for_tag(void **state)
{
	struct fixture *f = make(SRTP_NONE, SRTP_AES_CM_128_SHA1_80);
	struct net_addr src = addr("10.0.0.1", 4000);
	uint32_t n = plain_rtp(f->buf, 1);

	(void)state;
	assert_int_equal(relay_packet(&f->st->leg[0].rtp, f->buf, n, n + 16, false, &src.u, src.len,
	                              NOW, &f->fwd),
	                 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 1);
	destroy(f);
}

/* New keys on a leg (a re-INVITE): the old key is refused from then on, the new one works. */
static void test_rekey(void **state)
{
	struct fixture *f = make(SRTP_AES_CM_128_SHA1_80, SRTP_NONE);
	struct phone old = f->phone[0];
	uint8_t plain[2048];
	uint32_t n;

	(void)state;
	relays(f, 0);
	relay_leg_set_srtp(&f->st->leg[0], leg_ctx(SRTP_AEAD_AES_256_GCM, 9, &f->phone[0]));
	relays(f, 0);
	relays(f, 1);
	/* the previous key no longer authenticates */
	n = plain_rtp(f->buf, ++f->seq);
	memcpy(plain, f->buf, n);
	assert_int_equal(srtp_ctx_protect(old.ctx, false, f->buf, &n, 2048), 0);
	assert_int_equal(deliver(f, 0, false, n, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.srtp_failed, 1);
	srtp_ctx_free(old.ctx);
	/* back to plain */
	srtp_ctx_free(f->phone[0].ctx);
	relay_leg_set_srtp(&f->st->leg[0], leg_ctx(SRTP_NONE, 0, &f->phone[0]));
	relays(f, 0);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_srtp_to_rtp_and_back),
	    cmocka_unit_test(test_srtp_to_srtp_other_keys),
	    cmocka_unit_test(test_rtp_to_rtp_untouched),
	    cmocka_unit_test(test_srtcp),
	    cmocka_unit_test(test_tamper_replay_counted),
	    cmocka_unit_test(test_forgery_does_not_latch),
	    cmocka_unit_test(test_no_room_for_tag),
	    cmocka_unit_test(test_rekey),
	};

	if (srtp_ctx_global_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
