/* overload.c: each limit refuses what it should and nothing else; the rate limiter refills with
 * time and caps bursts at one second's worth; refusals are reported at most once a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "overload.h"

static void test_no_limits_admit_everything(void **state)
{
	struct overload o;

	overload_init(&o, &(struct overload_limits){0}, 0);
	for (unsigned i = 0; i < 100000; i++) {
		assert_int_equal(overload_check_load(&o, i * 1000), OVERLOAD_ADMIT);
		assert_int_equal(overload_admit_call(&o, i, 0), OVERLOAD_ADMIT);
	}
}

static void test_queue(void **state)
{
	struct overload o;

	overload_init(&o, &(struct overload_limits){.queue_bytes = 4096}, 0);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_ADMIT);
	assert_int_equal(overload_check_load(&o, 4096), OVERLOAD_ADMIT);
	assert_int_equal(overload_check_load(&o, 4097), OVERLOAD_QUEUE);
	assert_int_equal(o.refused[OVERLOAD_QUEUE], 1);
}

static void test_max_calls(void **state)
{
	struct overload o;

	overload_init(&o, &(struct overload_limits){.max_calls = 3}, 0);
	assert_int_equal(overload_admit_call(&o, 2, 0), OVERLOAD_ADMIT);
	assert_int_equal(overload_admit_call(&o, 3, 0), OVERLOAD_MAX_CALLS);
	assert_int_equal(overload_admit_call(&o, 2, 0), OVERLOAD_ADMIT);
}

static void test_rate(void **state)
{
	struct overload o;
	unsigned ok = 0;

	overload_init(&o, &(struct overload_limits){.max_cps = 10}, 1000);
	/* A full bucket: one second's worth at once, then nothing. */
	for (int i = 0; i < 20; i++)
		ok += overload_admit_call(&o, 0, 1000) == OVERLOAD_ADMIT;
	assert_int_equal(ok, 10);
	assert_int_equal(overload_admit_call(&o, 0, 1050), OVERLOAD_RATE);
	/* 100 ms refill one call. */
	assert_int_equal(overload_admit_call(&o, 0, 1100), OVERLOAD_ADMIT);
	assert_int_equal(overload_admit_call(&o, 0, 1100), OVERLOAD_RATE);
	/* A long pause does not bank more than a second's worth. */
	ok = 0;
	for (int i = 0; i < 50; i++)
		ok += overload_admit_call(&o, 0, 100000) == OVERLOAD_ADMIT;
	assert_int_equal(ok, 10);
	/* Steady 10/s for 10 s passes in full. */
	ok = 0;
	for (uint64_t t = 200000; t < 210000; t += 100)
		ok += overload_admit_call(&o, 0, t) == OVERLOAD_ADMIT;
	assert_int_equal(ok, 100);
}

static void test_report_once_a_second(void **state)
{
	struct overload o;
	uint64_t w[OVERLOAD__N];

	overload_init(&o, &(struct overload_limits){.max_calls = 1}, 0);
	assert_false(overload_report_due(&o, 5000, w)); /* nothing refused */
	overload_admit_call(&o, 5, 5000);
	assert_true(overload_report_due(&o, 5000, w)); /* the first refusal is told at once */
	assert_int_equal(w[OVERLOAD_MAX_CALLS], 1);
	for (int i = 0; i < 7; i++)
		overload_admit_call(&o, 5, 5100);
	assert_false(overload_report_due(&o, 5100, w));
	assert_true(overload_report_due(&o, 6000, w));
	assert_int_equal(w[OVERLOAD_MAX_CALLS], 7);
	assert_int_equal(o.refused[OVERLOAD_MAX_CALLS], 8);
}

static void test_busy(void **state)
{
	struct overload o;
	const uint64_t ms = 1000000;
	uint64_t cpu = 0, t = 1000 * ms;

	overload_init(&o, &(struct overload_limits){.busy_pct = 90}, 0);
	overload_sample(&o, cpu, t);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_ADMIT); /* no interval yet */
	/* Half busy for a while. */
	for (int i = 0; i < 10; i++)
		overload_sample(&o, cpu += 50 * ms, t += 100 * ms);
	assert_int_equal(o.busy_now, 50);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_ADMIT);
	/* One saturated interval is a burst, not overload. */
	overload_sample(&o, cpu += 100 * ms, t += 100 * ms);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_ADMIT);
	/* Saturated for the whole window: refused. */
	for (int i = 0; i < OVERLOAD_WINDOW; i++)
		overload_sample(&o, cpu += 98 * ms, t += 100 * ms);
	assert_true(o.busy_now >= 90);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_BUSY);
	/* Idle again for a window: admitted. */
	for (int i = 0; i < OVERLOAD_WINDOW; i++)
		overload_sample(&o, cpu += 5 * ms, t += 100 * ms);
	assert_int_equal(overload_check_load(&o, 0), OVERLOAD_ADMIT);
	assert_int_equal(o.refused[OVERLOAD_BUSY], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_limits_admit_everything),
	    cmocka_unit_test(test_queue),
	    cmocka_unit_test(test_max_calls),
	    cmocka_unit_test(test_rate),
	    cmocka_unit_test(test_report_once_a_second),
	    cmocka_unit_test(test_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
