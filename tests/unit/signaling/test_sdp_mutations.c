/* Robustness of the SDP path against damaged input: deterministic byte and line mutations of the
 * sample bodies go through parse -> offer -> print -> parse -> answer. Every step must either
 * succeed or fail with one of its documented errors; the sanitizer build turns any memory error
 * into a failure. Bounded: a fixed number of mutations with a fixed seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "sdp_negotiate.h"
#include "sdp_samples.h"

#define MUTATIONS_PER_SAMPLE 5000

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static const char *const tokens[] = {
    "\r\n",
    "0",
    "65536",
    "-1",
    "/",
    " ",
    ":",
    "m=audio 0 RTP/AVP 0\r\n",
    "a=rtcp",
    "a=fmtp",
    "IN",
    "IP6",
    "0.0.0.0",
    "RTP/AVPF",
    "\0",
    "a=rtpmap:96 x/\r\n",
    "c=",
    "128",
    "*",
    "a=sendonly\r\n",
    "a=rtcp-fb:96",
    "99999999999999999999",
};

/* One random edit of buf (len bytes, capacity cap); returns the new length. */
static size_t mutate(char *buf, size_t len, size_t cap)
{
	size_t at = len ? rnd() % len : 0;

	switch (rnd() % 4) {
	case 0: /* flip a byte */
		if (len)
			buf[at] = (char)(rnd() & 0xff);
		return len;
	case 1: /* delete a run */
	{
		size_t n = 1 + rnd() % 16;

		if (at + n > len)
			n = len - at;
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	}
	case 2: /* insert a token */
	{
		const char *t = tokens[rnd() % (sizeof(tokens) / sizeof(tokens[0]))];
		size_t n = *t ? strlen(t) : 1;

		if (len + n > cap)
			return len;
		memmove(buf + at + n, buf + at, len - at);
		memcpy(buf + at, t, n);
		return len + n;
	}
	default: /* truncate */
		return at;
	}
}

static void exercise(const char *body, size_t len, const struct codec_prefs *prefs)
{
	struct media_plan *a = NULL, *o = NULL, *back = NULL, *ans = NULL;
	struct media_plan_port ports[16];
	struct media_plan_origin origin = {0};
	char why[256], *text = NULL;
	int rc = media_plan_parse(body, len, 16, &a, why, sizeof(why));

	if (rc) {
		assert_true(rc == -EBADMSG || rc == -E2BIG || rc == -ENOTSUP);
		assert_null(a);
		assert_true(why[0] != '\0');
		return;
	}
	rc = sdp_negotiate_offer(a, prefs, &o, why, sizeof(why));
	assert_true(rc == 0 || rc == -ENOTSUP);
	if (!rc) {
		struct media_plan_local local = {"10.0.0.1", o->n_streams, ports};

		for (unsigned i = 0; i < 16; i++)
			ports[i] = (struct media_plan_port){(uint16_t)(40000 + 2 * i), 0};
		assert_int_equal(media_plan_print(o, &local, &origin, &text, why, sizeof(why)), 0);
		assert_int_equal(media_plan_parse(text, strlen(text), 16, &back, why, sizeof(why)),
		                 0);
		rc = sdp_negotiate_answer(a, o, back, &ans, why, sizeof(why));
		assert_true(rc == 0 || rc == -ENOTSUP);
	}
	free(text);
	media_plan_free(ans);
	media_plan_free(back);
	media_plan_free(o);
	media_plan_free(a);
}

static void test_mutations(void **state)
{
	static const char *const samples[] = {SDP_LINPHONE,  SDP_ZOIPER,          SDP_YEALINK,
	                                      SDP_POLYCOM,   SDP_WEBRTC,          SDP_AVPF,
	                                      SDP_HOLD_0000, SDP_SESSION_INACTIVE};
	struct codec_prefs prefs;
	char err[128], buf[8192];

	(void)state;
	assert_int_equal(codec_prefs_parse(&prefs, CODEC_PREFS_DEFAULT_AUDIO,
	                                   CODEC_PREFS_DEFAULT_VIDEO, "greedy", err, sizeof(err)),
	                 0);
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		for (int i = 0; i < MUTATIONS_PER_SAMPLE; i++) {
			size_t len = strlen(samples[s]);
			int edits = 1 + (int)(rnd() % 4);

			memcpy(buf, samples[s], len);
			while (edits--)
				len = mutate(buf, len, sizeof(buf));
			exercise(buf, len, &prefs);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
