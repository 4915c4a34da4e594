/* INVITE authentication: the same digest rules as the registrar, answered with 407. The
 * credentials must name the From user, so nobody places calls under another user's identity. */
#include "call_auth.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip.h>

#include "auth_algs.h"
#include "directory.h"
#include "failban.h"
#include "log.h"

static void challenge(struct digest *dg, const struct auth_algs *offer, bool stale, time_t now,
                      struct call_auth_result *out, const char *reason)
{
	out->ok = false;
	out->reason = reason;
	if (digest_challenge_algs(dg, true, stale, offer->prefs, offer->n, DIGEST_ALG_ALL, now,
	                          &out->challenge) != 0) {
		out->status = 500;
		out->phrase = "Server Internal Error";
		return;
	}
	out->status = out->challenge.status;
	out->phrase = out->challenge.phrase;
}

static void refuse(struct call_auth_result *out, int status, const char *phrase, const char *reason)
{
	out->ok = false;
	out->status = status;
	out->phrase = phrase;
	out->reason = reason;
}

static void secret_of(const struct directory_user *u, struct digest_secret *s)
{
	s->password = directory_user_param(u, "password");
	s->ha1_md5 = directory_user_param(u, "a1-hash");
	s->ha1_sha256 = directory_user_param(u, "a1-hash-sha256");
}

void call_auth_check(struct digest *dg, struct directory *dir, struct failban *fb,
                     const char *domain, const struct sip_s *sip, const char *method,
                     const char *src_ip, time_t now, struct call_auth_result *out)
{
	const sip_proxy_authorization_t *au = sip->sip_proxy_authorization;
	const struct directory_user *user;
	struct digest_creds creds;
	struct digest_secret secret;
	enum digest_result r;
	struct auth_algs offer;

	memset(out, 0, sizeof(*out));
	/* Chosen by the From user before any credentials, the same way for unknown users. */
	auth_algs_for(dg, dir, sip->sip_from ? sip->sip_from->a_url->url_user : NULL, domain,
	              &offer);
	if (fb && failban_banned(fb, src_ip, now, NULL))
		return refuse(out, 403, "Forbidden", "source banned after failed attempts");
	for (; au; au = au->au_next)
		if (au->au_scheme && strcasecmp(au->au_scheme, "Digest") == 0)
			break;
	if (!au)
		return challenge(dg, &offer, false, now, out, "no credentials");
	r = digest_parse(au->au_scheme, (const char *const *)au->au_params, &creds);
	if (r == DIGEST_MALFORMED)
		return refuse(out, 400, "Bad Request", "malformed Proxy-Authorization");
	if (r != DIGEST_OK)
		return challenge(dg, &offer, false, now, out, digest_result_name(r));
	if (!sip->sip_from || !sip->sip_from->a_url->url_user ||
	    strcmp(sip->sip_from->a_url->url_user, creds.username) != 0) {
		if (fb)
			failban_failure(fb, src_ip, now);
		return refuse(out, 403, "Forbidden", "credentials do not match the From user");
	}
	user = directory_find(dir, creds.username, domain);
	if (!user) {
		if (fb)
			failban_failure(fb, src_ip, now);
		return refuse(out, 403, "Forbidden", "unknown user");
	}
	if (!(creds.alg & auth_algs_mask(&offer)))
		return challenge(dg, &offer, false, now, out, "algorithm not offered to this user");
	secret_of(user, &secret);
	r = digest_verify(dg, &creds, method, &secret, now, NULL);
	switch (r) {
	case DIGEST_OK:
		out->ok = true;
		out->status = 0;
		out->user = user->id;
		return;
	case DIGEST_WRONG_PASSWORD:
		if (fb && failban_failure(fb, src_ip, now))
			log_warn("auth", "source %s banned after repeated failures (user %s)",
			         src_ip, creds.username);
		return challenge(dg, &offer, false, now, out, "wrong password");
	case DIGEST_STALE:
	case DIGEST_REPLAY:
		return challenge(dg, &offer, true, now, out, digest_result_name(r));
	case DIGEST_MALFORMED:
		return refuse(out, 400, "Bad Request", "malformed Proxy-Authorization");
	default:
		return challenge(dg, &offer, false, now, out, digest_result_name(r));
	}
}
