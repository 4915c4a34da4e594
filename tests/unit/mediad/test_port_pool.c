/* port_pool.c on real loopback sockets: even/odd pairs, a chosen first pair, mux, ports held by
 * others skipped (and nothing left bound when only half a pair binds), exhaustion, release
 * order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "port_pool.h"

#define PAIRS 6

static unsigned base; /* first port of a free range of 2 * PAIRS ports */

static int bind_udp(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned bound_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin_port);
}

static int find_range(void **state)
{
	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int attempt = 0; attempt < 200; attempt++) {
		unsigned b = (20000 + (unsigned)rand() % 10000) & ~1u, i;

		for (i = 0; i < 2 * PAIRS; i++) {
			int fd = bind_udp(b + i);

			if (fd < 0)
				break;
			close(fd);
		}
		if (i == 2 * PAIRS) {
			base = b;
			return 0;
		}
	}
	return -1;
}

static void drop(struct port_pool *p, struct port_lease *l)
{
	close(l->rtp_fd);
	if (l->rtcp_fd >= 0)
		close(l->rtcp_fd);
	assert_int_equal(port_pool_release(p, l->port), 0);
}

static void test_pairs(void **state)
{
	static atomic_uchar held[65536];
	struct port_pool *p;
	struct port_lease l;

	(void)state;
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base, base + 2 * PAIRS - 1), 0);
	port_pool_publish(p, held);
	assert_int_equal(port_pool_total(p), PAIRS);
	assert_int_equal(port_pool_free_count(p), PAIRS);
	assert_int_equal(port_pool_family(p), AF_INET);
	assert_int_equal(port_pool_acquire(p, false, &l), 0);
	assert_int_equal(l.port % 2, 0);
	assert_true(l.port >= base && l.port < base + 2 * PAIRS);
	assert_int_equal(bound_port(l.rtp_fd), l.port);
	assert_int_equal(bound_port(l.rtcp_fd), l.port + 1);
	assert_false(l.mux);
	assert_int_equal(port_pool_free_count(p), PAIRS - 1);
	/* Published for the workers while leased: both ports of the pair. */
	assert_true(held[l.port] && held[l.port + 1]);
	assert_false(held[l.port + 2]);
	drop(p, &l);
	assert_false(held[l.port] || held[l.port + 1]);
	assert_int_equal(port_pool_free_count(p), PAIRS);
	port_pool_free(p);
}

static void test_start_at(void **state)
{
	struct port_pool *p;
	struct port_lease l[PAIRS], none;

	(void)state;
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base, base + 2 * PAIRS - 1), 0);
	/* Pair 3 first, then on in order, wrapping around to pair 0. */
	assert_int_equal(port_pool_start_at(p, PAIRS + 3), 0);
	for (unsigned i = 0; i < PAIRS; i++) {
		assert_int_equal(port_pool_acquire(p, false, &l[i]), 0);
		assert_int_equal(l[i].port, base + 2 * ((3 + i) % PAIRS));
	}
	assert_int_equal(port_pool_acquire(p, false, &none), -ENOSPC);
	drop(p, &l[0]);
	/* Once leasing has begun the order is the pool's own. */
	assert_int_equal(port_pool_start_at(p, 0), -EBUSY);
	for (unsigned i = 1; i < PAIRS; i++)
		drop(p, &l[i]);
	port_pool_free(p);
}

static void test_mux_takes_even_port_alone(void **state)
{
	struct port_pool *p;
	struct port_lease l;

	(void)state;
	/* An odd port_min starts at the next even port. */
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base + 1, base + 2 * PAIRS - 1), 0);
	assert_int_equal(port_pool_total(p), PAIRS - 1);
	assert_int_equal(port_pool_acquire(p, true, &l), 0);
	assert_true(l.mux);
	assert_int_equal(l.rtcp_fd, -1);
	assert_int_equal(l.port, base + 2);
	assert_int_equal(bound_port(l.rtp_fd), l.port);
	drop(p, &l);
	port_pool_free(p);
}

