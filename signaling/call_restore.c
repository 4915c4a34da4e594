/* Taking calls back after a restart (see call_restore.h). A restored call is CALL_ACTIVE from
 * the start, with one B leg (the one that answered); while its legs' re-INVITEs and its claim
 * are out it relays no offer (491), and once all have settled it either goes on as any call or,
 * when something did not survive, hangs up. */
#include "call_restore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "b2bua_internal.h"
#include "call_move.h"
#include "call_record.h"
#include "clock.h"
#include "log.h"
#include "store.h"

#define CLAIM_RETRY_MS 100
/* How long a node may stay unreachable at start before its calls are given up. Its own
 * [rtp] owner_restart_grace_s closes them anyway. */
#define CLAIM_GIVE_UP_MS 10000

typedef Tandem__Media__V1__ClaimSessionsRequest RpcClaim;

static struct media_node *node_by_endpoint(struct media_client *mc, const char *endpoint)
{
	for (size_t i = 0; i < media_client_node_count(mc); i++) {
		struct media_node *n = media_client_node(mc, i);

		if (strcmp(media_node_endpoint(n), endpoint) == 0)
			return n;
	}
	return NULL;
}

static char *dup_or_null(struct call *call, const char *s)
{
	return s && *s ? su_strdup(call->home, s) : NULL;
}

static void restore_leg_fields(struct call *call, struct leg *leg, const struct store_call *c,
                               int side)
{
	leg->call = call;
	leg->is_a = side == 0;
	leg_set_state(leg, LEG_CONFIRMED, "restored");
	leg->final_status = 200;
	leg->proxy = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_PROXY)]);
	leg->src_ip = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_SRC_IP)]);
	leg->sdp = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_SDP)]);
	leg->sdp_sent = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_SDP_SENT)]);
	leg->dlg.local = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_LOCAL)]);
	leg->dlg.remote = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_REMOTE)]);
	leg->dlg.target = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_TARGET)]);
	leg->dlg.route = dup_or_null(call, c->text[SC_LEG(side, SC_LEG_ROUTE)]);
	leg->dlg.cseq = c->cseq[side];
}

/* The tag of a printed From/To, for the sip_dialogs row. */
static char *tag_of(struct call *call, const char *header)
{
	sip_to_t *to = header ? sip_to_make(call->home, header) : NULL;
	char *tag = to && to->a_tag ? su_strdup(call->home, to->a_tag) : NULL;

	su_free(call->home, to);
	return tag;
}

/* One sip_calls row: the call rebuilt in memory, nothing sent yet (the store is being read). */
static int take_call(void *arg, const struct store_call *c)
{
	struct b2bua *b = arg;
	struct media_node *node = node_by_endpoint(b->media, c->text[SC_MEDIA_NODE]);
	int64_t now = (int64_t)time(NULL);
	uint64_t mono = clock_mono_ms();
	struct call *call;

	log_set_context(c->text[SC_CALL_ID]);
	if (!node || !c->text[SC_MEDIA_SESSION][0] || !c->text[SC_B_CALL_ID][0]) {
		log_warn("call", "not restored: %s",
		         node ? "no media session" : "its media node is no longer configured");
		log_set_context(NULL);
		return -ENOENT;
	}
	call = su_home_new(sizeof(*call));
	if (!call)
		return -ENOMEM;
	call->call_id = su_strdup(call->home, c->text[SC_CALL_ID]);
	call->b_call_id = su_strdup(call->home, c->text[SC_B_CALL_ID]);
	call->caller = dup_or_null(call, c->text[SC_CALLER]);
	call->caller_host = dup_or_null(call, c->text[SC_CALLER_HOST]);
	call->callee = dup_or_null(call, c->text[SC_CALLEE]);
	call->destination = dup_or_null(call, c->text[SC_DESTINATION]);
	call->domain = su_strdup(call->home, b->cfg->sip_domain);
	call->from_tag = dup_or_null(call, c->text[SC_FROM_TAG]);
	call->user_agent = dup_or_null(call, c->text[SC_USER_AGENT]);
	call->from_header = dup_or_null(call, c->text[SC_FROM_HEADER]);
	call->to_header = dup_or_null(call, c->text[SC_TO_HEADER]);
	call->start_epoch = c->start_epoch;
	call->answer_epoch = c->answer_epoch;
	/* The monotonic times the CDR's durations come from, as if this process had seen them. */
	call->created_ms =
	    mono - (uint64_t)(now > c->start_epoch ? now - c->start_epoch : 0) * 1000;
	call->answered_ms =
	    mono - (uint64_t)(now > c->answer_epoch ? now - c->answer_epoch : 0) * 1000;
	restore_leg_fields(call, &call->a, c, 0);
	restore_leg_fields(call, &call->b[0], c, 1);
	call->b[0].contact = dup_or_null(call, c->text[SC_CONTACT]);
	call->b_to_tag = tag_of(call, call->b[0].dlg.remote);
	call->n_b = 1;
	call->winner = &call->b[0];
	call_set_state(call, CALL_ACTIVE, "restored");
	call->owner = b;
	call->node = node;
	call->session_id = su_strdup(call->home, c->text[SC_MEDIA_SESSION]);
	call->media_instance = c->media_instance;
	call->recorded = true;
	call->dialog_row = c->dialog_id;
	call->restored = true;
	call->claim_pending = true;
	call_link(b, call);
	log_set_context(NULL);
	return 0;
}

