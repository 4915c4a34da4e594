/* INVITE dialogs: sip_ua's half of the b2bua. New INVITEs and every event of an adopted handle
 * go up as plain structs; the b2bua acts on its legs through the functions below. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/url.h>

#include "log.h"
#include "sip_ua_internal.h"

static bool body_is_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len && sip->sip_content_type &&
	       sip->sip_content_type->c_type &&
	       strcasecmp(sip->sip_content_type->c_type, "application/sdp") == 0;
}

static bool allows_update(const sip_t *sip)
{
	return sip && sip->sip_allow && sip_is_allowed(sip->sip_allow, sip_method_update, "UPDATE");
}

/* Session timers (session_timer.h) refresh with UPDATE, and sofia-sip 1.12.11 retries a refused
 * refresh every second (the refresh is rescheduled only on success). A caller that neither
 * refreshes (no "timer") nor takes UPDATE gets no timer on its leg; a callee without UPDATE is
 * refreshed with a re-INVITE (the last one sent on the leg, so its current offer). */
static void fit_session_timer(struct sip_ua *ua, nua_handle_t *nh, const sip_t *sip, bool caller)
{
	if (!ua->cfg->sip_session_timer_s || allows_update(sip))
		return;
	if (caller && !sip_has_feature(sip->sip_supported, "timer")) {
		log_debug("sip", "caller supports neither timer nor UPDATE: no session timer");
		nua_set_hparams(nh, NUTAG_SESSION_TIMER(0), TAG_END());
	} else if (!caller) {
		log_debug("sip", "callee does not take UPDATE: session refreshed by re-INVITE");
		nua_set_hparams(nh, NUTAG_UPDATE_REFRESH(0), TAG_END());
	}
}

int sip_ua_describe_invite(su_home_t *home, const sip_t *sip, struct ua_request *req)
{
	if (!sip || !sip->sip_request || !sip->sip_from || !sip->sip_to || !sip->sip_call_id)
		return -EBADMSG;
	req->call_id = sip->sip_call_id->i_id;
	req->ruri_user = sip->sip_request->rq_url->url_user;
	req->ruri_host = sip->sip_request->rq_url->url_host;
	req->from_user = sip->sip_from->a_url->url_user;
	req->from_host = sip->sip_from->a_url->url_host;
	req->from_display = sip->sip_from->a_display;
	req->from_tag = sip->sip_from->a_tag;
	req->to_user = sip->sip_to->a_url->url_user;
	req->to_host = sip->sip_to->a_url->url_host;
	req->from_header = sip_header_as_string(home, (sip_header_t const *)sip->sip_from);
	req->to_header = sip_header_as_string(home, (sip_header_t const *)sip->sip_to);
	req->user_agent = sip->sip_user_agent ? sip->sip_user_agent->g_string : NULL;
	if (body_is_sdp(sip)) {
		req->sdp = sip->sip_payload->pl_data;
		req->sdp_len = sip->sip_payload->pl_len;
	}
	req->sip = sip;
	return 0;
}

void sip_ua_on_invite(struct sip_ua *ua, nua_handle_t *nh, const sip_t *sip)
{
	struct ua_request req = {0};
	su_home_t home[1] = {SU_HOME_INIT(home)};
	char ip[64];

	if (sip_ua_describe_invite(home, sip, &req)) {
		nua_respond(nh, SIP_400_BAD_REQUEST, TAG_END());
		su_home_deinit(home);
		return;
	}
	sip_ua_request_source(ua->nua, ip, sizeof(ip), &req.src_port, &req.transport);
	req.src_ip = ip;
	/* Our Contact must say TCP to a phone that called over TCP: sofia-sip writes one without
	 * transport (UDP), which a phone listening on TCP alone cannot send its BYE to. */
	if (sip_ua_leg_contact(ua, req.transport)) {
		if (sip_ua_contact_remember(ua, nh, sip_ua_leg_contact(ua, req.transport))) {
			nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
			su_home_deinit(home);
			return;
		}
	} else if (req.transport && strcmp(req.transport, "tcp") == 0)
		nua_set_hparams(nh, NUTAG_M_PARAMS("transport=tcp"), TAG_END());
	fit_session_timer(ua, nh, sip, true);
	if (ua->h.invite)
		ua->h.invite(ua->h.arg, nh, &req);
	else
		nua_respond(nh, SIP_501_NOT_IMPLEMENTED, TAG_END());
	su_home_deinit(home);
}

