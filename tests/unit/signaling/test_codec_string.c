/* codec_string.c: a call's codec list from codec_string / absolute_codec_string, with
 * FreeSWITCH's modifiers, audio and video sorted apart, DTMF kept from [codecs]. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "codec_string.h"

static struct codec_prefs base(const char *mode)
{
	struct codec_prefs p;
	char err[128];

	assert_int_equal(codec_prefs_parse(&p, CODEC_PREFS_DEFAULT_AUDIO, CODEC_PREFS_DEFAULT_VIDEO,
	                                   mode, err, sizeof(err)),
	                 0);
	return p;
}

static void test_codec_string(void **state)
{
	struct codec_prefs b = base("generous"), p;
	char err[128];

	(void)state;
	assert_int_equal(
	    codec_string_parse(&p, "PCMA, PCMU@8000h@20i,VP8", false, &b, err, sizeof(err)), 0);
	assert_int_equal(p.n_audio, 3);
	assert_string_equal(p.audio[0].name, "PCMA");
	assert_string_equal(p.audio[1].name, "PCMU");
	assert_int_equal(p.audio[1].rate, 8000);
	assert_string_equal(p.audio[2].name, "telephone-event"); /* from [codecs] */
	assert_int_equal(p.n_video, 1);
	assert_string_equal(p.video[0].name, "VP8");
	assert_int_equal(p.mode, CODEC_NEG_GENEROUS); /* codec_string follows [codecs] */
}

static void test_absolute(void **state)
{
	struct codec_prefs b = base("generous"), p;
	char err[128];

	(void)state;
	assert_int_equal(codec_string_parse(&p, "opus@48000h@2c,telephone-event/8000", true, &b,
	                                    err, sizeof(err)),
	                 0);
	assert_int_equal(p.mode, CODEC_NEG_GREEDY);
	assert_int_equal(p.n_audio, 2);
	assert_string_equal(p.audio[0].name, "opus");
	assert_int_equal(p.audio[0].rate, 48000);
	assert_int_equal(p.audio[0].channels, 2);
	assert_int_equal(p.audio[1].rate, 8000); /* named: not added again */
	assert_int_equal(p.n_video, 0);
}

static void test_errors(void **state)
{
	static const char *const bad[] = {"",        " , ",   "PCMA@",   "PCMA@20x",
	                                  "PCMA@2c", "PC MA", "PCMA/abc"};
	struct codec_prefs b = base(NULL), p;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (codec_string_parse(&p, bad[i], false, &b, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(p.n_audio, b.n_audio); /* left as [codecs] */
	}
	assert_int_equal(codec_string_parse(&p, "PCMA@", false, &b, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'PCMA@' is not NAME[@RATEh][@PTIMEi][@CHANNELSc]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codec_string),
	    cmocka_unit_test(test_absolute),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
