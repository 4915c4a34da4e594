/* session_rpc.c's bookkeeping against answers a worker can give, without worker threads: the
 * test plays the worker, popping requests from its inbox and answering them. Checks that the
 * per-worker load (which places new sessions) and the port pool come back to where they were
 * whatever order the answers come in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "session_rpc.h"

#define PAIRS 8

struct harness {
	struct mediad_config cfg;
	struct mediad md;
	struct worker w;
	struct backlog backlog;
	unsigned load;
};

static bool range_free(unsigned base)
{
	for (unsigned i = 0; i < 2 * PAIRS; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
		                         .sin_port = htons((uint16_t)(base + i))};
		int fd = socket(AF_INET, SOCK_DGRAM, 0), ok;

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			return false;
	}
	return true;
}

static int setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	char err[256];
	unsigned base = 0;

	if (!h || mediad_config_load(&h->cfg, NULL, NULL, 0, err, sizeof(err)))
		return -1;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int i = 0; i < 200 && !base; i++) {
		unsigned b = (20000 + (unsigned)rand() % 10000) & ~1u;

		if (range_free(b))
			base = b;
	}
	if (!base || port_pool_new(&h->md.pool, "127.0.0.1", base, base + 2 * PAIRS - 1) ||
	    session_table_new(&h->md.sessions) || owners_new(&h->md.owners))
		return -1;
	if (spsc_queue_init(&h->w.inbox, 64, false) || spsc_queue_init(&h->w.outbox, 64, false))
		return -1;
	h->md.cfg = &h->cfg;
	h->md.workers = &h->w;
	h->md.backlog = &h->backlog;
	h->md.load = &h->load;
	h->md.n_workers = 1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct harness *h = *state;

	spsc_queue_destroy(&h->w.inbox);
	spsc_queue_destroy(&h->w.outbox);
	session_table_free(h->md.sessions);
	u32map_free(&h->md.closing);
	owners_free(h->md.owners);
	port_pool_free(h->md.pool);
	mediad_config_free(&h->cfg);
	free(h);
	return 0;
}

/* An internal peer (no routing id): replies go nowhere, which is all this test needs. */
static const struct rpc_peer peer;

static void create(struct harness *h, const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcCreateSessionRequest r = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec a = TANDEM__MEDIA__V1__LEG_SPEC__INIT, b = TANDEM__MEDIA__V1__LEG_SPEC__INIT;
	RpcStreamSpec sa = TANDEM__MEDIA__V1__STREAM_SPEC__INIT;
	RpcStreamSpec sb = TANDEM__MEDIA__V1__STREAM_SPEC__INIT;
	RpcStreamSpec *pa = &sa, *pb = &sb;

	a.n_streams = b.n_streams = 1;
	a.streams = &pa;
	b.streams = &pb;
	r.call_id = (char *)call_id;
	r.leg_a = &a;
	r.leg_b = &b;
	env.body_case = RPC_BODY(CREATE_SESSION);
	env.create_session = &r;
	session_rpc_create(&h->md, &peer, &env);
}

static void delete_session(struct harness *h, const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDeleteSessionRequest r = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;

	ref.call_id = (char *)call_id;
	r.session = &ref;
	env.body_case = RPC_BODY(DELETE_SESSION);
	env.delete_session = &r;
	session_rpc_delete(&h->md, &peer, &env);
}

/* The worker's side: the next request, answered with result. A refused ADD keeps its session in
 * the message (the worker never adopted it). */
static void worker_answers(struct harness *h, enum wmsg_op op, int result)
{
	struct wmsg *m = spsc_queue_pop(&h->w.inbox);

	assert_non_null(m);
	assert_int_equal(m->op, op);
	m->result = result;
	session_rpc_answer(&h->md, m);
}

static void test_failed_create_with_delete_in_flight(void **state)
{
	struct harness *h = *state;
	unsigned free_before = port_pool_free_count(h->md.pool);

	create(h, "call-1");
	assert_int_equal(h->load, 1);
	assert_int_equal(port_pool_free_count(h->md.pool), free_before - 2);
	/* The caller gives up before the worker has answered the create. */
	delete_session(h, "call-1");
	/* The worker could not start the session, then no longer knows it. */
	worker_answers(h, WMSG_ADD, -ENOMEM);
	worker_answers(h, WMSG_DELETE, -ENOENT);
	assert_int_equal(h->load, 0);
	assert_int_equal(h->md.live, 0);
	assert_int_equal(port_pool_free_count(h->md.pool), free_before);
	assert_int_equal(session_table_count(h->md.sessions), 0);
	/* The next session still counts from zero. */
	create(h, "call-2");
	assert_int_equal(h->load, 1);
	worker_answers(h, WMSG_ADD, 0);
	delete_session(h, "call-2");
	worker_answers(h, WMSG_DELETE, 0);
	assert_int_equal(h->load, 0);
	assert_int_equal(h->md.live, 0);
	assert_int_equal(port_pool_free_count(h->md.pool), free_before);
}

static void test_failed_create_alone(void **state)
{
	struct harness *h = *state;
	unsigned free_before = port_pool_free_count(h->md.pool);

	create(h, "call-3");
	worker_answers(h, WMSG_ADD, -ENOMEM);
	assert_int_equal(h->load, 0);
	assert_int_equal(h->md.live, 0);
	assert_int_equal(port_pool_free_count(h->md.pool), free_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failed_create_with_delete_in_flight),
	    cmocka_unit_test(test_failed_create_alone),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
