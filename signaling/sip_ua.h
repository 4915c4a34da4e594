/* The only module that calls nua_*: creates the SIP user agent on the configured address, turns
 * NUA events into calls on the modules above it, and owns every stack-created handle no module
 * adopted. Runs on the su_root thread.
 *
 * Call legs: a module adopts a handle with sip_ua_bind(); from then on every event on it arrives
 * through the leg callback with the bound pointer, and the module ends it with sip_ua_release()
 * (exactly once; no event arrives afterwards). Strings in events are valid during the callback
 * only. */
#ifndef SIGNALD_SIP_UA_H
#define SIGNALD_SIP_UA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_wait.h>

#include "signald_config.h"

struct registrar;
struct sip_ua;
struct nua_handle_s; /* sofia's nua_handle_t, opaque above this module */
struct sip_s;        /* sofia's sip_t, for modules that read headers through sofia */
struct sip_replaces_s;

typedef struct nua_handle_s ua_handle;

/* A request as the modules above see it. Borrowed for the callback. */
struct ua_request {
	const char *call_id;
	const char *ruri_user, *ruri_host;
	const char *from_user, *from_host, *from_display, *from_tag;
	const char *to_user, *to_host;
	const char *from_header, *to_header; /* as printed, for B-leg From/To */
	const char *src_ip;                  /* network source (rport/received) */
	unsigned src_port;
	const char *transport; /* "udp", "tcp" */
	const char *user_agent;
	const char *sdp; /* body when Content-Type is application/sdp, else NULL */
	size_t sdp_len;
	const struct sip_s *sip; /* the parsed request, for digest verification */
};

enum ua_leg_event_kind {
	UA_EV_RESPONSE, /* final or provisional answer to our INVITE / re-INVITE (not 100) */
	UA_EV_REINVITE, /* re-INVITE received in the dialog: answer with sip_ua_respond */
	UA_EV_ACK,      /* ACK received for our 2xx (sdp: late-offer answer) */
	UA_EV_BYE,      /* the peer hung up (the stack has answered 200) */
	UA_EV_CANCEL,   /* the caller cancelled (the stack has answered 200 and 487) */
	UA_EV_UPDATE,   /* UPDATE received: answer it now, within the callback (sip_ua_respond_now),
	                 * or keep it (sip_ua_keep_request) and answer later (sip_ua_respond_kept) */
	UA_EV_UPDATE_RESPONSE, /* final answer to our UPDATE (sip_ua_update) */
	UA_EV_TERMINATED,      /* the dialog/handle is over: release it */
	/* INFO, MESSAGE or NOTIFY received in the dialog (method, content_type, body, event,
	 * subscription_state): answer it now (sip_ua_respond_now) or keep it
	 * (sip_ua_keep_request) and answer later (sip_ua_respond_kept). The stack answers nothing
	 * on its own. */
	UA_EV_REQUEST,
	UA_EV_REQUEST_RESPONSE, /* final answer (status, phrase) to our sip_ua_request */
	/* PRACK (RFC 3262), which the stack handles itself: on a caller's leg, one received for
	 * our reliable provisional answer (status: what the stack answered); on a callee's, the
	 * answer (status) to the one it sent for the callee's reliable provisional answer. */
	UA_EV_PRACK,
	/* REFER received in the dialog (sip: the request, for its Refer-To; event: the Event its
	 * NOTIFYs carry; referred_by; src_ip): answer it now (sip_ua_respond_now), then report
	 * progress with sip_ua_notify_refer once it is accepted. */
	UA_EV_REFER,
};

struct ua_leg_event {
	enum ua_leg_event_kind kind;
	int status;         /* RESPONSE, TERMINATED */
	const char *phrase; /* RESPONSE */
	const char *sdp;    /* body if application/sdp, else NULL */
	size_t sdp_len;
	const char *call_id;
	const char *to_tag;      /* RESPONSE: the peer's tag */
	const struct sip_s *sip; /* the message, borrowed */
	/* REQUEST: the method, and the body with its Content-Type (NULL, 0 when none) */
	const char *method;
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *event, *subscription_state; /* REQUEST (NOTIFY): those headers, or NULL */
	const char *referred_by;                /* REFER: Referred-By (or its From) */
	const char *src_ip;                     /* REFER: where it came from */
};

struct ua_handlers {
	/* A new INVITE outside any dialog: answer it (sip_ua_respond) now, or bind it and answer
	 * later. */
	void (*invite)(void *arg, ua_handle *nh, const struct ua_request *req);
	/* An event on a bound handle; leg is the pointer given to sip_ua_bind. */
	void (*leg_event)(void *arg, void *leg, const struct ua_leg_event *ev);
	void *arg;
};

/* A request kept to be answered after the callback (an UPDATE relayed to the other leg). */
struct ua_kept;

/* Parameters of a new outgoing INVITE. */
struct ua_invite {
	const char *ruri;    /* Request-URI: the callee's registered contact */
	const char *proxy;   /* next hop when the contact is behind NAT ("sip:ip:port"), or NULL */
	const char *from;    /* From header value (name-addr), without tag */
	const char *to;      /* To header value */
	const char *sdp;     /* offer, or NULL for a late offer (answer goes in our ACK) */
	const char *headers; /* extra header lines "Name: value\r\n...", or NULL */
	bool offer_100rel;   /* Supported: 100rel (the other side takes reliable provisionals) */
};

/* root, cfg, registrar and handlers are borrowed (registrar answers REGISTER, handlers get
 * INVITE dialogs). Returns 0, or -EADDRINUSE/-EINVAL/-ENOMEM with err filled. */
