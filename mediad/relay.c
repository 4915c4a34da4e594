/* Relay objects and the per-packet decision. Everything after relay_session_free() runs on the
 * owning worker; relay_packet() is on the hot path and must stay free of allocation, locks and
 * system calls. */
#include "relay.h"

#include <stdlib.h>
#include <unistd.h>

#include "fastpath.h"
#include "media_policy.h"
#include "relay_apps.h"
#include "rtp_check.h"
#include "srtp_ctx.h"

#define COLD __attribute__((cold, noinline))

static void sock_init(struct relay_sock *s, int fd, unsigned port, uint8_t leg, bool rtcp_port,
                      struct relay_stream *st)
{
	s->fd = fd;
	s->slot = 0;
	s->port = (uint16_t)port;
	s->leg = leg;
	s->rtcp_port = rtcp_port;
	s->in_loop = false;
	s->stream = st;
}

struct relay_stream *relay_stream_new(uint32_t index, uint8_t kind, uint32_t clock_rate,
                                      const struct port_lease lease[2],
                                      const struct relay_leg_spec spec[2], bool strict)
{
	struct relay_stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->index = index;
	st->kind = kind;
	st->clock_rate = clock_rate;
	for (uint8_t i = 0; i < 2; i++) {
		struct relay_leg *leg = &st->leg[i];

		leg->mux = lease[i].mux;
		leg->direction = spec[i].direction ? spec[i].direction : DIR_SENDRECV;
		sock_init(&leg->rtp, lease[i].rtp_fd, lease[i].port, i, false, st);
		sock_init(&leg->rtcp, lease[i].rtcp_fd, lease[i].mux ? 0 : lease[i].port + 1u, i,
		          true, st);
		st->open_socks += 1 + (lease[i].rtcp_fd >= 0);
		leg->srtp = spec[i].srtp;
		leg->te_pt = spec[i].te_pt;
		leg->codec_pt = spec[i].codec_pt;
		leg->law = spec[i].law;
		relay_leg_set_remote(leg, &spec[i].rtp, spec[i].rtcp_given ? &spec[i].rtcp : NULL,
		                     strict);
	}
	/* Digits are looked for from the first packet on. */
	if ((st->leg[0].te_pt || st->leg[1].te_pt) && !relay_apps_get(st)) {
		free(st);
		return NULL;
	}
	return st;
}

void relay_stream_free(struct relay_stream *st)
{
	if (!st)
		return;
	for (int i = 0; i < 2; i++) {
		if (st->leg[i].rtp.fd >= 0)
			close(st->leg[i].rtp.fd);
		if (st->leg[i].rtcp.fd >= 0)
			close(st->leg[i].rtcp.fd);
		srtp_ctx_free(st->leg[i].srtp);
	}
	relay_apps_free(st, NULL, NULL);
	free(st);
}

void relay_session_free(struct relay_session *rs)
{
	if (!rs)
		return;
	for (uint32_t i = 0; i < rs->n_streams; i++)
		relay_stream_free(rs->streams[i]);
	free(rs);
}

/* The RTCP address a remote RTP address implies: the same for mux, else the port above. */
static void derive_rtcp(struct relay_leg *leg)
{
	unsigned port = net_addr_port(&leg->remote_rtp);

	leg->remote_rtcp = leg->remote_rtp;
	if (!leg->mux && leg->remote_rtp.len) {
		if (port >= 65535)
			leg->remote_rtcp.len = 0;
		else
			net_addr_set_port(&leg->remote_rtcp, port + 1);
	}
}

void relay_leg_set_remote(struct relay_leg *leg, const struct net_addr *rtp,
                          const struct net_addr *rtcp, bool strict)
{
	/* The same SDP again (a refresh, a hold with the same address): a leg locked onto its
	 * real source behind a NAT keeps it instead of going back to the private address. */
	if (!strict && leg->locked && net_addr_equal(&leg->sdp_rtp, rtp) && !rtcp)
		return;
	leg->sdp_rtp = *rtp;
	leg->remote_rtp = *rtp;
	if (rtcp) {
		leg->remote_rtcp = *rtcp;
		leg->rtcp_learnt = rtcp->len != 0;
	} else {
		derive_rtcp(leg);
		leg->rtcp_learnt = false;
	}
	leg->pin_rtp = strict && leg->remote_rtp.len;
	leg->pin_rtcp = strict && leg->remote_rtcp.len;
	leg->locked = leg->pin_rtp;
	leg->rtcp_locked = false;
	leg->learn_end_ns = 0;
}

