/* Offer/answer through the media node. Each offer received from one side is parsed, negotiated
 * against our codec preferences, sent to mediad (CreateSession the first time, UpdateSession
 * after) so that side's streams point at the sender, and printed for the other side with the
 * node's ports for it. The answer comes back the same way. The negotiation state of a call lives
 * here (struct cm_call, hung on call->media_plans) and dies with call_media_forget(). */
#include "call_media.h"
#include "call_media_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sofia-sip/su_alloc.h>

#include "codec_prefs.h"
#include "observe.h"
#include "log.h"
#include "media_direct.h"
#include "media_plan.h"
#include "sdp_negotiate.h"
#include "sdp_srtp.h"

struct cm_call *cm_state_of(struct call *call)
{
	if (!call->media_plans) {
		struct cm_call *st = calloc(1, sizeof(*st));

		if (!st)
			return NULL;
		for (unsigned i = 0; i < CM_MAX_STREAMS; i++)
			st->map[i] = -1;
		call->media_plans = st;
	}
	return call->media_plans;
}

int call_media_new(struct call_media **out, struct media_client *mc,
                   const struct signald_config *cfg)
{
	struct call_media *cm = calloc(1, sizeof(*cm));

	if (!cm)
		return -ENOMEM;
	cm->mc = mc;
	cm->cfg = cfg;
	cm->prefs = &cfg->codec_prefs;
	*out = cm;
	return 0;
}

void call_media_free(struct call_media *cm)
{
	free(cm);
}

void call_media_forget(struct call_media *cm, struct call *call)
{
	struct cm_call *st = call->media_plans;

	media_client_cancel(cm->mc, call);
	if (!st)
		return;
	media_plan_free(st->offer_in);
	media_plan_free(st->offer_out);
	media_plan_free(st->pending_out);
	media_plan_free(st->local_out);
	media_plan_free(st->move_out[0]);
	media_plan_free(st->move_out[1]);
	OPENSSL_cleanse(st->srtp, sizeof(st->srtp));
	free(st);
	call->media_plans = NULL;
}

/* ---- building requests -------------------------------------------------------------------- */

static int rpc_kind(enum media_kind k)
{
	switch (k) {
	case MEDIA_AUDIO:
		return TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_AUDIO;
	case MEDIA_VIDEO:
		return TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_VIDEO;
	default:
		return TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_OTHER;
	}
}

static int rpc_dir(enum media_dir d)
{
	switch (d) {
	case MEDIA_SENDONLY:
		return TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDONLY;
	case MEDIA_RECVONLY:
		return TANDEM__MEDIA__V1__DIRECTION__DIRECTION_RECVONLY;
	case MEDIA_INACTIVE:
		return TANDEM__MEDIA__V1__DIRECTION__DIRECTION_INACTIVE;
	default:
		return TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDRECV;
	}
}

/* [call] media_hold_timeout_s for SessionOptions: the node applies it while the call is held. */
static uint32_t hold_timeout_ms(const struct call_media *cm)
{
	return (uint32_t)cm->cfg->call_media_hold_timeout_s * 1000u;
}

/* The options of a new session, filled into *opt: NULL when the node's defaults (no strict
 * source, no hold timeout) are all it needs. Options replace every field, so both are sent. */
RpcOptions *cm_session_options(const struct call_media *cm, bool strict, RpcOptions *opt)
{
	if (!strict && !cm->cfg->call_media_hold_timeout_s)
		return NULL;
	tandem__media__v1__session_options__init(opt);
	opt->strict_source = strict;
	opt->hold_timeout_ms = hold_timeout_ms(cm);
	return opt;
}

