/* call.c: the call and leg state machine accepts the transitions of its table, refuses the
 * others without changing the state, and every state can be reached from the first one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "call.h"

static void test_call_happy_path(void **state)
{
	static struct call call;

	memset(&call, 0, sizeof(call));
	assert_int_equal(call.state, CALL_SETUP);
	assert_int_equal(call_set_state(&call, CALL_RINGING, "B legs called"), 0);
	assert_int_equal(call_set_state(&call, CALL_ANSWERED, "200 from B leg 0"), 0);
	assert_int_equal(call_set_state(&call, CALL_ACTIVE, "ACK"), 0);
	assert_int_equal(call_set_state(&call, CALL_ENDING, "BYE"), 0);
	assert_int_equal(call.state, CALL_ENDING);
}

static void test_call_invalid_refused(void **state)
{
	static struct call call;

	memset(&call, 0, sizeof(call));
	/* Nothing answered yet: a call cannot be answered before its B legs are out. */
	assert_int_equal(call_set_state(&call, CALL_ANSWERED, "bogus"), -EINVAL);
	assert_int_equal(call.state, CALL_SETUP);
	call.state = CALL_ACTIVE;
	assert_int_equal(call_set_state(&call, CALL_RINGING, "bogus"), -EINVAL);
	assert_int_equal(call_set_state(&call, CALL_ANSWERED, "bogus"), -EINVAL);
	assert_int_equal(call.state, CALL_ACTIVE);
	/* Ending is final. */
	call.state = CALL_ENDING;
	for (int s = CALL_SETUP; s < CALL_ENDING; s++) {
		assert_int_equal(call_set_state(&call, (enum call_state)s, "bogus"), -EINVAL);
		assert_int_equal(call.state, CALL_ENDING);
	}
	/* The same state again is no change, and allowed. */
	assert_int_equal(call_set_state(&call, CALL_ENDING, "again"), 0);
	/* Out of range. */
	assert_false(call_state_allowed(CALL_SETUP, CALL__N));
	assert_false(call_state_allowed(CALL__N, CALL_SETUP));
}

static void test_leg_transitions(void **state)
{
	struct leg leg = {.is_a = false, .index = 1};

	assert_int_equal(leg.state, LEG_IDLE);
	assert_int_equal(leg_set_state(&leg, LEG_CALLING, "INVITE sent"), 0);
	assert_int_equal(leg_set_state(&leg, LEG_EARLY, "180"), 0);
	assert_int_equal(leg_set_state(&leg, LEG_CONFIRMED, "200"), 0);
	/* A confirmed dialog does not go back to early or answered. */
	assert_int_equal(leg_set_state(&leg, LEG_EARLY, "late 183"), -EINVAL);
	assert_int_equal(leg_set_state(&leg, LEG_ANSWERED, "bogus"), -EINVAL);
	assert_int_equal(leg.state, LEG_CONFIRMED);
	assert_int_equal(leg_set_state(&leg, LEG_TERMINATING, "BYE sent"), 0);
	/* A 2xx that crossed our CANCEL confirms the dialog once more, to be ended. */
	assert_int_equal(leg_set_state(&leg, LEG_CONFIRMED, "2xx after CANCEL"), 0);
	assert_int_equal(leg_set_state(&leg, LEG_TERMINATING, "BYE sent"), 0);
	assert_int_equal(leg_set_state(&leg, LEG_CALLING, "bogus"), -EINVAL);
	assert_int_equal(leg_set_state(&leg, LEG_DONE, "released"), 0);
	/* Done is final. */
	for (int s = LEG_IDLE; s < LEG_DONE; s++) {
		assert_int_equal(leg_set_state(&leg, (enum leg_state)s, "bogus"), -EINVAL);
		assert_int_equal(leg.state, LEG_DONE);
	}
	assert_int_equal(leg_set_state(&leg, LEG_DONE, "released again"), 0);
	assert_false(leg_state_allowed(LEG_IDLE, LEG__N));
}

/* Every state is reachable from the first one through allowed transitions, and the final one
 * leads nowhere: a table with a dead entry or a way back out of the end fails here. */
static void test_every_state_reachable(void **state)
{
	bool seen[(int)LEG__N > (int)CALL__N ? (int)LEG__N : (int)CALL__N];
	bool grew = true;

	memset(seen, 0, sizeof(seen));
	seen[CALL_SETUP] = true;
	while (grew) {
		grew = false;
		for (int f = 0; f < CALL__N; f++)
			for (int t = 0; t < CALL__N; t++)
				if (seen[f] && !seen[t] && call_state_allowed(f, t))
					seen[t] = grew = true;
	}
	for (int s = 0; s < CALL__N; s++)
		assert_true(seen[s]);
	for (int t = 0; t < CALL__N; t++)
		assert_int_equal(call_state_allowed(CALL_ENDING, t), t == CALL_ENDING);

	memset(seen, 0, sizeof(seen));
	seen[LEG_IDLE] = true;
	grew = true;
	while (grew) {
		grew = false;
		for (int f = 0; f < LEG__N; f++)
			for (int t = 0; t < LEG__N; t++)
				if (seen[f] && !seen[t] && leg_state_allowed(f, t))
					seen[t] = grew = true;
	}
	for (int s = 0; s < LEG__N; s++)
		assert_true(seen[s]);
	for (int t = 0; t < LEG__N; t++)
		assert_int_equal(leg_state_allowed(LEG_DONE, t), t == LEG_DONE);
	/* Every live state can end. */
	for (int s = LEG_IDLE; s < LEG_DONE; s++)
		assert_true(leg_state_allowed(s, LEG_DONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_call_happy_path),
	    cmocka_unit_test(test_call_invalid_refused),
	    cmocka_unit_test(test_leg_transitions),
	    cmocka_unit_test(test_every_state_reachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
