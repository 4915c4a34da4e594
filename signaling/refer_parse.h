/* What a REFER asks for (RFC 3515): the Refer-To target, read with sofia-sip's parsers, and the
 * dialog an attended transfer names in its embedded Replaces header (RFC 3891). Pure functions,
 * no I/O. */
#ifndef SIGNALD_REFER_PARSE_H
#define SIGNALD_REFER_PARSE_H

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>

/* The longest Refer-To user taken: a destination number, not a payload. */
#define REFER_MAX_USER 64

struct refer_target {
	const char *user; /* the target's user part, as the URI has it (on home); NULL only with
	                     a Replaces */
	const char *host; /* its host (on home) */
	const char *uri;  /* the URI without parameters or headers (on home) */
	sip_replaces_t
	    *replaces; /* attended transfer: the dialog to replace, else NULL (on home) */
};

/* Reads rt into out, every string allocated on home. Returns 0; -EBADMSG when there is no
 * Refer-To, or its embedded Replaces does not parse; -EPROTONOSUPPORT when its URI is not
 * sip: or sips:; -EINVAL when it names no host, no user without a Replaces (a blind transfer
 * routes the user), or a user longer than REFER_MAX_USER. */
int refer_parse(su_home_t *home, const sip_refer_to_t *rt, struct refer_target *out);

/* The SIP status a refer_parse error is answered with: 488 for another scheme, else 400. */
int refer_parse_status(int rc);

#endif
