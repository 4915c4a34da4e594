/* media_plan_parse.c: SDP from common endpoints into plans (both shapes sofia produces), and
 * every malformed or unusable body refused with its errno and a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "media_plan.h"
#include "sdp_samples.h"

#define MAX_STREAMS 16

static struct media_plan *parse_ok(const char *sdp)
{
	struct media_plan *plan = NULL;
	char why[256] = "";
	int rc = media_plan_parse(sdp, strlen(sdp), MAX_STREAMS, &plan, why, sizeof(why));

	if (rc)
		fail_msg("parse failed (%d): %s", rc, why);
	return plan;
}

static int parse_err(const char *sdp, char *why, size_t whylen)
{
	struct media_plan *plan = (struct media_plan *)1;
	int rc = media_plan_parse(sdp, strlen(sdp), MAX_STREAMS, &plan, why, whylen);

	assert_null(plan);
	return rc;
}

static const struct media_codec *codec(const struct media_stream *s, unsigned pt)
{
	for (unsigned i = 0; i < s->n_codecs; i++)
		if (s->codecs[i].pt == pt)
			return &s->codecs[i];
	fail_msg("no payload type %u", pt);
	return NULL;
}

static bool has_attr(const struct media_attr *v, unsigned n, const char *name, const char *value)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(v[i].name, name) &&
		    (value ? v[i].value && !strcmp(v[i].value, value) : !v[i].value))
			return true;
	return false;
}

static void test_linphone(void **state)
{
	struct media_plan *p = parse_ok(SDP_LINPHONE);
	const struct media_stream *a, *v;

	(void)state;
	assert_string_equal(p->origin_user, "alice");
	assert_int_equal(p->origin_id, 1234);
	assert_int_equal(p->origin_version, 678);
	assert_true(has_attr(p->attrs, p->n_attrs, "rtcp-xr",
	                     "rcvr-rtt=all:10000 stat-summary=loss,dup,jitter,TTL voip-metrics"));
	assert_int_equal(p->n_streams, 2);
	a = &p->streams[0];
	assert_int_equal(a->kind, MEDIA_AUDIO);
	assert_int_equal(a->proto, MEDIA_PROTO_RTP_AVP);
	assert_false(a->rejected);
	assert_string_equal(a->rtp_ip, "192.168.1.10");
	assert_int_equal(a->rtp_port, 7078);
	assert_string_equal(a->rtcp_ip, "192.168.1.10");
	assert_int_equal(a->rtcp_port, 7079);
	assert_false(a->rtcp_mux);
	assert_int_equal(a->dir, MEDIA_SENDRECV);
	assert_int_equal(a->n_codecs, 9);
	assert_int_equal(a->n_formats, 9);
	assert_string_equal(a->formats[0], "96");
	assert_string_equal(codec(a, 96)->name, "opus");
	assert_int_equal(codec(a, 96)->rate, 48000);
	assert_int_equal(codec(a, 96)->channels, 2);
	assert_string_equal(codec(a, 96)->fmtp, "useinbandfec=1");
	assert_string_equal(codec(a, 0)->name, "PCMU"); /* static type without rtpmap */
	assert_int_equal(codec(a, 0)->rate, 8000);
	assert_string_equal(codec(a, 18)->fmtp, "annexb=yes");
	assert_int_equal(codec(a, 101)->role, MEDIA_CODEC_DTMF);
	assert_int_equal(codec(a, 96)->role, MEDIA_CODEC_MEDIA);
	assert_int_equal(media_stream_dtmf_pt(a), 101);
	assert_true(has_attr(a->attrs, a->n_attrs, "rtcp-fb", "* trr-int 1000"));

	v = &p->streams[1];
	assert_int_equal(v->kind, MEDIA_VIDEO);
	assert_int_equal(v->rtp_port, 9078);
	assert_int_equal(v->n_codecs, 2);
	assert_string_equal(codec(v, 103)->fmtp, "profile-level-id=42801F");
	/* payload-keyed feedback follows its codec */
	assert_int_equal(codec(v, 102)->n_pt_attrs, 2);
	assert_string_equal(codec(v, 102)->pt_attrs[0].name, "rtcp-fb");
	assert_string_equal(codec(v, 102)->pt_attrs[0].value, "nack pli");
	assert_string_equal(codec(v, 102)->pt_attrs[1].value, "ccm fir");
	assert_int_equal(codec(v, 103)->n_pt_attrs, 1);
	assert_false(has_attr(v->attrs, v->n_attrs, "rtcp-fb", "102 nack pli"));
	media_plan_free(p);
}

