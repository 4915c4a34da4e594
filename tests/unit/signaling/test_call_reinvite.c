/* Mid-call offers through b2bua_reinvite.c and call_media.c, with the SIP stack and the media node
 * replaced by fakes that record what is sent: a re-INVITE that moves one stream and adds another
 * asks the node for exactly that (each stream its own address), re-INVITEs do not make the
 * call's memory grow, and an offer over the SDP limits is refused without disturbing the call.
 * SDES: each leg's keys reach the node and never the other leg, re-keying on a re-INVITE, the
 * policies (off, optional, mandatory) and what they refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_alloc_stat.h>

#include "b2bua_internal.h"
#include "call_record.h"
#include "call_media.h"
#include "codec_prefs.h"
#include "media_plan_limits.h"
#include "observe.h"
#include "sdes.h"
#include "sdp_negotiate.h"
#include "sdp_srtp.h"

/* ---- the media node: keeps the last request, answers when told to ------------------------ */

static struct {
	media_reply_cb cb;
	void *arg;
	uint8_t req[16384];
	size_t req_len;
	unsigned n_streams; /* session streams so far, for the replies */
} node;

static struct media_node *const the_node = (struct media_node *)&node;

int media_client_request(struct media_client *mc, struct media_node *n, RpcEnvelope *req,
                         media_reply_cb cb, void *arg)
{
	(void)mc;
	(void)n;
	assert_null(node.cb); /* one request at a time */
	node.req_len = tandem__media__v1__envelope__get_packed_size(req);
	assert_true(node.req_len <= sizeof(node.req));
	tandem__media__v1__envelope__pack(req, node.req);
	node.cb = cb;
	node.arg = arg;
	return 0;
}

void media_client_cancel(struct media_client *mc, void *arg)
{
	(void)mc;
	if (node.arg == arg)
		node.cb = NULL;
}

struct media_node *media_client_pick(struct media_client *mc, const struct media_node *except)
{
	(void)mc;
	(void)except;
	return the_node;
}

static RpcEnvelope *last_request(void)
{
	RpcEnvelope *env = tandem__media__v1__envelope__unpack(NULL, node.req_len, node.req);

	assert_non_null(env);
	return env;
}

/* Replies OK to the request in flight, with n_streams streams per leg on fixed ports. */
static void node_replies(void)
{
	RpcEnvelope *req = last_request(), env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcStatus ok = TANDEM__MEDIA__V1__STATUS__INIT;
	RpcSessionInfo si = TANDEM__MEDIA__V1__SESSION_INFO__INIT;
	RpcLegInfo legs[2] = {TANDEM__MEDIA__V1__LEG_INFO__INIT, TANDEM__MEDIA__V1__LEG_INFO__INIT};
	RpcStreamInfo info[2][8], *ptr[2][8];
	RpcEndpoint rtp[2][8], rtcp[2][8];
	RpcCreateSessionReply cr = TANDEM__MEDIA__V1__CREATE_SESSION_REPLY__INIT;
	RpcUpdateSessionReply ur = TANDEM__MEDIA__V1__UPDATE_SESSION_REPLY__INIT;
	media_reply_cb cb = node.cb;

	assert_non_null(cb);
	if (req->body_case == RPC_BODY(CREATE_SESSION)) {
		node.n_streams = (unsigned)req->create_session->leg_a->n_streams;
		env.body_case = RPC_BODY(CREATE_SESSION_REPLY);
		env.create_session_reply = &cr;
		cr.status = &ok;
		cr.session = &si;
	} else {
		assert_int_equal(req->body_case, RPC_BODY(UPDATE_SESSION));
		node.n_streams += (unsigned)req->update_session->n_add;
		env.body_case = RPC_BODY(UPDATE_SESSION_REPLY);
		env.update_session_reply = &ur;
		ur.status = &ok;
		ur.session = &si;
	}
	ok.code = RPC_OK;
	si.session_id = (char *)"sess-1";
	for (int side = 0; side < 2; side++) {
		for (unsigned k = 0; k < node.n_streams; k++) {
			tandem__media__v1__stream_info__init(&info[side][k]);
			tandem__media__v1__endpoint__init(&rtp[side][k]);
			tandem__media__v1__endpoint__init(&rtcp[side][k]);
			rtp[side][k].ip = (char *)"192.0.2.1";
			rtp[side][k].port = 30000 + 1000 * (uint32_t)side + 2 * k;
			rtcp[side][k] = rtp[side][k];
			rtcp[side][k].port++;
			info[side][k].index = k;
			info[side][k].local_rtp = &rtp[side][k];
			info[side][k].local_rtcp = &rtcp[side][k];
			ptr[side][k] = &info[side][k];
		}
		legs[side].n_streams = node.n_streams;
		legs[side].streams = ptr[side];
	}
	si.leg_a = &legs[0];
	si.leg_b = &legs[1];
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node.cb = NULL;
	cb(node.arg, 0, &env);
}

