/* digest.c: RFC 7616 §3.9.1 vectors, challenge shape, parsing, and every verification outcome
 * (nonce MAC, expiry, replay, realm, stored hashes). Time is passed in, so nothing sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"

#define T0  1700000000
#define SRC "192.0.2.10" /* where the challenges go and the answers come from */
/* A request to sip:example.com from SRC, as the answers below are computed for. */
#define REQ(method) ((struct digest_request){method, "sip:example.com", SRC})

/* RFC 7616 §3.9.1: the same request authenticated with MD5 and with SHA-256. */
static void test_rfc7616_vectors(void **state)
{
	static const char nonce[] = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	static const char cnonce[] = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	char ha1[65], resp[65];

	assert_int_equal(
	    digest_ha1(DIGEST_ALG_MD5, "Mufasa", "http-auth@example.org", "Circle of Life", ha1),
	    0);
	assert_int_equal(digest_response(DIGEST_ALG_MD5, ha1, nonce, "00000001", cnonce, "auth",
	                                 "GET", "/dir/index.html", resp),
	                 0);
	assert_string_equal(resp, "8ca523f5e9506fed4657c9700eebdbec");

	assert_int_equal(
	    digest_ha1(DIGEST_ALG_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life", ha1),
	    0);
	assert_int_equal(digest_response(DIGEST_ALG_SHA256, ha1, nonce, "00000001", cnonce, "auth",
	                                 "GET", "/dir/index.html", resp),
	                 0);
	assert_string_equal(resp,
	                    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

static struct digest *make(long ttl, time_t start)
{
	static const uint8_t secret[] = "0123456789abcdef0123456789abcdef";
	struct digest_cfg cfg = {
	    .realm = "example.com",
	    .secret = secret,
	    .secret_len = 32,
	    .nonce_ttl_s = ttl,
	    .prefs = {DIGEST_ALG_SHA256, DIGEST_ALG_MD5},
	    .n_prefs = 2,
	    .nc_table_size = 64,
	    .start = start,
	};
	struct digest *d = NULL;

	assert_int_equal(digest_new(&d, &cfg), 0);
	return d;
}

/* Extracts nonce="..." from a challenge value. */
static void nonce_of(const char *challenge, char *out, size_t len)
{
	const char *p = strstr(challenge, "nonce=\"");
	size_t n;

	assert_non_null(p);
	p += 7;
	n = strcspn(p, "\"");
	assert_true(n < len);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* A client's answer, as sofia's parser hands us the header parameters. */
struct answer {
	char buf[10][300];
	const char *params[11];
	struct digest_creds c;
};

static enum digest_result answer(struct answer *a, enum digest_alg alg, const char *user,
                                 const char *realm, const char *pass, const char *nonce,
                                 unsigned nc)
{
	char ha1[65], resp[65], nc_hex[9];

	snprintf(nc_hex, sizeof(nc_hex), "%08x", nc);
	digest_ha1(alg, user, realm, pass, ha1);
	digest_response(alg, ha1, nonce, nc_hex, "c0ffee", "auth", "REGISTER", "sip:example.com",
	                resp);
	snprintf(a->buf[0], 300, "username=\"%s\"", user);
	snprintf(a->buf[1], 300, "realm=\"%s\"", realm);
	snprintf(a->buf[2], 300, "nonce=\"%s\"", nonce);
	snprintf(a->buf[3], 300, "uri=\"sip:example.com\"");
	snprintf(a->buf[4], 300, "response=\"%s\"", resp);
	snprintf(a->buf[5], 300, "algorithm=%s", digest_alg_name(alg));
	snprintf(a->buf[6], 300, "cnonce=\"c0ffee\"");
	snprintf(a->buf[7], 300, "qop=auth");
	snprintf(a->buf[8], 300, "nc=%s", nc_hex);
	for (int i = 0; i < 9; i++)
		a->params[i] = a->buf[i];
	a->params[9] = NULL;
	return digest_parse("Digest", a->params, &a->c);
}

static void test_challenge_offers_sha256_then_md5(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_challenge ch;

	assert_int_equal(digest_challenge(d, false, false, DIGEST_ALG_ALL, SRC, T0, &ch), 0);
	assert_int_equal(ch.status, 401);
	assert_string_equal(ch.header, "WWW-Authenticate");
	assert_int_equal(ch.n, 2);
	assert_non_null(strstr(ch.value[0], "algorithm=SHA-256"));
	assert_non_null(strstr(ch.value[1], "algorithm=MD5"));
	assert_non_null(strstr(ch.value[0], "realm=\"example.com\""));
	assert_non_null(strstr(ch.value[0], "qop=\"auth\""));
	assert_null(strstr(ch.value[0], "stale"));

	assert_int_equal(digest_challenge(d, true, true, DIGEST_ALG_MD5, SRC, T0, &ch), 0);
	assert_int_equal(ch.status, 407);
	assert_string_equal(ch.header, "Proxy-Authenticate");
	assert_int_equal(ch.n, 1);
	assert_non_null(strstr(ch.value[0], "algorithm=MD5"));
	assert_non_null(strstr(ch.value[0], "stale=true"));
	digest_free(d);
}

static void test_verify_ok_both_algorithms(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_ALL, SRC, T0, &ch);
	for (size_t i = 0; i < 2; i++) {
		enum digest_alg alg = i == 0 ? DIGEST_ALG_SHA256 : DIGEST_ALG_MD5;

		nonce_of(ch.value[i], nonce, sizeof(nonce));
		assert_int_equal(answer(&a, alg, "1000", "example.com", "s3cret", nonce, 1),
		                 DIGEST_OK);
		assert_int_equal(a.c.alg, alg);
		assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 1, NULL),
		                 DIGEST_OK);
	}
	digest_free(d);
}

static void test_wrong_password_and_method(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "guess", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL),
	                 DIGEST_WRONG_PASSWORD);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	/* The response covers the method: an INVITE cannot reuse a REGISTER's answer. */
	assert_int_equal(digest_verify(d, &a.c, &REQ("INVITE"), &pw, T0, NULL),
	                 DIGEST_WRONG_PASSWORD);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_OK);
	digest_free(d);
}

