/* A call's media session moved to another node (call_move.c) or re-pointed, and the negotiation
 * state of a call taken back after a restart (call_restore.c), rebuilt from the SDP each leg
 * sent and was sent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>

#include "call_media.h"
#include "call_media_internal.h"
#include "log.h"
#include "media_direct.h"

/* ---- moving to another node --------------------------------------------------------------- */

static void drop_move(struct cm_call *st)
{
	for (int side = 0; side < 2; side++) {
		media_plan_free(st->move_out[side]);
		st->move_out[side] = NULL;
	}
	st->move_to = NULL;
}

static void on_move_reply(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;
	struct cm_call *st = call->media_plans;
	const RpcSessionInfo *si = NULL;
	call_media_cb cb = st->cb;

	log_set_context(call->call_id);
	call->rpc_pending--;
	st->cb = NULL;
	rc = cm_reply_error(call, rc, env);
	if (!rc && (!(si = cm_reply_session(env)) || !si->session_id))
		rc = -EPROTO;
	if (!rc) {
		call->node = st->move_to;
		call->session_id = su_strdup(call->home, si->session_id);
		cm_take_ports(st, si);
	}
	for (int side = 0; !rc && side < 2; side++) {
		struct media_plan_local local = {
		    .ip = st->ip[side],
		    .n_ports = st->move_out[side]->n_streams,
		    .ports = st->ports[side],
		};
		char *text = NULL;

		rc = media_plan_print(st->move_out[side], &local, &st->origin[side], &text,
		                      call->media_error, sizeof(call->media_error));
		if (!rc) {
			call->move_sdp[side] = su_strdup(call->home, text);
			free(text);
		}
	}
	drop_move(st);
	if (cb)
		cb(call, rc);
}

/* The session spec of both sides for a new session: each side's streams point where that side's
 * last SDP said; the stream numbering starts afresh. */
static int build_move(struct call_media *cm, struct call *call, struct cm_call *st,
                      struct media_plan *in[2], struct req_buf *rb, RpcLegSpec leg[2])
{
	unsigned k = 0;

	for (unsigned i = 0; i < st->n_mlines; i++) {
		if (st->map[i] < 0)
			continue;
		for (int side = 0; side < 2; side++) {
			const struct media_stream *s =
			    i < in[side]->n_streams ? &in[side]->streams[i] : NULL;
			const struct media_stream *other =
			    i < in[!side]->n_streams ? &in[!side]->streams[i] : NULL;

			if (!s && !other)
				return -EPROTO;
			cm_fill_spec(rb, side, k, s ? s : other, s && media_stream_active(s),
			             &st->srtp[side][i]);
			cm_fill_codec(&rb->spec[side][k], s ? s : other, s ? s : other);
		}
		st->map[i] = (int)k++;
	}
	if (!k)
		return -EPROTO;
	st->n_session_streams = k;
	for (int side = 0; side < 2; side++) {
		leg[side].n_streams = k;
		leg[side].streams = rb->spec_ptr[side];
	}
	return 0;
}

int call_media_move(struct call_media *cm, struct call *call, struct media_node *to,
                    call_media_cb cb)
{
	static struct req_buf rb;
	struct cm_call *st = call->media_plans;
	const char *got[2] = {call->a.sdp, call->winner ? call->winner->sdp : NULL};
	const char *sent[2] = {call->a.sdp_sent, call->winner ? call->winner->sdp_sent : NULL};
	struct media_plan *in[2] = {NULL, NULL};
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcCreate req = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec leg[2] = {TANDEM__MEDIA__V1__LEG_SPEC__INIT, TANDEM__MEDIA__V1__LEG_SPEC__INIT};
	static RpcOptions opt;
	int rc = 0;

	if (!st || !got[0] || !got[1] || !sent[0] || !sent[1])
		return -EINVAL;
	if (st->cb)
		return -EBUSY;
	for (int side = 0; !rc && side < 2; side++) {
		rc = cm_parse(cm, call, got[side], strlen(got[side]), &in[side]);
		if (!rc)
			rc =
			    cm_parse(cm, call, sent[side], strlen(sent[side]), &st->move_out[side]);
	}
	if (!rc)
		rc = build_move(cm, call, st, in, &rb, leg);
	if (!rc) {
		req.call_id = call->call_id;
		req.owner = call->caller;
		req.leg_a = &leg[SIDE_A];
		req.leg_b = &leg[SIDE_B];
		/* The same phones at the same addresses: the new session pins them as the old
		 * one did (a stray packet from a leg's old port must not re-point it), and a call
		 * on hold keeps its hold timeout. */
		req.options = cm_session_options(cm, st->strict, &opt);
		env.body_case = RPC_BODY(CREATE_SESSION);
		env.create_session = &req;
		rc = cm_call_request(cm, to, &env, on_move_reply, call);
	}
	media_plan_free(in[0]);
	media_plan_free(in[1]);
	if (rc) {
		drop_move(st);
		return rc;
	}
	st->move_to = to;
	st->cb = cb;
	return 0;
}

