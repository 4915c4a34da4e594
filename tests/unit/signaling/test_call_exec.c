/* The digit of a SIP INFO body (call_exec_info_digit): application/dtmf-relay's Signal and
 * Duration lines, application/dtmf's bare digit, and bodies that hold none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "call_exec.h"

static char digit_of(const char *type, const char *body, unsigned *ms)
{
	return call_exec_info_digit(type, body, strlen(body), ms);
}

static void test_dtmf_relay(void **state)
{
	unsigned ms = 1;

	(void)state;
	assert_int_equal(digit_of("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", &ms),
	                 '5');
	assert_int_equal(ms, 160);
	assert_int_equal(digit_of("application/dtmf-relay", "Signal= #\nDuration= 250", &ms), '#');
	assert_int_equal(ms, 250);
	assert_int_equal(digit_of("Application/DTMF-Relay", "signal=10\r\n", &ms), '*');
	assert_int_equal(ms, 0);
	assert_int_equal(digit_of("application/dtmf-relay", "Signal=a\r\n", &ms), 'A');
	/* No digit: nothing to take. */
	assert_int_equal(digit_of("application/dtmf-relay", "Signal=x\r\n", &ms), 0);
	assert_int_equal(digit_of("application/dtmf-relay", "Duration=160\r\n", &ms), 0);
	assert_int_equal(digit_of("application/dtmf-relay", "", &ms), 0);
}

static void test_dtmf(void **state)
{
	unsigned ms;

	(void)state;
	assert_int_equal(digit_of("application/dtmf", "7", &ms), '7');
	assert_int_equal(digit_of("application/dtmf", "11\r\n", &ms), '#');
	assert_int_equal(digit_of("application/dtmf;x=y", " *", &ms), '*');
	/* Other types are not digits, whatever their body. */
	assert_int_equal(digit_of("application/dtmfx", "7", &ms), 0);
	assert_int_equal(digit_of("text/plain", "Signal=5", &ms), 0);
	assert_int_equal(digit_of(NULL, "Signal=5", &ms), 0);
	assert_int_equal(call_exec_info_digit("application/dtmf", NULL, 0, &ms), 0);
}

static void test_long_body(void **state)
{
	char body[600];
	unsigned ms;

	(void)state;
	memset(body, 'S', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	assert_int_equal(digit_of("application/dtmf-relay", body, &ms), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dtmf_relay),
	    cmocka_unit_test(test_dtmf),
	    cmocka_unit_test(test_long_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
