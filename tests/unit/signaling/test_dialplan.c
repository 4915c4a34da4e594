/* dialplan.c, dialplan_hunt.c: loading (both roots, every refusal with file, line and element)
 * and hunting with FreeSWITCH's semantics, on temporary files and on the shipped demo plan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dialplan.h"
#include "signald_config.h"

static char tmp_path[64];

static const char *write_plan(const char *xml)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/tandem-dialplan-XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	return tmp_path;
}

static struct dialplan *load(const char *xml)
{
	struct dialplan *dp = NULL;
	char err[512] = "";
	int rc = dialplan_load(&dp, write_plan(xml), err, sizeof(err));

	unlink(tmp_path);
	if (rc)
		fail_msg("load failed (%d): %s", rc, err);
	return dp;
}

/* Loads xml expecting an error; returns it with the temporary path replaced by "FILE". */
static int load_err(const char *xml, char *err, size_t len)
{
	struct dialplan *dp = (struct dialplan *)1;
	char raw[512] = "";
	int rc = dialplan_load(&dp, write_plan(xml), raw, sizeof(raw));
	const char *rest = strncmp(raw, tmp_path, strlen(tmp_path)) ? raw : raw + strlen(tmp_path);

	unlink(tmp_path);
	assert_null(dp);
	snprintf(err, len, "FILE%s", rest);
	return rc;
}

/* Hunts and renders the actions as "app(data) app(data)". */
static const char *hunt(const struct dialplan *dp, const struct dialplan_caller *caller,
                        struct dialplan_vars *vars)
{
	static char text[1024];
	struct dialplan_result r;
	char err[256];
	size_t len = 0;
	int rc = dialplan_hunt(dp, caller, vars, &r, err, sizeof(err));

	if (rc)
		fail_msg("hunt failed (%d): %s", rc, err);
	text[0] = '\0';
	for (unsigned i = 0; i < r.n_actions; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s(%s)", i ? " " : "",
		                        r.actions[i].application, r.actions[i].data);
	dialplan_result_free(&r);
	return text;
}

static const char *dest(const struct dialplan *dp, const char *number)
{
	struct dialplan_caller c = {.destination_number = number};
	struct dialplan_vars vars = {0};
	const char *out = hunt(dp, &c, &vars);

	dialplan_vars_clear(&vars);
	return out;
}

#define PLAN(body) "<include><context name=\"default\">" body "</context></include>"

static void test_demo_plan(void **state)
{
	char path[512], err[256];
	struct dialplan *dp;
	struct dialplan_caller c = {.destination_number = "1007"};
	struct dialplan_vars vars = {0};
	struct dialplan_result r;

	(void)state;
	snprintf(path, sizeof(path), "%s/deploy/demo/dialplan.xml", TANDEM_SRC);
	assert_int_equal(dialplan_load(&dp, path, err, sizeof(err)), 0);
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), 0);
	assert_string_equal(r.context, "default");
	assert_string_equal(r.extension, "local");
	assert_int_equal(r.n_actions, 1);
	assert_string_equal(r.actions[0].application, "bridge");
	assert_string_equal(r.actions[0].data, "user/1007");
	assert_int_equal(dialplan_app_of(r.actions[0].application), DIALPLAN_APP_BRIDGE);
	dialplan_result_free(&r);
	assert_string_equal(dest(dp, "1000"), "bridge(user/1000)");
	assert_string_equal(dest(dp, "1019"), "bridge(user/1019)");
	assert_string_equal(dest(dp, "1020"),
	                    "set(unallocated_number=1020) hangup(UNALLOCATED_NUMBER)");
	assert_string_equal(dest(dp, "10000"),
	                    "set(unallocated_number=10000) hangup(UNALLOCATED_NUMBER)");
	dialplan_free(dp);
}

