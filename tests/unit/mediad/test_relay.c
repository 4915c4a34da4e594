/* relay.c's per-packet decision, without sockets: forwarding both ways, latching (learning,
 * locking, strangers, re-learning after silence with the same SSRC), strict source, the media
 * policy on sources, directions, RTCP on muxed and non-muxed ports, bad packets, counters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "media_policy.h"
#include "relay.h"

#define NOW     5000000000ull
#define MS      1000000ull
#define LEARN   (3000 * MS)
#define RELEARN (1000 * MS)

struct fixture {
	struct relay_session rs;
	struct relay_stream *st;
	struct relay_fwd fwd;
	uint8_t rtp[172], rtcp[32];
	uint16_t seq;
	uint64_t t; /* the clock: 20 ms more for every RTP packet */
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
	f->rs.learn_ns = LEARN;
	f->rs.relearn_ns = RELEARN;
	f->rs.n_streams = 1;
	f->t = NOW;
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
	f->t += 20 * MS;
	return relay_packet(&f->st->leg[leg].rtp, f->rtp, sizeof(f->rtp), sizeof(f->rtp), false,
	                    &src.u, src.len, f->t, &f->fwd);
}

static void set_ssrc(struct fixture *f, uint32_t ssrc)
{
	f->rtp[8] = (uint8_t)(ssrc >> 24);
	f->rtp[9] = (uint8_t)(ssrc >> 16);
	f->rtp[10] = (uint8_t)(ssrc >> 8);
	f->rtp[11] = (uint8_t)ssrc;
}

static int rtcp_from(struct fixture *f, struct relay_sock *sock, const char *ip, unsigned port)
{
	struct net_addr src = addr(ip, port);

	return relay_packet(sock, f->rtcp, 28, 28, false, &src.u, src.len, f->t, &f->fwd);
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

/* No SDP addresses: each leg learns from its first packets; a new source (a NAT that re-maps
 * at the start) is followed while learning; once the window is over the leg is locked and a
 * stranger's datagram is dropped and counted, the real peer keeps its audio. */
static void test_learning_then_locked(void **state)
{
	struct fixture *f = make(false, NULL, 0, false, NULL, 0);
	struct session_snapshot snap;

	(void)state;
	/* B unknown yet: A's packet is accepted (A latched) but has nowhere to go. */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 1);
	assert_int_equal(f->st->leg[0].rx_rtp.dropped, 1);
	assert_false(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 7000));
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "198.51.100.1", 9000));
	/* Still learning: a new source on A is followed. */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7002), 1);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 7002));
	/* Its RTCP address followed too (port + 1) until RTCP itself is seen. */
	assert_int_equal(rtcp_from(f, &f->st->leg[1].rtcp, "198.51.100.1", 9001), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtcp, "192.0.2.1", 7003));
	/* The learning window ends: the next packet from the remote locks the leg. */
	f->t += LEARN;
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7002), 1);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(f->st->leg[0].locked);
	assert_true(f->st->leg[1].locked);
	/* One datagram from a stranger does not steal A's audio. */
	assert_int_equal(rtp_from(f, 0, "203.0.113.66", 30000), 0);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 7002));
	assert_int_equal(rtp_from(f, 1, "203.0.113.66", 30002), 0); /* nor B's */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 7002), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "198.51.100.1", 9000));
	/* RTCP: learnt once from the RTP source's host; another host, or a second port, is not. */
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "203.0.113.66", 6000), 0);
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "192.0.2.1", 6000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtcp, "198.51.100.1", 9001));
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "192.0.2.1", 6002), 0);
	relay_session_snapshot(&f->rs, f->t, &snap);
	assert_int_equal(snap.streams[0].leg[0].rtp.strange_source, 1);
	assert_int_equal(snap.streams[0].leg[1].rtp.strange_source, 1);
	assert_int_equal(snap.streams[0].leg[0].rtcp.strange_source, 2);
	assert_int_equal(net_addr_port(&snap.streams[0].leg[0].remote_rtp), 7002);
	assert_int_equal(net_addr_port(&snap.streams[0].leg[0].remote_rtcp), 6000);
	destroy(f);
}

