/* Call transfer (RFC 3515): a leg of an established call (the referrer) sends REFER; the other
 * leg (the transferee) stays, and the Refer-To target takes the referrer's place.
 *
 * Blind: the target is hunted in the dialplan as a call from the referrer's account (its
 * context and variables: the referrer is who asked) and called from the transferee's identity,
 * with an offer built from the transferee's last SDP (made sendrecv: a transferee is usually
 * on hold) at the ports of the referrer's side of the session. Until the target answers the
 * original call stays as it was. When it answers, the session's referrer side is pointed at the
 * target (the answer), the transferee gets a re-INVITE with the session's new answer for it,
 * the referrer a final NOTIFY and a BYE. A target that fails (busy, unknown, no answer) is
 * reported in a final NOTIFY and the call goes on; if the referrer hung up meanwhile, the
 * transferee is hung up with the target's cause.
 *
 * The target's legs use free B slots of the call, so hangup and teardown cover them; once one
 * answers it becomes the winner (the referrer was B) or the call's A leg (the referrer was A:
 * the two legs swap places, so that A is still the media session's side A). While a transfer
 * runs, mid-call offers get 491: the session's negotiation belongs to the transfer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/url.h>

#include "b2bua_internal.h"
#include "b2bua_transfer_internal.h"
#include "call_record.h"
#include "clock.h"
#include "directory.h"
#include "log.h"
#include "refer_parse.h"
#include "router.h"
#include "sdp_unhold.h"

/* REFERs accepted per call: each costs a dialplan hunt and memory on the call's home. */
#define TRANSFER_MAX_PER_CALL 8

enum call_side xfer_side_of(const struct leg *leg)
{
	return leg->is_a ? SIDE_A : SIDE_B;
}

const char *xfer_side_name(const struct leg *leg)
{
	return leg->is_a ? "caller" : "callee";
}

struct leg *xfer_other_leg(struct call *call, struct leg *leg)
{
	return leg->is_a ? call->winner : &call->a;
}

static bool is_target_leg(const struct transfer *x, const struct call *call, const struct leg *leg)
{
	return !leg->is_a && leg >= call->b && leg < call->b + CALL_MAX_FORKS &&
	       (x->legs & (1u << leg->index));
}

/* The address a leg's requests come from, when known: A's INVITE source; a B contact's
 * registration source, or its NAT next hop. Empty when unknown (a call taken back after a
 * restart): nothing to compare with. */
static void leg_source(const struct leg *leg, char *buf, size_t len)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u;

	buf[0] = '\0';
	if (leg->src_ip && *leg->src_ip) {
		snprintf(buf, len, "%s", leg->src_ip);
	} else if (leg->proxy && (u = url_make(home, leg->proxy)) != NULL && u->url_host) {
		const char *h = u->url_host;
		size_t n = strlen(h);

		if (n > 2 && h[0] == '[' && h[n - 1] == ']')
			snprintf(buf, len, "%.*s", (int)(n - 2), h + 1);
		else
			snprintf(buf, len, "%s", h);
	}
	su_home_deinit(home);
}

static bool our_host(const struct b2bua *b, const char *host)
{
	size_t n = strlen(host);
	char bare[128];

	if (n > 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(bare)) {
		memcpy(bare, host + 1, n - 2);
		bare[n - 2] = '\0';
		host = bare;
	}
	return su_casematch(host, b->cfg->sip_domain) || su_casematch(host, b->cfg->sip_host);
}

/* The account a leg belongs to: the caller for A, the user the dialplan bridged to for B. */
const char *xfer_leg_user(const struct call *call, const struct leg *leg)
{
	return leg->is_a ? call->caller : call->callee;
}

/* Refusals a peer in a call can cause at will: logged within the b2bua's refusal rate. */
static void refuse(struct b2bua *b, struct leg *from, int status, const char *phrase,
                   const char *why)
{
	unsigned dropped = 0;

	if (log_ratelimit(&b->refusal_log, clock_mono_ms(), &dropped))
		log_notice("call", "REFER from the %s refused %d: %s (%u more refusals not logged)",
		           xfer_side_name(from), status, why, dropped);
	sip_ua_respond_now(b->ua, from->nh, status, phrase, NULL);
}

/* ---- the end of a transfer ---------------------------------------------------------------- */

void xfer_transfer_free(struct call *call)
{
	struct transfer *x = call->transfer;

	call->transfer = NULL;
	su_free(call->home, x);
}

