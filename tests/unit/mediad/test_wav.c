/* WAV: the header a writer puts first parses back; chunks before fmt/data and odd-sized chunks
 * are walked; a data chunk longer than the file (a writer that died) is cut; other formats,
 * truncated headers and garbage are refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "wav.h"

static void test_header_round_trip(void **state)
{
	uint8_t buf[WAV_HEADER_LEN + 8] = {0};
	struct wav_info wi;
	char why[128];

	(void)state;
	wav_header(buf, 8000, 2, 8);
	assert_memory_equal(buf, "RIFF", 4);
	assert_int_equal(buf[4], 44);
	assert_int_equal(wav_parse(buf, sizeof(buf), &wi, why, sizeof(why)), 0);
	assert_int_equal(wi.rate, 8000);
	assert_int_equal(wi.channels, 2);
	assert_int_equal(wi.frames, 2);
	assert_ptr_equal(wi.data, buf + WAV_HEADER_LEN);
	/* byte rate and block align */
	assert_int_equal(buf[28] | buf[29] << 8, 32000);
	assert_int_equal(buf[32], 4);
}

static void test_extra_chunks_and_short_data(void **state)
{
	uint8_t buf[128] = {0}, hdr[WAV_HEADER_LEN];
	struct wav_info wi;
	char why[128];
	size_t n;

	(void)state;
	wav_header(hdr, 16000, 1, 1000);
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, "LIST\3\0\0\0abc\0", 12); /* odd size, padded */
	memcpy(buf + 24, hdr + 12, 32);            /* fmt chunk and data header after it */
	n = 24 + 32 + 6; /* three samples, though the data chunk says 1000 octets */
	assert_int_equal(wav_parse(buf, n, &wi, why, sizeof(why)), 0);
	assert_int_equal(wi.rate, 16000);
	assert_int_equal(wi.frames, 3);
}

static void test_refusals(void **state)
{
	uint8_t buf[WAV_HEADER_LEN + 4];
	struct wav_info wi;
	char why[128];

	(void)state;
	wav_header(buf, 8000, 1, 4);
	buf[20] = 3; /* IEEE float */
	assert_int_equal(wav_parse(buf, sizeof(buf), &wi, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "linear PCM"));
	wav_header(buf, 8000, 1, 4);
	buf[34] = 8; /* 8-bit */
	assert_int_equal(wav_parse(buf, sizeof(buf), &wi, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "16-bit"));
	wav_header(buf, 8000, 1, 4);
	assert_int_equal(wav_parse(buf, 30, &wi, why, sizeof(why)), -EINVAL);
	assert_int_equal(wav_parse((const uint8_t *)"hello world!", 12, &wi, why, sizeof(why)),
	                 -EINVAL);
	assert_non_null(strstr(why, "not a RIFF"));
	wav_header(buf, 8000, 1, 4);
	memcpy(buf + 12, "junk", 4); /* no fmt chunk: the walk runs off the end */
	assert_int_equal(wav_parse(buf, sizeof(buf), &wi, why, sizeof(why)), -EINVAL);
	wav_header(buf, 8000, 1, 4);
	buf[16] = 0xff, buf[17] = 0xff, buf[18] = 0xff, buf[19] = 0x7f; /* fmt size huge */
	assert_int_equal(wav_parse(buf, sizeof(buf), &wi, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_round_trip),
	    cmocka_unit_test(test_extra_chunks_and_short_data),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
