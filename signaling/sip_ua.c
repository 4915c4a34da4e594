/* NUA glue. The stack runs without its own SDP engine (the application owns offer/answer) and
 * without the behaviours that a B2BUA must decide itself (redirect following, Retry-After
 * resends, 100rel). */
#include "sip_ua.h"
#include "sip_ua_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport_tag.h>

#include "log.h"
#include "sip_socket.h"

/* sofia-sip exports these logs but declares only some of them. */
extern su_log_t nua_log[];
extern su_log_t nta_log[];
extern su_log_t tport_log[];

__attribute__((format(printf, 2, 0))) static void sofia_log(void *arg, char const *fmt, va_list ap)
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

void sip_ua_request_source(nua_t *nua, char *ip, size_t iplen, unsigned *port,
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

static void on_event(nua_event_t ev, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct sip_ua *ua = (struct sip_ua *)magic;

	set_context(sip);
	if (hmagic) {
		sip_ua_on_leg_event(ua, ev, status, phrase, hmagic, sip, tags);
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
	case nua_i_register:
		if (status < 200 && sip && ua->registrar)
			sip_ua_on_register(ua, nua, nh, sip);
		else
			nua_handle_destroy(nh);
		break;
	case nua_i_update:
		if (status < 200)
			nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
		nua_handle_destroy(nh);
		break;
	case nua_i_invite:
		if (status >= 200) /* the stack refused it already */
			break;
		if (ua->shutting_down) {
			nua_respond(nh, 503, "Shutting Down", SIPTAG_RETRY_AFTER_STR("30"),
			            TAG_END());
			break;
		}
		sip_ua_on_invite(ua, nh, sip);
		break;
	case nua_i_state: {
		/* An INVITE we answered without adopting it (407, 404, 503...) ends here: the
		 * handle is ours to free, and 1.12.11 does not always follow with
		 * nua_i_terminated. */
		int state = -1;

		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (state == nua_callstate_terminated)
			nua_handle_destroy(nh);
		break;
	}
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
               struct registrar *registrar, const struct ua_handlers *handlers, char *err,
               size_t errlen)
{
	struct sip_ua *ua = calloc(1, sizeof(*ua));
	char url[192];
	bool v6 = strchr(cfg->sip_host, ':') != NULL;

	if (!ua)
		return -ENOMEM;
	ua->root = root;
	ua->cfg = cfg;
	ua->registrar = registrar;
	if (handlers)
		ua->h = *handlers;
	redirect_sofia_logs();
	snprintf(url, sizeof(url), v6 ? "sip:[%s]:%u" : "sip:%s:%u", cfg->sip_host, cfg->sip_port);
	ua->nua = nua_create(
	    root, on_event, (nua_magic_t *)ua, NUTAG_URL(url), NUTAG_MEDIA_ENABLE(0),
	    NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0), NUTAG_AUTO302(0), NUTAG_MAX_RETRY_AFTER(0),
	    SIPTAG_USER_AGENT_STR(cfg->user_agent), SIPTAG_SUPPORTED_STR("timer"),
	    SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, "
	                     "REGISTER"),
	    NUTAG_APPL_METHOD("REGISTER"), NUTAG_APPL_METHOD("UPDATE"), NTATAG_UDP_MTU(65535),
	    NTATAG_SIP_T1X64((unsigned)cfg->sip_timer_t1x64_ms), TPTAG_LOG(cfg->sip_log ? 1 : 0),
	    TAG_END());
	if (!ua->nua) {
		snprintf(err, errlen,
		         "[sip] listen: cannot open SIP on %s (address in use or not "
		         "local)",
		         cfg->sip_listen);
		free(ua);
		return -EADDRINUSE;
	}
	ua->n_udp_fds = sip_socket_find_udp(cfg->sip_port, ua->udp_fds, 4);
	if (ua->n_udp_fds < 0) {
		log_warn("sip", "cannot find the SIP UDP sockets (%s): no receive queue limit",
		         strerror(-ua->n_udp_fds));
		ua->n_udp_fds = 0;
	}
	for (int i = 0; i < ua->n_udp_fds && cfg->sip_udp_rcvbuf_kb; i++) {
		int got = sip_socket_set_rcvbuf(ua->udp_fds[i], (int)cfg->sip_udp_rcvbuf_kb * 1024);

		if (got < 0)
			log_warn("sip", "[sip] udp_rcvbuf_kb: %s", strerror(-got));
		else
			log_info("sip", "UDP receive buffer %d KB", got / 1024);
	}
	*out = ua;
	return 0;
}

unsigned sip_ua_udp_queued(const struct sip_ua *ua)
{
	unsigned most = 0;

	for (int i = 0; i < ua->n_udp_fds; i++) {
		unsigned queued, limit;

		if (sip_socket_queue(ua->udp_fds[i], &queued, &limit) == 0 && queued > most)
			most = queued;
	}
	return most;
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
