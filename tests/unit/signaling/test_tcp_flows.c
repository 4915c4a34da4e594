/* tcp_flows.c: lookups after single adds and after a rebuild, duplicates, IPv6 keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "tcp_flows.h"

static void test_single_adds(void **state)
{
	struct tcp_flows *f;

	(void)state;
	assert_int_equal(tcp_flows_new(&f), 0);
	assert_false(tcp_flows_has(f, "127.0.0.1", 40000));
	assert_int_equal(tcp_flows_add(f, "127.0.0.1", 40000), 0);
	assert_int_equal(tcp_flows_add(f, "::1", 40000), 0);
	assert_int_equal(tcp_flows_add(f, "127.0.0.1", 40000), 0); /* again: no duplicate */
	assert_int_equal(tcp_flows_add(f, "10.0.0.1", 5060), 0);
	assert_true(tcp_flows_has(f, "127.0.0.1", 40000));
	assert_true(tcp_flows_has(f, "::1", 40000));
	assert_true(tcp_flows_has(f, "10.0.0.1", 5060));
	assert_false(tcp_flows_has(f, "127.0.0.1", 40001)); /* another connection of that host */
	assert_false(tcp_flows_has(f, "127.0.0.2", 40000));
	assert_false(tcp_flows_has(f, NULL, 40000));
	assert_int_equal(
	    tcp_flows_add(f, "x123456789x123456789x123456789x123456789x123456789x123456789", 1),
	    -EINVAL);
	tcp_flows_free(f);
	tcp_flows_free(NULL);
}

static void test_rebuild_forgets_closed(void **state)
{
	struct tcp_flows *f;
	char ip[32];

	(void)state;
	assert_int_equal(tcp_flows_new(&f), 0);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", i % 250);
		assert_int_equal(tcp_flows_add(f, ip, 10000 + i), 0);
	}
	assert_true(tcp_flows_has(f, "192.0.2.7", 10007));
	/* The sweep finds only the even ones still open, some twice. */
	tcp_flows_begin(f);
	assert_false(tcp_flows_has(f, "192.0.2.8", 10008)); /* nothing while rebuilding */
	for (unsigned i = 300; i-- > 0;) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", i % 250);
		if (i % 2 == 0) {
			assert_int_equal(tcp_flows_add(f, ip, 10000 + i), 0);
			assert_int_equal(tcp_flows_add(f, ip, 10000 + i), 0);
		}
	}
	tcp_flows_end(f);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%u", i % 250);
		assert_int_equal(tcp_flows_has(f, ip, 10000 + i), i % 2 == 0);
	}
	/* A REGISTER after the rebuild is found at once. */
	assert_int_equal(tcp_flows_add(f, "192.0.2.7", 10007), 0);
	assert_true(tcp_flows_has(f, "192.0.2.7", 10007));
	/* An empty sweep empties the set. */
	tcp_flows_begin(f);
	tcp_flows_end(f);
	assert_false(tcp_flows_has(f, "192.0.2.7", 10007));
	tcp_flows_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_adds),
	    cmocka_unit_test(test_rebuild_forgets_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
