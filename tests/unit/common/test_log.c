/* log.c: level names, filtering, one line per event with the context field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void test_level_parse(void **state)
{
	enum log_level l;

	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("WARNING", &l), 0);
	assert_int_equal(l, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("loud", &l), -EINVAL);
	assert_string_equal(log_level_name(LOG_LEVEL_NOTICE), "notice");
}

/* Captures stderr into a pipe while fn runs. */
static size_t capture(void (*fn)(void), char *buf, size_t len)
{
	int p[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	dup2(p[1], STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, len - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static void emit(void)
{
	log_setup("unit", LOG_LEVEL_INFO, false);
	log_set_context("call-123@host");
	log_info("sip", "two\nlines %d", 7);
	log_debug("sip", "hidden");
	log_set_context(NULL);
	log_warn("rpc", "no context");
}

static void test_lines(void **state)
{
	char buf[4096];
	char *second;

	capture(emit, buf, sizeof(buf));
	assert_non_null(strstr(buf, "info sip [call-123@host]: two\\nlines 7\n"));
	assert_null(strstr(buf, "hidden"));
	second = strchr(buf, '\n') + 1;
	assert_non_null(strstr(second, "warn rpc: no context\n"));
	assert_null(strchr(strchr(second, '\n') + 1, '\n'));
}

static void emit_hostile(void)
{
	log_setup("unit", LOG_LEVEL_INFO, false);
	log_set_context("cid\r\n2026-01-01T00:00:00Z unit[1] error fake: \x1b[31mred");
	log_info("sip", "UA '%s' from '%s'", "evil\x1b]0;title\x07\x7f\ttab", "back\\slash\x01");
	log_set_context(NULL);
}

/* Peer-controlled text cannot make a second line or reach the terminal as control bytes. */
static void test_control_bytes_escaped(void **state)
{
	char buf[4096];

	capture(emit_hostile, buf, sizeof(buf));
	assert_non_null(strchr(buf, '\n'));
	assert_null(strchr(strchr(buf, '\n') + 1, '\n')); /* exactly one line */
	for (const char *p = buf; *p; p++)
		if (*p != '\n')
			assert_false((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f);
	assert_non_null(
	    strstr(buf, "[cid\\r\\n2026-01-01T00:00:00Z unit[1] error fake: \\x1b[31mred]"));
	assert_non_null(
	    strstr(buf, "UA 'evil\\x1b]0;title\\x07\\x7f\\ttab' from 'back\\\\slash\\x01'"));
}

static void test_ratelimit(void **state)
{
	struct log_ratelimit rl = {.burst = 3, .period_ms = 1000};
	unsigned sup = 99, allowed = 0;

	for (int i = 0; i < 100; i++)
		allowed += log_ratelimit(&rl, 5000 + (uint64_t)i, &sup);
	assert_int_equal(allowed, 3);
	/* The next period: allowed again, and told how many were dropped. */
	assert_true(log_ratelimit(&rl, 6000, &sup));
	assert_int_equal(sup, 97);
	assert_true(log_ratelimit(&rl, 6001, &sup));
	assert_int_equal(sup, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_level_parse),
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_control_bytes_escaped),
	    cmocka_unit_test(test_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
