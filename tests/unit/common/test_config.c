/* config.c: defaults, ranges, unknown keys and sections, duplicates, lists, overrides, and error
 * messages that name file, line and key. */
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

#include "config.h"

struct demo {
	char *name;
	long port;
	bool on;
	struct cfg_list nodes;
};

static const struct cfg_key keys[] = {
    {"main", "name", CFG_STR, offsetof(struct demo, name), "x", 0, 0, NULL},
    {"main", "port", CFG_INT, offsetof(struct demo, port), "5060", 1, 65535, NULL},
    {"main", "on", CFG_BOOL, offsetof(struct demo, on), "false", 0, 0, NULL},
    {"media", "node", CFG_LIST, offsetof(struct demo, nodes), "tcp://default", 0, 0, NULL},
    {NULL, NULL, 0, 0, NULL, 0, 0, NULL},
};

static char path[64];

static void write_file(const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/tandem-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int load(const char *text, struct demo *d, char *err)
{
	int rc;

	memset(d, 0, sizeof(*d));
	assert_int_equal(cfg_defaults(keys, d, err, CFG_ERR_LEN), 0);
	write_file(text);
	rc = cfg_load(keys, d, path, err, CFG_ERR_LEN);
	unlink(path);
	return rc;
}

static void test_defaults_and_values(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[main]\nname = alpha\non = yes\n", &d, err), 0);
	assert_string_equal(d.name, "alpha");
	assert_int_equal(d.port, 5060);
	assert_true(d.on);
	assert_int_equal(d.nodes.n, 1);
	assert_string_equal(d.nodes.v[0], "tcp://default");
	cfg_free(keys, &d);
	assert_null(d.name);
}

static void test_list_replaces_default(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[media]\nnode = tcp://a\nnode = tcp://b\n", &d, err), 0);
	assert_int_equal(d.nodes.n, 2);
	assert_string_equal(d.nodes.v[0], "tcp://a");
	assert_string_equal(d.nodes.v[1], "tcp://b");
	cfg_free(keys, &d);
}

static void test_unknown_key_names_line(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[main]\n\nname = a\nbogus = 1\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, ":4: [main] bogus: unknown key"));
	assert_non_null(strstr(err, path));
	cfg_free(keys, &d);
}

static void test_unknown_section(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[nope]\nx = 1\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, ":2: [nope] x: unknown section"));
	cfg_free(keys, &d);
}

static void test_range_and_type(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[main]\nport = 70000\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, ":2: [main] port: 70000 is out of range [1, 65535]"));
	cfg_free(keys, &d);
	assert_int_equal(load("[main]\nport = 12ab\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, "is not an integer"));
	cfg_free(keys, &d);
	assert_int_equal(load("[main]\non = maybe\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, "[main] on: 'maybe' is not a boolean"));
	cfg_free(keys, &d);
}

static void test_duplicate_and_syntax(void **state)
{
	struct demo d;
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(load("[main]\nport = 1\nport = 2\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, ":3: [main] port: key given twice"));
	cfg_free(keys, &d);
	assert_int_equal(load("[main]\nthis line has no equals sign\n", &d, err), -EINVAL);
	assert_non_null(strstr(err, ":2: syntax error"));
	cfg_free(keys, &d);
}

static void test_missing_file(void **state)
{
	struct demo d = {0};
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(cfg_load(keys, &d, "/nonexistent/tandem.ini", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/tandem.ini: cannot open"));
}

static void test_set_override(void **state)
{
	struct demo d = {0};
	char err[CFG_ERR_LEN] = "";

	assert_int_equal(cfg_defaults(keys, &d, err, sizeof(err)), 0);
	assert_int_equal(cfg_set(keys, &d, "main.port=5080", err, sizeof(err)), 0);
	assert_int_equal(d.port, 5080);
	assert_int_equal(cfg_set(keys, &d, "media.node=tcp://x", err, sizeof(err)), 0);
	assert_int_equal(d.nodes.n, 1);
	assert_string_equal(d.nodes.v[0], "tcp://x");
	assert_int_equal(cfg_set(keys, &d, "main.nope=1", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(cfg_set(keys, &d, "noequals", err, sizeof(err)), -EINVAL);
	cfg_free(keys, &d);
}

static void test_hostport(void **state)
{
	char host[64];
	unsigned port;

	assert_int_equal(cfg_split_hostport("127.0.0.1:5060", host, sizeof(host), &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 5060);
	assert_int_equal(cfg_split_hostport("[::1]:5070", host, sizeof(host), &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 5070);
	assert_int_equal(cfg_split_hostport("nohost", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(cfg_split_hostport("h:99999", host, sizeof(host), &port), -EINVAL);
	assert_int_equal(cfg_split_hostport(":5060", host, sizeof(host), &port), -EINVAL);
}

static void test_path_relative(void **state)
{
	char *p = strdup("keys/server.key"), *abs = strdup("/etc/tandem/x"), *none = NULL;

	(void)state;
	assert_int_equal(cfg_path_relative(&p, "/etc/tandem/mediad.ini"), 0);
	assert_string_equal(p, "/etc/tandem/keys/server.key");
	assert_int_equal(cfg_path_relative(&abs, "/srv/a.ini"), 0);
	assert_string_equal(abs, "/etc/tandem/x");
	assert_int_equal(cfg_path_relative(&none, "/srv/a.ini"), 0);
	assert_null(none);
	/* A config given without a folder: the path stays relative to where the daemon runs. */
	assert_int_equal(cfg_path_relative(&p, "mediad.ini"), 0);
	assert_string_equal(p, "/etc/tandem/keys/server.key");
	free(p);
	free(abs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_values),
	    cmocka_unit_test(test_list_replaces_default),
	    cmocka_unit_test(test_unknown_key_names_line),
	    cmocka_unit_test(test_unknown_section),
	    cmocka_unit_test(test_range_and_type),
	    cmocka_unit_test(test_duplicate_and_syntax),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_set_override),
	    cmocka_unit_test(test_hostport),
	    cmocka_unit_test(test_path_relative),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