/* A packet from the SDP address locks the leg at once: no window for a stranger after it. */
static void test_sdp_source_locks_at_once(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);

	(void)state;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "10.6.6.6", 4000), 0);
	assert_int_equal(f->fwd.drop, DROP_STRANGE_SOURCE);
	assert_int_equal(f->st->leg[0].rx_rtp.strange_source, 1);
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "10.0.0.1", 4000));
	destroy(f);
}

/* SDP says a private address, packets come from the NAT: learnt (the newest source wins while
 * learning), then locked; a stranger racing the phone during the window loses it again as soon
 * as the phone sends, and is locked out afterwards. */
static void test_nat_newest_wins_while_learning(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "198.51.100.1", 9000);

	(void)state;
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1);
	assert_false(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "203.0.113.66", 1), 1); /* the stranger, still learning */
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1); /* the phone again */
	f->t += LEARN;
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1);
	assert_true(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "203.0.113.66", 1), 0);
	assert_int_equal(rtp_from(f, 1, "198.51.100.1", 9000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.1", 5555));
	/* A window that closed while the phone was quiet: a stranger's first packet after it
	 * finds the leg locked. */
	relay_leg_set_remote(&f->st->leg[0], &(struct net_addr){0}, NULL, false);
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5556), 1);
	f->t += LEARN;
	set_ssrc(f, 0xbad); /* (the same SSRC after this silence would be a re-learn) */
	assert_int_equal(rtp_from(f, 0, "203.0.113.66", 1), 0);
	assert_true(f->st->leg[0].locked);
	assert_int_equal(net_addr_port(&f->st->leg[0].remote_rtp), 5556);
	destroy(f);
}

/* A locked leg moves only after a silence, and only to a source continuing its SSRC. */
static void test_relearn_after_silence_same_ssrc(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);

	(void)state;
	set_ssrc(f, 0x11223344);
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(f->st->leg[0].locked);
	/* Same SSRC from elsewhere while A is still talking: refused. */
	assert_int_equal(rtp_from(f, 0, "192.0.2.9", 6000), 0);
	f->t += RELEARN;
	/* Silent long enough, but another SSRC: refused. */
	set_ssrc(f, 0x55667788);
	assert_int_equal(rtp_from(f, 0, "192.0.2.9", 6000), 0);
	set_ssrc(f, 0x11223344);
	assert_int_equal(rtp_from(f, 0, "192.0.2.9", 6000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.2", 5000));
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtp, "192.0.2.9", 6000));
	/* RTCP follows the new address, and the old one is now a stranger. */
	assert_int_equal(rtcp_from(f, &f->st->leg[1].rtcp, "10.0.0.2", 5001), 1);
	assert_true(fwd_to(f, &f->st->leg[0].rtcp, "192.0.2.9", 6001));
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	assert_int_equal(f->st->leg[0].rx_rtp.strange_source, 3);
	/* relearn 0: never. */
	f->rs.relearn_ns = 0;
	f->t += 10 * RELEARN;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	destroy(f);
}

/* The same SDP again (a refresh) keeps the latched source; a new SDP address learns anew. */
static void test_update_and_refresh(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);
	struct net_addr same = addr("10.0.0.1", 4000), moved = addr("10.0.0.7", 4100);

	(void)state;
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1);
	f->t += LEARN;
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1);
	assert_true(f->st->leg[0].locked);
	relay_leg_set_remote(&f->st->leg[0], &same, NULL, false);
	assert_true(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 1);
	assert_int_equal(net_addr_port(&f->st->leg[0].remote_rtp), 5555);
	relay_leg_set_remote(&f->st->leg[0], &moved, NULL, false);
	assert_false(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "10.0.0.7", 4100), 1);
	assert_true(f->st->leg[0].locked);
	assert_int_equal(rtp_from(f, 0, "192.0.2.1", 5555), 0);
	destroy(f);
}

/* Sources the node must never send to are never latched: its own relay ports (a loop), and the
 * policy's denied ranges. */
