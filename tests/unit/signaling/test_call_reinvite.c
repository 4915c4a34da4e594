/* Mid-call offers through b2bua_reinvite.c and call_media.c, with the SIP stack and the media node
 * replaced by fakes that record what is sent: a re-INVITE that moves one stream and adds another
 * asks the node for exactly that (each stream its own address), re-INVITEs do not make the
 * call's memory grow, and an offer over the SDP limits is refused without disturbing the call. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_restored_call_relays_offers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restore_needs_both_sdps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_move_one_add_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_memory_flat_across_reinvites, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_over_limit_offer_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
