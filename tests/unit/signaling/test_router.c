/* router.c turning a user's registrations into B-leg targets: every UDP binding is reached at the
 * address and port it registered from, whatever its contact names (maddr= and the like in rows
 * stored before such contacts were refused); a TCP binding only when behind NAT; IPv6 sources
 * bracketed. Real directory and SQLite store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialplan.h"
#include "directory.h"
#include "router.h"
#include "store.h"

#define DOMAIN "example.com"

struct fx {
	char dir[64];
	struct directory *directory;
	struct store *st;
	struct router *r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[128], err[256];
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "/tmp/tandem-router.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/users.xml", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<include><domain name=\"example.com\"><users>"
	      "<user id=\"1001\"><params><param name=\"password\" value=\"1234\"/></params>"
	      "<variables><variable name=\"srtp\" value=\"optional\"/></variables></user>"
	      "<user id=\"1002\"><params><param name=\"password\" value=\"1234\"/></params></user>"
	      "</users></domain></include>",
	      fp);
	fclose(fp);
	assert_int_equal(directory_load(&f->directory, path, DOMAIN, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	assert_int_equal(store_open(&f->st, "sqlite", path, err, sizeof(err)), 0);
	assert_int_equal(router_new(&f->r, NULL, f->directory, f->st, DOMAIN), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	router_free(f->r);
	store_close(f->st);
	directory_free(f->directory);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	free(f);
	return system(cmd) == 0 ? 0 : -1;
}

static void bind_contact(struct fx *f, const char *contact, const char *ip, unsigned port,
                         const char *proto, bool nat, int64_t expires_in)
{
	struct store_reg r = {
	    .call_id = "c",
	    .cseq = 1,
	    .sip_user = "1001",
	    .sip_host = DOMAIN,
	    .contact = (char *)contact,
	    .status = "Registered",
	    .expires = (int64_t)time(NULL) + expires_in,
	    .user_agent = "",
	    .network_ip = (char *)ip,
	    .network_port = port,
	    .network_proto = (char *)proto,
	    .sip_username = "1001",
	    .sip_realm = DOMAIN,
	    .hostname = "n1",
	    .profile_name = "p",
	    .nat = nat,
	};

	assert_int_equal(store_reg_save(f->st, &r), 0);
}

/* The proxy of the target whose Request-URI is ruri ("(none)" when it has none). */
static const char *proxy_of(const struct route_result *res, const char *ruri)
{
	for (unsigned i = 0; i < res->n_targets; i++)
		if (!strcmp(res->targets[i].ruri, ruri))
			return res->targets[i].proxy ? res->targets[i].proxy : "(none)";
	fail_msg("no target %s", ruri);
	return NULL;
}

static void test_targets_reached_at_their_source(void **state)
{
	struct fx *f = *state;
	struct route_request req = {.caller = "1000", .destination = "1001", .domain = DOMAIN};
	struct route_result res = {0};
	su_home_t *home = su_home_new(sizeof(*home));

	/* Expiries differ so that the order of the targets is fixed. */
	bind_contact(f, "sip:1001@192.0.2.7:5060;maddr=198.51.100.1", "192.0.2.7", 5060, "udp",
	             false, 600);
	bind_contact(f, "sip:1001@10.0.0.5:5060", "192.0.2.8", 40000, "udp", true, 500);
	bind_contact(f, "sip:1001@192.0.2.9:5070;transport=tcp", "192.0.2.9", 41000, "tcp", false,
	             400);
	bind_contact(f, "sip:1001@[2001:db8::1]:5060", "2001:db8::1", 5060, "udp", false, 300);
	router_route(f->r, home, &req, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.n_targets, 4);
	assert_string_equal(proxy_of(&res, "sip:1001@192.0.2.7:5060;maddr=198.51.100.1"),
	                    "sip:192.0.2.7:5060;transport=udp");
	assert_string_equal(proxy_of(&res, "sip:1001@10.0.0.5:5060"),
	                    "sip:192.0.2.8:40000;transport=udp");
	assert_string_equal(proxy_of(&res, "sip:1001@192.0.2.9:5070;transport=tcp"), "(none)");
	assert_string_equal(proxy_of(&res, "sip:1001@[2001:db8::1]:5060"),
	                    "sip:[2001:db8::1]:5060;transport=udp");
	su_home_unref(home);
}

/* The B legs' SRTP policy: the callee's directory variable, unless the dialplan sets the
 * channel variable; the caller's own variable is its leg's and does not seed the channel. */
static void test_srtp_policy_of_b_legs(void **state)
{
	struct fx *f = *state;
	struct route_var caller_vars[] = {{"srtp", "mandatory"}};
	struct route_request req = {.caller = "1000",
	                            .destination = "1001",
	                            .domain = DOMAIN,
	                            .context = "default",
	                            .vars = caller_vars,
	                            .n_vars = 1};
	struct route_result res = {0};
	su_home_t *home = su_home_new(sizeof(*home));
	struct dialplan *dp;
	struct router *r;
	char path[128], err[256];
	FILE *fp;

	bind_contact(f, "sip:1001@192.0.2.7:5060", "192.0.2.7", 5060, "udp", false, 600);
	router_route(f->r, home, &req, &res); /* no dialplan: bridge to the user */
	assert_int_equal(res.status, 0);
	assert_string_equal(res.srtp, "optional");
	snprintf(path, sizeof(path), "%s/dp.xml", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<include><context name=\"default\">"
	      "<extension name=\"plain\"><condition field=\"destination_number\" "
	      "expression=\"^1001$\"><action application=\"bridge\" data=\"user/1001\"/>"
	      "</condition></extension>"
	      "<extension name=\"secure\"><condition field=\"destination_number\" "
	      "expression=\"^2(1001)$\"><action application=\"set\" data=\"srtp=mandatory\"/>"
	      "<action application=\"bridge\" data=\"user/$1\"/></condition></extension>"
	      "</context></include>",
	      fp);
	fclose(fp);
	assert_int_equal(dialplan_load(&dp, path, err, sizeof(err)), 0);
	assert_int_equal(router_new(&r, dp, f->directory, f->st, DOMAIN), 0);
	router_route(r, home, &req, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.srtp, "optional"); /* not the caller's mandatory */
	req.destination = "21001";
	router_route(r, home, &req, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.srtp, "mandatory");
	router_free(r);
	dialplan_free(dp);
	su_home_unref(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_targets_reached_at_their_source, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_policy_of_b_legs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