void relay_session_set_strict(struct relay_session *rs, bool strict)
{
	rs->strict = strict;
	for (uint32_t i = 0; i < rs->n_streams; i++) {
		for (int j = 0; j < 2; j++) {
			struct relay_leg *leg = &rs->streams[i]->leg[j];

			leg->pin_rtp = strict && leg->remote_rtp.len;
			leg->pin_rtcp = strict && leg->remote_rtcp.len;
			if (leg->pin_rtp)
				leg->locked = true;
		}
	}
}

void relay_leg_set_srtp(struct relay_leg *leg, struct srtp_ctx *ctx)
{
	srtp_ctx_free(leg->srtp);
	leg->srtp = ctx;
}

static int drop(struct relay_counters *c, struct relay_fwd *fwd, enum drop_reason why)
{
	c->dropped++;
	fwd->drop = why;
	return 0;
}

static bool leg_sendrecv(const struct relay_leg *leg)
{
	return !leg->direction || leg->direction == DIR_SENDRECV;
}

bool relay_session_on_hold(const struct relay_session *rs)
{
	bool live = false;

	for (uint32_t i = 0; i < rs->n_streams; i++) {
		const struct relay_stream *st = rs->streams[i];

		if (st->removed)
			continue;
		if (leg_sendrecv(&st->leg[0]) && leg_sendrecv(&st->leg[1]))
			return false;
		live = true;
	}
	return live;
}

uint64_t relay_session_timeout_ns(const struct relay_session *rs)
{
	return relay_session_on_hold(rs) ? rs->hold_timeout_ns : rs->timeout_ns;
}

void relay_session_hold_check(struct relay_session *rs, bool was_on_hold, uint64_t now_ns)
{
	if (relay_session_on_hold(rs) == was_on_hold)
		return;
	rs->last_rtp_ns = now_ns;
	rs->timeout_sent = false;
}

bool relay_session_timed_out(const struct relay_session *rs, uint64_t now_ns)
{
	uint64_t t;

	if (rs->deleting || rs->timeout_sent)
		return false;
	t = relay_session_timeout_ns(rs);
	return t && relay_ns_since(now_ns, rs->last_rtp_ns) >= t;
}

static bool latchable(const struct relay_session *rs, const void *src, uint32_t srclen)
{
	return !rs->policy || media_policy_allows_source(rs->policy, src, srclen);
}

static void latch_rtp(struct relay_leg *leg, const void *src, uint32_t srclen)
{
	net_addr_from_sockaddr(&leg->remote_rtp, src, srclen);
	if (!leg->rtcp_learnt && !leg->pin_rtcp)
		derive_rtcp(leg);
}

/* The learning window is over (or SDP's own address spoke): RTCP learnt from another host than
 * the RTP source is forgotten, and may be learnt once more from the RTP source's host. */
static void lock(struct relay_leg *leg)
{
	leg->locked = true;
	leg->rtcp_locked = false;
	if (leg->rtcp_learnt && !leg->pin_rtcp &&
	    !net_addr_same_ip(&leg->remote_rtp, &leg->remote_rtcp.u, leg->remote_rtcp.len)) {
		leg->rtcp_learnt = false;
		derive_rtcp(leg);
	}
}

static bool from_sdp(const struct relay_leg *leg, const void *src, uint32_t srclen)
{
	return leg->sdp_rtp.len && net_addr_matches(&leg->sdp_rtp, src, srclen);
}

/* A packet from the remote while the leg is still learning: the first one opens the window. */
static COLD void learn_known(struct relay_leg *leg, const struct relay_session *rs, const void *src,
                             uint32_t srclen, uint64_t now)
{
	if (!leg->learn_end_ns)
		leg->learn_end_ns = now + rs->learn_ns;
	if (now >= leg->learn_end_ns || from_sdp(leg, src, srclen))
		lock(leg);
}

/* RTP from an address other than the remote's. */
static COLD bool rtp_stranger(struct relay_leg *leg, const struct relay_session *rs,
                              const void *src, uint32_t srclen, const uint8_t *p, uint64_t now)
{
	if (leg->pin_rtp)
		return false;
	if (rs->strict) {
		/* Strict without an SDP address: the first source is the one. */
		if (!latchable(rs, src, srclen))
			return false;
		latch_rtp(leg, src, srclen);
		leg->pin_rtp = leg->locked = true;
		return true;
	}
	if (!leg->locked) {
		bool sdp = from_sdp(leg, src, srclen);

		if (!leg->learn_end_ns)
			leg->learn_end_ns = now + rs->learn_ns;
		if (now < leg->learn_end_ns || sdp) {
			if (!latchable(rs, src, srclen))
				return false;
			latch_rtp(leg, src, srclen);
			if (sdp || now >= leg->learn_end_ns)
				lock(leg);
			return true;
		}
		lock(leg); /* the window closed while the remote was quiet */
	}
	/* Locked: only the same stream, back after a silence (a NAT that re-mapped it). */
	if (!rs->relearn_ns || !leg->stats.started || rtp_ssrc(p) != leg->stats.ssrc ||
	    relay_ns_since(now, leg->rx_rtp.last_ns) < rs->relearn_ns ||
	    !latchable(rs, src, srclen))
		return false;
	latch_rtp(leg, src, srclen);
	leg->rtcp_locked = false;
	if (!leg->pin_rtcp) {
		leg->rtcp_learnt = false;
		derive_rtcp(leg);
	}
	return true;
}

