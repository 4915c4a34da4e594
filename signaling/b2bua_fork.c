/* Failover groups, leg timeouts, early answers and the call's codec list (b2bua_fork.h). */
#include "b2bua_fork.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>

#include "b2bua_internal.h"
#include "call_exec.h"
#include "call_record.h"
#include "codec_string.h"
#include "log.h"

struct call_fork {
	struct route_target rest[CALL_MAX_FORKS]; /* later groups' targets (strings on the home) */
	unsigned n_rest, next_rest;
	unsigned leg_timeout_s[CALL_MAX_FORKS]; /* per B leg, 0: none */
	su_timer_t *leg_timer[CALL_MAX_FORKS];
	bool timed_out[CALL_MAX_FORKS];
	enum route_early early;
	bool a_fixed; /* A got our SDP (pre_answer, answer): every later answer to A repeats it */
	struct codec_prefs prefs;
};

static void take_target(struct b2bua *b, struct call *call, unsigned i,
                        const struct route_target *t)
{
	struct leg *leg = &call->b[i];

	leg->call = call;
	leg->index = i;
	leg->contact = t->ruri;
	leg->proxy = t->proxy;
	leg->src_ip = t->src_ip;
	/* Back over the phone's own TCP connection while it is open (RFC 5923): a phone may
	 * accept no connection of ours, and sofia-sip would open a new one to the contact. */
	if (!leg->proxy && t->tcp_flow && sip_ua_tcp_flow_open(b->ua, t->src_ip, t->src_port)) {
		leg->proxy = t->tcp_flow;
		leg->proxy_is_flow = true;
	}
	call->fork->leg_timeout_s[i] = t->leg_timeout_s;
}

static void codecs(struct b2bua *b, struct call *call, const struct route_result *res)
{
	const char *text =
	    res->absolute_codec_string ? res->absolute_codec_string : res->codec_string;
	char err[160];

	if (!text || !*text)
		return;
	if (codec_string_parse(&call->fork->prefs, text, res->absolute_codec_string != NULL,
	                       &b->cfg->codec_prefs, err, sizeof(err)) != 0) {
		log_warn("call", "%s=%s: %s: [codecs] used instead",
		         res->absolute_codec_string ? "absolute_codec_string" : "codec_string",
		         text, err);
		return;
	}
	call->codec_prefs = &call->fork->prefs;
	log_info("call", "codecs for this call: %s%s", text,
	         res->absolute_codec_string ? " (absolute)" : "");
}

int b2bua_fork_setup(struct b2bua *b, struct call *call, const struct route_result *res)
{
	struct call_fork *f = su_zalloc(call->home, sizeof(*f));

	if (!f)
		return -ENOMEM;
	call->fork = f;
	f->early = res->early;
	call->n_b = 0;
	for (unsigned i = 0; i < res->n_targets; i++) {
		if (res->targets[i].group == res->targets[0].group)
			take_target(b, call, call->n_b++, &res->targets[i]);
		else
			f->rest[f->n_rest++] = res->targets[i];
	}
	codecs(b, call, res);
	return 0;
}

int b2bua_fork_targets(struct b2bua *b, struct call *call, const struct route_result *res)
{
	struct call_fork *f = call->fork;

	if (!f)
		return -ENOMEM;
	call->n_b = 0;
	f->n_rest = f->next_rest = 0;
	for (unsigned i = 0; i < res->n_targets; i++) {
		if (res->targets[i].group == res->targets[0].group)
			take_target(b, call, call->n_b++, &res->targets[i]);
		else
			f->rest[f->n_rest++] = res->targets[i];
	}
	call->callee = res->callee;
	if (res->timeout_s)
		call->timeout_s = res->timeout_s;
	/* The offer for the callee was made with the caller's answer: its codecs and SRTP
	 * policy are the ones the plan had before its first application that waits. */
	if (res->codec_string || res->absolute_codec_string || res->srtp)
		log_debug("call", "bridge: codec and srtp variables set after the caller was "
		                  "answered are not applied");
	return 0;
}

bool b2bua_fork_answers_a(const struct call *call)
{
	return call->fork && call->fork->early >= ROUTE_EARLY_PRE_ANSWER && !call->late_offer;
}