/* The demo configuration names the demo plan, and it loads. */
static void test_demo_config_names_demo_plan(void **state)
{
	struct signald_config cfg;
	struct dialplan *dp;
	char path[512], err[CFG_ERR_LEN];

	(void)state;
	snprintf(path, sizeof(path), "%s/deploy/demo/signald.ini", TANDEM_SRC);
	assert_int_equal(signald_config_load(&cfg, path, NULL, 0, err, sizeof(err)), 0);
	assert_non_null(cfg.dialplan_file);
	assert_int_equal(dialplan_load(&dp, cfg.dialplan_file, err, sizeof(err)), 0);
	assert_string_equal(dest(dp, "1001"), "bridge(user/1001)");
	dialplan_free(dp);
	signald_config_free(&cfg);
}

static void test_document_wrapper(void **state)
{
	struct dialplan *dp =
	    load("<?xml version=\"1.0\"?>\n"
	         "<document type=\"freeswitch/xml\">\n"
	         "  <section name=\"directory\"><domain name=\"x\"/></section>\n"
	         "  <section name=\"dialplan\" description=\"Regex/XML Dialplan\">\n"
	         "    <include><context name=\"default\">\n"
	         "      <extension name=\"e\"><condition field=\"destination_number\" "
	         "expression=\"^1$\"><action application=\"answer\"/></condition></extension>\n"
	         "    </context></include>\n"
	         "  </section>\n"
	         "</document>\n");

	(void)state;
	assert_string_equal(dest(dp, "1"), "answer()");
	assert_string_equal(dest(dp, "2"), "");
	dialplan_free(dp);
}

static void test_continue(void **state)
{
	struct dialplan *dp = load(PLAN(
	    "<extension name=\"tag\" continue=\"true\"><condition field=\"destination_number\" "
	    "expression=\"^(\\d+)$\"><action application=\"set\" data=\"dialed=$1\"/></condition>"
	    "</extension>"
	    "<extension name=\"route\"><condition field=\"destination_number\" "
	    "expression=\"^2(\\d+)$\"><action application=\"bridge\" data=\"user/$1\"/></condition>"
	    "</extension>"
	    "<extension name=\"never-reached\"><condition field=\"destination_number\" "
	    "expression=\"\"><action application=\"hangup\"/></condition></extension>"));
	struct dialplan_caller c = {.destination_number = "21000"};
	struct dialplan_vars vars = {0};
	struct dialplan_result r;
	char err[128];

	(void)state;
	assert_string_equal(dest(dp, "21000"), "set(dialed=21000) bridge(user/1000)");
	/* "tag" matches but continues; "route" fails; the catch-all ends the hunt */
	assert_string_equal(dest(dp, "31000"), "set(dialed=31000) hangup()");
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), 0);
	assert_string_equal(r.extension, "tag"); /* the first that matched */
	dialplan_result_free(&r);
	dialplan_free(dp);
}

/* Several conditions: with the default break="on-false" the actions of the last condition run
 * only when all pass; FreeSWITCH keeps actions of earlier passing conditions all the same. */
static void test_conditions_and(void **state)
{
	struct dialplan *dp = load(PLAN(
	    "<extension name=\"both\">"
	    "<condition field=\"caller_id_number\" expression=\"^1000$\"/>"
	    "<condition field=\"destination_number\" expression=\"^(5\\d\\d)$\">"
	    "<action application=\"bridge\" data=\"user/$1\"/></condition></extension>"
	    "<extension name=\"other\"><condition field=\"destination_number\" expression=\".\">"
	    "<action application=\"hangup\" data=\"CALL_REJECTED\"/></condition></extension>"));
	struct dialplan_caller c = {.destination_number = "501", .caller_id_number = "1000"};
	struct dialplan_vars vars = {0};

	(void)state;
	assert_string_equal(hunt(dp, &c, &vars), "bridge(user/501)");
	c.caller_id_number = "1001";
	assert_string_equal(hunt(dp, &c, &vars), "hangup(CALL_REJECTED)");
	c.caller_id_number = "1000";
	c.destination_number = "601";
	assert_string_equal(hunt(dp, &c, &vars), "hangup(CALL_REJECTED)");
	dialplan_free(dp);
}

