/* The dialog events of a call's legs: the callee legs' answers (provisional, final, early
 * media, late offer), hangups and cancels from either side, and what the caller is answered in
 * consequence. Setup and teardown of the call itself are in b2bua.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_alloc.h>

#include "b2bua_fork.h"
#include "b2bua_internal.h"
#include "call_exec.h"
#include "call_move.h"
#include "call_persist.h"
#include "call_record.h"
#include "call_restore.h"
#include "clock.h"
#include "log.h"
#include "sdp_negotiate.h"
#include "session_timer.h"

/* ---- answering the caller ----------------------------------------------------------------- */

void respond_a(struct b2bua *b, struct call *call, int status, const char *phrase, const char *sdp)
{
	if (!leg_live(&call->a))
		return;
	sip_ua_respond(b->ua, call->a.nh, status, phrase, sdp, NULL);
	if (sdp && sdp != call->a.sdp_sent)
		call_keep_text(call, &call->a.sdp_sent, sdp, -1);
	if (status >= 200 && status < 300) {
		leg_set_state(&call->a, LEG_ANSWERED, "2xx sent");
		call->a.final_status = status;
	} else if (status >= 300) {
		leg_set_state(&call->a, LEG_TERMINATING, "final answer sent");
		call->a.final_status = status;
	} else if (call->a.state < LEG_EARLY) {
		leg_set_state(&call->a, LEG_EARLY, "1xx sent");
	}
}

const char *sdp_warning(const struct b2bua *b, const struct call *call, char *buf, size_t len)
{
	const char *host = b->cfg->sip_host;
	size_t n = (size_t)snprintf(
	    buf, len, strchr(host, ':') ? "Warning: 399 [%s] \"" : "Warning: 399 %s \"", host);

	/* The reason may quote the peer's SDP: keep only what a quoted-string can carry. */
	for (const char *c = call->media_error; *c && n + 4 < len; c++)
		buf[n++] = (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\') ? *c : '?';
	if (n + 4 <= len)
		memcpy(buf + n, "\"\r\n", 4);
	return buf;
}

void refuse_offer_a(struct b2bua *b, struct call *call, int rc)
{
	int status = sdp_negotiate_sip_status(rc);
	char warning[SDP_WARNING_LEN];

	if (!leg_live(&call->a))
		return;
	sip_ua_respond(b->ua, call->a.nh, status, NULL, NULL,
	               sdp_warning(b, call, warning, sizeof(warning)));
	leg_set_state(&call->a, LEG_TERMINATING, "offer refused");
	call->a.final_status = status;
}

/* The status A gets when every B leg failed: 6xx wins, then the first failure that is not a
 * plain "nobody there" (408/480), as a forking proxy would choose (RFC 3261 16.7). */
static int best_failure(const struct call *call)
{
	int best = 0;

	for (unsigned i = 0; i < call->n_b; i++) {
		int s = call->b[i].final_status;

		if (s >= 600)
			return s;
		if (s >= 300 && (!best || ((best == 408 || best == 480) && s != 408 && s != 480)))
			best = s;
	}
	return best ? best : 480;
}

static bool all_b_failed(const struct call *call)
{
	for (unsigned i = 0; i < call->n_b; i++)
		if (call->b[i].final_status < 300)
			return false;
	return true;
}

/* ---- session timers (RFC 4028) ------------------------------------------------------------- */

static bool leg_session_expired(const struct call *call, const struct leg *leg)
{
	return session_timer_expired(leg->state == LEG_CONFIRMED, call->state == CALL_ENDING);
}

/* The stack ended this side's dialog itself (session_timer.h): the other leg gets a BYE whose
 * Reason says why, the media session goes, the CDR has the cause. */
static void session_expired_hangup(struct b2bua *b, struct call *call, const char *side)
{
	log_notice("call", "%s on the %s leg: no refresh from it, or no answer to ours",
	           SESSION_TIMER_REASON_TEXT, side);
	call->hangup_text = SESSION_TIMER_REASON_TEXT;
	call_hangup(b, call, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE, side);
}

/* ---- B leg events ------------------------------------------------------------------------- */

static void on_b_answer_ready(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call))
		return;
	if (rc) {
		log_warn("call", "media update for the answer failed: %s %s", strerror(-rc),
		         call->media_error);
		call_hangup(b, call,
		            rc == -EPROTO ? HANGUP_CAUSE_INCOMPATIBLE_DESTINATION
		                          : HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
		            "media");
		return;
	}
	if (call->winner && call->state == CALL_ANSWERED) {
		b2bua_fork_answer_a(b, call);
		return;
	}
	/* Early media: 183 with the answer, repeated in the 200 later. */
	respond_a(b, call, 183, "Session Progress", call->sdp_out);
	call->a_early_media = true;
}