void b2bua_fork_early(struct b2bua *b, struct call *call)
{
	struct call_fork *f = call->fork;

	if (!f || f->early == ROUTE_EARLY_NONE)
		return;
	if (f->early == ROUTE_EARLY_RINGING || call->late_offer) {
		if (f->early != ROUTE_EARLY_RINGING)
			log_notice("call",
			           "%s: the caller sent no SDP offer to answer: 180 instead",
			           f->early == ROUTE_EARLY_ANSWER ? "answer" : "pre_answer");
		respond_a(b, call, 180, "Ringing", NULL);
		call->a_ringing_sent = true;
		return;
	}
	f->a_fixed = true;
	/* A has our SDP: a callee's early media has nothing to add to it. */
	call->a_early_media = true;
	if (f->early == ROUTE_EARLY_PRE_ANSWER) {
		log_info("call", "pre_answer: 183 with the media node's SDP");
		respond_a(b, call, 183, "Session Progress", call->a.sdp_sent);
		return;
	}
	log_info("call", "answer: 200 with the media node's SDP before the bridge");
	respond_a(b, call, 200, "OK", call->a.sdp_sent);
}

static void on_leg_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct leg *leg = (struct leg *)arg;
	struct call *call = leg->call;

	(void)m;
	(void)t;
	log_set_context(call->call_id);
	if (call->winner || call->state == CALL_ENDING || !leg_live(leg) ||
	    (leg->state != LEG_CALLING && leg->state != LEG_EARLY))
		return;
	log_info("call", "%s: no answer within leg_timeout %u s: cancelled", leg->contact,
	         call->fork->leg_timeout_s[leg->index]);
	call->fork->timed_out[leg->index] = true;
	leg_end(call->owner, leg, HANGUP_CAUSE_NO_ANSWER);
}

void b2bua_fork_arm(struct b2bua *b, struct call *call, unsigned from)
{
	struct call_fork *f = call->fork;

	for (unsigned i = from; f && i < call->n_b; i++) {
		if (!f->leg_timeout_s[i] || !leg_live(&call->b[i]))
			continue;
		f->leg_timer[i] = su_timer_create(su_root_task(b->root), 0);
		if (f->leg_timer[i])
			su_timer_set_interval(f->leg_timer[i], on_leg_timeout,
			                      (su_timer_arg_t *)&call->b[i],
			                      (su_duration_t)(f->leg_timeout_s[i] * 1000));
	}
}

bool b2bua_fork_failover(struct b2bua *b, struct call *call)
{
	struct call_fork *f = call->fork;

	while (f && f->next_rest < f->n_rest && call->n_b < CALL_MAX_FORKS) {
		unsigned group = f->rest[f->next_rest].group, from = call->n_b;

		while (f->next_rest < f->n_rest && f->rest[f->next_rest].group == group &&
		       call->n_b < CALL_MAX_FORKS)
			take_target(b, call, call->n_b++, &f->rest[f->next_rest++]);
		log_info("call", "failover: calling the next %u target(s)", call->n_b - from);
		/* call->sdp_out may hold the answer an early-media leg got us for A by now: the
		 * new legs get the offer the first ones got. */
		if (call->b[0].sdp_sent &&
		    call_keep_text(call, &call->sdp_out, call->b[0].sdp_sent, -1) != 0)
			return false;
		if (b2bua_call_legs(b, call, from))
			return true;
	}
	return false;
}

int b2bua_fork_leg_status(const struct call *call, const struct leg *leg, int status)
{
	if (!leg->is_a && call->fork && call->fork->timed_out[leg->index] && status == 487)
		return 480;
	return status;
}

void b2bua_fork_answer_a(struct b2bua *b, struct call *call)
{
	if (call->a.state >= LEG_ANSWERED) {
		/* Answered before the bridge: the call is up once A's ACK is in too. */
		if (call->a.state == LEG_CONFIRMED && call->state == CALL_ANSWERED) {
			call_set_state(call, CALL_ACTIVE,
			               "callee answered, caller confirmed before");
			log_info("call", "active");
			call_record_dialog(b->deps.store, call, b->cfg->node_id);
		}
	} else {
		respond_a(b, call, 200, "OK",
		          call->fork && call->fork->a_fixed ? call->a.sdp_sent : call->sdp_out);
	}
	/* Last: the hook may end the call. */
	call_exec_answered(b, call);
}

void b2bua_fork_drop(struct call *call)
{
	if (!call->fork)
		return;
	for (unsigned i = 0; i < CALL_MAX_FORKS; i++)
		if (call->fork->leg_timer[i]) {
			su_timer_destroy(call->fork->leg_timer[i]);
			call->fork->leg_timer[i] = NULL;
		}
}