static void test_break_and_anti_actions(void **state)
{
	struct dialplan *dp = load(
	    PLAN("<extension name=\"x\">"
	         /* never: a failure neither stops the extension nor skips the next condition */
	         "<condition field=\"destination_number\" expression=\"^1\" break=\"never\">"
	         "<action application=\"log\" data=\"starts-with-1\"/>"
	         "<anti-action application=\"log\" data=\"not-1\"/></condition>"
	         /* on-true: a match stops here, so the third condition is skipped */
	         "<condition field=\"destination_number\" expression=\"^.2\" break=\"on-true\">"
	         "<action application=\"log\" data=\"second-is-2\"/>"
	         "<anti-action application=\"log\" data=\"second-not-2\"/></condition>"
	         "<condition field=\"destination_number\" expression=\"^..3$\">"
	         "<action application=\"answer\"/>"
	         "<anti-action application=\"hangup\" data=\"USER_BUSY\"/></condition>"
	         "</extension>"
	         "<extension name=\"after\"><condition><action application=\"log\" data=\"after\"/>"
	         "</condition></extension>"));

	(void)state;
	assert_string_equal(dest(dp, "123"), "log(starts-with-1) log(second-is-2)");
	assert_string_equal(dest(dp, "923"), "log(not-1) log(second-is-2)");
	assert_string_equal(dest(dp, "133"), "log(starts-with-1) log(second-not-2) answer()");
	/* last condition fails: anti-action, the extension did not match, hunting goes on */
	assert_string_equal(dest(dp, "134"),
	                    "log(starts-with-1) log(second-not-2) hangup(USER_BUSY) log(after)");
	dialplan_free(dp);
}

static void test_break_always(void **state)
{
	struct dialplan *dp = load(
	    PLAN("<extension name=\"x\"><condition field=\"destination_number\" expression=\"^1\" "
	         "break=\"always\"><action application=\"log\" data=\"a\"/>"
	         "<anti-action application=\"log\" data=\"b\"/></condition>"
	         "<condition><action application=\"log\" data=\"c\"/></condition></extension>"
	         "<extension name=\"y\"><condition><action application=\"log\" data=\"d\"/>"
	         "</condition></extension>"));

	(void)state;
	assert_string_equal(dest(dp, "1"), "log(a)");        /* matched: hunt ends */
	assert_string_equal(dest(dp, "2"), "log(b) log(d)"); /* failed: next extension */
	dialplan_free(dp);
}

static void test_substitution(void **state)
{
	struct dialplan *dp = load(PLAN(
	    "<extension name=\"s\"><condition field=\"destination_number\" "
	    "expression=\"^(\\d)(\\d)(\\d)(x)?(\\d)(\\d)(\\d)(\\d)(\\d)(\\d)$\">"
	    "<action application=\"log\" data=\"$1-$2-$3[$4]$5 ${10}$10 ${var} $ $x $$1 \\$9\"/>"
	    "<action application=\"log\">text $0</action>"
	    "</condition></extension>"
	    "<extension name=\"nogroup\"><condition field=\"destination_number\" "
	    "expression=\"^a\"><action application=\"log\" data=\"$1 $0\"/></condition>"
	    "</extension>"));

	(void)state;
	assert_string_equal(dest(dp, "123456789"),
	                    "log(1-2-3[]4 99 ${var} $ $x $1 \\8) log(text 123456789)");
	assert_string_equal(dest(dp, "abc"), "log($1 $0)"); /* no group: left as written */
	dialplan_free(dp);
}

