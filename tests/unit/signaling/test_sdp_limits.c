/* The cost of parsing SDP: bodies over [codecs] max_sdp_bytes, max_media_lines, max_formats or
 * max_attributes are refused before sofia-sip parses them (its own parser is quadratic in
 * formats x a=rtpmap lines), and a body at the limits parses in time linear in its size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media_plan.h"

#define HDR "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"

static const struct media_plan_limits defaults = {MEDIA_PLAN_MAX_BYTES, MEDIA_PLAN_MAX_STREAMS,
                                                  MEDIA_PLAN_MAX_FORMATS, MEDIA_PLAN_MAX_ATTRS};

/* Appends to a growing buffer. */
struct buf {
	char *p;
	size_t n, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->n < 256) {
		b->cap = b->cap ? b->cap * 2 : 65536;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* The worst shape for a parser that looks attributes up per format: m-lines of a profile sofia
 * does not parse (its a=rtpmap/fmtp stay raw), every format listed, and a=rtpmap, a=fmtp and
 * other a= lines up to the attribute limit, the ones that match placed last. */
static struct buf worst_case(unsigned streams, unsigned formats, unsigned attrs)
{
	struct buf b = {0};

	put(&b, HDR);
	for (unsigned s = 0; s < streams; s++) {
		put(&b, "m=audio %u RTP/AVPF", 4000 + 2 * s);
		for (unsigned f = 0; f < formats; f++)
			put(&b, " %u", 96 + f % 32);
		put(&b, "\r\n");
		for (unsigned a = 0; a < attrs; a++) {
			if (a + 64 >= attrs)
				put(&b, "a=%s:%u x%u/8000\r\n", a % 2 ? "rtpmap" : "fmtp",
				    96 + a % 32, a);
			else
				put(&b, "a=x-%u:%u\r\n", a, a);
		}
	}
	return b;
}

/* This thread's CPU time: a busy machine's other processes do not count, so the bounds below
 * measure the parser's work, not the scheduler. */
static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Best of five, to keep cache and frequency noise out. */
static double parse_time(const struct buf *b, const struct media_plan_limits *lim)
{
	double best = 1e9;

	for (int i = 0; i < 5; i++) {
		struct media_plan *p = NULL;
		char why[256] = "";
		double t = now_s();
		int rc = media_plan_parse_limited(b->p, b->n, lim, &p, why, sizeof(why));

		t = now_s() - t;
		if (rc)
			fail_msg("parse failed (%d): %s", rc, why);
		media_plan_free(p);
		if (t < best)
			best = t;
	}
	return best;
}

static void test_defaults_worst_case_fast(void **state)
{
	/* As many m-lines, formats and attributes as the defaults allow within the byte limit. */
	struct buf b = worst_case(4, MEDIA_PLAN_MAX_FORMATS, 100);
	double t;

	(void)state;
	assert_true(b.n <= MEDIA_PLAN_MAX_BYTES);
	t = parse_time(&b, &defaults);
	print_message("%zu bytes at the default limits: %.3f ms\n", b.n, t * 1e3);
	if (t > 0.1)
		fail_msg("a %zu-byte SDP at the limits took %.1f ms", b.n, t * 1e3);
	free(b.p);
}

static void test_linear_in_size(void **state)
{
	/* Limits raised far enough to tell linear from quadratic: 4x the body must not cost 16x. */
	struct media_plan_limits wide = {1u << 24, 1, 4096, 16384};
	struct buf small = worst_case(1, 1024, 4096), big = worst_case(1, 4096, 16384);
	double ts, tb;

	(void)state;
	ts = parse_time(&small, &wide);
	tb = parse_time(&big, &wide);
	print_message("%zu bytes: %.2f ms, %zu bytes: %.2f ms (%.1fx)\n", small.n, ts * 1e3, big.n,
	              tb * 1e3, tb / ts);
	if (tb > 8 * ts + 0.002)
		fail_msg("4x the SDP (%zu bytes) took %.2f ms, %.1fx the %.2f ms of %zu bytes",
		         big.n, tb * 1e3, tb / ts, ts * 1e3, small.n);
	free(small.p);
	free(big.p);
}

static int refused(const char *sdp, size_t len, const struct media_plan_limits *lim, char *why,
                   size_t whylen)
{
	struct media_plan *p = (struct media_plan *)1;
	int rc = media_plan_parse_limited(sdp, len, lim, &p, why, whylen);

	assert_null(p);
	return rc;
}

static void test_over_limits_refused(void **state)
{
	struct media_plan_limits lim = {4096, 4, 8, 10};
	struct buf b;
	char why[256];

	(void)state;
	/* At each limit: accepted. */
	b = worst_case(1, 8, 10);
	assert_int_equal(parse_time(&b, &lim) >= 0, 1);
	free(b.p);
	/* One format too many. */
	b = worst_case(1, 9, 10);
	assert_int_equal(refused(b.p, b.n, &lim, why, sizeof(why)), -E2BIG);
	assert_string_equal(why, "m-line 0: formats: 9, more than the 8 allowed");
	free(b.p);
	/* One a= line too many, in the second m-line. */
	b = worst_case(2, 8, 10);
	put(&b, "a=sendonly\r\n");
	assert_int_equal(refused(b.p, b.n, &lim, why, sizeof(why)), -E2BIG);
	assert_string_equal(why, "m-line 1: a= lines: 11, more than the 10 allowed");
	free(b.p);
	/* Session-level attributes count too (blanks before a line as sofia skips them). */
	b = (struct buf){0};
	put(&b, HDR);
	for (int i = 0; i < 11; i++)
		put(&b, " \ta=x-%d\n", i);
	put(&b, "m=audio 4000 RTP/AVP 0\r\n");
	assert_int_equal(refused(b.p, b.n, &lim, why, sizeof(why)), -E2BIG);
	assert_string_equal(why, "a= lines: 11, more than the 10 allowed");
	free(b.p);
	/* sofia's tokenizer also splits formats at characters that are not blanks: the limit
	 * holds on the list it makes too, so a refused line printed back stays within it. */
	b = (struct buf){0};
	put(&b, HDR "m=audio 0 X/Y a:b:c:d:e:f:g:h:i\r\n");
	assert_int_equal(refused(b.p, b.n, &lim, why, sizeof(why)), -E2BIG);
	assert_string_equal(why, "formats: more than the 8 allowed on one m-line");
	free(b.p);
	/* Too many bytes, whatever they hold. */
	b = worst_case(1, 8, 10);
	while (b.n <= lim.max_bytes)
		put(&b, "x=%0100d\r\n", 0);
	assert_int_equal(refused(b.p, b.n, &lim, why, sizeof(why)), -EMSGSIZE);
	free(b.p);
}

/* sofia's own parser matches each a=rtpmap against the whole m= list: 20 000 formats and as many
 * a=rtpmap lines held it for most of a second. Refused before sofia, at once. */
static void test_sofia_quadratic_input_refused_fast(void **state)
{
	struct media_plan_limits wide_bytes = defaults;
	struct buf b = {0};
	char why[256];
	double t;

	(void)state;
	wide_bytes.max_bytes = 1u << 24;
	put(&b, HDR "m=audio 4000 RTP/AVP");
	for (int i = 0; i < 20000; i++)
		put(&b, " 0");
	put(&b, "\r\n");
	for (int i = 0; i < 20000; i++)
		put(&b, "a=rtpmap:99 X/8000\r\n");
	t = now_s();
	assert_int_equal(refused(b.p, b.n, &wide_bytes, why, sizeof(why)), -E2BIG);
	t = now_s() - t;
	if (t > 0.05)
		fail_msg("refusing took %.1f ms", t * 1e3);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_worst_case_fast),
	    cmocka_unit_test(test_linear_in_size),
	    cmocka_unit_test(test_over_limits_refused),
	    cmocka_unit_test(test_sofia_quadratic_input_refused_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
