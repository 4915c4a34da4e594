/* The registrar: decides what a REGISTER gets (RFC 3261 §10.3) and keeps the bindings in the
 * store. It sees a plain description of the request (sip_ua.c extracts it from sofia-sip) and
 * returns a plain reply for sip_ua.c to send, so it never touches the SIP stack. Authentication
 * goes through digest.h against the directory, with per-source failure bans (failban.h).
 * Single-threaded; every call completes before it returns. */
#ifndef SIGNALD_REGISTRAR_H
#define SIGNALD_REGISTRAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "digest.h"

struct directory;
struct failban;
struct store;
struct registrar;

struct registrar_cfg {
	const char *domain; /* our SIP domain: AOR hosts must be this, the realm or local_host */
	const char *local_host; /* the listen host, accepted as an AOR host alias */
	const char *node_id;    /* written to sip_registrations.hostname */
	const char *profile;    /* written to sip_registrations.profile_name */
	long min_expires, max_expires, default_expires;
	long max_contacts; /* bindings per AOR */
};

/* The modules are borrowed and must outlive the registrar. fb counts failures per source,
 * accounts (may be NULL) per username. */
int registrar_new(struct registrar **out, const struct registrar_cfg *cfg, struct directory *dir,
                  struct digest *dg, struct failban *fb, struct failban *accounts,
                  struct store *st);
void registrar_free(struct registrar *reg);

/* One Contact of the request. All strings borrowed for the duration of the call. */
struct registrar_contact {
	const char *uri;     /* URI text without <> */
	const char *host;    /* URI host (for NAT detection) */
	unsigned port;       /* URI port, 0 when absent */
	const char *expires; /* ;expires= parameter text, NULL when absent */
	/* What could send our requests somewhere else than the contact's host: such contacts are
	 * refused (see docs/registrar.md). */
	bool foreign_scheme;   /* not sip: (sips:, tel:...) */
	bool maddr;            /* has a maddr= URI parameter */
	const char *transport; /* transport= URI parameter, NULL when absent */
};

/* One Authorization header: scheme and sofia's "name=value" parameter list (NULL-ended). */
struct registrar_cred {
	const char *scheme;
	const char *const *params;
};

struct registrar_request {
	const char *ruri; /* Request-URI text, compared with the digest uri */
	const char *call_id;
	uint32_t cseq;
	const char *aor_user; /* To user; NULL when To is missing */
	const char *aor_host; /* To host */
	bool has_from;
	bool star;        /* a "Contact: *" was present */
	bool contact_bad; /* a Contact header could not be parsed by the stack */
	const struct registrar_contact *contacts;
	size_t n_contacts;
	long expires;           /* Expires header in seconds, -1 when absent */
	bool expires_bad;       /* Expires header present but unparsable */
	const char *user_agent; /* may be NULL */
	const char *src_ip;
	unsigned src_port;
	const char *transport; /* "udp", "tcp", "tls" */
	const struct registrar_cred *creds;
	size_t n_creds;
	bool creds_bad; /* an Authorization header could not be parsed by the stack */
};

struct registrar_reply {
	int status;
	const char *phrase;                /* static string */
	struct digest_challenge challenge; /* challenge.n > 0: one header per value */
	char *contact;                     /* owned: Contact header value(s), NULL for none */
	long min_expires;                  /* > 0: add a Min-Expires header */
};

/* Decides the reply to one REGISTER at time now; fills reply (clear it afterwards). */
void registrar_handle(struct registrar *reg, const struct registrar_request *req, time_t now,
                      struct registrar_reply *reply);
void registrar_reply_clear(struct registrar_reply *reply);

/* Periodic housekeeping: purges expired bindings from the store and expired nonces from the
 * replay table. Returns the number of bindings purged, or a negative errno. */
int registrar_expire(struct registrar *reg, time_t now);

#endif
