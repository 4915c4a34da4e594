/* signald_config.c: derived fields and cross-field errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <string.h>

#include "signald_config.h"

static void test_defaults(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(signald_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(cfg.sip_host, "127.0.0.1");
	assert_int_equal(cfg.sip_port, 5060);
	assert_string_equal(cfg.sip_domain, "127.0.0.1");
	assert_int_equal(cfg.media_nodes.n, 1);
	signald_config_free(&cfg);
}

static void test_bad_listen(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"sip.listen=127.0.0.1"};

	assert_int_equal(signald_config_load(&cfg, NULL, sets, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[sip] listen: '127.0.0.1' is not host:port"));
	signald_config_free(&cfg);
}

static void test_bad_level(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"signald.log_level=chatty"};

	assert_int_equal(signald_config_load(&cfg, NULL, sets, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "log_level: 'chatty' is not a level"));
	signald_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_bad_listen),
	    cmocka_unit_test(test_bad_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
