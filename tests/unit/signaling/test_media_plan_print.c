/* media_plan_print.c: the SDP we write (checked line by line and parsed back with sofia), the
 * o= version rule, refused m-lines, and the errors for a local side that does not fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include <sofia-sip/sdp.h>

#include "media_plan.h"
#include "sdp_samples.h"

static struct media_plan *parse(const char *sdp)
{
	struct media_plan *plan = NULL;
	char why[256] = "";

	if (media_plan_parse(sdp, strlen(sdp), 16, &plan, why, sizeof(why)))
		fail_msg("parse failed: %s", why);
	return plan;
}

static char *print(const struct media_plan *plan, const char *ip,
                   const struct media_plan_port *ports, struct media_plan_origin *origin)
{
	struct media_plan_local local = {.ip = ip, .n_ports = plan->n_streams, .ports = ports};
	char why[256] = "";
	char *out = NULL;
	int rc = media_plan_print(plan, &local, origin, &out, why, sizeof(why));

	if (rc)
		fail_msg("print failed (%d): %s", rc, why);
	return out;
}

/* Sofia itself accepts what we print, strictly: the output is valid SDP. */
static void assert_sofia_strict_ok(const char *text)
{
	sdp_parser_t *p = sdp_parse(NULL, text, (issize_t)strlen(text), sdp_f_strict);

	if (!sdp_session(p))
		fail_msg("sofia rejects our SDP (%s):\n%s", sdp_parsing_error(p), text);
	sdp_parser_free(p);
}

static void test_linphone_relayed(void **state)
{
	struct media_plan *p = parse(SDP_LINPHONE);
	struct media_plan_port ports[] = {{40000, 40001}, {40002, 40003}};
	struct media_plan_origin o = {.id = 42};
	char *sdp = print(p, "198.51.100.1", ports, &o);

	(void)state;
	assert_sofia_strict_ok(sdp);
	assert_true(strncmp(sdp, "v=0\r\n", 5) == 0);
	assert_sdp_line(sdp, "o=tandem 42 0 IN IP4 198.51.100.1");
	assert_sdp_line(sdp, "s=tandem");
	assert_sdp_line(sdp, "c=IN IP4 198.51.100.1");
	assert_sdp_line(sdp, "t=0 0");
	assert_sdp_line(
	    sdp, "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitter,TTL voip-metrics");
	assert_sdp_line(sdp, "m=audio 40000 RTP/AVP 96 97 98 0 8 18 101 99 100");
	assert_sdp_line(sdp, "a=rtpmap:96 opus/48000/2");
	assert_sdp_line(sdp, "a=fmtp:96 useinbandfec=1");
	assert_sdp_line(sdp, "a=rtpmap:0 PCMU/8000"); /* static types are spelled out too */
	assert_sdp_line(sdp, "a=fmtp:18 annexb=yes");
	assert_sdp_line(sdp, "a=rtcp:40001");
	assert_sdp_line(sdp, "a=rtcp-fb:* trr-int 1000");
	assert_sdp_line(sdp, "m=video 40002 RTP/AVP 102 103");
	assert_sdp_line(sdp, "a=rtcp-fb:102 nack pli");
	assert_sdp_line(sdp, "a=rtcp-fb:102 ccm fir");
	assert_sdp_line(sdp, "a=rtcp-fb:103 nack pli");
	assert_int_equal(sdp_count_lines(sdp, "a=sendrecv"), 2);
	assert_int_equal(sdp_count_lines(sdp, "c="), 1);
	assert_no_sdp_line(sdp, "c=IN IP4 192.168.1.10");
	free(sdp);
	media_plan_free(p);
}

/* What we print parses back to the same media: only our address, ports and o= differ. */
static void test_round_trip(void **state)
{
	static const char *const samples[] = {SDP_LINPHONE, SDP_ZOIPER, SDP_YEALINK,
	                                      SDP_POLYCOM,  SDP_WEBRTC, SDP_AVPF};
	struct media_plan_port ports[] = {{40000, 40001}, {40002, 40003}, {40004, 40005}};

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct media_plan *p = parse(samples[i]), *back;
		struct media_plan_origin o = {0};
		char *sdp = print(p, "10.9.8.7", ports, &o);
		unsigned diff, allowed = MEDIA_PLAN_VERSION | MEDIA_PLAN_ADDRESS;

		assert_sofia_strict_ok(sdp);
		back = parse(sdp);
		diff = media_plan_diff(p, back);
		if (media_plan_active_streams(p) !=
		    p->n_streams) /* non-RTP lines come back refused */
			allowed |= MEDIA_PLAN_STREAMS;
		if (diff & ~allowed)
			fail_msg("sample %zu: diff %#x after round trip:\n%s", i, diff, sdp);
		for (unsigned s = 0; s < back->n_streams; s++) {
			if (!media_stream_active(&p->streams[s]))
				continue;
			assert_string_equal(back->streams[s].rtp_ip, "10.9.8.7");
			assert_int_equal(back->streams[s].rtp_port, ports[s].rtp);
			assert_int_equal(back->streams[s].rtcp_port, ports[s].rtcp);
			assert_int_equal(back->streams[s].dir, p->streams[s].dir);
			assert_int_equal(back->streams[s].n_codecs, p->streams[s].n_codecs);
		}
		free(sdp);
		media_plan_free(back);
		media_plan_free(p);
	}
}

