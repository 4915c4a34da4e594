/* Call control: authenticated INVITE -> route -> media session -> forked B legs -> relay of
 * provisional and final answers, ACK, BYE and CANCEL between the legs -> teardown. The call is
 * freed only when every leg's handle is released and no media request is in flight, so a late
 * event or reply never finds freed memory. */
#include "b2bua.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "b2bua_fork.h"
#include "b2bua_internal.h"
#include "call.h"
#include "call_auth.h"
#include "call_exec.h"
#include "call_media.h"
#include "call_persist.h"
#include "call_record.h"
#include "call_restore.h"
#include "directory.h"
#include "clock.h"
#include "hangup_cause.h"
#include "hostport.h"
#include "log.h"
#include "observe.h"
#include "router.h"
#include "sdp_srtp.h"

/* ---- call lifetime ------------------------------------------------------------------------ */

static struct call *call_new(struct b2bua *b, const struct ua_request *req)
{
	struct call *call = su_home_new(sizeof(*call));

	if (!call)
		return NULL;
	call->call_id = su_strdup(call->home, req->call_id);
	call->caller = su_strdup(call->home, req->from_user);
	call->caller_host = su_strdup(call->home, req->from_host);
	call->from_tag = su_strdup(call->home, req->from_tag);
	call->destination = su_strdup(call->home, req->ruri_user);
	call->domain = su_strdup(call->home, b->cfg->sip_domain);
	call->user_agent = su_strdup(call->home, req->user_agent);
	call->start_epoch = (int64_t)time(NULL);
	call->from_header = su_strdup(call->home, req->from_header);
	call->to_header = su_strdup(call->home, req->to_header);
	call->a.call = call;
	call->a.is_a = true;
	call->a.src_ip = su_strdup(call->home, req->src_ip);
	leg_set_state(&call->a, LEG_CALLING, "INVITE received");
	call->created_ms = clock_mono_ms();
	call_link(b, call); /* in CALL_SETUP: the home is zeroed */
	return call;
}

bool leg_live(const struct leg *leg)
{
	return leg->nh != NULL;
}

void leg_release(struct b2bua *b, struct leg *leg)
{
	if (leg->nh) {
		sip_ua_release(b->ua, leg->nh);
		leg->nh = NULL;
	}
	leg_set_state(leg, LEG_DONE, "handle released");
}

void b2bua_call_free(struct b2bua *b, struct call *call)
{
	if (call->timer)
		su_timer_destroy(call->timer);
	log_set_context(call->call_id);
	if (call->recorded)
		call_record_end(b->deps.store, call, b->cfg->node_id);
	log_info("call", "ended: cause %s (%d) by %s, %llu ms, rtp packets a=%llu b=%llu",
	         hangup_cause_name(call->hangup_cause), call->hangup_cause,
	         call->hangup_side ? call->hangup_side : "-",
	         (unsigned long long)(clock_mono_ms() - call->created_ms),
	         (unsigned long long)call->media_packets[0],
	         (unsigned long long)call->media_packets[1]);
	log_set_context(NULL);
	call_media_forget(b->cm, call);
	b2bua_relay_drop(call);
	b2bua_indialog_drop(b, call);
	b2bua_fork_drop(call);
	call_exec_free(call);
	call_unlink(b, call);
	su_home_unref(call->home);
}

/* ---- hangup ------------------------------------------------------------------------------- */

static void on_media_deleted(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	call->media_deleted = true;
	call_maybe_free(b, call);
}

bool media_reply_ending(struct call *call)
{
	struct b2bua *b = call->owner;

	log_set_context(call->call_id);
	if (call->state != CALL_ENDING)
		return false;
	media_stop(b, call);
	call_maybe_free(b, call);
	return true;
}

/* Deletes the call's media session once its id is known. While the CreateSession reply is still
 * outstanding there is nothing to name yet: the reply's callback calls back here. */
void media_stop(struct b2bua *b, struct call *call)
{
	if (call->media_deleted || call->media_deleting)
		return;
	if (!call->session_id) {
		if (!call->rpc_pending)
			call->media_deleted = true;
		return;
	}
	if (call_media_delete(b->cm, call, on_media_deleted) != 0) {
		log_warn("media", "cannot send DeleteSession for %s", call->session_id);
		call->media_deleted = true;
		return;
	}
	call->media_deleting = true;
}