static void test_zoiper_rtcp_mux(void **state)
{
	struct media_plan *p = parse_ok(SDP_ZOIPER);
	const struct media_stream *a = &p->streams[0];

	(void)state;
	assert_int_equal(p->origin_id, 0);
	assert_int_equal(p->origin_version, 12345);
	assert_true(a->rtcp_mux);
	assert_int_equal(a->dir, MEDIA_SENDRECV);
	assert_string_equal(codec(a, 106)->fmtp,
	                    "sprop-maxcapturerate=16000; minptime=20; useinbandfec=1");
	assert_string_equal(codec(a, 9)->name, "G722");
	assert_int_equal(codec(a, 98)->rate, 48000);
	assert_string_equal(codec(a, 3)->name, "GSM");
	assert_int_equal(media_stream_dtmf_pt(a), 98);
	/* the direction is in dir, not repeated as a pass-through attribute */
	assert_false(has_attr(a->attrs, a->n_attrs, "sendrecv", NULL));
	assert_false(has_attr(a->attrs, a->n_attrs, "rtcp-mux", NULL));
	media_plan_free(p);
}

static void test_yealink_ptime(void **state)
{
	struct media_plan *p = parse_ok(SDP_YEALINK);
	const struct media_stream *a = &p->streams[0];

	(void)state;
	assert_int_equal(a->ptime, 20);
	assert_int_equal(a->n_codecs, 5);
	assert_string_equal(codec(a, 101)->name, "telephone-event");
	assert_string_equal(codec(a, 101)->fmtp, "0-15"); /* fmtp written before its rtpmap */
	assert_string_equal(codec(a, 18)->fmtp, "annexb=no");
	assert_int_equal(a->n_attrs, 0);
	media_plan_free(p);
}

static void test_polycom_rtcp_address(void **state)
{
	struct media_plan *p = parse_ok(SDP_POLYCOM);
	const struct media_stream *a = &p->streams[0], *v = &p->streams[1];

	(void)state;
	assert_int_equal(p->n_attrs, 0); /* session a=sendrecv folded into the streams */
	assert_string_equal(a->rtcp_ip, "172.16.0.21");
	assert_int_equal(a->rtcp_port, 2223);
	assert_int_equal(v->rtcp_port, 2225);
	assert_string_equal(codec(v, 109)->fmtp,
	                    "profile-level-id=42E016;max-mbps=108000;max-fs=3600");
	assert_string_equal(codec(v, 34)->name, "H263");
	media_plan_free(p);
}

