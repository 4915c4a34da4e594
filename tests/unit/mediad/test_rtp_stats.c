/* rtp_stats.c: loss from sequence numbers (gaps, wrap, reordering, duplicates, SSRC change,
 * restart) and RFC 3550 jitter from known arrival patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rtp_stats.h"

#define SSRC 0xabcdef01u

/* Packets of a 20 ms, 8 kHz stream arriving exactly on time. */
static void feed(struct rtp_stats *s, uint16_t seq, uint32_t ssrc)
{
	uint32_t ts = (uint32_t)seq * 160u;

	rtp_stats_update(s, seq, ts, ssrc, ts + 1000);
}

static void test_in_order_and_gaps(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(rtp_stats_lost(&s), 0);
	for (uint16_t i = 100; i < 200; i++)
		feed(&s, i, SSRC);
	assert_int_equal(rtp_stats_lost(&s), 0);
	feed(&s, 205, SSRC); /* 200-204 missing */
	assert_int_equal(rtp_stats_lost(&s), 5);
	feed(&s, 206, SSRC);
	feed(&s, 210, SSRC); /* 207-209 missing */
	assert_int_equal(rtp_stats_lost(&s), 8);
	assert_true(rtp_stats_jitter_ms(&s, 8000) < 0.001); /* perfectly timed */
}

static void test_wrap_reorder_duplicates(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (uint16_t i = 65530; i != 6; i++)
		feed(&s, i, SSRC);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.cycles, 65536);
	feed(&s, 7, SSRC);
	feed(&s, 6, SSRC); /* late, not lost */
	feed(&s, 8, SSRC);
	feed(&s, 8, SSRC); /* duplicate does not hide a loss */
	feed(&s, 10, SSRC);
	assert_int_equal(rtp_stats_lost(&s), 0); /* 9 lost, made up by the duplicate */
	feed(&s, 12, SSRC);
	assert_int_equal(rtp_stats_lost(&s), 1); /* 9 and 11 lost, one duplicate */
}

static void test_new_ssrc_and_restart(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (uint16_t i = 1; i <= 10; i++)
		if (i != 5)
			feed(&s, i, SSRC);
	assert_int_equal(rtp_stats_lost(&s), 1);
	/* Another source (e.g. after a re-INVITE): its count starts over, the loss is kept. */
	feed(&s, 30000, SSRC + 1);
	feed(&s, 30001, SSRC + 1);
	assert_int_equal(rtp_stats_lost(&s), 1);
	/* The same source jumps far ahead: one packet is ignored, its successor restarts. */
	feed(&s, 50000, SSRC + 1);
	assert_int_equal(rtp_stats_lost(&s), 1);
	feed(&s, 50001, SSRC + 1);
	feed(&s, 50003, SSRC + 1);
	assert_int_equal(rtp_stats_lost(&s), 2);
}

static void test_jitter_converges(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	/* Every other packet 80 units (10 ms at 8 kHz) late: |D| = 80 each time, so J -> 80. */
	for (uint16_t i = 0; i < 400; i++) {
		uint32_t ts = i * 160u;

		rtp_stats_update(&s, i, ts, SSRC, ts + (i % 2 ? 80 : 0));
	}
	assert_true(rtp_stats_jitter_ms(&s, 8000) > 9.5);
	assert_true(rtp_stats_jitter_ms(&s, 8000) < 10.5);
	/* The same numbers on a 90 kHz clock are about 0.89 ms. */
	assert_true(rtp_stats_jitter_ms(&s, 90000) > 0.8);
	assert_true(rtp_stats_jitter_ms(&s, 90000) < 0.95);
	assert_true(rtp_stats_jitter_ms(&s, 0) == 0);
}

/* A timestamp jump of exactly 2^31 makes D = -2^31, whose negation overflows an int32 (caught
 * by the sanitizer build); the jitter stays the RFC's estimate of |D| = 2^31. */
static void test_jitter_half_range_jump(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0, sizeof(s));
	rtp_stats_update(&s, 1, 0x80000000u, SSRC, 0);
	rtp_stats_update(&s, 2, 0, SSRC, 0);
	assert_int_equal(s.jitter, 0x80000000u);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(rtp_stats_units(1500000000ull, 8000), 12000);
	assert_int_equal(rtp_stats_units(20000000ull, 90000), 1800);
	/* Years of uptime do not overflow the intermediate product. */
	assert_int_equal(rtp_stats_units(3600ull * 24 * 365 * 20 * 1000000000ull, 48000),
	                 (uint32_t)(3600ull * 24 * 365 * 20 * 48000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order_and_gaps),
	    cmocka_unit_test(test_wrap_reorder_duplicates),
	    cmocka_unit_test(test_new_ssrc_and_restart),
	    cmocka_unit_test(test_jitter_converges),
	    cmocka_unit_test(test_jitter_half_range_jump),
	    cmocka_unit_test(test_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
