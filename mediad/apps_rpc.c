/* Media application requests and events (apps_rpc.h), and the helpers rec_rpc.c shares
 * (apps_rpc_internal.h). */
#include "apps_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps_rpc_internal.h"
#include "log.h"
#include "prompt_load.h"
#include "rec_rpc.h"
#include "rfc4733.h"
#include "session_rpc.h"

#define DTMF_DEFAULT_MS 100
#define DTMF_MIN_MS     40
#define DTMF_MAX_MS     5000

const char *apps_rpc_leg_name(unsigned leg)
{
	return leg ? "B" : "A";
}

/* A reply of type body carrying code and text (and Play's duration). */
void apps_rpc_reply_rec(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                        const char *text, uint64_t duration_ms, PB(RecordingInfo) * rec)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	PB(SetEchoReply) er = TANDEM__MEDIA__V1__SET_ECHO_REPLY__INIT;
	PB(PlayReply) pr = TANDEM__MEDIA__V1__PLAY_REPLY__INIT;
	PB(StopPlayReply) sr = TANDEM__MEDIA__V1__STOP_PLAY_REPLY__INIT;
	PB(SendDtmfReply) dr = TANDEM__MEDIA__V1__SEND_DTMF_REPLY__INIT;
	PB(StartRecordingReply) ar = TANDEM__MEDIA__V1__START_RECORDING_REPLY__INIT;
	PB(StopRecordingReply) or = TANDEM__MEDIA__V1__STOP_RECORDING_REPLY__INIT;

	st.code = code;
	st.message = (char *)(text ? text : "");
	env.body_case = body;
	if (body == RPC_BODY(SET_ECHO_REPLY)) {
		er.status = &st;
		env.set_echo_reply = &er;
	} else if (body == RPC_BODY(PLAY_REPLY)) {
		pr.status = &st;
		pr.duration_ms = duration_ms;
		env.play_reply = &pr;
	} else if (body == RPC_BODY(STOP_PLAY_REPLY)) {
		sr.status = &st;
		env.stop_play_reply = &sr;
	} else if (body == RPC_BODY(START_RECORDING_REPLY)) {
		ar.status = &st;
		ar.recording = rec;
		env.start_recording_reply = &ar;
	} else if (body == RPC_BODY(STOP_RECORDING_REPLY)) {
		or.status = &st;
		or.recording = rec;
		env.stop_recording_reply = & or ;
	} else {
		dr.status = &st;
		env.send_dtmf_reply = &dr;
	}
	if (code)
		log_warn("rpc", "request %llu refused: %s (%s)",
		         (unsigned long long)peer->request_id, rpc_status_name(code), text);
	rpc_server_reply(md->rpc, peer, &env);
}

void apps_rpc_reply(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                    const char *text, uint64_t duration_ms)
{
	apps_rpc_reply_rec(md, peer, body, code, text, duration_ms, NULL);
}

/* The session a request names, or NULL with the refusal sent. */
struct session *apps_rpc_find(struct mediad *md, const struct rpc_peer *peer, int body,
                              const RpcSessionRef *ref)
{
	struct session *s = NULL;
	char text[192];

	if (ref && ref->session_id && ref->session_id[0])
		s = session_table_by_id(md->sessions, ref->session_id);
	else if (ref && ref->call_id && ref->call_id[0])
		s = session_table_by_call(md->sessions, ref->call_id);
	else {
		apps_rpc_reply(md, peer, body, RPC_BAD_REQUEST,
		               "session: a session_id or a call_id is required", 0);
		return NULL;
	}
	if (!s) {
		snprintf(text, sizeof(text), "no session %.80s on this node",
		         ref->session_id && ref->session_id[0] ? ref->session_id : ref->call_id);
		apps_rpc_reply(md, peer, body, RPC_NOT_FOUND, text, 0);
	} else if (!session_rpc_may_touch(peer, s)) {
		snprintf(text, sizeof(text), "session %.80s belongs to another client", s->id);
		apps_rpc_reply(md, peer, body, RPC_FORBIDDEN, text, 0);
		s = NULL;
	}
	return s;
}

/* An audio stream of s and one of its legs. */
int apps_rpc_check_target(const struct session *s, uint32_t stream, int leg, char *text, size_t len)
{
	if (leg != 0 && leg != 1) {
		snprintf(text, len, "leg: %d is not a leg", leg);
		return RPC_BAD_REQUEST;
	}
	if (stream >= s->n_streams || s->streams[stream].removed) {
		snprintf(text, len, "stream: no stream %u in this session", stream);
		return RPC_BAD_REQUEST;
	}
	if (s->streams[stream].kind != KIND_AUDIO) {
		snprintf(text, len, "stream %u is not audio", stream);
		return RPC_BAD_REQUEST;
	}
	return RPC_OK;
}