/* RTCP from an address other than the remote's: learnt freely while RTP is learning, once and
 * from the RTP remote's host only when it is locked. */
static COLD bool rtcp_stranger(struct relay_leg *leg, const struct relay_session *rs,
                               const void *src, uint32_t srclen)
{
	bool locked = !rs->strict && leg->locked;

	/* Cheapest refusals first: a flood of strangers on a locked leg costs two compares. */
	if (leg->pin_rtcp ||
	    (locked && (leg->rtcp_locked || !net_addr_same_ip(&leg->remote_rtp, src, srclen))) ||
	    !latchable(rs, src, srclen))
		return false;
	if (rs->strict)
		leg->pin_rtcp = true;
	else if (locked)
		leg->rtcp_locked = true;
	net_addr_from_sockaddr(&leg->remote_rtcp, src, srclen);
	leg->rtcp_learnt = true;
	return true;
}

/* Accepts src as the leg's remote for this kind of packet, or refuses a stranger (relay.h says
 * how). The common case, a packet from the latched remote of a locked leg, is one compare. */
static inline bool check_source(struct relay_leg *leg, const struct relay_session *rs, bool rtcp,
                                const void *src, uint32_t srclen, const uint8_t *p, uint64_t now)
{
	if (rtcp) {
		if (__builtin_expect(net_addr_matches(&leg->remote_rtcp, src, srclen), 1))
			return true;
		return rtcp_stranger(leg, rs, src, srclen);
	}
	if (__builtin_expect(net_addr_matches(&leg->remote_rtp, src, srclen), 1)) {
		if (__builtin_expect(!leg->locked, 0))
			learn_known(leg, rs, src, srclen, now);
		return true;
	}
	return rtp_stranger(leg, rs, src, srclen, p, now);
}

/* SRTP from an SRTP leg: authenticated (and replay-checked) before its source may latch or its
 * header be trusted; decrypted in place. Out of line: the plain path pays only the test. */
static __attribute__((noinline)) bool srtp_in(struct relay_leg *leg, bool rtcp, uint8_t *p,
                                              uint32_t *len)
{
	return srtp_ctx_unprotect(leg->srtp, rtcp, p, len) == 0;
}

static __attribute__((noinline)) bool srtp_out(struct relay_leg *other, bool rtcp, uint8_t *p,
                                               uint32_t *len, uint32_t cap)
{
	return srtp_ctx_protect(other->srtp, rtcp, p, len, cap) == 0;
}

