/* source_limit.c: a burst, then the rate; sources independent, IPv6 per /64; a spray of new
 * sources keeps the table bounded; rate 0 is off. Time is passed in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "source_limit.h"

static struct source_limit *make(unsigned rate, unsigned burst, size_t cap)
{
	struct source_limit_cfg cfg = {.rate = rate, .burst = burst, .capacity = cap};
	struct source_limit *sl;

	assert_int_equal(source_limit_new(&sl, &cfg), 0);
	return sl;
}

static unsigned allowed(struct source_limit *sl, const char *ip, int n, uint64_t now)
{
	unsigned ok = 0;

	for (int i = 0; i < n; i++)
		ok += source_limit_allow(sl, ip, now);
	return ok;
}

static void test_burst_then_rate(void **state)
{
	struct source_limit *sl = make(10, 20, 64);

	assert_int_equal(allowed(sl, "192.0.2.1", 50, 1000), 20);
	assert_int_equal(source_limit_refused(sl), 30);
	/* 10 per second: after 500 ms, 5 more. */
	assert_int_equal(allowed(sl, "192.0.2.1", 50, 1500), 5);
	/* Another source has its own bucket. */
	assert_int_equal(allowed(sl, "192.0.2.2", 50, 1500), 20);
	/* A long pause refills to the burst, no more. */
	assert_int_equal(allowed(sl, "192.0.2.1", 50, 100000), 20);
	source_limit_free(sl);
}

static void test_ipv6_per_64(void **state)
{
	struct source_limit *sl = make(1, 4, 64);

	assert_int_equal(allowed(sl, "2001:db8:1:2::1", 3, 1000), 3);
	assert_int_equal(allowed(sl, "2001:db8:1:2:ffff::7", 3, 1000), 1);
	assert_int_equal(allowed(sl, "2001:db8:1:3::1", 3, 1000), 3);
	source_limit_free(sl);
}

/* 100 000 sprayed addresses: the table stays its size, and a source seen all along keeps being
 * limited (it is the most recently seen in its set). */
static void test_spray(void **state)
{
	struct source_limit *sl = make(1, 2, 1024);
	char ip[32];
	unsigned flood_ok = 0;

	for (int i = 0; i < 100000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		assert_true(source_limit_allow(sl, ip, 1000));
		flood_ok += source_limit_allow(sl, "198.51.100.9", 1000);
	}
	assert_true(flood_ok < 50);
	source_limit_free(sl);
}

static void test_off(void **state)
{
	struct source_limit *sl = make(0, 1, 16);

	assert_int_equal(allowed(sl, "192.0.2.1", 1000, 1000), 1000);
	source_limit_free(sl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_then_rate),
	    cmocka_unit_test(test_ipv6_per_64),
	    cmocka_unit_test(test_spray),
	    cmocka_unit_test(test_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
