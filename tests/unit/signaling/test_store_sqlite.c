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
#include <sys/wait.h>
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

/* The output of one sqlite3 command on the database, first line. */
static void sql_value(const char *sql, char *out, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"%s\"", db, sql);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* A database of schema 4 (no recording columns) gains them, and a CDR keeps the recording. */
static void test_cdr_recording_columns(void **state)
{
	struct store *st = open_store();
	struct store_cdr c = {.call_id = "r1",
	                      .hangup_cause = "NORMAL_CLEARING",
	                      .q850_cause = 16,
	                      .record_path = "/rec/r1.wav",
	                      .record_ms = 3017,
	                      .record_bytes = 96588};
	char v[128];

	(void)state;
	store_close(st);
	sql_value("ALTER TABLE cdr DROP COLUMN record_path; ALTER TABLE cdr DROP COLUMN record_ms; "
	          "ALTER TABLE cdr DROP COLUMN record_bytes; PRAGMA user_version = 4; "
	          "PRAGMA user_version;",
	          v, sizeof(v));
	if (strcmp(v, "4") != 0)
		skip(); /* no sqlite3 tool, or one without DROP COLUMN */
	st = open_store();
	assert_int_equal(store_cdr_add(st, &c), 0);
	c.call_id = "r2"; /* a call without a recording */
	c.record_path = NULL;
	c.record_ms = c.record_bytes = 0;
	assert_int_equal(store_cdr_add(st, &c), 0);
	store_close(st);
	sql_value("PRAGMA user_version;", v, sizeof(v));
	assert_string_equal(v, "5");
	sql_value("SELECT record_path || ',' || record_ms || ',' || record_bytes FROM cdr WHERE "
	          "call_id = 'r1';",
	          v, sizeof(v));
	assert_string_equal(v, "/rec/r1.wav,3017,96588");
	sql_value("SELECT record_path || ',' || record_ms FROM cdr WHERE call_id = 'r2';", v,
	          sizeof(v));
	assert_string_equal(v, ",0");
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
	int64_t id1 = 0, id2 = 0;

	store_set_batch_hook(st, count_batches, &batches);
	assert_int_equal(store_dialog_save(st, &d, &id1), 0);
	d.call_id = "c2";
	assert_int_equal(store_dialog_save(st, &d, &id2), 0);
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
	assert_int_equal(store_dialog_remove(st, id1), 0);
	assert_int_equal(batches, 2);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_reg_save(st, &r), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_dialog_count(other, &n), 0);
	assert_int_equal(n, 1);
	store_close(other);
	store_close(st);
}

/* One column of the sip_dialogs row with this id, read through a second connection. */
static void row_value(int64_t id, const char *column, char *out, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'SELECT %s FROM sip_dialogs WHERE id = %lld'", db,
	         column, (long long)id);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* One value from a query of the database (through the sqlite3 shell, like row_value). */
static void row_value_sql(const char *query, char *out, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"%s\"", db, query);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* Two calls with the same Call-ID (another caller's, chosen on purpose or by chance) each keep a
 * row of their own: updating or ending one leaves the other as it was. */
static void test_dialogs_with_same_call_id(void **state)
{
	struct store *st = open_store();
	struct store_dialog first = {.call_id = "same",
	                             .state = "ringing",
	                             .from_user = "1000",
	                             .hostname = "n1",
	                             .created = 1};
	struct store_dialog second = first;
	int64_t id1 = 0, id2 = 0;
	unsigned n = 0;
	char v[64];

	second.from_user = "6666";
	assert_int_equal(store_dialog_save(st, &first, &id1), 0);
	assert_int_equal(store_dialog_save(st, &second, &id2), 0);
	assert_true(id1 > 0 && id2 > 0 && id1 != id2);
	first.state = "active";
	assert_int_equal(store_dialog_save(st, &first, &id1), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 2);
	row_value(id1, "sip_from_user, state", v, sizeof(v));
	assert_string_equal(v, "1000|active");
	row_value(id2, "sip_from_user, state", v, sizeof(v));
	assert_string_equal(v, "6666|ringing");
	assert_int_equal(store_dialog_remove(st, id2), 0);
	assert_int_equal(store_flush(st), 0);
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 1);
	row_value(id1, "sip_from_user, state", v, sizeof(v));
	assert_string_equal(v, "1000|active");
	store_close(st);
}

/* A process of node n1 writes rows and dies without removing them; the next process of n1 drops
 * them at start, and leaves the rows of node n2 and its own alone. */
