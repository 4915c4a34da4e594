/* Media application requests and events (apps_rpc.h). */
#include "apps_rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_path.h"
#include "log.h"
#include "pb_arena.h"
#include "prompt_load.h"
#include "rec_writer.h"
#include "rfc4733.h"
#include "session_info.h"
#include "session_rpc.h"
#include "wav.h"

#define PB(x) Tandem__Media__V1__##x

#define DTMF_DEFAULT_MS 100
#define DTMF_MIN_MS     40
#define DTMF_MAX_MS     5000

struct app_pending {
	struct rpc_peer peer;
	struct session *s; /* kept alive by s->inflight */
	int body;          /* the reply's */
	uint64_t duration_ms;
	bool later; /* the reply is sent by someone else (StopRecording: on completion) */
};

static const char *leg_name(unsigned leg)
{
	return leg ? "B" : "A";
}

/* A reply of type body carrying code and text (and Play's duration). */
static void app_reply_rec(struct mediad *md, const struct rpc_peer *peer, int body, int code,
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

static void app_reply(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                      const char *text, uint64_t duration_ms)
{
	app_reply_rec(md, peer, body, code, text, duration_ms, NULL);
}

/* The session a request names, or NULL with the refusal sent. */
static struct session *find(struct mediad *md, const struct rpc_peer *peer, int body,
                            const RpcSessionRef *ref)
{
	struct session *s = NULL;
	char text[192];

	if (ref && ref->session_id && ref->session_id[0])
		s = session_table_by_id(md->sessions, ref->session_id);
	else if (ref && ref->call_id && ref->call_id[0])
		s = session_table_by_call(md->sessions, ref->call_id);
	else {
		app_reply(md, peer, body, RPC_BAD_REQUEST,
		          "session: a session_id or a call_id is required", 0);
		return NULL;
	}
	if (!s) {
		snprintf(text, sizeof(text), "no session %.80s on this node",
		         ref->session_id && ref->session_id[0] ? ref->session_id : ref->call_id);
		app_reply(md, peer, body, RPC_NOT_FOUND, text, 0);
	} else if (!session_rpc_may_touch(peer, s)) {
		snprintf(text, sizeof(text), "session %.80s belongs to another client", s->id);
		app_reply(md, peer, body, RPC_FORBIDDEN, text, 0);
		s = NULL;
	}
	return s;
}

/* An audio stream of s and one of its legs. */
static int check_target(const struct session *s, uint32_t stream, int leg, char *text, size_t len)
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
static struct app_pending *post(struct mediad *md, const struct rpc_peer *peer, struct session *s,
                                int body, struct wapp *app, uint64_t duration_ms)
{
	struct app_pending *p = calloc(1, sizeof(*p));
	struct wmsg *m = p ? calloc(1, sizeof(*m)) : NULL;

	if (!m) {
		free(p);
		free(app->prompt);
		app_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
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
	struct session *s = find(md, peer, RPC_BODY(SET_ECHO_REPLY), r->session);
	struct wapp app = {
	    .op = WAPP_ECHO, .stream = r->stream, .leg = (uint8_t)r->leg, .on = r->on};
	char text[160];
	int code;

	if (!s)
		return;
	code = check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (code) {
		app_reply(md, peer, RPC_BODY(SET_ECHO_REPLY), code, text, 0);
		return;
	}
	log_set_context(s->call_id);
	log_info("apps", "%s: echo %s on leg %s, stream %u", s->id, r->on ? "on" : "off",
	         leg_name(r->leg), r->stream);
	log_set_context(NULL);
	post(md, peer, s, RPC_BODY(SET_ECHO_REPLY), &app, 0);
}

void apps_rpc_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(PlayRequest) *r = req->play;
	struct session *s = find(md, peer, RPC_BODY(PLAY_REPLY), r->session);
	struct wapp app = {.op = WAPP_PLAY, .stream = r->stream, .leg = (uint8_t)r->leg};
	const struct session_stream *ss;
	char text[320];
	uint32_t duration_ms = 0;
	int code, rc;

	if (!s)
		return;
	code = check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (code) {
		app_reply(md, peer, RPC_BODY(PLAY_REPLY), code, text, 0);
		return;
	}
	ss = &s->streams[r->stream];
	if (ss->law[r->leg] == G711_NONE) {
		snprintf(text, sizeof(text),
		         "leg %s speaks %s: prompts are encoded to PCMU or PCMA only",
		         leg_name(r->leg),
		         ss->codec[r->leg][0] ? ss->codec[r->leg] : "an unknown codec");
		app_reply(md, peer, RPC_BODY(PLAY_REPLY), RPC_BAD_REQUEST, text, 0);
		return;
	}
	rc = prompt_load(md->cfg->prompts_dir, r->file, (enum g711_law)ss->law[r->leg],
	                 ss->codec_pt[r->leg], &app.prompt, &duration_ms, text, sizeof(text));
	if (rc) {
		app_reply(md, peer, RPC_BODY(PLAY_REPLY),
		          rc == -ENOMEM ? RPC_INTERNAL : RPC_BAD_REQUEST, text, 0);
		return;
	}
	app.prompt->play_id = r->play_id;
	app.prompt->loops = r->loops ? r->loops : 1;
	log_set_context(s->call_id);
	log_info("apps", "%s: playing %s (%u ms, %u times) to leg %s, stream %u, play id %llu",
	         s->id, r->file, duration_ms, app.prompt->loops, leg_name(r->leg), r->stream,
	         (unsigned long long)r->play_id);
	log_set_context(NULL);
	post(md, peer, s, RPC_BODY(PLAY_REPLY), &app, duration_ms);
}

void apps_rpc_stop_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(StopPlayRequest) *r = req->stop_play;
	struct session *s = find(md, peer, RPC_BODY(STOP_PLAY_REPLY), r->session);
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
	code = check_target(s, app.stream, (int)r->leg, text, sizeof(text));
	if (code) {
		app_reply(md, peer, RPC_BODY(STOP_PLAY_REPLY), code, text, 0);
		return;
	}
	post(md, peer, s, RPC_BODY(STOP_PLAY_REPLY), &app, 0);
}

