/* hangup_cause.c: names, parsing, and both SIP mapping tables (anchors.md 2.8). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hangup_cause.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hangup_cause_name(HANGUP_CAUSE_USER_BUSY), "USER_BUSY");
	assert_string_equal(hangup_cause_name(HANGUP_CAUSE_NORMAL_CLEARING), "NORMAL_CLEARING");
	assert_string_equal(hangup_cause_name(HANGUP_CAUSE_MEDIA_TIMEOUT), "MEDIA_TIMEOUT");
	assert_string_equal(hangup_cause_name(HANGUP_CAUSE_ORIGINATOR_CANCEL), "ORIGINATOR_CANCEL");
	assert_string_equal(hangup_cause_name((enum hangup_cause)4242), "UNKNOWN");
	assert_int_equal(HANGUP_CAUSE_USER_BUSY, 17);
	assert_int_equal(HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, 88);
	assert_int_equal(HANGUP_CAUSE_MEDIA_TIMEOUT, 804);
}

static void test_parse(void **state)
{
	enum hangup_cause c = HANGUP_CAUSE_NONE;

	(void)state;
	assert_int_equal(hangup_cause_parse("USER_BUSY", &c), 0);
	assert_int_equal(c, HANGUP_CAUSE_USER_BUSY);
	assert_int_equal(hangup_cause_parse("call_rejected", &c), 0);
	assert_int_equal(c, HANGUP_CAUSE_CALL_REJECTED);
	assert_int_equal(hangup_cause_parse("19", &c), 0);
	assert_int_equal(c, HANGUP_CAUSE_NO_ANSWER);
	assert_int_equal(hangup_cause_parse("804", &c), 0);
	assert_int_equal(c, HANGUP_CAUSE_MEDIA_TIMEOUT);

	c = HANGUP_CAUSE_NONE;
	assert_int_equal(hangup_cause_parse("NOT_A_CAUSE", &c), -EINVAL);
	assert_int_equal(hangup_cause_parse("", &c), -EINVAL);
	assert_int_equal(hangup_cause_parse(NULL, &c), -EINVAL);
	assert_int_equal(hangup_cause_parse("17x", &c), -EINVAL);
	assert_int_equal(hangup_cause_parse("4", &c), -EINVAL); /* not a defined value */
	assert_int_equal(c, HANGUP_CAUSE_NONE);
}

static void test_every_name_round_trips(void **state)
{
	static const enum hangup_cause all[] = {
#define ALL(name, value) HANGUP_CAUSE_##name,
	    HANGUP_CAUSES(ALL)
#undef ALL
	};

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		enum hangup_cause back;
		const char *name = hangup_cause_name(all[i]);

		assert_string_not_equal(name, "UNKNOWN");
		assert_int_equal(hangup_cause_parse(name, &back), 0);
		assert_int_equal(back, all[i]);
	}
}

static void test_q850(void **state)
{
	(void)state;
	assert_true(hangup_cause_is_q850(HANGUP_CAUSE_USER_BUSY));
	assert_true(hangup_cause_is_q850(HANGUP_CAUSE_INTERWORKING));
	assert_false(hangup_cause_is_q850(HANGUP_CAUSE_NONE));
	assert_false(hangup_cause_is_q850(HANGUP_CAUSE_ORIGINATOR_CANCEL));
	assert_false(hangup_cause_is_q850(HANGUP_CAUSE_MEDIA_TIMEOUT));
}

