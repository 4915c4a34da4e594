/* sdp_negotiate.c: whole offer/answer exchanges as the B2BUA runs them (parse what a leg sent,
 * negotiate, print what we send with the media node's ports), checked on the printed SDP. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "sdp_negotiate.h"
#include "sdp_samples.h"

#define HDR(ip) "v=0\r\no=peer 1 1 IN IP4 " ip "\r\ns=-\r\nc=IN IP4 " ip "\r\nt=0 0\r\n"

/* Media node ports: A side 30000.., B side 40000.. */
static const struct media_plan_port A_PORTS[] = {{30000, 30001}, {30002, 30003}, {30004, 30005}};
static const struct media_plan_port B_PORTS[] = {{40000, 40001}, {40002, 40003}, {40004, 40005}};

static struct codec_prefs prefs(const char *mode)
{
	struct codec_prefs p;
	char err[128];

	if (codec_prefs_parse(&p, CODEC_PREFS_DEFAULT_AUDIO, CODEC_PREFS_DEFAULT_VIDEO, mode, err,
	                      sizeof(err)))
		fail_msg("prefs: %s", err);
	return p;
}

static struct media_plan *parse(const char *sdp)
{
	struct media_plan *plan = NULL;
	char why[256] = "";

	if (media_plan_parse(sdp, strlen(sdp), 16, &plan, why, sizeof(why)))
		fail_msg("parse failed: %s", why);
	return plan;
}

static struct media_plan *offer(const struct media_plan *in, const struct codec_prefs *p)
{
	struct media_plan *out = NULL;
	char why[256] = "";

	if (sdp_negotiate_offer(in, p, &out, why, sizeof(why)))
		fail_msg("offer failed: %s", why);
	return out;
}

static struct media_plan *answer(const struct media_plan *in, const struct media_plan *sent,
                                 const struct media_plan *ans)
{
	struct media_plan *out = NULL;
	char why[256] = "";

	if (sdp_negotiate_answer(in, sent, ans, &out, why, sizeof(why)))
		fail_msg("answer failed: %s", why);
	return out;
}

static char *print(const struct media_plan *plan, const struct media_plan_port *ports,
                   struct media_plan_origin *o)
{
	struct media_plan_local local = {
	    .ip = "10.0.0.1", .n_ports = plan->n_streams, .ports = ports};
	char why[256] = "";
	char *out = NULL;

	if (media_plan_print(plan, &local, o, &out, why, sizeof(why)))
		fail_msg("print failed: %s", why);
	return out;
}

/* The whole A -> B offer printed with B-side ports. */
static char *offer_text(const char *sdp_a, const char *mode)
{
	struct codec_prefs p = prefs(mode);
	struct media_plan *a = parse(sdp_a), *o = offer(a, &p);
	struct media_plan_origin origin = {.id = 1};
	char *text = print(o, B_PORTS, &origin);

	media_plan_free(o);
	media_plan_free(a);
	return text;
}

static void test_offer_greedy_yealink(void **state)
{
	char *sdp = offer_text(SDP_YEALINK, "greedy");

	(void)state;
	assert_sdp_line(sdp, "c=IN IP4 10.0.0.1");
	assert_sdp_line(sdp, "m=audio 40000 RTP/AVP 0 8 9 101"); /* G729 is not in our list */
	assert_no_sdp_line(sdp, "a=rtpmap:18 G729/8000");
	assert_sdp_line(sdp, "a=rtpmap:101 telephone-event/8000");
	assert_sdp_line(sdp, "a=fmtp:101 0-15");
	assert_sdp_line(sdp, "a=ptime:20");
	assert_sdp_line(sdp, "a=sendrecv");
	assert_sdp_line(sdp, "a=rtcp:40001");
	assert_no_sdp_line(sdp, "c=IN IP4 192.168.0.50");
	free(sdp);
}

static void test_offer_order_greedy_vs_generous(void **state)
{
	char *greedy = offer_text(SDP_POLYCOM, "greedy");
	char *generous = offer_text(SDP_POLYCOM, "generous");

	(void)state;
	assert_sdp_line(greedy, "m=audio 40000 RTP/AVP 0 8 9 127");
	assert_sdp_line(generous, "m=audio 40000 RTP/AVP 9 0 8 127");
	/* H263 is not wanted; H264 stays with its fmtp */
	assert_sdp_line(greedy, "m=video 40002 RTP/AVP 109");
	assert_sdp_line(greedy, "a=fmtp:109 profile-level-id=42E016;max-mbps=108000;max-fs=3600");
	assert_no_sdp_line(greedy, "a=rtpmap:34 H263/90000");
	free(greedy);
	free(generous);
}