/* Late offer: B's 200 carries the offer; A gets ours in its 200 and answers in its ACK. */
static void on_late_offer_ready(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call))
		return;
	if (rc) {
		log_warn("call", "late offer from the callee not usable: %s %s", strerror(-rc),
		         call->media_error);
		call_hangup(b, call,
		            rc == -EPROTO || rc == -EBADMSG
		                ? HANGUP_CAUSE_INCOMPATIBLE_DESTINATION
		                : HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION,
		            "media");
		return;
	}
	respond_a(b, call, 200, "OK", call->sdp_out);
}

static void late_offer_from_b(struct b2bua *b, struct call *call, const struct ua_leg_event *ev)
{
	if (!ev->sdp) {
		log_warn("call", "late offer: the callee's 200 has no SDP");
		call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, "callee");
		return;
	}
	if (call_media_offer(b->cm, call, SIDE_B, ev->sdp, ev->sdp_len, on_late_offer_ready) != 0) {
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION, "media");
		return;
	}
}

static void on_late_answer_ready(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call))
		return;
	if (rc || !call->winner || !call->winner->nh) {
		log_warn("call", "late answer from the caller not usable: %s %s", strerror(-rc),
		         call->media_error);
		call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, "caller");
		return;
	}
	sip_ua_ack(b->ua, call->winner->nh, call->sdp_out);
	call_keep_text(call, &call->winner->sdp_sent, call->sdp_out, -1);
	/* The call's SDP is complete only now: what a restart continues. */
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
	call_exec_answered(b, call);
}

static void b_answered(struct b2bua *b, struct call *call, struct leg *leg,
                       const struct ua_leg_event *ev)
{
	int rc;

	if (call->state == CALL_ENDING && call->winner != leg) {
		/* The answer crossed our CANCEL (or the call ended meanwhile): ACKed by the stack,
		 * hung up here. */
		leg->final_status = ev->status;
		leg_set_state(leg, LEG_CONFIRMED, "2xx after the call ended");
		leg_end(b, leg,
		        call->hangup_cause ? call->hangup_cause : HANGUP_CAUSE_NORMAL_CLEARING);
		return;
	}
	if (call->winner && call->winner != leg) {
		/* Another contact answered first: this one gets a BYE (lose the race). */
		leg_end(b, leg, HANGUP_CAUSE_LOSE_RACE);
		return;
	}
	leg_set_state(leg, LEG_CONFIRMED, "2xx received");
	leg->final_status = ev->status;
	if (call->winner == leg)
		return; /* retransmitted 200 */
	call->winner = leg;
	call_set_state(call, CALL_ANSWERED, "2xx from a B leg");
	call->answered_ms = clock_mono_ms();
	call->answer_epoch = (int64_t)time(NULL);
	call->b_call_id = su_strdup(call->home, ev->call_id);
	call->b_to_tag = su_strdup(call->home, ev->to_tag);
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
	if (call->timer)
		su_timer_reset(call->timer);
	for (unsigned i = 0; i < call->n_b; i++)
		if (&call->b[i] != leg)
			leg_end(b, &call->b[i], HANGUP_CAUSE_LOSE_RACE);
	log_info("call", "answered by %s", leg->contact);
	if (ev->sdp)
		call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
	if (call->late_offer) {
		late_offer_from_b(b, call, ev);
		return;
	}
	if (!ev->sdp) {
		if (call->a_early_media) {
			b2bua_fork_answer_a(b, call);
			return;
		}
		log_warn("call", "200 from %s without SDP", leg->contact);
		call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, "callee");
		return;
	}
	rc = call_media_answer(b->cm, call, SIDE_B, ev->sdp, ev->sdp_len, on_b_answer_ready);
	if (rc == -EPROTO || rc == -EBADMSG || rc == -EMSGSIZE) {
		/* The callee's answer cannot be used (e.g. plain RTP to our RTP/SAVP offer): the
		 * caller hears 488, as for an offer we cannot accept. */
		log_notice("call", "answer from %s refused: %s", leg->contact, call->media_error);
		call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, "callee");
	} else if (rc) {
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
	}
}

