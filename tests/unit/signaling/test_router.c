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
	      "<user id=\"1003\"><params><param name=\"password\" value=\"1234\"/></params></user>"
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

static void bind_user(struct fx *f, const char *user, const char *contact, const char *ip,
                      unsigned port, const char *proto, bool nat, int64_t expires_in)
{
	struct store_reg r = {
	    .call_id = (char *)contact,
	    .cseq = 1,
	    .sip_user = (char *)user,
	    .sip_host = DOMAIN,
	    .contact = (char *)contact,
	    .status = "Registered",
	    .expires = (int64_t)time(NULL) + expires_in,
	    .user_agent = "",
	    .network_ip = (char *)ip,
	    .network_port = port,
	    .network_proto = (char *)proto,
	    .sip_username = (char *)user,
	    .sip_realm = DOMAIN,
	    .hostname = "n1",
	    .profile_name = "p",
	    .nat = nat,
	};

	assert_int_equal(store_reg_save(f->st, &r), 0);
}

static void bind_contact(struct fx *f, const char *contact, const char *ip, unsigned port,
                         const char *proto, bool nat, int64_t expires_in)
{
	bind_user(f, "1001", contact, ip, port, proto, nat, expires_in);
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
	/* ...but the connection it registered on is offered, for while it stays open. */
	for (unsigned i = 0; i < res.n_targets; i++) {
		const struct route_target *t = &res.targets[i];

		if (strstr(t->ruri, "transport=tcp")) {
			assert_string_equal(t->tcp_flow, "sip:192.0.2.9:41000;transport=tcp");
			assert_string_equal(t->src_ip, "192.0.2.9");
			assert_int_equal(t->src_port, 41000);
		} else {
			assert_null(t->tcp_flow);
		}
	}
	bind_contact(f, "sip:1001@[2001:db8::2]:5062;transport=tcp", "2001:db8::2", 41002, "tcp",
	             false, 200);
	router_route(f->r, home, &req, &res);
	assert_int_equal(res.n_targets, 5);
	assert_string_equal(res.targets[4].tcp_flow, "sip:[2001:db8::2]:41002;transport=tcp");
	assert_string_equal(proxy_of(&res, "sip:1001@[2001:db8::1]:5060"),
	                    "sip:[2001:db8::1]:5060;transport=udp");
	su_home_unref(home);
}

static const char plan[] =
    "<include><context name=\"default\">"
    "<extension name=\"groups\"><condition field=\"destination_number\" expression=\"^7001$\">"
    "<action application=\"ring_ready\"/><action application=\"pre_answer\"/>"
    "<action application=\"bridge\" data=\"{leg_timeout=9}[leg_timeout=5]user/1001,user/1002|"
    "user/1003|user/1004\"/></condition></extension>"
    "<extension name=\"skip\"><condition field=\"destination_number\" expression=\"^7002$\">"
    "<action application=\"bridge\" data=\"user/1009|user/1003\"/></condition></extension>"
    "<extension name=\"none\"><condition field=\"destination_number\" expression=\"^7003$\">"
    "<action application=\"bridge\" data=\"user/1009,sofia/gateway/x/1\"/></condition>"
    "</extension>"
    "<extension name=\"bad\"><condition field=\"destination_number\" expression=\"^7004$\">"
    "<action application=\"bridge\" data=\"user/1001,\"/></condition></extension>"
    "<extension name=\"codecs\"><condition field=\"destination_number\" expression=\"^7005$\">"
    "<action application=\"set\" data=\"codec_string=PCMU\"/>"
    "<action application=\"bridge\" data=\"{absolute_codec_string='PCMA,PCMU'}user/1001\"/>"
    "</condition></extension>"
    "<extension name=\"plain\"><condition field=\"destination_number\" expression=\"^7006$\">"
    "<action application=\"answer\"/><action application=\"bridge\" data=\"user/1001\"/>"
    "</condition></extension>"
    "<extension name=\"busy\"><condition field=\"destination_number\" expression=\"^7007$\">"
    "<action application=\"answer\"/><action application=\"hangup\" data=\"USER_BUSY\"/>"
    "</condition></extension>"
    "<extension name=\"ivr\"><condition field=\"destination_number\" expression=\"^7008$\">"
    "<action application=\"answer\"/><action application=\"set\" data=\"x=1\"/>"
    "<action application=\"playback\" data=\"hello.wav\"/>"
    "<action application=\"bridge\" data=\"user/1001\"/></condition></extension>"
    "<extension name=\"hook\"><condition field=\"destination_number\" expression=\"^7009$\">"
    "<action application=\"set\" data=\"execute_on_answer=record_session a.wav\"/>"
    "<action application=\"bridge\" data=\"user/1001\"/></condition></extension>"
    "</context></include>";

