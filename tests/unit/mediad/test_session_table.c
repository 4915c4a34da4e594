/* session_table.c (with u32map.c underneath) and owners.c: lookups by id, Call-ID and key,
 * duplicates refused, removal, growth, iteration; owner references and last-seen times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "owners.h"
#include "session_table.h"
#include "u32map.h"

#define N 3000

static struct session *make(unsigned i)
{
	char call[32];
	struct session *s;

	snprintf(call, sizeof(call), "call-%u@host", i);
	s = session_new(call, "owner", "tag-a", NULL);
	assert_non_null(s);
	s->key = i + 1;
	snprintf(s->id, sizeof(s->id), "node-%08x", i * 2654435761u);
	return s;
}

static void test_lookup_and_duplicates(void **state)
{
	struct session_table *t;
	struct session *a = make(1), *b = make(2), *dup_call = make(1), *dup_id = make(3);

	(void)state;
	assert_int_equal(session_table_new(&t), 0);
	assert_int_equal(session_table_add(t, a), 0);
	assert_int_equal(session_table_add(t, b), 0);
	assert_ptr_equal(session_table_by_id(t, a->id), a);
	assert_ptr_equal(session_table_by_call(t, "call-2@host"), b);
	assert_ptr_equal(session_table_by_key(t, b->key), b);
	assert_null(session_table_by_call(t, "call-9@host"));
	assert_null(session_table_by_id(t, NULL));
	assert_string_equal(b->tag[1], ""); /* NULL tag became "" */

	dup_call->key = 100;
	snprintf(dup_call->id, sizeof(dup_call->id), "other");
	assert_int_equal(session_table_add(t, dup_call), -EEXIST); /* same Call-ID */
	strcpy(dup_id->id, a->id);
	assert_int_equal(session_table_add(t, dup_id), -EEXIST); /* same id */
	assert_int_equal(session_table_count(t), 2);

	session_table_remove(t, a);
	session_table_remove(t, a); /* twice is harmless */
	assert_null(session_table_by_id(t, a->id));
	assert_null(session_table_by_call(t, a->call_id));
	assert_null(session_table_by_key(t, a->key));
	/* The Call-ID is free again (a call deleted while its replacement is created). */
	dup_call->key = 200;
	assert_int_equal(session_table_add(t, dup_call), 0);
	assert_int_equal(session_table_count(t), 2);
	session_table_remove(t, b);
	session_table_remove(t, dup_call);
	session_table_free(t);
	session_free(a);
	session_free(b);
	session_free(dup_call);
	session_free(dup_id);
}

static void test_many(void **state)
{
	struct session_table *t;
	static struct session *s[N];
	struct session *it;
	size_t seen = 0;

	(void)state;
	assert_int_equal(session_table_new(&t), 0);
	for (unsigned i = 0; i < N; i++) {
		s[i] = make(i);
		assert_int_equal(session_table_add(t, s[i]), 0);
	}
	for (unsigned i = 0; i < N; i += 2)
		session_table_remove(t, s[i]);
	for (unsigned i = 0; i < N; i++) {
		struct session *want = i % 2 ? s[i] : NULL;

		assert_ptr_equal(session_table_by_key(t, i + 1), want);
		assert_ptr_equal(session_table_by_id(t, s[i]->id), want);
		assert_ptr_equal(session_table_by_call(t, s[i]->call_id), want);
	}
	for (size_t pos = 0; (it = session_table_next(t, &pos));) {
		assert_int_equal(it->key % 2, 0); /* odd i, so even key */
		seen++;
	}
	assert_int_equal(seen, N / 2);
	assert_int_equal(session_table_count(t), N / 2);
	for (unsigned i = 0; i < N; i++) {
		session_table_remove(t, s[i]);
		session_free(s[i]);
	}
	assert_int_equal(session_table_count(t), 0);
	session_table_free(t);
}

