/* Digest credentials (signaling/digest.c): an Authorization header value parsed by sofia-sip,
 * then digest_parse() and digest_verify() twice (the second time as a replay).
 *
 * Input: one flag byte, then the header value. So that verification gets past the nonce MAC and
 * the response check, the text NONCE is replaced by a nonce this digest issued, and a response of
 * RESPONSE (all 'f' once parsed) by the right one for the parsed fields. Flags: bit 0 INVITE (else
 * REGISTER), bit 1 the user has only stored hashes (else a password), bits 2-3 the clock (fresh,
 * stale, skewed into the past, far future). */
#include <stdlib.h>
#include <time.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "digest.h"
#include "fuzz_util.h"

#define T0  1700000000
#define TTL 300

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

/* The nonce of a challenge value: Digest realm="...", nonce="X", ... */
static void nonce_of(const char *challenge, char *out, size_t len)
{
	const char *p = strstr(challenge, "nonce=\"");
	const char *q = p ? strchr(p + 7, '"') : NULL;

	snprintf(out, len, "%.*s", p && q ? (int)(q - p - 7) : 0, p ? p + 7 : "");
}

/* text with every word replaced by with; malloc'ed. */
static char *replace(const char *text, const char *word, const char *with)
{
	size_t n = 0, nl = strlen(with), wl = strlen(word);
	char *out, *o;

	for (const char *p = text; (p = strstr(p, word)); p += wl)
		n++;
	out = malloc(strlen(text) + n * nl + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = text, *q; *p; p = q + wl) {
		q = strstr(p, word);
		if (!q) {
			strcpy(o, p);
			return out;
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, with, nl);
		o += nl;
	}
	*o = '\0';
	return out;
}

#define SRC "192.0.2.7" /* the address challenges are sent to */

static void verify(struct digest *dg, const msg_auth_t *au, const char *method,
                   const struct digest_secret *secret, time_t now)
{
	struct digest_creds c;
	unsigned algs;

	if (digest_parse(au->au_scheme, au->au_params, &c) != DIGEST_OK)
		return;
	if (strspn(c.response, "f") == strlen(c.response)) { /* RESPONSE */
		char ha1[80], nc_hex[9];

		if (digest_ha1(c.alg, c.username, c.realm, "s3cret", ha1))
			return;
		snprintf(nc_hex, sizeof(nc_hex), "%08x", (unsigned)c.nc);
		if (digest_response(c.alg, ha1, c.nonce, nc_hex, c.cnonce, "auth", method, c.uri,
		                    c.response))
			return;
	}
	/* As sent (the digest uri names the Request-URI), again (a replay), then for another
	 * Request-URI and from another address. */
	digest_verify(dg, &c, &(struct digest_request){method, c.uri, SRC}, secret, now, &algs);
	digest_verify(dg, &c, &(struct digest_request){method, c.uri, SRC}, secret, now, &algs);
	digest_verify(dg, &c, &(struct digest_request){method, "sip:1001@example.org", "192.0.2.8"},
	              secret, now, &algs);
	digest_expire(dg, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = "fuzzing-secret-fuzzing-secret!!";
	static const time_t skew[4] = {10, TTL + 1, -3600, 1L << 40};
	struct digest_cfg cfg = {.realm = "example.org",
	                         .secret = key,
	                         .secret_len = sizeof(key),
	                         .nonce_ttl_s = TTL,
	                         .prefs = {DIGEST_ALG_SHA256, DIGEST_ALG_MD5},
	                         .n_prefs = 2,
	                         .nc_table_size = 8,
	                         .start = T0 - 1000};
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct digest_challenge ch;
	struct digest *dg = NULL;
	struct digest_secret secret = {0};
	char ha1_md5[40], ha1_sha[80], nonce[2][DIGEST_CHALLENGE_LEN];
	char *text = NULL, *t1 = NULL, *t2 = NULL, fs[65];
	const char *method;
	msg_auth_t *au;
	uint8_t flags;

	if (size < 1 || size > 8192)
		return 0;
	flags = data[0];
	method = flags & 1 ? "INVITE" : "REGISTER";
	if (digest_new(&dg, &cfg) ||
	    digest_challenge(dg, flags & 1, false, DIGEST_ALG_ALL, SRC, T0, &ch))
		goto out;
	nonce_of(ch.value[0], nonce[0], sizeof(nonce[0]));
	nonce_of(ch.value[1], nonce[1], sizeof(nonce[1]));
	if (flags & 2) {
		digest_ha1(DIGEST_ALG_MD5, "1000", "example.org", "s3cret", ha1_md5);
		digest_ha1(DIGEST_ALG_SHA256, "1000", "example.org", "s3cret", ha1_sha);
		secret.ha1_md5 = ha1_md5;
		secret.ha1_sha256 = ha1_sha;
	} else {
		secret.password = "s3cret";
	}
	text = fuzz_strndup(data + 1, size - 1);
	/* SHA-256 is offered first; a header naming MD5 gets the MD5 nonce. */
	t1 = text ? replace(text, "NONCE", nonce[strstr(text, "MD5") ? 1 : 0]) : NULL;
	memset(fs, 'f', 64);
	fs[t1 && strstr(t1, "SHA-256") ? 64 : 32] = '\0';
	t2 = t1 ? replace(t1, "RESPONSE", fs) : NULL;
	if (!t2)
		goto out;
	au = sip_authorization_make(home, t2);
	if (au)
		verify(dg, au, method, &secret, T0 + skew[(flags >> 2) & 3]);
	/* The same text as sofia reads it in a Proxy-Authorization header. */
	au = sip_proxy_authorization_make(home, t2);
	if (au)
		verify(dg, au, method, &secret, T0);
out:
	free(t2);
	free(t1);
	free(text);
	digest_free(dg);
	su_home_deinit(home);
	return 0;
}