void apps_rpc_send_dtmf(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(SendDtmfRequest) *r = req->send_dtmf;
	struct session *s = find(md, peer, RPC_BODY(SEND_DTMF_REPLY), r->session);
	struct wapp app = {.op = WAPP_SEND_DTMF, .stream = r->stream, .leg = (uint8_t)r->leg};
	size_t n = r->digits ? strlen(r->digits) : 0;
	char text[160];
	int code;

	if (!s)
		return;
	code = check_target(s, r->stream, (int)r->leg, text, sizeof(text));
	if (!code && !s->streams[r->stream].te_pt[r->leg]) {
		snprintf(text, sizeof(text), "leg %s did not negotiate telephone-event",
		         leg_name(r->leg));
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
		app_reply(md, peer, RPC_BODY(SEND_DTMF_REPLY), code, text, 0);
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
	         leg_name(r->leg), r->stream, app.duration_ms);
	log_set_context(NULL);
	post(md, peer, s, RPC_BODY(SEND_DTMF_REPLY), &app, 0);
}

/* --- recordings -------------------------------------------------------------------------- */

static const char *law_note(const struct session_stream *ss, int leg, char *buf, size_t len,
                            size_t at)
{
	if (ss->law[leg] != G711_NONE)
		return buf;
	snprintf(buf + at, len - at, "%sleg %s codec %s: silence", at ? "; " : "", leg_name(leg),
	         ss->codec[leg][0] ? ss->codec[leg] : "unknown");
	return buf;
}