static void test_offer_linphone_audio_video(void **state)
{
	char *sdp = offer_text(SDP_LINPHONE, "greedy");

	(void)state;
	/* PCMU, PCMA, opus in our order; speex and G729 dropped; every telephone-event rate kept */
	assert_sdp_line(sdp, "m=audio 40000 RTP/AVP 0 8 96 101 99 100");
	assert_sdp_line(sdp, "a=rtpmap:96 opus/48000/2");
	assert_sdp_line(sdp, "a=fmtp:96 useinbandfec=1");
	assert_sdp_line(sdp, "m=video 40002 RTP/AVP 103 102"); /* H264 before VP8 */
	assert_sdp_line(sdp, "a=rtcp-fb:103 nack pli");
	assert_sdp_line(sdp, "a=rtcp-fb:102 ccm fir");
	assert_sdp_line(
	    sdp, "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitter,TTL voip-metrics");
	free(sdp);
}

static void test_offer_webrtc(void **state)
{
	char *sdp = offer_text(SDP_WEBRTC, "greedy");

	(void)state;
	/* red and CN are not ours; PT numbers are the browser's */
	assert_sdp_line(sdp, "m=audio 40000 UDP/TLS/RTP/SAVPF 0 8 9 111 110 126");
	assert_sdp_line(sdp, "a=rtcp-fb:111 transport-cc");
	assert_sdp_line(sdp, "m=video 40002 UDP/TLS/RTP/SAVPF 102 96"); /* rtx dropped */
	assert_no_sdp_line(sdp, "a=fmtp:97 apt=96");
	assert_sdp_line(
	    sdp,
	    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
	assert_sdp_line(sdp, "a=rtcp-mux");
	assert_sdp_line(sdp, "a=setup:actpass");
	assert_int_equal(sdp_count_lines(sdp, "a=candidate"), 0);
	assert_int_equal(sdp_count_lines(sdp, "a=group"), 0);
	free(sdp);
}

static void test_offer_keeps_positions(void **state)
{
	static const char a_sdp[] = HDR("10.1.1.1") "m=audio 4000 RTP/AVP 8 0\r\n"
	                                            "m=video 4002 RTP/AVP 34\r\n"
	                                            "m=image 4004 udptl t38\r\n";
	char *sdp = offer_text(a_sdp, "greedy");

	(void)state;
	assert_sdp_line(sdp, "m=audio 40000 RTP/AVP 0 8");
	assert_sdp_line(sdp, "m=video 0 RTP/AVP 34"); /* no codec of ours */
	assert_sdp_line(sdp, "m=image 0 udptl t38");  /* not RTP */
	free(sdp);
}

static void test_offer_nothing_acceptable(void **state)
{
	static const struct {
		const char *sdp, *why;
	} cases[] = {
	    {HDR("10.1.1.1") "m=audio 4000 RTP/AVP 18 3\r\n",
	     "m-line 0 (audio): no acceptable codec among G729/8000 GSM/8000"},
	    {HDR("10.1.1.1") "m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n",
	     "m-line 0 (audio): no acceptable codec among telephone-event/8000"},
	    {HDR("10.1.1.1") "m=audio 4000 RTP/AVP 96\r\n",
	     "m-line 0 (audio): no acceptable codec among ?/0"},
	    {HDR("10.1.1.1") "m=audio 0 RTP/AVP 0\r\n", "m-line 0 (audio) disabled by the offerer"},
	    {HDR("10.1.1.1") "m=image 4004 udptl t38\r\n",
	     "m-line 0 (image): transport udptl cannot be relayed"},
	    {HDR("10.1.1.1") "m=video 4000 RTP/AVP 34\r\n",
	     "m-line 0 (video): no acceptable codec among H263/90000"},
	};
	struct codec_prefs p = prefs("greedy");

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct media_plan *a = parse(cases[i].sdp), *o = (struct media_plan *)1;
		char why[256] = "";
		int rc = sdp_negotiate_offer(a, &p, &o, why, sizeof(why));

		if (rc != -ENOTSUP || strcmp(why, cases[i].why))
			fail_msg("case %zu: %d '%s'", i, rc, why);
		assert_null(o);
		assert_int_equal(sdp_negotiate_sip_status(rc), 488);
		media_plan_free(a);
	}
}