/* ---- settling ----------------------------------------------------------------------------- */

static void restore_done_check(struct b2bua *b)
{
	for (struct call *c = b->calls; c; c = c->next)
		if (c->restored && (c->claim_pending || c->restore_wait))
			return;
	if (b->restore_started_ms) {
		log_notice("call", "restore complete: %u call(s) taken back, %u ended, in %llu ms",
		           b->restore_kept, b->restore_ended,
		           (unsigned long long)(clock_mono_ms() - b->restore_started_ms));
		b->restore_started_ms = 0;
	}
}

static void on_claim_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

/* A call whose session is gone moves once a node is up (a Ping answered, not just the claim):
 * until then the timer tries again. */
static void move_when_up(struct b2bua *b, struct call *call)
{
	if (!media_client_any_up(b->media)) {
		if (clock_mono_ms() < b->restore_deadline_ms) {
			if (b->restore_timer)
				su_timer_set_interval(b->restore_timer, on_claim_tick,
				                      (su_timer_arg_t *)b, CLAIM_RETRY_MS);
			return;
		}
	}
	call->session_lost = false;
	call_move_one(b, call); /* with no node up, it ends the call */
}

/* Everything the call waited for has answered: it goes on, or it ends. */
static void settle(struct b2bua *b, struct call *call)
{
	if (call->claim_pending || call->restore_wait)
		return;
	if (call->restore_failed || call->state == CALL_ENDING) {
		if (call->session_lost)
			call->media_deleted = true; /* nothing on the node to delete */
		b->restore_ended++;
		if (call->state != CALL_ENDING)
			call_hangup(b, call,
			            call->hangup_cause ? (enum hangup_cause)call->hangup_cause
			                               : HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
			            call->hangup_side ? call->hangup_side : "switch");
	} else if (call->session_lost) {
		b->restore_kept++;
		log_notice("call", "restored: both legs answered, to move to a new media session");
		move_when_up(b, call);
	} else {
		b->restore_kept++;
		log_notice("call", "restored: media session %s claimed, both legs answered",
		           call->session_id);
		call_record_dialog(b->deps.store, call, b->cfg->node_id);
	}
	restore_done_check(b);
}

static void fail(struct call *call, enum hangup_cause cause, const char *side)
{
	if (!call->restore_failed) {
		call->restore_failed = true;
		call->hangup_cause = cause;
		call->hangup_side = side;
	}
}

/* ---- the media session -------------------------------------------------------------------- */

