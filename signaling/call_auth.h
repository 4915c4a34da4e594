/* Digest authentication of an INVITE (407 / Proxy-Authorization) against the user directory,
 * with the same nonce, replay, failure-ban and account-throttle rules as REGISTER. Pure
 * decision: the caller sends the reply. Single-threaded. */
#ifndef SIGNALD_CALL_AUTH_H
#define SIGNALD_CALL_AUTH_H

#include <stdbool.h>
#include <time.h>

#include "digest.h"

struct directory;
struct failban;
struct sip_s;
struct store;

/* Borrowed modules. */
struct call_auth_deps {
	struct digest *dg;
	struct directory *dir;
	struct failban *fb;       /* failures per source; may be NULL */
	struct failban *accounts; /* failures per username; may be NULL */
	struct store *st;         /* registrations: a throttled account still authenticates from an
	                             address it is registered from; may be NULL */
	const char *domain;
};

struct call_auth_result {
	bool ok;                           /* authenticated: user names the directory user */
	int status;                        /* otherwise the SIP status to answer (407, 403, 400) */
	const char *phrase;                /* static */
	struct digest_challenge challenge; /* status 407: one header per value */
	const char *user;   /* ok: the authenticated user id (borrowed from the directory) */
	const char *reason; /* for the log line: why not ok */
};

/* Decides whether the request (sip, from src_ip) is authorised as its From user. */
void call_auth_check(const struct call_auth_deps *deps, const struct sip_s *sip, const char *method,
                     const char *src_ip, time_t now, struct call_auth_result *out);

/* True when the request's Proxy-Authorization carries a fresh nonce we issued to src_ip (one
 * HMAC; the password is not checked). Admission control uses it: only such a request may skip
 * load shedding, not any request with a header of that name. */
bool call_auth_has_our_nonce(struct digest *dg, const struct sip_s *sip, const char *src_ip,
                             time_t now);

#endif
