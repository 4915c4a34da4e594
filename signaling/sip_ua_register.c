/* REGISTER: sip_ua's half of the registrar. Describes the request to registrar.c as plain data,
 * sends back what it decides and frees the handle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_string.h>

#include "hostport.h"
#include "log.h"
#include "registrar.h"
#include "sip_ua_internal.h"
#include "tcp_flows.h"

/* Fills contacts from the Contact headers; returns how many, or -1 when there are too many. */
static int read_contacts(su_home_t *home, const sip_t *sip, struct registrar_request *req,
                         struct registrar_contact *out)
{
	size_t n = 0;

	for (const sip_contact_t *m = sip->sip_contact; m; m = m->m_next) {
		if (m->m_url->url_type == url_any) {
			req->star = true;
			continue;
		}
		if (n == SIP_UA_MAX_CONTACTS)
			return -1;
		char transport[16] = "";

		if (url_param(m->m_url->url_params, "transport", transport, sizeof(transport)) == 0)
			transport[0] = '\0';
		out[n] = (struct registrar_contact){
		    .uri = url_as_string(home, m->m_url),
		    .foreign_scheme = m->m_url->url_type != url_sip,
		    .maddr = url_has_param(m->m_url, "maddr") != 0,
		    .transport = transport[0] ? su_strdup(home, transport) : NULL,
		    .host = m->m_url->url_host,
		    .port =
		        m->m_url->url_port ? (unsigned)strtoul(m->m_url->url_port, NULL, 10) : 0,
		    .expires = msg_header_find_param(m->m_common, "expires="),
		};
		n++;
	}
	return (int)n;
}

/* Marks headers the stack could not parse (they land in sip_error, not in their slot). A
 * second copy of a single-instance header (Expires, Max-Forwards...) lands there too, as a header
 * of its own class: only headers of the error class have an er_name. */
static void read_errors(const sip_t *sip, struct registrar_request *req)
{
	for (const sip_error_t *e = sip->sip_error; e; e = e->er_next) {
		const char *name = e->er_common->h_class == sip_error_class
		                       ? e->er_name
		                       : e->er_common->h_class->hc_name;

		if (!name)
			continue;
		if (su_casematch(name, "Authorization"))
			req->creds_bad = true;
		else if (su_casematch(name, "Expires"))
			req->expires_bad = true;
		else if (su_casematch(name, "Contact") || su_casematch(name, "m"))
			req->contact_bad = true;
	}
}

static long header_expires(const sip_t *sip)
{
	const sip_expires_t *ex = sip->sip_expires;
	sip_time_t now;

	if (!ex)
		return -1;
	if (!ex->ex_date)
		return (long)ex->ex_delta;
	now = sip_now();
	return ex->ex_date + ex->ex_delta > now ? (long)(ex->ex_date + ex->ex_delta - now) : 0;
}

static void send_reply(nua_t *nua, nua_handle_t *nh, const struct registrar_reply *r)
{
	const struct digest_challenge *ch = &r->challenge;
	char min_exp[24];

	snprintf(min_exp, sizeof(min_exp), "%ld", r->min_expires);
	nua_respond(nh, r->status, r->phrase, NUTAG_WITH_THIS(nua),
	            TAG_IF(r->contact, SIPTAG_CONTACT_STR(r->contact)),
	            TAG_IF(ch->n > 0, SIPTAG_WWW_AUTHENTICATE_STR(ch->value[0])),
	            TAG_IF(ch->n > 1, SIPTAG_WWW_AUTHENTICATE_STR(ch->value[1])),
	            TAG_IF(r->min_expires > 0, SIPTAG_MIN_EXPIRES_STR(min_exp)), TAG_END());
}

int sip_ua_describe_register(su_home_t *home, const sip_t *sip, struct registrar_request *req,
                             struct registrar_contact *contacts, struct registrar_cred *creds)
{
	int n;

	req->contacts = contacts;
	req->creds = creds;
	req->expires = -1;
	req->ruri = sip->sip_request ? url_as_string(home, sip->sip_request->rq_url) : NULL;
	req->call_id = sip->sip_call_id ? sip->sip_call_id->i_id : NULL;
	req->cseq = sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
	if (sip->sip_to && sip->sip_to->a_url->url_user) {
		req->aor_user = sip->sip_to->a_url->url_user;
		req->aor_host = sip->sip_to->a_url->url_host;
	}
	req->has_from = sip->sip_from != NULL;
	req->user_agent = sip->sip_user_agent ? sip->sip_user_agent->g_string : NULL;
	req->expires = header_expires(sip);
	read_errors(sip, req);
	for (const sip_authorization_t *au = sip->sip_authorization; au; au = au->au_next)
		if (req->n_creds < SIP_UA_MAX_CREDS)
			creds[req->n_creds++] =
			    (struct registrar_cred){au->au_scheme, au->au_params};
	n = read_contacts(home, sip, req, contacts);
	if (n < 0)
		return -E2BIG;
	req->n_contacts = (size_t)n;
	return 0;
}

/* REGISTER: describe the request to the registrar, send what it decides, free the handle. */
void sip_ua_on_register(struct sip_ua *ua, nua_t *nua, nua_handle_t *nh, const sip_t *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct registrar_contact contacts[SIP_UA_MAX_CONTACTS];
	struct registrar_cred creds[SIP_UA_MAX_CREDS];
	struct registrar_request req = {0};
	struct registrar_reply reply;
	char ip[64];

	sip_ua_request_source(nua, ip, sizeof(ip), &req.src_port, &req.transport);
	req.src_ip = ip;
	if (sip_ua_describe_register(home, sip, &req, contacts, creds)) {
		char src[HOSTPORT_LEN];

		hostport_format(src, sizeof(src), ip, req.src_port);
		log_notice("sip", "REGISTER from %s with more than %d contacts refused", src,
		           SIP_UA_MAX_CONTACTS);
		memset(&reply, 0, sizeof(reply));
		reply.status = 403;
		reply.phrase = "Too Many Contacts";
	} else {
		registrar_handle(ua->registrar, &req, time(NULL), &reply);
		/* A binding made over TCP is reached back over this connection while it lasts. */
		if (reply.status == 200 && req.n_contacts && req.transport &&
		    strcmp(req.transport, "tcp") == 0)
			tcp_flows_add(ua->flows, ip, req.src_port);
	}
	send_reply(nua, nh, &reply);
	nua_handle_destroy(nh);
	registrar_reply_clear(&reply);
	su_home_deinit(home);
}
