/* Dialogs continued after a restart. sofia-sip 1.12 answers 481 itself to any in-dialog
 * request whose tags match no dialog it holds (nua_stack_process_request), and has no call to
 * load a dialog's state into a handle. What it does is build the dialog of a handle from the
 * headers of the first request sent on it (nua_client_request_sendmsg: nta_leg_tcreate with
 * that request's Call-ID, From, To and CSeq). So a new handle whose From and To carry the old
 * tags, sending a re-INVITE to the old remote target, recreates the dialog: the phone sees an
 * ordinary re-INVITE, and the stack, from its 2xx on, matches the phone's requests to this
 * handle. */
#include <stdio.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>

#include "sip_ua_internal.h"

ua_handle *sip_ua_restore_leg(struct sip_ua *ua, void *leg, const struct ua_restore *r)
{
	nua_handle_t *nh;
	char cseq[32];
	const char *contact;

	if (!r->call_id || !r->local || !r->remote || !r->target)
		return NULL;
	nh = nua_handle(ua->nua, (nua_hmagic_t *)leg, NUTAG_URL(r->target),
	                SIPTAG_CALL_ID_STR(r->call_id), SIPTAG_FROM_STR(r->local),
	                SIPTAG_TO_STR(r->remote), TAG_END());
	if (!nh)
		return NULL;
	sip_ua_dialog_params(nh);
	/* The leg takes this as the dialog's last local CSeq and sends the next one. */
	snprintf(cseq, sizeof(cseq), "%u INVITE", r->cseq ? r->cseq : 1u);
	contact = sip_ua_leg_contact(
	    ua, sip_ua_uri_transport(r->proxy && *r->proxy ? r->proxy : r->target));
	nua_invite(nh, SIPTAG_CSEQ_STR(cseq), TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	           TAG_IF(r->route && *r->route, SIPTAG_ROUTE_STR(r->route)),
	           TAG_IF(r->proxy && *r->proxy, NUTAG_PROXY(r->proxy)),
	           TAG_IF(sip_ua_uri_is_tcp(r->proxy && *r->proxy ? r->proxy : r->target),
	                  NUTAG_M_PARAMS("transport=tcp")),
	           TAG_IF(r->sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	           TAG_IF(r->sdp, SIPTAG_PAYLOAD_STR(r->sdp)), NUTAG_AUTOACK(1), TAG_END());
	return nh;
}
