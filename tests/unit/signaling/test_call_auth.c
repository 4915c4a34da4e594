/* call_auth.c with real parts (directory file, digest, two failbans) on INVITEs parsed by
 * sofia-sip: an unknown caller is answered like a wrong password, only answers to a challenge
 * sent to the same address count as failures, the digest uri must be the Request-URI, a
 * throttled account is not even checked, and only a nonce of ours lets an INVITE skip shedding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "call_auth.h"
#include "directory.h"
#include "failban.h"

#define T0     1700000000
#define DOMAIN "example.com"
#define SRC    "192.0.2.1"

struct fx {
	char dir[64];
	struct directory *directory;
	struct digest *dg;
	struct failban *fb, *accounts;
	struct call_auth_deps deps;
	msg_t *msg;
	struct call_auth_result r;
};

static int setup(void **state)
{
	static const uint8_t secret[] = "unit-test-secret-0123456789abcdef";
	struct fx *f = calloc(1, sizeof(*f));
	char path[128], err[256];
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-ca.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/users.xml", f->dir);
	fp = fopen(path, "w");
	fputs("<include><domain name=\"example.com\"><users>"
	      "<user id=\"1000\"><params><param name=\"password\" value=\"1234\"/></params></user>"
	      "<user id=\"1001\"><params><param name=\"password\" value=\"1234\"/></params></user>"
	      "</users></domain></include>",
	      fp);
	fclose(fp);
	assert_int_equal(directory_load(&f->directory, path, DOMAIN, err, sizeof(err)), 0);
	struct digest_cfg dc = {.realm = DOMAIN,
	                        .secret = secret,
	                        .secret_len = 32,
	                        .nonce_ttl_s = 60,
	                        .prefs = {DIGEST_ALG_MD5},
	                        .n_prefs = 1,
	                        .nc_table_size = 100,
	                        .start = T0 - 10};
	assert_int_equal(digest_new(&f->dg, &dc), 0);
	struct failban_cfg fc = {.max_failures = 3, .window_s = 60, .ban_s = 300, .capacity = 64};
	assert_int_equal(failban_new(&f->fb, &fc), 0);
	struct failban_cfg ac = {.max_failures = 5, .window_s = 60, .ban_s = 120, .capacity = 64};
	assert_int_equal(failban_new(&f->accounts, &ac), 0);
	f->deps = (struct call_auth_deps){.dg = f->dg,
	                                  .dir = f->directory,
	                                  .fb = f->fb,
	                                  .accounts = f->accounts,
	                                  .domain = DOMAIN};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	if (f->msg)
		msg_destroy(f->msg);
	failban_free(f->fb);
	failban_free(f->accounts);
	digest_free(f->dg);
	directory_free(f->directory);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The nonce of the last challenge. */
