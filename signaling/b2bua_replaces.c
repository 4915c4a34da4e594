/* INVITE with Replaces (RFC 3891): another device of the same authenticated user takes over a
 * leg of a call of ours; the session's side of that leg is pointed at the new party. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "b2bua_internal.h"
#include "b2bua_transfer_internal.h"
#include "call_record.h"
#include "log.h"

/* The replacement did not happen: the replaced leg's side of the session points back at it,
 * the new party gets status (when still unanswered). */
static void replace_fail(struct b2bua *b, struct call *call, int status, const char *why)
{
	struct transfer *x = call->transfer;
	struct leg *old = x->referrer, *n = x->replacer;

	log_info("call", "INVITE with Replaces failed: %d (%s)", status, why);
	if (n->nh && n->state < LEG_ANSWERED) {
		sip_ua_respond(b->ua, n->nh, status, NULL, NULL, NULL);
		n->final_status = status;
		leg_set_state(n, LEG_TERMINATING, "final answer sent");
	}
	xfer_transfer_free(call);
	if (call->state == CALL_ENDING)
		return;
	if (!old->nh || old->state != LEG_CONFIRMED)
		/* The replaced party left meanwhile: nobody is left to talk to. */
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_CLEARING, "transfer");
	else if (!old->sdp || call_media_repoint(b->cm, call, xfer_side_of(old), old->sdp,
	                                         strlen(old->sdp), NULL) != 0)
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
}

static void on_replacer_answer(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct transfer *x = call->transfer;
	struct leg *old, *n;

	if (media_reply_ending(call) || !x || !x->replacer)
		return;
	if (rc || !x->replacer->nh) {
		replace_fail(b, call, 488, "the answer does not fit the new party's offer");
		return;
	}
	old = x->referrer;
	n = x->replacer;
	sip_ua_respond(b->ua, n->nh, 200, "OK", call->sdp_out, NULL);
	call_keep_text(call, &n->sdp_sent, call->sdp_out, -1);
	n->final_status = 200;
	leg_set_state(n, LEG_ANSWERED, "2xx sent");
	x->phase = XFER_REPLACE_ACK;
	if (old->is_a) {
		xfer_swap_into_a(b, call, n);
		x->replacer = &call->a;
	} else {
		call->winner = n;
	}
	leg_end(b, x->referrer, HANGUP_CAUSE_ATTENDED_TRANSFER);
	log_info("call", "INVITE with Replaces: the %s leg replaced", xfer_side_name(x->replacer));
}

static void on_replacer_offer(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct transfer *x = call->transfer;

	if (media_reply_ending(call) || !x || !x->replacer)
		return;
	if (rc || !x->transferee->nh) {
		replace_fail(b, call, rc == -EPROTO ? 488 : 500, "its offer not applied");
		return;
	}
	sip_ua_reinvite(b->ua, x->transferee->nh, call->sdp_out);
	call_keep_text(call, &x->transferee->sdp_sent, call->sdp_out, -1);
}

bool xfer_replace_event(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev)
{
	struct transfer *x = call->transfer;

	if (leg == x->transferee && ev->kind == UA_EV_RESPONSE && x->phase == XFER_REPLACING) {
		if (ev->status < 200)
			return true;
		if (ev->status >= 300 || !ev->sdp) {
			replace_fail(b, call, ev->status >= 300 ? ev->status : 488,
			             "the other party refused the new offer");
			return true;
		}
		call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
		if (call_media_answer(b->cm, call, xfer_side_of(leg), ev->sdp, ev->sdp_len,
		                      on_replacer_answer) != 0)
			replace_fail(b, call, 500, "the other party's answer not applied");
		return true;
	}
	if (leg == x->referrer && x->phase == XFER_REPLACING &&
	    (ev->kind == UA_EV_BYE || ev->kind == UA_EV_TERMINATED)) {
		/* The replaced party hangs up while being replaced: the new one goes on. */
		if (ev->kind == UA_EV_BYE)
			leg_set_state(leg, LEG_TERMINATING, "BYE received");
		else
			leg_release(b, leg);
		return true;
	}
	if (leg != x->replacer)
		return false;
	switch (ev->kind) {
	case UA_EV_ACK:
		leg_set_state(leg, LEG_CONFIRMED, "ACK received");
		if (x->phase == XFER_REPLACE_ACK) {
			log_info("call", "INVITE with Replaces: complete");
			xfer_transfer_done(b, call);
		}
		return true;
	case UA_EV_CANCEL:
		leg_set_state(leg, LEG_TERMINATING, "CANCEL received");
		leg->final_status = 487;
		replace_fail(b, call, 487, "cancelled");
		return true;
	case UA_EV_TERMINATED:
		leg_release(b, leg);
		if (x->phase != XFER_REPLACE_ACK)
			replace_fail(b, call, 500, "the new party is gone");
		else
			call_hangup(b, call, HANGUP_CAUSE_NORMAL_CLEARING, "caller");
		return true;
	default:
		return false;
	}
}

