/* The call state machine: every change of a call's or a leg's state goes through here, is
 * checked against the table below, and is logged; plus the b2bua's list of calls and the
 * reaper that frees the ones nothing refers to any more. */
#include "call.h"

#include <stdio.h>
#include <string.h>

#include "b2bua_internal.h"
#include "call_exec.h"
#include "log.h"
#include "observe.h"

const char *leg_state_name(enum leg_state s)
{
	static const char *const names[] = {"idle",      "calling",     "early", "answered",
	                                    "confirmed", "terminating", "done"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *call_state_name(enum call_state s)
{
	static const char *const names[] = {"setup", "ringing", "answered", "active", "ending"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

#define BIT(s) (1u << (s))

/* The states each call state may go to. A call only moves forward; ending is final. Setup goes
 * straight to active when a restarted signald takes a confirmed call back. */
static const unsigned call_next[CALL__N] = {
    [CALL_SETUP] = BIT(CALL_RINGING) | BIT(CALL_ACTIVE) | BIT(CALL_ENDING),
    [CALL_RINGING] = BIT(CALL_ANSWERED) | BIT(CALL_ENDING),
    [CALL_ANSWERED] = BIT(CALL_ACTIVE) | BIT(CALL_ENDING),
    [CALL_ACTIVE] = BIT(CALL_ENDING),
    [CALL_ENDING] = 0,
};

/* The states each leg state may go to. Any live leg may end or lose its handle. Idle goes to
 * confirmed for a leg taken back after a restart. Terminating goes back to confirmed for a 2xx
 * (B) or an ACK (A) that crossed our CANCEL or BYE: the dialog exists after all and is ended
 * once more. Done is final: the handle is gone, no event can arrive for it. */
static const unsigned leg_next[LEG__N] = {
    [LEG_IDLE] = BIT(LEG_CALLING) | BIT(LEG_CONFIRMED) | BIT(LEG_TERMINATING) | BIT(LEG_DONE),
    [LEG_CALLING] = BIT(LEG_EARLY) | BIT(LEG_ANSWERED) | BIT(LEG_CONFIRMED) | BIT(LEG_TERMINATING) |
                    BIT(LEG_DONE),
    [LEG_EARLY] = BIT(LEG_ANSWERED) | BIT(LEG_CONFIRMED) | BIT(LEG_TERMINATING) | BIT(LEG_DONE),
    [LEG_ANSWERED] = BIT(LEG_CONFIRMED) | BIT(LEG_TERMINATING) | BIT(LEG_DONE),
    [LEG_CONFIRMED] = BIT(LEG_TERMINATING) | BIT(LEG_DONE),
    [LEG_TERMINATING] = BIT(LEG_CONFIRMED) | BIT(LEG_DONE),
    [LEG_DONE] = 0,
};

bool call_state_allowed(enum call_state from, enum call_state to)
{
	if ((unsigned)from >= CALL__N || (unsigned)to >= CALL__N)
		return false;
	return from == to || (call_next[from] & BIT(to));
}

bool leg_state_allowed(enum leg_state from, enum leg_state to)
{
	if ((unsigned)from >= LEG__N || (unsigned)to >= LEG__N)
		return false;
	return from == to || (leg_next[from] & BIT(to));
}

int call_set_state(struct call *call, enum call_state to, const char *why)
{
	enum call_state from = call->state;

	if (!call_state_allowed(from, to)) {
		log_warn("call", "refused: %s -> %s (%s)", call_state_name(from),
		         call_state_name(to), why);
		return -EINVAL;
	}
	if (from == to)
		return 0;
	call->state = to;
	log_debug("call", "%s -> %s (%s)", call_state_name(from), call_state_name(to), why);
	obs_call_state(call, (int)from, (int)to);
	return 0;
}

int leg_set_state(struct leg *leg, enum leg_state to, const char *why)
{
	enum leg_state from = leg->state;
	char name[16];

	if (leg->is_a)
		snprintf(name, sizeof(name), "A leg");
	else
		snprintf(name, sizeof(name), "B leg %u", leg->index);
	if (!leg_state_allowed(from, to)) {
		log_warn("call", "%s refused: %s -> %s (%s)", name, leg_state_name(from),
		         leg_state_name(to), why);
		return -EINVAL;
	}
	if (from == to)
		return 0;
	leg->state = to;
	log_debug("call", "%s: %s -> %s (%s)", name, leg_state_name(from), leg_state_name(to), why);
	obs_leg_state(leg, (int)from, (int)to);
	return 0;
}

/* ---- the call list ------------------------------------------------------------------------ */

void call_link(struct b2bua *b, struct call *call)
{
	call->next = b->calls;
	if (b->calls)
		b->calls->pprev = &call->next;
	call->pprev = &b->calls;
	b->calls = call;
	b->n_calls++;
}

void call_unlink(struct b2bua *b, struct call *call)
{
	obs_call_end(call);
	*call->pprev = call->next;
	if (call->next)
		call->next->pprev = call->pprev;
	b->n_calls--;
}

struct call *call_find_by_session(struct b2bua *b, const char *session_id)
{
	for (struct call *c = b->calls; c; c = c->next)
		if (!c->done && c->session_id && session_id &&
		    strcmp(c->session_id, session_id) == 0)
			return c;
	return NULL;
}

/* ---- the reaper --------------------------------------------------------------------------- */

/* Frees, from the loop, every call marked done: handlers up the stack may still hold the
 * pointer when the call becomes free-able, so freeing is never done in place. */
static void on_reap(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct b2bua *b = (struct b2bua *)arg;

	while (b->reap) {
		struct call *c = b->reap;

		b->reap = c->reap_next;
		b2bua_call_free(b, c);
	}
}

/* Marks the call for freeing once nothing can refer to it any more: no live handle, no media
 * request in flight, no media session left on the node. Safe to call any number of times. */
void call_maybe_free(struct b2bua *b, struct call *call)
{
	if (call->done || leg_live(&call->a) || call->rpc_pending || call_exec_busy(call))
		return;
	for (unsigned i = 0; i < call->n_b; i++)
		if (leg_live(&call->b[i]))
			return;
	if (call->session_id && !call->media_deleted)
		return;
	call->done = true;
	call->reap_next = b->reap;
	b->reap = call;
	su_timer_set_interval(b->reaper, on_reap, (su_timer_arg_t *)b, 0);
}