int relay_packet(struct relay_sock *sock, uint8_t *p, uint32_t len, uint32_t cap, bool truncated,
                 const void *src, uint32_t srclen, uint64_t now_ns, struct relay_fwd *fwd)
{
	uint32_t wire_len = len;
	struct relay_stream *st = sock->stream;
	struct relay_session *rs = st->session;
	struct relay_leg *leg = &st->leg[sock->leg], *other = &st->leg[!sock->leg];
	enum rtp_class cls = truncated ? RTP_CLASS_BAD : rtp_classify(p, len);
	bool rtcp = cls == RTP_CLASS_RTCP;
	/* Refused: RTP on an RTCP port, or RTCP on an RTP port that did not negotiate mux. */
	bool allowed = sock->rtcp_port ? rtcp : (!rtcp || leg->mux);
	struct relay_counters *c =
	    (sock->rtcp_port || (rtcp && allowed)) ? &leg->rx_rtcp : &leg->rx_rtp;

	if (cls == RTP_CLASS_BAD || !allowed) {
		c->malformed++;
		return drop(c, fwd, truncated ? DROP_TRUNCATED : DROP_MALFORMED);
	}
	if (st->removed)
		return drop(c, fwd, DROP_CLOSING);
	if (__builtin_expect(leg->srtp != NULL, 0) && !srtp_in(leg, rtcp, p, &len)) {
		c->srtp_failed++;
		return drop(c, fwd, DROP_SRTP_FAILED);
	}
	/* A stranger on a fast-path leg whose remote seems silent long enough to be replaced:
	 * the kernel may have forwarded the remote's packets since the last read. */
	if (__builtin_expect(st->fast.dir[sock->leg].on, 0) && !rtcp &&
	    !net_addr_matches(&leg->remote_rtp, src, srclen) &&
	    relay_ns_since(now_ns, leg->rx_rtp.last_ns) >= rs->relearn_ns)
		fastpath_leg_sync(st, sock->leg);
	if (!check_source(leg, rs, rtcp, src, srclen, p, now_ns)) {
		c->strange_source++;
		return drop(c, fwd, DROP_STRANGE_SOURCE);
	}
	/* On the fast path, the relay sees only what the kernel passed up: a remote that moved
	 * here (relearning) must move the kernel's entries before the next packet. */
	if (__builtin_expect(st->fast.dir[0].on || st->fast.dir[1].on, 0))
		fastpath_stream_check(st);
	c->packets++;
	c->bytes += wire_len;
	c->last_ns = now_ns;
	if (rtcp) {
		/* RTCP flows whatever the direction (RFC 3264 section 5.1). */
		fwd->out = other->mux ? &other->rtp : &other->rtcp;
		fwd->to = &other->remote_rtcp;
	} else {
		rs->last_rtp_ns = now_ns;
		rs->timeout_sent = false;
		rtp_stats_update(&leg->stats, rtp_seq(p), rtp_timestamp(p), rtp_ssrc(p),
		                 rtp_stats_units(now_ns, st->clock_rate));
		if (__builtin_expect(st->apps != NULL, 0)) {
			enum drop_reason why = DROP_DIRECTION;
			int to = relay_apps_rtp(st, sock->leg, p, len, now_ns, &why);

			if (to < 0)
				return drop(c, fwd, why);
			other = &st->leg[to];
			fwd->out = &other->rtp;
			fwd->to = &other->remote_rtp;
			goto out;
		}
		/* A leg that said recvonly/inactive should not send; one that said
		 * sendonly/inactive does not want to receive. */
		if (leg->direction == DIR_RECVONLY || leg->direction == DIR_INACTIVE ||
		    other->direction == DIR_SENDONLY || other->direction == DIR_INACTIVE)
			return drop(c, fwd, DROP_DIRECTION);
		fwd->out = &other->rtp;
		fwd->to = &other->remote_rtp;
	}
out:
	if (!fwd->to->len)
		return drop(c, fwd, DROP_NO_REMOTE);
	if (__builtin_expect(other->srtp != NULL, 0) && !srtp_out(other, rtcp, p, &len, cap)) {
		c->srtp_failed++;
		return drop(c, fwd, DROP_SRTP_FAILED);
	}
	fwd->len = len;
	c->forwarded++;
	return 1;
}

static void traffic(const struct relay_counters *c, uint64_t now_ns, struct traffic_snapshot *t)
{
	t->packets = c->packets;
	t->bytes = c->bytes;
	t->forwarded = c->forwarded;
	t->dropped = c->dropped;
	t->strange_source = c->strange_source;
	t->malformed = c->malformed;
	t->srtp_failed = c->srtp_failed;
	t->last_age_ms = 0;
	if (c->last_ns) /* at least 1 so that "seen just now" differs from "never" */
		t->last_age_ms = now_ns > c->last_ns ? (now_ns - c->last_ns) / 1000000u + 1 : 1;
	t->lost = 0;
	t->jitter_ms = 0;
}

static void leg_snapshot(const struct relay_leg *leg, uint32_t rate, uint64_t now_ns,
                         struct leg_snapshot *out)
{
	out->rtp_port = leg->rtp.port;
	out->rtcp_port = leg->mux ? leg->rtp.port : leg->rtcp.port;
	out->rtcp_mux = leg->mux;
	out->direction = leg->direction;
	out->srtp = (uint8_t)srtp_ctx_suite(leg->srtp);
	out->remote_rtp = leg->remote_rtp;
	out->remote_rtcp = leg->remote_rtcp;
	traffic(&leg->rx_rtp, now_ns, &out->rtp);
	traffic(&leg->rx_rtcp, now_ns, &out->rtcp);
	out->rtp.lost = rtp_stats_lost(&leg->stats);
	out->rtp.jitter_ms = rtp_stats_jitter_ms(&leg->stats, rate);
}

void relay_session_snapshot(const struct relay_session *rs, uint64_t now_ns,
                            struct session_snapshot *out)
{
	out->n_streams = rs->n_streams;
	out->rtp_idle_ms = now_ns > rs->last_rtp_ns ? (now_ns - rs->last_rtp_ns) / 1000000u : 0;
	for (uint32_t i = 0; i < rs->n_streams; i++) {
		const struct relay_stream *st = rs->streams[i];
		struct stream_snapshot *s = &out->streams[i];

		s->kind = st->kind;
		s->removed = st->removed;
		s->clock_rate = st->clock_rate;
		for (int j = 0; j < 2; j++)
			leg_snapshot(&st->leg[j], st->clock_rate, now_ns, &s->leg[j]);
	}
}