static void test_busy_ports_are_skipped(void **state)
{
	struct port_pool *p;
	struct port_lease l1, l2;
	int busy_rtp = bind_udp(base), busy_rtcp = bind_udp(base + 3), fd;

	(void)state;
	assert_true(busy_rtp >= 0 && busy_rtcp >= 0);
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base, base + 2 * PAIRS - 1), 0);
	/* Pair 0 has its RTP port taken, pair 1 its RTCP port: both skipped. */
	assert_int_equal(port_pool_acquire(p, false, &l1), 0);
	assert_int_equal(l1.port, base + 4);
	/* Half of pair 1 was bound during the attempt and must have been closed again. */
	fd = bind_udp(base + 2);
	assert_true(fd >= 0);
	close(fd);
	drop(p, &l1);
	assert_int_equal(port_pool_free_count(p), PAIRS);
	port_pool_free(p);

	/* A pool of pair 1 alone: full pairs cannot be had, a mux stream needs only the even
	 * port and gets it. */
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base + 2, base + 3), 0);
	assert_int_equal(port_pool_acquire(p, false, &l2), -ENOSPC);
	assert_int_equal(port_pool_free_count(p), 1);
	assert_int_equal(port_pool_acquire(p, true, &l2), 0);
	assert_int_equal(l2.port, base + 2);
	drop(p, &l2);
	port_pool_free(p);
	close(busy_rtp);
	close(busy_rtcp);
}

static void test_exhaustion_and_fifo(void **state)
{
	struct port_pool *p;
	struct port_lease l[PAIRS], extra;

	(void)state;
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base, base + 2 * PAIRS - 1), 0);
	for (int i = 0; i < PAIRS; i++)
		assert_int_equal(port_pool_acquire(p, false, &l[i]), 0);
	assert_int_equal(port_pool_free_count(p), 0);
	assert_int_equal(port_pool_acquire(p, false, &extra), -ENOSPC);
	assert_int_equal(extra.rtp_fd, -1);
	/* Released first, reused first: l[2] then l[0] come back in that order. */
	drop(p, &l[2]);
	drop(p, &l[0]);
	assert_int_equal(port_pool_acquire(p, false, &extra), 0);
	assert_int_equal(extra.port, l[2].port);
	drop(p, &extra);
	assert_int_equal(port_pool_acquire(p, false, &extra), 0);
	assert_int_equal(extra.port, l[0].port);
	drop(p, &extra);
	for (int i = 1; i < PAIRS; i++)
		if (i != 2)
			drop(p, &l[i]);
	assert_int_equal(port_pool_free_count(p), PAIRS);
	port_pool_free(p);
}

static void test_bad_release_and_config(void **state)
{
	struct port_pool *p;

	(void)state;
	assert_int_equal(port_pool_new(&p, "localhost", base, base + 9), -EINVAL);
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base + 1, base + 2), -EINVAL);
	assert_int_equal(port_pool_new(&p, "127.0.0.1", base, base + 2 * PAIRS - 1), 0);
	assert_int_equal(port_pool_release(p, (uint16_t)(base + 1)), -EINVAL); /* odd */
	assert_int_equal(port_pool_release(p, (uint16_t)base), -EINVAL);       /* not leased */
	assert_int_equal(port_pool_release(p, (uint16_t)(base + 100)), -EINVAL);
	assert_int_equal(port_pool_free_count(p), PAIRS);
	port_pool_free(p);
}

static void test_ipv6(void **state)
{
	struct port_pool *p;
	struct port_lease l;
	int rc;

	(void)state;
	assert_int_equal(port_pool_new(&p, "::1", base, base + 2 * PAIRS - 1), 0);
	assert_int_equal(port_pool_family(p), AF_INET6);
	rc = port_pool_acquire(p, false, &l);
	if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) { /* no IPv6 loopback here */
		port_pool_free(p);
		skip();
	}
	assert_int_equal(rc, 0);
	drop(p, &l);
	port_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_start_at),
	    cmocka_unit_test(test_mux_takes_even_port_alone),
	    cmocka_unit_test(test_busy_ports_are_skipped),
	    cmocka_unit_test(test_exhaustion_and_fifo),
	    cmocka_unit_test(test_bad_release_and_config),
	    cmocka_unit_test(test_ipv6),
	};
	return cmocka_run_group_tests(tests, find_range, NULL);
}
