/* media_plan_guard.c: which m= lines would send sofia-sip 1.12.11's parse_media() into its
 * endless format loop, found at the right index; harmless neighbours let through. Each "good"
 * body is also handed to sofia to show it really returns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <sofia-sip/sdp.h>

#include "media_plan_guard.h"

#define HDR "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n"

static void test_loops_found(void **state)
{
	static const struct {
		const char *sdp;
		unsigned mline;
	} bad[] = {
	    {HDR "m=image 4000 udptl /x\r\n", 0},
	    {HDR "m=audio 4000 RTP/AVP 0\r\nm=image 4000 udptl t38 /x\r\n", 1},
	    {HDR "m=audio 4000 RTP/AVP 0\r\nm=audio 0 RTP/AVP 0\r\n m=image 1 udptl \t\r\n", 2},
	    {HDR "m=image 4000 udptl\t \t\n", 0},
	    {HDR "m=video 5002 RT\x03/AVP 31\r\n", 0},
	    {HDR "m=video 5002/2 RT; /AVP 31", 0},
	    {HDR "m=application 9 UDP/BFCP *\r\nm=x 1 y \"\r\n", 1},
	};
	unsigned mline;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mline = 99;
		if (media_plan_guard(bad[i].sdp, strlen(bad[i].sdp), &mline) != -EBADMSG ||
		    mline != bad[i].mline)
			fail_msg("bad %zu: m-line %u", i, mline);
	}
}

static void test_harmless_passes(void **state)
{
	static const char *const good[] = {
	    HDR "m=image 4000 udptl t38\r\n",
	    HDR "m=image 4000 udptl t38/x\r\n",
	    HDR "m=image 4000 udptl t38 \t \r\n",
	    HDR "m=image 4000 udptl  \r\n",
	    HDR "m=image 4000 udptl\t\r\n",
	    HDR "m=audio 4000 RTP/AVP 0 \t\r\n",
	    HDR "m=audio 4000 rtp/savp /\r\n", /* payload list: sofia fails cleanly */
	    HDR "m=audio x udptl /\r\n",       /* no port: sofia fails cleanly */
	    HDR "m=\r\nm=audio\r\n",
	    "m=image 4000 udptl t38", /* unterminated last line */
	};
	unsigned mline;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		sdp_parser_t *p;

		if (media_plan_guard(good[i], strlen(good[i]), &mline))
			fail_msg("good %zu refused at m-line %u", i, mline);
		p = sdp_parse(NULL, good[i], (issize_t)strlen(good[i]), 0);
		sdp_parser_free(p); /* returned: no endless loop */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loops_found),
	    cmocka_unit_test(test_harmless_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