static void test_from_sip(void **state)
{
	static const struct {
		int status;
		enum hangup_cause cause;
	} rows[] = {
	    {200, HANGUP_CAUSE_NORMAL_CLEARING},
	    {202, HANGUP_CAUSE_NORMAL_CLEARING},
	    {401, HANGUP_CAUSE_CALL_REJECTED},
	    {402, HANGUP_CAUSE_CALL_REJECTED},
	    {403, HANGUP_CAUSE_CALL_REJECTED},
	    {407, HANGUP_CAUSE_CALL_REJECTED},
	    {603, HANGUP_CAUSE_CALL_REJECTED},
	    {608, HANGUP_CAUSE_CALL_REJECTED},
	    {404, HANGUP_CAUSE_UNALLOCATED_NUMBER},
	    {485, HANGUP_CAUSE_NO_ROUTE_DESTINATION},
	    {604, HANGUP_CAUSE_NO_ROUTE_DESTINATION},
	    {408, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE},
	    {504, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE},
	    {410, HANGUP_CAUSE_NUMBER_CHANGED},
	    {413, HANGUP_CAUSE_INTERWORKING},
	    {414, HANGUP_CAUSE_INTERWORKING},
	    {416, HANGUP_CAUSE_INTERWORKING},
	    {420, HANGUP_CAUSE_INTERWORKING},
	    {421, HANGUP_CAUSE_INTERWORKING},
	    {423, HANGUP_CAUSE_INTERWORKING},
	    {505, HANGUP_CAUSE_INTERWORKING},
	    {513, HANGUP_CAUSE_INTERWORKING},
	    {480, HANGUP_CAUSE_NO_USER_RESPONSE},
	    {400, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
	    {481, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
	    {500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
	    {503, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
	    {486, HANGUP_CAUSE_USER_BUSY},
	    {600, HANGUP_CAUSE_USER_BUSY},
	    {484, HANGUP_CAUSE_INVALID_NUMBER_FORMAT},
	    {488, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION},
	    {606, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION},
	    {502, HANGUP_CAUSE_NETWORK_OUT_OF_ORDER},
	    {405, HANGUP_CAUSE_SERVICE_UNAVAILABLE},
	    {406, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
	    {415, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
	    {501, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
	    {482, HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR},
	    {483, HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR},
	    {487, HANGUP_CAUSE_ORIGINATOR_CANCEL},
	    {428, HANGUP_CAUSE_NO_IDENTITY},
	    {438, HANGUP_CAUSE_INVALID_IDENTITY},
	    {499, HANGUP_CAUSE_NORMAL_UNSPECIFIED},
	    {599, HANGUP_CAUSE_NORMAL_UNSPECIFIED},
	    {699, HANGUP_CAUSE_NORMAL_UNSPECIFIED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum hangup_cause got = hangup_cause_from_sip(rows[i].status);

		if (got != rows[i].cause)
			fail_msg("SIP %d -> %s, want %s", rows[i].status, hangup_cause_name(got),
			         hangup_cause_name(rows[i].cause));
	}
}

static void test_to_sip(void **state)
{
	static const struct {
		enum hangup_cause cause;
		int status;
	} rows[] = {
	    {HANGUP_CAUSE_UNALLOCATED_NUMBER, 404},
	    {HANGUP_CAUSE_NO_ROUTE_TRANSIT_NET, 404},
	    {HANGUP_CAUSE_NO_ROUTE_DESTINATION, 404},
	    {HANGUP_CAUSE_USER_BUSY, 486},
	    {HANGUP_CAUSE_NO_USER_RESPONSE, 408},
	    {HANGUP_CAUSE_NO_ANSWER, 480},
	    {HANGUP_CAUSE_SUBSCRIBER_ABSENT, 480},
	    {HANGUP_CAUSE_CALL_REJECTED, 603},
	    {HANGUP_CAUSE_NUMBER_CHANGED, 410},
	    {HANGUP_CAUSE_DESTINATION_OUT_OF_ORDER, 502},
	    {HANGUP_CAUSE_INVALID_NUMBER_FORMAT, 484},
	    {HANGUP_CAUSE_FACILITY_REJECTED, 501},
	    {HANGUP_CAUSE_NORMAL_UNSPECIFIED, 480},
	    {HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION, 503},
	    {HANGUP_CAUSE_NETWORK_OUT_OF_ORDER, 503},
	    {HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, 503},
	    {HANGUP_CAUSE_SWITCH_CONGESTION, 503},
	    {HANGUP_CAUSE_OUTGOING_CALL_BARRED, 403},
	    {HANGUP_CAUSE_INCOMING_CALL_BARRED, 403},
	    {HANGUP_CAUSE_INCOMPATIBLE_DESTINATION, 488},
	    {HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE, 504},
	    {HANGUP_CAUSE_ORIGINATOR_CANCEL, 487},
	    {HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR, 483},
	    {HANGUP_CAUSE_BUSY_EVERYWHERE, 600},
	    {HANGUP_CAUSE_DECLINE, 603},
	    {HANGUP_CAUSE_MEDIA_TIMEOUT, 480},
	    {HANGUP_CAUSE_NORMAL_CLEARING, 480},
	    {HANGUP_CAUSE_USER_NOT_REGISTERED, 480},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = hangup_cause_to_sip(rows[i].cause);

		if (got != rows[i].status)
			fail_msg("%s -> SIP %d, want %d", hangup_cause_name(rows[i].cause), got,
			         rows[i].status);
	}
}

/* A B-leg failure relayed to A keeps its meaning for the statuses a callee typically sends. */
static void test_relay_keeps_meaning(void **state)
{
	static const int statuses[] = {404, 486, 488, 603, 484, 410, 487, 483};

	(void)state;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		assert_int_equal(hangup_cause_to_sip(hangup_cause_from_sip(statuses[i])),
		                 statuses[i]);
}

/* The Reason header of a BYE: Q.850 for Q.850 causes, our own protocol token for the switch's
 * causes such as a media timeout, nothing for causes that explain nothing. */
static void test_reason(void **state)
{
	char buf[96];

	(void)state;
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_NORMAL_CLEARING, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Q.850;cause=16;text=\"NORMAL_CLEARING\"");
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_MEDIA_TIMEOUT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Tandem;cause=804;text=\"MEDIA_TIMEOUT\"");
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_SYSTEM_SHUTDOWN, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Tandem;cause=701;text=\"SYSTEM_SHUTDOWN\"");
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_LOSE_RACE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "SIP;cause=200;text=\"Call completed elsewhere\"");
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_NONE, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_ORIGINATOR_CANCEL, buf, sizeof(buf)),
	                 -ENOENT);
	assert_int_equal(hangup_cause_reason((enum hangup_cause)4242, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(hangup_cause_reason(HANGUP_CAUSE_MEDIA_TIMEOUT, buf, 10), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_every_name_round_trips),
	    cmocka_unit_test(test_q850),
	    cmocka_unit_test(test_from_sip),
	    cmocka_unit_test(test_to_sip),
	    cmocka_unit_test(test_relay_keeps_meaning),
	    cmocka_unit_test(test_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