/* ---- the SIP stack: records what was sent -------------------------------------------------- */

static struct {
	int status;              /* last response */
	char sdp[4096];          /* SDP of the last response or re-INVITE */
	char headers[512];       /* extra headers of the last response */
	unsigned reinvites;      /* re-INVITEs sent */
	ua_handle *reinvite_nh;  /* to whom */
	ua_handle *responded_nh; /* who got the last response */
} ua;

static void keep_sdp(const char *sdp)
{
	snprintf(ua.sdp, sizeof(ua.sdp), "%s", sdp ? sdp : "");
}

void sip_ua_respond(struct sip_ua *u, ua_handle *nh, int status, const char *phrase,
                    const char *sdp, const char *headers)
{
	(void)u;
	(void)phrase;
	snprintf(ua.headers, sizeof(ua.headers), "%s", headers ? headers : "");
	ua.status = status;
	ua.responded_nh = nh;
	keep_sdp(sdp);
}

void sip_ua_respond_now(struct sip_ua *u, ua_handle *nh, int status, const char *phrase,
                        const char *sdp)
{
	sip_ua_respond(u, nh, status, phrase, sdp, NULL);
}

void sip_ua_respond_kept(struct sip_ua *u, ua_handle *nh, struct ua_kept *kept, int status,
                         const char *phrase, const char *sdp)
{
	(void)kept;
	sip_ua_respond(u, nh, status, phrase, sdp, NULL);
}

void sip_ua_reinvite(struct sip_ua *u, ua_handle *nh, const char *sdp)
{
	(void)u;
	ua.reinvites++;
	ua.reinvite_nh = nh;
	keep_sdp(sdp);
}

void sip_ua_update(struct sip_ua *u, ua_handle *nh, const char *sdp)
{
	sip_ua_reinvite(u, nh, sdp);
}

struct ua_kept *sip_ua_keep_request(struct sip_ua *u)
{
	(void)u;
	return NULL;
}

void sip_ua_drop_kept(struct ua_kept *kept)
{
	(void)kept;
}

/* ---- the rest of the b2bua ---------------------------------------------------------------- */

bool media_reply_ending(struct call *call)
{
	return call->state == CALL_ENDING;
}

const char *sdp_warning(const struct b2bua *b, const struct call *call, char *buf, size_t len)
{
	(void)b;
	snprintf(buf, len, "Warning: 399 test \"%s\"\r\n", call->media_error);
	return buf;
}

/* The call's state after each change, for a restart (call_record.c). */
static unsigned recorded;

void call_record_dialog(struct store *st, struct call *call, const char *node_id)
{
	(void)st;
	(void)call;
	(void)node_id;
	recorded++;
}

/* ---- fixtures ----------------------------------------------------------------------------- */

struct fixture {
	struct signald_config cfg;
	struct b2bua b;
	struct call *call;
};

static ua_handle *const NH_A = (ua_handle *)0xA, *const NH_B = (ua_handle *)0xB;

static char *sdp_text(const char *ip, unsigned port, const char *dir, const char *video_ip,
                      unsigned video_port, unsigned version)
{
	static char buf[1024];
	int n = snprintf(buf, sizeof(buf),
	                 "v=0\r\no=- 7 %u IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
	                 "m=audio %u RTP/AVP 0 8\r\na=%s\r\n",
	                 version, ip, ip, port, dir);

	if (video_ip)
		snprintf(buf + n, sizeof(buf) - (size_t)n,
		         "m=video %u RTP/AVP 96\r\nc=IN IP4 %s\r\na=rtpmap:96 H264/90000\r\n",
		         video_port, video_ip);
	return buf;
}

static void noop(struct call *call, int rc)
{
	(void)call;
	assert_int_equal(rc, 0);
}

/* A call with no SDP yet (SRTP tests drive call_media themselves). */
static int setup_bare(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct call *call;
	char err[256];

	memset(&node, 0, sizeof(node));
	memset(&ua, 0, sizeof(ua));
	if (codec_prefs_parse(&f->cfg.codec_prefs, "PCMU,PCMA", "H264", NULL, err, sizeof(err)))
		return -1;
	f->cfg.codecs_max_media_lines = MEDIA_PLAN_MAX_STREAMS;
	f->cfg.codecs_max_sdp_bytes = MEDIA_PLAN_MAX_BYTES;
	f->cfg.codecs_max_formats = MEDIA_PLAN_MAX_FORMATS;
	f->cfg.codecs_max_attributes = MEDIA_PLAN_MAX_ATTRS;
	f->b.cfg = &f->cfg;
	if (call_media_new(&f->b.cm, NULL, &f->cfg))
		return -1;
	call = f->call = su_home_new(sizeof(*call));
	call->call_id = su_strdup(call->home, "srtp-test");
	call->caller = su_strdup(call->home, "1000");
	call->owner = &f->b;
	call->a = (struct leg){.call = call, .nh = NH_A, .is_a = true};
	call->b[0] = (struct leg){.call = call, .nh = NH_B};
	call->n_b = 1;
	call->winner = &call->b[0];
	*state = f;
	return 0;
}