static void test_webrtc_raw_rtpmaps(void **state)
{
	struct media_plan *p = parse_ok(SDP_WEBRTC);
	const struct media_stream *a = &p->streams[0], *v = &p->streams[1];

	(void)state;
	assert_false(has_attr(p->attrs, p->n_attrs, "group", "BUNDLE 0 1"));
	assert_true(has_attr(p->attrs, p->n_attrs, "msid-semantic", " WMS"));
	assert_int_equal(a->proto, MEDIA_PROTO_UDP_TLS_RTP_SAVPF);
	assert_string_equal(a->proto_name, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(a->rtp_port, 9);
	assert_string_equal(a->rtp_ip, "203.0.113.7");
	assert_string_equal(a->rtcp_ip, "0.0.0.0");
	assert_int_equal(a->rtcp_port, 9);
	assert_true(a->rtcp_mux);
	assert_int_equal(a->n_codecs, 8);
	assert_string_equal(codec(a, 111)->name, "opus");
	assert_int_equal(codec(a, 111)->channels, 2);
	assert_string_equal(codec(a, 111)->fmtp, "minptime=10;useinbandfec=1");
	assert_string_equal(codec(a, 111)->pt_attrs[0].value, "transport-cc");
	assert_int_equal(codec(a, 63)->role, MEDIA_CODEC_AUX);
	assert_int_equal(codec(a, 13)->role, MEDIA_CODEC_CN);
	assert_string_equal(codec(a, 0)->name, "PCMU");
	assert_int_equal(media_stream_dtmf_pt(a), 110);
	/* ICE is dropped, DTLS and the rest pass through */
	assert_false(has_attr(a->attrs, a->n_attrs, "ice-ufrag", "abcd"));
	assert_false(has_attr(a->attrs, a->n_attrs, "ice-options", "trickle"));
	for (unsigned i = 0; i < a->n_attrs; i++)
		assert_string_not_equal(a->attrs[i].name, "candidate");
	assert_true(has_attr(a->attrs, a->n_attrs, "setup", "actpass"));
	assert_true(has_attr(a->attrs, a->n_attrs, "mid", "0"));
	assert_true(has_attr(a->attrs, a->n_attrs, "ssrc", "1111 cname:xyz"));
	assert_false(has_attr(a->attrs, a->n_attrs, "rtpmap", "111 opus/48000/2"));

	assert_int_equal(v->n_codecs, 4);
	assert_int_equal(codec(v, 97)->role, MEDIA_CODEC_AUX);
	assert_string_equal(codec(v, 97)->fmtp, "apt=96");
	assert_int_equal(codec(v, 96)->n_pt_attrs, 3);
	assert_true(has_attr(v->attrs, v->n_attrs, "rtcp-rsize", NULL));
	media_plan_free(p);
}

static void test_avpf_ipv6_and_image(void **state)
{
	struct media_plan *p = parse_ok(SDP_AVPF);
	const struct media_stream *a = &p->streams[0], *v = &p->streams[1], *t = &p->streams[2];

	(void)state;
	assert_int_equal(a->proto, MEDIA_PROTO_RTP_AVPF);
	assert_string_equal(a->rtp_ip, "2001:db8::2");
	assert_string_equal(codec(a, 0)->name, "PCMU"); /* static type, no rtpmap, raw shape */
	assert_int_equal(codec(a, 0)->rate, 8000);
	assert_string_equal(codec(a, 97)->fmtp, "0-15");
	assert_true(has_attr(a->attrs, a->n_attrs, "rtcp-fb", "* nack"));
	assert_int_equal(v->dir, MEDIA_RECVONLY);
	assert_string_equal(codec(v, 98)->pt_attrs[0].value, "nack pli");
	assert_int_equal(t->kind, MEDIA_OTHER);
	assert_string_equal(t->media, "image");
	assert_int_equal(t->proto, MEDIA_PROTO_OTHER);
	assert_string_equal(t->proto_name, "udptl");
	assert_int_equal(t->n_codecs, 0);
	assert_int_equal(t->n_formats, 1);
	assert_string_equal(t->formats[0], "t38");
	assert_false(media_stream_active(t));
	assert_int_equal(media_plan_active_streams(p), 2);
	media_plan_free(p);
}

static void test_hold_forms(void **state)
{
	struct media_plan *p = parse_ok(SDP_HOLD_SENDONLY);

	(void)state;
	assert_int_equal(p->streams[0].dir, MEDIA_SENDONLY);
	assert_true(media_stream_on_hold(&p->streams[0]));
	assert_false(p->streams[0].null_addr);
	media_plan_free(p);

	p = parse_ok(SDP_HOLD_0000);
	assert_true(p->streams[0].null_addr);
	assert_int_equal(p->streams[0].dir, MEDIA_SENDONLY);
	assert_true(media_stream_on_hold(&p->streams[0]));
	media_plan_free(p);

	p = parse_ok(SDP_SESSION_INACTIVE);
	assert_int_equal(p->streams[0].dir, MEDIA_INACTIVE); /* session level */
	assert_int_equal(p->streams[1].dir, MEDIA_SENDONLY); /* media level wins */
	assert_int_equal(p->n_attrs, 0);
	media_plan_free(p);

	p = parse_ok(SDP_YEALINK);
	assert_false(media_stream_on_hold(&p->streams[0]));
	media_plan_free(p);
}

static void test_rejected_mline(void **state)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
	                          "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n";
	struct media_plan *p = parse_ok(sdp);

	(void)state;
	assert_false(p->streams[0].rejected);
	assert_true(p->streams[1].rejected);
	assert_null(p->streams[1].rtp_ip);
	assert_int_equal(p->streams[1].rtp_port, 0);
	assert_string_equal(p->streams[1].formats[0], "31");
	assert_int_equal(media_plan_active_streams(p), 1);
	media_plan_free(p);
}

/* A port-0 m-line needs no c= (sofia's sanity check agrees). */
static void test_rejected_mline_without_c(void **state)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                          "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.9\r\n"
	                          "m=video 0 RTP/AVP 31\r\n";
	struct media_plan *p = parse_ok(sdp);

	(void)state;
	assert_string_equal(p->streams[0].rtp_ip, "10.0.0.9");
	assert_true(p->streams[1].rejected);
	media_plan_free(p);
}

