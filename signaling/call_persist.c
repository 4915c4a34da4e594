/* sip_calls rows from a struct call. The dialog identifiers are printed by sofia from the
 * messages themselves, so that what is restored is what the phones saw. */
#include "call_persist.h"

#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "log.h"
#include "media_client.h"
#include "store.h"

/* Replaces *slot with the header printed by sofia (nothing when h is NULL). */
static void keep_header(struct call *call, char **slot, const void *h)
{
	char *text;

	if (!h)
		return;
	text = sip_header_as_string(call->home, (const sip_header_t *)h);
	if (text) {
		su_free(call->home, *slot);
		*slot = text;
	}
}

static void keep_target(struct call *call, struct leg *leg, const sip_t *sip)
{
	char *uri;

	if (!sip->sip_contact || !sip->sip_contact->m_url->url_host)
		return;
	uri = url_as_string(call->home, sip->sip_contact->m_url);
	if (uri) {
		su_free(call->home, leg->dlg.target);
		leg->dlg.target = uri;
	}
}

/* The route set from Record-Route: in order at the UAS, reversed at the UAC (RFC 3261 12.1). */
static void keep_route(struct call *call, struct leg *leg, const sip_record_route_t *rr,
                       bool reverse)
{
	char *parts[32], *joined = NULL;
	size_t n = 0;

	for (; rr && n < 32; rr = rr->r_next)
		parts[n++] = sip_header_as_string(call->home, (const sip_header_t *)rr);
	for (size_t i = 0; i < n; i++) {
		const char *p = parts[reverse ? n - 1 - i : i];
		char *next = joined ? su_sprintf(call->home, "%s, %s", joined, p ? p : "")
		                    : su_strdup(call->home, p ? p : "");

		su_free(call->home, joined);
		joined = next;
	}
	for (size_t i = 0; i < n; i++)
		su_free(call->home, parts[i]);
	su_free(call->home, leg->dlg.route);
	leg->dlg.route = joined;
}

void call_persist_note_invite(struct call *call, const struct sip_s *sip)
{
	if (!sip)
		return;
	keep_header(call, &call->a.dlg.remote, sip->sip_from);
	keep_target(call, &call->a, sip);
	keep_route(call, &call->a, sip->sip_record_route, false);
}

void call_persist_note_event(struct call *call, struct leg *leg, const struct ua_leg_event *ev)
{
	const sip_t *sip = ev->sip;

	if (!sip)
		return;
	switch (ev->kind) {
	case UA_EV_RESPONSE:
	case UA_EV_UPDATE_RESPONSE:
		if (sip->sip_cseq && sip->sip_cseq->cs_seq > leg->dlg.cseq)
			leg->dlg.cseq = sip->sip_cseq->cs_seq;
		if (ev->status < 200 || ev->status >= 300)
			break;
		if (!leg->is_a && !leg->dlg.remote) {
			/* The answer that made the dialog: our From, its To, its route set. */
			keep_header(call, &leg->dlg.local, sip->sip_from);
			keep_header(call, &leg->dlg.remote, sip->sip_to);
			keep_route(call, leg, sip->sip_record_route, true);
		}
		keep_target(call, leg, sip);
		break;
	case UA_EV_PRACK:
		/* A PRACK we sent a callee used a CSeq of the dialog. */
		if (!leg->is_a && sip->sip_cseq && sip->sip_cseq->cs_seq > leg->dlg.cseq)
			leg->dlg.cseq = sip->sip_cseq->cs_seq;
		break;
	case UA_EV_ACK:
		/* The ACK for our 2xx carries the tag we gave the caller. */
		if (leg->is_a && !leg->dlg.local)
			keep_header(call, &leg->dlg.local, sip->sip_to);
		break;
	case UA_EV_REINVITE:
	case UA_EV_UPDATE:
		keep_target(call, leg, sip);
		break;
	default:
		break;
	}
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void call_persist_save(struct store *st, const struct call *call)
{
	const struct leg *legs[2] = {&call->a, call->winner};
	struct store_call c = {
	    .dialog_id = call->dialog_row,
	    .start_epoch = call->start_epoch,
	    .answer_epoch = call->answer_epoch,
	    .media_instance = call->media_instance,
	};

	if (!st || call->state != CALL_ACTIVE || !call->dialog_row || !call->winner ||
	    !call->session_id || !call->node)
		return;
	for (int side = 0; side < 2; side++)
		if (!legs[side]->dlg.local || !legs[side]->dlg.remote || !legs[side]->dlg.target ||
		    !legs[side]->sdp || !legs[side]->sdp_sent) {
			/* A late offer's answer is still on its way: saved once it is sent. */
			log_debug("store", "the %s leg's dialog or SDP is not known yet",
			          side ? "callee" : "caller");
			return;
		}
	c.text[SC_CALL_ID] = call->call_id;
	c.text[SC_B_CALL_ID] = call->b_call_id;
	c.text[SC_CALLER] = call->caller;
	c.text[SC_CALLER_HOST] = call->caller_host;
	c.text[SC_CALLEE] = call->callee;
	c.text[SC_DESTINATION] = call->destination;
	c.text[SC_FROM_TAG] = call->from_tag;
	c.text[SC_USER_AGENT] = call->user_agent;
	c.text[SC_FROM_HEADER] = call->from_header;
	c.text[SC_TO_HEADER] = call->to_header;
	c.text[SC_CONTACT] = call->winner->contact;
	c.text[SC_MEDIA_NODE] = media_node_endpoint(call->node);
	c.text[SC_MEDIA_SESSION] = call->session_id;
	for (int side = 0; side < 2; side++) {
		const struct leg *l = legs[side];

		c.text[SC_LEG(side, SC_LEG_LOCAL)] = l->dlg.local;
		c.text[SC_LEG(side, SC_LEG_REMOTE)] = l->dlg.remote;
		c.text[SC_LEG(side, SC_LEG_TARGET)] = l->dlg.target;
		c.text[SC_LEG(side, SC_LEG_ROUTE)] = l->dlg.route;
		/* A connection does not outlive the process: a call taken back reaches that phone
		 * through its registered contact, where it listens, whatever its dialog target says
		 * (a phone answering over its own connection may give that connection's port,
		 * calls.md). */
		c.text[SC_LEG(side, SC_LEG_PROXY)] = l->proxy_is_flow ? l->contact : l->proxy;
		c.text[SC_LEG(side, SC_LEG_SRC_IP)] = l->src_ip;
		c.text[SC_LEG(side, SC_LEG_SDP)] = l->sdp;
		c.text[SC_LEG(side, SC_LEG_SDP_SENT)] = l->sdp_sent;
		c.cseq[side] = l->dlg.cseq;
	}
	for (int i = 0; i < SC__N; i++)
		c.text[i] = or_empty(c.text[i]);
	if (store_call_save(st, &c) != 0)
		log_warn("store", "cannot save the sip_calls row");
}