/* An answered call: A offered audio from 10.0.0.1:4000, B answered from 10.0.0.2:5000. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct call *call;
	char err[256];
	const char *ans;

	memset(&node, 0, sizeof(node));
	memset(&ua, 0, sizeof(ua));
	if (codec_prefs_parse(&f->cfg.codec_prefs, "PCMU,PCMA", "H264", NULL, err, sizeof(err)))
		return -1;
	f->cfg.codecs_max_media_lines = MEDIA_PLAN_MAX_STREAMS;
	f->cfg.codecs_max_sdp_bytes = MEDIA_PLAN_MAX_BYTES;
	f->cfg.codecs_max_formats = MEDIA_PLAN_MAX_FORMATS;
	f->cfg.codecs_max_attributes = MEDIA_PLAN_MAX_ATTRS;
	f->b.cfg = &f->cfg;
	if (call_media_new(&f->b.cm, NULL, &f->cfg))
		return -1;
	call = f->call = su_home_new(sizeof(*call));
	su_home_init_stats(call->home);
	call->call_id = su_strdup(call->home, "reinvite-test");
	call->caller = su_strdup(call->home, "1000");
	call->owner = &f->b;
	call->a = (struct leg){.call = call, .nh = NH_A, .is_a = true};
	call->b[0] = (struct leg){.call = call, .nh = NH_B};
	call->n_b = 1;
	call->winner = &call->b[0];
	call_keep_text(call, &call->a.sdp, sdp_text("10.0.0.1", 4000, "sendrecv", NULL, 0, 1), -1);
	assert_int_equal(call_media_create(f->b.cm, call, noop), 0);
	node_replies();
	call_keep_text(call, &call->b[0].sdp_sent, call->sdp_out, -1);
	ans = sdp_text("10.0.0.2", 5000, "sendrecv", NULL, 0, 1);
	call_keep_text(call, &call->b[0].sdp, ans, -1);
	assert_int_equal(call_media_answer(f->b.cm, call, SIDE_B, ans, strlen(ans), noop), 0);
	node_replies();
	call_keep_text(call, &call->a.sdp_sent, call->sdp_out, -1);
	call->state = CALL_ACTIVE;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	call_media_forget(f->b.cm, f->call);
	call_media_free(f->b.cm);
	su_home_unref(f->call->home);
	free(f);
	return 0;
}

/* One whole relayed re-INVITE from A: offer, node update, re-INVITE to B, B's 200, node update,
 * 200 to A. b_ip/b_port: where B answers from. */
static void reinvite_cycle(struct fixture *f, const char *offer, const char *b_answer)
{
	struct ua_leg_event ev = {.kind = UA_EV_REINVITE, .sdp = offer, .sdp_len = strlen(offer)};
	struct ua_leg_event ans = {
	    .kind = UA_EV_RESPONSE, .status = 200, .sdp = b_answer, .sdp_len = strlen(b_answer)};
	unsigned before = ua.reinvites, saved = recorded;

	b2bua_reinvite_received(&f->b, f->call, &f->call->a, &ev);
	node_replies();
	assert_int_equal(ua.reinvites, before + 1);
	assert_ptr_equal(ua.reinvite_nh, NH_B);
	b2bua_reinvite_answered(&f->b, f->call, &f->call->b[0], &ans);
	node_replies();
	assert_ptr_equal(ua.responded_nh, NH_A);
	assert_int_equal(ua.status, 200);
	/* the new session is what a restarted signald continues */
	assert_int_equal(recorded, saved + 1);
}

