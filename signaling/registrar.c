/* REGISTER processing: request sanity, source bans, digest authentication against the
 * directory, then the binding rules of RFC 3261 §10.3 (expiry bounds, Contact: *, Call-ID/CSeq
 * ordering) applied to the store in one transaction. A REGISTER never touches another user's
 * bindings: every store call is keyed by the authenticated user. */
#include "registrar.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_algs.h"
#include "clock.h"
#include "directory.h"
#include "failban.h"
#include "hostport.h"
#include "log.h"
#include "observe.h"
#include "store.h"

#define MAX_URI_LEN 1024
#define MAX_UA_LEN  255

struct registrar {
	struct registrar_cfg cfg; /* strings below are our own copies */
	struct directory *dir;    /* borrowed */
	struct digest *dg;        /* borrowed */
	struct failban *fb;       /* borrowed */
	struct failban *accounts; /* borrowed, may be NULL */
	struct store *st;         /* borrowed */
	struct log_ratelimit banned_log;
	struct log_ratelimit refusal_log;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int registrar_new(struct registrar **out, const struct registrar_cfg *cfg, struct directory *dir,
                  struct digest *dg, struct failban *fb, struct failban *accounts, struct store *st)
{
	struct registrar *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return -ENOMEM;
	reg->cfg = *cfg;
	reg->cfg.domain = dup_or_empty(cfg->domain);
	reg->cfg.local_host = dup_or_empty(cfg->local_host);
	reg->cfg.node_id = dup_or_empty(cfg->node_id);
	reg->cfg.profile = dup_or_empty(cfg->profile);
	reg->dir = dir;
	reg->dg = dg;
	reg->fb = fb;
	reg->accounts = accounts;
	reg->banned_log = (struct log_ratelimit){.burst = 5, .period_ms = 1000};
	reg->refusal_log = (struct log_ratelimit){.burst = 5, .period_ms = 1000};
	reg->st = st;
	if (!reg->cfg.domain || !reg->cfg.local_host || !reg->cfg.node_id || !reg->cfg.profile) {
		registrar_free(reg);
		return -ENOMEM;
	}
	*out = reg;
	return 0;
}

void registrar_free(struct registrar *reg)
{
	if (!reg)
		return;
	free((char *)reg->cfg.domain);
	free((char *)reg->cfg.local_host);
	free((char *)reg->cfg.node_id);
	free((char *)reg->cfg.profile);
	free(reg);
}

void registrar_reply_clear(struct registrar_reply *reply)
{
	free(reply->contact);
	memset(reply, 0, sizeof(*reply));
}

static void answer(struct registrar_reply *reply, int status, const char *phrase)
{
	reply->status = status;
	reply->phrase = phrase;
}

/* "ip:port" of the request's source for the logs, "[v6]:port" for IPv6; SRC(req) formats into a
 * buffer that lives until the end of the enclosing block. */
static const char *src_of(const struct registrar_request *req, char *buf)
{
	hostport_format(buf, HOSTPORT_LEN, req->src_ip, req->src_port);
	return buf;
}
#define SRC(req) src_of(req, (char[HOSTPORT_LEN]){0})

/* Offers the algorithms of offer that are also in algs (a mask). */
static void challenge(struct registrar *reg, struct registrar_reply *reply, bool stale,
                      const struct auth_algs *offer, unsigned algs,
                      const struct registrar_request *req, time_t now)
{
	if (digest_challenge_algs(reg->dg, false, stale, offer->prefs, offer->n, algs, req->src_ip,
	                          now, &reply->challenge)) {
		log_error("reg", "cannot build a digest challenge");
		answer(reply, 500, "Server Internal Error");
		return;
	}
	answer(reply, reply->challenge.status, reply->challenge.phrase);
}

/* ---- authentication ---- */

/* Lines about refused credentials share a budget of a few a second: a peer causes them at
 * will. */
static bool refusal_logged(struct registrar *reg)
{
	unsigned dropped = 0;

	if (!log_ratelimit(&reg->refusal_log, clock_mono_ms(), &dropped))
		return false;
	if (dropped)
		log_notice("reg", "%u line(s) about refused REGISTERs not logged (over 5 a second)",
		           dropped);
	return true;
}

/* Counts a failure against the source and the account. Only called for credentials that
 * answer a challenge we sent to this source, so forged packets cannot ban anyone. True when
 * the source is now banned. */
static bool failure_bans(struct registrar *reg, const struct registrar_request *req,
                         const char *user, time_t now)
{
	obs_auth_failure("REGISTER", user, req->src_ip);
	if (reg->accounts && failban_failure(reg->accounts, user, now)) {
		log_warn("reg",
		         "account '%s' throttled: too many authentication failures (last from %s)",
		         user, req->src_ip);
		obs_ban(OBS_BAN_ACCOUNT, user);
	}
	if (!failban_failure(reg->fb, req->src_ip, now))
		return false;
	log_warn("reg", "source %s banned: too many authentication failures (last: user '%s')",
	         req->src_ip, user);
	obs_ban(OBS_BAN_SOURCE, req->src_ip);
	return true;
}

/* True when the account is throttled and this source has no live binding of it: the request is
 * then answered as a wrong password without looking at it, so guesses made during the
 * throttle learn nothing, while a phone registered from this address keeps working. */
static bool account_throttled(struct registrar *reg, const struct registrar_request *req,
                              const struct digest_creds *c, time_t now)
{
	struct store_reg_list l;
	bool known = false;

	if (!reg->accounts || !failban_banned(reg->accounts, c->username, now, NULL))
		return false;
	if (store_reg_lookup(reg->st, c->username, c->realm, now, &l) == 0) {
		for (size_t i = 0; i < l.n && !known; i++)
			known = l.v[i].network_ip && strcmp(l.v[i].network_ip, req->src_ip) == 0;
		store_reg_list_free(&l);
	}
	return !known;
}

/* Picks the credentials for our realm. Returns DIGEST_OK with *c filled, or why there are
 * none usable. */
static enum digest_result pick_creds(struct registrar *reg, const struct registrar_request *req,
                                     struct digest_creds *c)
{
	enum digest_result why = DIGEST_WRONG_REALM;
	const char *realm = digest_realm(reg->dg);

