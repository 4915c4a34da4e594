/* The packet path without sockets: RTP/RTCP classification (rtp_check.c), receive statistics
 * (rtp_stats.c) and relay_packet() (relay.c: source checks, latching, direction, forwarding) on
 * a session of two streams, one with rtcp-mux on leg A, as a worker holds it.
 *
 * Input: a list of records. Record byte r: r & 3 < 3 is a packet (socket r >> 2 of the eight,
 * then a source index byte, a 16-bit time step in ms, a length byte and the datagram); r & 3 == 3
 * is a control change (new remote from SDP, strict source on/off, a direction), as an update
 * from the control thread would make between packets. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "fuzz_in.h"
#include "fuzz_util.h"
#include "relay.h"
#include "rtp_check.h"
#include "rtp_stats.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

static void sources(struct net_addr src[4])
{
	net_addr_parse("198.51.100.7", 4000, &src[0]);
	net_addr_parse("198.51.100.7", 4001, &src[1]);
	net_addr_parse("203.0.113.66", 4000, &src[2]);
	net_addr_parse("2001:db8::7", 4000, &src[3]);
}

static struct relay_session *session_new(struct net_addr src[4], uint32_t rate0, bool strict)
{
	struct relay_session *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->strict = strict;
	for (uint32_t i = 0; i < 2; i++) {
		struct port_lease lease[2] = {{(uint16_t)(30000 + 4 * i), i == 0, -1, -1},
		                              {(uint16_t)(30002 + 4 * i), false, -1, -1}};
		struct relay_leg_spec spec[2] = {{.mux = i == 0, .rtp = src[0]},
		                                 {.direction = DIR_SENDRECV}};
		struct relay_stream *st =
		    relay_stream_new(i, (uint8_t)i, i ? 90000 : rate0, lease, spec, strict);

		if (!st) {
			relay_session_free(rs);
			return NULL;
		}
		st->session = rs;
		rs->streams[rs->n_streams++] = st;
	}
	return rs;
}

static struct relay_sock *sock_of(struct relay_session *rs, unsigned n)
{
	struct relay_leg *leg = &rs->streams[(n >> 2) & 1]->leg[(n >> 1) & 1];

	return n & 1 ? &leg->rtcp : &leg->rtp;
}

static void control(struct relay_session *rs, struct fuzz_in *in, struct net_addr src[4])
{
	uint8_t c = fuzz_u8(in);
	struct relay_stream *st = rs->streams[c & 1];
	struct relay_leg *leg = &st->leg[(c >> 1) & 1];
	struct net_addr none = {0};

	switch ((c >> 2) & 3) {
	case 0:
		relay_leg_set_remote(leg, &src[(c >> 4) & 3], c & 0x40 ? &src[1] : NULL,
		                     rs->strict);
		break;
	case 1:
		relay_leg_set_remote(leg, &none, NULL, rs->strict);
		break;
	case 2:
		relay_session_set_strict(rs, c & 0x10);
		break;
	default:
		leg->direction = (uint8_t)(1 + ((c >> 4) & 3));
		st->removed = c & 0x40;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t rates[4] = {8000, 16000, 48000, 1};
	struct fuzz_in in = {data, size};
	struct net_addr src[5];
	struct session_snapshot snap;
	struct relay_session *rs;
	uint64_t now = 5000000000ull;
	uint8_t flags = fuzz_u8(&in);

	sources(src);
	/* A recvmsg source of a size that is neither family. */
	src[4] = src[0];
	src[4].len = 8;
	rs = session_new(src, rates[flags & 3], flags & 4);
	if (!rs)
		return 0;
	while (in.left) {
		uint8_t r = fuzz_u8(&in);
		struct relay_fwd fwd = {0};
		const struct net_addr *from;
		const uint8_t *p;
		size_t len;

		if ((r & 3) == 3) {
			control(rs, &in, src);
			continue;
		}
		from = &src[fuzz_u8(&in) % 5];
		now += (uint64_t)fuzz_u16(&in) * 1000000u;
		p = fuzz_bytes(&in, fuzz_u8(&in), &len);
		/* A copy of exactly len bytes, so ASan sees any read past the datagram. */
		uint8_t *pkt = malloc(len ? len : 1);

		if (!pkt)
			break;
		memcpy(pkt, p, len);
		rtp_classify(pkt, len);
		if (relay_packet(sock_of(rs, r >> 2), pkt, (uint32_t)len, (uint32_t)len,
		                 (r & 3) == 2, &from->u, from->len, now, &fwd) == 1 &&
		    (!fwd.out || !fwd.to || !fwd.to->len))
			abort(); /* forwarded to nowhere */
		free(pkt);
	}
	relay_session_snapshot(rs, now, &snap);
	relay_session_free(rs);
	return 0;
}
