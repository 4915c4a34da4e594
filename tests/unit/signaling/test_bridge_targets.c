/* bridge_targets.c: FreeSWITCH dial strings with simultaneous (,) and failover (|) targets,
 * per-leg [var=value] and all-leg {var=value} variables, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bridge_targets.h"

static void test_single(void **state)
{
	struct bridge_list l;
	char err[128];

	(void)state;
	assert_int_equal(bridge_targets_parse("user/1001", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.n_groups, 1);
	assert_string_equal(l.t[0].dial, "user/1001");
	assert_int_equal(l.t[0].group, 0);
	assert_int_equal(l.t[0].vars.n, 0);
	assert_null(bridge_target_var(&l, &l.t[0], "leg_timeout"));
	bridge_targets_free(&l);
}

static void test_simultaneous_and_failover(void **state)
{
	struct bridge_list l;
	char err[128];

	(void)state;
	assert_int_equal(bridge_targets_parse(" user/1001 , user/1002@example.com|user/1003,"
	                                      "user/1004 | user/1005",
	                                      &l, err, sizeof(err)),
	                 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.n_groups, 3);
	assert_string_equal(l.t[0].dial, "user/1001");
	assert_string_equal(l.t[1].dial, "user/1002@example.com");
	assert_string_equal(l.t[2].dial, "user/1003");
	assert_string_equal(l.t[3].dial, "user/1004");
	assert_string_equal(l.t[4].dial, "user/1005");
	assert_int_equal(l.t[0].group, 0);
	assert_int_equal(l.t[1].group, 0);
	assert_int_equal(l.t[2].group, 1);
	assert_int_equal(l.t[3].group, 1);
	assert_int_equal(l.t[4].group, 2);
	bridge_targets_free(&l);
	assert_int_equal(l.n, 0);
}

static void test_variables(void **state)
{
	struct bridge_list l;
	char err[128];

	(void)state;
	assert_int_equal(
	    bridge_targets_parse("{leg_timeout=30, absolute_codec_string='PCMA,PCMU'}"
	                         "[leg_timeout=10]user/1001,[x=a\\,b , y = ]user/1002|user/1003",
	                         &l, err, sizeof(err)),
	    0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.global.n, 2);
	assert_string_equal(bridge_vars_get(&l.global, "absolute_codec_string"), "PCMA,PCMU");
	assert_string_equal(bridge_target_var(&l, &l.t[0], "leg_timeout"), "10");
	assert_string_equal(bridge_target_var(&l, &l.t[1], "leg_timeout"), "30");
	assert_string_equal(bridge_target_var(&l, &l.t[2], "leg_timeout"), "30");
	assert_string_equal(bridge_target_var(&l, &l.t[1], "x"), "a,b");
	assert_string_equal(bridge_target_var(&l, &l.t[1], "y"), "");
	assert_null(bridge_target_var(&l, &l.t[0], "x"));
	assert_string_equal(l.t[1].dial, "user/1002");
	assert_int_equal(l.t[2].group, 1);
	bridge_targets_free(&l);
}

static void test_errors(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"", "empty target (target 1)"},
	    {"user/1001,", "empty target (target 2)"},
	    {"user/1001||user/1002", "empty target (target 2)"},
	    {"[leg_timeout=10]", "empty target"},
	    {"[leg_timeout=10 user/1001", "'[' not closed"},
	    {"[leg_timeout]user/1001", "'leg_timeout' in [...] is not name=value"},
	    {"[=1]user/1001", "'' in [...] is not name=value"},
	    {"{a=1", "'{' not closed"},
	    {"user/1001,{a=1}user/1002", "{...} only at the start of the list"},
	    {"user/1001{a=1}", "'{' after target 'user/1001'"},
	    {"user/1001[a=1]", "'[' after target 'user/1001'"},
	    {"[a='1]user/1001", "unclosed quote"},
	    {"[a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9]u/1", "more than 8 variables"},
	    {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "more than 16 targets"},
	};
	struct bridge_list l;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = bridge_targets_parse(cases[i].in, &l, err, sizeof(err));

		if (rc != -EINVAL || !strstr(err, cases[i].want))
			fail_msg("'%s': %d '%s', want '%s'", cases[i].in, rc, err, cases[i].want);
		assert_int_equal(l.n, 0);
	}
	assert_int_equal(bridge_targets_parse(NULL, &l, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single),
	    cmocka_unit_test(test_simultaneous_and_failover),
	    cmocka_unit_test(test_variables),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