	for (size_t i = 0; i < req->n_creds; i++) {
		enum digest_result r = digest_parse(req->creds[i].scheme, req->creds[i].params, c);

		if (r == DIGEST_MALFORMED)
			return r;
		if (r == DIGEST_BAD_ALGORITHM) {
			why = r;
			continue;
		}
		if (strcmp(c->realm, realm) == 0)
			return DIGEST_OK;
		if (refusal_logged(reg))
			log_notice("reg",
			           "credentials of '%s' from %s are for realm '%s', ours is '%s'",
			           c->username, req->src_ip, c->realm, realm);
	}
	return why;
}

/* True when the request carries good credentials for the AOR user; otherwise reply is set.
 * An unknown user is verified against a decoy secret, so it gets exactly what a known user
 * with a wrong password gets. */
static bool authenticate(struct registrar *reg, const struct registrar_request *req, time_t now,
                         struct registrar_reply *reply, struct digest_creds *c)
{
	const struct directory_user *u;
	struct digest_secret secret;
	struct digest_request dr = {"REGISTER", req->ruri, req->src_ip};
	enum digest_result r;
	unsigned algs = DIGEST_ALG_ALL;
	struct auth_algs offer;

	/* Chosen by the To user before any credentials, the same way for unknown users. */
	auth_algs_for(reg->dg, reg->dir, req->aor_user, reg->cfg.domain, &offer);
	if (req->creds_bad) {
		if (refusal_logged(reg))
			log_notice("reg", "malformed Authorization header from %s for '%s'",
			           SRC(req), req->aor_user);
		answer(reply, 400, "Malformed Authorization Header");
		return false;
	}
	if (req->n_creds == 0) {
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	}
	r = pick_creds(reg, req, c);
	if (r == DIGEST_MALFORMED) {
		if (refusal_logged(reg))
			log_notice("reg", "malformed digest credentials from %s for '%s'", SRC(req),
			           c->username[0] ? c->username : req->aor_user);
		answer(reply, 400, "Malformed Authorization Header");
		return false;
	}
	if (r != DIGEST_OK) {
		if (r == DIGEST_BAD_ALGORITHM && refusal_logged(reg))
			log_notice("reg",
			           "credentials from %s for '%s' use a scheme, algorithm or qop "
			           "we did not offer; challenging again",
			           req->src_ip, req->aor_user);
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	}
	if (strcmp(c->username, req->aor_user) != 0) {
		if (refusal_logged(reg))
			log_notice("reg", "'%s' from %s tried to register '%s': forbidden",
			           c->username, req->src_ip, req->aor_user);
		answer(reply, 403, "Forbidden (username does not match the AOR)");
		return false;
	}
	if (account_throttled(reg, req, c, now)) {
		if (refusal_logged(reg))
			log_info(
			    "reg",
			    "'%s' from %s: account throttled after failures; challenging again",
			    c->username, req->src_ip);
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	}
	if (!(c->alg & auth_algs_mask(&offer))) {
		if (refusal_logged(reg))
			log_notice("reg",
			           "'%s' from %s answered with %s, not offered to this user; "
			           "challenging again",
			           c->username, req->src_ip, c->algorithm);
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	}
	u = directory_find(reg->dir, c->username, reg->cfg.domain);
	if (u)
		secret = (struct digest_secret){
		    .password = directory_user_param(u, "password"),
		    .ha1_md5 = directory_user_param(u, "a1-hash"),
		    .ha1_sha256 = directory_user_param(u, "a1-hash-sha256"),
		};
	else
		secret = *digest_decoy(reg->dg);
	r = digest_verify(reg->dg, c, &dr, &secret, now, &algs);
	switch (r) {
	case DIGEST_OK:
		return true;
	case DIGEST_WRONG_PASSWORD:
	case DIGEST_URI_MISMATCH:
		if (refusal_logged(reg))
			log_notice("reg", "%s for '%s' from %s (%s)%s",
			           r == DIGEST_URI_MISMATCH ? "digest uri not the Request-URI"
			                                    : "wrong password",
			           c->username, SRC(req), c->algorithm, u ? "" : ", no such user");
		if (failure_bans(reg, req, c->username, now)) {
			answer(reply, 403, "Forbidden");
			return false;
		}
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	case DIGEST_STALE:
	case DIGEST_REPLAY:
		if (refusal_logged(reg))
			log_info("reg", "%s from %s for '%s' (nc %u): challenging with stale=true",
			         digest_result_name(r), req->src_ip, c->username, (unsigned)c->nc);
		challenge(reg, reply, true, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	case DIGEST_NO_SECRET_FOR_ALG:
		if (refusal_logged(reg))
			log_info("reg",
			         "'%s' answered with %s but only other hashes are stored; "
			         "challenging with those",
			         c->username, c->algorithm);
		challenge(reg, reply, false, &offer, algs, req, now);
		return false;
	default:
		/* Not an answer to a challenge we sent to this source (a forged nonce, another
		 * source's nonce): challenge, count nothing. */
		if (refusal_logged(reg))
			log_notice("reg", "credentials of '%s' from %s refused: %s", c->username,
			           req->src_ip, digest_result_name(r));
		challenge(reg, reply, false, &offer, DIGEST_ALG_ALL, req, now);
		return false;
	}
}

/* ---- bindings ---- */

/* The expiry a contact asks for, clamped to max_expires. -EINVAL when unparsable. */
static int contact_expires(const struct registrar *reg, const struct registrar_request *req,
                           const struct registrar_contact *c, long *out)
{
	long v;

	if (c->expires) {
		const char *p = c->expires;

		if (!*p)
			return -EINVAL;
		for (v = 0; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			/* Saturate: anything past max_expires is clamped below anyway. */
			if (v < LONG_MAX / 10)
				v = v * 10 + (*p - '0');
		}
	} else if (req->expires >= 0) {
		v = req->expires;
	} else {
		v = reg->cfg.default_expires;
	}
	if (v > reg->cfg.max_expires)
		v = reg->cfg.max_expires;
	*out = v;
	return 0;
}

static const struct store_reg *find_binding(const struct store_reg_list *l, const char *uri)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].contact, uri) == 0)
			return &l->v[i];
	return NULL;
}

