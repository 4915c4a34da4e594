/* srtp_ctx.c: protect/unprotect round trips of RTP and RTCP for every suite, a tampered packet
 * and a replayed one refused, wrong keys refused, key lengths checked, no room for the tag. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "srtp_ctx.h"

static const int all_suites[] = {SRTP_AES_CM_128_SHA1_80, SRTP_AES_CM_128_SHA1_32,
                                 SRTP_AEAD_AES_128_GCM, SRTP_AEAD_AES_256_GCM};

struct pair {
	struct srtp_ctx *near, *far; /* near encrypts with k1 and decrypts k2; far the reverse */
};

static void key_fill(uint8_t *k, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (uint8_t)(seed + i * 7);
}

static void pair_new(struct pair *p, int suite)
{
	uint8_t k1[SRTP_CTX_MAX_KEY], k2[SRTP_CTX_MAX_KEY];
	size_t n = srtp_ctx_key_len(suite);

	key_fill(k1, n, 1);
	key_fill(k2, n, 100);
	assert_int_equal(srtp_ctx_new(suite, k2, n, k1, n, &p->near), 0);
	assert_int_equal(srtp_ctx_new(suite, k1, n, k2, n, &p->far), 0);
	assert_int_equal(srtp_ctx_suite(p->near), suite);
}

static void pair_free(struct pair *p)
{
	srtp_ctx_free(p->near);
	srtp_ctx_free(p->far);
}

/* A 12-octet RTP header and 160 octets of payload in a 2 KiB buffer. */
static uint32_t rtp(uint8_t *b, uint16_t seq, uint32_t ssrc)
{
	memset(b, 0, 2048);
	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (int i = 12; i < 172; i++)
		b[i] = (uint8_t)(i ^ seq);
	return 172;
}

/* An RTCP receiver report without blocks (8 octets). */
static uint32_t rtcp(uint8_t *b, uint32_t ssrc)
{
	memset(b, 0, 2048);
	b[0] = 0x80;
	b[1] = 201;
	b[3] = 1;
	b[4] = (uint8_t)(ssrc >> 24);
	b[7] = (uint8_t)ssrc;
	return 8;
}

static void test_round_trips(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(all_suites) / sizeof(all_suites[0]); s++) {
		struct pair p;
		uint8_t buf[2048], plain[2048];

		pair_new(&p, all_suites[s]);
		for (uint16_t seq = 1; seq <= 50; seq++) {
			uint32_t len = rtp(buf, seq, 0x1234), n = len;

			memcpy(plain, buf, len);
			assert_int_equal(srtp_ctx_protect(p.near, false, buf, &n, sizeof(buf)), 0);
			assert_true(n > len);                               /* the tag */
			assert_memory_equal(buf, plain, 12);                /* header in clear */
			assert_memory_not_equal(buf + 12, plain + 12, 160); /* payload not */
			assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(buf, plain, len);
			/* and back the other way */
			assert_int_equal(srtp_ctx_protect(p.far, false, buf, &n, sizeof(buf)), 0);
			assert_int_equal(srtp_ctx_unprotect(p.near, false, buf, &n), 0);
			assert_memory_equal(buf, plain, len);
		}
		for (int i = 0; i < 3; i++) {
			uint32_t len = rtcp(buf, 0x1234), n = len;

			memcpy(plain, buf, len);
			assert_int_equal(srtp_ctx_protect(p.near, true, buf, &n, sizeof(buf)), 0);
			assert_true(n >= len + 4 + 10); /* E flag + index, 80-bit tag at least */
			assert_int_equal(srtp_ctx_unprotect(p.far, true, buf, &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(buf, plain, len);
		}
		pair_free(&p);
	}
}

static void test_tamper_and_replay(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(all_suites) / sizeof(all_suites[0]); s++) {
		struct pair p;
		uint8_t buf[2048], copy[2048];
		uint32_t n = rtp(buf, 7, 0x99), m;

		pair_new(&p, all_suites[s]);
		assert_int_equal(srtp_ctx_protect(p.near, false, buf, &n, sizeof(buf)), 0);
		memcpy(copy, buf, n);
		/* One flipped payload bit: refused, and the genuine packet still passes after. */
		buf[40] ^= 1;
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &m), -EBADMSG);
		memcpy(buf, copy, n);
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &m), 0);
		/* The same packet again: a replay. */
		memcpy(buf, copy, n);
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &m), -EALREADY);
		/* A header bit (the sequence number) is authenticated too. */
		n = rtp(buf, 8, 0x99);
		assert_int_equal(srtp_ctx_protect(p.near, false, buf, &n, sizeof(buf)), 0);
		buf[3] ^= 0x10;
		assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &n), -EBADMSG);
		/* SRTCP: tampered and replayed. */
		n = rtcp(buf, 0x99);
		assert_int_equal(srtp_ctx_protect(p.near, true, buf, &n, sizeof(buf)), 0);
		memcpy(copy, buf, n);
		buf[5] ^= 4;
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, true, buf, &m), -EBADMSG);
		memcpy(buf, copy, n);
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, true, buf, &m), 0);
		memcpy(buf, copy, n);
		m = n;
		assert_int_equal(srtp_ctx_unprotect(p.far, true, buf, &m), -EALREADY);
		/* Plain RTP on an SRTP leg is not authentic. */
		n = rtp(buf, 9, 0x99);
		assert_int_equal(srtp_ctx_unprotect(p.far, false, buf, &n), -EBADMSG);
		pair_free(&p);
	}
}

