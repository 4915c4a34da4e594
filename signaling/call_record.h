/* Persistence of calls: the live row in sip_dialogs, kept current at every state change, and
 * the CDR written when the call ends. A store error is logged and never affects the call. */
#ifndef SIGNALD_CALL_RECORD_H
#define SIGNALD_CALL_RECORD_H

#include "call.h"

struct store;

/* Writes the call's current state to its sip_dialogs row (the first write creates the row and
 * sets call->dialog_row). node_id: this signald. */
void call_record_dialog(struct store *st, struct call *call, const char *node_id);
/* Removes the sip_dialogs row and adds the CDR. */
void call_record_end(struct store *st, const struct call *call, const char *node_id);

#endif