static bool host_is(const char *host, const char *ip)
{
	size_t n = strlen(ip);

	if (host[0] == '[')
		return strncasecmp(host + 1, ip, n) == 0 && host[n + 1] == ']';
	return strcasecmp(host, ip) == 0;
}

/* A contact we cannot reach directly: its address is not where the REGISTER came from (on UDP
 * the port counts too, since replies and requests share the NAT binding). */
static bool behind_nat(const struct registrar_request *req, const struct registrar_contact *c)
{
	unsigned port = c->port ? c->port : 5060;

	if (!c->host || !host_is(c->host, req->src_ip))
		return true;
	return strcmp(req->transport, "udp") == 0 && port != req->src_port;
}

static int save_contact(struct registrar *reg, const struct registrar_request *req,
                        const struct digest_creds *c, const struct registrar_contact *ct,
                        long expires, time_t now)
{
	char status[64], proto[8], ua[MAX_UA_LEN + 1];
	bool nat = behind_nat(req, ct);
	struct store_reg row = {
	    .call_id = (char *)req->call_id,
	    .cseq = req->cseq,
	    .sip_user = (char *)req->aor_user,
	    .sip_host = (char *)req->aor_host,
	    .contact = (char *)ct->uri,
	    .status = status,
	    .expires = (int64_t)now + expires,
	    .user_agent = ua,
	    .network_ip = (char *)req->src_ip,
	    .network_port = req->src_port,
	    .network_proto = (char *)req->transport,
	    .sip_username = (char *)c->username,
	    .sip_realm = (char *)c->realm,
	    .hostname = (char *)reg->cfg.node_id,
	    .profile_name = (char *)reg->cfg.profile,
	    .nat = nat,
	};
	size_t i;

	for (i = 0; i < sizeof(proto) - 1 && req->transport[i]; i++)
		proto[i] = (char)toupper((unsigned char)req->transport[i]);
	proto[i] = '\0';
	snprintf(status, sizeof(status), "Registered(%s%s)", proto, nat ? "-NAT" : "");
	snprintf(ua, sizeof(ua), "%s", req->user_agent ? req->user_agent : "");
	return store_reg_save(reg->st, &row);
}

