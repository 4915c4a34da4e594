/* Moving a call off a lost media node. The new session is built from what each leg last sent
 * (call_media_move); each leg then gets a re-INVITE with the SDP it last received, at the new
 * node's address, so both phones send there from their answer on. While a call moves it relays
 * no offer of its own (491), and its old session gets a DeleteSession, which a node that was only
 * hung finds waiting when it wakes up. */
#include "call_move.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>

#include "b2bua_internal.h"
#include "call_record.h"
#include "clock.h"
#include "log.h"

#define LOST_TEXT "media node lost"

static void end_lost(struct b2bua *b, struct call *call, const char *why)
{
	log_warn("call", "media node lost and the call cannot move (%s): hanging up", why);
	call->moving = false;
	call->move_wait = 0;
	if (call->state != CALL_ENDING)
		call->hangup_text = LOST_TEXT;
	call_hangup(b, call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "media");
}

static void on_moved(struct call *call, int rc)
{
	struct b2bua *b = call->owner;
	struct leg *legs[2] = {&call->a, call->winner};

	if (call->state == CALL_ENDING && !rc && call->media_deleting)
		/* Hung up while the new session was being made: the DeleteSession went to the old
		 * node, so the new session is deleted here. */
		call_media_delete_on(b->cm, call->node, call->session_id, call->call_id);
	if (media_reply_ending(call))
		return;
	if (rc) {
		end_lost(b, call, call->media_error[0] ? call->media_error : strerror(-rc));
		return;
	}
	for (int side = 0; side < 2; side++) {
		if (!legs[side] || !legs[side]->nh) {
			end_lost(b, call, "a leg is gone");
			return;
		}
	}
	for (int side = 0; side < 2; side++) {
		sip_ua_reinvite(b->ua, legs[side]->nh, call->move_sdp[side]);
		legs[side]->sdp_sent = call->move_sdp[side];
	}
	call->move_wait = 3;
	log_notice("call", "moved to media node %s (%s) as %s in %llu ms: re-INVITE to both legs",
	           media_node_endpoint(call->node), media_node_id(call->node), call->session_id,
	           (unsigned long long)(clock_mono_ms() - call->move_ms));
}

static void move_call(struct b2bua *b, struct call *call, struct media_node *lost)
{
	struct media_node *to;
	int rc;

	if (call->state != CALL_ACTIVE || !call->winner || call->reinvite_from || call->moving ||
	    call->transfer) {
		end_lost(b, call,
		         call->state != CALL_ACTIVE ? "not yet confirmed"
		         : call->moving             ? "already moving"
		         : call->transfer           ? "a transfer is in progress"
		                                    : "an offer is being relayed");
		return;
	}
	/* A node that is up again under a new instance may take its calls back. */
	to = media_client_pick(b->media, media_node_up(lost) ? NULL : lost);
	if (!to) {
		end_lost(b, call, "no other media node is up");
		return;
	}
	/* The old session is gone with its node, or waits on a hung one: tell it, expecting no
	 * answer, and let the call forget it. */
	call_media_delete_on(b->cm, lost, call->session_id, call->call_id);
	call->move_ms = clock_mono_ms();
	rc = call_media_move(b->cm, call, to, on_moved);
	if (rc) {
		call->media_deleted = true; /* nothing to delete any more */
		end_lost(b, call, call->media_error[0] ? call->media_error : strerror(-rc));
		return;
	}
	call->moving = true;
	log_notice("call", "media node %s lost: moving session %s to %s", media_node_endpoint(lost),
	           call->session_id, media_node_endpoint(to));
}

void call_move_one(struct b2bua *b, struct call *call)
{
	call->media_deleted = false; /* the new session will need deleting */
	move_call(b, call, call->node);
}

/* Moves the calls on node, except those whose session the node's instance keep_instance made
 * (0 = none: a node that is down keeps nothing). */
static void move_calls(struct b2bua *b, struct media_node *node, uint64_t keep_instance,
                       const char *what)
{
	unsigned moved = 0, ended = 0;

	for (struct call *c = b->calls, *next; c; c = next) {
		next = c->next;
		if (c->done || c->node != node || !c->session_id ||
		    (keep_instance && c->media_instance == keep_instance))
			continue;
		log_set_context(c->call_id);
		if (c->state == CALL_ENDING) {
			/* its DeleteSession times out or finds nothing; nothing else refers to the
			 * node */
			if (keep_instance)
				c->media_deleted = true;
			continue;
		}
		move_call(b, c, node);
		if (c->moving)
			moved++;
		else
			ended++;
	}
	log_set_context(NULL);
	if (moved || ended)
		log_notice("media", "media node %s %s: %u call(s) moving, %u ended",
		           media_node_endpoint(node), what, moved, ended);
}

void call_move_node_down(void *arg, struct media_node *node)
{
	move_calls(arg, node, 0, "lost");
}

void call_move_node_restarted(void *arg, struct media_node *node, uint64_t old_instance,
                              uint64_t new_instance)
{
	(void)old_instance;
	move_calls(arg, node, new_instance, "restarted");
}

static void move_finish(struct b2bua *b, struct call *call);

static void on_repointed(struct call *call, int rc)
{
	struct b2bua *b = call->owner;

	if (media_reply_ending(call))
		return;
	if (rc) {
		end_lost(b, call, call->media_error[0] ? call->media_error : strerror(-rc));
		return;
	}
	move_finish(b, call);
}

/* Both legs answered: apply the new addresses either gave, one side at a time, then done. */
static void move_finish(struct b2bua *b, struct call *call)
{
	enum call_side side = call->move_repoint & 1u ? SIDE_A : SIDE_B;
	struct leg *leg = side == SIDE_A ? &call->a : call->winner;

	if (call->move_repoint && leg) {
		call->move_repoint &= side == SIDE_A ? ~1u : ~2u;
		log_info("call", "the %s leg answered the move with a new address",
		         side == SIDE_A ? "caller" : "callee");
		if (call_media_repoint(b->cm, call, side, leg->sdp, strlen(leg->sdp),
		                       on_repointed)) {
			end_lost(b, call, "cannot update the new session");
			return;
		}
		return;
	}
	call->moving = false;
	call_record_dialog(b->deps.store, call, b->cfg->node_id);
	log_notice("call", "move complete: both legs answered %llu ms after the node was lost",
	           (unsigned long long)(clock_mono_ms() - call->move_ms));
}

bool call_move_answered(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev)
{
	unsigned bit = leg->is_a ? 1u : 2u;

	if (!(call->move_wait & bit) || (!leg->is_a && leg != call->winner))
		return false;
	if (ev->status < 200)
		return true;
	call->move_wait &= ~bit;
	if (ev->status >= 300) {
		log_warn("call", "the %s leg refused the move: %d %s",
		         leg->is_a ? "caller" : "callee", ev->status, ev->phrase ? ev->phrase : "");
		end_lost(b, call, "a leg refused the re-INVITE");
		return true;
	}
	if (ev->sdp) {
		/* The session was built from this leg's previous SDP: a new address in its answer
		 * must reach the node. */
		if (!call_media_same_address(leg->sdp, ev->sdp, ev->sdp_len))
			call->move_repoint |= bit;
		leg->sdp = su_strndup(call->home, ev->sdp, (isize_t)ev->sdp_len);
	}
	if (!call->move_wait)
		move_finish(b, call);
	return true;
}
