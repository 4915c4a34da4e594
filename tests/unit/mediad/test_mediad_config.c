/* mediad_config.c's RPC security checks: which endpoints count as local, a non-local endpoint
 * without keys is refused unless insecure_rpc, keys come in pairs of files, and an exposed
 * secret key is a config error naming the config key and the key file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mediad_config.h"

static void test_endpoint_is_local(void **state)
{
	(void)state;
	assert_true(mediad_endpoint_is_local("tcp://127.0.0.1:5555"));
	assert_true(mediad_endpoint_is_local("tcp://127.3.4.5:1"));
	assert_true(mediad_endpoint_is_local("tcp://localhost:5555"));
	assert_true(mediad_endpoint_is_local("tcp://[::1]:5555"));
	assert_true(mediad_endpoint_is_local("ipc:///run/mediad.sock"));
	assert_true(mediad_endpoint_is_local("inproc://x"));
	assert_false(mediad_endpoint_is_local("tcp://*:5555"));
	assert_false(mediad_endpoint_is_local("tcp://0.0.0.0:5555"));
	assert_false(mediad_endpoint_is_local("tcp://10.0.0.1:5555"));
	assert_false(mediad_endpoint_is_local("tcp://[::]:5555"));
	assert_false(mediad_endpoint_is_local("tcp://eth0:5555"));
	assert_false(mediad_endpoint_is_local("tcp://128.0.0.1:5555"));
	assert_false(mediad_endpoint_is_local("tcp://127.0.0.1"));
	assert_false(mediad_endpoint_is_local("udp://127.0.0.1:5"));
}

static int load(struct mediad_config *cfg, char **sets, int n, char *err)
{
	return mediad_config_load(cfg, NULL, sets, n, err, CFG_ERR_LEN);
}

static void test_non_local_needs_keys(void **state)
{
	struct mediad_config cfg;
	char err[CFG_ERR_LEN];
	char *open_ep[] = {"mediad.rpc_endpoint=tcp://*:5555"};
	char *insecure[] = {"mediad.rpc_endpoint=tcp://*:5555", "mediad.insecure_rpc=yes"};

	(void)state;
	assert_int_equal(load(&cfg, open_ep, 1, err), -EINVAL);
	assert_non_null(strstr(err, "[mediad] rpc_endpoint: tcp://*:5555"));
	assert_non_null(strstr(err, "insecure_rpc"));
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, insecure, 2, err), 0);
	assert_false(cfg.auth);
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, NULL, 0, err), 0); /* loopback default */
	assert_false(cfg.auth);
	mediad_config_free(&cfg);
}

static void test_metrics_listen(void **state)
{
	struct mediad_config cfg;
	char err[CFG_ERR_LEN];
	char *v4[] = {"metrics.listen=127.0.0.1:9466"};
	char *v6[] = {"metrics.listen=[::1]:9466"};
	char *bad[] = {"metrics.listen=localhost:9466", "metrics.listen=127.0.0.1",
	               "metrics.listen=127.0.0.1:0", "metrics.listen=127.0.0.1:70000"};

	(void)state;
	assert_int_equal(load(&cfg, NULL, 0, err), 0);
	assert_null(cfg.metrics_listen); /* off unless set */
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, v4, 1, err), 0);
	assert_string_equal(cfg.metrics_listen, "127.0.0.1:9466");
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, v6, 1, err), 0);
	mediad_config_free(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(&cfg, &bad[i], 1, err), -EINVAL);
		assert_non_null(strstr(err, "[metrics] listen: "));
		mediad_config_free(&cfg);
	}
}

static void test_fast_path(void **state)
{
	struct mediad_config cfg;
	char err[CFG_ERR_LEN];
	char *off[] = {"rtp.fast_path=off"};
	char *bad[] = {"rtp.fast_path=on"};

	(void)state;
	assert_int_equal(load(&cfg, NULL, 0, err), 0);
	assert_string_equal(cfg.fast_path, "auto"); /* on wherever the kernel allows it */
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, off, 1, err), 0);
	assert_string_equal(cfg.fast_path, "off");
	mediad_config_free(&cfg);
	assert_int_equal(load(&cfg, bad, 1, err), -EINVAL);
	assert_non_null(strstr(err, "[rtp] fast_path: 'on' is not auto or off"));
	mediad_config_free(&cfg);
}

static void test_keys(void **state)
{
	char dir[] = "/tmp/test-mediad-config.XXXXXX", prefix[64], set_key[128], set_clients[128];
	char set_ep[] = "mediad.rpc_endpoint=tcp://0.0.0.0:5555", path[96], err[CFG_ERR_LEN];
	struct rpc_keypair kp, client;
	struct mediad_config cfg;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(prefix, sizeof(prefix), "%s/server", dir);
	assert_int_equal(rpc_key_generate(prefix, &kp, err, sizeof(err)), 0);
	assert_int_equal(rpc_key_generate(NULL, &client, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/clients", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s sig1\n", client.public_key);
	fclose(f);
	snprintf(set_key, sizeof(set_key), "mediad.rpc_key_file=%s.key", prefix);
	snprintf(set_clients, sizeof(set_clients), "mediad.rpc_clients_file=%s", path);
	{
		char *only_key[] = {set_key};
		char *both[] = {set_ep, set_key, set_clients};

		assert_int_equal(load(&cfg, only_key, 1, err), -EINVAL);
		assert_non_null(strstr(err, "rpc_key_file: set together with rpc_clients_file"));
		mediad_config_free(&cfg);
		assert_int_equal(load(&cfg, both, 3, err), 0);
		assert_true(cfg.auth);
		assert_string_equal(cfg.server_key.public_key, kp.public_key);
		assert_int_equal(cfg.clients.n, 1);
		mediad_config_free(&cfg);
		snprintf(path, sizeof(path), "%s.key", prefix);
		assert_int_equal(chmod(path, 0644), 0);
		assert_int_equal(load(&cfg, both, 3, err), -EPERM);
		assert_non_null(strstr(err, "[mediad] rpc_key_file: "));
		assert_non_null(strstr(err, path));
		mediad_config_free(&cfg);
	}
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoint_is_local),
	    cmocka_unit_test(test_non_local_needs_keys),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_metrics_listen),
	    cmocka_unit_test(test_fast_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
