/* rpc_keys.c: key pairs written by rpc_key_generate load back, a secret key readable by group
 * or others is refused, and the client list takes KEY [NAME] [ROLE] lines and refuses the rest
 * with the file and line. */
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

#include "rpc_keys.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-rpc-keys.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_generate_and_load(void **state)
{
	struct rpc_keypair kp, loaded;
	char prefix[128], path[160], pub[RPC_KEY_Z85_LEN + 1], err[512];
	struct stat st;

	(void)state;
	snprintf(prefix, sizeof(prefix), "%s/node", dir);
	assert_int_equal(rpc_key_generate(prefix, &kp, err, sizeof(err)), 0);
	assert_true(rpc_key_valid(kp.public_key));
	assert_true(rpc_key_valid(kp.secret_key));
	snprintf(path, sizeof(path), "%s.key", prefix);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(rpc_key_load_secret(path, &loaded, err, sizeof(err)), 0);
	assert_string_equal(loaded.secret_key, kp.secret_key);
	assert_string_equal(loaded.public_key, kp.public_key); /* derived */
	snprintf(path, sizeof(path), "%s.pub", prefix);
	assert_int_equal(rpc_key_load_public(path, pub, err, sizeof(err)), 0);
	assert_string_equal(pub, kp.public_key);
	/* Never overwritten. */
	assert_int_equal(rpc_key_generate(prefix, &kp, err, sizeof(err)), -EEXIST);
}

static void test_secret_mode_refused(void **state)
{
	struct rpc_keypair kp;
	char path[128], err[512];

	(void)state;
	assert_int_equal(rpc_key_generate(NULL, &kp, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/open.key", dir);
	write_file(path, kp.secret_key, 0640);
	assert_int_equal(rpc_key_load_secret(path, &kp, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "0640"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(rpc_key_load_secret(path, &kp, err, sizeof(err)), 0);
	/* Garbage and a missing file. */
	write_file(path, "# comment only\n\nnot-a-key\n", 0600);
	assert_int_equal(rpc_key_load_secret(path, &kp, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/missing.key", dir);
	assert_int_equal(rpc_key_load_secret(path, &kp, err, sizeof(err)), -ENOENT);
}

static void test_allowlist(void **state)
{
	struct rpc_keypair a, b, c;
	struct rpc_allowlist l;
	const struct rpc_client_key *k;
	char path[128], text[512], err[512];

	(void)state;
	rpc_key_generate(NULL, &a, err, sizeof(err));
	rpc_key_generate(NULL, &b, err, sizeof(err));
	rpc_key_generate(NULL, &c, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/clients", dir);
	snprintf(text, sizeof(text), "# who may connect\n%s sig1\n\n  %s ops admin # note\n%s\n",
	         a.public_key, b.public_key, c.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	k = rpc_allowlist_find(&l, a.public_key);
	assert_non_null(k);
	assert_string_equal(k->name, "sig1");
	assert_int_equal(k->role, RPC_ROLE_CLIENT);
	k = rpc_allowlist_find(&l, b.public_key);
	assert_string_equal(k->name, "ops");
	assert_int_equal(k->role, RPC_ROLE_ADMIN);
	k = rpc_allowlist_find(&l, c.public_key);
	assert_int_equal(strlen(k->name), 8); /* the key's first characters */
	assert_null(rpc_allowlist_find(&l, "nobody"));
	rpc_allowlist_free(&l);

	/* '#' inside a key is a digit, after the key a comment. */
	for (int i = 0; i < 2000 && !strchr(a.public_key, '#'); i++)
		rpc_key_generate(NULL, &a, err, sizeof(err));
	assert_non_null(strchr(a.public_key, '#'));
	snprintf(text, sizeof(text), "%s sig1 #admin\n", a.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].key, a.public_key);
	assert_int_equal(l.v[0].role, RPC_ROLE_CLIENT);
	assert_null(rpc_allowlist_find(&l, NULL));
	rpc_allowlist_free(&l);

	/* Each bad form names the file and line. */
	snprintf(text, sizeof(text), "%s sig1\n%s ops root\n", a.public_key, b.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: role 'root'"));
	snprintf(text, sizeof(text), "%s sig1\nshort-key\n", a.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: 'short-key' is not a Z85 public key"));
	snprintf(text, sizeof(text), "%s a admin extra\n", a.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1: expected"));
	snprintf(text, sizeof(text), "%s a\n%s b\n", a.public_key, a.public_key);
	write_file(path, text, 0644);
	assert_int_equal(rpc_allowlist_load(path, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: key listed twice"));
	assert_null(l.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generate_and_load),
	    cmocka_unit_test(test_secret_mode_refused),
	    cmocka_unit_test(test_allowlist),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
