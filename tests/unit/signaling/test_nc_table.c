/* nc_table.c: increasing counts pass, replays fail, entries expire, and a full table evicts
 * without reopening replays for the evicted nonce. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "nc_table.h"

static void key(uint8_t k[NC_TABLE_KEY_LEN], unsigned i)
{
	memset(k, 0, NC_TABLE_KEY_LEN);
	/* Spread like MAC output would, and collide on purpose for small i. */
	k[0] = (uint8_t)(i * 37);
	k[1] = (uint8_t)(i >> 3);
	k[15] = (uint8_t)i;
}

static void test_counts(void **state)
{
	struct nc_table *t;
	uint8_t k[NC_TABLE_KEY_LEN];

	assert_int_equal(nc_table_new(&t, 16, 100), 0);
	key(k, 1);
	assert_int_equal(nc_table_check(t, k, 1, 100, 400, 100), NC_OK);
	assert_int_equal(nc_table_check(t, k, 1, 100, 400, 101), NC_REPLAY);
	assert_int_equal(nc_table_check(t, k, 2, 100, 400, 101), NC_OK);
	assert_int_equal(nc_table_check(t, k, 5, 100, 400, 101), NC_OK);
	assert_int_equal(nc_table_check(t, k, 4, 100, 400, 101), NC_REPLAY);
	assert_int_equal(nc_table_check(t, k, 9, 99, 399, 101), NC_TOO_OLD);
	assert_int_equal(nc_table_count(t), 1);
	nc_table_free(t);
}

static void test_expiry(void **state)
{
	struct nc_table *t;
	uint8_t k[NC_TABLE_KEY_LEN];

	assert_int_equal(nc_table_new(&t, 64, 0), 0);
	for (unsigned i = 0; i < 40; i++) {
		key(k, i);
		assert_int_equal(nc_table_check(t, k, 1, 10, i < 20 ? 50 : 500, 10), NC_OK);
	}
	assert_int_equal(nc_table_count(t), 40);
	assert_int_equal(nc_table_expire(t, 50), 20);
	assert_int_equal(nc_table_count(t), 20);
	/* Survivors are still found after the backward shifts. */
	for (unsigned i = 20; i < 40; i++) {
		key(k, i);
		assert_int_equal(nc_table_check(t, k, 1, 10, 500, 60), NC_REPLAY);
	}
	nc_table_free(t);
}

static void test_full_table_evicts_oldest(void **state)
{
	struct nc_table *t;
	uint8_t k[NC_TABLE_KEY_LEN];

	assert_int_equal(nc_table_new(&t, 8, 0), 0);
	for (unsigned i = 0; i < 8; i++) {
		key(k, i);
		assert_int_equal(nc_table_check(t, k, 1, 100 + i, 1000, 200), NC_OK);
	}
	key(k, 100);
	assert_int_equal(nc_table_check(t, k, 1, 150, 1000, 200), NC_OK);
	assert_int_equal(nc_table_count(t), 8);
	/* Nonce 0 (issued at 100) was evicted: it must not come back as new. */
	key(k, 0);
	assert_int_equal(nc_table_check(t, k, 1, 100, 1000, 200), NC_TOO_OLD);
	key(k, 1);
	assert_int_equal(nc_table_check(t, k, 1, 101, 1000, 200), NC_REPLAY);
	nc_table_free(t);
}

/* A full table under steady churn: each new nonce evicts the oldest one, the newest ones keep
 * their replay protection, and evicted ones never come back. The old table scanned every slot on
 * each eviction, so this loop (about 1.5 million evictions of a 65 536 table) did not finish. */
static void test_churn_when_full(void **state)
{
	struct nc_table *t;
	uint8_t k[NC_TABLE_KEY_LEN];
	const unsigned cap = 65536, total = 1600000, per_second = 1000;

	assert_int_equal(nc_table_new(&t, cap, 0), 0);
	for (unsigned i = 0; i < total; i++) {
		time_t issued = 1000 + i / per_second;

		memset(k, 0, sizeof(k));
		memcpy(k, &(uint64_t){(uint64_t)i * 0x9E3779B97F4A7C15ull}, 8);
		memcpy(k + 8, &i, sizeof(i));
		assert_int_equal(nc_table_check(t, k, 1, issued, issued + 100000, issued), NC_OK);
	}
	assert_int_equal(nc_table_count(t), cap);
	for (unsigned i = total - 1000; i < total; i++) {
		time_t issued = 1000 + i / per_second;

		memset(k, 0, sizeof(k));
		memcpy(k, &(uint64_t){(uint64_t)i * 0x9E3779B97F4A7C15ull}, 8);
		memcpy(k + 8, &i, sizeof(i));
		assert_int_equal(nc_table_check(t, k, 1, issued, issued + 100000, issued),
		                 NC_REPLAY);
	}
	memset(k, 0, sizeof(k));
	assert_int_equal(nc_table_check(t, k, 2, 1000, 101000, 3000), NC_TOO_OLD);
	/* Everything expires at once; the table empties from its head. */
	assert_int_equal(nc_table_expire(t, 1000000), cap);
	assert_int_equal(nc_table_count(t), 0);
	nc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_full_table_evicts_oldest),
	    cmocka_unit_test(test_churn_when_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