/* Appends "<uri>;expires=N" to a Contact value being built. */
static int append_binding(char **buf, size_t *len, size_t *cap, const char *uri, long long left)
{
	size_t need = strlen(uri) + 40;

	if (*len + need > *cap) {
		size_t ncap = (*len + need) * 2;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	*len += (size_t)snprintf(*buf + *len, *cap - *len, "%s<%s>;expires=%lld", *len ? ", " : "",
	                         uri, left);
	return 0;
}

/* The 200 OK: every live binding with the seconds it has left. existing holds stored bindings
 * (expires 0 = removed by this request); fresh[i] > 0 is the expiry of request contact i when
 * it made a new binding. */
static void reply_list(const struct store_reg_list *existing, const struct registrar_request *req,
                       const int64_t *fresh, time_t now, struct registrar_reply *reply)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int rc = 0;

	for (size_t i = 0; !rc && i < existing->n; i++)
		if (existing->v[i].expires > now)
			rc = append_binding(&buf, &len, &cap, existing->v[i].contact,
			                    (long long)(existing->v[i].expires - now));
	for (size_t i = 0; !rc && req && i < req->n_contacts; i++)
		if (fresh[i] > now)
			rc = append_binding(&buf, &len, &cap, req->contacts[i].uri,
			                    (long long)(fresh[i] - now));
	if (rc) {
		free(buf);
		answer(reply, 500, "Server Internal Error");
		return;
	}
	reply->contact = buf;
	answer(reply, 200, "OK");
}