/* The node's SrtpParams for a side's m-line, pointing at the keys held in *l. */
static RpcSrtpParams *srtp_params(RpcSrtpParams *p, const struct sdp_srtp_leg *l)
{
	tandem__media__v1__srtp_params__init(p);
	p->suite = (Tandem__Media__V1__SrtpSuite)l->rx.suite;
	if (l->rx.suite != SDES_NONE) {
		p->rx_key.data = (uint8_t *)l->rx.key;
		p->rx_key.len = l->rx.key_len;
		p->tx_key.data = (uint8_t *)l->tx.key;
		p->tx_key.len = l->tx.key_len;
	}
	return p;
}

/* The spec of m-line i as sent by the remote of `side` (remote known) or for the side that has
 * not spoken yet (no remote, no mux: we offer it separate RTCP). */
void cm_fill_spec(struct req_buf *rb, int side, unsigned k, const struct media_stream *s,
                  bool remote_known, struct sdp_srtp_leg *srtp)
{
	RpcStreamSpec *sp = &rb->spec[side][k];

	tandem__media__v1__stream_spec__init(sp);
	sp->kind = rpc_kind(s->kind);
	if (srtp && srtp->rx.suite != SDES_NONE)
		sp->srtp = srtp_params(&rb->srtp[side][k], srtp);
	if (srtp)
		sdp_srtp_sent(srtp);
	if (remote_known) {
		sp->rtcp_mux = s->rtcp_mux;
		sp->direction = rpc_dir(s->dir);
		tandem__media__v1__endpoint__init(&rb->rtp[side][k]);
		rb->rtp[side][k].ip = s->rtp_ip;
		rb->rtp[side][k].port = s->rtp_port;
		sp->remote_rtp = &rb->rtp[side][k];
		if (s->rtcp_ip && s->rtcp_port) {
			tandem__media__v1__endpoint__init(&rb->rtcp[side][k]);
			rb->rtcp[side][k].ip = s->rtcp_ip;
			rb->rtcp[side][k].port = s->rtcp_port;
			sp->remote_rtcp = &rb->rtcp[side][k];
		}
	}
	rb->spec_ptr[side][k] = sp;
}

/* The codec of a stream for prompts and recordings: the first media codec of `chosen` (the
 * offer we send on, whose first codec the answerer takes when it can; our own answer when we
 * answered), and the telephone-event type the leg writes in `own` (what it sends with). */
void cm_fill_codec(RpcStreamSpec *sp, const struct media_stream *own,
                   const struct media_stream *chosen)
{
	for (unsigned c = 0; c < chosen->n_codecs; c++)
		if (chosen->codecs[c].role == MEDIA_CODEC_MEDIA) {
			sp->codec = chosen->codecs[c].name;
			sp->codec_pt = chosen->codecs[c].pt;
			break;
		}
	for (unsigned c = 0; c < own->n_codecs; c++)
		if (own->codecs[c].role == MEDIA_CODEC_DTMF && own->codecs[c].pt) {
			sp->telephone_event_pt = own->codecs[c].pt;
			break;
		}
}

/* ---- replies ------------------------------------------------------------------------------ */

void cm_take_ports(struct cm_call *st, const RpcSessionInfo *si)
{
	const Tandem__Media__V1__LegInfo *legs[2] = {si->leg_a, si->leg_b};

	for (int side = 0; side < 2; side++) {
		if (!legs[side])
			continue;
		for (unsigned i = 0; i < st->n_mlines; i++) {
			const Tandem__Media__V1__StreamInfo *inf;

			if (st->map[i] < 0 || (size_t)st->map[i] >= legs[side]->n_streams) {
				st->ports[side][i].rtp = 0;
				st->ports[side][i].rtcp = 0;
				continue;
			}
			inf = legs[side]->streams[st->map[i]];
			if (!inf->local_rtp)
				continue;
			st->ports[side][i].rtp = (uint16_t)inf->local_rtp->port;
			st->ports[side][i].rtcp =
			    inf->rtcp_mux || !inf->local_rtcp ? 0 : (uint16_t)inf->local_rtcp->port;
			if (inf->local_rtp->ip)
				snprintf(st->ip[side], sizeof(st->ip[side]), "%s",
				         inf->local_rtp->ip);
		}
	}
}