static void test_orphan_dialogs_dropped(void **state)
{
	struct store_dialog d = {.call_id = "c", .state = "active", .hostname = "n1", .created = 1};
	struct store *st;
	int64_t mine = 0;
	unsigned n = 0, removed = 99;
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *child = open_store();
		int64_t a = 0, b = 0, c = 0;
		struct store_dialog other = d;

		other.hostname = "n2";
		if (store_dialog_save(child, &d, &a) || store_dialog_save(child, &d, &b) ||
		    store_dialog_save(child, &other, &c) || store_flush(child))
			_exit(1);
		_exit(0); /* a crash: no removal, no close */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_store();
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_dialog_save(st, &d, &mine), 0);
	assert_int_equal(store_dialog_drop_orphans(st, "n1", &removed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 2); /* n2's row and our own */
	assert_int_equal(store_dialog_drop_orphans(st, "n1", &removed), 0);
	assert_int_equal(removed, 0);
	store_close(st);
}

struct taken {
	unsigned n;
	int refuse_b; /* refuse the call whose b_call_id is "b2" */
	char call_id[16], a_local[64], sdp[32];
	uint64_t instance;
	uint32_t cseq_b;
};

static int take(void *arg, const struct store_call *c)
{
	struct taken *t = arg;

	if (t->refuse_b && strcmp(c->text[SC_B_CALL_ID], "b2") == 0)
		return -1;
	t->n++;
	snprintf(t->call_id, sizeof(t->call_id), "%s", c->text[SC_CALL_ID]);
	snprintf(t->a_local, sizeof(t->a_local), "%s", c->text[SC_LEG(0, SC_LEG_LOCAL)]);
	snprintf(t->sdp, sizeof(t->sdp), "%s", c->text[SC_LEG(1, SC_LEG_SDP_SENT)]);
	t->instance = c->media_instance;
	t->cseq_b = c->cseq[1];
	return 0;
}

/* A process of n1 dies with two active calls persisted (sip_calls) and one ringing call: the
 * next process takes back the one it accepts (its row becomes its own and survives the orphan
 * sweep), and the sweep removes the refused one, the ringing one and their sip_calls rows. */
static void test_calls_taken_back(void **state)
{
	struct store_dialog d = {
	    .call_id = "c1", .state = "active", .hostname = "n1", .created = 1};
	struct taken t = {.refuse_b = 1};
	struct store *st;
	unsigned n = 0, removed = 0, taken = 0;
	pid_t pid = fork();
	int status;
	char v[64];

	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *child = open_store();
		int64_t id[3] = {0, 0, 0};
		struct store_call c = {.start_epoch = 10, .answer_epoch = 12};

		for (int i = 0; i < SC__N; i++)
			c.text[i] = "";
		if (store_dialog_save(child, &d, &id[0]) || store_dialog_save(child, &d, &id[1]) ||
		    store_dialog_save(child, &d, &id[2]))
			_exit(1);
		c.text[SC_CALL_ID] = "c1";
		c.text[SC_B_CALL_ID] = "b1";
		c.text[SC_LEG(0, SC_LEG_LOCAL)] = "<sip:1001@h>;tag=ours";
		c.text[SC_LEG(1, SC_LEG_SDP_SENT)] = "v=0";
		c.media_instance = 0xfedcba9876543210ull; /* above INT64_MAX */
		c.cseq[1] = 4000000000u;
		c.dialog_id = id[0];
		if (store_call_save(child, &c))
			_exit(1);
		c.text[SC_B_CALL_ID] = "b2";
		c.dialog_id = id[1];
		if (store_call_save(child, &c) || store_flush(child))
			_exit(1);
		_exit(0); /* id[2] rings: no sip_calls row */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_store();
	assert_int_equal(store_call_take_orphans(st, "n2", take, &t, &taken), 0);
	assert_int_equal(taken, 0);
	assert_int_equal(store_call_take_orphans(st, "n1", take, &t, &taken), 0);
	assert_int_equal(taken, 1);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.call_id, "c1");
	assert_string_equal(t.a_local, "<sip:1001@h>;tag=ours");
	assert_string_equal(t.sdp, "v=0");
	assert_true(t.instance == 0xfedcba9876543210ull);
	assert_int_equal(t.cseq_b, 4000000000u);
	assert_int_equal(store_dialog_drop_orphans(st, "n1", &removed), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(store_dialog_count(st, &n), 0);
	assert_int_equal(n, 1);
	row_value_sql("SELECT count(*) || '|' || min(b_call_id) FROM sip_calls", v, sizeof(v));
	assert_string_equal(v, "1|b1");
	/* taken: ours now, so a second sweep leaves it */
	assert_int_equal(store_call_take_orphans(st, "n1", take, &t, &taken), 0);
	assert_int_equal(taken, 0);
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
	    cmocka_unit_test_setup_teardown(test_dialogs_with_same_call_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_orphan_dialogs_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calls_taken_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cdr_recording_columns, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
