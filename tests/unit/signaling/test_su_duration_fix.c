/* su_duration_fix.c: durations round up to the next millisecond (sofia-sip's own truncated them,
 * so the loop polled with a zero timeout until each timer was due), and a loop waiting for a
 * timer now sleeps through to it in a few steps instead of spinning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/su_wait.h>

static su_time_t at(unsigned long s, unsigned long us)
{
	return (su_time_t){.tv_sec = s, .tv_usec = us};
}

static void test_rounding(void **state)
{
	assert_int_equal(su_duration(at(10, 1), at(10, 0)), 1);
	assert_int_equal(su_duration(at(10, 500), at(10, 0)), 1);
	assert_int_equal(su_duration(at(10, 1000), at(10, 0)), 1);
	assert_int_equal(su_duration(at(10, 1001), at(10, 0)), 2);
	assert_int_equal(su_duration(at(11, 0), at(10, 999999)), 1);
	assert_int_equal(su_duration(at(12, 0), at(10, 0)), 2000);
	assert_int_equal(su_duration(at(10, 0), at(10, 0)), 0);
	/* Negative durations truncate towards zero, as sofia-sip's did. */
	assert_int_equal(su_duration(at(10, 0), at(10, 500)), 0);
	assert_int_equal(su_duration(at(9, 0), at(10, 0)), -1000);
	assert_int_equal(su_duration(at(1000000000, 0), at(0, 0)), SU_DURATION_MAX);
}

static void on_timer(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	*(int *)arg = 1;
}

static void test_loop_sleeps_until_the_timer(void **state)
{
	su_root_t *root;
	su_timer_t *t;
	unsigned steps = 0;
	const unsigned rounds = 20;

	assert_int_equal(su_init(), 0);
	root = su_root_create(NULL);
	assert_non_null(root);
	t = su_timer_create(su_root_task(root), 3);
	assert_non_null(t);
	for (unsigned r = 0; r < rounds; r++) {
		int fired = 0;

		assert_int_equal(su_timer_set(t, on_timer, (su_timer_arg_t *)&fired), 0);
		while (!fired && steps < 100000) {
			su_root_step(root, 1000);
			steps++;
		}
		assert_true(fired);
	}
	/* A sleeping loop needs one or two steps per timer; the truncating one needed dozens to
	 * hundreds (each a zero-timeout poll during the last millisecond). */
	assert_true(steps <= rounds * 4);
	su_timer_destroy(t);
	su_root_destroy(root);
	su_deinit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rounding),
	    cmocka_unit_test(test_loop_sleeps_until_the_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
