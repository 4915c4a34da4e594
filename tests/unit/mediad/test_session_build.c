/* session_build.c: the checks on client-supplied fields (addresses, counts, kinds, directions,
 * indexes) and that a refused or failed request leaves no port leased. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "g711.h"
#include "relay_apps.h"
#include "session_build.h"
#include "srtp_ctx.h"

#define PAIRS 16

static struct port_pool *pool;

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

/* A range free right now; pairs taken by others later are skipped by the pool anyway. */
static int setup(void **state)
{
	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int i = 0; i < 200; i++) {
		unsigned b = (20000 + (unsigned)rand() % 10000) & ~1u;

		if (range_free(b))
			return port_pool_new(&pool, "127.0.0.1", b, b + 2 * PAIRS - 1);
	}
	return -1;
}

static int teardown(void **state)
{
	(void)state;
	port_pool_free(pool);
	return 0;
}

static int endpoint(const char *ip, unsigned port, struct net_addr *out, char *msg)
{
	RpcEndpoint ep = TANDEM__MEDIA__V1__ENDPOINT__INIT;

	ep.ip = (char *)ip;
	ep.port = port;
	return session_build_endpoint(&ep, AF_INET, out, "x", msg, 256);
}

static void test_endpoints(void **state)
{
	struct net_addr a;
	char msg[256];

	(void)state;
	assert_int_equal(endpoint("10.1.2.3", 4000, &a, msg), RPC_OK);
	assert_int_equal(net_addr_port(&a), 4000);
	assert_int_equal(endpoint("10.1.2.3", 0, &a, msg), RPC_OK); /* port unknown */
	assert_int_equal(a.len, 0);
	assert_int_equal(endpoint("0.0.0.0", 4000, &a, msg), RPC_OK); /* on hold */
	assert_int_equal(a.len, 0);
	assert_int_equal(endpoint("", 0, &a, msg), RPC_OK);
	assert_int_equal(session_build_endpoint(NULL, AF_INET, &a, "x", msg, 256), RPC_OK);
	assert_int_equal(endpoint("10.1.2.300", 4000, &a, msg), RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "'10.1.2.300' is not an IP address"));
	assert_int_equal(endpoint("example.com", 4000, &a, msg), RPC_INVALID_ADDRESS);
	assert_int_equal(endpoint("10.1.2.3", 70000, &a, msg), RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "port 70000 is out of range"));
	assert_int_equal(endpoint("", 4000, &a, msg), RPC_INVALID_ADDRESS);
	assert_int_equal(endpoint("::1", 4000, &a, msg), RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "IPv6 address on an IPv4 media node"));
	assert_int_equal(endpoint("239.1.1.1", 4000, &a, msg), RPC_INVALID_ADDRESS);
	assert_int_equal(endpoint("255.255.255.255", 4000, &a, msg), RPC_INVALID_ADDRESS);
}

struct req {
	RpcCreateSessionRequest r;
	RpcLegSpec leg[2];
	RpcStreamSpec spec[2][SESSION_MAX_STREAMS + 1];
	RpcStreamSpec *ptr[2][SESSION_MAX_STREAMS + 1];
	RpcEndpoint ep;
};

static void init_req(struct req *q, size_t na, size_t nb)
{
	tandem__media__v1__create_session_request__init(&q->r);
	tandem__media__v1__endpoint__init(&q->ep);
	for (int l = 0; l < 2; l++) {
		tandem__media__v1__leg_spec__init(&q->leg[l]);
		for (int i = 0; i <= SESSION_MAX_STREAMS; i++) {
			tandem__media__v1__stream_spec__init(&q->spec[l][i]);
			q->ptr[l][i] = &q->spec[l][i];
		}
		q->leg[l].streams = q->ptr[l];
	}
	q->leg[0].n_streams = na;
	q->leg[1].n_streams = nb;
	q->r.call_id = "c1";
	q->r.leg_a = &q->leg[0];
	q->r.leg_b = &q->leg[1];
}

static int create(struct req *q, struct session *s, struct relay_session **rs, char *msg)
{
	struct build_env env = {.pool = pool, .family = AF_INET};

	return session_build_create(&env, &q->r, s, rs, msg, 256);
}

