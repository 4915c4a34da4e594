/* A call's media session on a media node, and the SDP each leg is sent. The session has two
 * sides, A (caller) and B (callee); an SDP offer received from one side points that side's
 * streams at the sender and yields the offer for the other side with the node's ports for it; the
 * answer from the other side does the same the other way round. Every function that takes a
 * callback follows the media_client contract: an error return means no callback; otherwise it
 * runs exactly once, later. Until it runs, the request counts in call->rpc_pending. */
#ifndef SIGNALD_CALL_MEDIA_H
#define SIGNALD_CALL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "media_client.h"
#include "signald_config.h"

enum call_side { SIDE_A = 0, SIDE_B = 1 };

struct call_media;

/* rc: 0 or a negative errno (-ETIMEDOUT: the node did not answer; -ENOSPC: out of ports;
 * -EPROTO: the SDP could not be negotiated, -EBADMSG: it is malformed, -EMSGSIZE: it is larger
 * than [codecs] max_sdp_bytes; see call->media_error). */
typedef void (*call_media_cb)(struct call *call, int rc);

int call_media_new(struct call_media **out, struct media_client *mc,
                   const struct signald_config *cfg);
void call_media_free(struct call_media *cm);

/* Creates the session on a node that is up (-EHOSTDOWN when none) and, when the call has A's
 * offer (call->a.sdp), negotiates it: call->sdp_out becomes the offer for the B legs. */
int call_media_create(struct call_media *cm, struct call *call, call_media_cb cb);
/* The same, and answers A's offer itself (the dialplan's answer and pre_answer): the offer for
 * the B legs then carries only the codecs of that answer (the media node does not transcode), and
 * call->a.sdp_sent becomes the answer for A with the node's ports for it. The codecs come from
 * call->codec_prefs when set, else [codecs]. */
int call_media_create_answered(struct call_media *cm, struct call *call, call_media_cb cb);
/* An offer arrived from side `from`: call->sdp_out becomes the offer for the other side. */
int call_media_offer(struct call_media *cm, struct call *call, enum call_side from, const char *sdp,
                     size_t len, call_media_cb cb);
/* The answer to our last offer arrived from side `from`: call->sdp_out becomes the answer for
 * the other side. */
int call_media_answer(struct call_media *cm, struct call *call, enum call_side from,
                      const char *sdp, size_t len, call_media_cb cb);
/* True when SDP b describes the same session as a (a refresh: at most the o= version differs);
 * false when either does not parse within the configured limits. */
bool call_media_same_session(const struct call_media *cm, const char *a, const char *b,
                             size_t blen);
/* Deletes the session (idempotent); the final counters are logged and kept for the CDR. */
int call_media_delete(struct call_media *cm, struct call *call, call_media_cb cb);
/* The call's node is lost: creates its session again on node `to`, each side's streams pointed
 * where that leg's last SDP said, then prints for each leg the SDP it was last sent with the new
 * node's address and ports (call->move_sdp[side]). On success call->node and call->session_id
 * name the new session. -EINVAL when the call has not exchanged SDP both ways. */
int call_media_move(struct call_media *cm, struct call *call, struct media_node *to,
                    call_media_cb cb);
/* Points side's streams where its SDP says, printing nothing (a leg answered a move with new
 * addresses). */
int call_media_repoint(struct call_media *cm, struct call *call, enum call_side side,
                       const char *sdp, size_t len, call_media_cb cb);
/* True when SDP b has the same streams at the same addresses as a; false when either does not
 * parse. */
bool call_media_same_address(const char *a, const char *b, size_t blen);
/* Fire and forget: deletes a session the call no longer uses (the one on a node it left: a hung
 * node that wakes up finds the request waiting). */
int call_media_delete_on(struct call_media *cm, struct media_node *node, const char *session_id,
                         const char *call_id);
/* A call taken back after a restart: rebuilds its negotiation state from the SDP each leg last
 * got (the node's ports) and sent, so that its offers can be relayed again. -EINVAL without
 * SDP both ways, -EPROTO when the two do not match. */
int call_media_restore(struct call_media *cm, struct call *call);
/* Media applications (call_media_app.c). The reply (borrowed, NULL when rc < 0) goes to cb;
 * one request of each kind at a time (-EBUSY), -ENOTCONN before the session exists. */
typedef void (*call_media_app_cb)(struct call *call, int rc, const RpcEnvelope *reply);
/* Plays file (in the node's prompts folder) to side; the node's PlaybackDone names play_id. */
int call_media_play(struct call_media *cm, struct call *call, enum call_side side, const char *file,
                    uint64_t play_id, call_media_app_cb cb);
int call_media_stop_play(struct call_media *cm, struct call *call, enum call_side side,
                         call_media_app_cb cb);
/* Records both sides into path (in the node's recordings folder); the reply's RecordingInfo. */
int call_media_record(struct call_media *cm, struct call *call, const char *path,
                      call_media_app_cb cb);
int call_media_stop_record(struct call_media *cm, struct call *call, call_media_app_cb cb);
/* Returns side's media to itself (on) or to the other side again. */
int call_media_echo(struct call_media *cm, struct call *call, enum call_side side, bool on,
                    call_media_app_cb cb);
/* Sends digits to side as telephone-events; fire and forget (a failure is logged). */
int call_media_send_dtmf(struct call_media *cm, struct call *call, enum call_side side,
                         const char *digits, unsigned duration_ms);

/* Keeps what the node says of the call's recording (path, duration, bytes) for the CDR. */
void call_media_note_recording(struct call *call, const Tandem__Media__V1__RecordingInfo *info);

/* Forgets the call's pending callbacks (the call is being freed). */
void call_media_forget(struct call_media *cm, struct call *call);

#endif
