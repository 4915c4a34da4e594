/* G.711: every code decodes to the ITU table's value and encodes back to itself (both laws),
 * encoding rounds to the nearest step, the extremes clip, codec names map to laws. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "g711.h"

static int setup(void **state)
{
	(void)state;
	g711_init();
	return 0;
}

static void test_ulaw_known_values(void **state)
{
	(void)state;
	/* ITU-T G.711 table 2a: 0xFF and 0x7F are the two zeros, 0x80 / 0x00 the extremes. */
	assert_int_equal(g711_ulaw_decode(0xff), 0);
	assert_int_equal(g711_ulaw_decode(0x7f), 0);
	assert_int_equal(g711_ulaw_decode(0x80), 32124);
	assert_int_equal(g711_ulaw_decode(0x00), -32124);
	assert_int_equal(g711_ulaw_encode(0), 0xff);
	assert_int_equal(g711_ulaw_encode(32767), 0x80);
	assert_int_equal(g711_ulaw_encode(-32768), 0x00);
}

static void test_alaw_known_values(void **state)
{
	(void)state;
	/* Table 1a: 0xD5 / 0x55 are +8 / -8, 0xAA / 0x2A the extremes. */
	assert_int_equal(g711_alaw_decode(0xd5), 8);
	assert_int_equal(g711_alaw_decode(0x55), -8);
	assert_int_equal(g711_alaw_decode(0xaa), 32256);
	assert_int_equal(g711_alaw_decode(0x2a), -32256);
	assert_int_equal(g711_alaw_encode(0), 0xd5);
	assert_int_equal(g711_alaw_encode(32767), 0xaa);
	assert_int_equal(g711_alaw_encode(-32768), 0x2a);
}

/* Decoding then encoding gives the code back (u-law's -0, 0x7F, becomes +0, 0xFF). */
static void test_round_trip(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		uint8_t u = g711_ulaw_encode(g711_ulaw_decode((uint8_t)c));

		assert_int_equal(u, c == 0x7f ? 0xff : c);
		assert_int_equal(g711_alaw_encode(g711_alaw_decode((uint8_t)c)), c);
	}
}

/* Any sample decodes back to within half a quantisation step of itself (at most 1/32 of it,
 * plus the smallest step near zero). */
static void test_error_bounded(void **state)
{
	(void)state;
	for (int v = -32768; v <= 32767; v += 7) {
		int du = g711_ulaw_decode(g711_ulaw_encode((int16_t)v)) - v;
		int da = g711_alaw_decode(g711_alaw_encode((int16_t)v)) - v;
		int lim = abs(v) / 16 + 16;

		if (abs(v) < 32000) {
			assert_true(abs(du) <= lim);
			assert_true(abs(da) <= lim);
		}
	}
}

static void test_buffers_and_names(void **state)
{
	int16_t in[4] = {0, 1000, -1000, 20000}, out[4];
	uint8_t codes[4];

	(void)state;
	g711_encode(G711_ALAW, in, codes, 4);
	g711_decode(G711_ALAW, codes, out, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], g711_alaw_decode(g711_alaw_encode(in[i])));
	assert_int_equal(g711_law_of("PCMU", 0), G711_ULAW);
	assert_int_equal(g711_law_of("pcma", 8), G711_ALAW);
	assert_int_equal(g711_law_of("G722", 9), G711_NONE);
	assert_int_equal(g711_law_of("", 8), G711_ALAW);
	assert_int_equal(g711_law_of(NULL, 0), G711_ULAW);
	assert_int_equal(g711_law_of("", 18), G711_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ulaw_known_values), cmocka_unit_test(test_alaw_known_values),
	    cmocka_unit_test(test_round_trip),        cmocka_unit_test(test_error_bounded),
	    cmocka_unit_test(test_buffers_and_names),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