/* Posts a WMSG_APP; the reply goes when the worker answers. */
struct app_pending *apps_rpc_post(struct mediad *md, const struct rpc_peer *peer, struct session *s,
                                  int body, struct wapp *app, uint64_t duration_ms)
{
	struct app_pending *p = calloc(1, sizeof(*p));
	struct wmsg *m = p ? calloc(1, sizeof(*m)) : NULL;

	if (!m) {
		free(p);
		free(app->prompt);
		apps_rpc_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
		return NULL;
	}
	p->peer = *peer;
	p->s = s;
	p->body = body;
	p->duration_ms = duration_ms;
	m->op = WMSG_APP;
	m->key = s->key;
	m->ctx = p;
	m->app = *app;
	control_post(md, s, m);
	return p;
}

void apps_rpc_echo(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(SetEchoRequest) *r = req->set_echo;
	struct session *s = apps_rpc_find(md, peer, RPC_BODY(SET_ECHO_REPLY), r->session);
	struct wapp app = {
	    .op = WAPP_ECHO, .stream = r->stream, .leg = (uint8_t)r->leg, .on = r->on};
	char text[160];
	int code;

	if (!s)
		return;
	code = apps_rpc_check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (code) {
		apps_rpc_reply(md, peer, RPC_BODY(SET_ECHO_REPLY), code, text, 0);
		return;
	}
	log_set_context(s->call_id);
	log_info("apps", "%s: echo %s on leg %s, stream %u", s->id, r->on ? "on" : "off",
	         apps_rpc_leg_name(r->leg), r->stream);
	log_set_context(NULL);
	apps_rpc_post(md, peer, s, RPC_BODY(SET_ECHO_REPLY), &app, 0);
}

void apps_rpc_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(PlayRequest) *r = req->play;
	struct session *s = apps_rpc_find(md, peer, RPC_BODY(PLAY_REPLY), r->session);
	struct wapp app = {.op = WAPP_PLAY, .stream = r->stream, .leg = (uint8_t)r->leg};
	const struct session_stream *ss;
	char text[320];
	uint32_t duration_ms = 0;
	int code, rc;

	if (!s)
		return;
	code = apps_rpc_check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (code) {
		apps_rpc_reply(md, peer, RPC_BODY(PLAY_REPLY), code, text, 0);
		return;
	}
	ss = &s->streams[r->stream];
	if (ss->law[r->leg] == G711_NONE) {
		snprintf(text, sizeof(text),
		         "leg %s speaks %s: prompts are encoded to PCMU or PCMA only",
		         apps_rpc_leg_name(r->leg),
		         ss->codec[r->leg][0] ? ss->codec[r->leg] : "an unknown codec");
		apps_rpc_reply(md, peer, RPC_BODY(PLAY_REPLY), RPC_BAD_REQUEST, text, 0);
		return;
	}
	rc = prompt_load(md->cfg->prompts_dir, r->file, (enum g711_law)ss->law[r->leg],
	                 ss->codec_pt[r->leg], &app.prompt, &duration_ms, text, sizeof(text));
	if (rc) {
		apps_rpc_reply(md, peer, RPC_BODY(PLAY_REPLY),
		               rc == -ENOMEM ? RPC_INTERNAL : RPC_BAD_REQUEST, text, 0);
		return;
	}
	app.prompt->play_id = r->play_id;
	app.prompt->loops = r->loops ? r->loops : 1;
	log_set_context(s->call_id);
	log_info("apps", "%s: playing %s (%u ms, %u times) to leg %s, stream %u, play id %llu",
	         s->id, r->file, duration_ms, app.prompt->loops, apps_rpc_leg_name(r->leg),
	         r->stream, (unsigned long long)r->play_id);
	log_set_context(NULL);
	apps_rpc_post(md, peer, s, RPC_BODY(PLAY_REPLY), &app, duration_ms);
}

void apps_rpc_stop_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(StopPlayRequest) *r = req->stop_play;
	struct session *s = apps_rpc_find(md, peer, RPC_BODY(STOP_PLAY_REPLY), r->session);
	struct wapp app = {.op = WAPP_STOP_PLAY, .leg = (uint8_t)r->leg};
	char text[160];
	int code;

	if (!s)
		return;
	/* A prompt plays on one stream of the leg; the request names the leg only. */
	for (uint32_t i = 0; i < s->n_streams; i++) {
		if (!s->streams[i].removed && s->streams[i].kind == KIND_AUDIO) {
			app.stream = i;
			break;
		}
	}
	code = apps_rpc_check_target(s, app.stream, (int)r->leg, text, sizeof(text));
	if (code) {
		apps_rpc_reply(md, peer, RPC_BODY(STOP_PLAY_REPLY), code, text, 0);
		return;
	}
	apps_rpc_post(md, peer, s, RPC_BODY(STOP_PLAY_REPLY), &app, 0);
}