static void test_lf_only_and_duplicates(void **state)
{
	static const char sdp[] = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
	                          "m=audio 4000 RTP/AVP 0 8 0 8\n";
	struct media_plan *p = parse_ok(sdp);

	(void)state;
	assert_int_equal(p->streams[0].n_codecs, 2);
	media_plan_free(p);
}

static void test_max_streams_boundary(void **state)
{
	char sdp[4096] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
	struct media_plan *p = NULL;
	char why[256];

	(void)state;
	for (unsigned i = 0; i < MAX_STREAMS; i++)
		snprintf(sdp + strlen(sdp), sizeof(sdp) - strlen(sdp), "m=audio %u RTP/AVP 0\r\n",
		         4000 + 2 * i);
	assert_int_equal(media_plan_parse(sdp, strlen(sdp), MAX_STREAMS, &p, why, sizeof(why)), 0);
	assert_int_equal(p->n_streams, MAX_STREAMS);
	media_plan_free(p);
	strcat(sdp, "m=audio 5000 RTP/AVP 0\r\n");
	assert_int_equal(parse_err(sdp, why, sizeof(why)), -E2BIG);
	assert_string_equal(why, "17 m-lines, more than the 16 allowed");
}

static void test_hundred_mlines(void **state)
{
	char sdp[8192] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
	char why[256];

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		snprintf(sdp + strlen(sdp), sizeof(sdp) - strlen(sdp), "m=audio %u RTP/AVP 0\r\n",
		         4000 + 2 * i);
	assert_int_equal(parse_err(sdp, why, sizeof(why)), -E2BIG);
	assert_non_null(strstr(why, "100 m-lines"));
}

#define HDR "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"

static void test_malformed(void **state)
{
	static const struct {
		const char *sdp;
		int err;
		const char *why;
	} cases[] = {
	    {"hello world", -EBADMSG, "bad SDP message"},
	    {"\r\n\r\n", -EBADMSG, "bad SDP message"},
	    {"v=0\r\no=", -EBADMSG, "invalid username"},
	    {"v=0\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", -EBADMSG,
	     "No o= present"},
	    {HDR "m=audio 4000 RTP/AVP 0\r\n", -EBADMSG, "No c= on either session level"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", -EBADMSG,
	     "m-line 0: port 70000 out of range"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 99999999999999999999 RTP/AVP 0\r\n", -EBADMSG,
	     "out of range"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n", -EBADMSG, "invalid port"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000\r\n", -EBADMSG, "missing protocol"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 200\r\n", -EBADMSG, "invalid format"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVPF 96 abc\r\n", -EBADMSG,
	     "'abc' is not an RTP payload type"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVPF 128\r\n", -EBADMSG,
	     "'128' is not an RTP payload type"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVPF 96\r\na=rtpmap:96 opus\r\n", -EBADMSG,
	     "bad a=rtpmap:96 'opus'"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVPF 96\r\na=rtpmap:96 opus/x\r\n", -EBADMSG,
	     "bad a=rtpmap:96"},
	    {HDR "c=IN IP4 pbx.example.com\r\nm=audio 4000 RTP/AVP 0\r\n", -EBADMSG,
	     "c= address 'pbx.example.com' is not an IP address"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:0\r\n", -EBADMSG,
	     "bad a=rtcp '0'"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:70000\r\n", -EBADMSG,
	     "bad a=rtcp"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:x\r\n", -EBADMSG,
	     "bad a=rtcp"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp\r\n", -EBADMSG,
	     "bad a=rtcp"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:4001 IN IP4 host\r\n",
	     -EBADMSG, "bad a=rtcp address"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:4001 IN IP6 1.2.3.4\r\n",
	     -EBADMSG, "bad a=rtcp address"},
	    {HDR "c=IN IP4 224.2.1.1/127\r\nm=audio 4000 RTP/AVP 0\r\n", -ENOTSUP,
	     "multicast c=224.2.1.1 is not supported"},
	    {HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000/2 RTP/AVP 0\r\n", -ENOTSUP,
	     "port ranges (4000/2) are not supported"},
	    {HDR "c=IN IP4 1.2.3.4\r\n", -EBADMSG, "no m= line"},
	    {HDR "c=IN XX 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n", -EBADMSG, "unknown IN address"},
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		why[0] = '\0';
		rc = parse_err(cases[i].sdp, why, sizeof(why));
		if (rc != cases[i].err || !strstr(why, cases[i].why))
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc, why, cases[i].err,
			         cases[i].why);
	}
}