static uint64_t leg_packets(const Tandem__Media__V1__LegInfo *leg)
{
	uint64_t n = 0;

	for (size_t i = 0; leg && i < leg->n_streams; i++)
		if (leg->streams[i]->rtp)
			n += leg->streams[i]->rtp->packets;
	return n;
}

/* Prints st->pending_out for the side that did not send the SDP just applied. */
static int print_out(struct call *call, struct cm_call *st)
{
	int to = st->from == SIDE_A ? SIDE_B : SIDE_A;
	struct media_plan_local local = {
	    .ip = st->ip[to],
	    .n_ports = st->pending_out->n_streams,
	    .ports = st->ports[to],
	};
	char *text = NULL;
	int rc;

	rc = media_plan_print(st->pending_out, &local, &st->origin[to], &text, call->media_error,
	                      sizeof(call->media_error));
	if (rc)
		return rc;
	rc = call_keep_text(call, &call->sdp_out, text, -1);
	free(text);
	if (st->answering) {
		media_plan_free(st->pending_out);
	} else {
		media_plan_free(st->offer_out);
		st->offer_out = st->pending_out;
		st->offer_from = st->from;
	}
	st->pending_out = NULL;
	return rc;
}

/* Prints our own answer to A (call_media_create_answered) with the node's ports for A. */
static int print_local(struct call *call, struct cm_call *st)
{
	struct media_plan_local local = {
	    .ip = st->ip[SIDE_A],
	    .n_ports = st->local_out->n_streams,
	    .ports = st->ports[SIDE_A],
	};
	char *text = NULL;
	int rc = media_plan_print(st->local_out, &local, &st->origin[SIDE_A], &text,
	                          call->media_error, sizeof(call->media_error));

	if (rc)
		return rc;
	rc = call_keep_text(call, &call->a.sdp_sent, text, -1);
	free(text);
	return rc;
}

int cm_reply_error(struct call *call, int rc, const RpcEnvelope *env)
{
	const RpcStatus *status = env ? rpc_reply_status(env) : NULL;

	if (rc)
		return rc;
	if (!status)
		return -EPROTO;
	if (status->code == RPC_OK)
		return 0;
	snprintf(call->media_error, sizeof(call->media_error), "%s: %s",
	         rpc_status_name(status->code), status->message ? status->message : "");
	/* A remote the node refuses (its own port, a denied network) is the offer's fault: 488,
	 * not a 503 inviting the caller to try the same again. */
	if (status->code == RPC_INVALID_ADDRESS)
		return -EPROTO;
	return status->code == RPC_NO_PORTS ? -ENOSPC : -EIO;
}

const RpcSessionInfo *cm_reply_session(const RpcEnvelope *env)
{
	switch (env->body_case) {
	case RPC_BODY(CREATE_SESSION_REPLY):
		return env->create_session_reply->session;
	case RPC_BODY(UPDATE_SESSION_REPLY):
		return env->update_session_reply->session;
	case RPC_BODY(DELETE_SESSION_REPLY):
		return env->delete_session_reply->session;
	default:
		return NULL;
	}
}

static void on_reply(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;
	struct cm_call *st = call->media_plans;
	const RpcSessionInfo *si;
	call_media_cb cb = st->cb;

	log_set_context(call->call_id);
	call->rpc_pending--;
	st->cb = NULL;
	rc = cm_reply_error(call, rc, env);
	if (!rc && (si = cm_reply_session(env)) != NULL) {
		if (!call->session_id && si->session_id) {
			call->session_id = su_strdup(call->home, si->session_id);
			call->media_instance = env->instance;
		}
		cm_take_ports(st, si);
	}
	if (!rc)
		rc = print_out(call, st);
	else {
		media_plan_free(st->pending_out);
		st->pending_out = NULL;
	}
	if (!rc && st->local_out)
		rc = print_local(call, st);
	if (!rc) /* kept for a second CreateSession on another node until one succeeds */
		st->want_local = false;
	media_plan_free(st->local_out);
	st->local_out = NULL;
	if (cb)
		cb(call, rc);
}

