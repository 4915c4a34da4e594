/* NUA glue. The stack runs without its own SDP engine (the application owns offer/answer) and
 * without the behaviours that a B2BUA must decide itself (redirect following, Retry-After
 * resends); 100rel only where a leg asks for it (sip_ua_internal.h). */
#include "sip_ua.h"
#include "sip_ua_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <netinet/in.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>

#include "clock.h"
#include "hostport.h"
#include "log.h"
#include "sip_socket.h"
#include "tcp_flows.h"
#include "tcp_guard.h"

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
	if (ai->ai_protocol == IPPROTO_TCP) {
		sip_t const *sip = sip_object(msg);

		/* sofia-sip's TLS transport is a stream like TCP: the sender's Via names it (a
		 * TCP client that claims TLS only misleads us about itself: calls to it then fail
		 * to find a TLS connection). */
		*transport = sip && sip->sip_via && sip->sip_via->v_protocol &&
		                     su_casematch(sip->sip_via->v_protocol, sip_transport_tls)
		                 ? "tls"
		                 : "tcp";
	}
}

/* The per-source rate limit, for a new INVITE or REGISTER: the earliest point sofia-sip 1.12
 * hands a request to the application (already parsed, but before authentication, dialplan,
 * store or media). A refusal is a 503 with Retry-After, logged at most a few times a second.
 * True when refused (and answered). */
static bool over_source_rate(struct sip_ua *ua, nua_t *nua, nua_handle_t *nh, bool is_invite)
{
	const char *what = is_invite ? "INVITE" : "REGISTER";
	char ip[64], src[HOSTPORT_LEN];
	unsigned port, dropped = 0;
	const char *transport;
	uint64_t now = clock_mono_ms();

	sip_ua_request_source(nua, ip, sizeof(ip), &port, &transport);
	if (source_limit_allow(ua->limit, ip, now))
		return false;
	hostport_format(src, sizeof(src), ip, port);
	if (log_ratelimit(&ua->refusal_log, now, &dropped))
		log_notice("sip",
		           "%s from %s refused: over [sip] source_rate (%ld/s) (%u more refusals "
		           "not logged, %llu in all)",
		           what, src, ua->cfg->sip_source_rate, dropped,
		           (unsigned long long)source_limit_refused(ua->limit));
	nua_respond(nh, 503, "Too Many Requests", SIPTAG_RETRY_AFTER_STR("5"), NUTAG_WITH_THIS(nua),
	            TAG_END());
	/* A REGISTER's handle ends here; an INVITE's when the stack reports it terminated (its
	 * transaction still absorbs the ACK). */
	if (!is_invite)
		nua_handle_destroy(nh);
	return true;
}

