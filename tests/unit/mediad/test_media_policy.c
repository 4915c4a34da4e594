/* media_policy.c: the node's own relay ports, the default deny list on and off loopback, the
 * configured allow and deny lists, and the errors a bad list gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "media_policy.h"

static struct media_policy pol;
static char why[160];

static int init(const char *bind, const char *adv, const char *allow, const char *deny)
{
	return media_policy_init(&pol, bind, adv, 30000, 39999, allow, deny, why, sizeof(why));
}

static int check(const char *ip, unsigned port)
{
	struct net_addr a;

	assert_int_equal(net_addr_parse(ip, port, &a), 0);
	why[0] = '\0';
	return media_policy_check(&pol, &a, why, sizeof(why));
}

static void test_loopback_node(void **state)
{
	(void)state;
	assert_int_equal(init("127.0.0.1", "127.0.0.1", NULL, NULL), 0);
	assert_int_equal(media_policy_track(&pol), 0);
	/* Phones on this host: fine, even on a port of the range the node does not hold (the
	 * phone holds it), but not on a port the node holds. */
	assert_int_equal(check("127.0.0.1", 4000), 0);
	assert_int_equal(check("127.0.0.1", 30000), 0);
	atomic_store(&pol.held[30000], 1);
	atomic_store(&pol.held[39999], 1);
	atomic_store(&pol.held[29999], 1); /* not in the range: not the node's */
	assert_int_equal(check("127.0.0.1", 30000), -EACCES);
	assert_non_null(strstr(why, "own relay ports"));
	assert_int_equal(check("127.0.0.1", 39999), -EACCES);
	assert_int_equal(check("127.0.0.1", 29999), 0);
	assert_int_equal(check("127.0.0.1", 40000), 0);
	atomic_store(&pol.held[30000], 0);
	assert_int_equal(check("127.0.0.1", 30000), 0);
	/* Another loopback address is not the node's socket. */
	assert_int_equal(check("127.0.0.2", 30000), 0);
	assert_int_equal(check("169.254.1.1", 4000), -EACCES);
	assert_non_null(strstr(why, "169.254.0.0/16"));
	assert_int_equal(check("10.1.2.3", 30000), 0);
	media_policy_free(&pol);
}

static void test_public_node_defaults(void **state)
{
	(void)state;
	assert_int_equal(init("192.0.2.10", "203.0.113.5", NULL, NULL), 0);
	assert_int_equal(check("127.0.0.1", 4000), -EACCES);
	assert_non_null(strstr(why, "127.0.0.0/8"));
	assert_int_equal(check("::1", 4000), -EACCES);
	assert_int_equal(check("fe80::1", 4000), -EACCES);
	assert_int_equal(check("::ffff:127.0.0.1", 4000), -EACCES);
	assert_int_equal(check("239.1.1.1", 4000), -EACCES);
	assert_int_equal(check("0.1.2.3", 4000), -EACCES);
	/* The node's own and advertised addresses, in its range or not (e.g. signald's port). */
	assert_int_equal(check("192.0.2.10", 31000), -EACCES);
	assert_non_null(strstr(why, "own relay ports"));
	assert_int_equal(check("203.0.113.5", 31000), -EACCES);
	assert_int_equal(check("192.0.2.10", 5060), -EACCES);
	assert_int_equal(check("192.0.2.11", 31000), 0);
	assert_int_equal(check("10.0.0.5", 4000), 0);
	assert_int_equal(check("2001:db8::5", 4000), 0);
}

static void test_configured_lists(void **state)
{
	(void)state;
	assert_int_equal(init("10.0.0.1", NULL, "10.0.0.0/8, 192.168.0.0/16", "10.9.0.0/16"), 0);
	assert_int_equal(check("10.1.1.1", 4000), 0);
	assert_int_equal(check("192.168.7.7", 4000), 0);
	assert_int_equal(check("10.9.3.3", 4000), -EACCES);
	assert_non_null(strstr(why, "media_deny (10.9.0.0/16)"));
	assert_int_equal(check("172.16.0.1", 4000), -EACCES);
	assert_non_null(strstr(why, "media_allow"));
	/* An explicit deny list replaces the default one: "none" denies nothing. */
	assert_int_equal(init("10.0.0.1", NULL, NULL, "none"), 0);
	assert_int_equal(check("127.0.0.1", 4000), 0);
	assert_int_equal(check("10.0.0.1", 30002), -EACCES); /* own relay ports, always */
	/* Prefixes that do not end on a byte boundary. */
	assert_int_equal(init("10.0.0.1", NULL, NULL, "10.0.0.64/27 2001:db8:8000::/33"), 0);
	assert_int_equal(check("10.0.0.63", 4000), 0);
	assert_int_equal(check("10.0.0.64", 4000), -EACCES);
	assert_int_equal(check("10.0.0.95", 4000), -EACCES);
	assert_int_equal(check("10.0.0.96", 4000), 0);
	assert_int_equal(check("2001:db8:7fff::1", 4000), 0);
	assert_int_equal(check("2001:db8:8000::1", 4000), -EACCES);
}

static void test_bad_lists(void **state)
{
	(void)state;
	assert_int_equal(init("127.0.0.1", NULL, "10.0.0.0/33", NULL), -EINVAL);
	assert_non_null(strstr(why, "[rtp] media_allow: '10.0.0.0/33'"));
	assert_int_equal(init("127.0.0.1", NULL, NULL, "10.0.0.0/8 bogus"), -EINVAL);
	assert_non_null(strstr(why, "[rtp] media_deny: 'bogus'"));
	assert_int_equal(init("127.0.0.1", NULL, NULL, "10.0.0.0/"), -EINVAL);
}

static void test_wildcard_bind_counts_interfaces(void **state)
{
	(void)state;
	/* Every host has loopback: with a wildcard bind, 127.0.0.1 is one of the node's own, and
	 * the node is not loopback-bound, so its whole range counts. */
	assert_int_equal(init("0.0.0.0", NULL, NULL, "none"), 0);
	assert_int_equal(check("127.0.0.1", 30000), -EACCES);
	assert_int_equal(check("127.0.0.1", 4000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loopback_node),
	    cmocka_unit_test(test_public_node_defaults),
	    cmocka_unit_test(test_configured_lists),
	    cmocka_unit_test(test_bad_lists),
	    cmocka_unit_test(test_wildcard_bind_counts_interfaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