static void leg_event(struct sip_ua *ua, void *leg, enum ua_leg_event_kind kind, int status,
                      const char *phrase, const sip_t *sip)
{
	struct ua_leg_event ev = {.kind = kind, .status = status, .phrase = phrase, .sip = sip};

	if (body_is_sdp(sip)) {
		ev.sdp = sip->sip_payload->pl_data;
		ev.sdp_len = sip->sip_payload->pl_len;
	}
	if (sip && sip->sip_call_id)
		ev.call_id = sip->sip_call_id->i_id;
	if (sip && sip->sip_to)
		ev.to_tag = sip->sip_to->a_tag;
	if (ua->h.leg_event)
		ua->h.leg_event(ua->h.arg, leg, &ev);
}

/* The value of a header as sip_header_e printed it ("Name: value"). */
static const char *header_value(char *printed)
{
	char *v = strchr(printed, ':');

	return v ? v + 1 + strspn(v + 1, " \t") : printed;
}

static void request_event(struct sip_ua *ua, void *leg, const sip_t *sip)
{
	struct ua_leg_event ev = {.kind = UA_EV_REQUEST, .sip = sip};
	char ctype[256], event[256], state[256];

	if (!sip || !sip->sip_request)
		return;
	ev.method = sip->sip_request->rq_method_name;
	if (sip->sip_payload && sip->sip_payload->pl_len) {
		ev.body = sip->sip_payload->pl_data;
		ev.body_len = sip->sip_payload->pl_len;
	}
	/* The full value (type/subtype and parameters), as the sender wrote it. */
	if (sip->sip_content_type && sip->sip_content_type->c_type &&
	    sip_header_e(ctype, sizeof(ctype), (sip_header_t const *)sip->sip_content_type, 0) >
	        0) {
		ev.content_type = header_value(ctype);
	}
	if (sip->sip_call_id)
		ev.call_id = sip->sip_call_id->i_id;
	if (sip->sip_event &&
	    sip_header_e(event, sizeof(event), (sip_header_t const *)sip->sip_event, 0) > 0)
		ev.event = header_value(event);
	if (sip->sip_subscription_state &&
	    sip_header_e(state, sizeof(state), (sip_header_t const *)sip->sip_subscription_state,
	                 0) > 0)
		ev.subscription_state = header_value(state);
	if (ua->h.leg_event)
		ua->h.leg_event(ua->h.arg, leg, &ev);
}

static void refer_event(struct sip_ua *ua, void *leg, const sip_t *sip, tagi_t tags[])
{
	struct ua_leg_event ev = {.kind = UA_EV_REFER, .sip = sip, .method = "REFER"};
	sip_event_t const *o = NULL;
	sip_referred_by_t const *by = sip ? sip->sip_referred_by : NULL;
	char event[256], referred[512], ip[64];
	unsigned port;
	const char *transport;

	if (!sip || !sip->sip_request)
		return;
	tl_gets(tags, NUTAG_REFER_EVENT_REF(o), TAG_END());
	if (o && sip_header_e(event, sizeof(event), (sip_header_t const *)o, 0) > 0)
		ev.event = header_value(event);
	if (by && sip_header_e(referred, sizeof(referred), (sip_header_t const *)by, 0) > 0) {
		ev.referred_by = header_value(referred);
	} else if (sip->sip_from && url_e(referred + 1, sizeof(referred) - 2,
	                                  sip->sip_from->a_url) < (isize_t)sizeof(referred) - 3) {
		/* No Referred-By: the referrer is the REFER's From (RFC 3892). */
		referred[0] = '<';
		strcat(referred, ">");
		ev.referred_by = referred;
	}
	if (ev.referred_by)
		referred[strcspn(referred, "\r\n")] = '\0';
	if (sip->sip_call_id)
		ev.call_id = sip->sip_call_id->i_id;
	sip_ua_request_source(ua->nua, ip, sizeof(ip), &port, &transport);
	ev.src_ip = ip;
	if (ua->h.leg_event)
		ua->h.leg_event(ua->h.arg, leg, &ev);
}