static void test_move_one_add_one(void **state)
{
	struct fixture *f = *state;
	const char *offer = sdp_text("10.0.0.9", 4100, "sendrecv", "10.0.0.7", 6000, 2);
	struct ua_leg_event ev = {.kind = UA_EV_REINVITE, .sdp = offer, .sdp_len = strlen(offer)};
	RpcEnvelope *req;
	RpcUpdateSessionRequest *u;

	b2bua_reinvite_received(&f->b, f->call, &f->call->a, &ev);
	req = last_request();
	assert_int_equal(req->body_case, RPC_BODY(UPDATE_SESSION));
	u = req->update_session;
	/* The audio stream moves to A's new address... */
	assert_int_equal(u->n_streams, 1);
	assert_int_equal(u->streams[0]->index, 0);
	assert_int_equal(u->streams[0]->leg, TANDEM__MEDIA__V1__LEG_ID__LEG_A);
	assert_non_null(u->streams[0]->remote_rtp);
	assert_string_equal(u->streams[0]->remote_rtp->ip, "10.0.0.9");
	assert_int_equal(u->streams[0]->remote_rtp->port, 4100);
	assert_string_equal(u->streams[0]->remote_rtcp->ip, "10.0.0.9");
	assert_int_equal(u->streams[0]->remote_rtcp->port, 4101);
	/* ...and the new video stream is added at its own. */
	assert_int_equal(u->n_add, 1);
	assert_non_null(u->add[0]->a->remote_rtp);
	assert_string_equal(u->add[0]->a->remote_rtp->ip, "10.0.0.7");
	assert_int_equal(u->add[0]->a->remote_rtp->port, 6000);
	assert_null(u->add[0]->b->remote_rtp); /* B has not answered yet */
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	assert_int_equal(ua.reinvites, 1);
	assert_non_null(strstr(ua.sdp, "m=video 31002 "));
}

/* An offer over the limits is refused at once with 488 and a Warning (it was 500), nothing is
 * asked of the node or the other leg, and the next offer is relayed as usual. */