/* ---- strict source ------------------------------------------------------------------------ */

/* Where side's SIP came from, when we know it is the phone itself: A's INVITE source; the B
 * contact (the one that answered, or the only one called) when the registrar saw it reach us
 * directly (no NAT next hop). Early media while several contacts ring is from any of them. */
const char *cm_sip_source(const struct call *call, enum call_side side, char *buf, size_t len)
{
	const struct leg *b = call->winner ? call->winner : call->n_b == 1 ? &call->b[0] : NULL;

	if (side == SIDE_A)
		return call->a.src_ip;
	/* The contact's host must be the address it registered from: a contact naming another
	 * host is not the phone we reach. */
	if (!b || !b->src_ip || media_direct_uri_ip(b->contact, buf, len) || strcmp(buf, b->src_ip))
		return NULL;
	return buf;
}

/* Records side's new SDP; returns the session's strict flag: on while every side whose SDP is
 * known talks to us directly (a phone behind a NAT sends from an address its SDP does not
 * know: its leg must learn it, see rpc.md, Latching). */
static bool strict_after(const struct call *call, struct cm_call *st, enum call_side side,
                         const struct media_plan *in)
{
	char buf[64];

	st->sdp_known[side] = true;
	st->direct[side] = media_direct(in, cm_sip_source(call, side, buf, sizeof(buf)));
	return st->direct[SIDE_A] && (st->direct[SIDE_B] || !st->sdp_known[SIDE_B]);
}

/* ---- requests ----------------------------------------------------------------------------- */

/* Sends a request for the call whose reply runs one of the handlers here. The call counts it
 * as in flight (call->rpc_pending, it is not freed while any is) until that handler runs, which
 * uncounts it before the caller's callback. */
int cm_call_request(struct call_media *cm, struct media_node *node, RpcEnvelope *env,
                    media_reply_cb on_reply_cb, struct call *call)
{
	int rc = media_client_request(cm->mc, node, env, on_reply_cb, call);

	if (!rc)
		call->rpc_pending++;
	return rc;
}

static int send_create(struct call_media *cm, struct call *call, struct cm_call *st,
                       const struct media_plan *in)
{
	static struct req_buf rb;
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcCreate req = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec leg[2] = {TANDEM__MEDIA__V1__LEG_SPEC__INIT, TANDEM__MEDIA__V1__LEG_SPEC__INIT};
	static RpcOptions opt;
	unsigned k = 0;

	/* A second try (the first node did not answer) goes elsewhere. */
	call->node = media_client_pick(cm->mc, call->node);
	if (!call->node) {
		snprintf(call->media_error, sizeof(call->media_error), "no media node is up");
		return -EHOSTDOWN;
	}
	for (unsigned i = 0; i < st->n_mlines; i++) {
		const struct media_stream *s = &in->streams[i];

		if (!media_stream_active(s) || st->pending_out->streams[i].rejected)
			continue;
		if (cm->cfg->call_max_streams_per_call && k >= cm->cfg->call_max_streams_per_call) {
			snprintf(call->media_error, sizeof(call->media_error),
			         "more than %ld media streams in one call ([call] "
			         "max_streams_per_call)",
			         cm->cfg->call_max_streams_per_call);
			return -EPROTO;
		}
		st->map[i] = (int)k;
		cm_fill_spec(&rb, st->from, k, s, true, &st->srtp[st->from][i]);
		cm_fill_spec(&rb, !st->from, k, s, false, NULL);
		cm_fill_codec(&rb.spec[st->from][k], s, &st->pending_out->streams[i]);
		cm_fill_codec(&rb.spec[!st->from][k], &st->pending_out->streams[i],
		              &st->pending_out->streams[i]);
		k++;
	}
	st->n_session_streams = k;
	for (int side = 0; side < 2; side++) {
		leg[side].n_streams = k;
		leg[side].streams = rb.spec_ptr[side];
	}
	req.call_id = call->call_id;
	req.owner = call->caller;
	req.leg_a = &leg[SIDE_A];
	req.leg_b = &leg[SIDE_B];
	st->strict = strict_after(call, st, st->from, in);
	req.options = cm_session_options(cm, st->strict, &opt);
	env.body_case = RPC_BODY(CREATE_SESSION);
	env.create_session = &req;
	return cm_call_request(cm, call->node, &env, on_reply, call);
}

