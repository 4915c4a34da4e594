/* Digest challenges and verification. Header parameters are read by sofia-sip
 * (auth_digest_response_get); every hash and MAC comes from OpenSSL. */
#include "digest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <sofia-sip/auth_digest.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "nc_table.h"

#define NONCE_RAND   12
#define NONCE_MAC    16
#define NONCE_RAW    (8 + NONCE_RAND + NONCE_MAC)
#define NONCE_B64    (NONCE_RAW / 3 * 4)
#define MAX_REALM    128
#define MAX_SOURCE   64 /* an IPv6 literal fits in 46 */
#define CLOCK_SKEW_S 60 /* nodes sharing a secret may disagree on the time this much */

struct digest {
	char realm[MAX_REALM + 1];
	EVP_MAC *mac;         /* HMAC, fetched once: a fetch per nonce costs more than the MAC */
	EVP_MAC_CTX *mac_ctx; /* keyed with the secret; re-initialised per nonce */
	long ttl;
	enum digest_uri_check uri_check;
	enum digest_alg prefs[2];
	size_t n_prefs;
	struct nc_table *nc;
	/* Stands in for users that do not exist, so they take the wrong-password path. */
	struct digest_secret decoy;
	char decoy_password[33];
};

/* A decoded nonce. */
struct nonce {
	time_t issued;
	uint8_t mac[NONCE_MAC];
};

static void to_hex(const uint8_t *b, size_t n, char *out);

const char *digest_alg_name(enum digest_alg alg)
{
	return alg == DIGEST_ALG_SHA256 ? "SHA-256" : "MD5";
}

/* Fetched once per process (signald is single-threaded): an implicit fetch on every
 * EVP_DigestInit costs more than hashing a few hundred bytes. */
static const EVP_MD *md_of(enum digest_alg alg)
{
	static EVP_MD *md5, *sha256;
	EVP_MD **slot = alg == DIGEST_ALG_SHA256 ? &sha256 : &md5;

	if (!*slot)
		*slot = EVP_MD_fetch(NULL, alg == DIGEST_ALG_SHA256 ? "SHA2-256" : "MD5", NULL);
	if (*slot)
		return *slot;
	return alg == DIGEST_ALG_SHA256 ? EVP_sha256() : EVP_md5();
}