/* Caller offers, callee answers: what A gets back. */
struct call {
	struct media_plan *a_offer, *b_offer, *b_answer, *a_answer;
	char *to_b, *to_a;
	struct media_plan_origin origin_a, origin_b;
};

static void call_offer(struct call *c, const char *a_sdp, const char *mode)
{
	struct codec_prefs p = prefs(mode);

	c->a_offer = parse(a_sdp);
	c->b_offer = offer(c->a_offer, &p);
	c->to_b = print(c->b_offer, B_PORTS, &c->origin_b);
}

static void call_answer(struct call *c, const char *b_sdp)
{
	c->b_answer = parse(b_sdp);
	c->a_answer = answer(c->a_offer, c->b_offer, c->b_answer);
	c->to_a = print(c->a_answer, A_PORTS, &c->origin_a);
}

static void call_free(struct call *c)
{
	media_plan_free(c->a_offer);
	media_plan_free(c->b_offer);
	media_plan_free(c->b_answer);
	media_plan_free(c->a_answer);
	free(c->to_a);
	free(c->to_b);
	memset(c, 0, sizeof(*c));
}

static void test_answer_maps_back(void **state)
{
	/* B renumbers telephone-event (101 -> 100) and adds its own fmtp */
	static const char b_sdp[] = HDR("10.2.2.2") "m=audio 5000 RTP/AVP 8 100\r\n"
	                                            "a=rtpmap:8 PCMA/8000\r\n"
	                                            "a=rtpmap:100 telephone-event/8000\r\n"
	                                            "a=fmtp:100 0-11\r\na=ptime:30\r\n";
	struct call c = {0};

	(void)state;
	call_offer(&c, SDP_ZOIPER, "greedy");
	assert_sdp_line(c.to_b, "m=audio 40000 RTP/AVP 0 8 9 106 98 101");
	assert_sdp_line(c.to_b, "a=rtcp-mux"); /* A offered it */
	call_answer(&c, b_sdp);
	assert_sdp_line(c.to_a, "m=audio 30000 RTP/AVP 8 101");
	assert_sdp_line(c.to_a, "a=rtpmap:101 telephone-event/8000");
	assert_sdp_line(c.to_a, "a=fmtp:101 0-11");
	assert_sdp_line(c.to_a, "a=ptime:30");
	assert_sdp_line(c.to_a, "a=rtcp-mux"); /* accepted for A though B did not take it */
	assert_sdp_line(c.to_a, "a=sendrecv");
	assert_no_sdp_line(c.to_a, "c=IN IP4 10.2.2.2");
	/* what the B2BUA hands mediad: each side's remote as its SDP says */
	assert_string_equal(c.a_offer->streams[0].rtp_ip, "10.0.0.5");
	assert_int_equal(c.a_offer->streams[0].rtp_port, 8000);
	assert_true(c.a_offer->streams[0].rtcp_mux);
	assert_string_equal(c.b_answer->streams[0].rtp_ip, "10.2.2.2");
	assert_int_equal(c.b_answer->streams[0].rtp_port, 5000);
	assert_int_equal(c.b_answer->streams[0].rtcp_port, 5001);
	assert_false(c.b_answer->streams[0].rtcp_mux);
	call_free(&c);
}

static void test_answer_opus_fmtp_from_answerer(void **state)
{
	static const char b_sdp[] = HDR("10.2.2.2") "m=audio 5000 RTP/AVP 106 101\r\n"
	                                            "a=rtpmap:106 opus/48000/2\r\n"
	                                            "a=fmtp:106 maxplaybackrate=16000\r\n"
	                                            "a=rtpmap:101 telephone-event/8000\r\n";
	struct call c = {0};

	(void)state;
	call_offer(&c, SDP_ZOIPER, "greedy");
	call_answer(&c, b_sdp);
	assert_sdp_line(c.to_a, "m=audio 30000 RTP/AVP 106 101");
	assert_sdp_line(c.to_a, "a=rtpmap:106 opus/48000/2");
	assert_sdp_line(c.to_a, "a=fmtp:106 maxplaybackrate=16000");
	assert_no_sdp_line(c.to_a,
	                   "a=fmtp:106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1");
	call_free(&c);
}