/* Ends one leg whatever its state: error answer on an unanswered A, CANCEL or BYE otherwise. */
void leg_end(struct b2bua *b, struct leg *leg, enum hangup_cause cause)
{
	char reason[96];

	if (!leg_live(leg) || leg->state == LEG_TERMINATING || leg->state == LEG_DONE)
		return;
	if (leg->is_a && leg->state < LEG_ANSWERED) {
		int status = hangup_cause_to_sip(cause);

		sip_ua_respond(b->ua, leg->nh, status, NULL, NULL, NULL);
		leg->final_status = status;
		leg_set_state(leg, LEG_TERMINATING, "final answer sent");
		return;
	}
	if (hangup_cause_is_q850((enum hangup_cause)cause) && leg->call->hangup_text)
		snprintf(reason, sizeof(reason), "Q.850;cause=%d;text=\"%s\"", cause,
		         leg->call->hangup_text);
	else if (hangup_cause_reason(cause, reason, sizeof(reason)) != 0)
		reason[0] = '\0';
	sip_ua_bye(b->ua, leg->nh, reason[0] ? reason : NULL);
	leg_set_state(leg, LEG_TERMINATING, leg->state < LEG_ANSWERED ? "CANCEL sent" : "BYE sent");
}

void call_hangup(struct b2bua *b, struct call *call, enum hangup_cause cause, const char *side)
{
	if (call->state != CALL_ENDING) {
		call_set_state(call, CALL_ENDING, side);
		call->hangup_cause = cause;
		call->hangup_side = side;
		call->ended_ms = clock_mono_ms();
		log_info("call", "hangup %s by %s", hangup_cause_name(cause), side);
	}
	call_exec_ended(b, call);
	if (call->timer)
		su_timer_reset(call->timer);
	leg_end(b, &call->a, cause);
	for (unsigned i = 0; i < call->n_b; i++)
		leg_end(b, &call->b[i], cause);
	media_stop(b, call);
	call_maybe_free(b, call);
}

/* ---- new calls ---------------------------------------------------------------------------- */

static void on_call_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct call *call = (struct call *)arg;

	log_set_context(call->call_id);
	if (call->winner || call->state == CALL_ENDING)
		return;
	log_info("call", "no answer within %u s", call->timeout_s);
	call_hangup(call->owner, call, HANGUP_CAUSE_NO_ANSWER, "timeout");
}

unsigned b2bua_call_legs(struct b2bua *b, struct call *call, unsigned from)
{
	unsigned started = 0;

	for (unsigned i = from; i < call->n_b; i++) {
		struct leg *leg = &call->b[i];
		struct ua_invite inv = {
		    .ruri = leg->contact,
		    .proxy = leg->proxy,
		    .from = call->from_header,
		    .to = call->to_header,
		    .sdp = call->late_offer ? NULL : call->sdp_out,
		    .offer_100rel = b2bua_prack_offer_b(call),
		};

		leg->nh = sip_ua_invite(b->ua, leg, &inv);
		if (!leg->nh) {
			leg->final_status = 500;
			leg_set_state(leg, LEG_DONE, "INVITE not sent");
			continue;
		}
		leg_set_state(leg, LEG_CALLING, "INVITE sent");
		call_keep_text(call, &leg->sdp_sent, inv.sdp, -1);
		started++;
		log_info("call", "calling %s%s%s", leg->contact, leg->proxy ? " via " : "",
		         leg->proxy ? leg->proxy : "");
	}
	b2bua_fork_arm(b, call, from);
	return started;
}

void b2bua_originate(struct b2bua *b, struct call *call)
{
	unsigned started = b2bua_call_legs(b, call, 0);

	if (!started) /* no INVITE of the first group went out */
		started = b2bua_fork_failover(b, call);
	if (!started) {
		call_hangup(b, call, HANGUP_CAUSE_DESTINATION_OUT_OF_ORDER, "switch");
		return;
	}
	call_set_state(call, CALL_RINGING, "B legs called");
	call->recorded = true;
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
	call->timer = su_timer_create(su_root_task(b->root), 0);
	if (call->timer)
		su_timer_set_interval(call->timer, on_call_timeout, (su_timer_arg_t *)call,
		                      (su_duration_t)(call->timeout_s * 1000));
}