int sip_ua_new(struct sip_ua **out, su_root_t *root, const struct signald_config *cfg,
               struct registrar *registrar, const struct ua_handlers *handlers, char *err,
               size_t errlen);
/* Starts a graceful shutdown; done runs once the stack has finished (or timed out). */
typedef void (*sip_ua_done_cb)(void *arg);
/* Whether the TCP connection from ip:port that a phone registered on is still open (as of the
 * last sweep, or since a REGISTER came over it): a call may then go back over it. */
bool sip_ua_tcp_flow_open(const struct sip_ua *ua, const char *ip, unsigned port);
/* Bytes (kernel accounting) waiting on the busiest of the stack's UDP sockets. */
unsigned sip_ua_udp_queued(const struct sip_ua *ua);
void sip_ua_shutdown(struct sip_ua *ua, sip_ua_done_cb done, void *arg);
void sip_ua_free(struct sip_ua *ua);

void sip_ua_bind(struct sip_ua *ua, ua_handle *nh, void *leg);
/* Ends our ownership of nh: no event for it arrives after this. */
void sip_ua_release(struct sip_ua *ua, ua_handle *nh);

/* The answers below may take a phrase from an event (a relayed answer): it is copied. */
/* Answers the INVITE (or re-INVITE) pending on nh. sdp and headers may be NULL. */
void sip_ua_respond(struct sip_ua *ua, ua_handle *nh, int status, const char *phrase,
                    const char *sdp, const char *headers);
/* Answers the request being delivered right now (UPDATE), from inside the leg callback. */
void sip_ua_respond_now(struct sip_ua *ua, ua_handle *nh, int status, const char *phrase,
                        const char *sdp);
/* Sends a new INVITE bound to leg; returns the handle or NULL. */
ua_handle *sip_ua_invite(struct sip_ua *ua, void *leg, const struct ua_invite *inv);
/* A dialog the stack does not know (kept across a restart of this process), continued. */
struct ua_restore {
	const char *call_id;
	const char *local;  /* our From header in requests, with our tag */
	const char *remote; /* the peer's, with its tag */
	const char *target; /* Request-URI: the peer's Contact */
	const char *route;  /* route set ("<uri>, <uri>") or NULL */
	const char *proxy;  /* NAT next hop or NULL */
	const char *sdp;    /* the offer: what the peer was last sent */
	uint32_t cseq;      /* the last CSeq used in the dialog: the re-INVITE has a higher one */
};
/* Re-creates the dialog in the stack by sending a re-INVITE in it from a new handle bound to
 * leg: from its 2xx on, the dialog's requests (BYE, re-INVITE, UPDATE) arrive on that handle
 * as for any other leg. Returns the handle or NULL. */
ua_handle *sip_ua_restore_leg(struct sip_ua *ua, void *leg, const struct ua_restore *r);
/* re-INVITE in an established dialog. */
void sip_ua_reinvite(struct sip_ua *ua, ua_handle *nh, const char *sdp);
/* ACK with the late-offer answer (only for INVITEs sent with sdp == NULL). */
void sip_ua_ack(struct sip_ua *ua, ua_handle *nh, const char *sdp);
/* Hangs a leg up whatever its state: CANCEL while early, BYE when confirmed. reason: a Reason
 * header value or NULL. */
void sip_ua_bye(struct sip_ua *ua, ua_handle *nh, const char *reason);

/* Inside a UA_EV_UPDATE callback only: keeps the request so it can be answered later. Returns an
 * object owned by the caller, to be given to sip_ua_respond_kept or sip_ua_drop_kept exactly
 * once, or NULL when out of memory (then answer now). */
struct ua_kept *sip_ua_keep_request(struct sip_ua *ua);
/* Answers the kept request on nh (sdp may be NULL) and frees it. */
void sip_ua_respond_kept(struct sip_ua *ua, ua_handle *nh, struct ua_kept *kept, int status,
                         const char *phrase, const char *sdp);
/* Frees a kept request without answering (its dialog is gone). */
void sip_ua_drop_kept(struct ua_kept *kept);
/* An in-dialog request to send: method "INFO", "MESSAGE" or "NOTIFY" (with event and
 * subscription_state), content_type and body NULL for none. */
struct ua_request_out {
	const char *method;
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *event, *subscription_state;
};
/* Sends r in the dialog of nh; its final answer comes as UA_EV_REQUEST_RESPONSE, 408 if none
 * came. Returns 0 or -EINVAL for another method. */
int sip_ua_request(struct sip_ua *ua, ua_handle *nh, const struct ua_request_out *r);
/* Reports the progress of a REFER accepted on nh (RFC 3515): a NOTIFY with event (the one the
 * REFER event gave) and a message/sipfrag body "SIP/2.0 status phrase"; final ends the implicit
 * subscription (Subscription-State: terminated). */
void sip_ua_notify_refer(struct sip_ua *ua, ua_handle *nh, const char *event, int status,
                         const char *phrase, bool final);
/* The leg (the pointer given to sip_ua_bind) whose dialog a Replaces header names (RFC 3891:
 * Call-ID, our tag as to-tag, the peer's as from-tag; to-tag "0" matches any of ours), or NULL
 * when no bound dialog matches. */
void *sip_ua_leg_by_replaces(struct sip_ua *ua, const struct sip_replaces_s *rp);
/* Sends an UPDATE with sdp in the dialog of nh; its answer comes as UA_EV_UPDATE_RESPONSE. */
void sip_ua_update(struct sip_ua *ua, ua_handle *nh, const char *sdp);

#endif
