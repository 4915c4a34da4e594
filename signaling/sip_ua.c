/* NUA glue. The stack runs without its own SDP engine (the application owns offer/answer) and
 * without the behaviours that a B2BUA must decide itself (redirect following, Retry-After
 * resends, 100rel). */
#include "sip_ua.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/tport_tag.h>

#include "log.h"

struct sip_ua {
	su_root_t *root;		  /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	nua_t *nua;			  /* owned */
	struct ua_handlers h;
	sip_ua_done_cb shutdown_done;
	void *shutdown_arg;
	bool shutting_down;
};

/* sofia-sip exports these logs but declares only some of them. */
extern su_log_t nua_log[];
extern su_log_t nta_log[];
extern su_log_t tport_log[];

static void sofia_log(void *arg, char const *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	/* sofia emits fragments; keep whole lines only and drop the trailing newline. */
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n > 0)
		log_debug("sofia", "%s", buf);
}

static void redirect_sofia_logs(void)
{
	su_log_t *logs[] = {su_log_default, nua_log, nta_log, tport_log};

	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		su_log_redirect(logs[i], sofia_log, NULL);
}

static void set_context(const sip_t *sip)
{
	if (sip && sip->sip_call_id && sip->sip_call_id->i_id)
		log_set_context(sip->sip_call_id->i_id);
	else
		log_set_context(NULL);
}

static bool body_is_sdp(const sip_t *sip)
{
	return sip && sip->sip_payload && sip->sip_payload->pl_len && sip->sip_content_type &&
	       sip->sip_content_type->c_type &&
	       strcasecmp(sip->sip_content_type->c_type, "application/sdp") == 0;
}

/* The transport address the current request came from (after rport), as text. */
static void request_source(nua_t *nua, char *ip, size_t iplen, unsigned *port)
{
	msg_t *msg = nua_current_request(nua);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	su_sockaddr_t *su;

	ip[0] = '\0';
	*port = 0;
	if (!ai || !ai->ai_addr)
		return;
	su = (su_sockaddr_t *)ai->ai_addr;
	su_inet_ntop(su->su_family, SU_ADDR(su), ip, iplen);
	*port = ntohs(su->su_port);
}

static const char *via_transport(const sip_t *sip)
{
	const char *proto = sip->sip_via ? sip->sip_via->v_protocol : NULL;
	const char *slash = proto ? strrchr(proto, '/') : NULL;

	if (!slash)
		return "udp";
	return strcasecmp(slash + 1, "TCP") == 0 ? "tcp" : strcasecmp(slash + 1, "TLS") == 0 ? "tls" : "udp";
}

