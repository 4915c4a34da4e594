/* Calls taken back after a restart. A signald that ended without ending its calls (a crash, a
 * kill -9) left their sip_calls rows; the next process of the same node reads them at start,
 * claims their media sessions on their nodes (ClaimSessions, before the node's restart grace
 * closes them) and continues both legs' dialogs (sip_ua_restore_leg: a re-INVITE with the SDP
 * each leg last got). A leg that refuses or does not answer, or a session that cannot be
 * claimed, ends the call: BYE to the legs still there, a CDR as for any call. The node's other
 * orphan rows (calls still ringing) are dropped: those phones time out by themselves. */
#ifndef SIGNALD_CALL_RESTORE_H
#define SIGNALD_CALL_RESTORE_H

#include <stdbool.h>

#include "call.h"

/* Once the SIP stack is up: takes the calls back. Returns how many. */
unsigned call_restore_start(struct b2bua *b);
/* First for every event on a restored call's leg while its re-INVITE is unanswered: true when
 * the event was handled here. */
bool call_restore_event(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev);
/* The b2bua is going away. */
void call_restore_stop(struct b2bua *b);

#endif