static void test_over_limit_offer_refused(void **state)
{
	struct fixture *f = *state;
	char offer[2048], *before = strdup(f->call->a.sdp);
	int n = snprintf(offer, sizeof(offer),
	                 "v=0\r\no=- 7 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	                 "m=audio 4000 RTP/AVP");
	struct ua_leg_event ev = {.kind = UA_EV_REINVITE};

	for (int i = 0; i < 100; i++)
		n += snprintf(offer + n, sizeof(offer) - (size_t)n, " %d", i % 2 ? 0 : 8);
	snprintf(offer + n, sizeof(offer) - (size_t)n, "\r\n");
	ev.sdp = offer;
	ev.sdp_len = strlen(offer);
	b2bua_reinvite_received(&f->b, f->call, &f->call->a, &ev);
	assert_null(node.cb);
	assert_int_equal(ua.reinvites, 0);
	assert_ptr_equal(ua.responded_nh, NH_A);
	assert_int_equal(ua.status, 488);
	assert_non_null(strstr(ua.headers, "formats: 100, more than the 64 allowed"));
	assert_null(f->call->reinvite_from);
	assert_string_equal(f->call->a.sdp, before); /* refreshes still compare with the last */
	free(before);
	reinvite_cycle(f, sdp_text("10.0.0.1", 4010, "sendrecv", NULL, 0, 3),
	               sdp_text("10.0.0.2", 5000, "sendrecv", NULL, 0, 2));
}

/* The o= id and version of an SDP text. */
static void origin_of(const char *sdp, unsigned long long *id, unsigned long long *version)
{
	const char *o = strstr(sdp, "o=");

	assert_non_null(o);
	assert_int_equal(sscanf(o, "o=%*s %llu %llu", id, version), 2);
}

/* A call taken back after a restart has only the SDP texts: its negotiation state is rebuilt
 * from them, so that an offer is relayed on the same session streams, with the node's ports
 * each leg already knows and the o= line it knows, one version up. */
static void test_restored_call_relays_offers(void **state)
{
	struct fixture *f = *state;
	const char *offer = sdp_text("10.0.0.9", 4100, "sendonly", NULL, 0, 2);
	struct ua_leg_event ev = {.kind = UA_EV_REINVITE, .sdp = offer, .sdp_len = strlen(offer)};
	unsigned long long id0, v0, id1, v1;
	RpcEnvelope *req;
	RpcUpdateSessionRequest *u;

	origin_of(f->call->b[0].sdp_sent, &id0, &v0);
	call_media_forget(f->b.cm, f->call); /* what a new process does not have */
	f->call->restored = true;
	assert_int_equal(call_media_restore(f->b.cm, f->call), 0);
	b2bua_reinvite_received(&f->b, f->call, &f->call->a, &ev);
	req = last_request();
	assert_int_equal(req->body_case, RPC_BODY(UPDATE_SESSION));
	u = req->update_session;
	assert_int_equal(u->n_add, 0);
	assert_int_equal(u->n_streams, 1);
	assert_int_equal(u->streams[0]->index, 0);
	assert_int_equal(u->streams[0]->leg, TANDEM__MEDIA__V1__LEG_ID__LEG_A);
	assert_string_equal(u->streams[0]->remote_rtp->ip, "10.0.0.9");
	assert_int_equal(u->streams[0]->remote_rtp->port, 4100);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	assert_int_equal(ua.reinvites, 1);
	assert_ptr_equal(ua.reinvite_nh, NH_B);
	assert_non_null(strstr(ua.sdp, "m=audio 31000 "));
	assert_non_null(strstr(ua.sdp, "a=sendonly"));
	origin_of(ua.sdp, &id1, &v1);
	assert_true(id1 == id0 && v1 > v0);
}

/* Without SDP both ways there is nothing to rebuild from. */
static void test_restore_needs_both_sdps(void **state)
{
	struct fixture *f = *state;

	call_media_forget(f->b.cm, f->call);
	su_free(f->call->home, f->call->b[0].sdp_sent);
	f->call->b[0].sdp_sent = NULL;
	assert_int_equal(call_media_restore(f->b.cm, f->call), -EINVAL);
}

static size_t call_bytes(struct call *call)
{
	su_home_stat_t st = {.hs_size = sizeof(st)};

	su_home_get_stats(call->home, 0, &st, sizeof(st));
	return (size_t)st.hs_blocks.hsb_bytes;
}

static void test_memory_flat_across_reinvites(void **state)
{
	struct fixture *f = *state;
	char offer[1024], answer[1024];
	size_t after_two = 0, after_forty;

	for (unsigned i = 0; i < 40; i++) {
		/* Hold and resume in turn, from a new port each time: each one is relayed. */
		const char *dir = i % 2 ? "sendonly" : "sendrecv";

		snprintf(offer, sizeof(offer), "%s",
		         sdp_text("10.0.0.1", 4002 + 2 * (i % 4), dir, NULL, 0, 2 + i));
		snprintf(
		    answer, sizeof(answer), "%s",
		    sdp_text("10.0.0.2", 5000, i % 2 ? "recvonly" : "sendrecv", NULL, 0, 2 + i));
		reinvite_cycle(f, offer, answer);
		if (i == 1)
			after_two = call_bytes(f->call);
	}
	after_forty = call_bytes(f->call);
	/* Every relayed offer and answer replaces the previous copy: no growth beyond the odd
	 * extra digit of a version number. */
	if (after_forty > after_two + 64)
		fail_msg("the call's memory grew from %zu to %zu bytes over 38 re-INVITEs",
		         after_two, after_forty);
}

/* Hold and resume as the event stream and the metrics hear of them (observe.h): once per
 * change, from the side whose offer changed it; a refresh that stays on hold is not told. */
static char holds[16];
static unsigned n_holds;

static void on_hold(void *arg, const struct call *c, unsigned side, bool held)
{
	if (n_holds < sizeof(holds) - 2) {
		holds[n_holds++] = (char)('A' + side);
		holds[n_holds++] = held ? 'H' : 'U';
	}
}

static void test_hold_observed(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = {"sendonly", "sendonly", "sendrecv", "inactive",
	                                   "recvonly"};
	static const char *const answers[] = {"recvonly", "recvonly", "sendrecv", "inactive",
	                                      "sendonly"};
	char offer[1024], answer[1024];

	n_holds = 0;
	memset(holds, 0, sizeof(holds));
	assert_int_equal(observe_add(&(struct observer){.hold = on_hold}), 0);
	for (unsigned i = 0; i < 5; i++) {
		snprintf(offer, sizeof(offer), "%s",
		         sdp_text("10.0.0.1", 4002 + 2 * i, dirs[i], NULL, 0, 2 + i));
		snprintf(answer, sizeof(answer), "%s",
		         sdp_text("10.0.0.2", 5000, answers[i], NULL, 0, 2 + i));
		reinvite_cycle(f, offer, answer);
	}
	observe_clear();
	/* held, still held (not told), resumed, held (inactive), resumed (recvonly receives) */
	assert_string_equal(holds, "AHAUAHAU");
	assert_int_equal(f->call->held, 0);
}

/* ---- SDES through call_media ---------------------------------------------------------------- */

/* 30 octets 0x00..0x1d and 30 octets 0x40..0x5d: a phone's keys */
#define KEY_A  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
#define KEY_A2 "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xd"

static const char *savp_offer(const char *key, unsigned version, const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	         "v=0\r\no=- 7 %u IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	         "m=audio 4000 RTP/SAVP 0 8\r\n%sa=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n"
	         "a=sendrecv\r\n",
	         version, extra ? extra : "", key);
	return buf;
}