/* A side's offer holds the call when none of its live streams would receive: every one
 * sendonly or inactive (RFC 3264 section 8.4). Told to the listeners when that changes; an
 * answer only follows the offer, and is not looked at. */
static void note_hold(struct call *call, unsigned side, const struct media_plan *in)
{
	bool held = true;
	uint8_t bit = (uint8_t)(1u << side);

	for (unsigned i = 0; i < in->n_streams; i++)
		if (media_stream_active(&in->streams[i]) && (in->streams[i].dir & MEDIA_RECVONLY))
			held = false;
	if (held == !!(call->held & bit))
		return;
	call->held = held ? (uint8_t)(call->held | bit) : (uint8_t)(call->held & ~bit);
	obs_hold(call, side, held);
}

int cm_send_update(struct call_media *cm, struct call *call, struct cm_call *st,
                   const struct media_plan *in, const struct media_plan *applied,
                   media_reply_cb on_done)
{
	static struct req_buf rb;
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcUpdate req = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	static RpcOptions opt;
	unsigned nu = 0, na = 0, added = 0;
	bool strict = strict_after(call, st, st->from, in);
	int rc;

	/* Every stream a call ever had keeps its ports until the call ends: count the new ones
	 * before anything changes. */
	for (unsigned i = 0; i < in->n_streams && i < CM_MAX_STREAMS; i++)
		if ((i >= st->n_mlines || st->map[i] < 0) && media_stream_active(&in->streams[i]) &&
		    !applied->streams[i].rejected)
			added++;
	if (cm->cfg->call_max_streams_per_call &&
	    st->n_session_streams + added > (unsigned)cm->cfg->call_max_streams_per_call) {
		snprintf(call->media_error, sizeof(call->media_error),
		         "more than %ld media streams in one call ([call] max_streams_per_call)",
		         cm->cfg->call_max_streams_per_call);
		return -EPROTO;
	}
	for (unsigned i = 0; i < in->n_streams && i < CM_MAX_STREAMS; i++) {
		const struct media_stream *s = &in->streams[i];
		bool active = media_stream_active(s) && !applied->streams[i].rejected;

		if (i >= st->n_mlines || st->map[i] < 0) {
			if (!active)
				continue;
			/* A new m-line: a new stream pair. */
			tandem__media__v1__stream_add__init(&rb.add[na]);
			cm_fill_spec(&rb, st->from, na, s, true, &st->srtp[st->from][i]);
			cm_fill_spec(&rb, !st->from, na, s, false, NULL);
			cm_fill_codec(&rb.spec[st->from][na], s, &applied->streams[i]);
			cm_fill_codec(&rb.spec[!st->from][na], &applied->streams[i],
			              &applied->streams[i]);
			rb.add[na].a = rb.spec_ptr[SIDE_A][na];
			rb.add[na].b = rb.spec_ptr[SIDE_B][na];
			rb.add_ptr[na] = &rb.add[na];
			st->map[i] = (int)(st->n_session_streams + na);
			na++;
			continue;
		}
		tandem__media__v1__stream_update__init(&rb.upd[nu]);
		rb.upd[nu].index = (uint32_t)st->map[i];
		rb.upd[nu].leg = st->from == SIDE_A ? TANDEM__MEDIA__V1__LEG_ID__LEG_A
		                                    : TANDEM__MEDIA__V1__LEG_ID__LEG_B;
		if (active) {
			tandem__media__v1__endpoint__init(&rb.upd_rtp[nu]);
			rb.upd_rtp[nu].ip = s->rtp_ip;
			rb.upd_rtp[nu].port = s->rtp_port;
			rb.upd[nu].remote_rtp = &rb.upd_rtp[nu];
			if (s->rtcp_ip && s->rtcp_port) {
				tandem__media__v1__endpoint__init(&rb.upd_rtcp[nu]);
				rb.upd_rtcp[nu].ip = s->rtcp_ip;
				rb.upd_rtcp[nu].port = s->rtcp_port;
				rb.upd[nu].remote_rtcp = &rb.upd_rtcp[nu];
			}
		}
		rb.upd[nu].direction =
		    active ? rpc_dir(s->dir) : TANDEM__MEDIA__V1__DIRECTION__DIRECTION_INACTIVE;
		/* New keys only when they changed: the node's contexts (replay window, rollover
		 * counter) must outlive a refresh or a hold. */
		if (st->srtp[st->from][i].dirty) {
			rb.upd[nu].srtp = srtp_params(&rb.upd_srtp[nu], &st->srtp[st->from][i]);
			sdp_srtp_sent(&st->srtp[st->from][i]);
		}
		rb.upd_ptr[nu] = &rb.upd[nu];
		nu++;
	}
	if (in->n_streams > st->n_mlines)
		st->n_mlines = in->n_streams < CM_MAX_STREAMS ? in->n_streams : CM_MAX_STREAMS;
	st->n_session_streams += na;
	ref.session_id = call->session_id;
	req.session = &ref;
	req.n_streams = nu;
	req.streams = rb.upd_ptr;
	req.n_add = na;
	req.add = rb.add_ptr;
	if (strict != st->strict) {
		/* Options replace the timeouts too: 0 keeps the node's default, as at create, and
		 * the hold timeout is sent again. Hold and resume need no options: the node sees
		 * them in the stream directions. */
		tandem__media__v1__session_options__init(&opt);
		opt.strict_source = strict;
		opt.hold_timeout_ms = hold_timeout_ms(cm);
		req.options = &opt;
		st->strict = strict;
	}
	env.body_case = RPC_BODY(UPDATE_SESSION);
	env.update_session = &req;
	rc = cm_call_request(cm, call->node, &env, on_done, call);
	if (!rc && !st->answering)
		note_hold(call, st->from, in);
	return rc;
}