static void test_stale_nonce(void **state)
{
	struct digest *d = make(30, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 30, NULL),
	                 DIGEST_STALE);
	/* Stale is only said to a client that knew the password. */
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "guess", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 30, NULL),
	                 DIGEST_WRONG_PASSWORD);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 29, NULL), DIGEST_OK);
	digest_free(d);
}

static void test_tampered_and_foreign_nonces(void **state)
{
	struct digest *d = make(300, T0), *other;
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_ALL, SRC, T0, &ch);
	nonce_of(ch.value[1], nonce, sizeof(nonce)); /* the MD5 one */
	/* An MD5 nonce answered with SHA-256: the MAC binds the algorithm. */
	answer(&a, DIGEST_ALG_SHA256, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_BAD_NONCE);
	/* One flipped character. */
	nonce[5] = nonce[5] == 'A' ? 'B' : 'A';
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_BAD_NONCE);
	/* Garbage and a truncated nonce. */
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", "abc", 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_BAD_NONCE);
	/* A node with another secret. */
	{
		static const uint8_t s2[] = "another-secret-of-32-bytes-long!";
		struct digest_cfg cfg = {.realm = "example.com",
		                         .secret = s2,
		                         .secret_len = 32,
		                         .nonce_ttl_s = 300,
		                         .prefs = {DIGEST_ALG_MD5},
		                         .n_prefs = 1,
		                         .start = T0};

		assert_int_equal(digest_new(&other, &cfg), 0);
	}
	digest_challenge(other, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_BAD_NONCE);
	assert_int_equal(digest_verify(other, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_OK);
	digest_free(other);
	digest_free(d);
}

