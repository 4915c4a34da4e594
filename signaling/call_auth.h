/* Digest authentication of an INVITE (407 / Proxy-Authorization) against the user directory,
 * with the same nonce, replay and failure-ban rules as REGISTER. Pure decision: the caller sends
 * the reply. Single-threaded. */
#ifndef SIGNALD_CALL_AUTH_H
#define SIGNALD_CALL_AUTH_H

#include <stdbool.h>
#include <time.h>

#include "digest.h"

struct directory;
struct failban;
struct sip_s;

struct call_auth_result {
	bool ok;                           /* authenticated: user names the directory user */
	int status;                        /* otherwise the SIP status to answer (407, 403, 400) */
	const char *phrase;                /* static */
	struct digest_challenge challenge; /* status 407: one header per value */
	const char *user;   /* ok: the authenticated user id (borrowed from the directory) */
	const char *reason; /* for the log line: why not ok */
};

/* Decides whether the request (sip, from src_ip) is authorised as its From user. */
void call_auth_check(struct digest *dg, struct directory *dir, struct failban *fb,
                     const char *domain, const struct sip_s *sip, const char *method,
                     const char *src_ip, time_t now, struct call_auth_result *out);

#endif