static void on_media_created(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call))
		return;
	if ((rc == -ETIMEDOUT || rc == -ENOSPC) && !call->create_retried) {
		/* A hung or full node: one more try on another, before the caller hears 503. */
		call->create_retried = true;
		log_warn("call", "media node %s: session not created (%s): trying another node",
		         media_node_endpoint(call->node), strerror(-rc));
		call->media_error[0] = '\0';
		if (call_media_create(b->cm, call, on_media_created) == 0)
			return;
	}
	if (rc) {
		enum hangup_cause cause = rc == -EPROTO ? HANGUP_CAUSE_INCOMPATIBLE_DESTINATION
		                                        : HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION;

		log_warn("call", "media session not created: %s%s%s", strerror(-rc),
		         call->media_error[0] ? ": " : "", call->media_error);
		if (rc != -EPROTO) {
			/* 503 with Retry-After is what a caller can act on for a node problem. */
			sip_ua_respond(b->ua, call->a.nh, 503, "Service Unavailable", NULL,
			               "Retry-After: 30\r\n");
			leg_set_state(&call->a, LEG_TERMINATING, "503 sent");
			call->a.final_status = 503;
		}
		call_hangup(b, call, cause, "media");
		return;
	}
	b2bua_fork_early(b, call);
	if (call_exec_pending(call)) {
		call_exec_start(b, call);
		return;
	}
	b2bua_originate(b, call);
}

static void respond_challenge(struct b2bua *b, ua_handle *nh, const struct call_auth_result *ar)
{
	char headers[2 * (DIGEST_CHALLENGE_LEN + 40)];
	size_t off = 0;

	headers[0] = '\0';
	for (size_t i = 0; i < ar->challenge.n && off < sizeof(headers); i++)
		off += (size_t)snprintf(headers + off, sizeof(headers) - off, "%s: %s\r\n",
		                        ar->challenge.header, ar->challenge.value[i]);
	sip_ua_respond(b->ua, nh, ar->status, ar->phrase, NULL, headers);
}

/* A leg's `srtp` variable; a value that is none of the three is logged and taken as off. */
static uint8_t srtp_policy_of(const char *value, const char *whose)
{
	enum srtp_policy p = SRTP_POLICY_OFF;

	if (value && srtp_policy_parse(value, &p))
		log_warn("call", "%s: srtp variable '%.32s' is not off, optional or mandatory: off",
		         whose, value);
	return (uint8_t)p;
}

static bool routed(struct b2bua *b, struct call *call, const struct ua_request *req,
                   const char *user)
{
	const struct directory_user *u = directory_find(b->deps.dir, user, b->cfg->sip_domain);
	struct route_var vars[64];
	struct route_request rr = {
	    .caller = user,
	    .caller_name = req->from_display,
	    .destination = req->ruri_user ? req->ruri_user : "",
	    .network_addr = req->src_ip,
	    .domain = b->cfg->sip_domain,
	    .context = b->cfg->dialplan_context,
	    .vars = vars,
	};
	struct route_result res;
	const char *ctx;

	/* The caller's directory variables seed the channel; user_context picks the context. */
	for (size_t i = 0; u && i < u->n_vars && rr.n_vars < 64; i++)
		vars[rr.n_vars++] = (struct route_var){u->vars[i].name, u->vars[i].value};
	if (u && (ctx = directory_user_var(u, "user_context")) != NULL && *ctx)
		rr.context = ctx;

	router_route(b->deps.router, call->home, &rr, &res);
	if (res.program && !res.status && call_exec_new(b, call, res.program) != 0)
		res.status = 500;
	res.program = NULL;
	if (res.status) {
		log_info("call", "%s -> %s: %d (%s)", user, rr.destination, res.status,
		         res.reason ? res.reason : hangup_cause_name(res.cause));
		call->hangup_cause = res.cause;
		call->hangup_side = "dialplan";
		respond_a(b, call, res.status, NULL, NULL);
		return false;
	}
	call->srtp_policy[SIDE_A] = srtp_policy_of(u ? directory_user_var(u, "srtp") : NULL, user);
	call->srtp_policy[SIDE_B] = srtp_policy_of(res.srtp, res.callee ? res.callee : "callee");
	call->callee = res.callee;
	call->timeout_s = res.timeout_s ? res.timeout_s : (unsigned)b->cfg->call_timeout_s;
	if (call_exec_pending(call)) {
		if (call->late_offer) {
			/* Prompts, recordings and digits need the caller's media first. */
			log_notice("call",
			           "%s -> %s: the plan runs applications before any bridge, "
			           "and the caller sent no SDP offer: 488",
			           user, rr.destination);
			call->hangup_cause = HANGUP_CAUSE_INCOMPATIBLE_DESTINATION;
			call->hangup_side = "dialplan";
			respond_a(b, call, 488, NULL, NULL);
			return false;
		}
		/* The caller gets our SDP (183 at least) before it is sent media. */
		if (call_exec_needs_answer(call) && res.early < ROUTE_EARLY_PRE_ANSWER)
			res.early = ROUTE_EARLY_PRE_ANSWER;
	}
	if (b2bua_fork_setup(b, call, &res) != 0) {
		respond_a(b, call, 500, NULL, NULL);
		return false;
	}
	if (call_exec_pending(call))
		log_info("call", "%s -> %s: running the plan's applications", user, rr.destination);
	else
		log_info("call", "%s -> %s: bridge to %u contact(s)", user, rr.destination,
		         res.n_targets);
	return true;
}

