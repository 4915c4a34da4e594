/* What a restarted signald needs to continue a confirmed call (sip_calls): each leg's dialog as
 * the stack sees it, noted from the messages that set it up or change it, and written to the
 * store with the call's sip_dialogs row while the call is active. call_restore.c reads it back. */
#ifndef SIGNALD_CALL_PERSIST_H
#define SIGNALD_CALL_PERSIST_H

#include "call.h"

struct store;

/* A's INVITE: the caller's end of the A dialog (From, Contact, Record-Route). */
void call_persist_note_invite(struct call *call, const struct sip_s *sip);
/* Any event on a leg: dialog identifiers from a 2xx or an ACK, the remote target from a
 * request or answer that carries one, the CSeq of our requests from their answers. */
void call_persist_note_event(struct call *call, struct leg *leg, const struct ua_leg_event *ev);
/* Writes the sip_calls row of an active call that has its sip_dialogs row; a store error is
 * logged and does not affect the call. */
void call_persist_save(struct store *st, const struct call *call);

#endif
