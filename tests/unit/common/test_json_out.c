/* json_out.c: nesting and commas, escaping of what peers send (quotes, control bytes, bytes that
 * are not UTF-8), numbers, and the check that every value was closed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

struct buf {
	char *text;
	size_t len;
	FILE *f;
	struct json_out j;
};

static void open_buf(struct buf *b)
{
	b->text = NULL;
	b->f = open_memstream(&b->text, &b->len);
	assert_non_null(b->f);
	json_out_init(&b->j, b->f);
}

static void close_buf(struct buf *b)
{
	assert_int_equal(fclose(b->f), 0);
}

static void test_nesting(void **state)
{
	struct buf b;

	(void)state;
	open_buf(&b);
	json_obj_begin(&b.j, NULL);
	json_str(&b.j, "a", "x");
	json_arr_begin(&b.j, "list");
	json_int(&b.j, NULL, -3);
	json_uint(&b.j, NULL, 18446744073709551615ULL);
	json_obj_begin(&b.j, NULL);
	json_obj_end(&b.j);
	json_arr_end(&b.j);
	json_bool(&b.j, "t", true);
	json_str(&b.j, "n", NULL);
	json_double(&b.j, "d", 1.5);
	json_double(&b.j, "nan", 0.0 / 0.0);
	json_obj_end(&b.j);
	assert_int_equal(json_out_check(&b.j), 0);
	close_buf(&b);
	assert_string_equal(b.text, "{\"a\":\"x\",\"list\":[-3,18446744073709551615,{}],\"t\":true,"
	                            "\"n\":null,\"d\":1.5,\"nan\":null}");
	free(b.text);
}

static void test_escaping(void **state)
{
	struct buf b;

	(void)state;
	open_buf(&b);
	json_arr_begin(&b.j, NULL);
	json_str(&b.j, NULL, "q\"b\\n\nt\tc\x01\x7f");
	json_str(&b.j, NULL, "caf\xc3\xa9 \xe2\x82\xac"); /* valid UTF-8 stays */
	json_str(&b.j, NULL, "bad\xff\xc3(\xed\xa0\x80"); /* invalid, truncated, surrogate */
	json_str(&b.j, NULL, "\xc0\xaf");                 /* overlong '/' */
	json_arr_end(&b.j);
	close_buf(&b);
	assert_string_equal(b.text,
	                    "[\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f\",\"caf\xc3\xa9 \xe2\x82\xac\","
	                    "\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\",\"\\ufffd\\ufffd\"]");
	free(b.text);
}

static void test_unbalanced(void **state)
{
	struct buf b;

	(void)state;
	open_buf(&b);
	json_obj_begin(&b.j, NULL);
	assert_int_equal(json_out_check(&b.j), -EINVAL); /* left open */
	json_obj_end(&b.j);
	json_obj_end(&b.j); /* closed once too often */
	assert_int_equal(json_out_check(&b.j), -EINVAL);
	close_buf(&b);
	free(b.text);
	open_buf(&b);
	for (int i = 0; i <= JSON_OUT_DEPTH; i++)
		json_arr_begin(&b.j, NULL);
	assert_true(b.j.bad); /* deeper than JSON_OUT_DEPTH */
	close_buf(&b);
	free(b.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_unbalanced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