static void test_variables_and_inline_set(void **state)
{
	struct dialplan *dp = load(
	    PLAN("<extension name=\"v\" continue=\"true\"><condition field=\"destination_number\" "
	         "expression=\"^(\\d+)$\">"
	         "<action application=\"set\" data=\"target=$1\" inline=\"true\"/>"
	         "<action application=\"set\" data=\"later=yes\"/>"
	         "<action application=\"set\" data=\"copy=${existing}-${target}\" inline=\"true\"/>"
	         "</condition></extension>"
	         "<extension name=\"uses\"><condition field=\"${target}\" expression=\"^9(\\d+)$\">"
	         "<action application=\"bridge\" data=\"user/$1 ${target}\"/></condition>"
	         "<condition field=\"${later}\" expression=\"^$\"/></extension>"));
	struct dialplan_caller c = {.destination_number = "91000"};
	struct dialplan_vars vars = {0};

	(void)state;
	assert_int_equal(dialplan_vars_set(&vars, "existing", "e"), 0);
	assert_string_equal(hunt(dp, &c, &vars), "set(later=yes) bridge(user/1000 ${target})");
	assert_string_equal(dialplan_vars_get(&vars, "target"), "91000");
	assert_string_equal(dialplan_vars_get(&vars, "copy"), "e-91000");
	assert_null(dialplan_vars_get(&vars, "later")); /* listed, not executed */
	dialplan_vars_clear(&vars);
	dialplan_free(dp);
}

static void test_caller_fields(void **state)
{
	struct dialplan *dp =
	    load(PLAN("<extension name=\"f\">"
	              "<condition field=\"caller_id_name\" expression=\"^Alice$\"/>"
	              "<condition field=\"network_addr\" expression=\"^127\\.\"/>"
	              "<condition field=\"context\" expression=\"^default$\"/>"
	              "<condition field=\"destination_number\" expression=\"^$\">"
	              "<action application=\"answer\"/></condition></extension>"));
	struct dialplan_caller c = {.caller_id_name = "Alice", .network_addr = "127.0.0.1"};
	struct dialplan_vars vars = {0};

	(void)state;
	assert_string_equal(hunt(dp, &c, &vars), "answer()"); /* NULL number reads as "" */
	c.network_addr = "10.0.0.1";
	assert_string_equal(hunt(dp, &c, &vars), "");
	dialplan_free(dp);
}

static void test_contexts(void **state)
{
	struct dialplan *dp =
	    load("<include><context name=\"public\"><extension name=\"p\"><condition>"
	         "<action application=\"log\" data=\"public\"/></condition></extension></context>"
	         "<include><context name=\"global\"><extension name=\"g\"><condition>"
	         "<action application=\"log\" data=\"global\"/></condition></extension></context>"
	         "</include>"
	         "<context name=\"public\"><extension><condition><action application=\"log\" "
	         "data=\"merged\"/></condition></extension></context></include>");
	struct dialplan_caller c = {.context = "public"};
	struct dialplan_vars vars = {0};
	struct dialplan_result r;
	char err[256];

	(void)state;
	assert_string_equal(hunt(dp, &c, &vars), "log(public)");
	c.context = "nowhere";
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), 0);
	assert_string_equal(r.context, "global");
	assert_string_equal(r.actions[0].data, "global");
	dialplan_result_free(&r);
	dialplan_free(dp);

	dp = load("<include><context name=\"public\"><extension><condition field=\"context\" "
	          "expression=\"x\"/></extension>"
	          "<extension><condition><action application=\"log\" data=\"2nd\"/></condition>"
	          "</extension></context>"
	          "<context name=\"public\"><extension><condition><action application=\"log\" "
	          "data=\"merged\"/></condition></extension></context></include>");
	c.context = "public";
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), 0);
	assert_string_equal(r.extension, "_anon_");
	dialplan_result_free(&r);
	c.context = "nowhere";
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no context 'nowhere' (nor 'global')"));
	assert_int_equal(r.n_actions, 0);
	dialplan_free(dp);
}

static void test_merged_contexts_keep_order(void **state)
{
	struct dialplan *dp =
	    load("<include><context name=\"default\"><extension name=\"a\" continue=\"true\">"
	         "<condition><action application=\"log\" data=\"1\"/></condition></extension>"
	         "</context><context name=\"default\"><extension name=\"b\"><condition>"
	         "<action application=\"log\" data=\"2\"/></condition></extension></context>"
	         "</include>");

	(void)state;
	assert_string_equal(dest(dp, "x"), "log(1) log(2)");
	dialplan_free(dp);
}

