/* failban.c: a ban after max_failures within the window, none when they are spread out, the
 * ban ends, sources are independent, and a full table keeps working. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "failban.h"

static struct failban *make(size_t capacity)
{
	struct failban_cfg cfg = {
	    .max_failures = 3, .window_s = 60, .ban_s = 300, .capacity = capacity};
	struct failban *fb;

	assert_int_equal(failban_new(&fb, &cfg), 0);
	return fb;
}

static void test_ban_after_failures(void **state)
{
	struct failban *fb = make(16);
	long left = 0;

	assert_false(failban_failure(fb, "10.0.0.1", 1000));
	assert_false(failban_failure(fb, "10.0.0.1", 1001));
	assert_false(failban_banned(fb, "10.0.0.1", 1002, NULL));
	assert_true(failban_failure(fb, "10.0.0.1", 1002));
	assert_true(failban_banned(fb, "10.0.0.1", 1003, &left));
	assert_int_equal(left, 299);
	assert_false(failban_banned(fb, "10.0.0.2", 1003, NULL));
	assert_false(failban_banned(fb, "10.0.0.1", 1302, NULL));
	failban_free(fb);
}

static void test_window(void **state)
{
	struct failban *fb = make(16);

	assert_false(failban_failure(fb, "::1", 1000));
	assert_false(failban_failure(fb, "::1", 1030));
	/* The window opened at 1000 has closed: counting starts again. */
	assert_false(failban_failure(fb, "::1", 1061));
	assert_false(failban_failure(fb, "::1", 1062));
	assert_true(failban_failure(fb, "::1", 1063));
	failban_free(fb);
}

static void test_capacity(void **state)
{
	struct failban *fb = make(8);
	char ip[32];

	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i);
		failban_failure(fb, ip, 1000 + i);
	}
	assert_true(failban_count(fb) <= 16);
	/* A source that keeps failing still gets banned while the table churns. */
	assert_false(failban_failure(fb, "198.51.100.7", 2000));
	assert_false(failban_failure(fb, "198.51.100.7", 2001));
	assert_true(failban_failure(fb, "198.51.100.7", 2002));
	assert_true(failban_banned(fb, "198.51.100.7", 2003, NULL));
	failban_free(fb);
}

static void test_disabled(void **state)
{
	struct failban_cfg cfg = {.max_failures = 0, .window_s = 60, .ban_s = 300, .capacity = 4};
	struct failban *fb;

	assert_int_equal(failban_new(&fb, &cfg), 0);
	for (int i = 0; i < 50; i++)
		assert_false(failban_failure(fb, "10.0.0.9", 1000));
	assert_false(failban_banned(fb, "10.0.0.9", 1000, NULL));
	failban_free(fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ban_after_failures),
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_capacity),
	    cmocka_unit_test(test_disabled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
