/* SIP session timers (RFC 4028) in the b2bua. sofia-sip's NUA runs the timer of each dialog on
 * its own: it negotiates Session-Expires and the refresher per leg, refreshes with an UPDATE
 * without SDP when we are the refresher, and ends the dialog itself (a BYE when the peer's
 * refresh did not arrive, none when our refresh got no answer). Each leg's timer is independent,
 * as in any B2BUA: a refresh is answered on its leg and never relayed. What is left to us is the
 * configuration check and recognising, when a dialog ends, that the stack ended it. */
#ifndef SIGNALD_SESSION_TIMER_H
#define SIGNALD_SESSION_TIMER_H

#include <stdbool.h>
#include <stddef.h>

/* The RFC 4028 floor for Min-SE; lower values are for tests only. */
#define SESSION_TIMER_RFC_MIN_SE 90
/* The Reason text of a call ended because a leg's session expired. */
#define SESSION_TIMER_REASON_TEXT "session timer expired"

/* [sip] session_timer_s and min_se_s: 0 turns timers off, else session_timer_s >= min_se_s.
 * Returns 0, or -EINVAL with err naming the keys. */
int session_timer_check_config(long session_timer_s, long min_se_s, char *err, size_t errlen);

/* A leg's dialog has ended. confirmed: the leg was up (ACKed) and neither side had sent BYE on
 * it; call_ending: we are already hanging the call up. True when the stack ended a confirmed
 * dialog on its own, which in a confirmed call only its session timer does: the peer's refresh
 * did not come, or ours got no answer (the peer vanished). */
bool session_timer_expired(bool confirmed, bool call_ending);

#endif