/* Routes dest through the test plan; res on home. */
static void route_plan(struct fx *f, su_home_t *home, const char *dest,
                       const struct route_var *vars, unsigned n_vars, struct route_result *res)
{
	char path[128], err[256];
	struct dialplan *dp;
	struct router *r;
	FILE *fp;
	struct route_request req = {.caller = "1000",
	                            .destination = dest,
	                            .domain = DOMAIN,
	                            .vars = vars,
	                            .n_vars = n_vars};

	snprintf(path, sizeof(path), "%s/plan.xml", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(plan, fp);
	fclose(fp);
	if (dialplan_load(&dp, path, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(router_new(&r, dp, f->directory, f->st, DOMAIN), 0);
	router_route(r, home, &req, res);
	router_free(r);
	dialplan_free(dp);
}

/* Bridge target lists: groups and leg timeouts per target, unreachable targets skipped, the
 * early answer, codec variables from the plan, the bridge's {...} and the directory. */
static void test_bridge_lists(void **state)
{
	struct fx *f = *state;
	su_home_t *home = su_home_new(sizeof(*home));
	struct route_result res;
	const struct route_var dir_vars[] = {{"codec_string", "G722"}};

	bind_user(f, "1001", "sip:1001@192.0.2.1:5060", "192.0.2.1", 5060, "udp", false, 600);
	bind_user(f, "1002", "sip:1002@192.0.2.2:5060", "192.0.2.2", 5060, "udp", false, 600);
	bind_user(f, "1003", "sip:1003@192.0.2.3:5060", "192.0.2.3", 5060, "udp", false, 600);

	route_plan(f, home, "7001", NULL, 0, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.early, ROUTE_EARLY_PRE_ANSWER);
	assert_int_equal(res.n_targets, 3); /* 1004 is not a user: skipped */
	assert_string_equal(res.targets[0].ruri, "sip:1001@192.0.2.1:5060");
	assert_int_equal(res.targets[0].group, 0);
	assert_int_equal(res.targets[0].leg_timeout_s, 5);
	assert_string_equal(res.targets[1].ruri, "sip:1002@192.0.2.2:5060");
	assert_int_equal(res.targets[1].group, 0);
	assert_int_equal(res.targets[1].leg_timeout_s, 9);
	assert_string_equal(res.targets[2].ruri, "sip:1003@192.0.2.3:5060");
	assert_int_equal(res.targets[2].group, 1);
	assert_int_equal(res.targets[2].leg_timeout_s, 9);
	assert_string_equal(res.callee, "1001");
	assert_null(res.codec_string);

	route_plan(f, home, "7002", NULL, 0, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.n_targets, 1);
	assert_int_equal(res.targets[0].group, 1);
	assert_int_equal(res.early, ROUTE_EARLY_NONE);

	route_plan(f, home, "7003", NULL, 0, &res);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.cause, HANGUP_CAUSE_UNALLOCATED_NUMBER);

	route_plan(f, home, "7004", NULL, 0, &res);
	assert_int_equal(res.status, 404);
	assert_int_equal(res.cause, HANGUP_CAUSE_INVALID_NUMBER_FORMAT);

	route_plan(f, home, "7005", dir_vars, 1, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.codec_string, "PCMU"); /* the plan's set wins over the directory */
	assert_string_equal(res.absolute_codec_string, "PCMA,PCMU");

	route_plan(f, home, "7006", dir_vars, 1, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.early, ROUTE_EARLY_ANSWER);
	assert_string_equal(res.codec_string, "G722"); /* from the directory user */
	assert_null(res.absolute_codec_string);

	route_plan(f, home, "7007", NULL, 0, &res);
	assert_int_equal(res.status, 486);
	assert_null(res.program);
	su_home_unref(home);
}

/* A plan that waits (playback) leaves its actions from there on and its variables for the
 * call's executor; one that only sets a hook variable and bridges keeps the variables too. */
static void test_programs(void **state)
{
	struct fx *f = *state;
	su_home_t *home = su_home_new(sizeof(*home));
	struct route_result res;

	bind_user(f, "1001", "sip:1001@192.0.2.1:5060", "192.0.2.1", 5060, "udp", false, 600);
	route_plan(f, home, "7008", NULL, 0, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.n_targets, 0);
	assert_int_equal(res.early, ROUTE_EARLY_ANSWER);
	assert_non_null(res.program);
	assert_int_equal(res.program->next, 2);
	assert_string_equal(res.program->dr.actions[res.program->next].application, "playback");
	assert_string_equal(dialplan_vars_get(&res.program->vars, "x"), "1");
	route_program_free(res.program);

	route_plan(f, home, "7009", NULL, 0, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.n_targets, 1);
	assert_non_null(res.program);
	assert_int_equal(res.program->next, res.program->dr.n_actions);
	assert_string_equal(dialplan_vars_get(&res.program->vars, "execute_on_answer"),
	                    "record_session a.wav");
	route_program_free(res.program);

	route_plan(f, home, "7006", NULL, 0, &res);
	assert_int_equal(res.status, 0);
	assert_null(res.program);
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
	    cmocka_unit_test_setup_teardown(test_bridge_lists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_programs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_srtp_policy_of_b_legs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
