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
#include "rpc_keys.h"

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

/* Serves ZAP requests for up to ms, letting in only `allowed`; returns how many were refused. */
static int serve_zap(void *zap, const char *allowed, int ms)
{
	zmq_pollitem_t it = {.socket = zap, .events = ZMQ_POLLIN};
	int refused = 0;

	while (zmq_poll(&it, 1, ms) == 1) {
		struct rpc_zap_request req;
		bool ok;

		assert_int_equal(rpc_zap_recv(zap, &req), 0);
		assert_string_equal(req.mechanism, "CURVE");
		ok = strcmp(req.key, allowed) == 0;
		refused += !ok;
		assert_int_equal(rpc_zap_reply(zap, &req, ok, req.key), 0);
	}
	return refused;
}

/* CURVE over TCP: the allowed key's messages carry its public key as User-Id; a refused key's
 * never arrive. */
static void test_curve_and_zap(void **state)
{
	struct rpc_keypair server, a, b;
	struct rpc_dealer_opts oa = {.identity = "a"}, ob = {.identity = "b"};
	void *ctx = rpc_context_new(), *zap, *router, *da, *db;
	char err[256], ep[64];
	size_t eplen = sizeof(ep);
	RpcEnvelope env;
	RpcPingRequest ping;
	struct rpc_msg msg;
	zmq_pollitem_t it;

	(void)state;
	assert_int_equal(rpc_key_generate(NULL, &server, err, sizeof(err)), 0);
	assert_int_equal(rpc_key_generate(NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(rpc_key_generate(NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(rpc_zap_bind(ctx, &zap), 0);
	assert_int_equal(
	    rpc_router_bind_curve(ctx, "tcp://127.0.0.1:*", server.secret_key, &router), 0);
	assert_int_equal(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, ep, &eplen), 0);
	oa.public_key = a.public_key;
	oa.secret_key = a.secret_key;
	oa.server_key = server.public_key;
	ob.public_key = b.public_key;
	ob.secret_key = b.secret_key;
	ob.server_key = server.public_key;
	assert_int_equal(rpc_dealer_open(ctx, ep, &oa, &da), 0);
	assert_int_equal(rpc_dealer_open(ctx, ep, &ob, &db), 0);
	ping_env(&env, &ping, 7);
	assert_int_equal(rpc_send(da, NULL, 0, &env), 0);
	assert_int_equal(rpc_send(db, NULL, 0, &env), 0);
	assert_true(serve_zap(zap, a.public_key, 500) >= 1);
	it = (zmq_pollitem_t){.socket = router, .events = ZMQ_POLLIN};
	assert_int_equal(zmq_poll(&it, 1, 2000), 1);
	assert_int_equal(rpc_recv(router, true, &msg), 0);
	assert_int_equal(msg.rid_len, 1);
	assert_int_equal(msg.rid[0], 'a');
	assert_string_equal(msg.user, a.public_key);
	rpc_msg_clear(&msg);
	serve_zap(zap, a.public_key, 300);
	assert_int_equal(rpc_recv(router, true, &msg), -EAGAIN); /* b's ping never arrives */
	rpc_socket_close(da);
	rpc_socket_close(db);
	rpc_socket_close(router);
	rpc_socket_close(zap);
	rpc_context_free(ctx);
}

/* A malformed ZAP request is answered with a refusal, not left hanging (a REP socket must answer
 * every request) and not taken for an empty queue. */
static void test_zap_malformed(void **state)
{
	void *ctx = rpc_context_new(), *zap, *req;
	struct rpc_zap_request r;
	char big[64], status[8];
	zmq_pollitem_t it;
	int n;

	(void)state;
	assert_int_equal(rpc_zap_bind(ctx, &zap), 0);
	assert_int_equal(rpc_zap_recv(zap, &r), -EAGAIN);
	req = zmq_socket(ctx, ZMQ_REQ);
	assert_int_equal(zmq_connect(req, "inproc://zeromq.zap.01"), 0);
	memset(big, 'x', sizeof(big));
	assert_true(zmq_send(req, big, sizeof(big), ZMQ_SNDMORE) >= 0); /* version too long */
	assert_true(zmq_send(req, "1", 1, 0) >= 0);
	it = (zmq_pollitem_t){.socket = zap, .events = ZMQ_POLLIN};
	assert_int_equal(zmq_poll(&it, 1, 1000), 1);
	assert_int_equal(rpc_zap_recv(zap, &r), -EBADMSG);
	it = (zmq_pollitem_t){.socket = req, .events = ZMQ_POLLIN};
	assert_int_equal(zmq_poll(&it, 1, 1000), 1);
	assert_int_equal(zmq_recv(req, status, sizeof(status), 0), 3); /* "1.0" */
	assert_true(zmq_recv(req, status, sizeof(status), 0) >= 0);    /* request id */
	n = zmq_recv(req, status, sizeof(status), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(status, "400", 3);
	zmq_close(req);
	rpc_socket_close(zap);
	rpc_context_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage_keeps_sender, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_matches_and_times_out, setup, teardown),
	    cmocka_unit_test(test_curve_and_zap),
	    cmocka_unit_test(test_zap_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