static void test_create_checks(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct relay_session *rs = NULL;
	unsigned free0 = port_pool_free_count(pool);
	static struct req q;
	char msg[256];

	(void)state;
	init_req(&q, 1, 2);
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "leg_a has 1 streams but leg_b has 2"));
	init_req(&q, 0, 0);
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	init_req(&q, SESSION_MAX_STREAMS + 1, SESSION_MAX_STREAMS + 1);
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	init_req(&q, 1, 1);
	q.r.leg_b = NULL;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	init_req(&q, 1, 1);
	q.spec[1][0].kind = 7;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "leg_b.streams[0].kind"));
	init_req(&q, 1, 1);
	q.spec[0][0].direction = 9;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	init_req(&q, 2, 2);
	q.ep.ip = "1.2.3.4.5";
	q.ep.port = 1;
	q.spec[1][1].remote_rtcp = &q.ep;
	assert_int_equal(create(&q, s, &rs, msg), RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "leg_b.streams[1].remote_rtcp"));
	assert_int_equal(port_pool_free_count(pool), free0); /* nothing leased */
	assert_null(rs);
	session_free(s);
}

static void test_create_exhaustion_leaks_nothing(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct relay_session *rs = NULL;
	unsigned free0 = port_pool_free_count(pool);
	static struct req q;
	char msg[256];

	(void)state;
	/* More streams than the pool has pairs for: refused, everything given back. */
	init_req(&q, free0 / 2 + 1, free0 / 2 + 1);
	assert_int_equal(create(&q, s, &rs, msg), RPC_NO_PORTS);
	assert_int_equal(port_pool_free_count(pool), free0);
	/* Two streams fit; kinds and clock rates are resolved. */
	init_req(&q, 2, 2);
	q.spec[0][1].kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_VIDEO;
	q.spec[0][0].rtcp_mux = 1;
	assert_int_equal(create(&q, s, &rs, msg), RPC_OK);
	assert_int_equal(port_pool_free_count(pool), free0 - 4);
	assert_int_equal(s->n_streams, 2);
	assert_int_equal(rs->streams[1]->kind, KIND_VIDEO);
	assert_int_equal(rs->streams[1]->clock_rate, 90000);
	assert_int_equal(rs->streams[0]->clock_rate, 8000);
	assert_true(rs->streams[0]->leg[0].mux);
	assert_int_equal(rs->streams[0]->leg[0].rtcp.fd, -1);
	assert_ptr_equal(rs->streams[0]->session, rs);
	relay_session_free(rs); /* closes the sockets */
	for (uint32_t i = 0; i < s->n_streams; i++)
		session_build_release(pool, &s->streams[i]);
	assert_int_equal(port_pool_free_count(pool), free0);
	session_free(s);
}

/* Codec and telephone-event per leg: kept for prompts, recordings and digits; PCMA without its
 * payload type is 8; a payload type above 127 is refused. */
static void test_codecs(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct relay_session *rs = NULL;
	static struct req q;
	char msg[256];

	(void)state;
	init_req(&q, 1, 1);
	q.spec[0][0].codec = "pcma";
	q.spec[0][0].telephone_event_pt = 101;
	q.spec[1][0].codec = "G722";
	q.spec[1][0].codec_pt = 9;
	assert_int_equal(create(&q, s, &rs, msg), RPC_OK);
	assert_int_equal(s->streams[0].law[0], G711_ALAW);
	assert_int_equal(s->streams[0].codec_pt[0], 8);
	assert_int_equal(s->streams[0].te_pt[0], 101);
	assert_int_equal(s->streams[0].law[1], G711_NONE);
	assert_string_equal(s->streams[0].codec[1], "G722");
	assert_int_equal(rs->streams[0]->leg[0].te_pt, 101);
	assert_non_null(rs->streams[0]->apps); /* digits looked for from the first packet */
	relay_session_free(rs);
	session_build_release(pool, &s->streams[0]);
	session_free(s);
	s = session_new("c2", "", "", "");
	init_req(&q, 1, 1);
	q.spec[1][0].telephone_event_pt = 128;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "leg_b.streams[0].telephone_event_pt: 128"));
	session_free(s);
}

