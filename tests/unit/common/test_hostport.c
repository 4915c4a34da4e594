/* hostport.c: IPv6 literals in brackets, everything else as it is, never a cut string. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hostport.h"

static void test_v4_and_names(void **state)
{
	char b[HOSTPORT_LEN];

	(void)state;
	assert_int_equal(hostport_format(b, sizeof(b), "127.0.0.1", 5060), 14);
	assert_string_equal(b, "127.0.0.1:5060");
	assert_int_equal(hostport_format(b, sizeof(b), "sip.example.com", 5061), 20);
	assert_string_equal(b, "sip.example.com:5061");
	assert_int_equal(hostport_host(b, sizeof(b), "192.0.2.1"), 9);
	assert_string_equal(b, "192.0.2.1");
}

static void test_v6_bracketed(void **state)
{
	char b[HOSTPORT_LEN];

	(void)state;
	assert_int_equal(hostport_format(b, sizeof(b), "::1", 5060), 10);
	assert_string_equal(b, "[::1]:5060");
	assert_int_equal(hostport_host(b, sizeof(b), "2001:db8::7"), 13);
	assert_string_equal(b, "[2001:db8::7]");
	/* Already bracketed: kept, never doubled. */
	assert_int_equal(hostport_format(b, sizeof(b), "[::1]", 5070), 10);
	assert_string_equal(b, "[::1]:5070");
	assert_true(hostport_is_v6("fe80::1"));
	assert_false(hostport_is_v6("[fe80::1]"));
	assert_false(hostport_is_v6("10.0.0.1"));
	assert_false(hostport_is_v6(NULL));
}

static void test_longest_v6_fits(void **state)
{
	char b[HOSTPORT_LEN];
	const char *longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";

	(void)state;
	assert_true(hostport_format(b, sizeof(b), longest, 65535) > 0);
	assert_string_equal(b, "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535");
}

static void test_same_host(void **state)
{
	(void)state;
	assert_true(hostport_same_host("[::1]", "::1"));
	assert_true(hostport_same_host("::1", "[::1]"));
	assert_true(hostport_same_host("[2001:DB8::1]", "[2001:db8::1]"));
	assert_true(hostport_same_host("Example.COM", "example.com"));
	assert_false(hostport_same_host("[::1]", "::2"));
	assert_false(hostport_same_host("[::1", "::1"));
	assert_false(hostport_same_host("127.0.0.1", "127.0.0.10"));
	assert_false(hostport_same_host(NULL, "::1"));
	assert_false(hostport_same_host("::1", NULL));
}

static void test_errors(void **state)
{
	char b[8];

	(void)state;
	assert_int_equal(hostport_format(b, sizeof(b), "2001:db8::1", 5060), -ENOSPC);
	assert_string_equal(b, "");
	assert_int_equal(hostport_format(b, sizeof(b), "", 5060), -EINVAL);
	assert_int_equal(hostport_format(b, sizeof(b), NULL, 5060), -EINVAL);
	assert_string_equal(b, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4_and_names),    cmocka_unit_test(test_v6_bracketed),
	    cmocka_unit_test(test_longest_v6_fits), cmocka_unit_test(test_same_host),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
