/* media_plan.c: comparison of plans (what a re-INVITE changed), deep copies, stream facts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "media_plan.h"
#include "sdp_samples.h"

#define HDR(ver, ip) "v=0\r\no=u 1 " ver " IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 " ip "\r\nt=0 0\r\n"

static struct media_plan *parse(const char *sdp)
{
	struct media_plan *plan = NULL;
	char why[256] = "";

	if (media_plan_parse(sdp, strlen(sdp), 16, &plan, why, sizeof(why)))
		fail_msg("parse failed: %s", why);
	return plan;
}

static unsigned diff_of(const char *a, const char *b)
{
	struct media_plan *pa = parse(a), *pb = parse(b);
	unsigned d = media_plan_diff(pa, pb);

	media_plan_free(pa);
	media_plan_free(pb);
	return d;
}

#define BASE "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"

static void test_diff(void **state)
{
	const char *same = HDR("1", "10.0.0.1") BASE;

	(void)state;
	assert_int_equal(diff_of(same, same), MEDIA_PLAN_SAME);
	assert_int_equal(diff_of(same, HDR("2", "10.0.0.1") BASE), MEDIA_PLAN_VERSION);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.2") BASE), MEDIA_PLAN_ADDRESS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=sendonly\r\n"),
	                 MEDIA_PLAN_DIRECTION);
	assert_int_equal(diff_of(same, HDR("1", "0.0.0.0") BASE),
	                 MEDIA_PLAN_ADDRESS | MEDIA_PLAN_DIRECTION);
	assert_int_equal(diff_of(same,
	                         HDR("1", "10.0.0.1") "m=audio 4002 RTP/AVP 0 101\r\n"
	                                              "a=rtpmap:101 telephone-event/8000\r\n"),
	                 MEDIA_PLAN_ADDRESS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=rtcp:5000\r\n"),
	                 MEDIA_PLAN_ADDRESS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=rtcp-mux\r\n"),
	                 MEDIA_PLAN_ADDRESS);
	assert_int_equal(diff_of(same,
	                         HDR("1", "10.0.0.1") "m=audio 4000 RTP/AVP 8 101\r\n"
	                                              "a=rtpmap:101 telephone-event/8000\r\n"),
	                 MEDIA_PLAN_CODECS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=fmtp:101 0-15\r\n"),
	                 MEDIA_PLAN_CODECS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=ptime:30\r\n"),
	                 MEDIA_PLAN_CODECS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "a=label:1\r\n"),
	                 MEDIA_PLAN_ATTRS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") "a=tool:x\r\n" BASE), MEDIA_PLAN_ATTRS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") BASE "m=video 4002 RTP/AVP 31\r\n"),
	                 MEDIA_PLAN_STREAMS);
	assert_int_equal(diff_of(same, HDR("1", "10.0.0.1") "m=audio 0 RTP/AVP 0\r\n"),
	                 MEDIA_PLAN_STREAMS);
	assert_int_equal(diff_of(same,
	                         HDR("1", "10.0.0.1") "m=audio 4000 RTP/SAVP 0 101\r\n"
	                                              "a=rtpmap:101 telephone-event/8000\r\n"),
	                 MEDIA_PLAN_STREAMS);
}

static void test_copies_are_deep(void **state)
{
	struct media_plan *src = parse(SDP_LINPHONE), *dst = media_plan_new();
	const struct media_stream *v = &src->streams[1];
	struct media_codec c;
	struct media_stream s = {0};

	(void)state;
	assert_non_null(dst);
	assert_int_equal(media_plan_alloc_streams(dst, 2), 0);
	assert_int_equal(media_plan_alloc_streams(dst, 1), -EINVAL); /* once only */
	assert_int_equal(media_plan_copy_codec(dst, &c, &v->codecs[0]), 0);
	assert_int_equal(media_plan_copy_mline(dst, &s, v), 0);
	assert_int_equal(
	    media_plan_copy_attrs(dst, &dst->attrs, &dst->n_attrs, src->attrs, src->n_attrs), 0);
	media_plan_free(src); /* everything below must still be readable (ASan checks) */
	assert_string_equal(c.name, "VP8");
	assert_int_equal(c.n_pt_attrs, 2);
	assert_string_equal(c.pt_attrs[1].value, "ccm fir");
	assert_string_equal(s.media, "video");
	assert_string_equal(s.proto_name, "RTP/AVP");
	assert_int_equal(s.n_formats, 2);
	assert_string_equal(s.formats[1], "103");
	assert_int_equal(dst->n_attrs, 1);
	assert_string_equal(dst->attrs[0].name, "rtcp-xr");
	media_plan_free(dst);
	media_plan_free(NULL);
}

static void test_stream_facts(void **state)
{
	struct media_stream s = {.dir = MEDIA_SENDRECV, .proto = MEDIA_PROTO_RTP_AVP};

	(void)state;
	assert_true(media_stream_active(&s));
	assert_false(media_stream_on_hold(&s));
	s.dir = MEDIA_RECVONLY;
	assert_false(media_stream_on_hold(&s));
	s.dir = MEDIA_SENDONLY;
	assert_true(media_stream_on_hold(&s));
	s.dir = MEDIA_INACTIVE;
	assert_true(media_stream_on_hold(&s));
	assert_int_equal(media_stream_dtmf_pt(&s), -1);
	s.rejected = true;
	assert_false(media_stream_active(&s));
	s.rejected = false;
	s.proto = MEDIA_PROTO_OTHER;
	assert_false(media_stream_active(&s));
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(media_dir_reverse(MEDIA_SENDONLY), MEDIA_RECVONLY);
	assert_int_equal(media_dir_reverse(MEDIA_RECVONLY), MEDIA_SENDONLY);
	assert_int_equal(media_dir_reverse(MEDIA_SENDRECV), MEDIA_SENDRECV);
	assert_int_equal(media_dir_reverse(MEDIA_INACTIVE), MEDIA_INACTIVE);
	assert_string_equal(media_dir_name(MEDIA_SENDONLY), "sendonly");
	assert_string_equal(media_kind_name(MEDIA_VIDEO), "video");
	assert_string_equal(media_proto_name(MEDIA_PROTO_UDP_TLS_RTP_SAVPF), "UDP/TLS/RTP/SAVPF");
	assert_string_equal(media_proto_name(MEDIA_PROTO_OTHER), "");
	assert_int_equal(media_codec_role_of("telephone-event"), MEDIA_CODEC_DTMF);
	assert_int_equal(media_codec_role_of("cn"), MEDIA_CODEC_CN);
	assert_int_equal(media_codec_role_of("rtx"), MEDIA_CODEC_AUX);
	assert_int_equal(media_codec_role_of("ulpfec"), MEDIA_CODEC_AUX);
	assert_int_equal(media_codec_role_of("PCMU"), MEDIA_CODEC_MEDIA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff),
	    cmocka_unit_test(test_copies_are_deep),
	    cmocka_unit_test(test_stream_facts),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
