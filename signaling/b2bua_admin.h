/* What an operator sees of the b2bua's calls and may do to them (tandemctl through control.c,
 * the metrics). Loop thread only; the calls handed out are borrowed until the loop turns. */
#ifndef SIGNALD_B2BUA_ADMIN_H
#define SIGNALD_B2BUA_ADMIN_H

#include <stdint.h>

#include "b2bua.h"
#include "hangup_cause.h"
#include "overload.h"

struct call;

/* The first live call (not freed yet) after `after` (NULL: the first), or NULL. */
const struct call *b2bua_next_call(const struct b2bua *b, const struct call *after);
/* The live call whose A leg has this Call-ID (or whose answering B leg has), or NULL. */
struct call *b2bua_find_call(struct b2bua *b, const char *call_id);
/* Hangs the call up with cause, as the switch ("operator" in the CDR's side). -ENOENT when no
 * live call has that Call-ID, -EALREADY when it is ending already. */
int b2bua_admin_hangup(struct b2bua *b, const char *call_id, enum hangup_cause cause);
/* Admission refusals by verdict since start (overload.h). */
const uint64_t *b2bua_refusals(const struct b2bua *b);

#endif