static void test_answer_video_rejected_by_b(void **state)
{
	static const char b_sdp[] = HDR("10.2.2.2") "m=audio 5000 RTP/AVP 0\r\n"
	                                            "m=video 0 RTP/AVP 103\r\n";
	struct call c = {0};
	char why[256];
	struct media_plan *out;

	(void)state;
	call_offer(&c, SDP_LINPHONE, "greedy");
	call_answer(&c, b_sdp);
	assert_sdp_line(c.to_a, "m=audio 30000 RTP/AVP 0");
	assert_sdp_line(c.to_a, "m=video 0 RTP/AVP 102 103"); /* A's m-line, refused */
	assert_int_equal(media_plan_active_streams(c.a_answer), 1);
	/* on success why names the refused m-line, for a debug log */
	assert_int_equal(
	    sdp_negotiate_answer(c.a_offer, c.b_offer, c.b_answer, &out, why, sizeof(why)), 0);
	assert_string_equal(why, "m-line 1 (video) rejected by the answerer");
	media_plan_free(out);
	call_free(&c);
}

static void test_answer_bad_answers(void **state)
{
	static const struct {
		const char *sdp;
		int err;
		const char *why;
	} cases[] = {
	    {HDR("10.2.2.2") "m=audio 5000 RTP/AVP 18\r\n", -ENOTSUP,
	     "m-line 0 (audio): no offered media codec among the answered G729/8000"},
	    {HDR("10.2.2.2") "m=audio 0 RTP/AVP 0\r\n", -ENOTSUP,
	     "m-line 0 (audio) rejected by the answerer"},
	    {HDR("10.2.2.2") "m=video 5000 RTP/AVP 0\r\n", -ENOTSUP,
	     "m-line 0: answered as video, offered as audio"},
	    {HDR("10.2.2.2") "m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n", -EPROTO,
	     "answer has 2 m-lines, the offer had 1"},
	    {HDR("10.2.2.2") "m=audio 5000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n",
	     -ENOTSUP, "no offered media codec among the answered telephone-event/8000"},
	};
	struct codec_prefs p = prefs("greedy");
	struct media_plan *a = parse(SDP_YEALINK), *o = offer(a, &p);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct media_plan *b = parse(cases[i].sdp), *out = (struct media_plan *)1;
		char why[256] = "";
		int rc = sdp_negotiate_answer(a, o, b, &out, why, sizeof(why));

		if (rc != cases[i].err || !strstr(why, cases[i].why))
			fail_msg("case %zu: %d '%s'", i, rc, why);
		assert_null(out);
		media_plan_free(b);
	}
	media_plan_free(o);
	media_plan_free(a);
}

static void test_answer_mismatched_offer(void **state)
{
	struct codec_prefs p = prefs("greedy");
	struct media_plan *a = parse(SDP_YEALINK), *two = parse(SDP_LINPHONE), *o = offer(two, &p);
	struct media_plan *out = (struct media_plan *)1;
	char why[128];

	(void)state;
	assert_int_equal(sdp_negotiate_answer(a, o, two, &out, why, sizeof(why)), -EINVAL);
	assert_null(out);
	assert_string_equal(why, "our offer has 2 m-lines, the offer it came from 1");
	media_plan_free(o);
	media_plan_free(two);
	media_plan_free(a);
}

static const char *dir_answer(enum media_dir a_dir, enum media_dir b_dir)
{
	static char buf[32];
	struct codec_prefs p = prefs("greedy");
	struct media_plan *a = parse(SDP_YEALINK), *b = parse(SDP_YEALINK), *o, *out;

	a->streams[0].dir = a_dir;
	b->streams[0].dir = b_dir;
	o = offer(a, &p);
	assert_int_equal(o->streams[0].dir, a_dir); /* the offer to B carries A's direction */
	out = answer(a, o, b);
	snprintf(buf, sizeof(buf), "%s", media_dir_name(out->streams[0].dir));
	media_plan_free(out);
	media_plan_free(o);
	media_plan_free(b);
	media_plan_free(a);
	return buf;
}