static void test_wrong_key(void **state)
{
	uint8_t k[SRTP_CTX_MAX_KEY], buf[2048];
	struct srtp_ctx *a, *b;
	uint32_t n = rtp(buf, 1, 5);

	(void)state;
	key_fill(k, 30, 3);
	assert_int_equal(srtp_ctx_new(SRTP_AES_CM_128_SHA1_80, k, 30, k, 30, &a), 0);
	k[0] ^= 1;
	assert_int_equal(srtp_ctx_new(SRTP_AES_CM_128_SHA1_80, k, 30, k, 30, &b), 0);
	assert_int_equal(srtp_ctx_protect(a, false, buf, &n, sizeof(buf)), 0);
	assert_int_equal(srtp_ctx_unprotect(b, false, buf, &n), -EBADMSG);
	srtp_ctx_free(a);
	srtp_ctx_free(b);
}

static void test_bad_params(void **state)
{
	uint8_t k[SRTP_CTX_MAX_KEY] = {0}, buf[2048];
	struct srtp_ctx *c = (struct srtp_ctx *)&c;
	uint32_t n;

	(void)state;
	assert_int_equal(srtp_ctx_new(SRTP_NONE, k, 30, k, 30, &c), -EINVAL);
	assert_null(c);
	assert_int_equal(srtp_ctx_new(9, k, 30, k, 30, &c), -EINVAL);
	assert_int_equal(srtp_ctx_new(SRTP_AES_CM_128_SHA1_80, k, 29, k, 30, &c), -EINVAL);
	assert_int_equal(srtp_ctx_new(SRTP_AEAD_AES_256_GCM, k, 30, k, 30, &c), -EINVAL);
	assert_int_equal(srtp_ctx_key_len(SRTP_AEAD_AES_128_GCM), 28);
	assert_int_equal(srtp_ctx_key_len(SRTP_AEAD_AES_256_GCM), 44);
	assert_string_equal(srtp_ctx_suite_name(SRTP_AES_CM_128_SHA1_32),
	                    "AES_CM_128_HMAC_SHA1_32");
	assert_string_equal(srtp_ctx_suite_name(77), "");
	/* No room after the packet for the trailer: refused before libsrtp writes. */
	assert_int_equal(srtp_ctx_new(SRTP_AES_CM_128_SHA1_80, k, 30, k, 30, &c), 0);
	n = rtp(buf, 1, 5);
	assert_int_equal(srtp_ctx_protect(c, false, buf, &n, n + 8), -EMSGSIZE);
	assert_int_equal(n, 172);
	srtp_ctx_free(c);
	srtp_ctx_free(NULL);
}

/* What is encrypted may come from a plain leg sending any SSRC: libsrtp's streams for it stay
 * bounded. Observable: a stream libsrtp still holds refuses the same sequence number twice;
 * one that was dropped starts afresh and takes it. */
static void test_tx_streams_bounded(void **state)
{
	uint8_t k[SRTP_CTX_MAX_KEY] = {0}, buf[2048];
	struct srtp_ctx *c;
	uint32_t n;

	(void)state;
	assert_int_equal(srtp_ctx_new(SRTP_AES_CM_128_SHA1_80, k, 30, k, 30, &c), 0);
	n = rtp(buf, 1, 1000);
	assert_int_equal(srtp_ctx_protect(c, false, buf, &n, sizeof(buf)), 0);
	n = rtp(buf, 1, 1000);
	assert_int_equal(srtp_ctx_protect(c, false, buf, &n, sizeof(buf)), -EIO); /* held */
	for (uint32_t ssrc = 1; ssrc <= 8; ssrc++) { /* the eighth other drops 1000 */
		n = rtp(buf, 1, 1000 + ssrc);
		assert_int_equal(srtp_ctx_protect(c, false, buf, &n, sizeof(buf)), 0);
	}
	n = rtp(buf, 1, 1000);
	assert_int_equal(srtp_ctx_protect(c, false, buf, &n, sizeof(buf)), 0); /* dropped: afresh */
	for (uint32_t ssrc = 0; ssrc < 10000; ssrc++) { /* a flood of made-up SSRCs */
		n = rtp(buf, 7, 0x70000000u + ssrc);
		assert_int_equal(srtp_ctx_protect(c, false, buf, &n, sizeof(buf)), 0);
	}
	n = 4;
	assert_int_equal(srtp_ctx_protect(c, true, buf, &n, sizeof(buf)), -EIO); /* too short */
	srtp_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trips),        cmocka_unit_test(test_tamper_and_replay),
	    cmocka_unit_test(test_wrong_key),          cmocka_unit_test(test_bad_params),
	    cmocka_unit_test(test_tx_streams_bounded),
	};

	if (srtp_ctx_global_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