static void on_event(nua_event_t ev, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct sip_ua *ua = (struct sip_ua *)magic;

	set_context(sip);
	if (hmagic) {
		sip_ua_on_leg_event(ua, ev, status, phrase, nh, hmagic, sip, tags);
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
		if (status < 200 && sip && ua->registrar) {
			if (!over_source_rate(ua, nua, nh, false))
				sip_ua_on_register(ua, nua, nh, sip);
		} else
			nua_handle_destroy(nh);
		break;
	case nua_i_update:
		if (status < 200)
			nua_respond(nh, SIP_481_NO_TRANSACTION, NUTAG_WITH_THIS(nua), TAG_END());
		nua_handle_destroy(nh);
		break;
	case nua_i_refer:
		/* Not reached: outside a dialog REFER is not allowed (405, SIP_UA_ALLOW). */
		if (status < 200)
			nua_respond(nh, 403, "Forbidden (No Call To Transfer)",
			            NUTAG_WITH_THIS(nua), TAG_END());
		nua_handle_destroy(nh);
		break;
	case nua_i_info:
	case nua_i_message:
	case nua_i_notify:
		/* Relayed only within a call (the call's handle gets them): here there is none. */
		if (status < 200)
			nua_respond(nh, 481, "Call Does Not Exist", NUTAG_WITH_THIS(nua),
			            TAG_END());
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
		if (over_source_rate(ua, nua, nh, true))
			break;
		sip_ua_on_invite(ua, nh, sip);
		break;
	case nua_i_state: {
		/* An INVITE we answered without adopting it (407, 404, 503...) ends here: the
		 * handle is ours to free, and 1.12.11 does not always follow with
		 * nua_i_terminated. */
		int state = -1;

		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (state == nua_callstate_terminated) {
			sip_ua_contact_forget(ua, nh);
			nua_handle_destroy(nh);
		}
		break;
	}
	case nua_i_active:
		break;
	case nua_i_terminated:
		sip_ua_contact_forget(ua, nh);
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

static void flow_open(void *arg, const char *ip, unsigned port)
{
	tcp_flows_add((struct tcp_flows *)arg, ip, port);
}

static void on_tcp_sweep(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_ua *ua = (struct sip_ua *)arg;
	struct tcp_guard_cfg gc = {
	    .port = ua->cfg->sip_port,
	    .idle_ms = (unsigned)ua->cfg->sip_tcp_idle_s * 1000,
	    .max_per_source = (unsigned)ua->cfg->sip_tcp_max_per_source,
	    .on_open = flow_open,
	    .arg = ua->flows,
	};
	struct tcp_guard_result r;
	unsigned dropped = 0;
	int rc;

	tcp_flows_begin(ua->flows);
	rc = tcp_guard_sweep(&gc, &r);
	tcp_flows_end(ua->flows);
	if (rc == 0 && (r.idle || r.over_cap) &&
	    log_ratelimit(&ua->refusal_log, clock_mono_ms(), &dropped))
		log_notice("sip",
		           "TCP: closed %zu silent for [sip] tcp_idle_s and %zu past [sip] "
		           "tcp_max_per_source, of %zu connections",
		           r.idle, r.over_cap, r.seen);
}

/* Sweeps often enough to hold the idle time to within half of it, at most every 5 s. */
static void start_tcp_sweep(struct sip_ua *ua)
{
	long ms = ua->cfg->sip_tcp_idle_s * 500;

	if (ms > 5000)
		ms = 5000;
	ua->tcp_sweep = su_timer_create(su_root_task(ua->root), (su_duration_t)ms);
	if (!ua->tcp_sweep ||
	    su_timer_set_for_ever(ua->tcp_sweep, on_tcp_sweep, (su_timer_arg_t *)ua) != 0)
		log_warn("sip", "cannot start the TCP connection sweep: no per-source cap");
}

int sip_ua_new(struct sip_ua **out, su_root_t *root, const struct signald_config *cfg,
               struct registrar *registrar, const struct ua_handlers *handlers, char *err,
               size_t errlen)
{
	struct sip_ua *ua = calloc(1, sizeof(*ua));
	char url[192], hp[HOSTPORT_LEN], sips_url[192] = "";

	if (!ua)
		return -ENOMEM;
	ua->root = root;
	ua->cfg = cfg;
	ua->registrar = registrar;
	if (handlers)
		ua->h = *handlers;
	ua->refusal_log = (struct log_ratelimit){.burst = 5, .period_ms = 1000};
	if (source_limit_new(&ua->limit,
	                     &(struct source_limit_cfg){.rate = (unsigned)cfg->sip_source_rate,
	                                                .burst = (unsigned)cfg->sip_source_burst,
	                                                .capacity = 65536}) != 0 ||
	    tcp_flows_new(&ua->flows) != 0) {
		source_limit_free(ua->limit);
		free(ua);
		snprintf(err, errlen, "out of memory for the per-source rate limit");
		return -ENOMEM;
	}
	redirect_sofia_logs();
	hostport_format(hp, sizeof(hp), cfg->sip_host, cfg->sip_port);
	snprintf(url, sizeof(url), "sip:%s", hp);
	if (cfg->sip_tls_port) {
		char tls_hp[HOSTPORT_LEN];

		/* With TLS on, the stack would name its sips: address in every dialog's Contact,
		 * UDP and TCP ones included, and phones without sips: refuse those: each leg gets
		 * ours on its own transport (sip_ua_leg_contact). */
		hostport_format(tls_hp, sizeof(tls_hp), cfg->sip_tls_host, cfg->sip_tls_port);
		snprintf(sips_url, sizeof(sips_url), "sips:%s", tls_hp);
		snprintf(ua->contact_udp, sizeof(ua->contact_udp), "<sip:%s>", hp);
		snprintf(ua->contact_tcp, sizeof(ua->contact_tcp), "<sip:%s;transport=tcp>", hp);
		snprintf(ua->contact_tls, sizeof(ua->contact_tls), "<sip:%s;transport=tls>",
		         tls_hp);
	}
	ua->nua = nua_create(
	    root, on_event, (nua_magic_t *)ua, NUTAG_URL(url), NUTAG_MEDIA_ENABLE(0),
	    NUTAG_AUTOALERT(0), NUTAG_AUTOANSWER(0), NUTAG_AUTO302(0), NUTAG_MAX_RETRY_AFTER(0),
	    SIPTAG_USER_AGENT_STR(cfg->user_agent), SIPTAG_SUPPORTED_STR(SIP_UA_SUPPORTED),
	    /* Only what is handled (SIP_UA_ALLOW); a call's dialogs also take REFER. PRACK is the
	     * stack's own (not APPL_METHOD): it answers those for our reliable 1xx and sends them
	     * for a callee's. */
	    SIPTAG_ALLOW_STR(SIP_UA_ALLOW),
	    /* REFER is a call's to accept or refuse (b2bua_transfer.c), not the stack's. */
	    NUTAG_APPL_METHOD("REFER"), NUTAG_APPL_METHOD("REGISTER"), NUTAG_APPL_METHOD("UPDATE"),
	    NUTAG_APPL_METHOD("INFO"), NUTAG_APPL_METHOD("MESSAGE"), NUTAG_APPL_METHOD("NOTIFY"),
	    /* RFC 4028 per dialog, run by the stack (session_timer.h). Our refreshes are UPDATEs
	     * without SDP: with no SDP engine in the stack, a refresh re-INVITE would carry an
	     * old offer (UAC legs) or none, leaving an answer to put in the ACK (UAS legs). */
	    NUTAG_SESSION_TIMER((unsigned)cfg->sip_session_timer_s),
	    NUTAG_MIN_SE((unsigned)cfg->sip_min_se_s), NUTAG_SESSION_REFRESHER(nua_any_refresher),
	    NUTAG_UPDATE_REFRESH(1), NTATAG_UDP_MTU(65535),
	    NTATAG_MAXSIZE((usize_t)cfg->sip_max_message_kb * 1024),
	    NTATAG_SIP_T1X64((unsigned)cfg->sip_timer_t1x64_ms), TPTAG_LOG(cfg->sip_log ? 1 : 0),
	    /* A TCP connection costs a descriptor and a buffer: idle ones close, and a message
	     * must arrive whole in good time (sofia-sip's defaults are 30 min and never). */
	    TPTAG_IDLE((unsigned)cfg->sip_tcp_idle_s * 1000),
	    TPTAG_TIMEOUT((unsigned)cfg->sip_tcp_message_timeout_s * 1000),
	    /* SIP over TLS (sofia-sip's tport_tls on OpenSSL): agent.pem and cafile.pem. */
	    TAG_IF(cfg->sip_tls_port, NUTAG_SIPS_URL(sips_url)),
	    TAG_IF(cfg->sip_tls_port, TPTAG_CERTIFICATE(cfg->sip_tls_cert_dir)),
	    TAG_IF(cfg->sip_tls_port,
	           TPTAG_TLS_VERIFY_POLICY(cfg->sip_tls_verify_client ? TPTLS_VERIFY_IN
	                                                              : TPTLS_VERIFY_NONE)),
	    TAG_END());
	if (!ua->nua) {
		snprintf(err, errlen,
		         "[sip] listen: cannot open SIP on %s%s%s (address in use or not "
		         "local, or [sip] tls_cert_dir's agent.pem is not a key and certificate)",
		         cfg->sip_listen, cfg->sip_tls_port ? " or tls_listen " : "",
		         cfg->sip_tls_port ? cfg->sip_tls_listen : "");
		source_limit_free(ua->limit);
		tcp_flows_free(ua->flows);
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
	start_tcp_sweep(ua);
	*out = ua;
	return 0;
}

bool sip_ua_uri_is_tcp(const char *uri)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u = uri ? url_make(home, uri) : NULL;
	char transport[8];
	bool tcp = u && u->url_params &&
	           url_param(u->url_params, "transport", transport, sizeof(transport)) > 0 &&
	           strcasecmp(transport, "tcp") == 0;

	su_home_deinit(home);
	return tcp;
}

const char *sip_ua_uri_transport(const char *uri)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u = uri ? url_make(home, uri) : NULL;
	char transport[8];
	const char *t = "udp";

	if (u && u->url_type == url_sips)
		t = "tls";
	else if (u && u->url_params &&
	         url_param(u->url_params, "transport", transport, sizeof(transport)) > 0) {
		if (strcasecmp(transport, "tcp") == 0)
			t = "tcp";
		else if (strcasecmp(transport, "tls") == 0)
			t = "tls";
	}
	su_home_deinit(home);
	return t;
}

const char *sip_ua_leg_contact(const struct sip_ua *ua, const char *transport)
{
	if (!ua->contact_tls[0])
		return NULL;
	if (transport && strcmp(transport, "tls") == 0)
		return ua->contact_tls;
	if (transport && strcmp(transport, "tcp") == 0)
		return ua->contact_tcp;
	return ua->contact_udp;
}

bool sip_ua_tcp_flow_open(const struct sip_ua *ua, const char *ip, unsigned port)
{
	return tcp_flows_has(ua->flows, ip, port);
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
	if (ua->tcp_sweep)
		su_timer_destroy(ua->tcp_sweep);
	if (ua->nua)
		nua_destroy(ua->nua);
	sip_ua_contact_free_all(ua);
	source_limit_free(ua->limit);
	tcp_flows_free(ua->flows);
	free(ua);
}
