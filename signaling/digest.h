/* HTTP Digest for SIP (RFC 7616, RFC 8760 algorithms, RFC 3261 §22): challenges, response
 * computation and verification with OpenSSL, MD5 and SHA-256, qop=auth only.
 *
 * Nonces are stateless: base64(issue time | random | HMAC-SHA256(secret, algorithm, realm, source
 * address, time, random)), so any node holding the same secret accepts them and no nonce needs
 * storing, and a nonce answered from another address than it was sent to is not ours. Replays
 * are caught by a bounded per-node table of the highest nc seen per nonce (nc_table.h); a nonce
 * this node cannot vouch for (issued before it started) is answered as stale. Used for REGISTER
 * (401, WWW-Authenticate) and for INVITE (407, Proxy-Authenticate). Single-threaded. Named
 * digest_ because sofia-sip owns the auth_ prefix. */
#ifndef SIGNALD_DIGEST_H
#define SIGNALD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum digest_alg {
	DIGEST_ALG_MD5 = 1 << 0,
	DIGEST_ALG_SHA256 = 1 << 1,
};
#define DIGEST_ALG_ALL (DIGEST_ALG_MD5 | DIGEST_ALG_SHA256)

struct digest;

/* How the digest uri parameter must name the Request-URI. */
enum digest_uri_check {
	DIGEST_URI_STRICT, /* the same URI (RFC 3261 §19.1.4 equivalence, parameters aside) */
	DIGEST_URI_HOST,   /* or one without a user part naming the same scheme, host and port:
	                      what SIPp sends ("sip:HOST:PORT") */
};

struct digest_cfg {
	const char *realm;        /* copied */
	const uint8_t *secret;    /* copied; the HMAC key for nonces */
	size_t secret_len;        /* >= 16 */
	long nonce_ttl_s;         /* a nonce is fresh this long after it was issued */
	enum digest_alg prefs[2]; /* offered algorithms, most preferred first */
	size_t n_prefs;           /* 1 or 2 */
	size_t nc_table_size;     /* nonces tracked for replay at once */
	time_t start;             /* nonces issued before this are stale (restart) */
	enum digest_uri_check uri_check;
};

int digest_new(struct digest **out, const struct digest_cfg *cfg);
void digest_free(struct digest *d);
const char *digest_realm(const struct digest *d);

/* Parses "SHA-256, MD5" (any order, case-insensitive) into prefs. Returns 0 or -EINVAL. */
int digest_parse_algorithms(const char *list, enum digest_alg prefs[2], size_t *n);
const char *digest_alg_name(enum digest_alg alg);

/* The algorithms given at digest_new, most preferred first, into prefs. Returns how many. */
size_t digest_default_algs(const struct digest *d, enum digest_alg prefs[2]);

/* ---- challenge ---- */

#define DIGEST_CHALLENGE_LEN 256

struct digest_challenge {
	int status;         /* 401 or 407 */
	const char *phrase; /* "Unauthorized" / "Proxy Authentication Required" */
	const char *header; /* "WWW-Authenticate" / "Proxy-Authenticate" */
	size_t n;           /* values, most preferred first: add one header per value */
	char value[2][DIGEST_CHALLENGE_LEN];
};

/* Fills out with one fresh challenge per offered algorithm within allowed (a mask of
 * enum digest_alg; DIGEST_ALG_ALL normally). proxy selects 407/Proxy-Authenticate (INVITE) over
 * 401/WWW-Authenticate (REGISTER). stale adds stale=true. source is the network address the
 * challenge is sent to (text, as the transport reports it): the nonce is valid only when
 * answered from there. Returns 0, or -EINVAL when allowed leaves nothing to offer. */
int digest_challenge(struct digest *d, bool proxy, bool stale, unsigned allowed, const char *source,
                     time_t now, struct digest_challenge *out);

/* As digest_challenge, offering prefs[0..n) (n <= 2, e.g. a user's own list) in that order
 * instead of the list given at digest_new. */
int digest_challenge_algs(struct digest *d, bool proxy, bool stale, const enum digest_alg *prefs,
                          size_t n, unsigned allowed, const char *source, time_t now,
                          struct digest_challenge *out);

/* ---- credentials ---- */

#define DIGEST_FIELD_LEN 256

/* One Authorization / Proxy-Authorization header, unquoted. */
struct digest_creds {
	char username[DIGEST_FIELD_LEN];
	char realm[DIGEST_FIELD_LEN];
	char nonce[DIGEST_FIELD_LEN];
	char uri[DIGEST_FIELD_LEN];
	char response[DIGEST_FIELD_LEN];
	char cnonce[DIGEST_FIELD_LEN];
	char algorithm[32]; /* as sent; "MD5" when absent */
	enum digest_alg alg;
	uint32_t nc;
};