static const char *plain_sdp(const char *ip, unsigned port, const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
	         "v=0\r\no=- 8 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
	         "m=audio %u %s 0\r\n%sa=sendrecv\r\n",
	         ip, ip, port, extra && strstr(extra, "SAVP") ? "RTP/SAVP" : "RTP/AVP",
	         extra && strstr(extra, "a=") ? strstr(extra, "a=") : "");
	return buf;
}

/* The n-th a=crypto of an SDP text, parsed. */
static bool crypto_in(const char *sdp, unsigned n, struct sdes_crypto *c)
{
	const char *p = sdp;
	char value[256];

	for (unsigned i = 0; p && (p = strstr(p, "a=crypto:")) != NULL; i++, p++) {
		if (i != n)
			continue;
		snprintf(value, sizeof(value), "%.*s", (int)strcspn(p + 9, "\r\n"), p + 9);
		return sdes_parse(value, c, NULL, 0) == 0;
	}
	return false;
}

static bool key_is(const ProtobufCBinaryData *d, const struct sdes_crypto *c)
{
	return d->len == c->key_len && memcmp(d->data, c->key, c->key_len) == 0;
}

static void create_a(struct fixture *f, const char *offer)
{
	call_keep_text(f->call, &f->call->a.sdp, offer, -1);
	assert_int_equal(call_media_create(f->b.cm, f->call, noop), 0);
}

/* The session's streams carry each leg's codec (what prompts are encoded to and recordings
 * decode: the first of the offer the callee gets) and the telephone-event type each leg sends. */