bool b2bua_transfer_replaces(struct b2bua *b, ua_handle *nh, const struct ua_request *req,
                             const char *user)
{
	const sip_replaces_t *rp = req->sip->sip_replaces;
	struct leg *old = sip_ua_leg_by_replaces(b->ua, rp);
	struct call *call = old ? old->call : NULL;
	struct leg *other = NULL, *n;
	struct transfer *x;
	int rc;

	if (call && !call->done && call->state == CALL_ACTIVE &&
	    (old->is_a || old == call->winner) && old->state == LEG_CONFIRMED)
		other = xfer_other_leg(call, old);
	if (!other || !leg_live(other) || other->state != LEG_CONFIRMED) {
		log_notice("call", "INVITE with Replaces from %s: no such call: 481", user);
		sip_ua_respond(b->ua, nh, 481, "Call Does Not Exist", NULL, NULL);
		return true;
	}
	log_set_context(call->call_id);
	if (rp->rp_early_only) {
		log_notice("call", "INVITE with Replaces (early-only) from %s: the call is up: 486",
		           user);
		sip_ua_respond(b->ua, nh, 486, "Busy Here", NULL, NULL);
		return true;
	}
	if (!xfer_leg_user(call, old) || strcmp(user, xfer_leg_user(call, old)) != 0) {
		log_notice("call", "INVITE with Replaces from %s for a leg of %s: 403", user,
		           xfer_leg_user(call, old) ? xfer_leg_user(call, old) : "?");
		sip_ua_respond(b->ua, nh, 403, "Forbidden (Not Your Call)", NULL, NULL);
		return true;
	}
	if (call->transfer || call->reinvite_from || call->moving || call->restore_wait ||
	    call->offers_refused || !req->sdp) {
		log_notice("call", "INVITE with Replaces from %s refused: %s", user,
		           req->sdp ? "the call is busy" : "no offer");
		sip_ua_respond(b->ua, nh, req->sdp ? 491 : 488, NULL, NULL, NULL);
		return true;
	}
	x = su_zalloc(call->home, sizeof(*x));
	n = x ? xfer_free_slot(call, x) : NULL;
	if (!n) {
		su_free(call->home, x);
		sip_ua_respond(b->ua, nh, 503, "Service Unavailable", NULL, NULL);
		return true;
	}
	x->referrer = old;
	x->transferee = other;
	x->replacer = n;
	x->phase = XFER_REPLACING;
	x->target = su_strdup(call->home, user);
	n->nh = nh;
	n->src_ip = su_strdup(call->home, req->src_ip);
	n->sdp = su_strndup(call->home, req->sdp, (isize_t)req->sdp_len);
	leg_set_state(n, LEG_CALLING, "INVITE with Replaces received");
	sip_ua_bind(b->ua, nh, n);
	call->transfer = x;
	log_info("call", "INVITE with Replaces from %s (%s): replacing the %s leg", user,
	         req->call_id, xfer_side_name(old));
	rc = call_media_offer(b->cm, call, xfer_side_of(old), req->sdp, req->sdp_len,
	                      on_replacer_offer);
	if (rc)
		replace_fail(b, call, rc == -EPROTO || rc == -EBADMSG ? 488 : 500,
		             "offer not taken");
	return true;
}