static void test_answer_direction(void **state)
{
	(void)state;
	/* the relay passes B's direction to A, limited to what A's offer allows */
	assert_string_equal(dir_answer(MEDIA_SENDRECV, MEDIA_SENDRECV), "sendrecv");
	assert_string_equal(dir_answer(MEDIA_SENDRECV, MEDIA_SENDONLY), "sendonly");
	assert_string_equal(dir_answer(MEDIA_SENDRECV, MEDIA_RECVONLY), "recvonly");
	assert_string_equal(dir_answer(MEDIA_SENDRECV, MEDIA_INACTIVE), "inactive");
	assert_string_equal(dir_answer(MEDIA_SENDONLY, MEDIA_RECVONLY), "recvonly");
	assert_string_equal(dir_answer(MEDIA_SENDONLY, MEDIA_SENDRECV), "recvonly"); /* clamped */
	assert_string_equal(dir_answer(MEDIA_RECVONLY, MEDIA_SENDRECV), "sendonly"); /* clamped */
	assert_string_equal(dir_answer(MEDIA_INACTIVE, MEDIA_SENDRECV), "inactive");
}

/* INVITE without SDP: B's 200 carries the offer, A's ACK the answer. Same functions, roles
 * swapped. */
static void test_late_offer(void **state)
{
	static const char a_ack[] = HDR("10.1.1.1") "m=audio 6000 RTP/AVP 8 101\r\n"
	                                            "a=rtpmap:8 PCMA/8000\r\n"
	                                            "a=rtpmap:101 telephone-event/8000\r\n"
	                                            "a=fmtp:101 0-15\r\n";
	struct codec_prefs p = prefs("greedy");
	struct media_plan *b_offer = parse(SDP_YEALINK), *to_a_plan, *a_answer, *to_b_plan;
	struct media_plan_origin oa = {.id = 5}, ob = {.id = 6};
	char *to_a, *to_b;

	(void)state;
	to_a_plan = offer(b_offer, &p); /* goes in our 200 to A, with A-side ports */
	to_a = print(to_a_plan, A_PORTS, &oa);
	assert_sdp_line(to_a, "m=audio 30000 RTP/AVP 0 8 9 101");
	a_answer = parse(a_ack);
	to_b_plan = answer(b_offer, to_a_plan, a_answer); /* goes in our ACK to B */
	to_b = print(to_b_plan, B_PORTS, &ob);
	assert_sdp_line(to_b, "m=audio 40000 RTP/AVP 8 101");
	assert_sdp_line(to_b, "a=fmtp:101 0-15");
	assert_sdp_line(to_b, "o=tandem 6 0 IN IP4 10.0.0.1");
	free(to_a);
	free(to_b);
	media_plan_free(to_b_plan);
	media_plan_free(a_answer);
	media_plan_free(to_a_plan);
	media_plan_free(b_offer);
}

/* re-INVITE from A: hold with sendonly, then resume; and a refresh with the same SDP. */
static void test_hold_resume_refresh(void **state)
{
	static const char b_hold_answer[] = HDR("10.2.2.2") "m=audio 5000 RTP/AVP 0 101\r\n"
	                                                    "a=rtpmap:101 telephone-event/8000\r\n"
	                                                    "a=recvonly\r\n";
	struct codec_prefs p = prefs("greedy");
	struct media_plan_origin ob = {.id = 9}, oa = {.id = 10};
	struct media_plan *a1 = parse(SDP_YEALINK), *a2 = parse(SDP_HOLD_SENDONLY);
	struct media_plan *a3 = parse(SDP_YEALINK), *o1, *o2, *o3, *b2, *ans2;
	char *t1, *t2, *t3, *ta2, *line;

	(void)state;
	o1 = offer(a1, &p);
	t1 = print(o1, B_PORTS, &ob);
	assert_sdp_line(t1, "o=tandem 9 0 IN IP4 10.0.0.1");

	/* hold: A's new o= version and direction */
	assert_int_equal(media_plan_diff(a1, a2),
	                 MEDIA_PLAN_VERSION | MEDIA_PLAN_DIRECTION | MEDIA_PLAN_CODECS);
	assert_true(media_stream_on_hold(&a2->streams[0]));
	o2 = offer(a2, &p);
	t2 = print(o2, B_PORTS, &ob);
	assert_sdp_line(t2, "o=tandem 9 1 IN IP4 10.0.0.1");
	assert_sdp_line(t2, "a=sendonly");
	b2 = parse(b_hold_answer);
	ans2 = answer(a2, o2, b2);
	ta2 = print(ans2, A_PORTS, &oa);
	assert_sdp_line(ta2, "a=recvonly");

	/* resume */
	o3 = offer(a3, &p);
	t3 = print(o3, B_PORTS, &ob);
	assert_sdp_line(t3, "o=tandem 9 2 IN IP4 10.0.0.1");
	assert_sdp_line(t3, "a=sendrecv");
	line = strstr(t3, "m=audio");
	assert_non_null(line);

	/* a refresh re-INVITE with A's very same SDP: no change, our re-offer keeps its version */
	assert_int_equal(media_plan_diff(a1, a3), MEDIA_PLAN_SAME);
	free(t3);
	t3 = print(o3, B_PORTS, &ob);
	assert_sdp_line(t3, "o=tandem 9 2 IN IP4 10.0.0.1");

	free(t1);
	free(t2);
	free(t3);
	free(ta2);
	media_plan_free(ans2);
	media_plan_free(b2);
	media_plan_free(o1);
	media_plan_free(o2);
	media_plan_free(o3);
	media_plan_free(a1);
	media_plan_free(a2);
	media_plan_free(a3);
}

