/* sip_dialogs and CDR rows from a struct call. */
#include "call_record.h"

#include <string.h>
#include <time.h>

#include "call_persist.h"
#include "hangup_cause.h"
#include "log.h"
#include "media_client.h"
#include "store.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void call_record_dialog(struct store *st, struct call *call, const char *node_id)
{
	struct store_dialog d = {
	    .call_id = call->call_id,
	    .b_call_id = or_empty(call->b_call_id),
	    .state = call_state_name(call->state),
	    .from_user = or_empty(call->caller),
	    .from_host = or_empty(call->caller_host),
	    .from_tag = or_empty(call->from_tag),
	    .to_user = or_empty(call->destination),
	    .to_host = or_empty(call->domain),
	    .to_tag = or_empty(call->b_to_tag),
	    .contact = call->winner ? or_empty(call->winner->contact) : "",
	    .user_agent = or_empty(call->user_agent),
	    .media_node = call->node ? media_node_id(call->node) : "",
	    .media_session = or_empty(call->session_id),
	    .hostname = node_id,
	    .created = call->start_epoch,
	    .answered = call->answer_epoch,
	};

	if (!st)
		return;
	if (store_dialog_save(st, &d, &call->dialog_row) != 0)
		log_warn("store", "cannot save sip_dialogs row");
	else
		call_persist_save(st, call);
}

void call_record_end(struct store *st, const struct call *call, const char *node_id)
{
	int64_t end = (int64_t)time(NULL);
	struct store_cdr c = {
	    .call_id = call->call_id,
	    .caller = or_empty(call->caller),
	    .callee = or_empty(call->callee),
	    .destination = or_empty(call->destination),
	    .contact = call->winner ? or_empty(call->winner->contact) : "",
	    .start_epoch = call->start_epoch,
	    .answer_epoch = call->answer_epoch,
	    .end_epoch = end,
	    .duration_ms = (int64_t)(call->ended_ms ? call->ended_ms - call->created_ms : 0),
	    .billsec = call->answer_epoch ? end - call->answer_epoch : 0,
	    .hangup_cause = hangup_cause_name(call->hangup_cause),
	    .q850_cause = hangup_cause_is_q850(call->hangup_cause) ? (int)call->hangup_cause : 0,
	    .hangup_side = or_empty(call->hangup_side),
	    .sip_status = call->a.final_status,
	    .media_node = call->node ? media_node_id(call->node) : "",
	    .media_session = or_empty(call->session_id),
	    .rtp_packets_a = call->media_packets[0],
	    .rtp_packets_b = call->media_packets[1],
	    .hostname = node_id,
	    .record_path = or_empty(call->rec_path),
	    .record_ms = call->rec_duration_ms,
	    .record_bytes = call->rec_bytes,
	};

	if (!st)
		return;
	if (call->dialog_row && store_dialog_remove(st, call->dialog_row) != 0)
		log_warn("store", "cannot remove sip_dialogs row");
	if (store_cdr_add(st, &c) != 0)
		log_warn("store", "cannot add the CDR");
}
