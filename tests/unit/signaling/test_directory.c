/* directory.c: the FreeSWITCH shapes we accept, inheritance, folders, and errors that name the
 * file, the line and the element; a failed reload keeps the old users. */
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
#include <unistd.h>

#include "directory.h"

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tandem-dir.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_freeswitch_domain_shape(void **state)
{
	const char *p = write_file(
	    "fs.xml",
	    "<include>\n"
	    "  <domain name=\"$${domain}\">\n"
	    "    <params><param name=\"dial-string\" value=\"x\"/></params>\n"
	    "    <variables><variable name=\"user_context\" value=\"default\"/></variables>\n"
	    "    <groups><group name=\"default\"><users>\n"
	    "      <user id=\"1000\">\n"
	    "        <params><param name=\"password\" value=\"1234\"/></params>\n"
	    "        <variables><variable name=\"user_context\" value=\"vip\"/>\n"
	    "          <variable name=\"accountcode\" value=\"1000\"/></variables>\n"
	    "      </user>\n"
	    "      <user id=\"1001\"><params><param name=\"a1-hash\" "
	    "value=\"abc\"/></params></user>\n"
	    "    </users></group>\n"
	    "    <group name=\"sales\"><users><user id=\"1000\" "
	    "type=\"pointer\"/></users></group>\n"
	    "    </groups>\n"
	    "  </domain>\n"
	    "  <domain name=\"other.org\"><users>\n"
	    "    <user id=\"1000\"><params><param name=\"password\" value=\"x\"/></params></user>\n"
	    "  </users></domain>\n"
	    "</include>\n");
	struct directory *d;
	char err[256] = "";
	const struct directory_user *u;

	assert_int_equal(directory_load(&d, p, "example.com", err, sizeof(err)), 0);
	assert_int_equal(directory_count(d), 3);
	u = directory_find(d, "1000", "EXAMPLE.com");
	assert_non_null(u);
	assert_string_equal(directory_user_param(u, "password"), "1234");
	assert_string_equal(directory_user_param(u, "dial-string"), "x");
	assert_string_equal(directory_user_var(u, "user_context"), "vip");
	assert_string_equal(directory_user_var(u, "accountcode"), "1000");
	assert_int_equal(u->line, 6);
	u = directory_find(d, "1001", "example.com");
	assert_non_null(u);
	assert_string_equal(directory_user_param(u, "a1-hash"), "abc");
	assert_string_equal(directory_user_var(u, "user_context"), "default");
	assert_null(directory_user_param(u, "password"));
	u = directory_find(d, "1000", "other.org");
	assert_non_null(u);
	assert_string_equal(directory_user_param(u, "password"), "x");
	assert_null(directory_find(d, "1002", "example.com"));
	directory_free(d);
}

static void test_folder_of_bare_users(void **state)
{
	char sub[128], err[256] = "";
	struct directory *d;

	snprintf(sub, sizeof(sub), "%s/default", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("default/1000.xml", "<include><user id=\"1000\"><params>"
	                               "<param name=\"password\" value=\"a\"/></params></user>"
	                               "</include>");
	write_file("default/1001.xml", "<user id=\"1001\"><params>"
	                               "<param name=\"password\" value=\"b\"/></params></user>");
	write_file("default/notes.txt", "not xml");
	assert_int_equal(directory_load(&d, tmpdir, "example.com", err, sizeof(err)), 0);
	assert_int_equal(directory_count(d), 2);
	assert_string_equal(
	    directory_user_param(directory_find(d, "1001", "example.com"), "password"), "b");
	directory_free(d);
}

static void expect_error(const char *text, const char *needle)
{
	const char *p = write_file("bad.xml", text);
	struct directory *d = NULL;
	char err[512] = "";

	assert_int_equal(directory_load(&d, p, "example.com", err, sizeof(err)), -EINVAL);
	assert_null(d);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	assert_non_null(strstr(err, "bad.xml:"));
}

static void test_errors_name_file_line_element(void **state)
{
	expect_error("<include>\n\n  <user>\n  </user>\n</include>\n",
	             "bad.xml:3: <user>: missing id");
	expect_error("<include>\n<user id=\"7\">\n<params>\n<param name=\"vm\" value=\"1\"/>\n"
	             "</params>\n</user>\n</include>\n",
	             "bad.xml:2: <user>: user '7' has neither a password nor an a1-hash");
	expect_error("<include>\n<user id=\"7\">\n<params>\n<param name=\"password\"/>\n"
	             "</params></user></include>\n",
	             "bad.xml:4: <param>: needs name and value");
	expect_error("<include>\n<domain>\n</domain>\n</include>\n",
	             "bad.xml:2: <domain>: missing name");
	expect_error("<include>\n<user id=\"1\">\n<params>\n<variable name=\"a\" value=\"b\"/>\n"
	             "</params></user></include>\n",
	             "bad.xml:4: <variable>: unexpected element");
	expect_error("<include>\n<user id=\"1\"><params><param name=\"password\" value=\"x\"/>"
	             "</params></user>\n<user id=\"1\"><params><param name=\"password\" "
	             "value=\"y\"/></params></user>\n</include>\n",
	             "defined twice");
	expect_error("<include>\n<user id=\"1\">\n</include>\n", "bad.xml:3: XML:");
}

static void test_reload_keeps_old_on_error(void **state)
{
	const char *p = write_file("live.xml", "<include><user id=\"1\"><params><param "
	                                       "name=\"password\" value=\"x\"/></params></user>"
	                                       "</include>");
	char path[256], err[256] = "";
	struct directory *d;

	snprintf(path, sizeof(path), "%s", p);
	assert_int_equal(directory_load(&d, path, "example.com", err, sizeof(err)), 0);
	write_file("live.xml", "<include><user id=\"2\"><params>");
	assert_int_equal(directory_reload(d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "live.xml:"));
	assert_non_null(directory_find(d, "1", "example.com"));
	write_file("live.xml", "<include><user id=\"2\"><params><param name=\"password\" "
	                       "value=\"y\"/></params></user></include>");
	assert_int_equal(directory_reload(d, err, sizeof(err)), 0);
	assert_null(directory_find(d, "1", "example.com"));
	assert_non_null(directory_find(d, "2", "example.com"));
	directory_free(d);
}

static void test_missing_path(void **state)
{
	struct directory *d = NULL;
	char err[256] = "";

	assert_int_equal(directory_load(&d, "/nonexistent/dir.xml", "x", err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir.xml"));
}

static void test_demo_directory(void **state)
{
	struct directory *d;
	char err[256] = "";

	assert_int_equal(directory_load(&d, TANDEM_SRC "/deploy/demo/directory.xml", "127.0.0.1",
	                                err, sizeof(err)),
	                 0);
	assert_int_equal(directory_count(d), 20);
	for (int i = 1000; i < 1020; i++) {
		char id[8];

		snprintf(id, sizeof(id), "%d", i);
		assert_string_equal(
		    directory_user_param(directory_find(d, id, "127.0.0.1"), "password"), "1234");
	}
	directory_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_freeswitch_domain_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_folder_of_bare_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_name_file_line_element, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_keeps_old_on_error, setup, teardown),
	    cmocka_unit_test(test_missing_path),
	    cmocka_unit_test(test_demo_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