/* 503 with Retry-After for a call the node will not take; true when refused. Refusals are
 * logged once a second with their counts, so shedding load never floods the log. */
static bool refused_by_overload(struct b2bua *b, ua_handle *nh, enum overload_verdict v)
{
	static const char *const phrase[] = {
	    [OVERLOAD_QUEUE] = "Server Overloaded",
	    [OVERLOAD_MAX_CALLS] = "Maximum Calls In Progress",
	    [OVERLOAD_RATE] = "Call Rate Exceeded",
	    [OVERLOAD_BUSY] = "Server Overloaded",
	};
	uint64_t w[OVERLOAD__N];

	if (v == OVERLOAD_ADMIT)
		return false;
	sip_ua_respond(b->ua, nh, 503, phrase[v], NULL, "Retry-After: 5\r\n");
	if (overload_report_due(&b->overload, clock_mono_ms(), w))
		log_warn("call",
		         "refusing new calls with 503: %llu for the SIP receive queue (%u KB "
		         "waiting), %llu for CPU (loop %u %% busy), %llu for max_calls (%u live), "
		         "%llu for max_cps, since the last report",
		         (unsigned long long)w[OVERLOAD_QUEUE], sip_ua_udp_queued(b->ua) / 1024,
		         (unsigned long long)w[OVERLOAD_BUSY], b->overload.busy_now,
		         (unsigned long long)w[OVERLOAD_MAX_CALLS], b->n_calls,
		         (unsigned long long)w[OVERLOAD_RATE]);
	return true;
}

/* Samples the loop's CPU at most every 100 ms, from new INVITEs rather than a timer: an idle
 * node then wakes for nothing, and a busy one has INVITEs enough to sample from. */
