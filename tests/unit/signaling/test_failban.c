/* failban.c: a ban after max_failures within the window, none when they are spread out, the
 * ban ends, sources are independent, IPv6 counts per /64, and a full table keeps working: new
 * keys are still tracked and banned when every entry is banned, without scanning the table. */
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

/* A table full of banned sources still bans a new one (the ban closest to its end makes room). */
static void test_full_of_bans_still_bans(void **state)
{
	struct failban *fb = make(8);
	char ip[32];

	for (int i = 0; i < 8; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i);
		for (int k = 0; k < 3; k++)
			failban_failure(fb, ip, 1000 + i);
		assert_true(failban_banned(fb, ip, 1000 + i, NULL));
	}
	assert_int_equal(failban_count(fb), 8);
	assert_false(failban_failure(fb, "198.51.100.1", 1100));
	assert_false(failban_failure(fb, "198.51.100.1", 1100));
	assert_true(failban_failure(fb, "198.51.100.1", 1100));
	assert_true(failban_banned(fb, "198.51.100.1", 1101, NULL));
	/* The oldest ban made room; the newest ones stand. */
	assert_false(failban_banned(fb, "192.0.2.0", 1101, NULL));
	assert_true(failban_banned(fb, "192.0.2.7", 1101, NULL));
	failban_free(fb);
}

/* Unbanned keys are forgotten least recently failing first, before any ban. */
static void test_evicts_least_recent_unbanned(void **state)
{
	struct failban *fb = make(4);

	for (int k = 0; k < 3; k++)
		failban_failure(fb, "10.0.0.1", 1000); /* banned */
	failban_failure(fb, "10.0.0.2", 1001);
	failban_failure(fb, "10.0.0.3", 1002);
	failban_failure(fb, "10.0.0.4", 1003);
	failban_failure(fb, "10.0.0.2", 1004); /* 10.0.0.3 is now the least recent */
	failban_failure(fb, "10.0.0.5", 1005);
	failban_failure(fb, "10.0.0.5", 1005);
	assert_int_equal(failban_count(fb), 4);
	assert_true(failban_banned(fb, "10.0.0.1", 1006, NULL));
	/* 10.0.0.2 kept its two failures: one more bans it. */
	assert_true(failban_failure(fb, "10.0.0.2", 1006));
	/* 10.0.0.3 was forgotten: it starts from zero. */
	assert_false(failban_failure(fb, "10.0.0.3", 1007));
	assert_false(failban_failure(fb, "10.0.0.3", 1007));
	assert_true(failban_failure(fb, "10.0.0.3", 1007));
	failban_free(fb);
}

/* One host holds a whole /64: its addresses count together. IPv4 and v4-mapped stay exact. */
static void test_ipv6_per_64(void **state)
{
	struct failban_cfg cfg = {
	    .max_failures = 3, .window_s = 60, .ban_s = 300, .capacity = 16, .aggregate_v6 = true};
	struct failban *fb;
	char key[FAILBAN_KEY_LEN];

	assert_int_equal(failban_new(&fb, &cfg), 0);
	assert_false(failban_failure(fb, "2001:db8:1:2::1", 1000));
	assert_false(failban_failure(fb, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", 1000));
	assert_true(failban_failure(fb, "2001:db8:1:2:ffff::9", 1000));
	assert_true(failban_banned(fb, "2001:db8:1:2::77", 1001, NULL));
	assert_false(failban_banned(fb, "2001:db8:1:3::1", 1001, NULL));
	failban_source_key("2001:db8:1:2:aaaa::1", true, key);
	assert_string_equal(key, "2001:db8:1:2::/64");
	failban_source_key("192.0.2.1", true, key);
	assert_string_equal(key, "192.0.2.1");
	failban_source_key("::ffff:192.0.2.1", true, key);
	assert_string_equal(key, "::ffff:192.0.2.1");
	failban_source_key("2001:db8:1:2:aaaa::1", false, key);
	assert_string_equal(key, "2001:db8:1:2:aaaa::1");
	failban_free(fb);
}

/* The work per call stays bounded when the table is full, whatever it is full of: a spray of
 * new sources costs a few probes each, not a scan of 64k entries. */
static void test_full_table_does_not_scan(void **state)
{
	struct failban_cfg cfg = {
	    .max_failures = 1, .window_s = 60, .ban_s = 3600, .capacity = 65536};
	struct failban *fb;
	char ip[32];
	uint64_t before;

	assert_int_equal(failban_new(&fb, &cfg), 0);
	/* Full of bans (max_failures = 1: every failure bans). */
	for (int i = 0; i < 65536; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i >> 8, i & 255);
		assert_true(failban_failure(fb, ip, 1000));
	}
	assert_int_equal(failban_count(fb), 65536);
	before = failban_work(fb);
	for (int i = 0; i < 10000; i++) {
		snprintf(ip, sizeof(ip), "172.16.%d.%d", i >> 8, i & 255);
		assert_true(failban_failure(fb, ip, 1001));
	}
	assert_int_equal(failban_count(fb), 65536);
	/* A scan would cost ~65k per insertion; a hash table at most 3/4 full a few probes. */
	print_message("full table of 65536 bans: %.1f probes per new source\n",
	              (double)(failban_work(fb) - before) / 10000);
	assert_true(failban_work(fb) - before < 10000 * 40);
	assert_true(failban_banned(fb, "172.16.39.15", 1002, NULL));
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
	    cmocka_unit_test(test_full_of_bans_still_bans),
	    cmocka_unit_test(test_evicts_least_recent_unbanned),
	    cmocka_unit_test(test_ipv6_per_64),
	    cmocka_unit_test(test_full_table_does_not_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