/* The target could not be reached: its live legs are cancelled, the referrer told; the call
 * goes on unless the referrer left meanwhile. */
static void transfer_fail(struct b2bua *b, struct call *call, int status, const char *why)
{
	struct transfer *x = call->transfer;
	bool gone = x->referrer_gone;

	log_info("call", "transfer to %s failed: %d (%s)", x->target, status, why);
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++)
		if (x->legs & (1u << i))
			leg_end(b, &call->b[i],
			        status == 408 ? HANGUP_CAUSE_NO_ANSWER
			                      : HANGUP_CAUSE_ORIGINATOR_CANCEL);
	if (call->timer)
		su_timer_reset(call->timer);
	if (!gone && x->referrer->nh && call->state != CALL_ENDING)
		sip_ua_notify_refer(b->ua, x->referrer->nh, x->event, status, NULL, true);
	xfer_transfer_free(call);
	if (gone && call->state != CALL_ENDING)
		call_hangup(b, call, hangup_cause_from_sip(status), "transfer");
}

void xfer_transfer_done(struct b2bua *b, struct call *call)
{
	log_info("call", "transfer to %s complete", call->transfer->target);
	xfer_transfer_free(call);
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
}

/* ---- calling the target ------------------------------------------------------------------- */

static void on_transfer_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;

	log_set_context(call->call_id);
	if (!call->transfer || call->transfer->phase != XFER_CALLING || call->state == CALL_ENDING)
		return;
	log_info("call", "transfer: no answer within %u s", call->transfer->timeout_s);
	transfer_fail(call->owner, call, 408, "timeout");
}

/* A B slot free for a target leg (never used, or done and not the winner), cleared; NULL when
 * none is. */
struct leg *xfer_free_slot(struct call *call, const struct transfer *x)
{
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++) {
		struct leg *l = &call->b[i];

		if (i >= call->n_b || (l->state == LEG_DONE && !l->nh && l != call->winner &&
		                       !(x->legs & (1u << i)))) {
			memset(l, 0, sizeof(*l));
			l->call = call;
			l->index = i;
			if (i >= call->n_b)
				call->n_b = i + 1;
			return l;
		}
	}
	return NULL;
}

/* Puts the route's first group of targets (a transfer rings one group: no failover) in free B
 * slots; returns how many found one. */
static unsigned take_slots(struct b2bua *b, struct call *call, struct transfer *x,
                           const struct route_result *res)
{
	unsigned n = 0;

	for (unsigned t = 0; t < res->n_targets; t++) {
		const struct route_target *rt = &res->targets[t];
		struct leg *leg;

		if (rt->group != res->targets[0].group)
			continue;
		if (!(leg = xfer_free_slot(call, x)))
			break;
		leg->contact = rt->ruri;
		leg->proxy = rt->proxy;
		leg->src_ip = rt->src_ip;
		if (!leg->proxy && rt->tcp_flow &&
		    sip_ua_tcp_flow_open(b->ua, rt->src_ip, rt->src_port)) {
			leg->proxy = rt->tcp_flow;
			leg->proxy_is_flow = true;
		}
		x->legs |= 1u << leg->index;
		n++;
	}
	return n;
}

static void on_target_offer(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct transfer *x = call->transfer;
	unsigned started = 0;

	if (media_reply_ending(call) || !x)
		return;
	if (rc) {
		log_warn("call", "transfer: no offer for the target: %s %s", strerror(-rc),
		         call->media_error);
		transfer_fail(b, call, rc == -EPROTO ? 488 : 503, "media");
		return;
	}
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++) {
		struct leg *leg = &call->b[i];
		struct ua_invite inv = {
		    .ruri = leg->contact,
		    .proxy = leg->proxy,
		    .from = x->from,
		    .to = x->to,
		    .sdp = call->sdp_out,
		    .headers = x->headers,
		};

		if (!(x->legs & (1u << i)))
			continue;
		if (x->attended) {
			/* Its dialog exists: a new offer in it, from the session it now joins. */
			sip_ua_reinvite(b->ua, leg->nh, call->sdp_out);
			call_keep_text(call, &leg->sdp_sent, call->sdp_out, -1);
			started++;
			log_info("call", "transfer: re-INVITE to %s", x->target);
			continue;
		}
		leg->nh = sip_ua_invite(b->ua, leg, &inv);
		if (!leg->nh) {
			leg->final_status = 500;
			leg_set_state(leg, LEG_DONE, "INVITE not sent");
			x->legs &= ~(1u << i);
			continue;
		}
		leg_set_state(leg, LEG_CALLING, "INVITE sent");
		call_keep_text(call, &leg->sdp_sent, call->sdp_out, -1);
		started++;
		log_info("call", "transfer: calling %s%s%s", leg->contact,
		         leg->proxy ? " via " : "", leg->proxy ? leg->proxy : "");
	}
	if (!started) {
		transfer_fail(b, call, 503, "no INVITE sent");
		return;
	}
	if (!call->timer)
		call->timer = su_timer_create(su_root_task(b->root), 0);
	if (call->timer)
		su_timer_set_interval(call->timer, on_transfer_timeout, (su_timer_arg_t *)call,
		                      (su_duration_t)(x->timeout_s * 1000));
}

