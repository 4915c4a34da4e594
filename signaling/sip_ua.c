/* NUA glue. The stack runs without its own SDP engine (the application owns offer/answer) and
 * without the behaviours that a B2BUA must decide itself (redirect following, Retry-After
 * resends, 100rel). */
#include "sip_ua.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/tport_tag.h>

#include "log.h"
#include "registrar.h"

#define MAX_CONTACTS 32 /* more than this in one REGISTER is refused whole */
#define MAX_CREDS    4

struct sip_ua {
	su_root_t *root;                  /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	struct registrar *registrar;      /* borrowed */
	nua_t *nua;                       /* owned */
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

/* Where the request really came from (the transport's view, not the headers'). */
static void request_source(nua_t *nua, char *ip, size_t iplen, unsigned *port,
                           const char **transport)
{
	msg_t *msg = nua_current_request(nua);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	su_sockaddr_t const *su = ai ? (su_sockaddr_t const *)ai->ai_addr : NULL;

	snprintf(ip, iplen, "0.0.0.0");
	*port = 0;
	*transport = "udp";
	if (!su)
		return;
	su_inet_ntop(su->su_family, SU_ADDR(su), ip, iplen);
	*port = ntohs(su->su_port);
	if (ai->ai_protocol == IPPROTO_TCP)
		*transport = "tcp";
}

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
		if (n == MAX_CONTACTS)
			return -1;
		out[n] = (struct registrar_contact){
		    .uri = url_as_string(home, m->m_url),
		    .host = m->m_url->url_host,
		    .port =
		        m->m_url->url_port ? (unsigned)strtoul(m->m_url->url_port, NULL, 10) : 0,
		    .expires = msg_header_find_param(m->m_common, "expires="),
		};
		n++;
	}
	return (int)n;
}

/* Marks headers the stack could not parse (they land in sip_error, not in their slot). */
static void read_errors(const sip_t *sip, struct registrar_request *req)
{
	for (const sip_error_t *e = sip->sip_error; e; e = e->er_next) {
		if (!e->er_name)
			continue;
		if (su_casematch(e->er_name, "Authorization"))
			req->creds_bad = true;
		else if (su_casematch(e->er_name, "Expires"))
			req->expires_bad = true;
		else if (su_casematch(e->er_name, "Contact") || su_casematch(e->er_name, "m"))
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

/* REGISTER: describe the request to the registrar, send what it decides, free the handle. */
static void on_register(struct sip_ua *ua, nua_t *nua, nua_handle_t *nh, const sip_t *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct registrar_contact contacts[MAX_CONTACTS];
	struct registrar_cred creds[MAX_CREDS];
	struct registrar_request req = {.contacts = contacts, .creds = creds, .expires = -1};
	struct registrar_reply reply;
	char ip[64];
	int n;

	request_source(nua, ip, sizeof(ip), &req.src_port, &req.transport);
	req.src_ip = ip;
	req.call_id = sip->sip_call_id ? sip->sip_call_id->i_id : NULL;
	req.cseq = sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
	if (sip->sip_to && sip->sip_to->a_url->url_user) {
		req.aor_user = sip->sip_to->a_url->url_user;
		req.aor_host = sip->sip_to->a_url->url_host;
	}
	req.has_from = sip->sip_from != NULL;
	req.user_agent = sip->sip_user_agent ? sip->sip_user_agent->g_string : NULL;
	req.expires = header_expires(sip);
	read_errors(sip, &req);
	for (const sip_authorization_t *au = sip->sip_authorization; au; au = au->au_next)
		if (req.n_creds < MAX_CREDS)
			creds[req.n_creds++] =
			    (struct registrar_cred){au->au_scheme, au->au_params};
	n = read_contacts(home, sip, &req, contacts);
	if (n < 0) {
		log_notice("sip", "REGISTER from %s:%u with more than %d contacts refused", ip,
		           req.src_port, MAX_CONTACTS);
		memset(&reply, 0, sizeof(reply));
		reply.status = 403;
		reply.phrase = "Too Many Contacts";
	} else {
		req.n_contacts = (size_t)n;
		registrar_handle(ua->registrar, &req, time(NULL), &reply);
	}
	send_reply(nua, nh, &reply);
	nua_handle_destroy(nh);
	registrar_reply_clear(&reply);
	su_home_deinit(home);
}

static void on_event(nua_event_t ev, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct sip_ua *ua = (struct sip_ua *)magic;

	set_context(sip);
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
		if (!hmagic)
			nua_handle_destroy(nh);
		break;
	case nua_i_register:
		if (status < 200 && !hmagic && sip)
			on_register(ua, nua, nh, sip);
		else if (!hmagic)
			nua_handle_destroy(nh);
		break;
	case nua_i_invite:
		if (status >= 200 || hmagic)
			break;
		log_notice("sip", "INVITE %s refused: no call routing on this node",
		           sip && sip->sip_request ? sip->sip_request->rq_url->url_user : "");
		nua_respond(nh, SIP_501_NOT_IMPLEMENTED, NUTAG_WITH_THIS(nua), TAG_END());
		break;
	case nua_i_state:
	case nua_i_active:
	case nua_i_terminated:
		if (ev == nua_i_terminated && !hmagic)
			nua_handle_destroy(nh);
		break;
	default:
		if (status >= 300 || ev == nua_i_error)
			log_info("sip", "%s: %d %s", nua_event_name(ev), status, phrase);
		else
			log_debug("sip", "%s: %d %s", nua_event_name(ev), status, phrase);
		/* A stack-created handle nobody adopted is ours to free. */
		if (nh && !hmagic && ev < nua_r_set_params)
			nua_handle_destroy(nh);
		break;
	}
	log_set_context(NULL);
}

int sip_ua_new(struct sip_ua **out, su_root_t *root, const struct signald_config *cfg,
               struct registrar *registrar, char *err, size_t errlen)
{
	struct sip_ua *ua = calloc(1, sizeof(*ua));
	char url[192];
	bool v6 = strchr(cfg->sip_host, ':') != NULL;

	if (!ua)
		return -ENOMEM;
	ua->root = root;
	ua->cfg = cfg;
	ua->registrar = registrar;
	redirect_sofia_logs();
	snprintf(url, sizeof(url), v6 ? "sip:[%s]:%u" : "sip:%s:%u", cfg->sip_host, cfg->sip_port);
	ua->nua = nua_create(root, on_event, (nua_magic_t *)ua, NUTAG_URL(url),
	                     NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0),
	                     NUTAG_AUTO302(0), NUTAG_MAX_RETRY_AFTER(0),
	                     SIPTAG_USER_AGENT_STR(cfg->user_agent), SIPTAG_SUPPORTED_STR("timer"),
	                     SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, "
	                                      "REGISTER"),
	                     NUTAG_APPL_METHOD("REGISTER"), NTATAG_UDP_MTU(65535),
	                     TPTAG_LOG(cfg->sip_log ? 1 : 0), TAG_END());
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