static void test_codec_and_events_in_specs(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope *req;
	RpcStreamSpec *a, *b;

	create_a(f, "v=0\r\no=a 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
	            "m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\n"
	            "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	            "a=fmtp:101 0-15\r\na=sendrecv\r\n");
	req = last_request();
	assert_int_equal(req->body_case, RPC_BODY(CREATE_SESSION));
	a = req->create_session->leg_a->streams[0];
	b = req->create_session->leg_b->streams[0];
	assert_int_equal(a->telephone_event_pt, 101);
	/* [codecs] here is PCMU,PCMA: the callee is offered no telephone-event. */
	assert_int_equal(b->telephone_event_pt, 0);
	/* Our order: PCMU first. */
	assert_string_equal(a->codec, "PCMU");
	assert_int_equal(a->codec_pt, 0);
	assert_string_equal(b->codec, "PCMU");
	assert_int_equal(b->codec_pt, 0);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	/* The callee is offered that codec first. */
	assert_non_null(strstr(f->call->sdp_out, "RTP/AVP 0 8\r\n"));
}

/* SRTP caller, plain callee (policies off): the node decrypts A and gets A's key and a fresh
 * one of ours; B is offered plain RTP without any key; A's answer carries our key for it. */
static void test_srtp_caller_plain_callee(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope *req;
	RpcStreamSpec *a, *b;
	struct sdes_crypto theirs, ours;
	const char *ans;

	create_a(f, savp_offer(KEY_A, 1, NULL));
	req = last_request();
	assert_int_equal(req->body_case, RPC_BODY(CREATE_SESSION));
	a = req->create_session->leg_a->streams[0];
	b = req->create_session->leg_b->streams[0];
	assert_non_null(a->srtp);
	assert_int_equal(a->srtp->suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_true(crypto_in(savp_offer(KEY_A, 1, NULL), 0, &theirs));
	assert_true(key_is(&a->srtp->rx_key, &theirs));
	assert_int_equal(a->srtp->tx_key.len, 30);
	assert_false(key_is(&a->srtp->tx_key, &theirs));
	assert_null(b->srtp);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	/* The offer to B: plain, and no trace of A's key. */
	assert_non_null(strstr(f->call->sdp_out, "m=audio 31000 RTP/AVP 0 8"));
	assert_null(strstr(f->call->sdp_out, "crypto"));
	assert_null(strstr(f->call->sdp_out, KEY_A));
	ans = plain_sdp("10.0.0.2", 5000, NULL);
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	req = last_request();
	assert_null(req->update_session->streams[0]->srtp); /* B stays plain */
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	/* The answer to A: RTP/SAVP with its tag and our key, the one the node encrypts with. */
	assert_non_null(strstr(f->call->sdp_out, "m=audio 30000 RTP/SAVP 0"));
	assert_true(crypto_in(f->call->sdp_out, 0, &ours));
	assert_false(crypto_in(f->call->sdp_out, 1, &theirs));
	assert_int_equal(ours.tag, 3);
	assert_int_equal(ours.suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_null(strstr(f->call->sdp_out, KEY_A));
}

/* A re-INVITE repeating A's key leaves the node's contexts alone; a new key re-keys the leg:
 * the node gets A's new key and a new one of ours, which A's answer carries. */
static void test_srtp_rekey_on_reinvite(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope *req;
	struct sdes_crypto first, second;
	const char *ans = plain_sdp("10.0.0.2", 5000, NULL);

	create_a(f, savp_offer(KEY_A, 1, NULL));
	node_replies();
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	node_replies();
	assert_true(crypto_in(f->call->sdp_out, 0, &first));
	/* the same key, a new version (a hold, a refresh) */
	assert_int_equal(call_media_offer(f->b.cm, f->call, SIDE_A, savp_offer(KEY_A, 2, NULL),
	                                  strlen(savp_offer(KEY_A, 2, NULL)), noop),
	                 0);
	req = last_request();
	assert_null(req->update_session->streams[0]->srtp);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	node_replies();
	assert_true(crypto_in(f->call->sdp_out, 0, &second));
	assert_true(sdes_equal(&first, &second)); /* our key kept */
	/* a new key */
	assert_int_equal(call_media_offer(f->b.cm, f->call, SIDE_A, savp_offer(KEY_A2, 3, NULL),
	                                  strlen(savp_offer(KEY_A2, 3, NULL)), noop),
	                 0);
	req = last_request();
	assert_non_null(req->update_session->streams[0]->srtp);
	assert_true(crypto_in(savp_offer(KEY_A2, 3, NULL), 0, &second));
	assert_true(key_is(&req->update_session->streams[0]->srtp->rx_key, &second));
	assert_false(key_is(&req->update_session->streams[0]->srtp->tx_key, &first));
	node_replies();
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	node_replies();
	assert_true(crypto_in(f->call->sdp_out, 0, &second));
	assert_false(sdes_equal(&first, &second));
	assert_true(key_is(&req->update_session->streams[0]->srtp->tx_key, &second));
	tandem__media__v1__envelope__free_unpacked(req, NULL);
}

/* mandatory on A: a plain offer is refused (488 in the b2bua) with the reason. An RTP/SAVP
 * offer whose only a=crypto has an MKI is refused too, whatever the policy. */
static void test_srtp_mandatory_refuses_plain(void **state)
{
	struct fixture *f = *state;

	f->call->srtp_policy[SIDE_A] = SRTP_POLICY_MANDATORY;
	call_keep_text(f->call, &f->call->a.sdp, plain_sdp("10.0.0.1", 4000, NULL), -1);
	assert_int_equal(call_media_create(f->b.cm, f->call, noop), -EPROTO);
	assert_non_null(strstr(f->call->media_error, "SRTP is mandatory"));
	assert_null(node.cb); /* nothing asked of the node */
	f->call->srtp_policy[SIDE_A] = SRTP_POLICY_OFF;
	call_keep_text(f->call, &f->call->a.sdp,
	               "v=0\r\no=- 7 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
	               "m=audio 4000 RTP/SAVP 0\r\n"
	               "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|2^20|1:4\r\n",
	               -1);
	assert_int_equal(call_media_create(f->b.cm, f->call, noop), -EPROTO);
	assert_non_null(strstr(f->call->media_error, "RTP/SAVP without a usable a=crypto"));
	assert_non_null(strstr(f->call->media_error, "key lifetime"));
	assert_null(strstr(f->call->media_error, KEY_A));
	assert_int_equal(sdp_negotiate_sip_status(-EPROTO), 488);
}

/* optional on B: B is offered RTP/AVP with a fresh key per suite; the crypto it answers picks
 * our key for it; an answer without a=crypto falls back to plain. mandatory on B: RTP/SAVP,
 * and an answer without a=crypto is a protocol error. */
static void test_srtp_callee_policies(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope *req;
	struct sdes_crypto offered[4], answered;
	char ans[1024];

	f->call->srtp_policy[SIDE_B] = SRTP_POLICY_OPTIONAL;
	create_a(f, plain_sdp("10.0.0.1", 4000, NULL));
	req = last_request();
	assert_null(req->create_session->leg_a->streams[0]->srtp);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	assert_non_null(strstr(f->call->sdp_out, "m=audio 31000 RTP/AVP 0"));
	for (unsigned i = 0; i < 4; i++) {
		assert_true(crypto_in(f->call->sdp_out, i, &offered[i]));
		assert_int_equal(offered[i].tag, i + 1);
	}
	assert_int_equal(offered[0].suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(offered[3].suite, SDES_AEAD_AES_256_GCM);
	assert_false(sdes_equal(&offered[0], &offered[1]));
	/* B takes the GCM one (tag 3) */
	snprintf(
	    ans, sizeof(ans), "%s",
	    plain_sdp(
	        "10.0.0.2", 5000,
	        "a=crypto:3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\r\n"));
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	req = last_request();
	assert_non_null(req->update_session->streams[0]->srtp);
	assert_int_equal(req->update_session->streams[0]->srtp->suite, SDES_AEAD_AES_128_GCM);
	assert_true(crypto_in(ans, 0, &answered));
	assert_true(key_is(&req->update_session->streams[0]->srtp->rx_key, &answered));
	assert_true(key_is(&req->update_session->streams[0]->srtp->tx_key, &offered[2]));
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	assert_null(strstr(f->call->sdp_out, "crypto")); /* A stays plain */
	/* a tag we never offered */
	snprintf(
	    ans, sizeof(ans), "%s",
	    plain_sdp("10.0.0.2", 5000, "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n"));
	assert_int_equal(call_media_offer(f->b.cm, f->call, SIDE_A,
	                                  plain_sdp("10.0.0.1", 4000, NULL),
	                                  strlen(plain_sdp("10.0.0.1", 4000, NULL)), noop),
	                 0);
	node_replies();
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop),
	                 -EPROTO);
	assert_non_null(strstr(f->call->media_error, "tag 9"));
	/* mandatory: RTP/SAVP offered; a plain answer is refused */
	f->call->srtp_policy[SIDE_B] = SRTP_POLICY_MANDATORY;
	assert_int_equal(call_media_offer(f->b.cm, f->call, SIDE_A,
	                                  plain_sdp("10.0.0.1", 4000, NULL),
	                                  strlen(plain_sdp("10.0.0.1", 4000, NULL)), noop),
	                 0);
	node_replies();
	assert_non_null(strstr(f->call->sdp_out, "RTP/SAVP"));
	/* re-offered with the key in use, alone */
	assert_true(crypto_in(f->call->sdp_out, 0, &answered));
	assert_true(sdes_equal(&answered, &offered[2]));
	assert_false(crypto_in(f->call->sdp_out, 1, &answered));
	snprintf(ans, sizeof(ans), "%s", plain_sdp("10.0.0.2", 5000, "SAVP"));
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop),
	                 -EPROTO);
	assert_non_null(strstr(f->call->media_error, "answer without a=crypto"));
}

