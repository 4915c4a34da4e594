/* events_pub.c through the observe.h hooks, received on a ZeroMQ SUB socket: each event's topic
 * and fields (DTMF, UNHOLD, bans, expiry, a channel whose peer-sent text needs escaping), and
 * the sequence numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "call.h"
#include "events_pub.h"
#include "observe.h"

struct fixture {
	void *zctx, *sub;
	struct events_pub *ep;
	struct call call;
};

static char topic[128], body[8192];

/* The next event, within ms: 0, or -1. */
static int next_event_within(struct fixture *f, long ms)
{
	zmq_pollitem_t it = {.socket = f->sub, .events = ZMQ_POLLIN};
	int n;

	if (zmq_poll(&it, 1, ms) != 1)
		return -1;
	n = zmq_recv(f->sub, topic, sizeof(topic) - 1, 0);
	if (n < 0)
		return -1;
	topic[n] = '\0';
	n = zmq_recv(f->sub, body, sizeof(body) - 1, 0);
	if (n < 0)
		return -1;
	body[n] = '\0';
	return 0;
}

static int next_event(struct fixture *f)
{
	return next_event_within(f, 1000);
}

static int setup(void **state)
{
	static struct fixture f;
	char err[256];
	int ok = 0;

	memset(&f, 0, sizeof(f));
	f.zctx = zmq_ctx_new();
	assert_int_equal(
	    events_pub_new(&f.ep, f.zctx, "inproc://events-test", "node-7", err, sizeof(err)), 0);
	f.sub = zmq_socket(f.zctx, ZMQ_SUB);
	assert_int_equal(zmq_connect(f.sub, "inproc://events-test"), 0);
	assert_int_equal(zmq_setsockopt(f.sub, ZMQ_SUBSCRIBE, "", 0), 0);
	/* The subscription reaches the publisher a moment after connect: probe until it has. */
	for (int i = 0; i < 100 && !ok; i++) {
		obs_reg(OBS_REG_EXPIRE, NULL, NULL, NULL, NULL, 0, 1);
		ok = next_event_within(&f, 20) == 0;
	}
	assert_true(ok);
	while (next_event_within(&f, 50) == 0) /* the other probes */
		;
	su_home_init(f.call.home);
	f.call.call_id = "cid-1@192.0.2.9";
	f.call.caller = "1000";
	f.call.destination = "1001";
	f.call.callee = "1001";
	f.call.user_agent = "Phone \"X\"\xff";
	f.call.a.call = &f.call;
	f.call.a.is_a = true;
	f.call.a.src_ip = "192.0.2.9";
	f.call.b[0].call = &f.call;
	f.call.b[0].index = 0;
	f.call.b[0].contact = "sip:1001@192.0.2.10";
	f.call.n_b = 1;
	f.call.winner = &f.call.b[0];
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	observe_clear();
	zmq_close(f->sub);
	events_pub_free(f->ep);
	zmq_ctx_term(f->zctx);
	su_home_deinit(f->call.home);
	return 0;
}

static void test_dtmf_and_unhold(void **state)
{
	struct fixture *f = *state;
	unsigned long long seq1, seq2;

	obs_dtmf(&f->call, 1, "5", 120);
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "DTMF");
	assert_non_null(strstr(body, "\"Event-Name\":\"DTMF\""));
	assert_non_null(strstr(body, "\"Unique-ID\":\"cid-1@192.0.2.9;b0\""));
	assert_non_null(strstr(body, "\"Call-Direction\":\"outbound\""));
	assert_non_null(strstr(body, "\"DTMF-Digit\":\"5\""));
	assert_non_null(strstr(body, "\"DTMF-Duration-Ms\":\"120\""));
	assert_non_null(strstr(body, "\"Core-UUID\":\"node-7\""));
	assert_int_equal(
	    sscanf(strstr(body, "\"Event-Sequence\":\""), "\"Event-Sequence\":\"%llu", &seq1), 1);
	obs_hold(&f->call, 0, false);
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "CHANNEL_UNHOLD");
	assert_non_null(strstr(body, "\"Unique-ID\":\"cid-1@192.0.2.9\""));
	assert_non_null(strstr(body, "\"Other-Leg-Unique-ID\":\"cid-1@192.0.2.9;b0\""));
	assert_int_equal(
	    sscanf(strstr(body, "\"Event-Sequence\":\""), "\"Event-Sequence\":\"%llu", &seq2), 1);
	assert_int_equal(seq2, seq1 + 1);
}

static void test_custom_events(void **state)
{
	struct fixture *f = *state;

	obs_ban(OBS_BAN_SOURCE, "192.0.2.66");
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "CUSTOM tandem::ban");
	assert_non_null(strstr(body, "\"Event-Subclass\":\"tandem::ban\""));
	assert_non_null(strstr(body, "\"ban-kind\":\"source\",\"network-ip\":\"192.0.2.66\""));
	obs_ban(OBS_BAN_ACCOUNT, "1000");
	assert_int_equal(next_event(f), 0);
	assert_non_null(strstr(body, "\"ban-kind\":\"account\",\"username\":\"1000\""));
	obs_reg(OBS_REG_EXPIRE, NULL, NULL, NULL, NULL, 0, 3);
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "CUSTOM sofia::expire");
	assert_non_null(strstr(body, "\"count\":\"3\""));
	assert_null(strstr(body, "username"));
	obs_auth_failure("INVITE", "1000", "192.0.2.66");
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "CUSTOM tandem::auth_failure");
	assert_non_null(strstr(body, "\"auth-method\":\"INVITE\""));
}

/* What a phone wrote is escaped: a quote, a byte that is not UTF-8. */
static void test_channel_escaping(void **state)
{
	struct fixture *f = *state;

	obs_leg_state(&f->call.a, LEG_IDLE, LEG_CALLING);
	assert_int_equal(next_event(f), 0);
	assert_string_equal(topic, "CHANNEL_CREATE");
	assert_non_null(strstr(body, "\"variable_sip_user_agent\":\"Phone \\\"X\\\"\\ufffd\""));
	assert_non_null(strstr(body, "\"Caller-Caller-ID-Number\":\"1000\""));
	assert_non_null(strstr(body, "\"Caller-Destination-Number\":\"1001\""));
	assert_non_null(strstr(body, "\"Call-Direction\":\"inbound\""));
	/* a change that is no event publishes nothing */
	obs_leg_state(&f->call.a, LEG_CONFIRMED, LEG_TERMINATING);
	assert_int_equal(next_event_within(f, 200), -1);
	assert_int_equal(events_pub_count(f->ep) > 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dtmf_and_unhold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_custom_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_channel_escaping, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