static void test_policy_on_sources(void **state)
{
	struct fixture *f = make(false, NULL, 0, false, "10.0.0.2", 5000);
	struct media_policy pol;
	char err[128];

	(void)state;
	assert_int_equal(
	    media_policy_init(&pol, "127.0.0.1", NULL, 30000, 30099, NULL, NULL, err, sizeof(err)),
	    0);
	assert_int_equal(media_policy_track(&pol), 0);
	atomic_store(&pol.held[30004], 1); /* another leg's port, held by the node */
	f->rs.policy = &pol;
	assert_int_equal(rtp_from(f, 0, "127.0.0.1", 30004), 0);
	assert_int_equal(rtp_from(f, 0, "169.254.3.4", 4000), 0);
	assert_int_equal(f->st->leg[0].remote_rtp.len, 0);
	assert_int_equal(f->st->leg[0].rx_rtp.strange_source, 2);
	atomic_store(&pol.held[30011], 1);
	assert_int_equal(rtcp_from(f, &f->st->leg[0].rtcp, "127.0.0.1", 30011), 0);
	assert_int_equal(f->st->leg[0].rx_rtcp.strange_source, 1);
	/* The node is bound on loopback: a port it does not hold, in its range or not, is a
	 * phone on this host. */
	assert_int_equal(rtp_from(f, 0, "127.0.0.1", 30006), 1);
	assert_int_equal(rtp_from(f, 0, "127.0.0.1", 4000), 1);
	media_policy_free(&pol);
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
	/* Turning strict off does not reopen learning: the legs stay locked where they are. */
	relay_session_set_strict(&f->rs, false);
	assert_int_equal(rtp_from(f, 1, "10.0.0.3", 5000), 0);
	assert_int_equal(f->st->leg[1].rx_rtp.strange_source, 2);
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_true(fwd_to(f, &f->st->leg[1].rtp, "10.0.0.2", 5000));
	destroy(f);
}