/* A call taken back after a restart knows its legs' keys again from the SDP each leg sent and
 * was sent, so that moving it to another node gives the new session the same keys. */
static void test_srtp_restored_then_moved(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope *req;
	RpcStreamSpec *a;
	struct sdes_crypto theirs, ours;
	const char *ans = plain_sdp("10.0.0.2", 5000, NULL);

	create_a(f, savp_offer(KEY_A, 1, NULL));
	node_replies();
	call_keep_text(f->call, &f->call->b[0].sdp_sent, f->call->sdp_out, -1);
	call_keep_text(f->call, &f->call->b[0].sdp, ans, -1);
	assert_int_equal(call_media_answer(f->b.cm, f->call, SIDE_B, ans, strlen(ans), noop), 0);
	node_replies();
	call_keep_text(f->call, &f->call->a.sdp_sent, f->call->sdp_out, -1);
	assert_true(crypto_in(f->call->a.sdp_sent, 0, &ours));
	assert_true(crypto_in(f->call->a.sdp, 0, &theirs));
	f->call->session_id = su_strdup(f->call->home, "sess-1");
	f->call->node = the_node;
	call_media_forget(f->b.cm, f->call);
	f->call->restored = true;
	assert_int_equal(call_media_restore(f->b.cm, f->call), 0);
	assert_int_equal(call_media_move(f->b.cm, f->call, the_node, noop), 0);
	req = last_request();
	assert_int_equal(req->body_case, RPC_BODY(CREATE_SESSION));
	a = req->create_session->leg_a->streams[0];
	assert_non_null(a->srtp);
	assert_int_equal(a->srtp->suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_true(key_is(&a->srtp->rx_key, &theirs));
	assert_true(key_is(&a->srtp->tx_key, &ours));
	assert_null(req->create_session->leg_b->streams[0]->srtp);
	tandem__media__v1__envelope__free_unpacked(req, NULL);
	node_replies();
	/* the SDP printed for the move keeps A's key */
	assert_non_null(f->call->move_sdp[SIDE_A]);
	assert_true(crypto_in(f->call->move_sdp[SIDE_A], 0, &theirs));
	assert_true(sdes_equal(&theirs, &ours));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_restored_call_relays_offers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restore_needs_both_sdps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_one_add_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory_flat_across_reinvites, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hold_observed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_over_limit_offer_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_caller_plain_callee, setup_bare, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_rekey_on_reinvite, setup_bare, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_mandatory_refuses_plain, setup_bare,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_callee_policies, setup_bare, teardown),
	    cmocka_unit_test_setup_teardown(test_codec_and_events_in_specs, setup_bare, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_restored_then_moved, setup_bare, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