void apps_rpc_start_recording(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(StartRecordingRequest) *r = req->start_recording;
	int body = RPC_BODY(START_RECORDING_REPLY);
	struct session *s = find(md, peer, body, r->session);
	struct wapp app = {.op = WAPP_REC_START, .stream = r->stream};
	const struct session_stream *ss;
	uint8_t hdr[WAV_HEADER_LEN];
	char text[1200], path[1024];
	struct recording *rec;
	int code, fd;

	if (!s)
		return;
	code = check_target(s, r->stream, 0, text, sizeof(text));
	if (!code && !md->recorder) {
		snprintf(text, sizeof(text), "recording is not available on this node");
		code = RPC_INTERNAL;
	}
	if (!code && s->rec) {
		snprintf(text, sizeof(text), "the session is being recorded already (%.900s)",
		         s->rec->path);
		code = RPC_BAD_REQUEST;
	}
	if (!code && md->n_recordings >= (unsigned long)md->cfg->max_recordings) {
		snprintf(text, sizeof(text),
		         "%u recordings at once, the most [apps] max_recordings allows",
		         md->n_recordings);
		code = RPC_OVERLOADED;
	}
	if (!code && !app_path_ok(r->path, text, sizeof(text)))
		code = RPC_BAD_REQUEST;
	if (code) {
		app_reply(md, peer, body, code, text, 0);
		return;
	}
	/* Opening and the first header are the control thread's only disk writes; the
	 * samples go through the writer thread. */
	fd = app_path_open(md->cfg->recordings_dir, r->path, O_CREAT | O_WRONLY | O_TRUNC, 0640);
	wav_header(hdr, REC_RATE, 2, 0);
	if (fd >= 0 && pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		close(fd);
		fd = -errno;
	}
	if (fd < 0) {
		snprintf(text, sizeof(text), "%.200s: %s", r->path,
		         fd == -EXDEV ? "outside the recordings folder" : strerror(-fd));
		app_reply(md, peer, body, fd == -EXDEV ? RPC_BAD_REQUEST : RPC_INTERNAL, text, 0);
		return;
	}
	snprintf(path, sizeof(path), "%.500s/%.500s", md->cfg->recordings_dir, r->path);
	rec = recording_new(fd, path);
	if (!rec) {
		close(fd);
		app_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
		return;
	}
	ss = &s->streams[r->stream];
	for (int i = 0; i < 2; i++) {
		rec->law[i] = ss->law[i];
		rec->pt[i] = ss->codec_pt[i];
		rec->te_pt[i] = ss->te_pt[i];
		law_note(ss, i, rec->note, sizeof(rec->note), strlen(rec->note));
	}
	rec->stream = r->stream;
	rec->ring = rec_writer_ring(md->recorder, s->worker);
	rec->ctl = s;
	app.rec = rec;
	/* The recording holds the session until the writer hands it back. */
	s->rec = rec;
	s->inflight++;
	md->n_recordings++;
	free(s->rec_final);
	s->rec_final = NULL;
	log_set_context(s->call_id);
	log_info("apps", "%s: recording stream %u to %s%s%s", s->id, r->stream, path,
	         rec->note[0] ? ": " : "", rec->note);
	log_set_context(NULL);
	if (!post(md, peer, s, body, &app, 0)) {
		s->rec = NULL;
		s->inflight--;
		md->n_recordings--;
		unlink(path);
		recording_free(rec);
	}
}

/* A REC_START answered: the recording runs (reply with its info), or it never reached the
 * writer and is undone. */
static void rec_started(struct mediad *md, struct app_pending *p, struct wmsg *m)
{
	struct session *s = p->s;
	struct recording *rec = m->app.rec;
	struct pb_arena a = {0};

	if (!m->result) {
		app_reply_rec(md, &p->peer, p->body, RPC_OK, NULL, 0,
		              session_info_recording(&a, s));
	} else {
		log_set_context(s->call_id);
		log_warn("apps", "%s: recording %s did not start: %s", s->id, rec->path,
		         strerror(-m->result));
		log_set_context(NULL);
		unlink(rec->path);
		recording_free(rec);
		m->app.rec = NULL;
		s->rec = NULL;
		s->inflight--;
		md->n_recordings--;
		app_reply(md, &p->peer, p->body,
		          m->result == -ENOENT ? RPC_NOT_FOUND : RPC_INTERNAL,
		          m->result == -ENOENT ? "session or stream closed meanwhile"
		                               : "the recording could not start",
		          0);
	}
	pb_arena_free(&a);
	control_release_session(md, s);
	free(p);
	wmsg_free(m);
}

void apps_rpc_stop_recording(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	int body = RPC_BODY(STOP_RECORDING_REPLY);
	struct session *s = find(md, peer, body, req->stop_recording->session);
	struct wapp app = {.op = WAPP_REC_STOP};
	struct app_pending *p;

	if (!s)
		return;
	if (!s->rec || s->rec_stop) {
		app_reply(md, peer, body, RPC_BAD_REQUEST,
		          s->rec ? "the recording is stopping already"
		                 : "the session is not being recorded",
		          0);
		return;
	}
	s->rec_stop = malloc(sizeof(struct rpc_peer));
	if (!s->rec_stop) {
		app_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
		return;
	}
	*(struct rpc_peer *)s->rec_stop = *peer;
	app.stream = s->rec->stream;
	p = post(md, peer, s, body, &app, 0);
	if (p)
		p->later = true; /* the reply goes once the file is complete */
	else {
		free(s->rec_stop);
		s->rec_stop = NULL;
	}
}

