/* relay.c's per-packet decision, without sockets: forwarding both ways, latching, relatching,
 * strict source, directions, RTCP on muxed and non-muxed ports, bad packets, counters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "relay.h"

#define NOW 5000000000ull

struct fixture {
	struct relay_session rs;
	struct relay_stream *st;
	struct relay_fwd fwd;
	uint8_t rtp[172], rtcp[32];
	uint16_t seq;
};

static struct net_addr addr(const char *ip, unsigned port)
{
	struct net_addr a;

	assert_int_equal(net_addr_parse(ip, port, &a), 0);
	return a;
}

/* A session of one stream; leg A on ports 30000/30001, leg B on 30002 (mux or not). */
static struct fixture *make(bool strict, const char *a_ip, unsigned a_port, bool b_mux,
                            const char *b_ip, unsigned b_port)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct port_lease lease[2] = {{30000, false, -1, -1}, {30002, b_mux, -1, -1}};
	struct relay_leg_spec spec[2];

	assert_non_null(f);
	memset(spec, 0, sizeof(spec));
	spec[1].mux = b_mux;
	if (a_ip)
		spec[0].rtp = addr(a_ip, a_port);
	if (b_ip)
		spec[1].rtp = addr(b_ip, b_port);
	f->st = relay_stream_new(0, KIND_AUDIO, 8000, lease, spec, strict);
	assert_non_null(f->st);
	f->st->session = &f->rs;
	f->rs.strict = strict;
	f->rs.n_streams = 1;
	f->rs.streams[0] = f->st;
	f->rtp[0] = 0x80;
	f->rtcp[0] = 0x80;
	f->rtcp[1] = 200; /* SR */
	f->rtcp[3] = 6;   /* 7 words = 28 bytes */
	return f;
}

static void destroy(struct fixture *f)
{
	relay_stream_free(f->st);
	free(f);
}

/* Sends an RTP packet from ip:port to leg's RTP port; returns relay_packet's verdict. */
static int rtp_from(struct fixture *f, int leg, const char *ip, unsigned port)
{
	struct net_addr src = addr(ip, port);

	f->rtp[2] = (uint8_t)(f->seq >> 8);
	f->rtp[3] = (uint8_t)f->seq;
	f->seq++;
	return relay_packet(&f->st->leg[leg].rtp, f->rtp, sizeof(f->rtp), false, &src.u, src.len,
	                    NOW + f->seq * 20000000ull, &f->fwd);
}

static int rtcp_from(struct fixture *f, struct relay_sock *sock, const char *ip, unsigned port)
{
	struct net_addr src = addr(ip, port);

	return relay_packet(sock, f->rtcp, 28, false, &src.u, src.len, NOW, &f->fwd);
}

static bool fwd_to(const struct fixture *f, const struct relay_sock *out, const char *ip,
                   unsigned port)
{
	struct net_addr want = addr(ip, port);

	return f->fwd.out == out && f->fwd.to->len == want.len &&
	       memcmp(&f->fwd.to->u, &want.u, want.len) == 0;
}

static void test_sdp_remotes_both_ways(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);
	struct session_snapshot snap;

	(void)state;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.2", 5000));
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "10.0.0.1", 4000));
	/* RTCP goes out of the other leg's RTCP port to RTP port + 1 (derived). */
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "10.0.0.1", 4001), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtcp, "10.0.0.2", 5001));

	relay_session_snapshot(&f->rs, NOW + 10 * 20000000ull, &snap);
	assert_int_equal(snap.n_streams, 1);
	assert_int_equal(snap.streams[0].leg[0].rtp.packets, 1);
	assert_int_equal(snap.streams[0].leg[0].rtp.forwarded, 1);
	assert_int_equal(snap.streams[0].leg[0].rtp.bytes, sizeof(f->rtp));
	assert_int_equal(snap.streams[0].leg[0].rtcp.packets, 1);
	assert_int_equal(snap.streams[0].leg[1].rtp.packets, 1);
	assert_int_equal(snap.streams[0].leg[0].rtp_port, 30000);
	assert_int_equal(snap.streams[0].leg[0].rtcp_port, 30001);
	assert_true(snap.streams[0].leg[0].rtp.last_age_ms > 0);
	assert_int_equal(snap.streams[0].leg[1].rtcp.last_age_ms, 0); /* nothing yet */
	destroy(f);
}

static void test_latching_and_relatching(void **state)
{
	struct fixture *f = make(false, NULL, 0, false, NULL, 0);
	struct session_snapshot snap;

	(void)state;
	/* B unknown yet: A's packet is accepted (A latched) but has nowhere to go. */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.dropped, 1);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 7000));
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "198.51.100.1", 9000));
	/* A new source on A (NAT rebinding): the remote follows it. */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7002), 1);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 7002));
	/* Its RTCP address followed too (port + 1) until RTCP itself is seen. */
	assert_int_equal(rtcp_from(f, &f->st->leg[1].rtcp, "198.51.100.1", 9001), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtcp, "192.0.2.1", 7003));
	/* A's RTCP from its own port: learnt, and relayed to where B's RTCP came from. */
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "192.0.2.1", 6000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtcp, "198.51.100.1", 9001));
	relay_session_snapshot(&f->rs, NOW, &snap);
	assert_int_equal(snap.streams[0].leg[0].rtp.strange_source, 0);
	assert_int_equal(net_addr_port(&snap.streams[0].leg[0].remote_rtcp), 6000);
	destroy(f);
}