static void on_claimed(void *arg, int rc, const RpcEnvelope *env)
{
	struct call *call = arg;
	struct b2bua *b = call->owner;
	const RpcStatus *status = env ? rpc_reply_status(env) : NULL;
	bool claimed = false;

	call->claim_in_flight = false;
	call->rpc_pending--; /* counted where it was sent, below */
	if (media_reply_ending(call)) {
		call->claim_pending = false;
		restore_done_check(b);
		return;
	}
	if (rc == 0 && status && status->code == RPC_OK &&
	    env->body_case == RPC_BODY(CLAIM_SESSIONS_REPLY))
		for (size_t i = 0; i < env->claim_sessions_reply->n_claimed; i++)
			if (strcmp(env->claim_sessions_reply->claimed[i], call->session_id) == 0)
				claimed = true;
	if (rc == -ETIMEDOUT && clock_mono_ms() < b->restore_deadline_ms && b->restore_timer) {
		su_timer_set_interval(b->restore_timer, on_claim_tick, (su_timer_arg_t *)b,
		                      CLAIM_RETRY_MS);
		return;
	}
	call->claim_pending = false;
	if (claimed) {
		/* The session now belongs to this process's instance. */
		call->media_instance = media_node_instance(call->node);
		log_info("call", "media session %s claimed on %s", call->session_id,
		         media_node_endpoint(call->node));
	} else if (!rc && status && status->code == RPC_OK && !call->offers_refused) {
		/* The node no longer has it: closed after its grace (signald was down longer), or
		 * gone with a restart of the node. Once both legs are back the call moves to a new
		 * session, as for a restarted node. */
		log_warn("call", "media session %s no longer on %s%s: the call will move",
		         call->session_id, media_node_endpoint(call->node),
		         media_node_instance(call->node) != call->media_instance
		             ? " (the node restarted)"
		             : "");
		call->session_lost = true;
	} else {
		log_warn("call", "media session %s not claimed on %s (%s): ending the call",
		         call->session_id, media_node_endpoint(call->node),
		         rc       ? strerror(-rc)
		         : status ? rpc_status_name(status->code)
		                  : "refused");
		/* Not ours, or the node cannot be asked: nothing to delete. */
		call->media_deleted = true;
		fail(call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
	}
	settle(b, call);
}

static void send_claim(struct b2bua *b, struct call *call)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcClaim req = TANDEM__MEDIA__V1__CLAIM_SESSIONS_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcSessionRef *refs[1] = {&ref};

	ref.session_id = call->session_id;
	ref.call_id = call->call_id;
	req.n_sessions = 1;
	req.sessions = refs;
	env.body_case = RPC_BODY(CLAIM_SESSIONS);
	env.claim_sessions = &req;
	/* A node not connected yet refuses at once: the timer tries again. */
	if (media_client_request(b->media, call->node, &env, on_claimed, call) == 0) {
		call->claim_in_flight = true;
		call->rpc_pending++;
	}
}

static void on_claim_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct b2bua *b = (struct b2bua *)arg;
	bool waiting = false;
	bool late = clock_mono_ms() >= b->restore_deadline_ms;

	for (struct call *c = b->calls, *next; c; c = next) {
		next = c->next;
		if (c->restored && c->session_lost && !c->claim_pending && !c->restore_wait &&
		    !c->done && c->state != CALL_ENDING) {
			log_set_context(c->call_id);
			move_when_up(b, c);
			waiting |= c->session_lost;
			continue;
		}
		if (!c->restored || !c->claim_pending || c->claim_in_flight || c->done)
			continue;
		log_set_context(c->call_id);
		if (late) {
			log_warn("call",
			         "media node %s unreachable since the restart: ending the call",
			         media_node_endpoint(c->node));
			c->claim_pending = false;
			c->media_deleted = true;
			fail(c, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
			settle(b, c);
			continue;
		}
		send_claim(b, c);
		waiting = true;
	}
	log_set_context(NULL);
	if (!waiting)
		for (struct call *c = b->calls; c; c = c->next)
			waiting |= c->restored && (c->claim_pending || c->session_lost);
	if (waiting)
		su_timer_set_interval(b->restore_timer, on_claim_tick, (su_timer_arg_t *)b,
		                      CLAIM_RETRY_MS);
}

/* ---- the legs ----------------------------------------------------------------------------- */

static bool restore_leg(struct b2bua *b, struct call *call, struct leg *leg)
{
	struct ua_restore r = {
	    .call_id = leg->is_a ? call->call_id : call->b_call_id,
	    .local = leg->dlg.local,
	    .remote = leg->dlg.remote,
	    .target = leg->dlg.target,
	    .route = leg->dlg.route,
	    .proxy = leg->proxy,
	    .sdp = leg->sdp_sent,
	    /* Requests of ours the last save did not see (a refresh answered after it) must not
	     * make the phone see a CSeq go back. */
	    .cseq = leg->dlg.cseq + 100,
	};

	leg->nh = sip_ua_restore_leg(b->ua, leg, &r);
	if (!leg->nh) {
		leg_set_state(leg, LEG_DONE, "dialog not rebuilt");
		return false;
	}
	leg->dlg.cseq = r.cseq + 1;
	call->restore_wait |= leg->is_a ? 1u : 2u;
	return true;
}

