/* media_direct.c: when signald asks the media node for strict source. A side is direct when
 * every active stream's c= (and a=rtcp) address is the address its SIP came from; a private
 * address behind a NAT, a hold address or a mix is not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "media_direct.h"

#define HDR(ip) "v=0\r\no=u 1 1 IN IP4 " ip "\r\ns=-\r\nc=IN IP4 " ip "\r\nt=0 0\r\n"
#define AUDIO   "m=audio 4000 RTP/AVP 0\r\n"

static bool direct(const char *sdp, const char *src)
{
	struct media_plan *plan = NULL;
	char why[256] = "";
	bool d;

	if (media_plan_parse(sdp, strlen(sdp), 16, &plan, why, sizeof(why)))
		fail_msg("parse failed: %s", why);
	d = media_direct(plan, src);
	media_plan_free(plan);
	return d;
}

static void test_direct_sides(void **state)
{
	(void)state;
	assert_true(direct(HDR("203.0.113.7") AUDIO, "203.0.113.7"));
	assert_true(direct(HDR("127.0.0.1") AUDIO "m=video 4002 RTP/AVP 96\r\n"
	                                          "a=rtpmap:96 H264/90000\r\n",
	                   "127.0.0.1"));
	/* Behind a NAT: SDP names the private address, SIP came from the public one. */
	assert_false(direct(HDR("192.168.1.20") AUDIO, "203.0.113.7"));
	/* One stream elsewhere, or RTCP elsewhere. */
	assert_false(direct(HDR("203.0.113.7") AUDIO "m=audio 4002 RTP/AVP 0\r\n"
	                                             "c=IN IP4 192.168.1.20\r\n",
	                    "203.0.113.7"));
	assert_false(
	    direct(HDR("203.0.113.7") AUDIO "a=rtcp:4001 IN IP4 192.168.1.20\r\n", "203.0.113.7"));
	/* On hold (c= 0.0.0.0), nothing active, or no source known. */
	assert_false(direct(HDR("0.0.0.0") AUDIO, "203.0.113.7"));
	assert_false(direct(HDR("203.0.113.7") "m=audio 0 RTP/AVP 0\r\n", "203.0.113.7"));
	assert_false(direct(HDR("203.0.113.7") AUDIO, NULL));
	/* IPv6, spelt differently. */
	assert_true(direct("v=0\r\no=u 1 1 IN IP6 2001:db8::7\r\ns=-\r\nc=IN IP6 2001:db8:0::7\r\n"
	                   "t=0 0\r\n" AUDIO,
	                   "2001:db8::7"));
}

static void test_uri_ip(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(
	    media_direct_uri_ip("sip:1002@198.51.100.4:5062;transport=udp", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "198.51.100.4");
	assert_int_equal(media_direct_uri_ip("sip:1002@[2001:db8::4]:5062", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::4");
	assert_int_equal(media_direct_uri_ip("sip:1002@phone.example.com", buf, sizeof(buf)),
	                 -EINVAL);
	assert_int_equal(media_direct_uri_ip("tel:+15551234", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(media_direct_uri_ip(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(media_direct_uri_ip("sip:u@198.51.100.4", buf, 4), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_direct_sides),
	    cmocka_unit_test(test_uri_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