static void test_webrtc_shape(void **state)
{
	struct media_plan *p = parse(SDP_WEBRTC);
	struct media_plan_port ports[] = {{40000, 0}, {40002, 0}};
	struct media_plan_origin o = {0};
	char *sdp = print(p, "10.0.0.1", ports, &o);

	(void)state;
	assert_sdp_line(sdp, "m=audio 40000 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
	assert_sdp_line(sdp, "a=rtpmap:111 opus/48000/2");
	assert_sdp_line(sdp, "a=fmtp:111 minptime=10;useinbandfec=1");
	assert_sdp_line(sdp, "a=rtcp-fb:111 transport-cc");
	assert_sdp_line(sdp, "a=rtcp-mux");
	assert_sdp_line(sdp, "a=setup:actpass");
	assert_no_sdp_line(sdp, "a=group:BUNDLE 0 1");
	assert_int_equal(sdp_count_lines(sdp, "a=rtcp:"), 0); /* no RTCP port given */
	assert_int_equal(sdp_count_lines(sdp, "a=candidate"), 0);
	assert_int_equal(sdp_count_lines(sdp, "a=ice-"), 0);
	assert_int_equal(sdp_count_lines(sdp, "a=rtpmap:111 "), 1);
	free(sdp);
	media_plan_free(p);
}

static void test_ipv6_local(void **state)
{
	struct media_plan *p = parse(SDP_YEALINK);
	struct media_plan_port ports[] = {{50000, 50001}};
	struct media_plan_origin o = {.id = 7, .version = 3};
	char *sdp = print(p, "2001:db8::10", ports, &o);

	(void)state;
	assert_sdp_line(sdp, "o=tandem 7 3 IN IP6 2001:db8::10");
	assert_sdp_line(sdp, "c=IN IP6 2001:db8::10");
	assert_sdp_line(sdp, "a=ptime:20");
	free(sdp);
	media_plan_free(p);
}

static void test_refused_mlines(void **state)
{
	struct media_plan *p = parse(SDP_AVPF);
	struct media_plan_port ports[] = {{40000, 40001}, {0, 0}, {40004, 40005}};
	struct media_plan_origin o = {0};
	char *sdp;

	(void)state;
	/* T.38 over udptl: the relay carries RTP only */
	sdp = print(p, "10.0.0.1", ports, &o);
	assert_sofia_strict_ok(sdp);
	assert_sdp_line(sdp, "m=audio 40000 RTP/AVPF 0 97");
	assert_sdp_line(sdp, "m=video 0 RTP/AVPF 98"); /* no port from the media node */
	assert_sdp_line(sdp, "m=image 0 udptl t38");
	assert_no_sdp_line(sdp, "a=rtpmap:98 H264/90000");
	assert_no_sdp_line(sdp, "a=T38FaxVersion:0");
	assert_int_equal(sdp_count_lines(sdp, "a=recvonly"), 0);
	assert_int_equal(sdp_count_lines(sdp, "a=sendrecv"), 1);
	free(sdp);
	media_plan_free(p);
}

static void test_origin_version(void **state)
{
	struct media_plan *p = parse(SDP_YEALINK);
	struct media_plan_port ports[] = {{40000, 40001}};
	struct media_plan_origin o = {0};
	char *first, *again, *held, *line;
	uint64_t id;

	(void)state;
	first = print(p, "10.0.0.1", ports, &o);
	id = o.id;
	assert_true(id > 0 && id <= 0x7fffffff);
	assert_int_equal(o.version, 0);
	assert_true(o.sent);
	again = print(p, "10.0.0.1", ports, &o);
	assert_string_equal(first, again); /* unchanged body, unchanged version */
	p->streams[0].dir = MEDIA_SENDONLY;
	held = print(p, "10.0.0.1", ports, &o);
	assert_int_equal(o.id, id);
	assert_int_equal(o.version, 1);
	line = strstr(held, "o=tandem ");
	assert_non_null(line);
	assert_sdp_line(held, "a=sendonly");
	free(first);
	free(again);
	free(held);
	p->streams[0].dir = MEDIA_SENDRECV;
	held = print(p, "10.0.0.1", ports, &o);
	assert_int_equal(o.version, 2);
	free(held);
	media_plan_free(p);
}

/* Two separate origins (one per leg) draw different session ids. */
static void test_origin_ids_differ(void **state)
{
	struct media_plan *p = parse(SDP_YEALINK);
	struct media_plan_port ports[] = {{40000, 40001}};
	struct media_plan_origin a = {0}, b = {0};
	char *x = print(p, "10.0.0.1", ports, &a), *y = print(p, "10.0.0.1", ports, &b);

	(void)state;
	assert_true(a.id != b.id); /* 31 random bits: a clash here is a one-in-two-billion event */
	free(x);
	free(y);
	media_plan_free(p);
}

static void test_bad_local(void **state)
{
	struct media_plan *p = parse(SDP_LINPHONE);
	struct media_plan_port ports[] = {{40000, 40001}, {40002, 40003}};
	struct media_plan_local local = {.ip = "10.0.0.1", .n_ports = 1, .ports = ports};
	struct media_plan_origin o = {0};
	char why[128];
	char *out = (char *)1;

	(void)state;
	assert_int_equal(media_plan_print(p, &local, &o, &out, why, sizeof(why)), -EINVAL);
	assert_null(out);
	assert_string_equal(why, "1 ports for 2 m-lines");
	local.n_ports = 2;
	local.ip = "media.example.com";
	assert_int_equal(media_plan_print(p, &local, &o, &out, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "'media.example.com' is not an IP address");
	local.ip = NULL;
	assert_int_equal(media_plan_print(p, &local, &o, &out, NULL, 0), -EINVAL);
	assert_false(o.sent);
	media_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linphone_relayed),  cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_webrtc_shape),      cmocka_unit_test(test_ipv6_local),
	    cmocka_unit_test(test_refused_mlines),    cmocka_unit_test(test_origin_version),
	    cmocka_unit_test(test_origin_ids_differ), cmocka_unit_test(test_bad_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