/* Hunts the target as a call from the referrer's account. */
static void route_target(struct b2bua *b, struct call *call, const char *user, const char *target,
                         const char *src_ip, struct route_result *res)
{
	const struct directory_user *u =
	    user ? directory_find(b->deps.dir, user, b->cfg->sip_domain) : NULL;
	struct route_var vars[64];
	struct route_request rr = {
	    .caller = user ? user : "",
	    .destination = target,
	    .network_addr = src_ip,
	    .domain = b->cfg->sip_domain,
	    .context = b->cfg->dialplan_context,
	    .vars = vars,
	};
	const char *ctx;

	for (size_t i = 0; u && i < u->n_vars && rr.n_vars < 64; i++)
		vars[rr.n_vars++] = (struct route_var){u->vars[i].name, u->vars[i].value};
	if (u && (ctx = directory_user_var(u, "user_context")) != NULL && *ctx)
		rr.context = ctx;
	router_route(b->deps.router, call->home, &rr, res);
	if (res->program && !res->status && !res->n_targets) {
		/* A transfer joins the target to a call in progress: prompts, recordings and
		 * scripts of its plan have no caller of their own to run for. */
		log_notice("call",
		           "transfer to %s: its plan runs applications before the bridge, "
		           "which a transfer does not: refused",
		           target);
		res->status = 488;
		res->cause = HANGUP_CAUSE_INCOMPATIBLE_DESTINATION;
		res->reason = su_strdup(call->home, "plan waits before the bridge");
	}
	route_program_free(res->program);
	res->program = NULL;
}

/* The INVITE's From (the transferee's identity), To (the target) and Referred-By. */
static int target_headers(struct b2bua *b, struct call *call, struct transfer *x,
                          const struct refer_target *rt, const struct ua_leg_event *ev)
{
	x->from = x->transferee->is_a ? call->from_header : call->to_header;
	x->to = su_sprintf(call->home, "<%s>", rt->uri);
	x->target = su_strdup(call->home, rt->user);
	x->event = su_strdup(call->home, ev->event ? ev->event : "refer");
	if (ev->referred_by && !strpbrk(ev->referred_by, "\r\n"))
		x->headers = su_sprintf(call->home, "Referred-By: %s\r\n", ev->referred_by);
	return x->to && x->target && x->event ? 0 : -ENOMEM;
}

/* The transferee's session, resumed: the target is offered what it can send and take, at the
 * session's ports for the referrer's side; on_target_offer sends it. */
static void offer_to_target(struct b2bua *b, struct call *call, struct transfer *x)
{
	struct leg *to = x->transferee;
	char *sdp = to->sdp ? sdp_unhold(to->sdp, strlen(to->sdp)) : NULL;
	int rc =
	    sdp ? call_media_offer(b->cm, call, xfer_side_of(to), sdp, strlen(sdp), on_target_offer)
	        : -EINVAL;

	free(sdp);
	if (rc) {
		log_warn("call", "transfer: cannot build the target's offer: %s %s", strerror(-rc),
		         call->media_error);
		transfer_fail(b, call, rc == -EPROTO ? 488 : 500, "media");
	}
}

