/* RFC 4733: payload parse/write, digit characters, and the detector: one report per event at
 * its end bit, retransmitted ends ignored, late packets of an older event ignored, the 1 s
 * guard, an unended event reported when the next starts, non-digit events ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rfc4733.h"

#define MS 1000000ull

static int feed(struct dtmf_detect *d, uint32_t ts, uint8_t ev, bool end, uint16_t dur,
                uint64_t now, struct dtmf_digit out[2])
{
	uint8_t pl[4];
	struct rfc4733_event e = {.event = ev, .end = end, .volume = 10, .duration = dur};

	rfc4733_write(&e, pl);
	return dtmf_detect_packet(d, ts, pl, 4, now, out);
}

static void test_parse_write(void **state)
{
	uint8_t pl[4] = {11, 0x8a, 0x03, 0x20};
	struct rfc4733_event e, back;
	uint8_t out[4];

	(void)state;
	assert_int_equal(rfc4733_parse(pl, 4, &e), 0);
	assert_int_equal(e.event, 11);
	assert_true(e.end);
	assert_int_equal(e.volume, 10);
	assert_int_equal(e.duration, 800);
	rfc4733_write(&e, out);
	assert_memory_equal(out, pl, 4);
	assert_int_equal(rfc4733_parse(pl, 3, &back), -EINVAL);
	assert_int_equal(rfc4733_digit(0), '0');
	assert_int_equal(rfc4733_digit(10), '*');
	assert_int_equal(rfc4733_digit(11), '#');
	assert_int_equal(rfc4733_digit(15), 'D');
	assert_int_equal(rfc4733_digit(16), 0);
	assert_int_equal(rfc4733_event_of('#'), 11);
	assert_int_equal(rfc4733_event_of('b'), 13);
	assert_int_equal(rfc4733_event_of('x'), -1);
}

static void test_one_report_per_event(void **state)
{
	struct dtmf_detect d;
	struct dtmf_digit out[2];
	uint64_t t = 100 * MS;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(feed(&d, 8000, 5, false, 160, t, out), 0);
	assert_int_equal(feed(&d, 8000, 5, false, 320, t + 20 * MS, out), 0);
	assert_int_equal(feed(&d, 8000, 5, true, 480, t + 40 * MS, out), 1);
	assert_int_equal(out[0].digit, '5');
	assert_int_equal(out[0].duration, 480);
	/* The two retransmissions of the end. */
	assert_int_equal(feed(&d, 8000, 5, true, 480, t + 41 * MS, out), 0);
	assert_int_equal(feed(&d, 8000, 5, true, 480, t + 42 * MS, out), 0);
	assert_int_equal(dtmf_detect_tick(&d, t + 5000 * MS, out), 0);
	/* The same digit again is a new event (new timestamp). */
	assert_int_equal(feed(&d, 9000, 5, true, 160, t + 500 * MS, out), 1);
	/* A late packet of the first event is not a third. */
	assert_int_equal(feed(&d, 8000, 5, true, 480, t + 501 * MS, out), 0);
	/* Not a digit (event 16, flash): nothing. */
	assert_int_equal(feed(&d, 10000, 16, true, 160, t + 600 * MS, out), 0);
}

static void test_guard_and_lost_end(void **state)
{
	struct dtmf_detect d;
	struct dtmf_digit out[2];

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(feed(&d, 100, 1, false, 160, 0, out), 0);
	assert_int_equal(dtmf_detect_tick(&d, 999 * MS, out), 0);
	assert_int_equal(dtmf_detect_tick(&d, 1000 * MS, out), 1);
	assert_int_equal(out[0].digit, '1');
	assert_int_equal(dtmf_detect_tick(&d, 2000 * MS, out), 0);
	/* Its end arriving after the guard reported it is not reported again. */
	assert_int_equal(feed(&d, 100, 1, true, 9000, 1100 * MS, out), 0);
	/* An event without an end followed by another: the first is reported when the second
	 * starts, both when the second is a single end packet. */
	assert_int_equal(feed(&d, 5000, 2, false, 160, 2000 * MS, out), 0);
	assert_int_equal(feed(&d, 6000, 3, true, 320, 2100 * MS, out), 2);
	assert_int_equal(out[0].digit, '2');
	assert_int_equal(out[0].duration, 160);
	assert_int_equal(out[1].digit, '3');
	/* Garbage payloads are ignored. */
	assert_int_equal(dtmf_detect_packet(&d, 7000, (const uint8_t *)"\x01", 1, 0, out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_write),
	    cmocka_unit_test(test_one_report_per_event),
	    cmocka_unit_test(test_guard_and_lost_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