static void final_of(struct session *s, const struct recording *rec)
{
	struct rec_final *f = s->rec_final ? s->rec_final : calloc(1, sizeof(*f));
	uint64_t drops = atomic_load_explicit(&rec->drops, memory_order_relaxed);
	size_t n;

	if (!f)
		return;
	snprintf(f->path, sizeof(f->path), "%s", rec->path);
	f->duration_ms = rec->duration_ms;
	f->bytes = rec->bytes;
	n = (size_t)snprintf(f->note, sizeof(f->note), "%s", rec->note);
	if (rec->wnote[0] && n < sizeof(f->note))
		n += (size_t)snprintf(f->note + n, sizeof(f->note) - n, "%s%s", n ? "; " : "",
		                      rec->wnote);
	if (drops && n < sizeof(f->note))
		n += (size_t)snprintf(f->note + n, sizeof(f->note) - n,
		                      "%s%llu packets dropped (writer behind)", n ? "; " : "",
		                      (unsigned long long)drops);
	if (rec->error[0] && n < sizeof(f->note))
		snprintf(f->note + n, sizeof(f->note) - n, "%s%s", n ? "; " : "", rec->error);
	s->rec_final = f;
}

static void recording_done_event(struct mediad *md, struct session *s, PB(RecordingInfo) * info,
                                 const char *reason)
{
	RpcEvent ev = TANDEM__MEDIA__V1__EVENT__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	PB(RecordingDone) rd = TANDEM__MEDIA__V1__RECORDING_DONE__INIT;

	if (!control_event_deliverable(md, s))
		return;
	ref.session_id = s->id;
	ref.call_id = s->call_id;
	ev.session = &ref;
	rd.recording = info;
	rd.reason = (char *)reason;
	ev.kind_case = TANDEM__MEDIA__V1__EVENT__KIND_RECORDING_DONE;
	ev.recording_done = &rd;
	rpc_server_event(md->rpc, s->owner->rid, s->owner->rid_len, &ev);
}

void apps_rpc_recordings_done(struct mediad *md)
{
	struct recording *rec;

	while ((rec = rec_writer_take_done(md->recorder))) {
		struct session *s = rec->ctl;
		struct pb_arena a = {0};
		PB(RecordingInfo) * info;
		const char *reason = rec->error[0] ? rec->error
		                     : s->deleting ? "session closed"
		                                   : "stream closed";

		s->rec = NULL;
		md->n_recordings--;
		final_of(s, rec);
		info = session_info_recording(&a, s);
		log_set_context(s->call_id);
		log_info("apps", "%s: recording %s complete: %llu ms, %llu bytes%s%s", s->id,
		         rec->path, (unsigned long long)rec->duration_ms,
		         (unsigned long long)rec->bytes,
		         s->rec_final && s->rec_final->note[0] ? "; " : "",
		         s->rec_final ? s->rec_final->note : "");
		log_set_context(NULL);
		if (s->rec_stop) {
			app_reply_rec(md, s->rec_stop, RPC_BODY(STOP_RECORDING_REPLY), RPC_OK, NULL,
			              0, info);
			free(s->rec_stop);
			s->rec_stop = NULL;
		} else {
			recording_done_event(md, s, info, reason);
		}
		pb_arena_free(&a);
		recording_free(rec);
		s->inflight--;
		if (s->rec_wait) {
			struct wmsg *m = s->rec_wait;

			s->rec_wait = NULL;
			session_rpc_answer(md, m);
		} else {
			control_release_session(md, s);
		}
	}
}

void apps_rpc_answer(struct mediad *md, struct wmsg *m)
{
	struct app_pending *p = m->ctx;
	struct session *s = p->s;
	const char *text = NULL;
	int code = RPC_OK;

	s->inflight--;
	if (m->app.op == WAPP_REC_START) {
		rec_started(md, p, m);
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
	app_reply(md, &p->peer, p->body, code, text, p->duration_ms);
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
		         m->ev.duration_ms, leg_name(m->ev.leg), m->ev.stream,
		         rc ? "not delivered to" : "sent to", name);
	else
		log_info("apps", "%s: prompt %llu on leg %s ended (%s, %llu ms played): %s %s",
		         s->id, (unsigned long long)m->ev.play_id, leg_name(m->ev.leg),
		         m->ev.reason ? m->ev.reason : "", (unsigned long long)m->ev.played_ms,
		         rc ? "not delivered to" : "sent to", name);
	log_set_context(NULL);
	wmsg_free(m);
}