/* A query or a removal: lists what the store holds now. */
static void reply_bindings(struct registrar *reg, const char *user, const char *realm, time_t now,
                           struct registrar_reply *reply)
{
	struct store_reg_list l;

	if (store_reg_lookup(reg->st, user, realm, now, &l)) {
		answer(reply, 500, "Server Internal Error");
		log_error("reg", "store lookup failed for '%s'", user);
		return;
	}
	reply_list(&l, NULL, NULL, now, reply);
	store_reg_list_free(&l);
}

/* A contact whose URI would make us send requests somewhere else than its host, or over a
 * transport we do not listen on, could aim our INVITEs (and their retransmissions) at any host
 * and port: maddr= overrides the host, and a transport we lack makes the stack look elsewhere.
 * Answers 400 for them. transport=tls is served to a REGISTER that came over TLS. */
static bool contact_routable(const struct registrar_request *req,
                             const struct registrar_contact *ct, struct registrar_reply *reply)
{
	const char *why = NULL;

	if (ct->foreign_scheme)
		why = "Contact Scheme Not Served";
	else if (ct->maddr)
		why = "Contact maddr Not Allowed";
	else if (ct->transport && strcasecmp(ct->transport, "udp") &&
	         strcasecmp(ct->transport, "tcp") &&
	         /* TLS only from a phone that reached us over it: we listen on TLS, and its
	          * calls go back over that connection (router.c). */
	         (strcasecmp(ct->transport, "tls") || !req->transport ||
	          strcasecmp(req->transport, "tls")))
		why = "Contact Transport Not Served";
	if (!why)
		return true;
	log_notice("reg", "REGISTER for '%s' from %s: contact refused (%s)", req->aor_user,
	           SRC(req), why);
	answer(reply, 400, why);
	return false;
}

/* Checks the request's contacts; fills exp[] or answers 400/423. */
static bool check_contacts(struct registrar *reg, const struct registrar_request *req, long *exp,
                           struct registrar_reply *reply)
{
	for (size_t i = 0; i < req->n_contacts; i++) {
		const struct registrar_contact *ct = &req->contacts[i];

		if (!ct->uri || strlen(ct->uri) > MAX_URI_LEN) {
			log_notice("reg", "REGISTER for '%s' from %s: contact too long",
			           req->aor_user, req->src_ip);
			answer(reply, 400, "Contact Too Long");
			return false;
		}
		if (!contact_routable(req, ct, reply))
			return false;
		if (contact_expires(reg, req, ct, &exp[i])) {
			log_notice("reg", "REGISTER for '%s' from %s: bad expires '%s'",
			           req->aor_user, req->src_ip, ct->expires);
			answer(reply, 400, "Bad Contact Expires");
			return false;
		}
		if (exp[i] > 0 && exp[i] < reg->cfg.min_expires) {
			log_info("reg", "REGISTER for '%s' asks %ld s, below %ld s: 423",
			         req->aor_user, exp[i], reg->cfg.min_expires);
			reply->min_expires = reg->cfg.min_expires;
			answer(reply, 423, "Interval Too Brief");
			return false;
		}
	}
	return true;
}

/* Applies the contacts to the store in one transaction, and mirrors the result in existing
 * and fresh[] so the reply needs no second lookup. */
