/* Reads the call list call.c keeps; the one change it makes goes through call_hangup. */
#include "b2bua_admin.h"

#include <errno.h>
#include <string.h>

#include "b2bua_internal.h"

const struct call *b2bua_next_call(const struct b2bua *b, const struct call *after)
{
	const struct call *c = after ? after->next : b->calls;

	while (c && c->done)
		c = c->next;
	return c;
}

struct call *b2bua_find_call(struct b2bua *b, const char *call_id)
{
	for (struct call *c = b->calls; c; c = c->next)
		if (!c->done && ((c->call_id && strcmp(c->call_id, call_id) == 0) ||
		                 (c->b_call_id && strcmp(c->b_call_id, call_id) == 0)))
			return c;
	return NULL;
}

int b2bua_admin_hangup(struct b2bua *b, const char *call_id, enum hangup_cause cause)
{
	struct call *call = b2bua_find_call(b, call_id);

	if (!call)
		return -ENOENT;
	if (call->state == CALL_ENDING)
		return -EALREADY;
	log_set_context(call->call_id);
	log_notice("call", "hung up by the operator: %s", hangup_cause_name(cause));
	call_hangup(b, call, cause, "operator");
	log_set_context(NULL);
	return 0;
}

const uint64_t *b2bua_refusals(const struct b2bua *b)
{
	return b->overload.refused;
}