static void b_provisional(struct b2bua *b, struct call *call, struct leg *leg,
                          const struct ua_leg_event *ev)
{
	if (leg->state < LEG_EARLY)
		leg_set_state(leg, LEG_EARLY, "1xx received");
	if (call->winner || call->state == CALL_ENDING)
		return;
	if (ev->status == 180 || ev->status == 183) {
		call_exec_ringing(b, call);
		if (call->state == CALL_ENDING) /* the hook ended the call */
			return;
	}
	if (ev->sdp)
		call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
	if (ev->sdp && !call->a_early_media) {
		/* Early media from the first contact that offers it. */
		call_media_answer(b->cm, call, SIDE_B, ev->sdp, ev->sdp_len, on_b_answer_ready);
		return;
	}
	if (!call->a_ringing_sent && !call->a_early_media) {
		respond_a(b, call, 180, "Ringing", NULL);
		call->a_ringing_sent = true;
	}
}

static void b_failed(struct b2bua *b, struct call *call, struct leg *leg,
                     const struct ua_leg_event *ev)
{
	leg->final_status = b2bua_fork_leg_status(call, leg, ev->status);
	/* Also reached once the handle is gone (done): that leg stays done. */
	if (leg->state != LEG_DONE)
		leg_set_state(leg, LEG_TERMINATING, "failure received");
	log_info("call", "contact %s answered %d %s", leg->contact, ev->status,
	         ev->phrase ? ev->phrase : "");
	if (call->winner || call->state == CALL_ENDING || !all_b_failed(call) ||
	    b2bua_fork_failover(b, call))
		return;
	int status = best_failure(call);

	if (call->a.state >= LEG_ANSWERED) {
		/* Answered before the bridge: A gets a BYE with the cause. */
		call_hangup(b, call, hangup_cause_from_sip(status), "callee");
		return;
	}
	call->hangup_cause = hangup_cause_from_sip(status);
	call->hangup_side = "callee";
	call_set_state(call, CALL_ENDING, "every B leg failed");
	respond_a(b, call, status, NULL, NULL);
	media_stop(b, call);
}

static void on_b_event(struct b2bua *b, struct call *call, struct leg *leg,
                       const struct ua_leg_event *ev)
{
	switch (ev->kind) {
	case UA_EV_RESPONSE:
		if (call->move_wait && call_move_answered(b, call, leg, ev))
			break;
		if (call->reinvite_to == leg) {
			b2bua_reinvite_answered(b, call, leg, ev);
			break;
		}
		if (ev->status < 200)
			b_provisional(b, call, leg, ev);
		else if (ev->status < 300)
			b_answered(b, call, leg, ev);
		else
			b_failed(b, call, leg, ev);
		break;
	case UA_EV_REINVITE:
		if (leg == call->winner)
			b2bua_reinvite_received(b, call, leg, ev);
		else
			sip_ua_respond(b->ua, leg->nh, 481, "Call Does Not Exist", NULL, NULL);
		break;
	case UA_EV_UPDATE:
		if (leg == call->winner)
			b2bua_update_received(b, call, leg, ev);
		else
			sip_ua_respond_now(b->ua, leg->nh, 481, "Call Does Not Exist", NULL);
		break;
	case UA_EV_UPDATE_RESPONSE:
		b2bua_reinvite_answered(b, call, leg, ev);
		break;
	case UA_EV_REQUEST:
		b2bua_indialog_received(b, call, leg, ev);
		break;
	case UA_EV_REQUEST_RESPONSE:
		b2bua_indialog_answered(b, call, leg, ev);
		break;
	case UA_EV_PRACK:
		b2bua_prack_event(leg, ev);
		break;
	case UA_EV_BYE:
		leg_set_state(leg, LEG_TERMINATING, "BYE received");
		if (leg == call->winner)
			call_hangup(b, call, HANGUP_CAUSE_NORMAL_CLEARING, "callee");
		break;
	case UA_EV_TERMINATED:
		if (leg == call->winner && leg_session_expired(call, leg)) {
			leg_release(b, leg);
			session_expired_hangup(b, call, "callee");
			break;
		}
		leg_release(b, leg);
		if (!call->winner && call->state != CALL_ENDING && all_b_failed(call)) {
			if (!leg->final_status)
				leg->final_status = ev->status >= 300 ? ev->status : 408;
			b_failed(b, call, leg, ev);
		} else if (leg == call->winner && call->state != CALL_ENDING) {
			call_hangup(b, call, HANGUP_CAUSE_NORMAL_CLEARING, "callee");
		}
		break;
	default:
		break;
	}
}