static void blind_transfer(struct b2bua *b, struct call *call, struct leg *from,
                           const struct refer_target *rt, const struct ua_leg_event *ev)
{
	struct transfer *x = su_zalloc(call->home, sizeof(*x));
	struct leg *to = xfer_other_leg(call, from);
	struct route_result res;

	if (!x) {
		refuse(b, from, 500, "Server Internal Error", "out of memory");
		return;
	}
	x->referrer = from;
	x->transferee = to;
	if (target_headers(b, call, x, rt, ev) != 0) {
		su_free(call->home, x);
		refuse(b, from, 500, "Server Internal Error", "out of memory");
		return;
	}
	sip_ua_respond_now(b->ua, from->nh, 202, "Accepted", NULL);
	call->transfer = x;
	call->transfers++;
	sip_ua_notify_refer(b->ua, from->nh, x->event, 100, "Trying", false);
	log_info("call", "REFER from the %s accepted: transferring the %s to %s",
	         xfer_side_name(from), xfer_side_name(to), rt->uri);

	route_target(b, call, xfer_leg_user(call, from), rt->user, ev->src_ip, &res);
	if (res.status) {
		log_info("call", "transfer: %s -> %s: %d (%s)", xfer_leg_user(call, from), rt->user,
		         res.status, res.reason ? res.reason : hangup_cause_name(res.cause));
		transfer_fail(b, call, res.status, "dialplan");
		return;
	}
	x->target_callee = res.callee;
	x->timeout_s = res.timeout_s ? res.timeout_s : (unsigned)b->cfg->call_timeout_s;
	if (!take_slots(b, call, x, &res)) {
		transfer_fail(b, call, 503, "no free leg");
		return;
	}
	offer_to_target(b, call, x);
}

/* ---- the target's answer ------------------------------------------------------------------ */

/* The referrer was A: the target becomes A (side A of the session) and the referrer takes the
 * target's B slot, where it is ended like any B leg that is not the winner. Requests relayed
 * through A are answered first: their legs change. */
void xfer_swap_into_a(struct b2bua *b, struct call *call, struct leg *target)
{
	struct transfer *x = call->transfer;
	struct leg old = call->a;
	unsigned k = target->index;

	b2bua_indialog_drop(b, call);
	call->a = *target;
	call->a.is_a = true;
	call->a.index = 0;
	*target = old;
	target->is_a = false;
	target->index = k;
	if (call->a.nh)
		sip_ua_bind(b->ua, call->a.nh, &call->a);
	if (target->nh)
		sip_ua_bind(b->ua, target->nh, target);
	x->referrer = target;
}

static void on_transferee_repointed(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call) || !call->transfer)
		return;
	if (rc) {
		log_warn("call", "transfer: the transferee's new address not applied: %s",
		         strerror(-rc));
		xfer_transfer_free(call);
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
		return;
	}
	xfer_transfer_done(b, call);
}

static void on_target_answer(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct transfer *x = call->transfer;
	struct leg *to;

	if (media_reply_ending(call) || !x)
		return;
	to = x->transferee;
	if (rc || !to->nh) {
		log_warn("call", "transfer: the target's answer not usable: %s %s",
		         rc ? strerror(-rc) : "the transferee is gone", call->media_error);
		if (!x->referrer_gone && x->referrer->nh)
			sip_ua_notify_refer(b->ua, x->referrer->nh, x->event, 488, NULL, true);
		xfer_transfer_free(call);
		call_hangup(b, call,
		            rc == -EPROTO ? HANGUP_CAUSE_INCOMPATIBLE_DESTINATION
		                          : HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
		            "media");
		return;
	}
	sip_ua_reinvite(b->ua, to->nh, call->sdp_out);
	call_keep_text(call, &to->sdp_sent, call->sdp_out, -1);
	if (!x->referrer_gone && x->referrer->nh)
		sip_ua_notify_refer(b->ua, x->referrer->nh, x->event, 200, "OK", true);
	leg_end(b, x->referrer,
	        x->attended ? HANGUP_CAUSE_ATTENDED_TRANSFER : HANGUP_CAUSE_BLIND_TRANSFER);
	log_info("call", "transfer: %s answered: re-INVITE to the %s%s", x->target,
	         xfer_side_name(to), x->referrer_gone ? "" : ", the referrer is hung up");
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
}