static void on_new_invite(struct sip_ua *ua, nua_handle_t *nh, const sip_t *sip)
{
	struct ua_request req = {0};
	su_home_t home[1] = {SU_HOME_INIT(home)};
	char ip[64];

	if (!sip || !sip->sip_request || !sip->sip_from || !sip->sip_to || !sip->sip_call_id) {
		nua_respond(nh, SIP_400_BAD_REQUEST, TAG_END());
		return;
	}
	request_source(ua->nua, ip, sizeof(ip), &req.src_port);
	req.src_ip = ip;
	req.transport = via_transport(sip);
	req.call_id = sip->sip_call_id->i_id;
	req.ruri_user = sip->sip_request->rq_url->url_user;
	req.ruri_host = sip->sip_request->rq_url->url_host;
	req.from_user = sip->sip_from->a_url->url_user;
	req.from_host = sip->sip_from->a_url->url_host;
	req.from_display = sip->sip_from->a_display;
	req.from_tag = sip->sip_from->a_tag;
	req.to_user = sip->sip_to->a_url->url_user;
	req.to_host = sip->sip_to->a_url->url_host;
	req.from_header = sip_header_as_string(home, (sip_header_t const *)sip->sip_from);
	req.to_header = sip_header_as_string(home, (sip_header_t const *)sip->sip_to);
	req.user_agent = sip->sip_user_agent ? sip->sip_user_agent->g_string : NULL;
	if (body_is_sdp(sip)) {
		req.sdp = sip->sip_payload->pl_data;
		req.sdp_len = sip->sip_payload->pl_len;
	}
	req.sip = sip;
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

/* Events on a handle that a module adopted. */
static void on_leg_event(struct sip_ua *ua, nua_event_t ev, int status, char const *phrase,
			 void *leg, const sip_t *sip, tagi_t tags[])
{
	int state = -1;

	switch (ev) {
	case nua_r_invite:
		/* 100 is either the stack's own Trying or "retrying after N s": never relayed. */
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

static void on_event(nua_event_t ev, int status, char const *phrase, nua_t *nua,
		     nua_magic_t *magic, nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip,
		     tagi_t tags[])
{
	struct sip_ua *ua = (struct sip_ua *)magic;

	set_context(sip);
	if (hmagic) {
		on_leg_event(ua, ev, status, phrase, hmagic, sip, tags);
		log_set_context(NULL);
		return;
	}
	switch (ev) {
	case nua_r_shutdown:
		if (status < 200)
			break;
		log_info("sip", "stack shut down (%d %s)", status, phrase);
		if (ua->shutdown_done) {
			sip_ua_done_cb done = ua->shutdown_done;

			ua->shutdown_done = NULL;
			done(ua->shutdown_arg);
		}
		break;
	case nua_i_options:
		/* The stack has answered 200 with our Allow/Accept/Supported. */
		log_debug("sip", "OPTIONS answered %d", status);
		nua_handle_destroy(nh);
		break;
	case nua_i_invite:
		if (status >= 200) /* the stack refused it already */
			break;
		if (ua->shutting_down) {
			nua_respond(nh, 503, "Shutting Down", SIPTAG_RETRY_AFTER_STR("30"), TAG_END());
			break;
		}
		on_new_invite(ua, nh, sip);
		break;
	case nua_i_state:
	case nua_i_active:
		break;
	case nua_i_terminated:
		nua_handle_destroy(nh);
		break;
	default:
		if (status >= 300 || ev == nua_i_error)
			log_info("sip", "%s: %d %s", nua_event_name(ev), status, phrase);
		else
			log_debug("sip", "%s: %d %s", nua_event_name(ev), status, phrase);
		/* A stack-created handle nobody adopted is ours to free. */
		if (nh && nua_event_is_incoming_request(ev) && ev != nua_i_error)
			nua_handle_destroy(nh);
		break;
	}
	log_set_context(NULL);
}

int sip_ua_new(struct sip_ua **out, su_root_t *root, const struct signald_config *cfg,
	       const struct ua_handlers *handlers, char *err, size_t errlen)
{
	struct sip_ua *ua = calloc(1, sizeof(*ua));
	char url[192];
	bool v6 = strchr(cfg->sip_host, ':') != NULL;

	if (!ua)
		return -ENOMEM;
	ua->root = root;
	ua->cfg = cfg;
	if (handlers)
		ua->h = *handlers;
	redirect_sofia_logs();
	snprintf(url, sizeof(url), v6 ? "sip:[%s]:%u" : "sip:%s:%u", cfg->sip_host, cfg->sip_port);
	ua->nua = nua_create(root, on_event, (nua_magic_t *)ua, NUTAG_URL(url),
	                     NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
	                     NUTAG_AUTO302(0), NUTAG_MAX_RETRY_AFTER(0),
	                     SIPTAG_USER_AGENT_STR(cfg->user_agent), SIPTAG_SUPPORTED_STR("timer"),
	                     SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO"),
	                     NTATAG_UDP_MTU(65535), TPTAG_LOG(cfg->sip_log ? 1 : 0), TAG_END());
	if (!ua->nua) {
		snprintf(err, errlen,
		         "[sip] listen: cannot open SIP on %s (address in use or not "
		         "local)",
		         cfg->sip_listen);
		free(ua);
		return -EADDRINUSE;
	}
	*out = ua;
	return 0;
}

void sip_ua_shutdown(struct sip_ua *ua, sip_ua_done_cb done, void *arg)
{
	if (ua->shutting_down)
		return;
	ua->shutting_down = true;
	ua->shutdown_done = done;
	ua->shutdown_arg = arg;
	nua_shutdown(ua->nua);
}

void sip_ua_free(struct sip_ua *ua)
{
	if (!ua)
		return;
	if (ua->nua)
		nua_destroy(ua->nua);
	free(ua);
}

void sip_ua_bind(struct sip_ua *ua, ua_handle *nh, void *leg)
{
	nua_handle_bind(nh, (nua_hmagic_t *)leg);
}

void sip_ua_release(struct sip_ua *ua, ua_handle *nh)
{
	if (!nh)
		return;
	nua_handle_bind(nh, NULL);
	nua_handle_destroy(nh);
}

void sip_ua_respond(struct sip_ua *ua, ua_handle *nh, int status, const char *phrase,
		    const char *sdp, const char *headers)
{
	nua_respond(nh, status, phrase, TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)), TAG_IF(headers, SIPTAG_HEADER_STR(headers)),
		    TAG_END());
}

ua_handle *sip_ua_invite(struct sip_ua *ua, void *leg, const struct ua_invite *inv)
{
	nua_handle_t *nh;

	nh = nua_handle(ua->nua, (nua_hmagic_t *)leg, NUTAG_URL(inv->ruri), SIPTAG_TO_STR(inv->to),
			SIPTAG_FROM_STR(inv->from), TAG_IF(inv->proxy, NUTAG_PROXY(inv->proxy)),
			TAG_END());
	if (!nh)
		return NULL;
	nua_invite(nh, TAG_IF(inv->sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		   TAG_IF(inv->sdp, SIPTAG_PAYLOAD_STR(inv->sdp)), NUTAG_AUTOACK(inv->sdp != NULL),
		   TAG_IF(inv->headers, SIPTAG_HEADER_STR(inv->headers)), TAG_END());
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
