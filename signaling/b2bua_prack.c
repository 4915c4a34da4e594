/* Reliable provisional answers (100rel and PRACK, RFC 3262) across the b2bua, on by the other
 * leg's request. The SIP stack runs the protocol: it sends our 1xx to a caller reliably when
 * the caller asks (every 1xx for Require: 100rel; a 183, which always carries our SDP, for
 * Supported: 100rel), retransmits it until the PRACK comes, answers the PRACK, holds our 2xx
 * until a 1xx with SDP is PRACKed, and answers the INVITE 504 after 64*T1 without one; and it
 * PRACKs every reliable 1xx a callee sends, offered or not. Here: what the callee legs are
 * offered, how a PRACK timeout ends the call, and the log. */
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "b2bua_internal.h"
#include "log.h"

void b2bua_prack_note_invite(struct call *call, const sip_t *sip)
{
	if (!sip)
		return;
	call->a_100rel_required = sip_has_feature(sip->sip_require, "100rel");
	call->a_100rel = call->a_100rel_required || sip_has_feature(sip->sip_supported, "100rel");
	if (call->a_100rel)
		log_debug("call", "caller %s 100rel: %s sent reliably",
		          call->a_100rel_required ? "requires" : "supports",
		          call->a_100rel_required ? "every 1xx" : "a 183 with SDP");
}

/* A callee that requires 100rel can take the call only if offered; one that sends a reliable
 * 1xx anyway is PRACKed all the same. Offered only when the caller asked for it, so the calls
 * of callers that did not go out as they always did. */
bool b2bua_prack_offer_b(const struct call *call)
{
	return call->a_100rel;
}

void b2bua_prack_event(const struct leg *leg, const struct ua_leg_event *ev)
{
	const sip_t *sip = ev->sip;

	if (leg->is_a) {
		log_info("call", "PRACK from the caller for RSeq %lu: %d",
		         sip && sip->sip_rack ? (unsigned long)sip->sip_rack->ra_response : 0ul,
		         ev->status);
		return;
	}
	if (ev->status >= 300)
		log_notice("call", "PRACK to %s answered %d %s", leg->contact, ev->status,
		           ev->phrase ? ev->phrase : "");
	else
		log_info("call", "PRACK to %s answered %d", leg->contact, ev->status);
}

bool b2bua_prack_a_timed_out(struct call *call, const struct ua_leg_event *ev)
{
	if (ev->status != 504 || !call->a_100rel || call->state == CALL_ACTIVE)
		return false;
	log_notice("call", "no PRACK from the caller for our reliable %s: answered 504",
	           call->a_early_media ? "183" : "1xx");
	call->a.final_status = 504;
	return true;
}