static void test_update_checks(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct build_env env = {.pool = pool, .family = AF_INET};
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	struct relay_update *u = NULL;
	uint32_t rm = 3;
	char msg[256];

	(void)state;
	s->n_streams = 2;
	r.n_streams = 1;
	r.streams = &sup;
	su.index = 2;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "no stream 2"));
	su.index = 1;
	su.leg = 5;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_BAD_REQUEST);
	su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_B;
	s->streams[1].removed = true;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_BAD_REQUEST);
	s->streams[1].removed = false;
	r.n_remove = 1;
	r.remove = &rm;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_BAD_REQUEST);
	rm = 0;
	su.direction = TANDEM__MEDIA__V1__DIRECTION__DIRECTION_RECVONLY;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_OK);
	assert_int_equal(u->n_changes, 1);
	assert_int_equal(u->changes[0].leg, 1);
	assert_int_equal(u->changes[0].direction, DIR_RECVONLY);
	assert_false(u->changes[0].set_rtp);
	assert_int_equal(u->remove_mask, 1);
	free(u);
	session_free(s);
}

/* The destination policy on create and update (a re-INVITE): a remote on the node's own range
 * or in a denied network is refused with the rule named, before any port is leased; the
 * session gets the policy and the latching times. */
static void test_destination_policy(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct relay_session *rs = NULL;
	struct media_policy pol;
	struct build_env env = {
	    .pool = pool, .family = AF_INET, .policy = &pol, .learn_ns = 7, .relearn_ns = 9};
	unsigned free0 = port_pool_free_count(pool);
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	RpcEndpoint ep = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	struct relay_update *u = NULL;
	static struct req q;
	char msg[256];

	(void)state;
	assert_int_equal(
	    media_policy_init(&pol, "127.0.0.1", NULL, 30000, 30999, NULL, NULL, msg, sizeof(msg)),
	    0);
	assert_int_equal(media_policy_track(&pol), 0);
	atomic_store(&pol.held[30010], 1);
	atomic_store(&pol.held[30999], 1);
	init_req(&q, 1, 1);
	q.ep.ip = "127.0.0.1";
	q.ep.port = 30010;
	q.spec[1][0].remote_rtp = &q.ep;
	assert_int_equal(session_build_create(&env, &q.r, s, &rs, msg, sizeof(msg)),
	                 RPC_INVALID_ADDRESS);
	assert_string_equal(msg, "leg_b.streams[0].remote_rtp: 127.0.0.1:30010 is one of this "
	                         "media node's own relay ports");
	q.spec[1][0].remote_rtp = NULL;
	q.spec[0][0].remote_rtcp = &q.ep;
	q.ep.ip = "169.254.0.9";
	assert_int_equal(session_build_create(&env, &q.r, s, &rs, msg, sizeof(msg)),
	                 RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "leg_a.streams[0].remote_rtcp: 169.254.0.9:30010 is in "
	                            "[rtp] media_deny (169.254.0.0/16)"));
	assert_int_equal(port_pool_free_count(pool), free0);
	assert_null(rs);
	/* A phone on the same (loopback) host is fine. */
	q.ep.ip = "127.0.0.1";
	q.ep.port = 4000;
	assert_int_equal(session_build_create(&env, &q.r, s, &rs, msg, sizeof(msg)), RPC_OK);
	assert_ptr_equal(rs->policy, &pol);
	assert_int_equal(rs->learn_ns, 7);
	assert_int_equal(rs->relearn_ns, 9);
	/* The update path refuses the same way. */
	ep.ip = "127.0.0.1";
	ep.port = 30999;
	su.index = 0;
	su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_A;
	su.remote_rtp = &ep;
	r.n_streams = 1;
	r.streams = &sup;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)),
	                 RPC_INVALID_ADDRESS);
	assert_non_null(strstr(msg, "streams[0].remote_rtp: 127.0.0.1:30999 is one of"));
	ep.port = 40000;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_OK);
	free(u);
	relay_session_free(rs);
	for (uint32_t i = 0; i < s->n_streams; i++)
		session_build_release(pool, &s->streams[i]);
	assert_int_equal(port_pool_free_count(pool), free0);
	session_free(s);
	media_policy_free(&pol);
}