static void test_directions(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);

	(void)state;
	f->st->leg[0].direction = DIR_SENDONLY; /* A only sends */
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 1);
	assert_int_equal(rtp_from(f, 1, "10.0.0.2", 5000), 0);
	assert_int_equal(f->fwd.drop, DROP_DIRECTION);
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
	assert_int_equal(relay_packet(&f->st->leg[0].rtcp, f->rtp, sizeof(f->rtp), sizeof(f->rtp),
	                              false, &f->st->leg[0].remote_rtcp.u,
	                              f->st->leg[0].remote_rtcp.len, NOW, &f->fwd),
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
	assert_int_equal(relay_packet(&f->st->leg[0].rtp, junk, sizeof(junk), sizeof(junk), false,
	                              &src.u, src.len, NOW, &f->fwd),
	                 0);
	assert_int_equal(f->fwd.drop, DROP_MALFORMED);
	assert_int_equal(
	    relay_packet(&f->st->leg[0].rtp, f->rtp, 5, 5, false, &src.u, src.len, NOW, &f->fwd),
	    0);
	/* Truncated by the kernel (oversized): dropped whatever its header says. */
	assert_int_equal(relay_packet(&f->st->leg[0].rtp, f->rtp, sizeof(f->rtp), sizeof(f->rtp),
	                              true, &src.u, src.len, NOW, &f->fwd),
	                 0);
	assert_int_equal(f->fwd.drop, DROP_TRUNCATED);
	assert_int_equal(f->st->leg[0].rx_rtp.malformed, 3);
	assert_int_equal(f->st->leg[0].rx_rtp.packets, 0);
	/* A garbage packet from a stranger must not move the latched remote. */
	src = addr("10.6.6.6", 1);
	relay_packet(&f->st->leg[0].rtp, junk, sizeof(junk), sizeof(junk), false, &src.u, src.len,
	             NOW, &f->fwd);
	assert_int_equal(net_addr_port(&f->st->leg[0].remote_rtp), 4000);
	/* A removed stream forwards nothing. */
	f->st->removed = true;
	assert_int_equal(rtp_from(f, 0, "10.0.0.1", 4000), 0);
	assert_int_equal(f->fwd.drop, DROP_CLOSING);
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

/* The applicable timeout: inactivity while any stream is sendrecv both ways, hold while every
 * live stream is held (sendonly/recvonly pair, inactive), 0 = never; a change of hold state
 * starts a new idle period. */
static void test_hold_timeout(void **state)
{
	struct fixture *f = make(false, "10.0.0.1", 4000, false, "10.0.0.2", 5000);
	struct relay_stream *st2;
	struct port_lease lease[2] = {{30004, false, -1, -1}, {30006, false, -1, -1}};
	struct relay_leg_spec spec[2];
	uint64_t t0 = NOW;

	(void)state;
	f->rs.timeout_ns = 2000 * MS;
	f->rs.hold_timeout_ns = 0;
	f->rs.last_rtp_ns = t0;
	assert_false(relay_session_on_hold(&f->rs));
	assert_false(relay_session_timed_out(&f->rs, t0 + 1999 * MS));
	assert_true(relay_session_timed_out(&f->rs, t0 + 2000 * MS));
	/* A packet the kernel fast path stamped after the tick took its `now` is not 584 years of
	 * silence (it was, and ended calls). */
	f->rs.last_rtp_ns = t0 + 5 * MS;
	assert_false(relay_session_timed_out(&f->rs, t0));
	assert_int_equal(relay_ns_since(t0, t0 + 5 * MS), 0);
	f->rs.last_rtp_ns = t0;

	/* A holds (sendonly), B answers recvonly: held, and with no hold timeout never ends. */
	f->st->leg[0].direction = DIR_SENDONLY;
	f->st->leg[1].direction = DIR_RECVONLY;
	relay_session_hold_check(&f->rs, false, t0 + 5000 * MS);
	assert_true(relay_session_on_hold(&f->rs));
	assert_int_equal(f->rs.last_rtp_ns, t0 + 5000 * MS);
	assert_int_equal(relay_session_timeout_ns(&f->rs), 0);
	assert_false(relay_session_timed_out(&f->rs, t0 + 3600000 * MS));

	/* With a hold timeout it applies instead of the inactivity one. */
	f->rs.hold_timeout_ns = 10000 * MS;
	assert_false(relay_session_timed_out(&f->rs, t0 + 14999 * MS));
	assert_true(relay_session_timed_out(&f->rs, t0 + 15000 * MS));
	f->rs.timeout_sent = true; /* once per idle period */
	assert_false(relay_session_timed_out(&f->rs, t0 + 20000 * MS));

	/* Inactive on one leg is hold too. */
	f->st->leg[0].direction = DIR_INACTIVE;
	f->st->leg[1].direction = DIR_SENDRECV;
	assert_true(relay_session_on_hold(&f->rs));

	/* A second stream still sendrecv both ways: not every stream is held. */
	memset(spec, 0, sizeof(spec));
	st2 = relay_stream_new(1, KIND_VIDEO, 90000, lease, spec, false);
	assert_non_null(st2);
	st2->session = &f->rs;
	f->rs.streams[1] = st2;
	f->rs.n_streams = 2;
	assert_false(relay_session_on_hold(&f->rs));
	assert_int_equal(relay_session_timeout_ns(&f->rs), 2000 * MS);
	/* A removed stream does not count. */
	st2->removed = true;
	assert_true(relay_session_on_hold(&f->rs));

	/* Resume: a new idle period under the inactivity timeout. */
	f->st->leg[0].direction = DIR_SENDRECV;
	relay_session_hold_check(&f->rs, true, t0 + 30000 * MS);
	assert_false(relay_session_on_hold(&f->rs));
	assert_false(f->rs.timeout_sent);
	assert_false(relay_session_timed_out(&f->rs, t0 + 31999 * MS));
	assert_true(relay_session_timed_out(&f->rs, t0 + 32000 * MS));
	/* No change of state: the idle period goes on. */
	relay_session_hold_check(&f->rs, false, t0 + 40000 * MS);
	assert_int_equal(f->rs.last_rtp_ns, t0 + 30000 * MS);

	/* Every stream removed: nothing is held, the inactivity timeout applies. */
	f->st->removed = true;
	assert_false(relay_session_on_hold(&f->rs));
	relay_stream_free(st2);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sdp_remotes_both_ways),
	    cmocka_unit_test(test_learning_then_locked),
	    cmocka_unit_test(test_sdp_source_locks_at_once),
	    cmocka_unit_test(test_nat_newest_wins_while_learning),
	    cmocka_unit_test(test_relearn_after_silence_same_ssrc),
	    cmocka_unit_test(test_update_and_refresh),
	    cmocka_unit_test(test_policy_on_sources),
	    cmocka_unit_test(test_strict_source),
	    cmocka_unit_test(test_directions),
	    cmocka_unit_test(test_rtcp_mux),
	    cmocka_unit_test(test_bad_packets),
	    cmocka_unit_test(test_loss_and_timeout_bookkeeping),
	    cmocka_unit_test(test_hold_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
