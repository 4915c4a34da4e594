/* codec_prefs.c: the [codecs] lists and mode, and how offered codecs rank against them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec_prefs.h"

static struct media_codec mk(const char *name, unsigned rate, unsigned channels)
{
	struct media_codec c = {.name = (char *)name, .rate = rate, .channels = channels};

	return c;
}

static void test_defaults(void **state)
{
	struct codec_prefs p;
	char err[128] = "";

	(void)state;
	assert_int_equal(codec_prefs_parse(&p, CODEC_PREFS_DEFAULT_AUDIO, CODEC_PREFS_DEFAULT_VIDEO,
	                                   "greedy", err, sizeof(err)),
	                 0);
	assert_int_equal(p.n_audio, 5);
	assert_string_equal(p.audio[0].name, "PCMU");
	assert_string_equal(p.audio[3].name, "opus");
	assert_string_equal(p.audio[4].name, "telephone-event");
	assert_int_equal(p.audio[4].rate, 0);
	assert_int_equal(p.n_video, 2);
	assert_string_equal(p.video[0].name, "H264");
	assert_int_equal(p.mode, CODEC_NEG_GREEDY);
	assert_int_equal(codec_prefs_parse(&p, "PCMU", "", NULL, err, sizeof(err)), 0);
	assert_int_equal(p.mode, CODEC_NEG_GREEDY); /* NULL mode = default */
	assert_int_equal(codec_prefs_parse(&p, "PCMU", "", "Generous", err, sizeof(err)), 0);
	assert_int_equal(p.mode, CODEC_NEG_GENEROUS);
}

static void test_entries(void **state)
{
	struct codec_prefs p;
	char err[128] = "";

	(void)state;
	assert_int_equal(codec_prefs_parse(&p, " opus/48000/2 , G722 ,telephone-event/8000", "  ",
	                                   "greedy", err, sizeof(err)),
	                 0);
	assert_int_equal(p.n_audio, 3);
	assert_string_equal(p.audio[0].name, "opus");
	assert_int_equal(p.audio[0].rate, 48000);
	assert_int_equal(p.audio[0].channels, 2);
	assert_string_equal(p.audio[1].name, "G722");
	assert_int_equal(p.audio[2].rate, 8000);
	assert_int_equal(p.audio[2].channels, 0);
	assert_int_equal(p.n_video, 0);
	assert_int_equal(codec_prefs_parse(&p, "", NULL, "greedy", err, sizeof(err)), 0);
	assert_int_equal(p.n_audio, 0);
}

static void test_errors(void **state)
{
	static const struct {
		const char *audio, *video, *mode, *err;
	} cases[] = {
	    {"PCMU,,PCMA", "", "greedy", "audio: '' is not NAME"},
	    {"PCMU,", "", "greedy", "audio: list ends with a comma"},
	    {"PC MU", "", "greedy", "audio: 'PC MU' is not"},
	    {"opus/abc", "", "greedy", "'opus/abc' is not"},
	    {"opus/0", "", "greedy", "'opus/0' is not"},
	    {"opus/48000/", "", "greedy", "'opus/48000/' is not"},
	    {"opus/48000/2/1", "", "greedy", "'opus/48000/2/1' is not"},
	    {"/8000", "", "greedy", "'/8000' is not"},
	    {"PCMU", "H264;VP8", "greedy", "video: 'H264;VP8' is not"},
	    {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "", "greedy", "is not"},
	    {"PCMU", "", "scrooge", "negotiation: 'scrooge' is neither greedy nor generous"},
	};
	struct codec_prefs p;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (codec_prefs_parse(&p, cases[i].audio, cases[i].video, cases[i].mode, err,
		                      sizeof(err)) != -EINVAL ||
		    !strstr(err, cases[i].err))
			fail_msg("case %zu: '%s', want '%s'", i, err, cases[i].err);
	}
}

static void test_too_many(void **state)
{
	char list[CODEC_PREFS_MAX * 8 + 16] = "";
	struct codec_prefs p;
	char err[128];

	(void)state;
	for (int i = 0; i < CODEC_PREFS_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%sC%d", i ? "," : "",
		         i);
	assert_int_equal(codec_prefs_parse(&p, list, "", "greedy", err, sizeof(err)), 0);
	assert_int_equal(p.n_audio, CODEC_PREFS_MAX);
	strcat(list, ",ONEMORE");
	assert_int_equal(codec_prefs_parse(&p, list, "", "greedy", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "audio: more than 32 entries");
}

static void test_rank(void **state)
{
	struct codec_prefs p;
	char err[128];
	struct media_codec pcma = mk("PCMA", 8000, 0), pcmu = mk("pcmu", 8000, 0),
	                   g729 = mk("G729", 8000, 0), te8 = mk("telephone-event", 8000, 0),
	                   te48 = mk("telephone-event", 48000, 0), opus2 = mk("opus", 48000, 2),
	                   opus1 = mk("opus", 48000, 1), h264 = mk("H264", 90000, 0),
	                   t140 = mk("t140", 1000, 0);

	(void)state;
	assert_int_equal(codec_prefs_parse(&p, "PCMU,PCMA,opus/48000/2,telephone-event/8000",
	                                   "H264", "greedy", err, sizeof(err)),
	                 0);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &pcmu), 0); /* case-insensitive */
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &pcma), 1);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &g729), -1);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &opus2), 2);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &opus1), -1); /* channels pinned */
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &te8), 3);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &te48), -1); /* rate pinned */
	assert_int_equal(codec_prefs_rank(&p, MEDIA_AUDIO, &h264), -1); /* video list only */
	assert_int_equal(codec_prefs_rank(&p, MEDIA_VIDEO, &h264), 0);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_VIDEO, &pcmu), -1);
	assert_int_equal(codec_prefs_rank(&p, MEDIA_OTHER, &t140), 0);
}

static void test_same_codec(void **state)
{
	struct media_codec a = mk("PCMU", 8000, 0), b = mk("pcmu", 8000, 1),
	                   c = mk("PCMU", 16000, 0), d = mk("opus", 48000, 2),
	                   e = mk("opus", 48000, 1);

	(void)state;
	assert_true(codec_prefs_same_codec(&a, &b));
	assert_false(codec_prefs_same_codec(&a, &c));
	assert_false(codec_prefs_same_codec(&d, &e));
	a.pt = 0;
	b.pt = 96;
	assert_true(codec_prefs_same_codec(&a, &b)); /* payload numbers do not matter */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults), cmocka_unit_test(test_entries),
	    cmocka_unit_test(test_errors),   cmocka_unit_test(test_too_many),
	    cmocka_unit_test(test_rank),     cmocka_unit_test(test_same_codec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