static void test_hold_0000_becomes_sendonly(void **state)
{
	char *sdp = offer_text(SDP_HOLD_0000, "greedy");

	(void)state;
	assert_sdp_line(sdp, "a=sendonly");
	assert_sdp_line(sdp, "c=IN IP4 10.0.0.1");
	assert_no_sdp_line(sdp, "c=IN IP4 0.0.0.0");
	free(sdp);
}

static void test_webrtc_answer_passes_dtls(void **state)
{
	static const char b_sdp[] = HDR("10.2.2.2") "a=fingerprint:sha-256 AA:BB\r\n"
	                                            "m=audio 5000 UDP/TLS/RTP/SAVPF 111\r\n"
	                                            "a=rtpmap:111 opus/48000/2\r\n"
	                                            "a=setup:active\r\na=rtcp-mux\r\n"
	                                            "m=video 5002 UDP/TLS/RTP/SAVPF 102\r\n"
	                                            "a=rtpmap:102 H264/90000\r\n"
	                                            "a=rtcp-fb:102 nack pli\r\na=setup:active\r\n";
	struct call c = {0};

	(void)state;
	call_offer(&c, SDP_WEBRTC, "greedy");
	call_answer(&c, b_sdp);
	assert_sdp_line(c.to_a, "a=fingerprint:sha-256 AA:BB");
	assert_sdp_line(c.to_a, "m=audio 30000 UDP/TLS/RTP/SAVPF 111");
	assert_sdp_line(c.to_a, "a=setup:active");
	assert_sdp_line(c.to_a, "m=video 30002 UDP/TLS/RTP/SAVPF 102");
	assert_sdp_line(c.to_a, "a=rtcp-fb:102 nack pli");
	assert_int_equal(sdp_count_lines(c.to_a, "a=rtcp-mux"), 2);
	call_free(&c);
}

static struct media_plan *local_answer(const char *sdp_a, const char *mode, char **text)
{
	struct codec_prefs p = prefs(mode);
	struct media_plan *a = parse(sdp_a), *out = NULL;
	struct media_plan_origin o = {.id = 3};
	char why[256];

	if (sdp_negotiate_answer_local(a, &p, &out, why, sizeof(why)))
		fail_msg("local answer: %s", why);
	*text = print(out, A_PORTS, &o);
	media_plan_free(a);
	return out;
}

static void test_answer_local(void **state)
{
	char *text;
	struct media_plan *p;

	(void)state;
	p = local_answer(SDP_LINPHONE, "greedy", &text);
	assert_sdp_line(text, "m=audio 30000 RTP/AVP 0 100"); /* PCMU + telephone-event/8000 */
	assert_sdp_line(text, "m=video 30002 RTP/AVP 103");
	media_plan_free(p);
	free(text);

	p = local_answer(SDP_LINPHONE, "generous", &text);
	assert_sdp_line(text, "m=audio 30000 RTP/AVP 96 101"); /* opus + telephone-event/48000 */
	assert_sdp_line(text, "m=video 30002 RTP/AVP 102");
	media_plan_free(p);
	free(text);

	p = local_answer(SDP_HOLD_SENDONLY, "greedy", &text);
	assert_sdp_line(text, "a=recvonly");
	assert_sdp_line(text, "a=ptime:20");
	media_plan_free(p);
	free(text);
}