static void test_nc_replay(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_OK);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_REPLAY);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 3);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 1, NULL), DIGEST_OK);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 2);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 1, NULL),
	                 DIGEST_REPLAY);
	/* A wrong guess does not move the counter. */
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "guess", nonce, 9);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 1, NULL),
	                 DIGEST_WRONG_PASSWORD);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 4);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0 + 1, NULL), DIGEST_OK);
	digest_free(d);
}

/* After a restart the node cannot know which counts were used: older nonces are stale. */
static void test_nonce_from_before_start_is_stale(void **state)
{
	struct digest *before = make(300, T0), *after = make(300, T0 + 100);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(before, false, false, DIGEST_ALG_MD5, SRC, T0 + 50, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(after, &a.c, &REQ("REGISTER"), &pw, T0 + 120, NULL),
	                 DIGEST_STALE);
	digest_free(before);
	digest_free(after);
}

static void test_realm_and_stored_hashes(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_challenge ch;
	struct answer a;
	char nonce[128], ha1[65];
	struct digest_secret md5only = {.ha1_md5 = ha1};
	unsigned algs = 0;

	digest_ha1(DIGEST_ALG_MD5, "1000", "example.com", "s3cret", ha1);
	digest_challenge(d, false, false, DIGEST_ALG_ALL, SRC, T0, &ch);
	nonce_of(ch.value[1], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &md5only, T0, &algs), DIGEST_OK);
	assert_int_equal(algs, DIGEST_ALG_MD5);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_SHA256, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &md5only, T0, &algs),
	                 DIGEST_NO_SECRET_FOR_ALG);
	answer(&a, DIGEST_ALG_SHA256, "1000", "other.org", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &md5only, T0, NULL),
	                 DIGEST_WRONG_REALM);
	digest_free(d);
}

static void test_parse_rejects(void **state)
{
	struct digest_creds c;
	const char *no_qop[] = {"username=\"1\"",
	                        "realm=\"r\"",
	                        "nonce=\"n\"",
	                        "uri=\"sip:r\"",
	                        "response=\"0123456789abcdef0123456789abcdef\"",
	                        NULL};
	const char *bad_nc[] = {"username=\"1\"",
	                        "realm=\"r\"",
	                        "nonce=\"n\"",
	                        "uri=\"sip:r\"",
	                        "response=\"0123456789abcdef0123456789abcdef\"",
	                        "qop=auth",
	                        "cnonce=\"x\"",
	                        "nc=zz",
	                        NULL};
	const char *sess[] = {"username=\"1\"", "algorithm=MD5-sess", NULL};
	const char *no_user[] = {"realm=\"r\"", NULL};
	const char *empty[] = {NULL};

	assert_int_equal(digest_parse("Digest", no_qop, &c), DIGEST_MALFORMED);
	assert_string_equal(c.username, "1");
	assert_int_equal(digest_parse("Digest", bad_nc, &c), DIGEST_MALFORMED);
	assert_int_equal(digest_parse("Digest", sess, &c), DIGEST_BAD_ALGORITHM);
	assert_int_equal(digest_parse("Digest", no_user, &c), DIGEST_MALFORMED);
	assert_int_equal(digest_parse("Digest", empty, &c), DIGEST_MALFORMED);
	assert_int_equal(digest_parse("Basic", empty, &c), DIGEST_BAD_ALGORITHM);
	assert_int_equal(digest_parse("Digest", NULL, &c), DIGEST_MALFORMED);
}

static void test_parse_algorithms(void **state)
{
	enum digest_alg p[2];
	size_t n;

	assert_int_equal(digest_parse_algorithms("SHA-256, MD5", p, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0], DIGEST_ALG_SHA256);
	assert_int_equal(digest_parse_algorithms("md5", p, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], DIGEST_ALG_MD5);
	assert_int_equal(digest_parse_algorithms("MD5, MD5", p, &n), -EINVAL);
	assert_int_equal(digest_parse_algorithms("SHA-512-256", p, &n), -EINVAL);
	assert_int_equal(digest_parse_algorithms("", p, &n), -EINVAL);
}