static void target_failed(struct b2bua *b, struct call *call, struct leg *leg, int status)
{
	struct transfer *x = call->transfer;
	int s = status;

	leg->final_status = status;
	if (x->attended && leg->state == LEG_CONFIRMED)
		/* Its dialog refused the new offer: it is not in any call any more. */
		leg_end(b, leg, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE);
	else if (leg->state != LEG_DONE)
		leg_set_state(leg, LEG_TERMINATING, "failure received");
	log_info("call", "transfer: %s answered %d", leg->contact ? leg->contact : x->target,
	         status);
	/* As a forking proxy chooses (RFC 3261 16.7): 6xx, else not a plain "nobody there". */
	if (s >= 600 || !x->best ||
	    (x->best < 600 && (x->best == 408 || x->best == 480) && s != 408 && s != 480))
		x->best = s;
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++)
		if ((x->legs & (1u << i)) && call->b[i].final_status < 300)
			return;
	transfer_fail(b, call, x->best, "the target failed");
}

static void target_answered(struct b2bua *b, struct call *call, struct leg *leg,
                            const struct ua_leg_event *ev)
{
	struct transfer *x = call->transfer;
	enum call_side side = xfer_side_of(x->referrer);
	int rc;

	leg->final_status = ev->status;
	leg_set_state(leg, LEG_CONFIRMED, "2xx received");
	if (!ev->sdp) {
		log_warn("call", "transfer: 200 from %s without SDP", leg->contact);
		leg_end(b, leg, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION);
		target_failed(b, call, leg, 488);
		return;
	}
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++)
		if ((x->legs & (1u << i)) && &call->b[i] != leg)
			leg_end(b, &call->b[i], HANGUP_CAUSE_LOSE_RACE);
	x->legs = 0;
	x->phase = XFER_REINVITE;
	if (call->timer)
		su_timer_reset(call->timer);
	call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
	log_info("call", "transfer: answered by %s", leg->contact);
	if (side == SIDE_A) {
		xfer_swap_into_a(b, call, leg);
		if (x->target_callee)
			call->caller = x->target_callee;
	} else {
		call->winner = leg;
		call->b_call_id = su_strdup(call->home, ev->call_id);
		call->b_to_tag = su_strdup(call->home, ev->to_tag);
		if (x->target_callee)
			call->callee = x->target_callee;
	}
	rc = call_media_answer(b->cm, call, side, ev->sdp, ev->sdp_len, on_target_answer);
	if (rc) {
		log_warn("call", "transfer: the target's answer not usable: %s %s", strerror(-rc),
		         call->media_error);
		if (!x->referrer_gone && x->referrer->nh)
			sip_ua_notify_refer(b->ua, x->referrer->nh, x->event, 488, NULL, true);
		xfer_transfer_free(call);
		call_hangup(b, call, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, "media");
	}
}

/* ---- events ------------------------------------------------------------------------------- */

static bool target_event(struct b2bua *b, struct call *call, struct leg *leg,
                         const struct ua_leg_event *ev)
{
	switch (ev->kind) {
	case UA_EV_RESPONSE:
		if (ev->status < 200) {
			if (leg->state < LEG_EARLY)
				leg_set_state(leg, LEG_EARLY, "1xx received");
		} else if (ev->status < 300) {
			target_answered(b, call, leg, ev);
		} else {
			target_failed(b, call, leg, ev->status);
		}
		return true;
	case UA_EV_TERMINATED:
		leg_release(b, leg);
		if (leg->final_status >= 200) /* answered, or its failure already counted */
			return true;
		target_failed(b, call, leg,
		              leg->final_status   ? leg->final_status
		              : ev->status >= 300 ? ev->status
		                                  : 408);
		return true;
	default:
		return false;
	}
}

static void on_reinvite_retry(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;
	struct transfer *x = call->transfer;

	log_set_context(call->call_id);
	if (!x || x->phase != XFER_REINVITE || call->state == CALL_ENDING || !x->transferee->nh ||
	    !x->transferee->sdp_sent)
		return;
	sip_ua_reinvite(call->owner->ua, x->transferee->nh, x->transferee->sdp_sent);
}