static struct media_plan_limits limits(const struct call_media *cm)
{
	const struct signald_config *cfg = cm->cfg;
	struct media_plan_limits lim = {
	    .max_bytes = (size_t)cfg->codecs_max_sdp_bytes,
	    .max_streams = cfg->codecs_max_media_lines < CM_MAX_STREAMS
	                       ? (unsigned)cfg->codecs_max_media_lines
	                       : CM_MAX_STREAMS,
	    .max_formats = (unsigned)cfg->codecs_max_formats,
	    .max_attrs = (unsigned)cfg->codecs_max_attributes,
	};

	return lim;
}

int cm_parse(struct call_media *cm, struct call *call, const char *sdp, size_t len,
             struct media_plan **out)
{
	struct media_plan_limits lim = limits(cm);
	int rc = media_plan_parse_limited(sdp, len, &lim, out, call->media_error,
	                                  sizeof(call->media_error));

	return rc == -EBADMSG || rc == -EMSGSIZE ? rc : rc ? -EPROTO : 0;
}

static const struct codec_prefs *prefs_of(const struct call_media *cm, const struct call *call)
{
	return call->codec_prefs ? call->codec_prefs : cm->prefs;
}

/* Our own answer to offer `in`, and in *only the codecs it chose: without transcoding the other
 * leg can be offered nothing else. */