static void sample_load(struct b2bua *b)
{
	uint64_t now = clock_mono_ns();
	struct timespec ts;

	if (now - b->load_sampled_ns < 100000000ull)
		return;
	b->load_sampled_ns = now;
	/* We run on the loop thread, so the thread clock is the loop's own CPU time. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	overload_sample(&b->overload, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
	                now);
}

/* True when user already placed max_calls_per_user calls that still hold resources (ending
 * ones too, until freed). One pass over the live calls, bounded by max_calls. */
static bool over_user_limit(struct b2bua *b, const char *user)
{
	long n = 0, limit = b->cfg->call_max_calls_per_user;

	if (limit <= 0)
		return false;
	for (const struct call *c = b->calls; c; c = c->next)
		if (c->caller && strcmp(c->caller, user) == 0 && ++n >= limit)
			return true;
	return false;
}

void b2bua_on_invite(void *arg, ua_handle *nh, const struct ua_request *req)
{
	struct b2bua *b = arg;
	struct call_auth_result ar;
	struct call *call;
	time_t now = time(NULL);
	const struct call_auth_deps auth = {
	    .dg = b->deps.digest,
	    .dir = b->deps.dir,
	    .fb = b->deps.failban,
	    .accounts = b->deps.accounts,
	    .st = b->deps.store,
	    .domain = b->cfg->sip_domain,
	};
	int rc;

	log_set_context(req->call_id);
	sample_load(b);
	/* Shed before any work, but only calls that have not started: an INVITE answering a
	 * challenge we sent to its source already cost us that challenge, and finishing it is
	 * cheaper than a retry. Any other Proxy-Authorization (a made-up one costs an attacker
	 * nothing) is shed like no credentials at all; checking the nonce is one HMAC. */
	if (!call_auth_has_our_nonce(b->deps.digest, req->sip, req->src_ip, now) &&
	    refused_by_overload(b, nh, overload_check_load(&b->overload, sip_ua_udp_queued(b->ua))))
		return;
	call_auth_check(&auth, req->sip, "INVITE", req->src_ip, now, &ar);
	if (!ar.ok) {
		unsigned dropped = 0;
		char src[HOSTPORT_LEN];

		hostport_format(src, sizeof(src), req->src_ip, req->src_port);
		if (ar.status == 407 || ar.status == 401)
			log_debug("call", "INVITE from %s@%s challenged (%s)", req->from_user, src,
			          ar.reason);
		else if (log_ratelimit(&b->refusal_log, clock_mono_ms(), &dropped))
			log_notice("call",
			           "INVITE from %s@%s refused %d: %s (%u more refusals not logged)",
			           req->from_user, src, ar.status, ar.reason, dropped);
		if (ar.status == 407 || ar.status == 401)
			respond_challenge(b, nh, &ar);
		else
			sip_ua_respond(b->ua, nh, ar.status, ar.phrase, NULL, NULL);
		return;
	}
	if (req->sip->sip_replaces) {
		b2bua_transfer_replaces(b, nh, req, ar.user);
		return;
	}
	if (over_user_limit(b, ar.user)) {
		unsigned dropped = 0;

		if (log_ratelimit(&b->refusal_log, clock_mono_ms(), &dropped))
			log_notice("call",
			           "%s has %ld live calls already ([call] max_calls_per_user): 486 "
			           "(%u more such refusals not logged)",
			           ar.user, b->cfg->call_max_calls_per_user, dropped);
		sip_ua_respond(b->ua, nh, 486, "Busy Here (Call Limit Reached)", NULL, NULL);
		obs_refused("max_calls_per_user");
		return;
	}
	if (refused_by_overload(b, nh,
	                        overload_admit_call(&b->overload, b->n_calls, clock_mono_ms())))
		return;
	call = call_new(b, req);
	if (!call) {
		sip_ua_respond(b->ua, nh, 500, "Server Internal Error", NULL, NULL);
		return;
	}
	call->owner = b;
	call->a.nh = nh;
	sip_ua_bind(b->ua, nh, &call->a);
	call_persist_note_invite(call, req->sip);
	b2bua_prack_note_invite(call, req->sip);
	call->late_offer = req->sdp == NULL;
	if (req->sdp)
		call_keep_text(call, &call->a.sdp, req->sdp, (isize_t)req->sdp_len);
	if (!routed(b, call, req, ar.user)) {
		call_set_state(call, CALL_ENDING, "not routed");
		return;
	}
	if (call->late_offer) {
		/* The offer will come in the callee's 200; media is set up then. */
		if (!media_client_any_up(b->media)) {
			log_warn("call", "no media node is up");
			sip_ua_respond(b->ua, nh, 503, "Service Unavailable", NULL,
			               "Retry-After: 30\r\n");
			leg_set_state(&call->a, LEG_TERMINATING, "503 sent");
			call->a.final_status = 503;
			call_hangup(b, call, HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION, "media");
			return;
		}
		b2bua_fork_early(b, call);
		b2bua_originate(b, call);
		return;
	}
	rc = b2bua_fork_answers_a(call) ? call_media_create_answered(b->cm, call, on_media_created)
	                                : call_media_create(b->cm, call, on_media_created);
	if (rc == -EPROTO || rc == -EBADMSG || rc == -EMSGSIZE) {
		log_notice("call", "SDP offer refused: %s", call->media_error);
		call->hangup_cause = HANGUP_CAUSE_INCOMPATIBLE_DESTINATION;
		call->hangup_side = "caller";
		refuse_offer_a(b, call, rc);
		call_set_state(call, CALL_ENDING, "offer refused");
		return;
	}
	if (rc) {
		log_warn("call", "no media node available: %s", call->media_error);
		sip_ua_respond(b->ua, nh, 503, "Service Unavailable", NULL, "Retry-After: 30\r\n");
		leg_set_state(&call->a, LEG_TERMINATING, "503 sent");
		call->a.final_status = 503;
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION, "media");
		return;
	}
}

/* ---- media node events -------------------------------------------------------------------- */

