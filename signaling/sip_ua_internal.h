/* Private to the sip_ua files: sip_ua.c (stack, dispatch), sip_ua_register.c (REGISTER),
 * sip_ua_call.c (INVITE dialogs). Together they are the only code calling nua_*. */
#ifndef SIGNALD_SIP_UA_INTERNAL_H
#define SIGNALD_SIP_UA_INTERNAL_H

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include "hostport.h"
#include "log.h"
#include "sip_ua.h"
#include "source_limit.h"

#define SIP_UA_CONTACT_BUCKETS 256
struct contact_entry;

struct sip_ua {
	su_root_t *root;                  /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	struct registrar *registrar;      /* borrowed */
	struct ua_handlers h;
	nua_t *nua; /* owned */
	sip_ua_done_cb shutdown_done;
	void *shutdown_arg;
	bool shutting_down;
	int udp_fds[4]; /* the stack's UDP sockets (borrowed), for their receive queues */
	int n_udp_fds;
	struct source_limit *limit;       /* owned: per-source request rate */
	su_timer_t *tcp_sweep;            /* owned: tcp_guard sweeps */
	struct log_ratelimit refusal_log; /* source_limit refusals */
	struct tcp_flows *flows;          /* owned: open TCP connections phones registered on */
	/* Our Contact per transport when TLS is on ("" without TLS: the stack's own then). */
	char contact_udp[HOSTPORT_LEN + 8];
	char contact_tcp[HOSTPORT_LEN + 24];
	char contact_tls[HOSTPORT_LEN + 24];
	struct contact_entry *contacts[SIP_UA_CONTACT_BUCKETS]; /* owned: sip_ua_contact.c */
};

/* Only what is handled: INFO, MESSAGE and NOTIFY are relayed within a call, so the stack must
 * not answer them itself (APPL_METHOD): it would say 200 and drop them (481 for a NOTIFY without
 * a subscription). REFER is taken only in a call's dialogs (b2bua_transfer.c): outside one the
 * stack answers 405, where accepting it would first make the stack send a NOTIFY of its own to
 * whatever Contact the request named. */
#define SIP_UA_ALLOW                                                                               \
	"INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, MESSAGE, NOTIFY, PRACK, REGISTER"
#define SIP_UA_ALLOW_DIALOG                                                                        \
	"INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO, MESSAGE, NOTIFY, PRACK, REFER"
/* Gives a call leg's handle the Allow of a dialog (with REFER), before anything is sent on it. */
void sip_ua_dialog_params(nua_handle_t *nh);

/* Where the current request really came from (the transport's view, not the headers'). */
void sip_ua_request_source(nua_t *nua, char *ip, size_t iplen, unsigned *port,
                           const char **transport);

/* Whether a next hop or target URI names TCP (";transport=tcp"): our Contact towards it must
 * then say so too. NULL is not. */
bool sip_ua_uri_is_tcp(const char *uri);
/* "udp", "tcp" or "tls": the transport a request to URI (a proxy or request-URI) takes. */
const char *sip_ua_uri_transport(const char *uri);
/* Our Contact for a dialog over TRANSPORT ("udp", "tcp", "tls") when TLS is configured, NULL
 * without TLS (the stack's, with transport=tcp added on TCP, is right then). Owned by UA. */
const char *sip_ua_leg_contact(const struct sip_ua *ua, const char *transport);
/* The Contact our answers on NH carry (sip_ua_contact.c): CONTACT is one of UA's strings, NULL
 * remembers nothing. Forget it before the handle is destroyed. 0 or -ENOMEM. */
int sip_ua_contact_remember(struct sip_ua *ua, nua_handle_t *nh, const char *contact);
const char *sip_ua_contact_of(const struct sip_ua *ua, const nua_handle_t *nh);
void sip_ua_contact_forget(struct sip_ua *ua, const nua_handle_t *nh);
void sip_ua_contact_free_all(struct sip_ua *ua);

/* What we support. Reliable provisional answers (100rel, RFC 3262) are sent when the caller asks
 * (the stack decides per answer: every 1xx for Require, a 183 for Supported) and PRACKed when a
 * callee sends them; an INVITE we send offers 100rel only when its caller did. */
#define SIP_UA_SUPPORTED           "timer, 100rel"
#define SIP_UA_SUPPORTED_NO_100REL "timer"

#define SIP_UA_MAX_CONTACTS 32 /* more than this in one REGISTER is refused whole */
#define SIP_UA_MAX_CREDS    4

struct registrar_request;
struct registrar_contact;
struct registrar_cred;

/* Describes a REGISTER to the registrar: every field of req but the source (src_ip, src_port,
 * transport), with room for SIP_UA_MAX_CONTACTS contacts and SIP_UA_MAX_CREDS credentials in
 * the arrays given. Strings are borrowed from sip or allocated on home. Returns 0, or -E2BIG for
 * more than SIP_UA_MAX_CONTACTS contacts (refused whole). */
int sip_ua_describe_register(su_home_t *home, const sip_t *sip, struct registrar_request *req,
                             struct registrar_contact *contacts, struct registrar_cred *creds);

/* Describes a new INVITE to the b2bua: every field of req but the source. Strings are borrowed
 * from sip or allocated on home. Returns 0, or -EBADMSG when Request-URI, From, To or Call-ID is
 * missing (answered 400). */
int sip_ua_describe_invite(su_home_t *home, const sip_t *sip, struct ua_request *req);

/* REGISTER: asks the registrar, answers, frees the handle. */
void sip_ua_on_register(struct sip_ua *ua, nua_t *nua, nua_handle_t *nh, const sip_t *sip);
/* A new INVITE outside any dialog. */
void sip_ua_on_invite(struct sip_ua *ua, nua_handle_t *nh, const sip_t *sip);
/* Any event on a handle a module adopted. */
void sip_ua_on_leg_event(struct sip_ua *ua, nua_event_t ev, int status, char const *phrase,
                         nua_handle_t *nh, void *leg, const sip_t *sip, tagi_t tags[]);

#endif
