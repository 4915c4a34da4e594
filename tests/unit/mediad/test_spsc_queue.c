/* spsc_queue.c: order, fullness, wrap-around, the eventfd wake-up, and a real producer thread
 * handing over items in order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <sched.h>

#include "spsc_queue.h"

#define ITEMS 20000

static void test_order_and_full(void **state)
{
	struct spsc_queue q;
	uintptr_t v;

	(void)state;
	assert_int_equal(spsc_queue_init(&q, 5, false), 0); /* rounded up to 8 */
	for (int round = 0; round < 3; round++) {           /* wraps around the slots */
		for (uintptr_t i = 1; i <= 8; i++)
			assert_true(spsc_queue_push(&q, (void *)i));
		assert_false(spsc_queue_push(&q, (void *)99));
		for (uintptr_t i = 1; i <= 8; i++) {
			v = (uintptr_t)spsc_queue_pop(&q);
			assert_int_equal(v, i);
		}
		assert_null(spsc_queue_pop(&q));
	}
	spsc_queue_destroy(&q);
}

static void test_wakeup(void **state)
{
	struct spsc_queue q;
	struct pollfd pfd;

	(void)state;
	assert_int_equal(spsc_queue_init(&q, 4, false), 0);
	pfd.fd = spsc_queue_fd(&q);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_true(spsc_queue_push(&q, (void *)1));
	assert_int_equal(spsc_queue_notify(&q), 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	spsc_queue_clear_wakeup(&q);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal((uintptr_t)spsc_queue_pop(&q), 1);
	spsc_queue_destroy(&q);
}

static void *producer(void *arg)
{
	struct spsc_queue *q = arg;

	for (uintptr_t i = 1; i <= ITEMS; i++) {
		while (!spsc_queue_push(q, (void *)i)) {
			spsc_queue_notify(q); /* full: make sure the consumer is awake */
			sched_yield();
		}
	}
	spsc_queue_notify(q);
	return NULL;
}

static void test_threads(void **state)
{
	struct spsc_queue q;
	pthread_t t;
	uintptr_t expect = 1;

	(void)state;
	assert_int_equal(spsc_queue_init(&q, 64, false), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &q), 0);
	while (expect <= ITEMS) {
		struct pollfd pfd = {.fd = spsc_queue_fd(&q), .events = POLLIN};
		void *item;

		spsc_queue_clear_wakeup(&q);
		while ((item = spsc_queue_pop(&q))) {
			assert_int_equal((uintptr_t)item, expect);
			expect++;
		}
		if (expect <= ITEMS)
			poll(&pfd, 1, 10);
	}
	pthread_join(t, NULL);
	assert_null(spsc_queue_pop(&q));
	spsc_queue_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_full),
	    cmocka_unit_test(test_wakeup),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