/* SrtpParams: a bad suite or key length is refused naming the field and lengths (never a key
 * octet) before anything is leased; good ones give the legs their contexts, on create and on
 * update (a re-key), and suite NONE in an update turns a leg back to plain. */
static void test_srtp_params(void **state)
{
	struct session *s = session_new("c1", "", "", "");
	struct build_env env = {.pool = pool, .family = AF_INET};
	struct relay_session *rs = NULL;
	unsigned free0 = port_pool_free_count(pool);
	static struct req q;
	uint8_t k30[30], k44[44];
	RpcSrtpParams sp = TANDEM__MEDIA__V1__SRTP_PARAMS__INIT;
	RpcUpdateSessionRequest r = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *sup = &su;
	struct relay_update *u = NULL;
	char msg[256];

	(void)state;
	memset(k30, 0xA5, sizeof(k30));
	memset(k44, 0x5A, sizeof(k44));
	init_req(&q, 1, 1);
	q.spec[1][0].srtp = &sp;
	sp.suite = 9;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "leg_b.streams[0].srtp.suite: 9 is not an SRTP suite"));
	sp.suite = TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AEAD_AES_256_GCM;
	sp.rx_key.data = k44;
	sp.rx_key.len = 44;
	sp.tx_key.data = k30;
	sp.tx_key.len = 30;
	assert_int_equal(create(&q, s, &rs, msg), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "AEAD_AES_256_GCM needs 44-octet keys (master key and salt), "
	                            "got rx 44, tx 30"));
	assert_null(strstr(msg, "\xa5"));
	assert_int_equal(port_pool_free_count(pool), free0);
	sp.tx_key.data = k44;
	sp.tx_key.len = 44;
	assert_int_equal(create(&q, s, &rs, msg), RPC_OK);
	assert_null(rs->streams[0]->leg[0].srtp);
	assert_int_equal(srtp_ctx_suite(rs->streams[0]->leg[1].srtp), SRTP_AEAD_AES_256_GCM);
	/* Update: new keys for leg A, then plain again. */
	r.n_streams = 1;
	r.streams = &sup;
	su.index = 0;
	su.srtp = &sp;
	sp.suite = TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AES_CM_128_HMAC_SHA1_80;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_BAD_REQUEST);
	assert_non_null(strstr(msg, "streams[0].srtp: AES_CM_128_HMAC_SHA1_80 needs 30-octet"));
	assert_null(u);
	sp.rx_key.data = sp.tx_key.data = k30;
	sp.rx_key.len = sp.tx_key.len = 30;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_OK);
	assert_true(u->changes[0].set_srtp);
	assert_int_equal(srtp_ctx_suite(u->changes[0].srtp), SRTP_AES_CM_128_SHA1_80);
	relay_update_free(u);
	sp.suite = TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_SUITE_NONE;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_OK);
	assert_true(u->changes[0].set_srtp);
	assert_null(u->changes[0].srtp);
	relay_update_free(u);
	/* No srtp in the update: unchanged. */
	su.srtp = NULL;
	assert_int_equal(session_build_update(&env, s, &r, &u, msg, sizeof(msg)), RPC_OK);
	assert_false(u->changes[0].set_srtp);
	relay_update_free(u);
	relay_session_free(rs);
	for (uint32_t i = 0; i < s->n_streams; i++)
		session_build_release(pool, &s->streams[i]);
	assert_int_equal(port_pool_free_count(pool), free0);
	session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_create_checks),
	    cmocka_unit_test(test_create_exhaustion_leaks_nothing),
	    cmocka_unit_test(test_codecs),
	    cmocka_unit_test(test_update_checks),
	    cmocka_unit_test(test_destination_policy),
	    cmocka_unit_test(test_srtp_params),
	};
	if (srtp_ctx_global_init())
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