const char *digest_result_name(enum digest_result r)
{
	static const char *const names[] = {
	    [DIGEST_OK] = "ok",
	    [DIGEST_MALFORMED] = "malformed credentials",
	    [DIGEST_BAD_ALGORITHM] = "unsupported algorithm",
	    [DIGEST_WRONG_REALM] = "wrong realm",
	    [DIGEST_BAD_NONCE] = "nonce not issued by us",
	    [DIGEST_WRONG_PASSWORD] = "wrong password",
	    [DIGEST_STALE] = "stale nonce",
	    [DIGEST_REPLAY] = "replayed nonce count",
	    [DIGEST_NO_SECRET_FOR_ALG] = "no stored hash for that algorithm",
	    [DIGEST_URI_MISMATCH] = "digest uri is not the Request-URI",
	};

	return (size_t)r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

int digest_parse_algorithms(const char *list, enum digest_alg prefs[2], size_t *n)
{
	char buf[128], *save = NULL, *tok;
	unsigned seen = 0;

	*n = 0;
	if (!list || strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		enum digest_alg a;

		if (strcasecmp(tok, "MD5") == 0)
			a = DIGEST_ALG_MD5;
		else if (strcasecmp(tok, "SHA-256") == 0)
			a = DIGEST_ALG_SHA256;
		else
			return -EINVAL;
		if (seen & a)
			return -EINVAL;
		seen |= a;
		prefs[(*n)++] = a;
	}
	return *n ? 0 : -EINVAL;
}

int digest_new(struct digest **out, const struct digest_cfg *cfg)
{
	struct digest *d;
	int rc;

	if (!cfg->realm || strlen(cfg->realm) > MAX_REALM || strpbrk(cfg->realm, "\"\\\r\n") ||
	    cfg->secret_len < 16 || cfg->n_prefs < 1 || cfg->n_prefs > 2 || cfg->nonce_ttl_s < 1)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	strcpy(d->realm, cfg->realm);
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_end(),
	};
	d->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	d->mac_ctx = d->mac ? EVP_MAC_CTX_new(d->mac) : NULL;
	if (!d->mac_ctx || !EVP_MAC_init(d->mac_ctx, cfg->secret, cfg->secret_len, params)) {
		digest_free(d);
		return -EIO;
	}
	d->ttl = cfg->nonce_ttl_s;
	d->uri_check = cfg->uri_check;
	{
		uint8_t r[16];

		if (RAND_bytes(r, sizeof(r)) != 1) {
			digest_free(d);
			return -EIO;
		}
		to_hex(r, sizeof(r), d->decoy_password);
		d->decoy.password = d->decoy_password;
	}
	memcpy(d->prefs, cfg->prefs, sizeof(d->prefs));
	d->n_prefs = cfg->n_prefs;
	rc = nc_table_new(&d->nc, cfg->nc_table_size ? cfg->nc_table_size : 65536, cfg->start);
	if (rc) {
		digest_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void digest_free(struct digest *d)
{
	if (!d)
		return;
	EVP_MAC_CTX_free(d->mac_ctx);
	EVP_MAC_free(d->mac);
	nc_table_free(d->nc);
	free(d);
}

const char *digest_realm(const struct digest *d)
{
	return d->realm;
}

void digest_expire(struct digest *d, time_t now)
{
	nc_table_expire(d->nc, now);
}

/* ---- hashing ---- */

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Hex H(parts[0] ":" parts[1] ":" ...). */
static int hash_joined(enum digest_alg alg, const char *const *parts, size_t n, char *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int ok;

	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, md_of(alg), NULL);
	for (size_t i = 0; ok && i < n; i++) {
		if (i)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	to_hex(md, mdlen, out);
	return 0;
}

int digest_hash_hex(enum digest_alg alg, const char *data, size_t len, char *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, md_of(alg), NULL))
		return -EIO;
	to_hex(md, mdlen, out);
	return 0;
}

int digest_ha1(enum digest_alg alg, const char *user, const char *realm, const char *password,
               char *out)
{
	const char *parts[] = {user, realm, password};

	return hash_joined(alg, parts, 3, out);
}

int digest_response(enum digest_alg alg, const char *ha1, const char *nonce, const char *nc_hex,
                    const char *cnonce, const char *qop, const char *method, const char *uri,
                    char *out)
{
	char ha2[EVP_MAX_MD_SIZE * 2 + 1];
	const char *a2[] = {method, uri};
	const char *parts[] = {ha1, nonce, nc_hex, cnonce, qop, ha2};
	int rc = hash_joined(alg, a2, 2, ha2);

	return rc ? rc : hash_joined(alg, parts, 6, out);
}

/* ---- nonces ---- */

static int nonce_mac(const struct digest *d, enum digest_alg alg, const char *source,
                     const uint8_t *head, uint8_t mac[NONCE_MAC])
{
	uint8_t buf[64 + MAX_REALM + MAX_SOURCE + NONCE_RAW], full[EVP_MAX_MD_SIZE];
	size_t len = 0, n = 0, rl = strlen(d->realm), sl;

	source = source ? source : "";
	sl = strlen(source);
	if (sl >= MAX_SOURCE)
		return -EINVAL;
	/* Domain-separated: a nonce for one algorithm, realm or source address is no nonce for
	 * another. Binding the source means only a host that received our challenge can answer
	 * it, so forged packets from someone else's address never count against that address. */
	memcpy(buf, "tandem-nonce-2", 15);
	n = 15;
	buf[n++] = (uint8_t)alg;
	memcpy(buf + n, d->realm, rl + 1);
	n += rl + 1;
	memcpy(buf + n, source, sl + 1);
	n += sl + 1;
	memcpy(buf + n, head, 8 + NONCE_RAND);
	n += 8 + NONCE_RAND;
	/* NULL key: the context keeps the secret it was first initialised with. */
	if (!EVP_MAC_init(d->mac_ctx, NULL, 0, NULL) || !EVP_MAC_update(d->mac_ctx, buf, n) ||
	    !EVP_MAC_final(d->mac_ctx, full, &len, sizeof(full)) || len < NONCE_MAC)
		return -EIO;
	memcpy(mac, full, NONCE_MAC);
	return 0;
}

