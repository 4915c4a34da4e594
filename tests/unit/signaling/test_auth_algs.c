/* auth_algs.c: the digest algorithms a challenge offers per directory user and domain, the
 * global list for everyone else, and a bad auth-algorithms value failing the directory load at
 * its line. */
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

#include "auth_algs.h"
#include "directory.h"

static char tmpdir[64];

static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tandem-algs.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct digest *md5_only(void)
{
	static const uint8_t secret[] = "unit-test-secret-0123456789abcdef";
	struct digest_cfg dc = {.realm = "a.example",
	                        .secret = secret,
	                        .secret_len = 32,
	                        .nonce_ttl_s = 60,
	                        .prefs = {DIGEST_ALG_MD5},
	                        .n_prefs = 1};
	struct digest *dg;

	assert_int_equal(digest_new(&dg, &dc), 0);
	return dg;
}

static const char users[] =
    "<include>\n"
    "<domain name=\"a.example\"><users>\n"
    "<user id=\"plain\"><params><param name=\"password\" value=\"x\"/></params></user>\n"
    "<user id=\"strong\"><params><param name=\"password\" value=\"x\"/>\n"
    "  <param name=\"auth-algorithms\" value=\"SHA-256, MD5\"/></params></user>\n"
    "</users></domain>\n"
    "<domain name=\"b.example\"><params><param name=\"auth-algorithms\" value=\"SHA-256\"/>"
    "</params><users>\n"
    "<user id=\"inherits\"><params><param name=\"password\" value=\"x\"/></params></user>\n"
    "<user id=\"own\"><params><param name=\"password\" value=\"x\"/>\n"
    "  <param name=\"auth-algorithms\" value=\"md5\"/></params></user>\n"
    "</users></domain>\n"
    "<domain name=\"c.example\"><params><param name=\"auth-algorithms\" value=\"SHA-256,MD5\"/>"
    "</params></domain>\n"
    "</include>\n";

static void test_user_domain_and_global(void **state)
{
	struct directory *dir;
	struct digest *dg = md5_only();
	struct auth_algs a;
	char err[256] = "";

	(void)state;
	assert_int_equal(directory_load_checked(&dir, write_file("u.xml", users), "a.example",
	                                        auth_algs_check_param, err, sizeof(err)),
	                 0);
	auth_algs_for(dg, dir, "plain", "a.example", &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.prefs[0], DIGEST_ALG_MD5);
	auth_algs_for(dg, dir, "strong", "a.example", &a);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.prefs[0], DIGEST_ALG_SHA256);
	assert_int_equal(a.prefs[1], DIGEST_ALG_MD5);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_ALL);
	/* Domain params are inherited; the user's own value wins. */
	auth_algs_for(dg, dir, "inherits", "b.example", &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.prefs[0], DIGEST_ALG_SHA256);
	auth_algs_for(dg, dir, "own", "b.example", &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.prefs[0], DIGEST_ALG_MD5);
	/* Unknown users get what a known user without a param of its own gets: the domain's
	 * list, else the global one. */
	auth_algs_for(dg, dir, "nobody", "a.example", &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.prefs[0], DIGEST_ALG_MD5);
	auth_algs_for(dg, dir, "strong", "b.example", &a);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_SHA256);
	auth_algs_for(dg, dir, "nobody", "c.example", &a);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_ALL);
	assert_int_equal(a.prefs[0], DIGEST_ALG_SHA256);
	auth_algs_for(dg, dir, "nobody", "elsewhere.example", &a);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_MD5);
	/* No user, no directory: the global list. */
	auth_algs_for(dg, dir, NULL, "a.example", &a);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_MD5);
	auth_algs_for(dg, NULL, "strong", "a.example", &a);
	assert_int_equal(auth_algs_mask(&a), DIGEST_ALG_MD5);
	directory_free(dir);
	digest_free(dg);
}

static void test_challenge_uses_the_list(void **state)
{
	struct digest *dg = md5_only();
	struct digest_challenge ch;
	const enum digest_alg both[] = {DIGEST_ALG_SHA256, DIGEST_ALG_MD5};

	(void)state;
	assert_int_equal(
	    digest_challenge_algs(dg, true, false, both, 2, DIGEST_ALG_ALL, "127.0.0.1", 1000, &ch),
	    0);
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.status, 407);
	assert_non_null(strstr(ch.value[0], "algorithm=SHA-256"));
	assert_non_null(strstr(ch.value[1], "algorithm=MD5"));
	assert_int_equal(digest_challenge(dg, false, false, DIGEST_ALG_ALL, "127.0.0.1", 1000, &ch),
	                 0);
	assert_int_equal(ch.n, 1);
	assert_non_null(strstr(ch.value[0], "algorithm=MD5"));
	digest_free(dg);
}

static void test_bad_value_fails_the_load(void **state)
{
	struct directory *dir = NULL;
	char err[256] = "";
	const char *path;

	(void)state;
	path = write_file("bad.xml", "<include><domain name=\"a.example\">\n"
	                             "<params>\n"
	                             "<param name=\"auth-algorithms\" value=\"SHA-512\"/>\n"
	                             "</params></domain></include>\n");
	assert_int_equal(directory_load_checked(&dir, path, "a.example", auth_algs_check_param, err,
	                                        sizeof(err)),
	                 -EINVAL);
	assert_null(dir);
	assert_non_null(strstr(err, "bad.xml:3:"));
	assert_non_null(strstr(err, "auth-algorithms"));
	assert_non_null(strstr(err, "SHA-512"));
	/* Without the check the directory takes any value, as before. */
	assert_int_equal(directory_load(&dir, path, "a.example", err, sizeof(err)), 0);
	directory_free(dir);
	/* A reload keeps the check: the good file loads, a bad edit leaves it in place. */
	path = write_file("u.xml", users);
	assert_int_equal(directory_load_checked(&dir, path, "a.example", auth_algs_check_param, err,
	                                        sizeof(err)),
	                 0);
	write_file("u.xml",
	           "<include><user id=\"z\"><params><param name=\"password\" value=\"x\"/>"
	           "<param name=\"auth-algorithms\" value=\"\"/></params></user></include>");
	assert_int_equal(directory_reload(dir, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "u.xml:1:"));
	assert_non_null(directory_find(dir, "strong", "a.example"));
	directory_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_user_domain_and_global, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_challenge_uses_the_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_value_fails_the_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