static void test_u32map_edges(void **state)
{
	struct u32map m = {0};
	int x;

	(void)state;
	assert_null(u32map_get(&m, 5));
	assert_null(u32map_del(&m, 5));
	assert_int_equal(u32map_put(&m, 0, &x), -EINVAL);
	assert_int_equal(u32map_put(&m, 7, &x), 0);
	assert_int_equal(u32map_put(&m, 7, &m), 0); /* replace */
	assert_ptr_equal(u32map_get(&m, 7), &m);
	assert_int_equal(m.n, 1);
	assert_ptr_equal(u32map_del(&m, 7), &m);
	assert_int_equal(m.n, 0);
	u32map_free(&m);
}

static void test_owners(void **state)
{
	struct owners *o;
	struct owner *a, *a2, *b;
	char name[16];

	(void)state;
	assert_int_equal(owners_new(&o), 0);
	a = owners_get(o, (const uint8_t *)"signald-1", 9, "", 1000);
	a2 = owners_get(o, (const uint8_t *)"signald-1", 9, "", 1500);
	b = owners_get(o, (const uint8_t *)"x\001y", 3, "", 1000);
	assert_ptr_equal(a, a2);
	assert_int_equal(a->refs, 2);
	assert_int_equal(a->last_seen_ms, 1500);
	assert_null(owners_seen(o, (const uint8_t *)"signald-1", 9, "", 0, 2000));
	assert_null(owners_seen(o, (const uint8_t *)"nobody", 6, "", 0, 2000)); /* ignored */
	assert_int_equal(a->last_seen_ms, 2000);
	owner_name(b, name, sizeof(name));
	assert_string_equal(name, "x.y");
	owner_name(a, name, 5);
	assert_string_equal(name, "sign");
	owners_put(o, a);
	owners_put(o, a2); /* last reference: forgotten */
	a = owners_get(o, (const uint8_t *)"signald-1", 9, "", 3000);
	assert_int_equal(a->refs, 1);
	owners_put(o, a);
	owners_put(o, b);
	owners_free(o);
}

/* The same routing id with two keys is two owners; a message with the other key marks the
 * owner displaced (no events) until it speaks again; a new instance is a restart. */
static void test_owner_keys_and_instances(void **state)
{
	const uint8_t *rid = (const uint8_t *)"sig1";
	struct owners *o;
	struct owner *a, *b;

	(void)state;
	assert_int_equal(owners_new(&o), 0);
	a = owners_get(o, rid, 4, "keyA", 1000);
	b = owners_get(o, rid, 4, "keyB", 1000);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(owners_find(o, rid, 4, "keyA"), a);
	assert_null(owners_find(o, rid, 4, "keyC"));
	assert_null(owners_seen(o, rid, 4, "keyB", 0, 1100));
	assert_true(a->displaced);
	assert_false(b->displaced);
	assert_int_equal(a->last_seen_ms, 1000);
	/* First instance heard is not a restart; a different one is. */
	assert_null(owners_seen(o, rid, 4, "keyA", 7, 1200));
	assert_false(a->displaced);
	assert_int_equal(a->instance, 7);
	assert_null(owners_seen(o, rid, 4, "keyA", 7, 1300));
	assert_null(owners_seen(o, rid, 4, "keyA", 0, 1350)); /* not told: no change */
	assert_ptr_equal(owners_seen(o, rid, 4, "keyA", 9, 1400), a);
	assert_int_equal(a->instance, 9);
	assert_int_equal(a->restart_ms, 1400);
	assert_int_equal(b->instance, 0);
	/* Sessions per key over every routing id it uses. */
	assert_non_null(owners_get(o, (const uint8_t *)"other", 5, "keyA", 1500));
	assert_int_equal(owners_key_sessions(o, "keyA"), 2);
	assert_int_equal(owners_key_sessions(o, "keyB"), 1);
	owners_put(o, owners_find(o, (const uint8_t *)"other", 5, "keyA"));
	owners_put(o, a);
	assert_int_equal(owners_key_sessions(o, "keyA"), 0);
	owners_put(o, b);
	assert_int_equal(owners_key_sessions(o, "keyB"), 0);
	owners_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup_and_duplicates),
	    cmocka_unit_test(test_owner_keys_and_instances),
	    cmocka_unit_test(test_many),
	    cmocka_unit_test(test_u32map_edges),
	    cmocka_unit_test(test_owners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