static int nonce_make(const struct digest *d, enum digest_alg alg, const char *source, time_t now,
                      char out[NONCE_B64 + 1])
{
	uint8_t raw[NONCE_RAW];
	uint64_t t = (uint64_t)now;

	for (int i = 0; i < 8; i++)
		raw[i] = (uint8_t)(t >> (56 - 8 * i));
	if (RAND_bytes(raw + 8, NONCE_RAND) != 1 ||
	    nonce_mac(d, alg, source, raw, raw + 8 + NONCE_RAND))
		return -EIO;
	EVP_EncodeBlock((unsigned char *)out, raw, NONCE_RAW);
	return 0;
}

/* Decodes and authenticates a nonce. Returns 0, or -EINVAL when it is not ours. */
static int nonce_check(const struct digest *d, enum digest_alg alg, const char *source,
                       const char *text, struct nonce *out)
{
	uint8_t raw[NONCE_RAW + 3], mac[NONCE_MAC];
	uint64_t t = 0;

	if (strlen(text) != NONCE_B64 ||
	    EVP_DecodeBlock(raw, (const unsigned char *)text, NONCE_B64) != NONCE_RAW)
		return -EINVAL;
	if (nonce_mac(d, alg, source, raw, mac) ||
	    CRYPTO_memcmp(mac, raw + 8 + NONCE_RAND, NONCE_MAC))
		return -EINVAL;
	for (int i = 0; i < 8; i++)
		t = (t << 8) | raw[i];
	out->issued = (time_t)t;
	memcpy(out->mac, mac, NONCE_MAC);
	return 0;
}

size_t digest_default_algs(const struct digest *d, enum digest_alg prefs[2])
{
	prefs[0] = d->prefs[0];
	prefs[1] = d->prefs[1];
	return d->n_prefs;
}

int digest_challenge(struct digest *d, bool proxy, bool stale, unsigned allowed, const char *source,
                     time_t now, struct digest_challenge *out)
{
	return digest_challenge_algs(d, proxy, stale, d->prefs, d->n_prefs, allowed, source, now,
	                             out);
}

int digest_challenge_algs(struct digest *d, bool proxy, bool stale, const enum digest_alg *prefs,
                          size_t n, unsigned allowed, const char *source, time_t now,
                          struct digest_challenge *out)
{
	out->status = proxy ? 407 : 401;
	out->phrase = proxy ? "Proxy Authentication Required" : "Unauthorized";
	out->header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
	out->n = 0;
	for (size_t i = 0; i < n && out->n < 2; i++) {
		char nonce[NONCE_B64 + 1];

		if (!(allowed & prefs[i]))
			continue;
		if (nonce_make(d, prefs[i], source, now, nonce))
			return -EIO;
		snprintf(out->value[out->n], DIGEST_CHALLENGE_LEN,
		         "Digest realm=\"%s\", nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
		         d->realm, nonce, digest_alg_name(prefs[i]), stale ? ", stale=true" : "");
		out->n++;
	}
	return out->n ? 0 : -EINVAL;
}

/* ---- verification ---- */

static bool copy_field(char *dst, size_t cap, const char *src)
{
	if (!src || !src[0] || strlen(src) >= cap)
		return false;
	strcpy(dst, src);
	return true;
}

