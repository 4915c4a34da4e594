/* What call_media.c shares with call_media_move.c (a call's session moved to another node or
 * taken back after a restart): the per-call negotiation state and the request helpers. Not for
 * other modules: they use call_media.h. */
#ifndef SIGNALD_CALL_MEDIA_INTERNAL_H
#define SIGNALD_CALL_MEDIA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "call_media.h"
#include "media_plan.h"
#include "sdp_srtp.h"

#define CM_MAX_STREAMS 16

typedef Tandem__Media__V1__StreamSpec RpcStreamSpec;
typedef Tandem__Media__V1__LegSpec RpcLegSpec;
typedef Tandem__Media__V1__CreateSessionRequest RpcCreate;
typedef Tandem__Media__V1__UpdateSessionRequest RpcUpdate;
typedef Tandem__Media__V1__StreamUpdate RpcStreamUpdate;
typedef Tandem__Media__V1__StreamAdd RpcStreamAdd;
typedef Tandem__Media__V1__DeleteSessionRequest RpcDelete;
typedef Tandem__Media__V1__SessionInfo RpcSessionInfo;
typedef Tandem__Media__V1__SessionOptions RpcOptions;

struct call_media {
	struct media_client *mc;          /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	const struct codec_prefs *prefs;  /* borrowed from cfg */
};

/* The media applications' request kinds (call_media_app.c), one reply awaited per kind. */
enum cm_app {
	CM_APP_PLAY,
	CM_APP_STOP_PLAY,
	CM_APP_RECORD,
	CM_APP_STOP_RECORD,
	CM_APP_ECHO,
	CM_APP__N
};

/* Negotiation state of one call. */
struct cm_call {
	call_media_app_cb app_cb[CM_APP__N];
	struct media_plan *offer_in;  /* last offer received */
	struct media_plan *offer_out; /* what we offered the other side for it */
	enum call_side offer_from;
	struct media_plan_origin origin[2]; /* o= of the SDP we send to each side */
	/* m-line i <-> mediad stream map[i] (-1: no stream: refused m-line) */
	int map[CM_MAX_STREAMS];
	unsigned n_mlines;
	unsigned n_session_streams;
	struct media_plan_port ports[2][CM_MAX_STREAMS]; /* node ports per side, by m-line */
	char ip[2][64];                                  /* node address per side */
	/* the requests in flight */
	call_media_cb cb;
	call_media_cb del_cb;
	enum call_side from; /* side whose SDP is being applied */
	bool answering;
	struct media_plan *pending_out; /* plan to print once the node replied */
	/* our own answer to A's offer (answer, pre_answer), printed for A once the node replied */
	bool want_local;
	struct media_plan *local_out;
	/* strict source: per side, whether its last SDP was known and named the address its SIP
	 * came from; what the node was last asked for */
	bool sdp_known[2], direct[2], strict;
	/* moving to another node: the SDP each side was last sent, to print with the new ports */
	struct media_plan *move_out[2];
	struct media_node *move_to;
	/* SDES per side and m-line: the side's key and ours for it (sdp_srtp.h) */
	struct sdp_srtp_leg srtp[2][CM_MAX_STREAMS];
};

/* Storage for one request's messages: protobuf-c structs point into it. */
struct req_buf {
	RpcStreamSpec spec[2][CM_MAX_STREAMS];
	RpcStreamSpec *spec_ptr[2][CM_MAX_STREAMS];
	RpcEndpoint rtp[2][CM_MAX_STREAMS], rtcp[2][CM_MAX_STREAMS]; /* of spec[][] */
	RpcStreamUpdate upd[CM_MAX_STREAMS];
	/* Endpoints of upd[], apart from those of the specs: an update and an added stream share
	 * their index in one request, and must not share an address. */
	RpcEndpoint upd_rtp[CM_MAX_STREAMS], upd_rtcp[CM_MAX_STREAMS];
	RpcStreamUpdate *upd_ptr[CM_MAX_STREAMS];
	RpcStreamAdd add[CM_MAX_STREAMS];
	RpcStreamAdd *add_ptr[CM_MAX_STREAMS];
	/* point at the keys in cm_call (no copies) */
	RpcSrtpParams srtp[2][CM_MAX_STREAMS], upd_srtp[CM_MAX_STREAMS];
};

/* The call's negotiation state, made on first use (freed by call_media_forget()); NULL when
 * out of memory. */
struct cm_call *cm_state_of(struct call *call);

/* The reply's error as a return code (0, or negative with call->media_error filled), logged. */
int cm_reply_error(struct call *call, int rc, const RpcEnvelope *env);

/* The session of a Create/UpdateSession reply, or NULL. */
const RpcSessionInfo *cm_reply_session(const RpcEnvelope *env);

/* Records the node's address and ports for each side from its reply. */
void cm_take_ports(struct cm_call *st, const RpcSessionInfo *si);

/* Fills rb's spec k of side from stream s (remote_known: s is what that side sent) and its
 * keys (pointed at, not copied). */
void cm_fill_spec(struct req_buf *rb, int side, unsigned k, const struct media_stream *s,
                  bool remote_known, struct sdp_srtp_leg *srtp);

/* The leg's codec and telephone-event type in spec sp (call_media.c). */
void cm_fill_codec(RpcStreamSpec *sp, const struct media_stream *own,
                   const struct media_stream *chosen);

/* Parses an SDP body within the configured limits into *out (media_plan_free()). */
int cm_parse(struct call_media *cm, struct call *call, const char *sdp, size_t len,
             struct media_plan **out);

/* The options of a new session in *opt, or NULL when the node's defaults do. */
RpcOptions *cm_session_options(const struct call_media *cm, bool strict, RpcOptions *opt);

/* Sends a request for the call, counted in call->rpc_pending until on_reply_cb runs. */
int cm_call_request(struct call_media *cm, struct media_node *node, RpcEnvelope *env,
                    media_reply_cb on_reply_cb, struct call *call);

/* UpdateSession pointing st->from's streams where plan in says (applied: the plan whose
 * streams the session keeps); on_done runs with the reply. */
int cm_send_update(struct call_media *cm, struct call *call, struct cm_call *st,
                   const struct media_plan *in, const struct media_plan *applied,
                   media_reply_cb on_done);

/* Where side's SIP came from when that is the phone itself, else NULL (buf: storage). */
const char *cm_sip_source(const struct call *call, enum call_side side, char *buf, size_t len);

/* An offer from `from`: takes its keys per m-line (an m-line that cannot be secured as its
 * policy demands is refused in out) and writes the other side's keys into out. -EPROTO with
 * call->media_error when no m-line is left. */
int cm_srtp_offer(struct call *call, struct cm_call *st, enum call_side from,
                  const struct media_plan *in, struct media_plan *out);

/* The answer from `from` to our offer: matches its keys to what we offered it and writes our
 * key for the other side into out. -EPROTO with call->media_error, -ENOMEM. */
int cm_srtp_answer(struct call *call, struct cm_call *st, enum call_side from,
                   const struct media_plan *in, struct media_plan *out);

/* Our own answer (answer, pre_answer) to the offer from `from` that cm_srtp_offer() took: our
 * key for the leg on each m-line it secured; m-lines refused in out are refused in local.
 * -EPROTO with call->media_error. */
int cm_srtp_local_answer(struct call *call, struct cm_call *st, enum call_side from,
                         struct media_plan *local, const struct media_plan *out);

#endif