int call_media_delete_on(struct call_media *cm, struct media_node *node, const char *session_id,
                         const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDelete req = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;

	ref.session_id = (char *)session_id;
	ref.call_id = (char *)call_id;
	req.session = &ref;
	req.reason = (char *)"moved";
	env.body_case = RPC_BODY(DELETE_SESSION);
	env.delete_session = &req;
	return media_client_request(cm->mc, node, &env, NULL, NULL);
}

static void on_repoint_reply(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;
	struct cm_call *st = call->media_plans;
	call_media_cb cb = st->cb;

	log_set_context(call->call_id);
	call->rpc_pending--;
	st->cb = NULL;
	rc = cm_reply_error(call, rc, env);
	if (cb)
		cb(call, rc);
}

int call_media_repoint(struct call_media *cm, struct call *call, enum call_side side,
                       const char *sdp, size_t len, call_media_cb cb)
{
	struct cm_call *st = call->media_plans;
	struct media_plan *in = NULL;
	int rc;

	if (!st || !call->session_id || !call->node)
		return -EINVAL;
	if (st->cb)
		return -EBUSY;
	rc = cm_parse(cm, call, sdp, len, &in);
	if (rc)
		return rc;
	st->from = side;
	rc = cm_send_update(cm, call, st, in, in, on_repoint_reply);
	media_plan_free(in);
	if (!rc)
		st->cb = cb;
	return rc;
}

/* ---- a call taken back after a restart ---------------------------------------------------- */

int call_media_restore(struct call_media *cm, struct call *call)
{
	const char *got[2] = {call->a.sdp, call->winner ? call->winner->sdp : NULL};
	const char *sent[2] = {call->a.sdp_sent, call->winner ? call->winner->sdp_sent : NULL};
	struct media_plan *in[2] = {NULL, NULL}, *out[2] = {NULL, NULL};
	struct cm_call *st;
	char buf[64];
	unsigned k = 0;
	int rc = 0;

	if (!got[0] || !got[1] || !sent[0] || !sent[1] || call->media_plans)
		return -EINVAL;
	for (int side = 0; !rc && side < 2; side++) {
		rc = cm_parse(cm, call, got[side], strlen(got[side]), &in[side]);
		if (!rc)
			rc = cm_parse(cm, call, sent[side], strlen(sent[side]), &out[side]);
	}
	if (!rc && (out[0]->n_streams != out[1]->n_streams || out[0]->n_streams > CM_MAX_STREAMS))
		rc = -EPROTO;
	st = rc ? NULL : cm_state_of(call);
	if (!rc && !st)
		rc = -ENOMEM;
	/* What we sent each leg names the node's ports for it; the node numbered the session's
	 * streams in m-line order, skipping the m-lines it never carried (refused: port 0). */
	for (unsigned i = 0; !rc && i < out[0]->n_streams; i++) {
		if (out[0]->streams[i].rejected || out[1]->streams[i].rejected)
			continue;
		st->map[i] = (int)k++;
		for (int side = 0; side < 2; side++) {
			const struct media_stream *s = &out[side]->streams[i];

			/* The keys the node has, for a move to another node or a re-key. */
			if (i < in[side]->n_streams && i < CM_MAX_STREAMS)
				sdp_srtp_restore(&in[side]->streams[i], s, &st->srtp[side][i]);

			st->ports[side][i].rtp = s->rtp_port;
			st->ports[side][i].rtcp =
			    s->rtcp_mux || s->rtcp_port == s->rtp_port + 1 ? 0 : s->rtcp_port;
			snprintf(st->ip[side], sizeof(st->ip[side]), "%s", s->rtp_ip);
		}
	}
	if (!rc) {
		st->n_mlines = out[0]->n_streams;
		st->n_session_streams = k;
		for (int side = 0; side < 2; side++) {
			/* The next SDP to a leg continues its o= line: same id, a higher version.
			 */
			st->origin[side] =
			    (struct media_plan_origin){.id = out[side]->origin_id,
			                               .version = out[side]->origin_version,
			                               .sent = 1};
			st->sdp_known[side] = true;
			st->direct[side] =
			    media_direct(in[side], cm_sip_source(call, side, buf, sizeof(buf)));
		}
		st->strict = st->direct[SIDE_A] && st->direct[SIDE_B];
	}
	for (int side = 0; side < 2; side++) {
		media_plan_free(in[side]);
		media_plan_free(out[side]);
	}
	return rc;
}