/* A nonce is good only from the address it was sent to: a forged packet from someone else's
 * address carries no nonce of ours, so it can never count as that address's failure. */
static void test_nonce_bound_to_source(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_request elsewhere = {"REGISTER", "sip:example.com", "192.0.2.99"};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	digest_challenge(d, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "guess", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &elsewhere, &pw, T0, NULL), DIGEST_BAD_NONCE);
	assert_false(digest_nonce_ours(d, &a.c, "192.0.2.99", T0));
	assert_true(digest_nonce_ours(d, &a.c, SRC, T0));
	assert_false(digest_nonce_ours(d, &a.c, SRC, T0 + 300)); /* expired */
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL),
	                 DIGEST_WRONG_PASSWORD);
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &elsewhere, &pw, T0, NULL), DIGEST_BAD_NONCE);
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_OK);
	/* A made-up nonce is nobody's. */
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "guess",
	       "bm90IGEgbm9uY2Ugb2Ygb3Vycw==", 1);
	assert_false(digest_nonce_ours(d, &a.c, SRC, T0));
	assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), &pw, T0, NULL), DIGEST_BAD_NONCE);
	digest_free(d);
}

/* The digest uri must name the Request-URI (RFC 3261 §22.4, RFC 7616 §3.4.6): credentials
 * captured for one request cannot be sent with another Request-URI. */