void apps_rpc_send_dtmf(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(SendDtmfRequest) *r = req->send_dtmf;
	struct session *s = apps_rpc_find(md, peer, RPC_BODY(SEND_DTMF_REPLY), r->session);
	struct wapp app = {.op = WAPP_SEND_DTMF, .stream = r->stream, .leg = (uint8_t)r->leg};
	size_t n = r->digits ? strlen(r->digits) : 0;
	char text[160];
	int code;

	if (!s)
		return;
	code = apps_rpc_check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (!code && !s->streams[r->stream].te_pt[r->leg]) {
		snprintf(text, sizeof(text), "leg %s did not negotiate telephone-event",
		         apps_rpc_leg_name(r->leg));
		code = RPC_BAD_REQUEST;
	}
	if (!code && (n == 0 || n >= sizeof(app.digits))) {
		snprintf(text, sizeof(text), "digits: 1 to %zu of 0-9 * # A-D",
		         sizeof(app.digits) - 1);
		code = RPC_BAD_REQUEST;
	}
	for (size_t i = 0; !code && i < n; i++) {
		if (rfc4733_event_of(r->digits[i]) < 0) {
			snprintf(text, sizeof(text), "digits: '%c' is not a DTMF digit",
			         r->digits[i] > 0x20 && r->digits[i] < 0x7f ? r->digits[i] : '?');
			code = RPC_BAD_REQUEST;
		}
	}
	if (code) {
		apps_rpc_reply(md, peer, RPC_BODY(SEND_DTMF_REPLY), code, text, 0);
		return;
	}
	memcpy(app.digits, r->digits, n + 1);
	app.duration_ms = r->duration_ms ? r->duration_ms : DTMF_DEFAULT_MS;
	if (app.duration_ms < DTMF_MIN_MS)
		app.duration_ms = DTMF_MIN_MS;
	if (app.duration_ms > DTMF_MAX_MS)
		app.duration_ms = DTMF_MAX_MS;
	log_set_context(s->call_id);
	log_info("apps", "%s: sending %zu digits to leg %s, stream %u, %u ms each", s->id, n,
	         apps_rpc_leg_name(r->leg), r->stream, app.duration_ms);
	log_set_context(NULL);
	apps_rpc_post(md, peer, s, RPC_BODY(SEND_DTMF_REPLY), &app, 0);
}

void apps_rpc_answer(struct mediad *md, struct wmsg *m)
{
	struct app_pending *p = m->ctx;
	struct session *s = p->s;
	const char *text = NULL;
	int code = RPC_OK;

	s->inflight--;
	if (m->app.op == WAPP_REC_START) {
		rec_rpc_started(md, p, m);
		return;
	}
	if (p->later) {
		control_release_session(md, s);
		free(p);
		wmsg_free(m);
		return;
	}
	if (m->result == -ENOENT || m->result == -ECANCELED) {
		code = RPC_NOT_FOUND;
		text = "session or stream closed meanwhile";
	} else if (m->result == -ESRCH) {
		text = "nothing was playing";
	} else if (m->result) {
		code = RPC_INTERNAL;
		text = "out of memory";
	}
	apps_rpc_reply(md, &p->peer, p->body, code, text, p->duration_ms);
	control_release_session(md, s);
	free(p);
	wmsg_free(m);
}

void apps_rpc_event(struct mediad *md, struct wmsg *m)
{
	struct session *s = control_session_by_key(md, m->key);
	RpcEvent ev = TANDEM__MEDIA__V1__EVENT__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	PB(DtmfEvent) de = TANDEM__MEDIA__V1__DTMF_EVENT__INIT;
	PB(PlaybackDone) pd = TANDEM__MEDIA__V1__PLAYBACK_DONE__INIT;
	char digit[2] = {m->ev.digit, 0}, name[64];
	int rc;

	if (!s || !control_event_deliverable(md, s)) {
		wmsg_free(m);
		return;
	}
	ref.session_id = s->id;
	ref.call_id = s->call_id;
	ev.session = &ref;
	if (m->ev.kind == RELAY_EV_DTMF) {
		de.leg = m->ev.leg;
		de.digit = digit;
		de.duration_ms = m->ev.duration_ms;
		de.stream = m->ev.stream;
		ev.kind_case = TANDEM__MEDIA__V1__EVENT__KIND_DTMF;
		ev.dtmf = &de;
	} else {
		pd.leg = m->ev.leg;
		pd.play_id = m->ev.play_id;
		pd.played_ms = m->ev.played_ms;
		pd.reason = (char *)(m->ev.reason ? m->ev.reason : "");
		ev.kind_case = TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE;
		ev.playback_done = &pd;
	}
	rc = rpc_server_event(md->rpc, s->owner->rid, s->owner->rid_len, &ev);
	owner_name(s->owner, name, sizeof(name));
	log_set_context(s->call_id);
	if (m->ev.kind == RELAY_EV_DTMF)
		log_info("apps", "%s: digit %s (%u ms) from leg %s, stream %u: %s %s", s->id, digit,
		         m->ev.duration_ms, apps_rpc_leg_name(m->ev.leg), m->ev.stream,
		         rc ? "not delivered to" : "sent to", name);
	else
		log_info("apps", "%s: prompt %llu on leg %s ended (%s, %llu ms played): %s %s",
		         s->id, (unsigned long long)m->ev.play_id, apps_rpc_leg_name(m->ev.leg),
		         m->ev.reason ? m->ev.reason : "", (unsigned long long)m->ev.played_ms,
		         rc ? "not delivered to" : "sent to", name);
	log_set_context(NULL);
	wmsg_free(m);
}