static int apply_contacts(struct registrar *reg, const struct registrar_request *req,
                          const struct digest_creds *c, const long *exp,
                          struct store_reg_list *existing, int64_t *fresh, time_t now)
{
	bool *note = calloc(req->n_contacts ? req->n_contacts : 1, sizeof(*note));
	int rc = note ? store_begin(reg->st) : -ENOMEM;

	for (size_t i = 0; !rc && i < req->n_contacts; i++) {
		const struct registrar_contact *ct = &req->contacts[i];
		struct store_reg *old = (struct store_reg *)find_binding(existing, ct->uri);

		if (old && strcmp(old->call_id, req->call_id) == 0 && req->cseq <= old->cseq) {
			log_info("reg", "'%s': CSeq %u not above %u for %s; binding left as is",
			         req->aor_user, (unsigned)req->cseq, (unsigned)old->cseq, ct->uri);
			continue;
		}
		for (size_t j = 0; j < i; j++) /* the same URI twice: the last one counts */
			if (fresh[j] && strcmp(req->contacts[j].uri, ct->uri) == 0)
				fresh[j] = 0;
		if (exp[i] == 0)
			rc = old ? store_reg_remove(reg->st, req->aor_user, c->realm, ct->uri) : 0;
		else
			rc = save_contact(reg, req, c, ct, exp[i], now);
		if (!rc && (exp[i] || old))
			note[i] = true;
		if (old)
			old->expires = exp[i] ? (int64_t)now + exp[i] : 0;
		else if (exp[i])
			fresh[i] = (int64_t)now + exp[i];
	}
	if (!rc)
		rc = store_commit(reg->st);
	if (rc && note)
		store_rollback(reg->st);
	/* Told once committed: a listener never hears of a binding the store does not have. */
	for (size_t i = 0; !rc && i < req->n_contacts; i++)
		if (note[i])
			obs_reg(exp[i] ? OBS_REG_REGISTER : OBS_REG_UNREGISTER, req->aor_user,
			        c->realm, req->contacts[i].uri, req->src_ip, exp[i], 1);
	free(note);
	return rc;
}

static size_t count_new(const struct registrar_request *req, const long *exp,
                        const struct store_reg_list *existing)
{
	size_t n = 0;

	for (size_t i = 0; i < req->n_contacts; i++)
		if (exp[i] > 0 && !find_binding(existing, req->contacts[i].uri))
			n++;
	return n;
}

static void update_bindings(struct registrar *reg, const struct registrar_request *req,
                            const struct digest_creds *c, time_t now, struct registrar_reply *reply)
{
	struct store_reg_list existing = {0};
	int64_t *fresh = calloc(req->n_contacts, sizeof(*fresh));
	long *exp = calloc(req->n_contacts, sizeof(*exp));

	if (!exp || !fresh) {
		answer(reply, 500, "Server Internal Error");
		goto out;
	}
	if (!check_contacts(reg, req, exp, reply))
		goto out;
	if (store_reg_lookup(reg->st, req->aor_user, c->realm, now, &existing)) {
		log_error("reg", "store lookup failed for '%s'", req->aor_user);
		answer(reply, 500, "Server Internal Error");
		goto out;
	}
	if (existing.n + count_new(req, exp, &existing) > (size_t)reg->cfg.max_contacts) {
		log_notice("reg", "'%s' from %s: more than %ld contacts refused", req->aor_user,
		           req->src_ip, reg->cfg.max_contacts);
		answer(reply, 403, "Too Many Contacts");
		goto out;
	}
	if (apply_contacts(reg, req, c, exp, &existing, fresh, now)) {
		log_error("reg", "store update failed for '%s'", req->aor_user);
		answer(reply, 500, "Server Internal Error");
		goto out;
	}
	reply_list(&existing, req, fresh, now, reply);
	log_info("reg", "'%s' REGISTER accepted from %s %s (%zu contact(s) in request)",
	         req->aor_user, req->transport, SRC(req), req->n_contacts);
out:
	store_reg_list_free(&existing);
	free(fresh);
	free(exp);
}