/* ---- A leg events ------------------------------------------------------------------------- */

static void on_a_event(struct b2bua *b, struct call *call, const struct ua_leg_event *ev)
{
	switch (ev->kind) {
	case UA_EV_ACK:
		if (call->late_offer && call->state == CALL_ANSWERED) {
			if (ev->sdp)
				call_keep_text(call, &call->a.sdp, ev->sdp, (isize_t)ev->sdp_len);
			if (!ev->sdp || call_media_answer(b->cm, call, SIDE_A, ev->sdp, ev->sdp_len,
			                                  on_late_answer_ready) != 0) {
				log_warn("call", "late offer: the caller's ACK has no usable SDP");
				leg_set_state(&call->a, LEG_CONFIRMED, "ACK received");
				call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION,
				            "caller");
				break;
			}
		}
		leg_set_state(&call->a, LEG_CONFIRMED, "ACK received");
		if (call->state == CALL_ANSWERED) {
			call_set_state(call, CALL_ACTIVE, "ACK received");
			log_info("call", "active");
			call_record_dialog(b->deps.store, call, b->cfg->node_id);
		}
		break;
	case UA_EV_CANCEL:
		leg_set_state(&call->a, LEG_TERMINATING, "CANCEL received");
		call->a.final_status = 487;
		call_hangup(b, call, HANGUP_CAUSE_ORIGINATOR_CANCEL, "caller");
		break;
	case UA_EV_BYE:
		leg_set_state(&call->a, LEG_TERMINATING, "BYE received");
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_CLEARING, "caller");
		break;
	case UA_EV_REINVITE:
		b2bua_reinvite_received(b, call, &call->a, ev);
		break;
	case UA_EV_UPDATE:
		b2bua_update_received(b, call, &call->a, ev);
		break;
	case UA_EV_RESPONSE:
		if (call->move_wait && call_move_answered(b, call, &call->a, ev))
			break;
		b2bua_reinvite_answered(b, call, &call->a, ev);
		break;
	case UA_EV_UPDATE_RESPONSE:
		b2bua_reinvite_answered(b, call, &call->a, ev);
		break;
	case UA_EV_REQUEST:
		b2bua_indialog_received(b, call, &call->a, ev);
		break;
	case UA_EV_REQUEST_RESPONSE:
		b2bua_indialog_answered(b, call, &call->a, ev);
		break;
	case UA_EV_PRACK:
		b2bua_prack_event(&call->a, ev);
		break;
	case UA_EV_TERMINATED:
		if (leg_session_expired(call, &call->a)) {
			leg_release(b, &call->a);
			session_expired_hangup(b, call, "caller");
			call_maybe_free(b, call);
			break;
		}
		leg_release(b, &call->a);
		if (call->state != CALL_ENDING)
			call_hangup(b, call,
			            ev->status == 408 || b2bua_prack_a_timed_out(call, ev)
			                ? HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE
			                : HANGUP_CAUSE_NORMAL_CLEARING,
			            "caller");
		call_maybe_free(b, call);
		break;
	default:
		break;
	}
}

void b2bua_on_leg_event(void *arg, void *legp, const struct ua_leg_event *ev)
{
	struct b2bua *b = arg;
	struct leg *leg = legp;
	struct call *call = leg->call;

	log_set_context(call->call_id);
	call_persist_note_event(call, leg, ev);
	if (call->restore_wait && call_restore_event(b, call, leg, ev)) {
		call_maybe_free(b, call);
		return;
	}
	if (b2bua_transfer_event(b, call, leg, ev)) {
		call_maybe_free(b, call);
		return;
	}
	if (leg->is_a)
		on_a_event(b, call, ev);
	else
		on_b_event(b, call, leg, ev);
	call_maybe_free(b, call);
}