/* Events on a handle that a module adopted. */
void sip_ua_on_leg_event(struct sip_ua *ua, nua_event_t ev, int status, char const *phrase,
                         nua_handle_t *nh, void *leg, const sip_t *sip, tagi_t tags[])
{
	int state = -1;

	switch (ev) {
	case nua_r_invite:
		/* 100 is either the stack's own Trying or "retrying after N s": never relayed. */
		if (status >= 200 && status < 300)
			fit_session_timer(ua, nh, sip, false);
		if (status > 100)
			leg_event(ua, leg, UA_EV_RESPONSE, status, phrase, sip);
		break;
	case nua_i_invite:
		leg_event(ua, leg, UA_EV_REINVITE, status, phrase, sip);
		break;
	case nua_i_ack:
		leg_event(ua, leg, UA_EV_ACK, status, phrase, sip);
		break;
	case nua_i_bye:
		leg_event(ua, leg, UA_EV_BYE, status, phrase, sip);
		break;
	case nua_i_cancel:
		leg_event(ua, leg, UA_EV_CANCEL, status, phrase, sip);
		break;
	case nua_i_update:
		leg_event(ua, leg, UA_EV_UPDATE, status, phrase, sip);
		break;
	case nua_r_update:
		if (status >= 200)
			leg_event(ua, leg, UA_EV_UPDATE_RESPONSE, status, phrase, sip);
		break;
	case nua_i_info:
	case nua_i_message:
	case nua_i_notify:
		/* status 100: ours to answer (NUTAG_APPL_METHOD); else the stack already did. */
		if (status < 200)
			request_event(ua, leg, sip);
		break;
	case nua_i_refer:
		/* status 100: ours to answer (NUTAG_APPL_METHOD). */
		if (status < 200)
			refer_event(ua, leg, sip, tags);
		break;
	case nua_r_info:
	case nua_r_message:
	case nua_r_method:
		if (status >= 200)
			leg_event(ua, leg, UA_EV_REQUEST_RESPONSE, status, phrase, sip);
		break;
	case nua_i_prack:
		leg_event(ua, leg, UA_EV_PRACK, status, phrase, sip);
		break;
	case nua_r_prack:
		if (status >= 200)
			leg_event(ua, leg, UA_EV_PRACK, status, phrase, sip);
		break;
	case nua_i_state:
		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (state == nua_callstate_terminated)
			leg_event(ua, leg, UA_EV_TERMINATED, status, phrase, sip);
		break;
	default:
		log_debug("sip", "%s on leg: %d %s", nua_event_name(ev), status, phrase);
		break;
	}
}

void sip_ua_dialog_params(nua_handle_t *nh)
{
	nua_set_hparams(nh, SIPTAG_ALLOW_STR(SIP_UA_ALLOW_DIALOG), TAG_END());
}

void sip_ua_bind(struct sip_ua *ua, ua_handle *nh, void *leg)
{
	/* A new caller's handle (first bind) gets the dialog's Allow before our first answer. */
	if (!nua_handle_magic(nh))
		sip_ua_dialog_params(nh);
	nua_handle_bind(nh, (nua_hmagic_t *)leg);
}

void sip_ua_release(struct sip_ua *ua, ua_handle *nh)
{
	if (!nh)
		return;
	nua_handle_bind(nh, NULL);
	sip_ua_contact_forget(ua, nh);
	nua_handle_destroy(nh);
}

