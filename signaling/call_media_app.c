/* The media applications of a call on its node (call_media.h): prompts, recordings, echo and
 * digits sent as telephone-events. Each request kind has one callback slot in the call's
 * negotiation state, so a reply finds what to call through the call alone (the call is the
 * request's argument, as for every media request, and media_client_cancel() forgets it). */
#include "call_media.h"
#include "call_media_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

typedef Tandem__Media__V1__LegId RpcLegId;

static RpcLegId leg_id(enum call_side side)
{
	return side == SIDE_A ? TANDEM__MEDIA__V1__LEG_ID__LEG_A : TANDEM__MEDIA__V1__LEG_ID__LEG_B;
}

/* The status of a media application's reply, or NULL when the body is not one. */
static const RpcStatus *app_status(const RpcEnvelope *env)
{
	switch (env->body_case) {
	case RPC_BODY(PLAY_REPLY):
		return env->play_reply->status;
	case RPC_BODY(STOP_PLAY_REPLY):
		return env->stop_play_reply->status;
	case RPC_BODY(START_RECORDING_REPLY):
		return env->start_recording_reply->status;
	case RPC_BODY(STOP_RECORDING_REPLY):
		return env->stop_recording_reply->status;
	case RPC_BODY(SET_ECHO_REPLY):
		return env->set_echo_reply->status;
	case RPC_BODY(SEND_DTMF_REPLY):
		return env->send_dtmf_reply->status;
	case RPC_BODY(ERROR):
		return env->error->status;
	default:
		return NULL;
	}
}

static int app_error(struct call *call, int rc, const RpcEnvelope *env)
{
	const RpcStatus *status = env ? app_status(env) : NULL;

	if (rc)
		return rc;
	if (!status)
		return -EPROTO;
	if (status->code == RPC_OK)
		return 0;
	snprintf(call->media_error, sizeof(call->media_error), "%s: %s",
	         rpc_status_name(status->code), status->message ? status->message : "");
	return status->code == RPC_NOT_FOUND ? -ENOENT : -EIO;
}

static void on_app_reply(struct call *call, enum cm_app kind, int rc, const RpcEnvelope *env)
{
	struct cm_call *st = call->media_plans;
	call_media_app_cb cb = st ? st->app_cb[kind] : NULL;

	log_set_context(call->call_id);
	call->rpc_pending--;
	if (st)
		st->app_cb[kind] = NULL;
	rc = app_error(call, rc, env);
	if (cb)
		cb(call, rc, rc ? NULL : env);
}

#define APP_REPLY(name, kind)                                                                      \
	static void name(void *arg, int rc, const RpcEnvelope *env)                                \
	{                                                                                          \
		on_app_reply(arg, kind, rc, env);                                                  \
	}
APP_REPLY(on_play, CM_APP_PLAY)
APP_REPLY(on_stop_play, CM_APP_STOP_PLAY)
APP_REPLY(on_record, CM_APP_RECORD)
APP_REPLY(on_stop_record, CM_APP_STOP_RECORD)
APP_REPLY(on_echo, CM_APP_ECHO)

/* Digits go out one request each and nobody waits for them: the outcome is only logged. */
static void on_dtmf(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;

	log_set_context(call->call_id);
	call->rpc_pending--;
	rc = app_error(call, rc, env);
	if (rc)
		log_notice("media", "SendDtmf: %s %s", strerror(-rc), call->media_error);
}

/* Sends env for the call; the reply runs handler, which runs cb (kept in kind's slot). */
static int app_send(struct call_media *cm, struct call *call, RpcEnvelope *env,
                    media_reply_cb handler, enum cm_app kind, call_media_app_cb cb)
{
	struct cm_call *st = cm_state_of(call);
	int rc;

	if (!st)
		return -ENOMEM;
	if (!call->session_id || !call->node)
		return -ENOTCONN;
	if (kind < CM_APP__N && st->app_cb[kind])
		return -EBUSY;
	rc = cm_call_request(cm, call->node, env, handler, call);
	if (!rc && kind < CM_APP__N)
		st->app_cb[kind] = cb;
	return rc;
}

static RpcSessionRef *session_ref(struct call *call, RpcSessionRef *ref)
{
	tandem__media__v1__session_ref__init(ref);
	ref->session_id = call->session_id;
	ref->call_id = call->call_id;
	return ref;
}

int call_media_play(struct call_media *cm, struct call *call, enum call_side side, const char *file,
                    uint64_t play_id, call_media_app_cb cb)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__PlayRequest req = TANDEM__MEDIA__V1__PLAY_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	req.leg = leg_id(side);
	req.file = (char *)file;
	req.play_id = play_id;
	env.body_case = RPC_BODY(PLAY);
	env.play = &req;
	return app_send(cm, call, &env, on_play, CM_APP_PLAY, cb);
}

int call_media_stop_play(struct call_media *cm, struct call *call, enum call_side side,
                         call_media_app_cb cb)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__StopPlayRequest req = TANDEM__MEDIA__V1__STOP_PLAY_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	req.leg = leg_id(side);
	env.body_case = RPC_BODY(STOP_PLAY);
	env.stop_play = &req;
	return app_send(cm, call, &env, on_stop_play, CM_APP_STOP_PLAY, cb);
}

int call_media_record(struct call_media *cm, struct call *call, const char *path,
                      call_media_app_cb cb)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__StartRecordingRequest req =
	    TANDEM__MEDIA__V1__START_RECORDING_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	req.path = (char *)path;
	env.body_case = RPC_BODY(START_RECORDING);
	env.start_recording = &req;
	return app_send(cm, call, &env, on_record, CM_APP_RECORD, cb);
}

int call_media_stop_record(struct call_media *cm, struct call *call, call_media_app_cb cb)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__StopRecordingRequest req =
	    TANDEM__MEDIA__V1__STOP_RECORDING_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	env.body_case = RPC_BODY(STOP_RECORDING);
	env.stop_recording = &req;
	return app_send(cm, call, &env, on_stop_record, CM_APP_STOP_RECORD, cb);
}

int call_media_echo(struct call_media *cm, struct call *call, enum call_side side, bool on,
                    call_media_app_cb cb)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__SetEchoRequest req = TANDEM__MEDIA__V1__SET_ECHO_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	req.leg = leg_id(side);
	req.on = on;
	env.body_case = RPC_BODY(SET_ECHO);
	env.set_echo = &req;
	return app_send(cm, call, &env, on_echo, CM_APP_ECHO, cb);
}

int call_media_send_dtmf(struct call_media *cm, struct call *call, enum call_side side,
                         const char *digits, unsigned duration_ms)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__SendDtmfRequest req = TANDEM__MEDIA__V1__SEND_DTMF_REQUEST__INIT;
	RpcSessionRef ref;

	req.session = session_ref(call, &ref);
	req.leg = leg_id(side);
	req.digits = (char *)digits;
	req.duration_ms = duration_ms;
	env.body_case = RPC_BODY(SEND_DTMF);
	env.send_dtmf = &req;
	return app_send(cm, call, &env, on_dtmf, CM_APP__N, NULL);
}

void call_media_note_recording(struct call *call, const Tandem__Media__V1__RecordingInfo *info)
{
	if (!info || !info->path || !info->path[0])
		return;
	call_keep_text(call, &call->rec_path, info->path, -1);
	call->rec_duration_ms = info->duration_ms;
	call->rec_bytes = info->bytes;
	if (info->note && info->note[0])
		log_notice("media", "recording %s: %s", info->path, info->note);
}
