/* What a call's bridge asks beyond ringing one list of contacts (b2bua_fork.c): failover groups
 * (`|`: the next group is called when every leg of the one before failed), a ring limit per leg
 * (leg_timeout), what the caller hears before the bridge (ring_ready, pre_answer, answer) and the
 * call's own codec list (codec_string, absolute_codec_string). The state hangs on call->fork, on
 * the call's home; b2bua_fork_drop() destroys its timers when the call is freed. Part of the
 * b2bua: loop thread only. */
#ifndef SIGNALD_B2BUA_FORK_H
#define SIGNALD_B2BUA_FORK_H

#include <stdbool.h>

#include "call.h"
#include "router.h"

struct b2bua;

/* Takes a routed call's targets: the first group's become call->b[] (call->n_b), the others
 * wait for a failover; the codec variables become call->codec_prefs. 0 or -ENOMEM. */
int b2bua_fork_setup(struct b2bua *b, struct call *call, const struct route_result *res);
/* A bridge run by the call's executor after routing: takes res's targets as setup does, keeping
 * what the caller was sent already. 0 or -ENOMEM. */
int b2bua_fork_targets(struct b2bua *b, struct call *call, const struct route_result *res);
/* True when the caller is to be answered with our own SDP before the bridge (pre_answer,
 * answer): the media session is created with call_media_create_answered(). */
bool b2bua_fork_answers_a(const struct call *call);
/* Before the B legs are called: 180, 183 with call->a.sdp_sent, or 200 with it, as the dialplan
 * asked (a caller without an SDP offer gets 180 instead: there is nothing to answer). */
void b2bua_fork_early(struct b2bua *b, struct call *call);
/* The B legs from index `from` on were just called: starts their leg_timeout timers. */
void b2bua_fork_arm(struct b2bua *b, struct call *call, unsigned from);
/* Every B leg failed: calls the next failover group. True when a leg of it is ringing. */
bool b2bua_fork_failover(struct b2bua *b, struct call *call);
/* The final status to keep for a failed B leg: a leg we cancelled at its leg_timeout counts as
 * 480 (no answer), not 487. */
int b2bua_fork_leg_status(const struct call *call, const struct leg *leg, int status);
/* The winner's answer is ready for A: 200 with call->sdp_out, or with the SDP A already got in
 * a pre_answer; when A was answered before the bridge, nothing is sent and the call becomes
 * active once A has acknowledged. */
void b2bua_fork_answer_a(struct b2bua *b, struct call *call);
/* The call is being freed: stops its timers. */
void b2bua_fork_drop(struct call *call);

#endif