/* nua_respond() keeps the phrase pointer, not a copy, until the stack handles the signal, after
 * the event a relayed phrase came from is freed. Phrases are kept here for the process's life:
 * few distinct ones exist; past the table's size, or past its length, the status's standard
 * phrase is used. Loop thread only. */
#define PHRASES     128
#define PHRASE_SIZE 64
static const char *phrase_keep(int status, const char *phrase)
{
	static char kept[PHRASES][PHRASE_SIZE];
	static unsigned n;
	size_t len;

	if (!phrase)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(kept[i], phrase))
			return kept[i];
	len = strlen(phrase);
	if (n == PHRASES || len >= PHRASE_SIZE)
		return sip_status_phrase(status) ? sip_status_phrase(status) : "";
	memcpy(kept[n], phrase, len + 1);
	return kept[n++];
}

void sip_ua_respond_now(struct sip_ua *ua, ua_handle *nh, int status, const char *phrase,
                        const char *sdp)
{
	phrase = phrase_keep(status, phrase);
	const char *contact = sip_ua_contact_of(ua, nh);

	nua_respond(nh, status, phrase, NUTAG_WITH_THIS(ua->nua),
	            TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	            TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	            TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
}

void sip_ua_respond(struct sip_ua *ua, ua_handle *nh, int status, const char *phrase,
                    const char *sdp, const char *headers)
{
	phrase = phrase_keep(status, phrase);
	const char *contact = sip_ua_contact_of(ua, nh);

	nua_respond(nh, status, phrase, TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	            TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	            TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
	            TAG_IF(headers, SIPTAG_HEADER_STR(headers)), TAG_END());
}

ua_handle *sip_ua_invite(struct sip_ua *ua, void *leg, const struct ua_invite *inv)
{
	nua_handle_t *nh;
	const char *supported = inv->offer_100rel ? SIP_UA_SUPPORTED : SIP_UA_SUPPORTED_NO_100REL;
	const char *contact;

	nh = nua_handle(ua->nua, (nua_hmagic_t *)leg, NUTAG_URL(inv->ruri), SIPTAG_TO_STR(inv->to),
	                SIPTAG_FROM_STR(inv->from), TAG_END());
	if (!nh)
		return NULL;
	sip_ua_dialog_params(nh);
	contact = sip_ua_leg_contact(ua, sip_ua_uri_transport(inv->proxy ? inv->proxy : inv->ruri));
	nua_invite(nh, TAG_IF(inv->proxy, NUTAG_PROXY(inv->proxy)),
	           TAG_IF(contact, SIPTAG_CONTACT_STR(contact)),
	           TAG_IF(!contact && sip_ua_uri_is_tcp(inv->proxy ? inv->proxy : inv->ruri),
	                  NUTAG_M_PARAMS("transport=tcp")),
	           TAG_IF(inv->sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	           TAG_IF(inv->sdp, SIPTAG_PAYLOAD_STR(inv->sdp)), NUTAG_AUTOACK(inv->sdp != NULL),
	           TAG_IF(inv->headers, SIPTAG_HEADER_STR(inv->headers)),
	           SIPTAG_SUPPORTED_STR(supported), TAG_END());
	return nh;
}

void sip_ua_reinvite(struct sip_ua *ua, ua_handle *nh, const char *sdp)
{
	nua_invite(nh, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	           TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
}

void sip_ua_ack(struct sip_ua *ua, ua_handle *nh, const char *sdp)
{
	nua_ack(nh, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	        TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
}

void sip_ua_bye(struct sip_ua *ua, ua_handle *nh, const char *reason)
{
	nua_bye(nh, TAG_IF(reason, SIPTAG_REASON_STR(reason)), TAG_END());
}

struct ua_kept {
	nua_saved_event_t saved[1];
};

struct ua_kept *sip_ua_keep_request(struct sip_ua *ua)
{
	struct ua_kept *k = calloc(1, sizeof(*k));

	if (k && !nua_save_event(ua->nua, k->saved)) {
		free(k);
		k = NULL;
	}
	return k;
}

void sip_ua_respond_kept(struct sip_ua *ua, ua_handle *nh, struct ua_kept *kept, int status,
                         const char *phrase, const char *sdp)
{
	if (!kept)
		return;
	phrase = phrase_keep(status, phrase);
	nua_respond(nh, status, phrase, NUTAG_WITH_SAVED(kept->saved),
	            TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	            TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
	sip_ua_drop_kept(kept);
}

void sip_ua_drop_kept(struct ua_kept *kept)
{
	if (!kept)
		return;
	nua_destroy_event(kept->saved);
	free(kept);
}

int sip_ua_request(struct sip_ua *ua, ua_handle *nh, const struct ua_request_out *r)
{
	const char *method = r->method, *content_type = r->content_type, *body = r->body;
	size_t body_len = r->body_len;
	bool has_body = body && body_len;
	/* With a length: a body need not end in NUL. */
	sip_payload_t pl[1];

	(void)ua;
	sip_payload_init(pl);
	pl->pl_data = (char *)body;
	pl->pl_len = (usize_t)body_len;
	if (!strcasecmp(method, "INFO"))
		nua_info(nh, TAG_IF(content_type, SIPTAG_CONTENT_TYPE_STR(content_type)),
		         TAG_IF(has_body, SIPTAG_PAYLOAD(pl)), TAG_END());
	else if (!strcasecmp(method, "MESSAGE"))
		nua_message(nh, TAG_IF(content_type, SIPTAG_CONTENT_TYPE_STR(content_type)),
		            TAG_IF(has_body, SIPTAG_PAYLOAD(pl)), TAG_END());
	else if (!strcasecmp(method, "NOTIFY"))
		/* As an extension method: nua_notify() would make the stack a notifier that sends
		 * NOTIFYs of its own (a terminated one when the call ends). Relayed, the NOTIFYs
		 * are the other side's alone. */
		nua_method(nh, NUTAG_METHOD("NOTIFY"), TAG_IF(r->event, SIPTAG_EVENT_STR(r->event)),
		           TAG_IF(r->subscription_state,
		                  SIPTAG_SUBSCRIPTION_STATE_STR(r->subscription_state)),
		           TAG_IF(content_type, SIPTAG_CONTENT_TYPE_STR(content_type)),
		           TAG_IF(has_body, SIPTAG_PAYLOAD(pl)), TAG_END());
	else
		return -EINVAL;
	return 0;
}

void sip_ua_notify_refer(struct sip_ua *ua, ua_handle *nh, const char *event, int status,
                         const char *phrase, bool final)
{
	char frag[128];
	size_t n;

	(void)ua;
	if (!phrase)
		phrase = sip_status_phrase(status) ? sip_status_phrase(status) : "";
	n = (size_t)snprintf(frag, sizeof(frag), "SIP/2.0 %d ", status);
	/* The phrase may be a peer's: only what a status line can carry. */
	for (const char *c = phrase; *c && n + 3 < sizeof(frag); c++)
		frag[n++] = (*c >= 0x20 && *c < 0x7f) ? *c : '?';
	memcpy(frag + n, "\r\n", 3);
	nua_notify(nh, NUTAG_SUBSTATE(final ? nua_substate_terminated : nua_substate_active),
	           TAG_IF(event, SIPTAG_EVENT_STR(event)),
	           SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"), SIPTAG_PAYLOAD_STR(frag),
	           TAG_END());
}

void *sip_ua_leg_by_replaces(struct sip_ua *ua, const sip_replaces_t *rp)
{
	nua_handle_t *nh = rp ? nua_handle_by_replaces(ua->nua, rp) : NULL;
	void *leg;

	if (!nh)
		return NULL;
	leg = nua_handle_magic(nh);
	nua_handle_unref(nh);
	return leg;
}

void sip_ua_update(struct sip_ua *ua, ua_handle *nh, const char *sdp)
{
	nua_update(nh, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	           TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
}