static int answer_local(struct call_media *cm, struct call *call, const struct media_plan *in,
                        struct media_plan **local, struct codec_prefs *only)
{
	const struct codec_prefs *prefs = prefs_of(cm, call);

	if (sdp_negotiate_answer_local(in, prefs, local, call->media_error,
	                               sizeof(call->media_error)) != 0)
		return -EPROTO;
	memset(only, 0, sizeof(*only));
	only->mode = CODEC_NEG_GREEDY;
	for (unsigned i = 0; i < (*local)->n_streams; i++) {
		const struct media_stream *s = &(*local)->streams[i];
		struct codec_pref *v = s->kind == MEDIA_VIDEO ? only->video : only->audio;
		unsigned *n = s->kind == MEDIA_VIDEO ? &only->n_video : &only->n_audio;

		for (unsigned k = 0; !s->rejected && k < s->n_codecs && *n < CODEC_PREFS_MAX; k++) {
			struct codec_pref *p = &v[(*n)++];

			snprintf(p->name, sizeof(p->name), "%s", s->codecs[k].name);
			p->rate = s->codecs[k].rate;
			p->channels = s->codecs[k].channels ? s->codecs[k].channels : 1;
		}
	}
	return 0;
}

int call_media_offer(struct call_media *cm, struct call *call, enum call_side from, const char *sdp,
                     size_t len, call_media_cb cb)
{
	struct cm_call *st = cm_state_of(call);
	struct media_plan *in = NULL, *out = NULL, *local = NULL;
	struct codec_prefs only;
	int rc;

	if (!st)
		return -ENOMEM;
	if (st->cb)
		return -EBUSY;
	rc = cm_parse(cm, call, sdp, len, &in);
	if (!rc && st->want_local)
		rc = answer_local(cm, call, in, &local, &only);
	if (!rc && sdp_negotiate_offer(in, local ? &only : prefs_of(cm, call), &out,
	                               call->media_error, sizeof(call->media_error)) != 0)
		rc = -EPROTO;
	if (!rc)
		rc = cm_srtp_offer(call, st, from, in, out);
	if (!rc && local)
		rc = cm_srtp_local_answer(call, st, from, local, out);
	if (rc) {
		media_plan_free(in);
		media_plan_free(local);
		media_plan_free(out);
		return rc;
	}
	/* The other side gets separate RTCP ports: whether it can mux is unknown until it
	 * answers, and the node's port for it is fixed now. */
	for (unsigned i = 0; i < out->n_streams; i++)
		out->streams[i].rtcp_mux = false;
	st->from = from;
	st->answering = false;
	st->pending_out = out;
	if (!call->session_id) {
		st->n_mlines = in->n_streams;
		rc = send_create(cm, call, st, in);
	} else {
		rc = cm_send_update(cm, call, st, in, out, on_reply);
	}
	if (rc) {
		media_plan_free(in);
		media_plan_free(local);
		media_plan_free(st->pending_out);
		st->pending_out = NULL;
		return rc;
	}
	media_plan_free(st->offer_in);
	st->offer_in = in;
	st->local_out = local;
	st->cb = cb;
	return 0;
}

bool call_media_same_session(const struct call_media *cm, const char *a, const char *b, size_t blen)
{
	struct media_plan_limits lim = limits(cm);
	struct media_plan *pa = NULL, *pb = NULL;
	bool same = false;

	if (a && b && media_plan_parse_limited(a, strlen(a), &lim, &pa, NULL, 0) == 0 &&
	    media_plan_parse_limited(b, blen, &lim, &pb, NULL, 0) == 0)
		same = (media_plan_diff(pa, pb) & ~(unsigned)MEDIA_PLAN_VERSION) == 0;
	media_plan_free(pa);
	media_plan_free(pb);
	return same;
}

