/* rtp_check.c: RTP and RTCP headers that fit, and every way one can fail to. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rtp_check.h"

static void rtp(uint8_t *p, uint8_t b0, uint8_t pt)
{
	memset(p, 0, 64);
	p[0] = b0;
	p[1] = pt;
	p[2] = 0x12; /* seq 0x1234 */
	p[3] = 0x34;
	p[4] = 0xde; /* ts */
	p[5] = 0xad;
	p[6] = 0xbe;
	p[7] = 0xef;
	p[8] = 1; /* ssrc 0x01020304 */
	p[9] = 2;
	p[10] = 3;
	p[11] = 4;
}

static void test_plain_rtp(void **state)
{
	uint8_t p[64];

	(void)state;
	rtp(p, 0x80, 0);
	assert_int_equal(rtp_classify(p, 12), RTP_CLASS_RTP);
	assert_int_equal(rtp_classify(p, 12 + 160), RTP_CLASS_RTP);
	assert_int_equal(rtp_seq(p), 0x1234);
	assert_int_equal(rtp_timestamp(p), 0xdeadbeef);
	assert_int_equal(rtp_ssrc(p), 0x01020304);
	/* Marker bit with a dynamic payload type is still RTP. */
	rtp(p, 0x80, 0x80 | 96);
	assert_int_equal(rtp_classify(p, 20), RTP_CLASS_RTP);
}

static void test_bad_rtp(void **state)
{
	uint8_t p[64];

	(void)state;
	rtp(p, 0x80, 0);
	assert_int_equal(rtp_classify(p, 0), RTP_CLASS_BAD);
	assert_int_equal(rtp_classify(p, 7), RTP_CLASS_BAD);
	assert_int_equal(rtp_classify(p, 11), RTP_CLASS_BAD); /* short of a fixed header */
	rtp(p, 0x40, 0);                                      /* version 1 */
	assert_int_equal(rtp_classify(p, 40), RTP_CLASS_BAD);
	rtp(p, 0x00, 0); /* version 0 (STUN's first byte) */
	assert_int_equal(rtp_classify(p, 40), RTP_CLASS_BAD);
	rtp(p, 0x83, 0); /* 3 CSRCs need 24 bytes */
	assert_int_equal(rtp_classify(p, 23), RTP_CLASS_BAD);
	assert_int_equal(rtp_classify(p, 24), RTP_CLASS_RTP);
}

static void test_extension_and_padding(void **state)
{
	uint8_t p[64];

	(void)state;
	rtp(p, 0x90, 0); /* extension header at 12, length 2 words */
	p[14] = 0;
	p[15] = 2;
	assert_int_equal(rtp_classify(p, 15), RTP_CLASS_BAD); /* extension header cut */
	assert_int_equal(rtp_classify(p, 23), RTP_CLASS_BAD); /* extension body cut */
	assert_int_equal(rtp_classify(p, 24), RTP_CLASS_RTP);
	p[15] = 0xff; /* a length far past the end */
	assert_int_equal(rtp_classify(p, 64), RTP_CLASS_BAD);

	rtp(p, 0xa0, 0); /* padding: last octet counts */
	p[19] = 4;
	assert_int_equal(rtp_classify(p, 20), RTP_CLASS_RTP);
	p[19] = 0;
	assert_int_equal(rtp_classify(p, 20), RTP_CLASS_BAD);
	p[19] = 9; /* more padding than payload */
	assert_int_equal(rtp_classify(p, 20), RTP_CLASS_BAD);
}

static void test_rtcp(void **state)
{
	uint8_t p[64];

	(void)state;
	memset(p, 0, sizeof(p));
	p[0] = 0x81; /* RR with one report block: 8 words -> 32 bytes */
	p[1] = 201;
	p[3] = 7;
	assert_int_equal(rtp_classify(p, 32), RTP_CLASS_RTCP);
	assert_int_equal(rtp_classify(p, 48), RTP_CLASS_RTCP); /* compound tail */
	assert_int_equal(rtp_classify(p, 31), RTP_CLASS_BAD);  /* first packet cut */
	assert_int_equal(rtp_classify(p, 7), RTP_CLASS_BAD);
	/* The whole 192-223 range is RTCP on a muxed port (RFC 5761). */
	p[1] = 192;
	p[3] = 1;
	assert_int_equal(rtp_classify(p, 8), RTP_CLASS_RTCP);
	p[1] = 223;
	assert_int_equal(rtp_classify(p, 8), RTP_CLASS_RTCP);
	p[0] = 0x80;
	p[1] = 224; /* PT 96 with marker: RTP */
	assert_int_equal(rtp_classify(p, 12), RTP_CLASS_RTP);
	p[0] = 0x40; /* wrong version */
	p[1] = 200;
	assert_int_equal(rtp_classify(p, 8), RTP_CLASS_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_rtp),
	    cmocka_unit_test(test_bad_rtp),
	    cmocka_unit_test(test_extension_and_padding),
	    cmocka_unit_test(test_rtcp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