static bool parse_nc(const char *s, uint32_t *nc)
{
	uint32_t v = 0;

	if (!s || strlen(s) != 8)
		return false;
	for (int i = 0; i < 8; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		v = (v << 4) | (uint32_t)(isdigit((unsigned char)s[i])
		                              ? s[i] - '0'
		                              : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	*nc = v;
	return v != 0;
}

static enum digest_result fill_creds(const auth_response_t *ar, struct digest_creds *out)
{
	size_t want;

	if (ar->ar_username)
		snprintf(out->username, sizeof(out->username), "%s", ar->ar_username);
	if (!ar->ar_algorithm || strcasecmp(ar->ar_algorithm, "MD5") == 0)
		out->alg = DIGEST_ALG_MD5;
	else if (strcasecmp(ar->ar_algorithm, "SHA-256") == 0)
		out->alg = DIGEST_ALG_SHA256;
	else
		return DIGEST_BAD_ALGORITHM;
	snprintf(out->algorithm, sizeof(out->algorithm), "%s", digest_alg_name(out->alg));
	if (!copy_field(out->username, sizeof(out->username), ar->ar_username) ||
	    !copy_field(out->realm, sizeof(out->realm), ar->ar_realm) ||
	    !copy_field(out->nonce, sizeof(out->nonce), ar->ar_nonce) ||
	    !copy_field(out->uri, sizeof(out->uri), ar->ar_uri) ||
	    !copy_field(out->response, sizeof(out->response), ar->ar_response))
		return DIGEST_MALFORMED;
	/* qop=auth is what we offer; without it there is no nc and so no replay protection. */
	if (!ar->ar_qop)
		return DIGEST_MALFORMED;
	if (strcasecmp(ar->ar_qop, "auth") != 0)
		return DIGEST_BAD_ALGORITHM;
	if (!copy_field(out->cnonce, sizeof(out->cnonce), ar->ar_cnonce) ||
	    !parse_nc(ar->ar_nc, &out->nc))
		return DIGEST_MALFORMED;
	want = out->alg == DIGEST_ALG_SHA256 ? 64 : 32;
	if (strlen(out->response) != want)
		return DIGEST_MALFORMED;
	for (char *p = out->response; *p; p++) {
		if (!isxdigit((unsigned char)*p))
			return DIGEST_MALFORMED;
		*p = (char)tolower((unsigned char)*p);
	}
	return DIGEST_OK;
}

enum digest_result digest_parse(const char *scheme, const char *const *params,
                                struct digest_creds *out)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	auth_response_t ar[1] = {{.ar_size = sizeof(ar[0])}};
	enum digest_result r;

	memset(out, 0, sizeof(*out));
	if (!scheme || strcasecmp(scheme, "Digest") != 0)
		return DIGEST_BAD_ALGORITHM;
	if (!params)
		return DIGEST_MALFORMED;
	if (auth_digest_response_get(home, ar, params) < 0)
		r = DIGEST_MALFORMED;
	else
		r = fill_creds(ar, out);
	su_home_deinit(home);
	return r;
}

static unsigned secret_algs(const struct digest_secret *s)
{
	if (s->password)
		return DIGEST_ALG_ALL;
	return (s->ha1_md5 ? DIGEST_ALG_MD5 : 0) | (s->ha1_sha256 ? DIGEST_ALG_SHA256 : 0);
}

static int expected_response(const struct digest *d, const struct digest_creds *c,
                             const char *method, const struct digest_secret *s, char *out)
{
	char ha1[EVP_MAX_MD_SIZE * 2 + 1], nc_hex[9];
	const char *stored = c->alg == DIGEST_ALG_SHA256 ? s->ha1_sha256 : s->ha1_md5;

	if (s->password) {
		int rc = digest_ha1(c->alg, c->username, d->realm, s->password, ha1);

		if (rc)
			return rc;
	} else {
		snprintf(ha1, sizeof(ha1), "%s", stored);
		for (char *p = ha1; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	snprintf(nc_hex, sizeof(nc_hex), "%08x", (unsigned)c->nc);
	return digest_response(c->alg, ha1, c->nonce, nc_hex, c->cnonce, "auth", method, c->uri,
	                       out);
}

/* SIPp 3.6 writes its digest uri over IPv6 as "sip:" REMOTE_IP ":" REMOTE_PORT with the address
 * unbracketed ("sip:::1:5060"). In host mode such a uri (no user, no bracket, two colons or
 * more after the scheme) is read as "sip:[address]:port", split at the last colon; anything else
 * is copied as it is. Reading it another way can only make it match nothing. */
static const char *sipp_v6_uri(const char *uri, char *buf, size_t len)
{
	const char *host = strncasecmp(uri, "sip:", 4) == 0 ? uri + 4 : NULL;
	const char *last;
	int n;

	if (!host || strpbrk(host, "@[;?") || !(last = strrchr(host, ':')) ||
	    !memchr(host, ':', (size_t)(last - host)))
		return uri;
	n = snprintf(buf, len, "sip:[%.*s]%s", (int)(last - host), host, last);
	return n > 0 && (size_t)n < len ? buf : uri;
}

bool digest_uri_matches(const char *digest_uri, const char *request_uri, enum digest_uri_check mode)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *a, *b;
	bool same;
	char v6[128];

	if (!digest_uri || !request_uri || !*digest_uri || !*request_uri)
		return false;
	if (strcmp(digest_uri, request_uri) == 0)
		return true;
	if (mode == DIGEST_URI_HOST)
		digest_uri = sipp_v6_uri(digest_uri, v6, sizeof(v6));
	/* RFC 3261 §19.1.4 as sofia-sip applies it: scheme, user, host (case-insensitive) and
	 * port (absent = the scheme's default) must agree; URI parameters may differ. "*" and
	 * unparsable URIs match nothing. */
	a = url_make(home, digest_uri);
	b = url_make(home, request_uri);
	if (a && b && mode == DIGEST_URI_HOST && !a->url_user)
		b->url_user = NULL;
	same = a && b && a->url_type > url_any && b->url_type > url_any && url_cmp(a, b) == 0;
	su_home_deinit(home);
	return same;
}

bool digest_nonce_ours(struct digest *d, const struct digest_creds *c, const char *source,
                       time_t now)
{
	struct nonce n;

	return strcmp(c->realm, d->realm) == 0 &&
	       nonce_check(d, c->alg, source, c->nonce, &n) == 0 &&
	       n.issued <= now + CLOCK_SKEW_S && now - n.issued < d->ttl;
}

const struct digest_secret *digest_decoy(const struct digest *d)
{
	return &d->decoy;
}

enum digest_result digest_verify(struct digest *d, const struct digest_creds *c,
                                 const struct digest_request *req,
                                 const struct digest_secret *secret, time_t now,
                                 unsigned *user_algs)
{
	char expect[EVP_MAX_MD_SIZE * 2 + 1];
	unsigned algs = secret_algs(secret);
	struct nonce n;

	if (user_algs)
		*user_algs = algs;
	if (strcmp(c->realm, d->realm) != 0)
		return DIGEST_WRONG_REALM;
	if (nonce_check(d, c->alg, req->source, c->nonce, &n) || n.issued > now + CLOCK_SKEW_S)
		return DIGEST_BAD_NONCE;
	if (!(algs & c->alg))
		return DIGEST_NO_SECRET_FOR_ALG;
	if (!digest_uri_matches(c->uri, req->uri, d->uri_check))
		return DIGEST_URI_MISMATCH;
	if (expected_response(d, c, req->method, secret, expect))
		return DIGEST_WRONG_PASSWORD;
	if (strlen(expect) != strlen(c->response) ||
	    CRYPTO_memcmp(expect, c->response, strlen(expect)) != 0)
		return DIGEST_WRONG_PASSWORD;
	if (now - n.issued >= d->ttl)
		return DIGEST_STALE;
	switch (nc_table_check(d->nc, n.mac, c->nc, n.issued, n.issued + d->ttl, now)) {
	case NC_OK:
		return DIGEST_OK;
	case NC_TOO_OLD:
		return DIGEST_STALE;
	case NC_REPLAY:
	default:
		return DIGEST_REPLAY;
	}
}
