/* Names of prompts and recordings: what app_path_ok() refuses and why, and what
 * app_path_open() does with the folder (nested folders made for a new file, a symbolic link
 * out of the folder refused even though its name is fine, a link inside followed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_path.h"

static void test_names(void **state)
{
	char why[128], longname[APP_PATH_MAX + 8];

	(void)state;
	assert_true(app_path_ok("hello.wav", why, sizeof(why)));
	assert_true(app_path_ok("calls/2026/12/x.wav", why, sizeof(why)));
	assert_true(app_path_ok("..hidden/x..wav", why, sizeof(why))); /* not a '..' component */
	assert_false(app_path_ok("", why, sizeof(why)));
	assert_false(app_path_ok(NULL, why, sizeof(why)));
	assert_false(app_path_ok("/etc/passwd", why, sizeof(why)));
	assert_non_null(strstr(why, "absolute"));
	assert_false(app_path_ok("..", why, sizeof(why)));
	assert_false(app_path_ok("../x.wav", why, sizeof(why)));
	assert_false(app_path_ok("a/../../x.wav", why, sizeof(why)));
	assert_false(app_path_ok("a/..", why, sizeof(why)));
	assert_non_null(strstr(why, "'..'"));
	assert_false(app_path_ok("a\nb.wav", why, sizeof(why)));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(app_path_ok(longname, why, sizeof(why)));
}

static void test_open(void **state)
{
	char dir[] = "/tmp/test_app_path.XXXXXX", path[512], outside[512];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* A new file two folders down: the folders are made. */
	fd = app_path_open(dir, "a/b/new.wav", O_CREAT | O_WRONLY | O_TRUNC, 0640);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/a/b/new.wav", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* A link to a file outside: refused (EXDEV); a link inside: followed. */
	snprintf(outside, sizeof(outside), "%s.outside", dir);
	fd = open(outside, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/out.wav", dir);
	assert_int_equal(symlink(outside, path), 0);
	assert_int_equal(app_path_open(dir, "out.wav", O_RDONLY, 0), -EXDEV);
	snprintf(path, sizeof(path), "%s/in.wav", dir);
	assert_int_equal(symlink("a/b/new.wav", path), 0);
	fd = app_path_open(dir, "in.wav", O_RDONLY, 0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(app_path_open(dir, "missing.wav", O_RDONLY, 0), -ENOENT);
	/* A folder that does not exist, for reading. */
	assert_int_equal(app_path_open("/nonexistent-tandem-dir", "x.wav", O_RDONLY, 0), -ENOENT);
	unlink(outside);
	for (const char *const *n = (const char *const[]){"in.wav", "out.wav", "a/b/new.wav", NULL};
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		assert_int_equal(unlink(path), 0);
	}
	for (const char *const *n = (const char *const[]){"a/b", "a", "", NULL}; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		assert_int_equal(rmdir(path), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
