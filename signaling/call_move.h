/* Calls whose media node is lost (no answer for [media] node_down_ms) move to a node that is up:
 * a new session there, then a re-INVITE to both legs with the new node's address. A call that
 * cannot move (no node, not yet answered, an offer being relayed, a leg refusing) ends with a
 * BYE carrying `Reason: Q.850;cause=41;text="media node lost"`. Loop thread only. */
#ifndef SIGNALD_CALL_MOVE_H
#define SIGNALD_CALL_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "call.h"
#include "media_client.h"
#include "sip_ua.h"

struct b2bua;

/* media_client's node-down handler: arg is the b2bua. Also for a node whose sessions are gone
 * while it is up (a new instance of it answers): its calls may then move back onto it. */
void call_move_node_down(void *arg, struct media_node *node);
/* media_client's node-restarted handler: the sessions the node held before new_instance are
 * gone, so their calls move (back onto it, or to another node). */
void call_move_node_restarted(void *arg, struct media_node *node, uint64_t old_instance,
                              uint64_t new_instance);
/* One call whose session is gone from its node (taken back after a restart, but the node no
 * longer has the session): moves it, or ends it as above. */
void call_move_one(struct b2bua *b, struct call *call);
/* A response on a leg of a call being moved: true when it answered our re-INVITE (consumed). */
bool call_move_answered(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev);

#endif
