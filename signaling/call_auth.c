/* INVITE authentication: the same digest rules as the registrar, answered with 407. The
 * credentials must name the From user, so nobody places calls under another user's identity.
 * Unknown users are verified against a decoy secret: they get what a wrong password gets. */
#include "call_auth.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "auth_algs.h"
#include "directory.h"
#include "failban.h"
#include "log.h"
#include "observe.h"
#include "store.h"

static void challenge(struct digest *dg, const struct auth_algs *offer, bool stale,
                      const char *src_ip, time_t now, struct call_auth_result *out,
                      const char *reason)
{
	out->ok = false;
	out->reason = reason;
	if (digest_challenge_algs(dg, true, stale, offer->prefs, offer->n, DIGEST_ALG_ALL, src_ip,
	                          now, &out->challenge) != 0) {
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

static const sip_proxy_authorization_t *digest_header(const sip_t *sip)
{
	const sip_proxy_authorization_t *au = sip->sip_proxy_authorization;

	for (; au; au = au->au_next)
		if (au->au_scheme && strcasecmp(au->au_scheme, "Digest") == 0)
			return au;
	return NULL;
}

bool call_auth_has_our_nonce(struct digest *dg, const struct sip_s *sip, const char *src_ip,
                             time_t now)
{
	const sip_proxy_authorization_t *au = digest_header(sip);
	struct digest_creds creds;

	if (!au ||
	    digest_parse(au->au_scheme, (const char *const *)au->au_params, &creds) != DIGEST_OK)
		return false;
	return digest_nonce_ours(dg, &creds, src_ip, now);
}

/* The account is throttled and src_ip holds no live registration of it. */
static bool throttled(const struct call_auth_deps *d, const char *user, const char *src_ip,
                      time_t now)
{
	struct store_reg_list l;
	bool known = false;

	if (!d->accounts || !failban_banned(d->accounts, user, now, NULL))
		return false;
	if (d->st && store_reg_lookup(d->st, user, digest_realm(d->dg), now, &l) == 0) {
		for (size_t i = 0; i < l.n && !known; i++)
			known = l.v[i].network_ip && strcmp(l.v[i].network_ip, src_ip) == 0;
		store_reg_list_free(&l);
	}
	return !known;
}

static void count_failure(const struct call_auth_deps *d, const char *method, const char *user,
                          const char *src_ip, time_t now)
{
	obs_auth_failure(method, user, src_ip);
	if (d->accounts && failban_failure(d->accounts, user, now)) {
		log_warn("auth", "account '%s' throttled after repeated failures (last from %s)",
		         user, src_ip);
		obs_ban(OBS_BAN_ACCOUNT, user);
	}
	if (d->fb && failban_failure(d->fb, src_ip, now)) {
		log_warn("auth", "source %s banned after repeated failures (user %s)", src_ip,
		         user);
		obs_ban(OBS_BAN_SOURCE, src_ip);
	}
}

void call_auth_check(const struct call_auth_deps *d, const struct sip_s *sip, const char *method,
                     const char *src_ip, time_t now, struct call_auth_result *out)
{
	const sip_proxy_authorization_t *au = digest_header(sip);
	su_home_t home[1] = {SU_HOME_INIT(home)};
	const struct directory_user *user;
	struct digest_creds creds;
	struct digest_secret secret;
	struct digest_request dr = {method, NULL, src_ip};
	enum digest_result r;
	struct auth_algs offer;

	memset(out, 0, sizeof(*out));
	/* Chosen by the From user before any credentials, the same way for unknown users. */
	auth_algs_for(d->dg, d->dir, sip->sip_from ? sip->sip_from->a_url->url_user : NULL,
	              d->domain, &offer);
	if (d->fb && failban_banned(d->fb, src_ip, now, NULL))
		return refuse(out, 403, "Forbidden", "source banned after failed attempts");
	if (!au)
		return challenge(d->dg, &offer, false, src_ip, now, out, "no credentials");
	r = digest_parse(au->au_scheme, (const char *const *)au->au_params, &creds);
	if (r == DIGEST_MALFORMED)
		return refuse(out, 400, "Bad Request", "malformed Proxy-Authorization");
	if (r != DIGEST_OK)
		return challenge(d->dg, &offer, false, src_ip, now, out, digest_result_name(r));
	/* Not a password check: nothing is learnt from it and nothing counted. */
	if (!sip->sip_from || !sip->sip_from->a_url->url_user ||
	    strcmp(sip->sip_from->a_url->url_user, creds.username) != 0)
		return refuse(out, 403, "Forbidden", "credentials do not match the From user");
	if (throttled(d, creds.username, src_ip, now))
		return challenge(d->dg, &offer, false, src_ip, now, out,
		                 "account throttled after failures");
	if (!(creds.alg & auth_algs_mask(&offer)))
		return challenge(d->dg, &offer, false, src_ip, now, out,
		                 "algorithm not offered to this user");
	user = directory_find(d->dir, creds.username, d->domain);
	if (user)
		secret_of(user, &secret);
	else
		secret = *digest_decoy(d->dg);
	if (sip->sip_request)
		dr.uri = url_as_string(home, sip->sip_request->rq_url);
	r = digest_verify(d->dg, &creds, &dr, &secret, now, NULL);
	su_home_deinit(home);
	switch (r) {
	case DIGEST_OK:
		if (!user) /* cannot happen: nobody knows the decoy */
			return challenge(d->dg, &offer, false, src_ip, now, out, "unknown user");
		out->ok = true;
		out->status = 0;
		out->user = user->id;
		return;
	case DIGEST_WRONG_PASSWORD:
	case DIGEST_URI_MISMATCH:
		count_failure(d, method, creds.username, src_ip, now);
		return challenge(d->dg, &offer, false, src_ip, now, out,
		                 r == DIGEST_URI_MISMATCH ? digest_result_name(r)
		                                          : "wrong password or unknown user");
	case DIGEST_STALE:
	case DIGEST_REPLAY:
		return challenge(d->dg, &offer, true, src_ip, now, out, digest_result_name(r));
	case DIGEST_MALFORMED:
		return refuse(out, 400, "Bad Request", "malformed Proxy-Authorization");
	default:
		return challenge(d->dg, &offer, false, src_ip, now, out, digest_result_name(r));
	}
}
