/* Mid-call offers (hold, resume, new streams or addresses): a re-INVITE or UPDATE on one leg
 * updates that side of the media session and is relayed, as the same method and with the node's
 * addresses, to the other leg; its answer comes back the same way. A refresh that changes nothing
 * is answered locally with the SDP we last sent, without disturbing the other leg. One relayed
 * offer at a time: a second one meanwhile gets 491 (RFC 3261 14.2, RFC 3311 5.2). */
#include <errno.h>
#include <sofia-sip/su_alloc.h>
#include <stdio.h>
#include <string.h>

#include "b2bua_internal.h"
#include "call_record.h"
#include "log.h"
#include "sdp_negotiate.h"

static struct leg *other_leg(struct call *call, struct leg *leg)
{
	return leg->is_a ? call->winner : &call->a;
}

/* Answers the offer being relayed (re-INVITE or kept UPDATE) and ends the relay. */
static void answer_from(struct b2bua *b, struct call *call, int status, const char *phrase,
                        const char *sdp, const char *headers)
{
	struct leg *from = call->reinvite_from;
	struct ua_kept *kept = call->update_kept;

	call->reinvite_from = NULL;
	call->reinvite_to = NULL;
	call->update_kept = NULL;
	if (!from || !from->nh) {
		sip_ua_drop_kept(kept);
		return;
	}
	if (kept)
		sip_ua_respond_kept(b->ua, from->nh, kept, status, phrase, sdp);
	else
		sip_ua_respond(b->ua, from->nh, status, phrase, sdp, headers);
	if (status >= 200 && status < 300 && sdp) {
		call_keep_text(call, &from->sdp_sent, sdp, -1);
		call_record_dialog(b->deps.store, call, b->cfg->node_id);
	}
}

static void relay_failed(struct b2bua *b, struct call *call, int status, const char *phrase)
{
	answer_from(b, call, status, phrase, NULL, NULL);
}

void b2bua_relay_drop(struct call *call)
{
	sip_ua_drop_kept(call->update_kept);
	call->update_kept = NULL;
	call->reinvite_from = NULL;
	call->reinvite_to = NULL;
}

static void on_offer_ready(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct leg *from = call->reinvite_from;
	struct leg *to;

	if (media_reply_ending(call) || !from)
		return;
	if (rc) {
		log_warn("call", "re-INVITE not relayed: %s %s", strerror(-rc), call->media_error);
		relay_failed(b, call, rc == -EPROTO ? 488 : 500,
		             rc == -EPROTO ? "Not Acceptable Here" : "Server Internal Error");
		return;
	}
	to = other_leg(call, from);
	if (!to || !to->nh) {
		relay_failed(b, call, 481, "Call Does Not Exist");
		return;
	}
	call->reinvite_to = to;
	if (call->update_kept)
		sip_ua_update(b->ua, to->nh, call->sdp_out);
	else
		sip_ua_reinvite(b->ua, to->nh, call->sdp_out);
	call_keep_text(call, &to->sdp_sent, call->sdp_out, -1);
	log_info("call", "%s relayed to the %s leg", call->update_kept ? "UPDATE" : "re-INVITE",
	         to->is_a ? "caller" : "callee");
}

/* The offer on `from` changes the session: update that side on the media node, then
 * on_offer_ready sends it on to the other leg. */
static void start_relay(struct b2bua *b, struct call *call, struct leg *from,
                        const struct ua_leg_event *ev)
{
	char warning[SDP_WARNING_LEN];
	int rc;

	call->reinvite_from = from;
	if (call->offers_refused) {
		/* The node's stream numbering of a session made by an earlier process could not
		 * be rebuilt: refreshes are answered, changes are not taken. */
		snprintf(call->media_error, sizeof(call->media_error),
		         "call restored after a restart: the session cannot change");
		log_notice("call", "mid-call offer refused: %s", call->media_error);
		answer_from(b, call, 488, NULL, NULL,
		            sdp_warning(b, call, warning, sizeof(warning)));
		return;
	}
	rc = call_media_offer(b->cm, call, from->is_a ? SIDE_A : SIDE_B, ev->sdp, ev->sdp_len,
	                      on_offer_ready);
	if (rc == -EPROTO || rc == -EBADMSG || rc == -EMSGSIZE) {
		log_notice("call", "mid-call offer refused: %s", call->media_error);
		answer_from(b, call, sdp_negotiate_sip_status(rc), NULL, NULL,
		            sdp_warning(b, call, warning, sizeof(warning)));
		return;
	}
	if (rc) {
		relay_failed(b, call, 500, "Server Internal Error");
		return;
	}
	/* Kept only once taken: a refused offer must not become the session refreshes are
	 * compared with. */
	call_keep_text(call, &from->sdp, ev->sdp, (isize_t)ev->sdp_len);
}