bool call_restore_event(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev)
{
	unsigned bit = leg->is_a ? 1u : 2u;
	const char *who = leg->is_a ? "caller" : "callee";

	if (!(call->restore_wait & bit))
		return false;
	switch (ev->kind) {
	case UA_EV_RESPONSE:
		if (ev->status < 200)
			return true;
		call->restore_wait &= ~bit;
		if (ev->status >= 300) {
			log_notice("call", "the %s leg did not take the call back: %d %s", who,
			           ev->status, ev->phrase ? ev->phrase : "");
			/* No dialog in the stack: nothing to hang up, and the handle's end must not
			 * reach the b2bua as a hangup while the other leg is still being asked. */
			leg_release(b, leg);
			fail(call,
			     ev->status == 408 ? HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE
			                       : HANGUP_CAUSE_NORMAL_CLEARING,
			     who);
		} else {
			if (ev->sdp)
				call_keep_text(call, &leg->sdp, ev->sdp, (isize_t)ev->sdp_len);
			log_info("call", "the %s leg is back", who);
		}
		settle(b, call);
		return true;
	case UA_EV_TERMINATED:
		call->restore_wait &= ~bit;
		leg_release(b, leg);
		fail(call, HANGUP_CAUSE_NORMAL_CLEARING, who);
		settle(b, call);
		return true;
	case UA_EV_BYE:
		/* Hung up while we were taking the call back: the stack answered 200 and ends the
		 * handle, the other leg follows once settled. */
		leg_set_state(leg, LEG_TERMINATING, "BYE received");
		fail(call, HANGUP_CAUSE_NORMAL_CLEARING, who);
		return true;
	case UA_EV_REINVITE:
		sip_ua_respond(b->ua, leg->nh, 491, "Request Pending", NULL, NULL);
		return true;
	case UA_EV_UPDATE:
		sip_ua_respond_now(b->ua, leg->nh, 491, "Request Pending", NULL);
		return true;
	default:
		return true;
	}
}

/* ---- start -------------------------------------------------------------------------------- */

unsigned call_restore_start(struct b2bua *b)
{
	struct store *st = b->deps.store;
	unsigned taken = 0, removed = 0, n = 0;

	if (!st)
		return 0;
	b->restore_started_ms = clock_mono_ms();
	b->restore_deadline_ms = b->restore_started_ms + CLAIM_GIVE_UP_MS;
	if (store_call_take_orphans(st, b->cfg->node_id, take_call, b, &taken) != 0)
		log_warn("store", "cannot read the calls left by an earlier run");
	if (store_dialog_drop_orphans(st, b->cfg->node_id, &removed) != 0)
		log_warn("store", "cannot clear sip_dialogs rows left by an earlier run");
	else if (removed)
		log_notice("store",
		           "%u sip_dialogs row(s) left by an earlier run of %s removed (calls not "
		           "yet answered: their phones time out)",
		           removed, b->cfg->node_id);
	for (struct call *c = b->calls; c; c = c->next) {
		if (!c->restored || c->restore_wait || !c->claim_pending)
			continue;
		log_set_context(c->call_id);
		n++;
		log_info("call", "taking back: media session %s on %s, re-INVITE to both legs",
		         c->session_id, media_node_endpoint(c->node));
		if (call_media_restore(b->cm, c) != 0) {
			log_warn("call",
			         "its media state cannot be rebuilt: offers will get 488 (%s)",
			         c->media_error);
			c->offers_refused = true;
		}
		if (!restore_leg(b, c, &c->a) || !restore_leg(b, c, c->winner))
			fail(c, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "switch");
		/* Our row, from now on: written by this process. */
		call_record_dialog(st, c, b->cfg->node_id);
	}
	log_set_context(NULL);
	if (!n) {
		b->restore_started_ms = 0;
		return 0;
	}
	log_notice("call", "%u call(s) left by an earlier run: taking them back", n);
	b->restore_timer = su_timer_create(su_root_task(b->root), 0);
	if (b->restore_timer)
		on_claim_tick(NULL, b->restore_timer, (su_timer_arg_t *)b);
	return n;
}

void call_restore_stop(struct b2bua *b)
{
	if (b->restore_timer)
		su_timer_destroy(b->restore_timer);
	b->restore_timer = NULL;
}
