/* signald_config.c: derived fields and cross-field errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* Limits are on out of the box: what works only after editing config does not work. */
	assert_int_equal(cfg.call_max_calls, 1000);
	assert_int_equal(cfg.call_max_cps, 100);
	assert_int_equal(cfg.call_max_calls_per_user, 16);
	assert_int_equal(cfg.call_max_streams_per_call, 4);
	assert_int_equal(cfg.sip_source_rate, 200);
	assert_true(cfg.sip_tcp_idle_s > 0 && cfg.sip_tcp_max_per_source > 0);
	assert_true(cfg.auth_account_max_failures > 0);
	assert_int_equal(cfg.digest_uri_check, DIGEST_URI_HOST);
	assert_null(cfg.auth_secret_file);
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

static void test_media_nodes(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *good[] = {"media.node=tcp://10.0.0.2:5555 weight=3", "media.node_down_ms=1500",
	                "media.ping_interval_ms=500"};
	char *bad_weight[] = {"media.node=tcp://10.0.0.2:5555 weight=many"};
	char *too_soon[] = {"media.node_down_ms=1000"};

	assert_int_equal(signald_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.media_ping_interval_ms, 1000);
	assert_int_equal(cfg.media_node_down_ms, 3000);
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, good, 3, err, sizeof(err)), 0);
	assert_int_equal(cfg.media_node_down_ms, 1500);
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, bad_weight, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[media] node: 'weight=many'"));
	signald_config_free(&cfg);
	/* A node must get at least one Ping answer's chance before it is declared down. */
	assert_int_equal(signald_config_load(&cfg, NULL, too_soon, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(
	    strstr(err, "[media] node_down_ms: 1000 must be more than ping_interval_ms"));
	signald_config_free(&cfg);
}

static void test_registrar_keys(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"signald.state_dir=/tmp/x", "sip.domain=example.com"};
	char *bad_alg[] = {"auth.algorithms=SHA-512-256"};
	char *bad_exp[] = {"registrar.min_expires=600", "registrar.default_expires=300"};
	/* The nonce secret is never given on the command line, where `ps` shows it to anyone. */
	char *cli_secret[] = {"auth.secret=0123456789abcdef0123456789abcdef"};

	assert_int_equal(signald_config_load(&cfg, NULL, sets, 2, err, sizeof(err)), 0);
	assert_string_equal(cfg.auth_realm, "example.com");
	assert_string_equal(cfg.store_path, "/tmp/x/tandem.db");
	/* MD5 alone: clients that see a challenge with an algorithm they lack give up. */
	assert_int_equal(cfg.n_digest_prefs, 1);
	assert_int_equal(cfg.digest_prefs[0], DIGEST_ALG_MD5);
	assert_null(cfg.directory_path);
	signald_config_free(&cfg);

	assert_int_equal(signald_config_load(&cfg, NULL, bad_alg, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[auth] algorithms"));
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, bad_exp, 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "min_expires <= default_expires"));
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, cli_secret, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[auth] secret: unknown key"));
	signald_config_free(&cfg);
}

