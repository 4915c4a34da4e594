/* session_timer.c, and the [sip] session timer keys of signald_config.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "session_timer.h"
#include "signald_config.h"

static void test_defaults_are_freeswitch_like(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(signald_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	/* On out of the box: a call whose far end vanished must end without any config. */
	assert_int_equal(cfg.sip_session_timer_s, 1800);
	assert_int_equal(cfg.sip_min_se_s, SESSION_TIMER_RFC_MIN_SE);
	signald_config_free(&cfg);
}

static void test_interval_below_min_se_refused(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"sip.session_timer_s=60"};

	assert_int_equal(signald_config_load(&cfg, NULL, sets, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[sip] session_timer_s: 60 is below min_se_s (90)"));
	signald_config_free(&cfg);
}

static void test_off_and_short_test_intervals_accepted(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *off[] = {"sip.session_timer_s=0"};
	char *short_ones[] = {"sip.session_timer_s=8", "sip.min_se_s=2"};
	char *too_short[] = {"sip.min_se_s=1"};

	assert_int_equal(signald_config_load(&cfg, NULL, off, 1, err, sizeof(err)), 0);
	assert_int_equal(cfg.sip_session_timer_s, 0);
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, short_ones, 2, err, sizeof(err)), 0);
	assert_int_equal(cfg.sip_session_timer_s, 8);
	assert_int_equal(cfg.sip_min_se_s, 2);
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, too_short, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "min_se_s"));
	signald_config_free(&cfg);
}

static void test_check_config(void **state)
{
	char err[128] = "";

	assert_int_equal(session_timer_check_config(0, 90, err, sizeof(err)), 0);
	assert_int_equal(session_timer_check_config(90, 90, err, sizeof(err)), 0);
	assert_int_equal(session_timer_check_config(89, 90, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "session_timer_s"));
}

/* Only a confirmed leg that nobody hung up ended by the stack's own doing counts as expired. */
static void test_expired(void **state)
{
	assert_true(session_timer_expired(true, false));
	assert_false(session_timer_expired(true, true));   /* we are hanging up anyway */
	assert_false(session_timer_expired(false, false)); /* BYE sent or received, or never up */
	assert_false(session_timer_expired(false, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_are_freeswitch_like),
	    cmocka_unit_test(test_interval_below_min_se_refused),
	    cmocka_unit_test(test_off_and_short_test_intervals_accepted),
	    cmocka_unit_test(test_check_config),
	    cmocka_unit_test(test_expired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