bool call_media_same_address(const char *a, const char *b, size_t blen)
{
	struct media_plan *pa = NULL, *pb = NULL;
	bool same = false;

	if (a && b && media_plan_parse(a, strlen(a), CM_MAX_STREAMS, &pa, NULL, 0) == 0 &&
	    media_plan_parse(b, blen, CM_MAX_STREAMS, &pb, NULL, 0) == 0)
		same = (media_plan_diff(pa, pb) & (MEDIA_PLAN_ADDRESS | MEDIA_PLAN_STREAMS)) == 0;
	media_plan_free(pa);
	media_plan_free(pb);
	return same;
}

int call_media_create(struct call_media *cm, struct call *call, call_media_cb cb)
{
	return call_media_offer(cm, call, SIDE_A, call->a.sdp, strlen(call->a.sdp), cb);
}

int call_media_create_answered(struct call_media *cm, struct call *call, call_media_cb cb)
{
	struct cm_call *st = cm_state_of(call);

	if (!st)
		return -ENOMEM;
	st->want_local = true;
	return call_media_create(cm, call, cb);
}

int call_media_answer(struct call_media *cm, struct call *call, enum call_side from,
                      const char *sdp, size_t len, call_media_cb cb)
{
	struct cm_call *st = call->media_plans;
	struct media_plan *in = NULL, *out = NULL;
	int rc;

	if (!st || !st->offer_in || !st->offer_out || !call->session_id)
		return -EINVAL;
	if (st->cb)
		return -EBUSY;
	rc = cm_parse(cm, call, sdp, len, &in);
	if (!rc && sdp_negotiate_answer(st->offer_in, st->offer_out, in, &out, call->media_error,
	                                sizeof(call->media_error)) != 0)
		rc = -EPROTO;
	if (!rc)
		rc = cm_srtp_answer(call, st, from, in, out);
	if (rc) {
		media_plan_free(in);
		media_plan_free(out);
		return rc;
	}
	st->from = from;
	st->answering = true;
	st->pending_out = out;
	rc = cm_send_update(cm, call, st, in, in, on_reply);
	media_plan_free(in);
	if (rc) {
		media_plan_free(st->pending_out);
		st->pending_out = NULL;
		return rc;
	}
	st->cb = cb;
	return 0;
}

static void on_deleted(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;
	struct cm_call *st = call->media_plans;
	call_media_cb cb = st ? st->del_cb : NULL;
	const RpcSessionInfo *si;

	log_set_context(call->call_id);
	call->rpc_pending--;
	if (st)
		st->del_cb = NULL;
	rc = cm_reply_error(call, rc, env);
	if (!rc && (si = cm_reply_session(env)) != NULL) {
		call->media_packets[SIDE_A] = leg_packets(si->leg_a);
		call->media_packets[SIDE_B] = leg_packets(si->leg_b);
		if (si->recording)
			call_media_note_recording(call, si->recording);
	} else if (rc) {
		log_warn("media", "DeleteSession %s: %s %s", call->session_id, strerror(-rc),
		         call->media_error);
	}
	if (cb)
		cb(call, rc);
}

int call_media_delete(struct call_media *cm, struct call *call, call_media_cb cb)
{
	struct cm_call *st = cm_state_of(call);
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDelete req = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	int rc;

	if (!st)
		return -ENOMEM;
	if (!call->session_id || !call->node)
		return -ENOENT;
	if (st->del_cb)
		return -EBUSY;
	ref.session_id = call->session_id;
	ref.call_id = call->call_id;
	req.session = &ref;
	req.reason = (char *)"hangup";
	env.body_case = RPC_BODY(DELETE_SESSION);
	env.delete_session = &req;
	rc = cm_call_request(cm, call->node, &env, on_deleted, call);
	if (!rc)
		st->del_cb = cb;
	return rc;
}