static void last_nonce(struct fx *f, char *out, size_t len)
{
	const char *p = strstr(f->r.challenge.value[0], "nonce=\"");
	size_t n;

	assert_non_null(p);
	p += 7;
	n = strcspn(p, "\"");
	assert_true(n < len);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Checks an INVITE from `from` to 1001 at now, from src. With nonce: a Proxy-Authorization of
 * user/pass over digest uri `uri` (NULL: the Request-URI). */
static void invite(struct fx *f, const char *src, const char *from, const char *user,
                   const char *pass, const char *nonce, const char *uri, time_t now)
{
	static const char ruri[] = "sip:1001@" DOMAIN;
	char text[2048], auth[1024] = "", ha1[65], resp[65];

	if (nonce) {
		uri = uri ? uri : ruri;
		digest_ha1(DIGEST_ALG_MD5, user, DOMAIN, pass, ha1);
		digest_response(DIGEST_ALG_MD5, ha1, nonce, "00000001", "abc", "auth", "INVITE",
		                uri, resp);
		snprintf(auth, sizeof(auth),
		         "Proxy-Authorization: Digest username=\"%s\", realm=\"" DOMAIN
		         "\", nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=MD5, qop=auth, "
		         "nc=00000001, cnonce=\"abc\"\r\n",
		         user, nonce, uri, resp);
	}
	snprintf(text, sizeof(text),
	         "INVITE %s SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK1\r\n"
	         "From: <sip:%s@" DOMAIN ">;tag=a\r\n"
	         "To: <sip:1001@" DOMAIN ">\r\n"
	         "Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n%s"
	         "Content-Length: 0\r\n\r\n",
	         ruri, src, from, auth);
	if (f->msg)
		msg_destroy(f->msg);
	f->msg = msg_make(sip_default_mclass(), 0, text, (ssize_t)strlen(text));
	assert_non_null(f->msg);
	call_auth_check(&f->deps, sip_object(f->msg), "INVITE", src, now, &f->r);
}

/* A challenge for src, then its answer; leaves the result in f->r. */
static void attempt(struct fx *f, const char *src, const char *user, const char *pass, time_t now)
{
	char nonce[128];

	invite(f, src, user, NULL, NULL, NULL, NULL, now);
	assert_int_equal(f->r.status, 407);
	last_nonce(f, nonce, sizeof(nonce));
	invite(f, src, user, user, pass, nonce, NULL, now);
}

static void test_good_credentials(void **state)
{
	struct fx *f = *state;

	attempt(f, SRC, "1000", "1234", T0);
	assert_true(f->r.ok);
	assert_string_equal(f->r.user, "1000");
}

/* The same 407 for a caller that does not exist and one with a wrong password, up to the same
 * ban. */
static void test_unknown_caller_like_wrong_password(void **state)
{
	struct fx *f = *state;

	for (int i = 0; i < 3; i++) {
		/* The failure that bans is still answered with a challenge; the ban shows next. */
		attempt(f, "192.0.2.10", "1000", "guess", T0);
		assert_int_equal(f->r.status, 407);
		assert_string_equal(f->r.phrase, "Proxy Authentication Required");
		attempt(f, "192.0.2.11", "4242", "guess", T0);
		assert_int_equal(f->r.status, 407);
		assert_string_equal(f->r.phrase, "Proxy Authentication Required");
		assert_int_equal(f->r.challenge.n, 1);
	}
	invite(f, "192.0.2.10", "1000", NULL, NULL, NULL, NULL, T0);
	assert_int_equal(f->r.status, 403);
	invite(f, "192.0.2.11", "4242", NULL, NULL, NULL, NULL, T0);
	assert_int_equal(f->r.status, 403);
}

/* Made-up nonces, another address's nonce and credentials naming someone else count against
 * nobody. */
static void test_forgeries_never_ban(void **state)
{
	struct fx *f = *state;
	char nonce[128];

	for (int i = 0; i < 10; i++) {
		invite(f, SRC, i % 2 ? "1000" : "4242", i % 2 ? "1000" : "4242", "x",
		       "AAAAAGVTAAAbm90IG91cnMgYXQgYWxsISEhIQ==", NULL, T0);
		assert_int_equal(f->r.status, 407);
	}
	invite(f, "192.0.2.77", "1000", NULL, NULL, NULL, NULL, T0);
	last_nonce(f, nonce, sizeof(nonce));
	for (int i = 0; i < 10; i++) {
		invite(f, SRC, "1000", "1000", "guess", nonce, NULL, T0);
		assert_int_equal(f->r.status, 407);
	}
	invite(f, SRC, "1000", NULL, NULL, NULL, NULL, T0);
	last_nonce(f, nonce, sizeof(nonce));
	for (int i = 0; i < 10; i++) {
		invite(f, SRC, "1000", "1001", "guess", nonce, NULL, T0);
		assert_int_equal(f->r.status, 403);
	}
	assert_false(failban_banned(f->fb, SRC, T0, NULL));
	attempt(f, SRC, "1000", "1234", T0);
	assert_true(f->r.ok);
}

/* Right password, digest uri of another request: a failure. */
static void test_uri_mismatch(void **state)
{
	struct fx *f = *state;
	char nonce[128];

	for (int i = 0; i < 3; i++) {
		invite(f, SRC, "1000", NULL, NULL, NULL, NULL, T0);
		last_nonce(f, nonce, sizeof(nonce));
		invite(f, SRC, "1000", "1000", "1234", nonce, "sip:1900555@" DOMAIN, T0);
		assert_false(f->r.ok);
		assert_int_equal(f->r.status, 407);
	}
	assert_true(failban_banned(f->fb, SRC, T0, NULL));
}

/* Five sources guessing one account: it is throttled, the right password from a sixth fails
 * until account_throttle_s has passed; other accounts are unaffected. */
static void test_account_throttle(void **state)
{
	struct fx *f = *state;
	char ip[32];

	for (int i = 0; i < 5; i++) {
		snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
		attempt(f, ip, "1000", "guess", T0);
		assert_int_equal(f->r.status, 407);
	}
	attempt(f, "203.0.113.100", "1000", "1234", T0 + 1);
	assert_false(f->r.ok);
	assert_int_equal(f->r.status, 407);
	attempt(f, "203.0.113.100", "1001", "1234", T0 + 1);
	assert_true(f->r.ok);
	attempt(f, "203.0.113.100", "1000", "1234", T0 + 121);
	assert_true(f->r.ok);
}

/* Only a fresh nonce we issued to this address lets an INVITE skip load shedding. */
static void test_has_our_nonce(void **state)
{
	struct fx *f = *state;
	char nonce[128];

	invite(f, SRC, "1000", "1000", "x", "AAAAAGVTAAAbm90IG91cnMgYXQgYWxsISEhIQ==", NULL, T0);
	assert_false(call_auth_has_our_nonce(f->dg, sip_object(f->msg), SRC, T0));
	invite(f, SRC, "1000", NULL, NULL, NULL, NULL, T0);
	assert_false(call_auth_has_our_nonce(f->dg, sip_object(f->msg), SRC, T0));
	last_nonce(f, nonce, sizeof(nonce));
	invite(f, SRC, "1000", "1000", "guess", nonce, NULL, T0);
	assert_true(call_auth_has_our_nonce(f->dg, sip_object(f->msg), SRC, T0));
	assert_false(call_auth_has_our_nonce(f->dg, sip_object(f->msg), "192.0.2.99", T0));
	assert_false(call_auth_has_our_nonce(f->dg, sip_object(f->msg), SRC, T0 + 60));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_good_credentials),    T(test_unknown_caller_like_wrong_password),
	    T(test_forgeries_never_ban), T(test_uri_mismatch),
	    T(test_account_throttle),    T(test_has_our_nonce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
