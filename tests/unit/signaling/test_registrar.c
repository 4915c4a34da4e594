/* registrar.c with real parts (directory file, digest, failban, SQLite store): what each kind
 * of REGISTER gets back and what it leaves in the store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "failban.h"
#include "registrar.h"
#include "store.h"

#define T0     1700000000
#define DOMAIN "example.com"

struct fx {
	char dir[64];
	struct directory *directory;
	struct digest *dg;
	struct failban *fb;
	struct failban *accounts;
	struct store *st;
	struct registrar *reg;
	/* the request being built */
	struct registrar_contact contacts[4];
	struct registrar_cred cred;
	char pbuf[10][300];
	const char *params[11];
	struct registrar_request req;
	struct registrar_reply reply;
};

static int setup(void **state)
{
	static const uint8_t secret[] = "unit-test-secret-0123456789abcdef";
	struct fx *f = calloc(1, sizeof(*f));
	char path[128], err[256];
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-reg.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/users.xml", f->dir);
	fp = fopen(path, "w");
	fputs("<include><domain name=\"example.com\"><users>"
	      "<user id=\"1000\"><params><param name=\"password\" value=\"1234\"/></params></user>"
	      "<user id=\"1001\"><params><param name=\"password\" value=\"1234\"/></params></user>"
	      "<user id=\"1002\"><params><param name=\"password\" value=\"1234\"/>"
	      "<param name=\"auth-algorithms\" value=\"MD5\"/></params></user>"
	      "<user id=\"1003\"><params><param name=\"password\" value=\"1234\"/>"
	      "<param name=\"auth-algorithms\" value=\"SHA-256\"/></params></user>"
	      "</users></domain></include>",
	      fp);
	fclose(fp);
	assert_int_equal(directory_load(&f->directory, path, DOMAIN, err, sizeof(err)), 0);
	struct digest_cfg dc = {.realm = DOMAIN,
	                        .secret = secret,
	                        .secret_len = 32,
	                        .nonce_ttl_s = 60,
	                        .prefs = {DIGEST_ALG_SHA256, DIGEST_ALG_MD5},
	                        .n_prefs = 2,
	                        .nc_table_size = 100,
	                        .start = T0 - 10};
	assert_int_equal(digest_new(&f->dg, &dc), 0);
	struct failban_cfg fc = {.max_failures = 3, .window_s = 60, .ban_s = 300, .capacity = 64};
	assert_int_equal(failban_new(&f->fb, &fc), 0);
	struct failban_cfg ac = {.max_failures = 5, .window_s = 60, .ban_s = 120, .capacity = 64};
	assert_int_equal(failban_new(&f->accounts, &ac), 0);
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	assert_int_equal(store_open(&f->st, "sqlite", path, err, sizeof(err)), 0);
	struct registrar_cfg rc = {.domain = DOMAIN,
	                           .local_host = "127.0.0.1",
	                           .node_id = "n1",
	                           .profile = "127.0.0.1:5060",
	                           .min_expires = 60,
	                           .max_expires = 3600,
	                           .default_expires = 1800,
	                           .max_contacts = 3};
	assert_int_equal(
	    registrar_new(&f->reg, &rc, f->directory, f->dg, f->fb, f->accounts, f->st), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	registrar_reply_clear(&f->reply);
	registrar_free(f->reg);
	store_close(f->st);
	failban_free(f->fb);
	failban_free(f->accounts);
	digest_free(f->dg);
	directory_free(f->directory);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A fresh REGISTER for user from 192.0.2.1:5062 with one contact at that address. */
static void request(struct fx *f, const char *user, uint32_t cseq)
{
	memset(&f->req, 0, sizeof(f->req));
	memset(f->contacts, 0, sizeof(f->contacts));
	f->contacts[0] = (struct registrar_contact){
	    .uri = "sip:u@192.0.2.1:5062", .host = "192.0.2.1", .port = 5062};
	f->req = (struct registrar_request){
	    .ruri = "sip:" DOMAIN,
	    .call_id = "call-1",
	    .cseq = cseq,
	    .aor_user = user,
	    .aor_host = DOMAIN,
	    .has_from = true,
	    .contacts = f->contacts,
	    .n_contacts = 1,
	    .expires = -1,
	    .user_agent = "unit",
	    .src_ip = "192.0.2.1",
	    .src_port = 5062,
	    .transport = "udp",
	};
}

static void handle(struct fx *f, time_t now)
{
	registrar_reply_clear(&f->reply);
	registrar_handle(f->reg, &f->req, now, &f->reply);
}

/* Answers the MD5 challenge of the last reply with user/password and nonce count nc. */
static void authorize(struct fx *f, const char *user, const char *pass, unsigned nc)
{
	char nonce[128], ha1[65], resp[65], nc_hex[9];
	const char *p;
	size_t n;

	assert_true(f->reply.challenge.n >= 1);
	p = strstr(f->reply.challenge.value[f->reply.challenge.n - 1], "nonce=\"") + 7;
	n = strcspn(p, "\"");
	memcpy(nonce, p, n);
	nonce[n] = '\0';
	snprintf(nc_hex, sizeof(nc_hex), "%08x", nc);
	digest_ha1(DIGEST_ALG_MD5, user, DOMAIN, pass, ha1);
	digest_response(DIGEST_ALG_MD5, ha1, nonce, nc_hex, "abc", "auth", "REGISTER",
	                "sip:" DOMAIN, resp);
	snprintf(f->pbuf[0], 300, "username=\"%s\"", user);
	snprintf(f->pbuf[1], 300, "realm=\"" DOMAIN "\"");
	snprintf(f->pbuf[2], 300, "nonce=\"%s\"", nonce);
	snprintf(f->pbuf[3], 300, "uri=\"sip:" DOMAIN "\"");
	snprintf(f->pbuf[4], 300, "response=\"%s\"", resp);
	snprintf(f->pbuf[5], 300, "algorithm=MD5");
	snprintf(f->pbuf[6], 300, "cnonce=\"abc\"");
	snprintf(f->pbuf[7], 300, "qop=auth");
	snprintf(f->pbuf[8], 300, "nc=%s", nc_hex);
	for (int i = 0; i < 9; i++)
		f->params[i] = f->pbuf[i];
	f->params[9] = NULL;
	f->cred = (struct registrar_cred){"Digest", f->params};
	f->req.creds = &f->cred;
	f->req.n_creds = 1;
}

/* Challenge, then answer: the usual two-step registration. Returns the final status. */
static int register_as(struct fx *f, time_t now)
{
	const struct registrar_request saved = f->req;

	f->req.creds = NULL;
	f->req.n_creds = 0;
	handle(f, now);
	assert_int_equal(f->reply.status, 401);
	f->req = saved;
	authorize(f, f->req.aor_user, "1234", 1);
	handle(f, now);
	return f->reply.status;
}

static void register_ok(struct fx *f, time_t now)
{
	assert_int_equal(register_as(f, now), 200);
}

static unsigned bindings(struct fx *f, const char *user, time_t now)
{
	struct store_reg_list l;
	unsigned n;

	assert_int_equal(store_reg_lookup(f->st, user, DOMAIN, now, &l), 0);
	n = (unsigned)l.n;
	store_reg_list_free(&l);
	return n;
}

static void test_challenge_then_200(void **state)
{
	struct fx *f = *state;
	struct store_reg_list l;

	request(f, "1000", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401);
	assert_int_equal(f->reply.challenge.n, 2);
	assert_non_null(strstr(f->reply.challenge.value[0], "SHA-256"));
	authorize(f, "1000", "1234", 1);
	f->req.cseq = 2;
	handle(f, T0);
	assert_int_equal(f->reply.status, 200);
	assert_string_equal(f->reply.contact, "<sip:u@192.0.2.1:5062>;expires=1800");
	assert_int_equal(store_reg_lookup(f->st, "1000", DOMAIN, T0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_false(l.v[0].nat);
	assert_string_equal(l.v[0].status, "Registered(UDP)");
	assert_string_equal(l.v[0].user_agent, "unit");
	assert_int_equal(l.v[0].expires, T0 + 1800);
	store_reg_list_free(&l);
}

/* The To user's auth-algorithms param replaces the global list (SHA-256, MD5 here), and an
 * algorithm the user was not offered is not accepted even with a valid nonce for it. */
static void test_per_user_algorithms(void **state)
{
	struct fx *f = *state;

	request(f, "1002", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401);
	assert_int_equal(f->reply.challenge.n, 1);
	assert_non_null(strstr(f->reply.challenge.value[0], "algorithm=MD5"));
	authorize(f, "1002", "1234", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 200);

	request(f, "1003", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401);
	assert_int_equal(f->reply.challenge.n, 1);
	assert_non_null(strstr(f->reply.challenge.value[0], "algorithm=SHA-256"));
	/* An MD5 nonce obtained through another user's challenge: challenged again. */
	request(f, "1002", 1);
	handle(f, T0);
	request(f, "1003", 1);
	authorize(f, "1003", "1234", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401);
	assert_non_null(strstr(f->reply.challenge.value[0], "algorithm=SHA-256"));
	assert_int_equal(bindings(f, "1003", T0), 0);

	/* Unknown users get the global list, like a known user without the param. */
	request(f, "4242", 1);
	handle(f, T0);
	assert_int_equal(f->reply.challenge.n, 2);
}

static void test_nat_and_several_contacts(void **state)
{
	struct fx *f = *state;
	struct store_reg_list l;

	request(f, "1000", 1);
	f->contacts[0] =
	    (struct registrar_contact){.uri = "sip:u@10.1.1.1:5060", .host = "10.1.1.1"};
	f->contacts[1] = (struct registrar_contact){
	    .uri = "sip:u@10.1.1.2:5060", .host = "10.1.1.2", .port = 5060, .expires = "120"};
	f->req.n_contacts = 2;
	f->req.expires = 600;
	register_ok(f, T0);
	assert_non_null(strstr(f->reply.contact, "<sip:u@10.1.1.1:5060>;expires=600"));
	assert_non_null(strstr(f->reply.contact, "<sip:u@10.1.1.2:5060>;expires=120"));
	assert_int_equal(store_reg_lookup(f->st, "1000", DOMAIN, T0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].nat);
	assert_string_equal(l.v[0].status, "Registered(UDP-NAT)");
	assert_string_equal(l.v[0].network_ip, "192.0.2.1");
	assert_int_equal(l.v[0].network_port, 5062);
	store_reg_list_free(&l);

	/* A query (no Contact) lists both; another user's bindings are untouched by it. */
	request(f, "1000", 3);
	f->req.n_contacts = 0;
	register_ok(f, T0 + 10);
	assert_non_null(strstr(f->reply.contact, "expires=590"));
	assert_non_null(strstr(f->reply.contact, "expires=110"));
}

static void test_wrong_password_then_ban(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	handle(f, T0);
	for (int i = 0; i < 2; i++) {
		authorize(f, "1000", "wrong", 1);
		handle(f, T0);
		assert_int_equal(f->reply.status, 401);
	}
	authorize(f, "1000", "wrong", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 403);
	/* Banned: refused before any challenge, so no credentials can even be tried. */
	request(f, "1000", 2);
	handle(f, T0 + 1);
	assert_int_equal(f->reply.status, 403);
	assert_int_equal(f->reply.challenge.n, 0);
	/* Another source is not affected, and the ban ends. */
	request(f, "1001", 1);
	f->req.src_ip = "192.0.2.99";
	register_ok(f, T0 + 2);
	request(f, "1000", 5);
	register_ok(f, T0 + 301);
}

static void test_unknown_user_and_foreign_aor(void **state)
{
	struct fx *f = *state;

	request(f, "4242", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401); /* no hint that the user does not exist */
	authorize(f, "4242", "1234", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 401); /* exactly like a wrong password */
	/* 1000's credentials cannot register 1001. */
	request(f, "1001", 1);
	handle(f, T0);
	authorize(f, "1000", "1234", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 403);
	assert_int_equal(bindings(f, "1001", T0), 0);
	/* A domain we do not serve. */
	request(f, "1000", 1);
	f->req.aor_host = "elsewhere.org";
	handle(f, T0);
	assert_int_equal(f->reply.status, 403);
}

static void test_malformed_requests(void **state)
{
	struct fx *f = *state;
	const char *bad[] = {"username=\"1000\"", "realm=\"" DOMAIN "\"", NULL};
	struct registrar_cred c = {"Digest", bad};

	request(f, "1000", 1);
	f->req.creds_bad = true;
	handle(f, T0);
	assert_int_equal(f->reply.status, 400);
	request(f, "1000", 1);
	f->req.creds = &c;
	f->req.n_creds = 1;
	handle(f, T0);
	assert_int_equal(f->reply.status, 400);
	request(f, "1000", 1);
	f->req.aor_user = NULL;
	handle(f, T0);
	assert_int_equal(f->reply.status, 400);
	request(f, "1000", 1);
	f->req.has_from = false;
	handle(f, T0);
	assert_int_equal(f->reply.status, 400);
	request(f, "1000", 1);
	f->req.expires_bad = true;
	handle(f, T0);
	assert_int_equal(f->reply.status, 400);
	request(f, "1000", 1);
	f->contacts[0].expires = "soon";
	assert_int_equal(register_as(f, T0), 400);
	assert_int_equal(bindings(f, "1000", T0), 0);
}

static void test_expires_bounds(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	f->req.expires = 30;
	assert_int_equal(register_as(f, T0), 423);
	assert_int_equal(f->reply.min_expires, 60);
	assert_int_equal(bindings(f, "1000", T0), 0);
	request(f, "1000", 2);
	f->contacts[0].expires = "99999999999999999999999";
	register_ok(f, T0);
	assert_string_equal(f->reply.contact, "<sip:u@192.0.2.1:5062>;expires=3600");
}

static void test_unregister_and_star(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	f->contacts[1] = (struct registrar_contact){
	    .uri = "sip:u@192.0.2.1:5070", .host = "192.0.2.1", .port = 5070};
	f->req.n_contacts = 2;
	register_ok(f, T0);
	assert_int_equal(bindings(f, "1000", T0), 2);
	/* Expires: 0 on one contact removes that one only. */
	request(f, "1000", 2);
	f->req.expires = 0;
	register_ok(f, T0);
	assert_string_equal(f->reply.contact, "<sip:u@192.0.2.1:5070>;expires=1800");
	/* Contact: * needs Expires: 0. */
	request(f, "1000", 3);
	f->req.n_contacts = 0;
	f->req.star = true;
	assert_int_equal(register_as(f, T0), 400);
	assert_int_equal(bindings(f, "1000", T0), 1);
	request(f, "1000", 4);
	f->req.n_contacts = 0;
	f->req.star = true;
	f->req.expires = 0;
	register_ok(f, T0);
	assert_null(f->reply.contact);
	assert_int_equal(bindings(f, "1000", T0), 0);
}

static void test_cseq_order_and_max_contacts(void **state)
{
	struct fx *f = *state;
	struct store_reg_list l;

	request(f, "1000", 10);
	register_ok(f, T0);
	/* Same Call-ID, lower CSeq: an old retransmission must not shorten the binding. */
	request(f, "1000", 5);
	f->req.expires = 0;
	register_ok(f, T0 + 5);
	assert_int_equal(bindings(f, "1000", T0 + 5), 1);
	assert_int_equal(store_reg_lookup(f->st, "1000", DOMAIN, T0, &l), 0);
	assert_int_equal(l.v[0].cseq, 10);
	store_reg_list_free(&l);
	/* A new Call-ID may do anything. */
	request(f, "1000", 1);
	f->req.call_id = "call-2";
	f->req.expires = 120;
	register_ok(f, T0 + 6);
	assert_string_equal(f->reply.contact, "<sip:u@192.0.2.1:5062>;expires=120");

	request(f, "1000", 20);
	for (int i = 0; i < 3; i++)
		f->contacts[i + 1] = (struct registrar_contact){.uri = i == 0   ? "sip:a@h"
		                                                       : i == 1 ? "sip:b@h"
		                                                                : "sip:c@h",
		                                                .host = "h"};
	f->req.n_contacts = 4;
	assert_int_equal(register_as(f, T0 + 7), 403);
	assert_int_equal(bindings(f, "1000", T0 + 7), 1);
}

static void test_stale_and_replay(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	handle(f, T0);
	authorize(f, "1000", "1234", 1);
	handle(f, T0);
	assert_int_equal(f->reply.status, 200);
	/* The very same request again (a replay): challenged with stale=true. */
	handle(f, T0 + 1);
	assert_int_equal(f->reply.status, 401);
	assert_non_null(strstr(f->reply.challenge.value[0], "stale=true"));
	/* A nonce past its lifetime, right password: stale too. */
	request(f, "1000", 3);
	handle(f, T0);
	authorize(f, "1000", "1234", 1);
	handle(f, T0 + 61);
	assert_int_equal(f->reply.status, 401);
	assert_non_null(strstr(f->reply.challenge.value[1], "stale=true"));
}

static void test_expire_purges(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	f->req.expires = 60;
	register_ok(f, T0);
	assert_int_equal(registrar_expire(f->reg, T0 + 59), 0);
	assert_int_equal(registrar_expire(f->reg, T0 + 60), 1);
	assert_int_equal(bindings(f, "1000", 0), 0);
}

/* Copies what a client sees of the reply, nonces blanked (they are random). */
static void visible(const struct registrar_reply *r, char *out, size_t len)
{
	size_t off = (size_t)snprintf(out, len, "%d %s|", r->status, r->phrase);

	for (size_t i = 0; i < r->challenge.n && off < len; i++) {
		const char *v = r->challenge.value[i], *p = strstr(v, "nonce=\"");
		size_t pre = p ? (size_t)(p - v) + 7 : strlen(v);

		off += (size_t)snprintf(out + off, len - off, "%s: %.*s%s|", r->challenge.header,
		                        (int)pre, v, p ? strchr(p + 7, '"') : "");
	}
	if (off < len)
		snprintf(out + off, len - off, "%s|%ld", r->contact ? r->contact : "-",
		         r->min_expires);
}

/* An unknown user and a known one with a wrong password get the same reply, challenge after
 * challenge, up to the same ban: nothing tells which users exist. */
static void test_unknown_user_answered_like_wrong_password(void **state)
{
	struct fx *f = *state;
	char known[1024], unknown[1024];

	for (int i = 0; i < 3; i++) {
		request(f, "1000", 1);
		f->req.src_ip = "192.0.2.50";
		handle(f, T0);
		authorize(f, "1000", "wrong", 1);
		handle(f, T0);
		visible(&f->reply, known, sizeof(known));

		request(f, "4242", 1);
		f->req.src_ip = "192.0.2.51";
		handle(f, T0);
		authorize(f, "4242", "wrong", 1);
		handle(f, T0);
		visible(&f->reply, unknown, sizeof(unknown));
		assert_string_equal(known, unknown);
		assert_int_equal(f->reply.status, i < 2 ? 401 : 403);
	}
}

/* Credentials with a nonce we never issued, or issued to another address, count against
 * nobody: a flood of forged REGISTERs cannot ban the address it pretends to come from. */
static void test_forged_nonces_never_ban(void **state)
{
	struct fx *f = *state;
	const char *forged[] = {"username=\"1000\"",
	                        "realm=\"" DOMAIN "\"",
	                        "nonce=\"AAAAAGVTAAAbm90IG91cnMgYXQgYWxsISEhIQ==\"",
	                        "uri=\"sip:" DOMAIN "\"",
	                        "response=\"0123456789abcdef0123456789abcdef\"",
	                        "algorithm=MD5",
	                        "cnonce=\"abc\"",
	                        "qop=auth",
	                        "nc=00000001",
	                        NULL};
	struct registrar_cred c = {"Digest", forged};

	for (int i = 0; i < 20; i++) {
		/* For a known user and for one that does not exist. */
		forged[0] = i % 2 ? "username=\"1000\"" : "username=\"9999\"";
		request(f, i % 2 ? "1000" : "9999", (uint32_t)i + 1);
		f->req.creds = &c;
		f->req.n_creds = 1;
		handle(f, T0);
		assert_int_equal(f->reply.status, 401);
	}
	/* A real nonce, sent to 192.0.2.77, answered wrongly "from" 192.0.2.1. */
	for (int i = 0; i < 5; i++) {
		request(f, "1000", 30);
		f->req.src_ip = "192.0.2.77";
		handle(f, T0);
		authorize(f, "1000", "wrong", 1);
		f->req.src_ip = "192.0.2.1";
		handle(f, T0);
		assert_int_equal(f->reply.status, 401);
	}
	request(f, "1000", 40);
	register_ok(f, T0 + 1);
}

/* The digest uri must be the Request-URI; a mismatch is a failure like a wrong password. */
static void test_uri_mismatch_is_a_failure(void **state)
{
	struct fx *f = *state;

	request(f, "1000", 1);
	f->req.ruri = "sip:other.example.org";
	for (int i = 0; i < 3; i++) {
		f->req.n_creds = 0;
		handle(f, T0);
		authorize(f, "1000", "1234", 1);
		handle(f, T0);
	}
	assert_int_equal(f->reply.status, 403);
	assert_int_equal(bindings(f, "1000", T0), 0);
}

/* Many sources failing for one account throttle it: for account_throttle_s its password is not
 * even checked (so guesses learn nothing), except from where it is registered; then it works
 * again. */
static void test_account_throttle(void **state)
{
	struct fx *f = *state;
	char ip[32];

	request(f, "1000", 1);
	f->req.src_ip = "198.51.100.1";
	register_ok(f, T0);
	for (int i = 0; i < 5; i++) {
		request(f, "1000", 1);
		snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
		f->req.src_ip = ip;
		handle(f, T0 + 1);
		authorize(f, "1000", "guess", 1);
		handle(f, T0 + 1);
		assert_int_equal(f->reply.status, 401);
	}
	/* The right password from a new address: refused while throttled, like a wrong one. */
	request(f, "1000", 2);
	f->req.src_ip = "203.0.113.200";
	assert_int_equal(register_as(f, T0 + 2), 401);
	/* The phone registered from 198.51.100.1 keeps working. */
	request(f, "1000", 3);
	f->req.src_ip = "198.51.100.1";
	register_ok(f, T0 + 3);
	/* Other accounts are not affected. */
	request(f, "1001", 1);
	f->req.src_ip = "203.0.113.201";
	register_ok(f, T0 + 4);
	/* After account_throttle_s the account works from anywhere again. */
	request(f, "1000", 4);
	f->req.src_ip = "203.0.113.200";
	register_ok(f, T0 + 1 + 120);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_challenge_then_200),
	    T(test_nat_and_several_contacts),
	    T(test_wrong_password_then_ban),
	    T(test_unknown_user_and_foreign_aor),
	    T(test_malformed_requests),
	    T(test_expires_bounds),
	    T(test_unregister_and_star),
	    T(test_cseq_order_and_max_contacts),
	    T(test_stale_and_replay),
	    T(test_expire_purges),
	    T(test_unknown_user_answered_like_wrong_password),
	    T(test_forged_nonces_never_ban),
	    T(test_uri_mismatch_is_a_failure),
	    T(test_account_throttle),
	    T(test_per_user_algorithms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