/* Bodies that make sofia-sip 1.12.11's parse_media() loop forever, allocating, are refused
 * before sofia sees them; their harmless neighbours still parse. */
static void test_sofia_format_loop_guard(void **state)
{
	static const char *const bad[] = {
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl /x\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl t38 /x\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl \t\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl\t \t\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n  m=video 4002 TCP @\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=application 4000 UDP/BFCP \"x\"",
	    HDR "c=IN IP4 1.2.3.4\r\nm=video 5002 RT\x03/AVP 31\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=video 5002/2 RT; /AVP 31\r\n",
	};
	static const char *const good[] = {
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl t38\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl t38/x\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl t38 \t \r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl  \r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=image 4000 udptl\t\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0 \t\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 rtp/avp 0\r\n",
	    HDR "c=IN IP4 1.2.3.4\r\nm=text 4000 RTP/AVP 98\r\na=rtpmap:98 t140/1000\r\n",
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (parse_err(bad[i], why, sizeof(why)) != -EBADMSG ||
		    !strstr(why, "malformed format list"))
			fail_msg("bad %zu: '%s'", i, why);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		media_plan_free(parse_ok(good[i]));
}

/* Raw a=rtpmap/a=fmtp with no value must not reach code that assumes one. */
static void test_valueless_raw_attributes(void **state)
{
	static const char sdp[] = HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVPF 0 96\r\n"
	                              "a=rtpmap\r\na=fmtp\r\na=rtcp-fb\r\na=imageattr\r\n";
	struct media_plan *p = parse_ok(sdp);

	(void)state;
	assert_string_equal(codec(&p->streams[0], 96)->name, "");
	assert_int_equal(codec(&p->streams[0], 96)->role, MEDIA_CODEC_MEDIA);
	assert_null(codec(&p->streams[0], 96)->fmtp);
	media_plan_free(p);
}

static void test_empty_and_nul(void **state)
{
	struct media_plan *p = (struct media_plan *)1;
	char why[64];
	static const char nul[] = "v=0\r\n\0o=- 1 1 IN IP4 1.2.3.4\r\n";

	(void)state;
	assert_int_equal(media_plan_parse("", 0, MAX_STREAMS, &p, why, sizeof(why)), -EBADMSG);
	assert_null(p);
	assert_string_equal(why, "empty SDP");
	assert_int_equal(media_plan_parse(NULL, 10, MAX_STREAMS, &p, NULL, 0), -EBADMSG);
	assert_int_equal(media_plan_parse(nul, sizeof(nul) - 1, MAX_STREAMS, &p, why, sizeof(why)),
	                 -EBADMSG);
	assert_string_equal(why, "NUL byte in SDP");
}

/* Bad ptime values are ignored, not fatal; a length-bounded body needs no terminator. */
static void test_lenient_bits(void **state)
{
	static const char sdp[] = HDR "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 0\r\n"
	                              "a=ptime:abc\r\na=maxptime:-5\r\nTRAILING GARBAGE";
	struct media_plan *p = NULL;
	char why[128];
	size_t len = strlen(sdp) - strlen("TRAILING GARBAGE");

	(void)state;
	assert_int_equal(media_plan_parse(sdp, len, MAX_STREAMS, &p, why, sizeof(why)), 0);
	assert_int_equal(p->streams[0].ptime, 0);
	assert_int_equal(p->streams[0].maxptime, 0);
	media_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_linphone),
	    cmocka_unit_test(test_zoiper_rtcp_mux),
	    cmocka_unit_test(test_yealink_ptime),
	    cmocka_unit_test(test_polycom_rtcp_address),
	    cmocka_unit_test(test_webrtc_raw_rtpmaps),
	    cmocka_unit_test(test_avpf_ipv6_and_image),
	    cmocka_unit_test(test_hold_forms),
	    cmocka_unit_test(test_rejected_mline),
	    cmocka_unit_test(test_rejected_mline_without_c),
	    cmocka_unit_test(test_lf_only_and_duplicates),
	    cmocka_unit_test(test_max_streams_boundary),
	    cmocka_unit_test(test_hundred_mlines),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_sofia_format_loop_guard),
	    cmocka_unit_test(test_valueless_raw_attributes),
	    cmocka_unit_test(test_empty_and_nul),
	    cmocka_unit_test(test_lenient_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