/* RTP/SAVP is answered with its transport and without the offerer's key (ours is added by
 * call_media_srtp.c); DTLS-SRTP needs a handshake the node does not make and is refused. */
static void test_answer_local_srtp(void **state)
{
	static const char savp[] =
	    HDR("10.1.1.1") "m=audio 4000 RTP/SAVP 0\r\n"
	                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	                    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	static const char dtls[] = HDR("10.1.1.1") "m=audio 4000 UDP/TLS/RTP/SAVP 0\r\n"
	                                           "a=setup:actpass\r\n";
	struct codec_prefs p = prefs("greedy");
	struct media_plan *a = parse(savp), *out = NULL;
	char why[256];

	(void)state;
	assert_int_equal(sdp_negotiate_answer_local(a, &p, &out, why, sizeof(why)), 0);
	assert_non_null(out);
	assert_false(out->streams[0].rejected);
	assert_int_equal(out->streams[0].proto, MEDIA_PROTO_RTP_SAVP);
	assert_int_equal(out->streams[0].n_crypto, 0);
	media_plan_free(a);
	media_plan_free(out);

	a = parse(dtls);
	out = (struct media_plan *)1;
	assert_int_equal(sdp_negotiate_answer_local(a, &p, &out, why, sizeof(why)), -ENOTSUP);
	assert_null(out);
	assert_string_equal(why, "m-line 0 (audio): UDP/TLS/RTP/SAVP cannot be answered here");
	media_plan_free(a);
}

/* SDES keys never travel to the other leg, at media or session level: the media node
 * terminates SRTP per leg and each leg gets keys of its own (sdp_srtp.c). */
static void test_offer_drops_sdes_keys(void **state)
{
	static const char savp[] =
	    HDR("10.1.1.1") "a=crypto:9 AES_CM_128_HMAC_SHA1_80 "
	                    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
	                    "m=audio 4000 RTP/SAVP 0\r\n"
	                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	                    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
	char *sdp = offer_text(savp, "greedy");

	(void)state;
	assert_sdp_line(sdp, "m=audio 40000 RTP/SAVP 0");
	assert_null(strstr(sdp, "crypto"));
	assert_null(strstr(sdp, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"));
	free(sdp);
}

static void test_sip_status(void **state)
{
	(void)state;
	assert_int_equal(sdp_negotiate_sip_status(0), 200);
	assert_int_equal(sdp_negotiate_sip_status(-EBADMSG), 400);
	assert_int_equal(sdp_negotiate_sip_status(-E2BIG), 488);
	assert_int_equal(sdp_negotiate_sip_status(-ENOTSUP), 488);
	assert_int_equal(sdp_negotiate_sip_status(-EPROTO), 488);
	assert_int_equal(sdp_negotiate_sip_status(-ENOMEM), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offer_greedy_yealink),
	    cmocka_unit_test(test_offer_order_greedy_vs_generous),
	    cmocka_unit_test(test_offer_linphone_audio_video),
	    cmocka_unit_test(test_offer_webrtc),
	    cmocka_unit_test(test_offer_keeps_positions),
	    cmocka_unit_test(test_offer_nothing_acceptable),
	    cmocka_unit_test(test_answer_maps_back),
	    cmocka_unit_test(test_answer_opus_fmtp_from_answerer),
	    cmocka_unit_test(test_answer_video_rejected_by_b),
	    cmocka_unit_test(test_answer_bad_answers),
	    cmocka_unit_test(test_answer_mismatched_offer),
	    cmocka_unit_test(test_answer_direction),
	    cmocka_unit_test(test_late_offer),
	    cmocka_unit_test(test_hold_resume_refresh),
	    cmocka_unit_test(test_hold_0000_becomes_sendonly),
	    cmocka_unit_test(test_webrtc_answer_passes_dtls),
	    cmocka_unit_test(test_answer_local),
	    cmocka_unit_test(test_answer_local_srtp),
	    cmocka_unit_test(test_offer_drops_sdes_keys),
	    cmocka_unit_test(test_sip_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