static void test_expression_element_and_text_data(void **state)
{
	struct dialplan *dp =
	    load(PLAN("<extension name=\"e\"><condition field=\"destination_number\">"
	              "<expression><![CDATA[^(1|2)<x>$]]></expression>"
	              "<action application=\"log\" data=\"ignored\">  from text $1 </action>"
	              "<action application=\"answer\" data=\"\"/></condition></extension>"));

	(void)state;
	assert_string_equal(dest(dp, "2<x>"), "log(from text 2) answer()");
	assert_string_equal(dest(dp, "3<x>"), "");
	dialplan_free(dp);
}

/* A catastrophic regex against a long number fails the hunt in bounded time. */
static void test_regex_limits(void **state)
{
	struct dialplan *dp =
	    load(PLAN("<extension name=\"r\"><condition "
	              "field=\"destination_number\" expression=\"^(a+)+$\">"
	              "<action application=\"answer\"/></condition></extension>"));
	struct dialplan_caller c = {.destination_number = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"};
	struct dialplan_vars vars = {0};
	struct dialplan_result r;
	char err[256];
	time_t start = time(NULL);

	(void)state;
	assert_int_equal(dialplan_hunt(dp, &c, &vars, &r, err, sizeof(err)), -EIO);
	assert_true(time(NULL) - start < 10);
	assert_non_null(strstr(err, ":1: <condition field=\"destination_number\">: regex '^(a+)+$' "
	                            "failed on 'aaaa"));
	assert_int_equal(r.n_actions, 0);
	dialplan_free(dp);
}

static void test_load_errors(void **state)
{
	static const struct {
		const char *xml;
		int err;
		const char *want;
	} cases[] = {
	    {"<include><context name=\"d\">\n<extension>\n</include>", -EINVAL,
	     "FILE:3: Opening and ending tag mismatch: extension line 2 and include"},
	    {"", -EINVAL, "FILE:1: Document is empty"},
	    {"<dialplan/>", -EINVAL,
	     "FILE:1: <dialplan>: the root must be <include> or <document "
	     "type=\"freeswitch/xml\">"},
	    {"<include/>", -EINVAL, "FILE:1: <include>: no <context> in the dialplan"},
	    {"<document type=\"other\"/>", -EINVAL,
	     "FILE:1: <document>: type is not freeswitch/xml"},
	    {"<include>\n<context/></include>", -EINVAL,
	     "FILE:2: <context>: context without a name"},
	    {"<include><context name=\"d\">\n<extention/></context></include>", -EINVAL,
	     "FILE:2: <extention>: unknown element inside <context>"},
	    {PLAN("<extension name=\"e\" contine=\"true\"/>"), -EINVAL,
	     "FILE:1: <extension name=\"e\">: attribute 'contine' is not supported"},
	    {PLAN("<extension name=\"e\" continue=\"maybe\"/>"), -EINVAL,
	     "<extension name=\"e\">: continue=\"maybe\" is neither true nor false"},
	    {PLAN("<extension name=\"e\"><conditon/></extension>"), -EINVAL,
	     "<conditon>: unknown element inside <extension>"},
	    {PLAN("<extension><condition field=\"destination_numbr\" expression=\"1\"/>"
	          "</extension>"),
	     -EINVAL, "<condition field=\"destination_numbr\">: unknown field 'destination_numbr'"},
	    {PLAN("<extension><condition field=\"destination_number\" expression=\"^(1\"/>"
	          "</extension>"),
	     -EINVAL,
	     "<condition field=\"destination_number\">: bad expression '^(1': missing closing "
	     "parenthesis at offset 3"},
	    {PLAN("<extension><condition field=\"destination_number\" break=\"sometimes\"/>"
	          "</extension>"),
	     -EINVAL, "break=\"sometimes\" is not on-false, on-true, always or never"},
	    {PLAN("<extension><condition expression=\"1\"/></extension>"), -EINVAL,
	     "<condition>: expression without field"},
	    {PLAN("<extension><condition wday=\"1-5\"/></extension>"), -EINVAL,
	     "<condition>: attribute 'wday' is not supported"},
	    {PLAN("<extension><condition><condition/></condition></extension>"), -EINVAL,
	     "<condition>: nested conditions are not supported"},
	    {PLAN("<extension><condition regex=\"any\"/></extension>"), -EINVAL,
	     "attribute 'regex' is not supported"},
	    {PLAN("<extension><condition><regex field=\"x\"/></condition></extension>"), -EINVAL,
	     "<regex field=\"x\">: unknown element inside <condition>"},
	    {PLAN("<extension><condition><action data=\"x\"/></condition></extension>"), -EINVAL,
	     "<action>: no application"},
	    {PLAN("<extension><condition><action application=\"bridge\" data=\"user/1\" "
	          "inline=\"true\"/></condition></extension>"),
	     -EINVAL,
	     "<action application=\"bridge\">: application 'bridge' cannot run inline (only set "
	     "can)"},
	    {PLAN("<extension><condition><anti-action application=\"set\" loop=\"2\"/>"
	          "</condition></extension>"),
	     -EINVAL, "<anti-action application=\"set\">: attribute 'loop' is not supported"},
	    /* An application Tandem lacks: refused with the file, the line and the name. */
	    {"<include><context name=\"d\"><extension>\n<condition>\n\n"
	     "<action application=\"say\" data=\"en number\"/></condition></extension>"
	     "</context></include>",
	     -EINVAL,
	     "FILE:4: <action application=\"say\">: unknown application 'say' (Tandem runs "
	     "answer, bridge, echo, hangup, log, lua, playback, pre_answer, record_session, "
	     "ring_ready, set, sleep, stop_record_session)"},
	    {PLAN("<extension><condition field=\"destination_number\" expression=\"1\">"
	          "\n<anti-action application=\"transfer\" data=\"1000\"/></condition>"
	          "</extension>"),
	     -EINVAL, "FILE:2: <anti-action application=\"transfer\">: unknown application"},
	    {PLAN("<extension><condition><action application=\"set\" data=\"a=1\"/>"
	          "<action application=\"conference\" data=\"room\"/>"
	          "<action application=\"bridge\" data=\"user/1\"/></condition></extension>"),
	     -EINVAL, "<action application=\"conference\">: unknown application 'conference'"},
	    {PLAN("<extension><condition><action application=\"Bridge\" data=\"user/1\"/>"
	          "</condition></extension>"),
	     -EINVAL, "unknown application 'Bridge'"},
	    {"<include><X-PRE-PROCESS cmd=\"include\" data=\"x.xml\"/></include>", -EINVAL,
	     "<X-PRE-PROCESS>: unknown element where <context> was expected"},
	    {"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><include>&e;</include>",
	     -EINVAL, "no <context>"},
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load_err(cases[i].xml, err, sizeof(err));

		if (rc != cases[i].err || !strstr(err, cases[i].want))
			fail_msg("case %zu: %d '%s', want '%s'", i, rc, err, cases[i].want);
	}
}

static void test_missing_file(void **state)
{
	struct dialplan *dp = (struct dialplan *)1;
	char err[256];

	(void)state;
	assert_int_equal(dialplan_load(&dp, "/nonexistent/dialplan.xml", err, sizeof(err)),
	                 -ENOENT);
	assert_null(dp);
	assert_string_equal(err, "/nonexistent/dialplan.xml: No such file or directory");
	dialplan_free(NULL);
}

static void test_vars(void **state)
{
	struct dialplan_vars v = {0};
	char *out;

	(void)state;
	assert_int_equal(dialplan_vars_set(&v, "a", "1"), 0);
	assert_int_equal(dialplan_vars_set(&v, "b", "2"), 0);
	assert_int_equal(dialplan_vars_set(&v, "a", "3"), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(dialplan_vars_get(&v, "a"), "3");
	assert_int_equal(dialplan_vars_expand(&v, "x${a}y${b}${missing}${}${a ${b", &out), 0);
	assert_string_equal(out, "x3y2${}${a ${b");
	free(out);
	assert_int_equal(dialplan_vars_apply_set(&v, "c=${a}${b}"), 0);
	assert_string_equal(dialplan_vars_get(&v, "c"), "32");
	assert_int_equal(dialplan_vars_apply_set(&v, "d=x=y"), 0);
	assert_string_equal(dialplan_vars_get(&v, "d"), "x=y");
	assert_int_equal(dialplan_vars_apply_set(&v, "a="), 0); /* unset */
	assert_null(dialplan_vars_get(&v, "a"));
	assert_int_equal(dialplan_vars_apply_set(&v, "b"), 0); /* unset */
	assert_null(dialplan_vars_get(&v, "b"));
	assert_int_equal(dialplan_vars_apply_set(&v, "=x"), -EINVAL);
	assert_int_equal(dialplan_vars_apply_set(&v, ""), -EINVAL);
	assert_int_equal(dialplan_vars_set(&v, "never-set", NULL), 0);
	assert_int_equal(v.n, 2);
	dialplan_vars_clear(&v);
	assert_int_equal(v.n, 0);
	dialplan_vars_clear(&v);
}

static void test_app_of(void **state)
{
	(void)state;
	assert_int_equal(dialplan_app_of("bridge"), DIALPLAN_APP_BRIDGE);
	assert_int_equal(dialplan_app_of("set"), DIALPLAN_APP_SET);
	assert_int_equal(dialplan_app_of("hangup"), DIALPLAN_APP_HANGUP);
	assert_int_equal(dialplan_app_of("answer"), DIALPLAN_APP_ANSWER);
	assert_int_equal(dialplan_app_of("pre_answer"), DIALPLAN_APP_PRE_ANSWER);
	assert_int_equal(dialplan_app_of("ring_ready"), DIALPLAN_APP_RING_READY);
	assert_int_equal(dialplan_app_of("log"), DIALPLAN_APP_LOG);
	assert_int_equal(dialplan_app_of("lua"), DIALPLAN_APP_LUA);
	assert_true(dialplan_app_waits(DIALPLAN_APP_LUA));
	assert_int_equal(dialplan_app_of("playback"), DIALPLAN_APP_PLAYBACK);
	assert_int_equal(dialplan_app_of("record_session"), DIALPLAN_APP_RECORD_SESSION);
	assert_int_equal(dialplan_app_of("stop_record_session"), DIALPLAN_APP_STOP_RECORD_SESSION);
	assert_int_equal(dialplan_app_of("echo"), DIALPLAN_APP_ECHO);
	assert_int_equal(dialplan_app_of("sleep"), DIALPLAN_APP_SLEEP);
	assert_true(dialplan_app_waits(DIALPLAN_APP_PLAYBACK));
	assert_true(dialplan_app_waits(DIALPLAN_APP_SLEEP));
	assert_false(dialplan_app_waits(DIALPLAN_APP_BRIDGE));
	assert_false(dialplan_app_waits(DIALPLAN_APP_ANSWER));
	assert_int_equal(dialplan_app_of("Bridge"), DIALPLAN_APP_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_demo_plan),
	    cmocka_unit_test(test_demo_config_names_demo_plan),
	    cmocka_unit_test(test_document_wrapper),
	    cmocka_unit_test(test_continue),
	    cmocka_unit_test(test_conditions_and),
	    cmocka_unit_test(test_break_and_anti_actions),
	    cmocka_unit_test(test_break_always),
	    cmocka_unit_test(test_substitution),
	    cmocka_unit_test(test_variables_and_inline_set),
	    cmocka_unit_test(test_caller_fields),
	    cmocka_unit_test(test_contexts),
	    cmocka_unit_test(test_merged_contexts_keep_order),
	    cmocka_unit_test(test_expression_element_and_text_data),
	    cmocka_unit_test(test_regex_limits),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_vars),
	    cmocka_unit_test(test_app_of),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
