/* pb_print.c: JSON and text renderings of a real Envelope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.pb-c.h"
#include "pb_print.h"

static char *render(bool json, const ProtobufCMessage *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		pb_print_json(f, m);
	else
		pb_print_text(f, m, 0);
	fclose(f);
	return buf;
}

static void test_envelope(void **state)
{
	Tandem__Media__V1__Envelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	Tandem__Media__V1__PingReply pr = TANDEM__MEDIA__V1__PING_REPLY__INIT;
	Tandem__Media__V1__Status st = TANDEM__MEDIA__V1__STATUS__INIT;
	Tandem__Media__V1__NodeStatus ns = TANDEM__MEDIA__V1__NODE_STATUS__INIT;
	char *out;

	st.message = "quote\" and \\";
	ns.node_id = "m1";
	ns.free_ports = 10;
	ns.cpu_percent = 1.5;
	pr.status = &st;
	pr.node = &ns;
	env.version = 1;
	env.request_id = 9;
	env.body_case = TANDEM__MEDIA__V1__ENVELOPE__BODY_PING_REPLY;
	env.ping_reply = &pr;

	out = render(true, &env.base);
	assert_non_null(strstr(out, "\"request_id\":9"));
	assert_non_null(strstr(out, "\"code\":\"STATUS_OK\""));
	assert_non_null(strstr(out, "\"message\":\"quote\\\" and \\\\\""));
	assert_non_null(strstr(out, "\"node_id\":\"m1\""));
	assert_non_null(strstr(out, "\"free_ports\":10"));
	assert_non_null(strstr(out, "\"cpu_percent\":1.5"));
	/* Only the oneof member that is set appears. */
	assert_null(strstr(out, "create_session"));
	free(out);

	out = render(false, &env.base);
	assert_non_null(strstr(out, "ping_reply:\n  status:\n"));
	assert_non_null(strstr(out, "    node_id: m1\n"));
	assert_null(strstr(out, "sessions:"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_envelope)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
