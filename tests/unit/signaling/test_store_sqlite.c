/* store_sqlite.c against a real SQLite file: save/replace, lookup of live bindings, removal,
 * purge, reopening keeps rows, WAL is on, a newer schema is refused, and dialog/CDR writes
 * wait in one transaction until store_flush (or a registrar transaction) commits them. */
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

#include "store.h"

static char dir[64], db[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tandem-store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct store *open_store(void)
{
	struct store *st = NULL;
	char err[256] = "";

	if (store_open(&st, "sqlite", db, err, sizeof(err)))
		fail_msg("open: %s", err);
	return st;
}

static struct store_reg binding(const char *user, const char *contact, int64_t expires,
                                uint32_t cseq)
{
	struct store_reg r = {
	    .call_id = "cid-1",
	    .cseq = cseq,
	    .sip_user = (char *)user,
	    .sip_host = "example.com",
	    .contact = (char *)contact,
	    .status = "Registered(UDP-NAT)",
	    .expires = expires,
	    .user_agent = "phone/1.0",
	    .network_ip = "192.0.2.10",
	    .network_port = 40000,
	    .network_proto = "udp",
	    .sip_username = (char *)user,
	    .sip_realm = "example.com",
	    .hostname = "node1",
	    .profile_name = "127.0.0.1:5060",
	    .nat = true,
	};
	return r;
}

static void test_save_lookup_remove(void **state)
{
	struct store *st = open_store();
	struct store_reg r;
	struct store_reg_list l;
	unsigned n = 0;

	r = binding("1000", "sip:1000@10.0.0.1:5060", 2000, 1);
	assert_int_equal(store_reg_save(st, &r), 0);
	r = binding("1000", "sip:1000@10.0.0.2:5060", 3000, 1);
	assert_int_equal(store_reg_save(st, &r), 0);
	r = binding("1001", "sip:1001@10.0.0.3:5060", 3000, 1);
	assert_int_equal(store_reg_save(st, &r), 0);
	/* Same key again: replaced, not added. */
	r = binding("1000", "sip:1000@10.0.0.1:5060", 2500, 2);
	assert_int_equal(store_reg_save(st, &r), 0);

	assert_int_equal(store_reg_lookup(st, "1000", "example.com", 1000, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].contact, "sip:1000@10.0.0.2:5060");
	assert_string_equal(l.v[1].contact, "sip:1000@10.0.0.1:5060");
	assert_int_equal(l.v[1].expires, 2500);
	assert_int_equal(l.v[1].cseq, 2);
	assert_string_equal(l.v[1].network_ip, "192.0.2.10");
	assert_int_equal(l.v[1].network_port, 40000);
	assert_string_equal(l.v[1].network_proto, "udp");
	assert_string_equal(l.v[1].status, "Registered(UDP-NAT)");
	assert_true(l.v[1].nat);
	store_reg_list_free(&l);

	/* Expired bindings are not returned. */
	assert_int_equal(store_reg_lookup(st, "1000", "example.com", 2600, &l), 0);
	assert_int_equal(l.n, 1);
	store_reg_list_free(&l);
	assert_int_equal(store_reg_lookup(st, "1000", "other.org", 1000, &l), 0);
	assert_int_equal(l.n, 0);
	store_reg_list_free(&l);

	assert_int_equal(store_reg_remove(st, "1000", "example.com", "sip:1000@10.0.0.2:5060"), 0);
	assert_int_equal(store_reg_count(st, 1000, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_reg_remove(st, "1000", "example.com", NULL), 0);
	assert_int_equal(store_reg_count(st, 1000, &n), 0);
	assert_int_equal(n, 1);
	store_close(st);
}

static void test_transaction_and_purge(void **state)
{
	struct store *st = open_store();
	struct store_reg r;
	unsigned removed = 0, n = 0;

	assert_int_equal(store_begin(st), 0);
	r = binding("1000", "sip:a@h", 100, 1);
	assert_int_equal(store_reg_save(st, &r), 0);
	store_rollback(st);
	assert_int_equal(store_reg_count(st, 0, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < 10; i++) {
		char c[32];

		snprintf(c, sizeof(c), "sip:%d@h", i);
		r = binding("1000", c, 100 + i * 10, 1);
		assert_int_equal(store_reg_save(st, &r), 0);
	}
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_reg_purge_expired(st, 150, &removed), 0);
	assert_int_equal(removed, 6);
	assert_int_equal(store_reg_count(st, 0, &n), 0);
	assert_int_equal(n, 4);
	store_close(st);
}

static void test_reopen_keeps_rows_and_uses_wal(void **state)
{
	struct store *st = open_store();
	struct store_reg r = binding("1000", "sip:a@h", 5000, 1);
	struct store_reg_list l;
	char wal[160];

	assert_int_equal(store_reg_save(st, &r), 0);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	assert_int_equal(access(wal, F_OK), 0);
	store_close(st);
	st = open_store();
	assert_int_equal(store_reg_lookup(st, "1000", "example.com", 1000, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].user_agent, "phone/1.0");
	store_reg_list_free(&l);
	store_close(st);
}

static void test_newer_schema_refused(void **state)
{
	struct store *st = NULL;
	char cmd[256], err[256] = "";

	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version = 99;'", db);
	if (system(cmd) != 0)
		skip();
	assert_int_equal(store_open(&st, "sqlite", db, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "schema version 99"));
	assert_int_equal(store_open(&st, "postgres", db, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "driver"));
}

static void count_batches(void *arg)
{
	(*(int *)arg)++;
}

static void test_call_writes_batched(void **state)
{
	struct store *st = open_store(), *other = open_store();
	struct store_dialog d = {.call_id = "c1",
	                         .b_call_id = "",
	                         .state = "ringing",
	                         .from_user = "1000",
	                         .to_user = "1001",
	                         .created = 1};
	struct store_cdr c = {.call_id = "c0", .hangup_cause = "NORMAL_CLEARING", .q850_cause = 16};
	struct store_reg r = binding("1000", "sip:a@h", 5000, 1);
	unsigned n = 99;
	int batches = 0;

	store_set_batch_hook(st, count_batches, &batches);
	assert_int_equal(store_dialog_save(st, &d), 0);
	d.call_id = "c2";
	assert_int_equal(store_dialog_save(st, &d), 0);
	assert_int_equal(store_cdr_add(st, &c), 0);
	assert_int_equal(batches, 1); /* one batch for the three writes */
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 2); /* the writer sees its own batch */
	assert_int_equal(store_dialog_count(other, &n), 0);
	assert_int_equal(n, 0); /* others do not, until it is committed */
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_dialog_count(other, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_flush(st), 0); /* nothing open: a no-op */
	/* A registrar transaction commits an open batch first. */
	assert_int_equal(store_dialog_remove(st, "c1"), 0);
	assert_int_equal(batches, 2);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_reg_save(st, &r), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_dialog_count(other, &n), 0);
	assert_int_equal(n, 1);
	store_close(other);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_save_lookup_remove, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transaction_and_purge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_rows_and_uses_wal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_writes_batched, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
