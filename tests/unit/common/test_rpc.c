/* rpc.c over real ZeroMQ sockets: envelopes round-trip with routing ids, garbage and extra frames
 * are reported as -EBADMSG without losing the sender, rpc_call matches replies and times out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <zmq.h>

#include "rpc.h"

struct fixture {
	void *ctx, *router, *dealer;
};

static int setup(void **state)
{
	static struct fixture f;
	static int n;
	char ep[64];

	snprintf(ep, sizeof(ep), "inproc://test-rpc-%d", n++);
	f.ctx = rpc_context_new();
	assert_int_equal(rpc_router_bind(f.ctx, ep, &f.router), 0);
	assert_int_equal(rpc_dealer_connect(f.ctx, ep, "client-1", &f.dealer), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rpc_socket_close(f->dealer);
	rpc_socket_close(f->router);
	rpc_context_free(f->ctx);
	return 0;
}

static int recv_wait(void *sock, bool router, struct rpc_msg *msg)
{
	zmq_pollitem_t it = {.socket = sock, .events = ZMQ_POLLIN};

	assert_int_equal(zmq_poll(&it, 1, 2000), 1);
	return rpc_recv(sock, router, msg);
}

static void ping_env(RpcEnvelope *env, RpcPingRequest *ping, uint64_t id)
{
	tandem__media__v1__envelope__init(env);
	tandem__media__v1__ping_request__init(ping);
	env->version = RPC_VERSION;
	env->request_id = id;
	env->body_case = RPC_BODY(PING);
	env->ping = ping;
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope env, reply = TANDEM__MEDIA__V1__ENVELOPE__INIT, *got;
	RpcPingRequest ping;
	RpcErrorReply er = TANDEM__MEDIA__V1__ERROR_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	struct rpc_msg msg;

	ping_env(&env, &ping, 42);
	assert_int_equal(rpc_send(f->dealer, NULL, 0, &env), 0);
	assert_int_equal(recv_wait(f->router, true, &msg), 0);
	assert_int_equal(msg.rid_len, strlen("client-1"));
	assert_memory_equal(msg.rid, "client-1", msg.rid_len);
	assert_int_equal(msg.env->request_id, 42);
	assert_int_equal(msg.env->body_case, RPC_BODY(PING));

	st.code = RPC_NOT_FOUND;
	st.message = "nope";
	er.status = &st;
	reply.version = RPC_VERSION;
	reply.request_id = 42;
	reply.body_case = RPC_BODY(ERROR);
	reply.error = &er;
	assert_int_equal(rpc_send(f->router, msg.rid, msg.rid_len, &reply), 0);
	rpc_msg_clear(&msg);
	assert_int_equal(rpc_wait(f->dealer, 2000, &got), 0);
	assert_int_equal(got->request_id, 42);
	assert_non_null(rpc_reply_status(got));
	assert_int_equal(rpc_reply_status(got)->code, RPC_NOT_FOUND);
	assert_string_equal(rpc_reply_status(got)->message, "nope");
	assert_string_equal(rpc_status_name(RPC_NOT_FOUND), "STATUS_NOT_FOUND");
	rpc_envelope_free(got);
}

static void test_garbage_keeps_sender(void **state)
{
	struct fixture *f = *state;
	static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34};
	struct rpc_msg msg;

	assert_int_equal(zmq_send(f->dealer, junk, sizeof(junk), 0), (int)sizeof(junk));
	assert_int_equal(recv_wait(f->router, true, &msg), -EBADMSG);
	assert_null(msg.env);
	assert_int_equal(msg.rid_len, strlen("client-1"));

	/* Two payload frames are not part of the protocol either. */
	assert_int_equal(zmq_send(f->dealer, "a", 1, ZMQ_SNDMORE), 1);
	assert_int_equal(zmq_send(f->dealer, "b", 1, 0), 1);
	assert_int_equal(recv_wait(f->router, true, &msg), -EBADMSG);
	assert_int_equal(rpc_recv(f->router, true, &msg), -EAGAIN);
}

static void test_call_matches_and_times_out(void **state)
{
	struct fixture *f = *state;
	RpcEnvelope env, *reply = NULL;
	RpcPingRequest ping;

	/* Nobody answers: the call times out. */
	ping_env(&env, &ping, 7);
	assert_int_equal(rpc_call(f->dealer, &env, 100, &reply), -ETIMEDOUT);
	assert_null(reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_keeps_sender, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_matches_and_times_out, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
