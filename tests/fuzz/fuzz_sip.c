/* Raw SIP requests through signald's handlers without a running stack: sofia-sip's message
 * parser (msg_make with sip_default_mclass, as the transport layer parses a datagram), then
 * what signald does with the parsed sip_t: a REGISTER described by sip_ua_describe_register()
 * and decided by the registrar (digest, failure bans, the store in memory); an INVITE described
 * by sip_ua_describe_invite(), authenticated by call_auth_check() and, once authenticated,
 * routed through the demo dialplan to the registered contacts (router.c), its SDP parsed; a
 * REFER's Refer-To (and embedded Replaces) read by refer_parse(), its SDP body, if any, through
 * sdp_unhold().
 *
 * Input: up to four requests separated by NUL bytes, handled in order on one registrar and store
 * (so a REGISTER can be followed by a call to the contact it registered). As in fuzz_digest, the
 * text NONCE becomes a nonce this node issued and a response parameter of RESPONSE the right
 * answer for user 1000..1019 with the demo password, so requests get past authentication. */
#include <stdlib.h>
#include <time.h>

#include <sofia-sip/auth_digest.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>

#include "call_auth.h"
#include "dialplan.h"
#include "digest.h"
#include "directory.h"
#include "failban.h"
#include "fuzz_util.h"
#include "media_plan.h"
#include "refer_parse.h"
#include "registrar.h"
#include "router.h"
#include "sdp_unhold.h"
#include "sip_ua_internal.h"
#include "store.h"

#define DOMAIN   "example.org"
#define SRC_IP   "192.0.2.50"
#define PASSWORD "1234" /* every demo user's */
#define MAX_MSGS 4

static struct directory *dir;
static struct dialplan *dp;
static char nonce[2][DIGEST_CHALLENGE_LEN]; /* SHA-256, MD5 */

/* The time every request is handled at: the process's start, because the router compares
 * registrations with the clock. */
static time_t t0;
static const uint8_t secret[32] = "fuzzing-secret-fuzzing-secret!!";
static struct digest_cfg dg_cfg = {.realm = DOMAIN,
                                   .secret = secret,
                                   .secret_len = sizeof(secret),
                                   .nonce_ttl_s = 300,
                                   .prefs = {DIGEST_ALG_SHA256, DIGEST_ALG_MD5},
                                   .n_prefs = 2,
                                   .nc_table_size = 64};

static void nonce_of(const char *challenge, char *out, size_t len)
{
	const char *p = strstr(challenge, "nonce=\"");
	const char *q = p ? strchr(p + 7, '"') : NULL;

	snprintf(out, len, "%.*s", p && q ? (int)(q - p - 7) : 0, p ? p + 7 : "");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct digest_challenge ch;
	struct digest *dg;
	char err[512];

	fuzz_quiet();
	t0 = time(NULL);
	dg_cfg.start = t0 - 1000;
	/* Nonces carry only time, randomness, the source address and a MAC: any digest with this
	 * secret accepts them from SRC_IP, so they are made once. */
	if (directory_load(&dir, TANDEM_SRC "/deploy/demo/directory.xml", DOMAIN, err,
	                   sizeof(err)) ||
	    dialplan_load(&dp, TANDEM_SRC "/deploy/demo/dialplan.xml", err, sizeof(err)) ||
	    digest_new(&dg, &dg_cfg) ||
	    digest_challenge(dg, false, false, DIGEST_ALG_ALL, SRC_IP, t0, &ch)) {
		fprintf(stderr, "fuzz_sip: setup failed: %s\n", err);
		abort();
	}
	nonce_of(ch.value[0], nonce[0], sizeof(nonce[0]));
	nonce_of(ch.value[1], nonce[1], sizeof(nonce[1]));
	digest_free(dg);
	return 0;
}

/* text with every word replaced by with; malloc'ed. */
static char *replace(const char *text, size_t len, const char *word, const char *with)
{
	size_t n = 0, wl = strlen(word), nl = strlen(with);
	char *src = fuzz_strndup((const uint8_t *)text, len), *out, *o;

	if (!src)
		return NULL;
	for (const char *p = src; (p = strstr(p, word)); p += wl)
		n++;
	out = malloc(strlen(src) + n * nl + 1);
	if (out) {
		o = out;
		for (const char *p = src, *q;; p = q + wl) {
			q = strstr(p, word);
			if (!q) {
				strcpy(o, p);
				break;
			}
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
			memcpy(o, with, nl);
			o += nl;
		}
	}
	free(src);
	return out;
}

/* A response="RESPONSE" parameter becomes the right response for the other parameters. */
static void answer_challenge(msg_t *msg, msg_auth_t *au, const char *method)
{
	su_home_t *home = msg_home(msg);

	for (; au; au = au->au_next) {
		auth_response_t ar[1] = {{.ar_size = sizeof(ar[0])}};
		enum digest_alg alg = DIGEST_ALG_MD5;
		char ha1[80], resp[80];
		msg_param_t *params = (msg_param_t *)au->au_params;

		if (!params || auth_digest_response_get(home, ar, au->au_params) < 0 ||
		    !ar->ar_username || !ar->ar_nonce || !ar->ar_uri || !ar->ar_nc ||
		    !ar->ar_cnonce)
			continue;
		if (ar->ar_algorithm && strcasecmp(ar->ar_algorithm, "SHA-256") == 0)
			alg = DIGEST_ALG_SHA256;
		if (digest_ha1(alg, ar->ar_username, DOMAIN, PASSWORD, ha1) ||
		    digest_response(alg, ha1, ar->ar_nonce, ar->ar_nc, ar->ar_cnonce, "auth",
		                    method, ar->ar_uri, resp))
			continue;
		for (size_t i = 0; params[i]; i++)
			if (strcasecmp(params[i], "response=\"RESPONSE\"") == 0 ||
			    strcasecmp(params[i], "response=RESPONSE") == 0)
				params[i] = su_sprintf(home, "response=\"%s\"", resp);
	}
}