/* The transferee's answer to the re-INVITE towards the target's media. */
static void transferee_answered(struct b2bua *b, struct call *call, struct leg *leg,
                                const struct ua_leg_event *ev)
{
	struct transfer *x = call->transfer;
	bool moved;

	if (ev->status < 200)
		return;
	if (ev->status == 491 && x->glare < 3 && call->timer) {
		/* Its own re-INVITE crossed ours (and got 491 here): ours again, a little later
		 * (RFC 3261 14.1). */
		x->glare++;
		su_timer_set_interval(call->timer, on_reinvite_retry, (su_timer_arg_t *)call,
		                      (su_duration_t)(500 + 500 * x->glare));
		return;
	}
	if (ev->status >= 300) {
		log_warn("call", "transfer: the %s refused the re-INVITE: %d", xfer_side_name(leg),
		         ev->status);
		xfer_transfer_free(call);
		call_hangup(b, call, hangup_cause_from_sip(ev->status), "transfer");
		return;
	}
	if (!ev->sdp) {
		xfer_transfer_done(b, call);
		return;
	}
	moved = !call_media_same_address(leg->sdp, ev->sdp, ev->sdp_len);
	call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
	if (!moved || call_media_repoint(b->cm, call, xfer_side_of(leg), leg->sdp, strlen(leg->sdp),
	                                 on_transferee_repointed) != 0)
		xfer_transfer_done(b, call);
}

static char *dup_on(struct call *call, const char *s)
{
	return s ? su_strdup(call->home, s) : NULL;
}

/* Moves a confirmed leg of another call into slot: its strings are copied to this call's home
 * (the other call is freed sooner), its handle's events come to the slot from now on, and the
 * other call sees it done. */
static void leg_adopt(struct b2bua *b, struct call *call, struct leg *slot, struct leg *from)
{
	struct leg l = *from;

	l.call = call;
	l.is_a = false;
	l.index = slot->index;
	l.final_status = 0;
	l.contact = dup_on(call, from->contact);
	l.proxy = dup_on(call, from->proxy);
	l.src_ip = dup_on(call, from->src_ip);
	l.sdp = dup_on(call, from->sdp);
	l.sdp_sent = dup_on(call, from->sdp_sent);
	l.dlg.local = dup_on(call, from->dlg.local);
	l.dlg.remote = dup_on(call, from->dlg.remote);
	l.dlg.target = dup_on(call, from->dlg.target);
	l.dlg.route = dup_on(call, from->dlg.route);
	*slot = l;
	sip_ua_bind(b->ua, slot->nh, slot);
	from->nh = NULL;
	leg_set_state(from, LEG_DONE, "moved to another call");
}

/* Attended (Replaces in Refer-To, RFC 3891): the dialog named is the referrer's leg in another
 * call of ours; the far end of that call takes the referrer's place here, and the other call
 * ends (a BYE to the referrer's other leg). */
static void attended_transfer(struct b2bua *b, struct call *call, struct leg *from,
                              const struct refer_target *rt, const struct ua_leg_event *ev)
{
	struct leg *r2 = sip_ua_leg_by_replaces(b->ua, rt->replaces);
	struct call *c2 = r2 ? r2->call : NULL;
	struct leg *t2 = NULL, *slot;
	const char *u1 = xfer_leg_user(call, from), *u2;
	struct transfer *x;
	char src[64];

	if (c2 && c2 != call && !c2->done && c2->state == CALL_ACTIVE &&
	    (r2->is_a || r2 == c2->winner) && r2->state == LEG_CONFIRMED)
		t2 = xfer_other_leg(c2, r2);
	if (!t2 || !leg_live(t2) || t2->state != LEG_CONFIRMED) {
		refuse(b, from, 403, "Forbidden (No Such Call)",
		       "Replaces names no other call of ours");
		return;
	}
	u2 = xfer_leg_user(c2, r2);
	leg_source(r2, src, sizeof(src));
	if (!u1 || !u2 || strcmp(u1, u2) != 0 || (src[0] && strcmp(src, ev->src_ip) != 0)) {
		refuse(b, from, 403, "Forbidden (Not Your Call)",
		       "Replaces names a call of another user");
		return;
	}
	if (c2->transfer || c2->reinvite_from || c2->moving || c2->restore_wait) {
		refuse(b, from, 491, "Request Pending", "the other call is busy");
		return;
	}
	x = su_zalloc(call->home, sizeof(*x));
	slot = x ? xfer_free_slot(call, x) : NULL;
	if (!slot) {
		su_free(call->home, x);
		refuse(b, from, 503, "Service Unavailable", "no free leg");
		return;
	}
	x->attended = true;
	x->referrer = from;
	x->transferee = xfer_other_leg(call, from);
	x->event = su_strdup(call->home, ev->event ? ev->event : "refer");
	x->target = dup_on(call, xfer_leg_user(c2, t2) ? xfer_leg_user(c2, t2) : "the other call");
	x->target_callee = x->target;
	x->timeout_s = (unsigned)b->cfg->call_timeout_s;
	sip_ua_respond_now(b->ua, from->nh, 202, "Accepted", NULL);
	call->transfer = x;
	call->transfers++;
	sip_ua_notify_refer(b->ua, from->nh, x->event, 100, "Trying", false);
	log_info("call", "REFER from the %s accepted: the %s joins %s of call %s",
	         xfer_side_name(from), xfer_side_name(x->transferee), x->target, c2->call_id);
	b2bua_indialog_drop(b, c2);
	leg_adopt(b, call, slot, t2);
	x->legs = 1u << slot->index;
	log_set_context(c2->call_id);
	log_info("call", "its %s leg joined call %s: ending this one", xfer_side_name(t2),
	         call->call_id);
	call_hangup(b, c2, HANGUP_CAUSE_ATTENDED_TRANSFER, "transfer");
	call_maybe_free(b, c2);
	log_set_context(call->call_id);
	offer_to_target(b, call, x);
}