void b2bua_on_media_event(void *arg, struct media_node *node, const RpcEnvelope *env)
{
	struct b2bua *b = arg;
	const Tandem__Media__V1__Event *ev = env->event;
	struct call *call;

	if (!ev || !ev->session)
		return;
	call = call_find_by_session(b, ev->session->session_id);
	if (!call) {
		log_debug("media", "event for unknown session %s", ev->session->session_id);
		/* A session no call has: left alone it holds its ports until reaped. One
		 * that the node closed itself is gone already. */
		if (ev->kind_case != TANDEM__MEDIA__V1__EVENT__KIND_SESSION_CLOSED &&
		    ev->session->session_id && ev->session->session_id[0])
			media_client_delete_orphan(b->media, node, ev->session->session_id,
			                           "event for a session no call has");
		return;
	}
	log_set_context(call->call_id);
	if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_DTMF && ev->dtmf->digit)
		obs_dtmf(call, ev->dtmf->leg == TANDEM__MEDIA__V1__LEG_ID__LEG_B, ev->dtmf->digit,
		         ev->dtmf->duration_ms);
	if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RTP_TIMEOUT) {
		log_notice("call", "no RTP for %llu ms: hanging up",
		           (unsigned long long)ev->rtp_timeout->idle_ms);
		call_hangup(b, call, HANGUP_CAUSE_MEDIA_TIMEOUT, "media");
	} else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE ||
	           ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_DTMF ||
	           ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RECORDING_DONE) {
		call_exec_media_event(b, call, ev);
	} else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_SESSION_CLOSED) {
		log_notice("call", "media node closed the session (%s): hanging up",
		           ev->session_closed->reason);
		call->media_deleted = true;
		call_hangup(b, call, HANGUP_CAUSE_MEDIA_TIMEOUT, "media");
	}
}

/* ---- module ------------------------------------------------------------------------------- */

int b2bua_new(struct b2bua **out, su_root_t *root, const struct signald_config *cfg,
              struct media_client *media, const struct b2bua_deps *deps)
{
	struct b2bua *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return -ENOMEM;
	b->root = root;
	b->cfg = cfg;
	b->media = media;
	b->deps = *deps;
	rc = call_media_new(&b->cm, media, cfg);
	if (rc) {
		free(b);
		return rc;
	}
	b->reaper = su_timer_create(su_root_task(root), 0);
	if (!b->reaper) {
		call_media_free(b->cm);
		free(b);
		return -ENOMEM;
	}
	b->refusal_log = (struct log_ratelimit){.burst = 5, .period_ms = 1000};
	overload_init(&b->overload,
	              &(struct overload_limits){
	                  .max_calls = (unsigned)cfg->call_max_calls,
	                  .max_cps = (unsigned)cfg->call_max_cps,
	                  .queue_bytes = (unsigned)cfg->sip_overload_queue_kb * 1024,
	                  .busy_pct = (unsigned)cfg->call_overload_busy_pct,
	              },
	              clock_mono_ms());
	*out = b;
	return 0;
}

void b2bua_set_ua(struct b2bua *b, struct sip_ua *ua)
{
	b->ua = ua;
}

unsigned b2bua_hangup_all(struct b2bua *b)
{
	unsigned n = b->n_calls;

	for (struct call *c = b->calls, *next; c; c = next) {
		next = c->next;
		log_set_context(c->call_id);
		call_hangup(b, c, HANGUP_CAUSE_SYSTEM_SHUTDOWN, "switch");
	}
	log_set_context(NULL);
	return n;
}

void b2bua_release_all(struct b2bua *b)
{
	for (struct call *c = b->calls; c; c = c->next) {
		leg_release(b, &c->a);
		for (unsigned i = 0; i < c->n_b; i++)
			leg_release(b, &c->b[i]);
	}
}

void b2bua_free(struct b2bua *b)
{
	if (!b)
		return;
	while (b->calls) {
		struct call *call = b->calls;

		/* Shutdown: the stack is gone, so only memory is left to free. */
		call->a.nh = NULL;
		for (unsigned i = 0; i < call->n_b; i++)
			call->b[i].nh = NULL;
		call->rpc_pending = 0;
		call->media_deleted = true;
		b2bua_call_free(b, call);
	}
	b->reap = NULL;
	call_restore_stop(b);
	su_timer_destroy(b->reaper);
	call_media_free(b->cm);
	free(b);
}

unsigned b2bua_call_count(const struct b2bua *b)
{
	return b->n_calls;
}