enum digest_result {
	DIGEST_OK,                /* credentials good: let the request through */
	DIGEST_MALFORMED,         /* a field missing or unparsable: 400 */
	DIGEST_BAD_ALGORITHM,     /* an algorithm we do not offer: challenge again */
	DIGEST_WRONG_REALM,       /* credentials for another realm: challenge */
	DIGEST_BAD_NONCE,         /* not a nonce of ours (forged, other secret): challenge */
	DIGEST_WRONG_PASSWORD,    /* response does not match: challenge, count a failure */
	DIGEST_STALE,             /* right response, nonce too old: challenge with stale=true */
	DIGEST_REPLAY,            /* right response, nc not increasing: challenge with stale=true */
	DIGEST_NO_SECRET_FOR_ALG, /* the user's stored hash is for another algorithm: challenge
	                             with the algorithms the user has */
	DIGEST_URI_MISMATCH       /* the uri parameter names another Request-URI: challenge,
	                             count a failure */
};

const char *digest_result_name(enum digest_result r);

/* Reads one header's parameters (sofia's msg_param_t list: "name=value" strings, NULL-ended;
 * au_params of a msg_auth_t) into out. scheme must be "Digest". Returns DIGEST_OK,
 * DIGEST_MALFORMED (out->username may still name the user for logging) or
 * DIGEST_BAD_ALGORITHM. */
enum digest_result digest_parse(const char *scheme, const char *const *params,
                                struct digest_creds *out);

/* What the directory knows of the user: a password, or precomputed HA1 hex strings. */
struct digest_secret {
	const char *password;   /* NULL if only hashes are known */
	const char *ha1_md5;    /* hex MD5(user:realm:password) (FreeSWITCH "a1-hash") or NULL */
	const char *ha1_sha256; /* hex SHA-256(user:realm:password) or NULL */
};

/* The request the credentials came with. Strings borrowed for the call. */
struct digest_request {
	const char *method; /* "REGISTER", "INVITE" */
	const char *uri;    /* the Request-URI as received */
	const char *source; /* network source address, as given to digest_challenge */
};

/* Verifies parsed credentials for a request. Checks, in order: realm, nonce MAC (which binds
 * the source address), the uri parameter against the Request-URI, response, nonce age, nc
 * replay. Only a fully good request updates the nc table. A result other than DIGEST_OK,
 * DIGEST_BAD_NONCE and DIGEST_WRONG_REALM means the client answered a challenge we sent to that
 * source. *user_algs (may be NULL) receives the algorithms the user's secret supports. */
enum digest_result digest_verify(struct digest *d, const struct digest_creds *c,
                                 const struct digest_request *req,
                                 const struct digest_secret *secret, time_t now,
                                 unsigned *user_algs);

/* True when c carries a fresh nonce of ours issued to source (one HMAC, no password check). */
bool digest_nonce_ours(struct digest *d, const struct digest_creds *c, const char *source,
                       time_t now);

/* A secret no client knows (random per process), to verify credentials of a user that does not
 * exist: they then take the same path, answer and time as a wrong password, so replies do not
 * reveal which users exist. */
const struct digest_secret *digest_decoy(const struct digest *d);

/* True when the digest uri parameter and the Request-URI name the same resource: equal text, or
 * equal scheme, user, host (case-insensitive) and port (absent = the default for an IP
 * address), parameters aside. DIGEST_URI_HOST also accepts a digest uri without a user part. */
bool digest_uri_matches(const char *digest_uri, const char *request_uri,
                        enum digest_uri_check mode);

/* Drops replay-table entries of expired nonces; call from a timer. */
void digest_expire(struct digest *d, time_t now);

/* ---- primitives (exposed for tests and for clients such as outbound registration) ---- */

/* Hex H(data) into out (33 bytes for MD5, 65 for SHA-256). Returns 0 or -EIO. */
int digest_hash_hex(enum digest_alg alg, const char *data, size_t len, char *out);

/* RFC 7616 §3.4.1 response for qop=auth with ha1 (hex) given. out as for digest_hash_hex. */
int digest_response(enum digest_alg alg, const char *ha1, const char *nonce, const char *nc_hex,
                    const char *cnonce, const char *qop, const char *method, const char *uri,
                    char *out);

/* HA1 = H(user:realm:password) in hex. */
int digest_ha1(enum digest_alg alg, const char *user, const char *realm, const char *password,
               char *out);

#endif