struct node {
	struct digest *dg;
	struct failban *fb;
	struct store *st;
	struct registrar *reg;
	struct router *router;
};

static int node_new(struct node *n)
{
	struct failban_cfg fc = {.max_failures = 5, .window_s = 60, .ban_s = 300, .capacity = 16};
	struct registrar_cfg rc = {.domain = DOMAIN,
	                           .local_host = "192.0.2.1",
	                           .node_id = "fuzz",
	                           .profile = "192.0.2.1:5060",
	                           .min_expires = 60,
	                           .max_expires = 3600,
	                           .default_expires = 1800,
	                           .max_contacts = 3};
	char err[256];

	memset(n, 0, sizeof(*n));
	if (digest_new(&n->dg, &dg_cfg) || failban_new(&n->fb, &fc) ||
	    store_open(&n->st, "sqlite", ":memory:", err, sizeof(err)) ||
	    registrar_new(&n->reg, &rc, dir, n->dg, n->fb, NULL, n->st) ||
	    router_new(&n->router, dp, dir, n->st, DOMAIN))
		return -1;
	return 0;
}

static void node_free(struct node *n)
{
	router_free(n->router);
	registrar_free(n->reg);
	if (n->st)
		store_close(n->st);
	failban_free(n->fb);
	digest_free(n->dg);
}

static void do_register(struct node *n, const sip_t *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct registrar_contact contacts[SIP_UA_MAX_CONTACTS];
	struct registrar_cred creds[SIP_UA_MAX_CREDS];
	struct registrar_request req = {.src_ip = SRC_IP, .src_port = 5062, .transport = "udp"};
	struct registrar_reply reply;

	if (!sip_ua_describe_register(home, sip, &req, contacts, creds)) {
		registrar_handle(n->reg, &req, t0, &reply);
		registrar_reply_clear(&reply);
	}
	su_home_deinit(home);
}

/* As b2bua.c's routed(): the caller's directory variables seed the channel. */
static void route(struct node *n, const struct ua_request *req, const char *user)
{
	const struct directory_user *u = directory_find(dir, user, DOMAIN);
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct route_var vars[64];
	struct route_request rr = {.caller = user,
	                           .caller_name = req->from_display,
	                           .destination = req->ruri_user ? req->ruri_user : "",
	                           .network_addr = req->src_ip,
	                           .domain = DOMAIN,
	                           .context = "default",
	                           .vars = vars};
	struct route_result res;
	const char *ctx;

	for (size_t i = 0; u && i < u->n_vars && rr.n_vars < 64; i++)
		vars[rr.n_vars++] = (struct route_var){u->vars[i].name, u->vars[i].value};
	if (u && (ctx = directory_user_var(u, "user_context")) != NULL && *ctx)
		rr.context = ctx;
	router_route(n->router, home, &rr, &res);
	route_program_free(res.program); /* what the call's executor would run */
	su_home_deinit(home);
}

static void do_invite(struct node *n, const sip_t *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct ua_request req = {0};
	struct call_auth_result ar;
	struct media_plan *plan = NULL;

	if (sip_ua_describe_invite(home, sip, &req))
		goto out;
	req.src_ip = SRC_IP;
	req.src_port = 5062;
	req.transport = "udp";
	call_auth_check(
	    &(struct call_auth_deps){.dg = n->dg, .dir = dir, .fb = n->fb, .domain = DOMAIN},
	    req.sip, "INVITE", req.src_ip, t0, &ar);
	if (!ar.ok)
		goto out;
	route(n, &req, ar.user);
	if (req.sdp && !media_plan_parse(req.sdp, req.sdp_len, 16, &plan, NULL, 0))
		media_plan_free(plan);
out:
	su_home_deinit(home);
}

static void do_refer(const sip_t *sip)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct refer_target rt;

	refer_parse(home, sip->sip_refer_to, &rt);
	if (sip->sip_payload && sip->sip_payload->pl_len)
		free(sdp_unhold(sip->sip_payload->pl_data, sip->sip_payload->pl_len));
	su_home_deinit(home);
}

static void handle(struct node *n, const char *text, size_t len)
{
	char *t1 = replace(text, len, "NONCE", nonce[memmem(text, len, "MD5", 3) ? 1 : 0]);
	msg_t *msg = t1 ? msg_make(sip_default_mclass(), 0, t1, (ssize_t)strlen(t1)) : NULL;
	sip_t *sip = msg ? sip_object(msg) : NULL;

	if (sip && sip->sip_request) {
		const char *method = sip->sip_request->rq_method_name;

		answer_challenge(msg, sip->sip_authorization, method);
		answer_challenge(msg, sip->sip_proxy_authorization, method);
		if (sip->sip_request->rq_method == sip_method_register)
			do_register(n, sip);
		else if (sip->sip_request->rq_method == sip_method_invite)
			do_invite(n, sip);
		else if (sip->sip_request->rq_method == sip_method_refer)
			do_refer(sip);
	}
	if (msg)
		msg_destroy(msg);
	free(t1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct node n;

	if (size > 64 * 1024)
		return 0;
	if (node_new(&n)) {
		node_free(&n);
		return 0;
	}
	for (int i = 0; i < MAX_MSGS && p < end; i++) {
		const char *nul = memchr(p, 0, (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		handle(&n, p, len);
		p += len + 1;
	}
	node_free(&n);
	return 0;
}