void b2bua_reinvite_received(struct b2bua *b, struct call *call, struct leg *from,
                             const struct ua_leg_event *ev)
{
	if (call->state != CALL_ACTIVE && call->state != CALL_ANSWERED) {
		sip_ua_respond(b->ua, from->nh, 491, "Request Pending", NULL, NULL);
		return;
	}
	if (call->reinvite_from || call->moving || call->transfer) {
		/* One offer at a time; while the call moves to another node or is transferred,
		 * ours is out. */
		sip_ua_respond(b->ua, from->nh, 491, "Request Pending", NULL, NULL);
		return;
	}
	if (!ev->sdp) {
		/* No offer: answer with the session as it stands (we offer what we sent last). */
		sip_ua_respond(b->ua, from->nh, 200, "OK", from->sdp_sent, NULL);
		return;
	}
	if (from->sdp_sent && call_media_same_session(b->cm, from->sdp, ev->sdp, ev->sdp_len)) {
		/* A refresh (RFC 4028) or a repeat: nothing to tell the other leg. */
		log_debug("call", "session refresh from the %s leg answered locally",
		          from->is_a ? "caller" : "callee");
		sip_ua_respond(b->ua, from->nh, 200, "OK", from->sdp_sent, NULL);
		return;
	}
	start_relay(b, call, from, ev);
}

static void on_answer_ready(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call)) {
		b2bua_relay_drop(call);
		return;
	}
	if (rc) {
		log_warn("call", "relayed answer not usable: %s %s", strerror(-rc),
		         call->media_error);
		relay_failed(b, call, 488, "Not Acceptable Here");
		return;
	}
	answer_from(b, call, 200, "OK", call->sdp_out, NULL);
}

void b2bua_reinvite_answered(struct b2bua *b, struct call *call, struct leg *leg,
                             const struct ua_leg_event *ev)
{
	enum call_side side = leg->is_a ? SIDE_A : SIDE_B;

	if (call->reinvite_to != leg || ev->status < 200)
		return;
	if (ev->status >= 300) {
		log_info("call", "relayed %s refused: %d",
		         call->update_kept ? "UPDATE" : "re-INVITE", ev->status);
		relay_failed(b, call, ev->status, ev->phrase);
		return;
	}
	if (!ev->sdp) {
		relay_failed(b, call, 488, "Not Acceptable Here");
		return;
	}
	call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
	if (call_media_answer(b->cm, call, side, ev->sdp, ev->sdp_len, on_answer_ready) != 0) {
		relay_failed(b, call, 500, "Server Internal Error");
		return;
	}
}

/* UPDATE (RFC 3311). Without SDP it is a session-timer refresh; with the session unchanged we
 * answer with the SDP last sent on that leg; both at once. A real change of session is relayed
 * like a re-INVITE, as an UPDATE to the other leg, and answered with that leg's answer. */
void b2bua_update_received(struct b2bua *b, struct call *call, struct leg *from,
                           const struct ua_leg_event *ev)
{
	if (!ev->sdp) {
		sip_ua_respond_now(b->ua, from->nh, 200, "OK", NULL);
		return;
	}
	if (from->sdp_sent && call_media_same_session(b->cm, from->sdp, ev->sdp, ev->sdp_len)) {
		sip_ua_respond_now(b->ua, from->nh, 200, "OK", from->sdp_sent);
		return;
	}
	if (call->state != CALL_ACTIVE && call->state != CALL_ANSWERED) {
		/* Early-dialog UPDATE offers (RFC 3311 with early media) are not relayed. */
		sip_ua_respond_now(b->ua, from->nh, 491, "Request Pending", NULL);
		return;
	}
	if (call->reinvite_from || call->moving || call->transfer) {
		sip_ua_respond_now(b->ua, from->nh, 491, "Request Pending", NULL);
		return;
	}
	call->update_kept = sip_ua_keep_request(b->ua);
	if (!call->update_kept) {
		sip_ua_respond_now(b->ua, from->nh, 500, "Server Internal Error", NULL);
		return;
	}
	start_relay(b, call, from, ev);
}