static void remove_all(struct registrar *reg, const struct registrar_request *req,
                       const struct digest_creds *c, time_t now, struct registrar_reply *reply)
{
	if (req->n_contacts > 0 || req->expires != 0) {
		log_notice("reg",
		           "'%s' from %s: Contact: * without Expires: 0 or with other "
		           "contacts",
		           req->aor_user, req->src_ip);
		answer(reply, 400, "Contact * Requires Expires 0");
		return;
	}
	if (store_reg_remove(reg->st, req->aor_user, c->realm, NULL)) {
		answer(reply, 500, "Server Internal Error");
		return;
	}
	log_info("reg", "'%s' removed all bindings (from %s)", req->aor_user, SRC(req));
	obs_reg(OBS_REG_UNREGISTER, req->aor_user, c->realm, NULL, req->src_ip, 0, 0);
	reply_bindings(reg, req->aor_user, c->realm, now, reply);
}

static bool our_domain(const struct registrar *reg, const char *host)
{
	return hostport_same_host(host, reg->cfg.domain) ||
	       hostport_same_host(host, digest_realm(reg->dg)) ||
	       hostport_same_host(host, reg->cfg.local_host);
}

void registrar_handle(struct registrar *reg, const struct registrar_request *req, time_t now,
                      struct registrar_reply *reply)
{
	struct digest_creds c;
	long left = 0;

	memset(reply, 0, sizeof(*reply));
	if (!req->aor_user || !req->aor_user[0] || !req->aor_host || !req->has_from ||
	    !req->call_id) {
		log_notice("reg", "REGISTER from %s without To user, From or Call-ID", SRC(req));
		answer(reply, 400, "Missing To or From");
		return;
	}
	if (failban_banned(reg->fb, req->src_ip, now, &left)) {
		unsigned dropped = 0;

		/* A banned source may keep sending: its refusals get a few lines a second. */
		if (log_ratelimit(&reg->banned_log, clock_mono_ms(), &dropped))
			log_info(
			    "reg",
			    "REGISTER for '%s' from banned source %s (%ld s left): 403 (%u more "
			    "such refusals not logged)",
			    req->aor_user, req->src_ip, left, dropped);
		answer(reply, 403, "Forbidden");
		return;
	}
	if (!our_domain(reg, req->aor_host)) {
		log_notice("reg", "REGISTER for '%s@%s' from %s: not our domain", req->aor_user,
		           req->aor_host, req->src_ip);
		answer(reply, 403, "Domain Not Served Here");
		return;
	}
	if (req->contact_bad) {
		log_notice("reg", "REGISTER for '%s' from %s: unparsable Contact", req->aor_user,
		           req->src_ip);
		answer(reply, 400, "Malformed Contact");
		return;
	}
	if (req->expires_bad) {
		log_notice("reg", "REGISTER for '%s' from %s: unparsable Expires", req->aor_user,
		           req->src_ip);
		answer(reply, 400, "Bad Expires");
		return;
	}
	if (!authenticate(reg, req, now, reply, &c))
		return;
	if (req->star)
		remove_all(reg, req, &c, now, reply);
	else if (req->n_contacts == 0)
		reply_bindings(reg, req->aor_user, c.realm, now, reply);
	else
		update_bindings(reg, req, &c, now, reply);
}

int registrar_expire(struct registrar *reg, time_t now)
{
	unsigned removed = 0;
	int rc;

	digest_expire(reg->dg, now);
	rc = store_reg_purge_expired(reg->st, now, &removed);
	if (rc) {
		log_error("reg", "purging expired registrations failed");
		return rc;
	}
	if (removed) {
		log_info("reg", "%u expired registration(s) purged", removed);
		obs_reg(OBS_REG_EXPIRE, NULL, NULL, NULL, NULL, 0, removed);
	}
	return (int)removed;
}