static void test_uri_compared_with_request_uri(void **state)
{
	struct digest *d = make(300, T0);
	struct digest_secret pw = {.password = "s3cret"};
	struct digest_request other = {"REGISTER", "sip:attacker.example", SRC};
	struct digest_request equivalent = {"REGISTER", "sip:EXAMPLE.COM;transport=udp", SRC};
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	assert_true(digest_uri_matches("sip:example.com", "sip:example.com", DIGEST_URI_STRICT));
	assert_true(digest_uri_matches("sip:example.com", "sip:Example.COM", DIGEST_URI_STRICT));
	/* An IP host's missing port is the default one; a name's is not (it means an SRV lookup,
	 * RFC 3261 §19.1.4). */
	assert_true(digest_uri_matches("sip:192.0.2.1", "sip:192.0.2.1:5060", DIGEST_URI_STRICT));
	assert_false(
	    digest_uri_matches("sip:example.com", "sip:example.com:5060", DIGEST_URI_STRICT));
	assert_true(digest_uri_matches("sip:1000@10.0.0.1:5080",
	                               "sip:1000@10.0.0.1:5080;user=phone", DIGEST_URI_STRICT));
	assert_true(digest_uri_matches("sips:10.0.0.1", "sips:10.0.0.1:5061", DIGEST_URI_STRICT));
	assert_false(
	    digest_uri_matches("sip:example.com", "sip:example.com:5070", DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("sip:example.com", "sips:example.com", DIGEST_URI_STRICT));
	assert_false(
	    digest_uri_matches("sip:1000@example.com", "sip:1001@example.com", DIGEST_URI_STRICT));
	assert_false(
	    digest_uri_matches("sip:1000@example.com", "sip:example.com", DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("sip:example.org", "sip:example.com", DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("*", "sip:example.com", DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("", "sip:example.com", DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("sip:example.com", NULL, DIGEST_URI_STRICT));
	assert_false(digest_uri_matches("not a uri", "sip:example.com", DIGEST_URI_STRICT));
	/* SIPp 3.6 over IPv6: the address unbracketed; host mode reads it bracketed. */
	assert_true(digest_uri_matches("sip:::1:5080", "sip:1001@[::1]:5080", DIGEST_URI_HOST));
	assert_true(
	    digest_uri_matches("sip:2001:db8::7:5080", "sip:[2001:db8::7]:5080", DIGEST_URI_HOST));
	assert_false(digest_uri_matches("sip:::1:5081", "sip:1001@[::1]:5080", DIGEST_URI_HOST));
	assert_false(digest_uri_matches("sip:::1:5080", "sip:1001@[::2]:5080", DIGEST_URI_HOST));
	assert_false(digest_uri_matches("sip:::1:5080", "sip:1001@[::1]:5080", DIGEST_URI_STRICT));
	assert_false(
	    digest_uri_matches("sip:1001@::1:5080", "sip:1001@[::1]:5080", DIGEST_URI_HOST));
	assert_true(digest_uri_matches("sip:[::1]:5080", "sip:1001@[::1]:5080", DIGEST_URI_HOST));
	/* SIPp's uri: the Request-URI's host and port without the user. Only in host mode. */
	assert_false(
	    digest_uri_matches("sip:10.0.0.1:5080", "sip:1001@10.0.0.1:5080", DIGEST_URI_STRICT));
	assert_true(
	    digest_uri_matches("sip:10.0.0.1:5080", "sip:1001@10.0.0.1:5080", DIGEST_URI_HOST));
	assert_false(
	    digest_uri_matches("sip:10.0.0.1:5081", "sip:1001@10.0.0.1:5080", DIGEST_URI_HOST));
	assert_false(digest_uri_matches("sip:1002@10.0.0.1:5080", "sip:1001@10.0.0.1:5080",
	                                DIGEST_URI_HOST));

	digest_challenge(d, false, false, DIGEST_ALG_MD5, SRC, T0, &ch);
	nonce_of(ch.value[0], nonce, sizeof(nonce));
	answer(&a, DIGEST_ALG_MD5, "1000", "example.com", "s3cret", nonce, 1);
	assert_int_equal(digest_verify(d, &a.c, &other, &pw, T0, NULL), DIGEST_URI_MISMATCH);
	assert_int_equal(digest_verify(d, &a.c, &equivalent, &pw, T0, NULL), DIGEST_OK);
	digest_free(d);
}

/* Users that do not exist are verified against the decoy: a wrong password, whatever is sent. */
static void test_decoy_is_a_wrong_password(void **state)
{
	struct digest *d = make(300, T0);
	const struct digest_secret *decoy = digest_decoy(d);
	struct digest_challenge ch;
	struct answer a;
	char nonce[128];

	assert_non_null(decoy->password);
	assert_true(strlen(decoy->password) >= 16);
	digest_challenge(d, false, false, DIGEST_ALG_ALL, SRC, T0, &ch);
	for (size_t i = 0; i < 2; i++) {
		enum digest_alg alg = i == 0 ? DIGEST_ALG_SHA256 : DIGEST_ALG_MD5;

		nonce_of(ch.value[i], nonce, sizeof(nonce));
		answer(&a, alg, "nobody", "example.com", "1234", nonce, 1);
		assert_int_equal(digest_verify(d, &a.c, &REQ("REGISTER"), decoy, T0, NULL),
		                 DIGEST_WRONG_PASSWORD);
	}
	digest_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc7616_vectors),
	    cmocka_unit_test(test_challenge_offers_sha256_then_md5),
	    cmocka_unit_test(test_verify_ok_both_algorithms),
	    cmocka_unit_test(test_wrong_password_and_method),
	    cmocka_unit_test(test_stale_nonce),
	    cmocka_unit_test(test_tampered_and_foreign_nonces),
	    cmocka_unit_test(test_nc_replay),
	    cmocka_unit_test(test_nonce_from_before_start_is_stale),
	    cmocka_unit_test(test_realm_and_stored_hashes),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_parse_algorithms),
	    cmocka_unit_test(test_nonce_bound_to_source),
	    cmocka_unit_test(test_uri_compared_with_request_uri),
	    cmocka_unit_test(test_decoy_is_a_wrong_password),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
