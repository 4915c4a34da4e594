/* Recording requests (rpc.md, StartRecording / StopRecording): checks, the file opened with its
 * first header, the recording handed to the session's worker; and what follows when the writer
 * hands a recording back complete (StopRecording replies, RecordingDone events, DeleteSession
 * answers that waited for it). Control thread only. */
#include "rec_rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_path.h"
#include "apps_rpc_internal.h"
#include "log.h"
#include "pb_arena.h"
#include "rec_writer.h"
#include "session_info.h"
#include "session_rpc.h"
#include "wav.h"

static const char *law_note(const struct session_stream *ss, int leg, char *buf, size_t len,
                            size_t at)
{
	if (ss->law[leg] != G711_NONE)
		return buf;
	snprintf(buf + at, len - at, "%sleg %s codec %s: silence", at ? "; " : "",
	         apps_rpc_leg_name(leg), ss->codec[leg][0] ? ss->codec[leg] : "unknown");
	return buf;
}

void rec_rpc_start(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const PB(StartRecordingRequest) *r = req->start_recording;
	int body = RPC_BODY(START_RECORDING_REPLY);
	struct session *s = apps_rpc_find(md, peer, body, r->session);
	struct wapp app = {.op = WAPP_REC_START, .stream = r->stream};
	const struct session_stream *ss;
	uint8_t hdr[WAV_HEADER_LEN];
	char text[1200], path[1024];
	struct recording *rec;
	int code, fd;

	if (!s)
		return;
	code = apps_rpc_check_target(s, r->stream, 0, text, sizeof(text));
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
		apps_rpc_reply(md, peer, body, code, text, 0);
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
		apps_rpc_reply(md, peer, body, fd == -EXDEV ? RPC_BAD_REQUEST : RPC_INTERNAL, text,
		               0);
		return;
	}
	snprintf(path, sizeof(path), "%.500s/%.500s", md->cfg->recordings_dir, r->path);
	rec = recording_new(fd, path);
	if (!rec) {
		close(fd);
		apps_rpc_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
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
	if (!apps_rpc_post(md, peer, s, body, &app, 0)) {
		s->rec = NULL;
		s->inflight--;
		md->n_recordings--;
		unlink(path);
		recording_free(rec);
	}
}

/* A REC_START answered: the recording runs (reply with its info), or it never reached the
 * writer and is undone. */
void rec_rpc_started(struct mediad *md, struct app_pending *p, struct wmsg *m)
{
	struct session *s = p->s;
	struct recording *rec = m->app.rec;
	struct pb_arena a = {0};

	if (!m->result) {
		apps_rpc_reply_rec(md, &p->peer, p->body, RPC_OK, NULL, 0,
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
		apps_rpc_reply(md, &p->peer, p->body,
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

void rec_rpc_stop(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	int body = RPC_BODY(STOP_RECORDING_REPLY);
	struct session *s = apps_rpc_find(md, peer, body, req->stop_recording->session);
	struct wapp app = {.op = WAPP_REC_STOP};
	struct app_pending *p;

	if (!s)
		return;
	if (!s->rec || s->rec_stop) {
		apps_rpc_reply(md, peer, body, RPC_BAD_REQUEST,
		               s->rec ? "the recording is stopping already"
		                      : "the session is not being recorded",
		               0);
		return;
	}
	s->rec_stop = malloc(sizeof(struct rpc_peer));
	if (!s->rec_stop) {
		apps_rpc_reply(md, peer, body, RPC_INTERNAL, "out of memory", 0);
		return;
	}
	*(struct rpc_peer *)s->rec_stop = *peer;
	app.stream = s->rec->stream;
	p = apps_rpc_post(md, peer, s, body, &app, 0);
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

void rec_rpc_done(struct mediad *md)
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
			apps_rpc_reply_rec(md, s->rec_stop, RPC_BODY(STOP_RECORDING_REPLY), RPC_OK,
			                   NULL, 0, info);
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