/* A relative directory path in a file is taken from the file's folder. */
static void test_directory_path_relative_to_file(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char dir[] = "/tmp/tandem-cfg.XXXXXX", path[64];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.ini", dir);
	f = fopen(path, "w");
	fputs("[directory]\npath = users.xml\n[dialplan]\nfile = plan.xml\n"
	      "[auth]\nsecret_file = nonce.key\n",
	      f);
	fclose(f);
	assert_int_equal(signald_config_load(&cfg, path, NULL, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/users.xml", dir);
	assert_string_equal(cfg.directory_path, path);
	snprintf(path, sizeof(path), "%s/plan.xml", dir);
	assert_string_equal(cfg.dialplan_file, path);
	snprintf(path, sizeof(path), "%s/nonce.key", dir);
	assert_string_equal(cfg.auth_secret_file, path);
	signald_config_free(&cfg);
	snprintf(path, sizeof(path), "%s/s.ini", dir);
	unlink(path);
	rmdir(dir);
}

static void test_codecs_and_dialplan_defaults(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";

	(void)state;
	assert_int_equal(signald_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cfg.codec_prefs.n_audio, 5);
	assert_string_equal(cfg.codec_prefs.audio[0].name, "PCMU");
	assert_string_equal(cfg.codec_prefs.audio[4].name, "telephone-event");
	assert_int_equal(cfg.codec_prefs.n_video, 2);
	assert_string_equal(cfg.codec_prefs.video[1].name, "VP8");
	assert_int_equal(cfg.codec_prefs.mode, CODEC_NEG_GREEDY);
	assert_int_equal(cfg.codecs_max_media_lines, 16);
	assert_int_equal(cfg.codecs_max_sdp_bytes, 32768);
	assert_int_equal(cfg.codecs_max_formats, 64);
	assert_int_equal(cfg.codecs_max_attributes, 256);
	assert_int_equal(cfg.sip_max_message_kb, 64);
	assert_null(cfg.dialplan_file);
	assert_string_equal(cfg.dialplan_context, "default");
	signald_config_free(&cfg);
}

static void test_codecs_and_dialplan_set(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"codecs.audio=opus/48000/2, PCMA",
	                "codecs.video=",
	                "codecs.negotiation=generous",
	                "codecs.max_media_lines=4",
	                "dialplan.file=/etc/tandem/dialplan.xml",
	                "dialplan.context=public"};

	(void)state;
	assert_int_equal(signald_config_load(&cfg, NULL, sets, 6, err, sizeof(err)), 0);
	assert_int_equal(cfg.codec_prefs.n_audio, 2);
	assert_int_equal(cfg.codec_prefs.audio[0].channels, 2);
	assert_int_equal(cfg.codec_prefs.n_video, 0);
	assert_int_equal(cfg.codec_prefs.mode, CODEC_NEG_GENEROUS);
	assert_int_equal(cfg.codecs_max_media_lines, 4);
	assert_string_equal(cfg.dialplan_file, "/etc/tandem/dialplan.xml");
	assert_string_equal(cfg.dialplan_context, "public");
	signald_config_free(&cfg);
}

static void test_codecs_and_dialplan_errors(void **state)
{
	static const struct {
		const char *set, *err;
	} cases[] = {
	    {"codecs.audio=PCMU,,PCMA", "(defaults): [codecs] audio: '' is not NAME"},
	    {"codecs.video=H264;VP8", "[codecs] video: 'H264;VP8' is not NAME"},
	    {"codecs.negotiation=scrooge",
	     "[codecs] negotiation: 'scrooge' is neither greedy nor generous"},
	    {"codecs.max_media_lines=0", "max_media_lines"},
	    {"codecs.max_media_lines=65", "max_media_lines"},
	    {"dialplan.context=", "[dialplan] context: must not be empty"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct signald_config cfg;
		char err[CFG_ERR_LEN] = "";
		char *sets[] = {(char *)cases[i].set};

		if (signald_config_load(&cfg, NULL, sets, 1, err, sizeof(err)) != -EINVAL ||
		    !strstr(err, cases[i].err))
			fail_msg("%s: '%s'", cases[i].set, err);
		signald_config_free(&cfg);
	}
}

static void test_empty_dialplan_file_is_none(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *sets[] = {"dialplan.file="};

	(void)state;
	assert_int_equal(signald_config_load(&cfg, NULL, sets, 1, err, sizeof(err)), 0);
	assert_null(cfg.dialplan_file);
	signald_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_bad_listen),
	    cmocka_unit_test(test_bad_level),
	    cmocka_unit_test(test_media_nodes),
	    cmocka_unit_test(test_registrar_keys),
	    cmocka_unit_test(test_directory_path_relative_to_file),
	    cmocka_unit_test(test_codecs_and_dialplan_defaults),
	    cmocka_unit_test(test_codecs_and_dialplan_set),
	    cmocka_unit_test(test_codecs_and_dialplan_errors),
	    cmocka_unit_test(test_empty_dialplan_file_is_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