static void refer_received(struct b2bua *b, struct call *call, struct leg *from,
                           const struct ua_leg_event *ev)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct leg *to = xfer_other_leg(call, from);
	struct refer_target rt;
	char src[64];
	int rc;

	if (!from->is_a && from != call->winner) {
		refuse(b, from, 481, "Call Does Not Exist", "not the answered leg");
		return;
	}
	if (call->state != CALL_ACTIVE || from->state != LEG_CONFIRMED || !to || !leg_live(to) ||
	    to->state != LEG_CONFIRMED) {
		refuse(b, from, 403, "Forbidden (Call Not Established)", "the call is not up");
		return;
	}
	leg_source(from, src, sizeof(src));
	if (src[0] && (!ev->src_ip || strcmp(src, ev->src_ip) != 0)) {
		refuse(b, from, 403, "Forbidden", "not sent from the leg's address");
		return;
	}
	if (call->transfer || call->reinvite_from || call->moving || call->restore_wait) {
		refuse(b, from, 491, "Request Pending", "a transfer or an offer is in progress");
		return;
	}
	if (call->offers_refused || call->transfers >= TRANSFER_MAX_PER_CALL) {
		refuse(b, from, 403, "Forbidden",
		       call->offers_refused ? "the session cannot change" : "too many transfers");
		return;
	}
	rc = refer_parse(home, ev->sip ? ev->sip->sip_refer_to : NULL, &rt);
	if (rc) {
		refuse(b, from, refer_parse_status(rc), NULL,
		       rc == -EPROTONOSUPPORT ? "Refer-To is not a SIP URI"
		                              : "Refer-To missing or malformed");
	} else if (rt.replaces) {
		attended_transfer(b, call, from, &rt, ev);
	} else if (!our_host(b, rt.host)) {
		refuse(b, from, 403, "Forbidden (Foreign Domain)", "Refer-To names another domain");
	} else {
		blind_transfer(b, call, from, &rt, ev);
	}
	su_home_deinit(home);
}

bool b2bua_transfer_event(struct b2bua *b, struct call *call, struct leg *leg,
                          const struct ua_leg_event *ev)
{
	struct transfer *x = call->transfer;

	if (ev->kind == UA_EV_REFER) {
		refer_received(b, call, leg, ev);
		return true;
	}
	if (!x || call->state == CALL_ENDING)
		return false;
	if (x->replacer)
		return xfer_replace_event(b, call, leg, ev);
	if (x->phase == XFER_CALLING && is_target_leg(x, call, leg))
		return target_event(b, call, leg, ev);
	if (x->phase == XFER_REINVITE && leg == x->transferee && ev->kind == UA_EV_RESPONSE) {
		transferee_answered(b, call, leg, ev);
		return true;
	}
	if (x->phase == XFER_CALLING && leg == x->referrer &&
	    (ev->kind == UA_EV_BYE || ev->kind == UA_EV_TERMINATED)) {
		/* A referrer may hang up once its REFER is accepted: the transfer goes on. */
		if (ev->kind == UA_EV_BYE) {
			leg_set_state(leg, LEG_TERMINATING, "BYE received");
			log_info("call", "transfer: the referrer hung up; the transfer goes on");
		} else {
			leg_release(b, leg);
		}
		x->referrer_gone = true;
		return true;
	}
	return false;
}