static void test_strict_source(void **state)
{
	struct fixture *f = make(true, "10.0.0.1", 4000, false, NULL, 0);

	(void)state;
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 1); /* B latches, A from SDP */
	assert_int_equal(rtp_from(f, 0, "10.6.6.6", 4000), 0); /* stranger on A */
	assert_int_equal(f->st->leg[0].rx_rtp.strange_source, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.dropped, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 0);
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.2", 5000));
	/* B had no SDP address: its first source is pinned, the next one is a stranger. */
	assert_int_equal(rtp_from(f, 1, "10.0.0.3", 5000), 0);
	assert_int_equal(f->st->leg[1].rx_rtp.strange_source, 1);
	/* Turning strict off lets the remote follow again. */
	relay_session_set_strict(&f->rs, false);
	assert_int_equal(rtp_from(f, 1, "10.0.0.3", 5000), 1);
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.3", 5000));
	destroy(f);
}

static void test_directions(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);

	(void)state;
	f->st->leg[0].direction = DIR_SENDONLY; /* A only sends */
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 0);
	/* RTCP still flows both ways. */
	assert_int_equal(rtcp_from(f, &f->st->leg[1].rtcp, "10.0.0.2", 5001), 1);
	f->st->leg[0].direction = DIR_RECVONLY; /* A only receives */
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 1);
	f->st->leg[0].direction = DIR_SENDRECV;
	f->st->leg[1].direction = DIR_INACTIVE;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 0);
	/* Packets refused by direction still count as received (timeouts, stats). */
	assert_int_equal(f->st->leg[1].rx_rtp.packets, 3);
	assert_int_equal(f->st->leg[1].rx_rtp.dropped, 2);
	destroy(f);
}

static void test_rtcp_mux(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, true, "10.0.0.2", 5000);

	(void)state;
	/* RTCP on B's single port is RTCP, relayed to A's RTCP port. */
	assert_int_equal(rtcp_from(f, &f->st->leg[1].rtp, "10.0.0.2", 5000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtcp, "10.0.0.1", 4001));
	/* A's RTCP goes to B's one port and address. */
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "10.0.0.1", 4001), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.2", 5000));
	assert_int_equal(f->st->leg[1].rx_rtcp.packets, 1);
	assert_int_equal(f->st->leg[1].rx_rtp.packets, 0);
	/* On A's non-mux RTP port, RTCP is refused; on its RTCP port, RTP is. */
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtp, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.malformed, 1);
	assert_int_equal(relay_packet(&f->st->leg[0].rtcp, f->rtp, sizeof(f->rtp), false,
	                              &f->st->leg[0].remote_rtcp.u, f->st->leg[0].remote_rtcp.len,
	                              NOW, &f->fwd),
	                 0);
	assert_int_equal(f->st->leg[0].rx_rtcp.malformed, 1);
	destroy(f);
}

static void test_bad_packets(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);
	struct net_addr src = addr("10.0.0.1", 4000);
	uint8_t junk[40];

	(void)state;
	memset(junk, 0xff, sizeof(junk));
	assert_int_equal(relay_packet(&f->st->leg[0].rtp, junk, sizeof(junk), false, &src.u,
	                              src.len, NOW, &f->fwd),
	                 0);
	assert_int_equal(
	    relay_packet(&f->st->leg[0].rtp, f->rtp, 5, false, &src.u, src.len, NOW, &f->fwd), 0);
	/* Truncated by the kernel (oversized): dropped whatever its header says. */
	assert_int_equal(relay_packet(&f->st->leg[0].rtp, f->rtp, sizeof(f->rtp), true, &src.u,
	                              src.len, NOW, &f->fwd),
	                 0);
	assert_int_equal(f->st->leg[0].rx_rtp.malformed, 3);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 0);
	/* A garbage packet from a stranger must not move the latched remote. */
	src = addr("10.6.6.6", 1);
	relay_packet(&f->st->leg[0].rtp, junk, sizeof(junk), false, &src.u, src.len, NOW, &f->fwd);
	assert_int_equal(net_addr_port(&f->st->leg[0].remote_rtp), 4000);
	/* A removed stream forwards nothing. */
	f->st->removed = true;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.dropped, 5);
	destroy(f);
}

static void test_loss_and_timeout_bookkeeping(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);
	struct session_snapshot snap;

	(void)state;
	f->rs.timeout_sent = true;
	rtp_from(f, 0, "10.0.0.1", 4000);
	assert_false(f->rs.timeout_sent); /* a packet ends the idle period */
	f->seq += 3;                      /* three lost */
	rtp_from(f, 0, "10.0.0.1", 4000);
	rtp_from(f, 0, "10.0.0.1", 4000);
	relay_session_snapshot(&f->rs, f->rs.last_rtp_ns + 250000000ull, &snap);
	assert_int_equal(snap.streams[0].leg[0].rtp.lost, 3);
	assert_int_equal(snap.rtp_idle_ms, 250);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdp_remotes_both_ways),
	    cmocka_unit_test(test_latching_and_relatching),
	    cmocka_unit_test(test_strict_source),
	    cmocka_unit_test(test_directions),
	    cmocka_unit_test(test_rtcp_mux),
	    cmocka_unit_test(test_bad_packets),
	    cmocka_unit_test(test_loss_and_timeout_bookkeeping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
