/* The relay's objects and its packet decision. A relay_session is built by the control thread
 * (relay_stream_new, relay_leg_set_remote) and then handed whole to one worker, which alone reads
 * and writes it from then on; no field is shared between threads.
 *
 *   relay_session  owns  relay_stream[i]  (one per m-line, pointers, never moved)
 *   relay_stream   owns  relay_leg[2]     (A and B, embedded)
 *   relay_leg      owns  relay_sock rtp, rtcp (embedded; the fds until the worker closes them)
 *   relay_sock  -> relay_stream           (back pointer, so a CQE's socket finds its stream)
 *   relay_stream -> relay_session         (back pointer)
 *
 * relay_packet() is the whole per-packet logic: classify, check the source (latching, strict
 * source), count, apply direction, and name the socket and address to forward from and to. It
 * allocates nothing, takes no lock and makes no system call. */
#ifndef MEDIAD_RELAY_H
#define MEDIAD_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "drop_reason.h"
#include "fastpath_state.h"
#include "net_addr.h"
#include "port_pool.h"
#include "rtp_stats.h"
#include "session_snapshot.h"

/* now - then, 0 when then is later: the kernel fast path stamps packets (fp_entry.last_ns) after
 * the relay thread took its `now`, so a time folded in from it may lie ahead of that now. */
static inline uint64_t relay_ns_since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

struct relay_stream;
struct srtp_ctx;
struct stream_apps;
struct wmsg;

struct relay_counters {
	uint64_t packets, bytes, forwarded, dropped, strange_source, malformed, srtp_failed;
	uint64_t last_ns; /* monotonic time of the last accepted packet, 0 = none */
};

struct relay_sock {
	int fd;                      /* owned; -1 once closed or for the RTCP sock of a mux leg */
	uint32_t slot;               /* the worker's ring slot while registered */
	uint16_t port;               /* local port */
	uint8_t leg;                 /* 0 = A, 1 = B */
	bool rtcp_port;              /* the dedicated RTCP port of a non-mux leg */
	bool in_loop;                /* registered with the worker's ring */
	struct relay_stream *stream; /* back pointer */
};

/* Latching (relay.c): a leg's remote starts as SDP says (or unknown). While the leg is
 * learning, any source is accepted and becomes the remote (the newest wins: a phone behind a
 * NAT sends from an address its SDP does not know); a packet from the SDP address itself, or the
 * end of the learning window (the session's learn_ns after the leg's first packet), locks it.
 * A locked leg drops and counts strangers; it moves only after being silent for relearn_ns, and
 * only to a source whose RTP continues the SSRC it had. RTCP follows: while RTP is locked, an
 * RTCP source is learnt once, and only from the RTP remote's IP address. A new remote from SDP
 * (create, or an update that changes it) starts learning again. Strict source pins instead:
 * SDP's address, or the first source when SDP gave none, never moves. */
struct relay_leg {
	struct relay_sock rtp, rtcp;
	struct net_addr remote_rtp, remote_rtcp; /* len 0: not known yet */
	struct net_addr sdp_rtp;                 /* what SDP said; len 0: nothing */
	bool pin_rtp, pin_rtcp; /* strict source: packets from elsewhere are dropped */
	bool rtcp_learnt;       /* remote_rtcp was given or seen, not derived from remote_rtp */
	bool locked;            /* remote_rtp is latched for good (see above) */
	bool rtcp_locked;       /* remote_rtcp learnt while locked: no further RTCP learning */
	uint64_t learn_end_ns;  /* end of the learning window; 0 = not started (no packet yet) */
	bool mux;
	uint8_t direction;                     /* enum media_direction, as this leg's SDP says */
	struct relay_counters rx_rtp, rx_rtcp; /* what this leg's remote sent us */
	struct rtp_stats stats;
	/* Owned; NULL: the leg speaks plain RTP. Otherwise what the remote sends is
	 * authenticated and decrypted before anything else looks at it, and what is forwarded to
	 * the remote is encrypted last. */
	struct srtp_ctx *srtp;
	uint8_t te_pt;    /* RFC 4733 telephone-event payload type; 0 = none */
	uint8_t codec_pt; /* the negotiated audio payload type */
	uint8_t law;      /* enum g711_law of the codec; G711_NONE: not G.711 */
};

struct relay_stream {
	struct relay_session *session; /* back pointer */
	uint32_t index;
	uint8_t kind; /* enum media_kind */
	uint32_t clock_rate;
	bool removed;        /* closing or closed: forwards nothing */
	unsigned open_socks; /* sockets the worker has not finished closing */
	struct relay_leg leg[2];
	struct fastpath_stream fast; /* what the kernel forwards of it (fastpath.h) */
	struct stream_apps *apps;    /* owned; NULL: no media application (relay_apps.h) */
};

/* What a stream's applications report to the owner of the session (relay_apps.c). */
enum relay_event_kind {
	RELAY_EV_DTMF,      /* a digit received */
	RELAY_EV_PLAY_DONE, /* a prompt ended */
};

struct relay_event {
	enum relay_event_kind kind;
	uint32_t stream;
	uint8_t leg;
	char digit;
	uint32_t duration_ms;
	uint64_t play_id, played_ms;
	const char *reason; /* static text */
};

struct media_policy;

struct relay_session {
	uint32_t key; /* the control thread's name for it */
	bool strict;
	uint64_t learn_ns;   /* learning window of a leg (0: the first source locks at once) */
	uint64_t relearn_ns; /* silence before a locked leg may move; 0 = never */
	/* Where media may not go; sources it refuses are never latched. Read-only, shared by
	 * every thread (the node's configuration); NULL = no policy. */
	const struct media_policy *policy;
	bool deleting;
	bool timeout_sent;                   /* RtpTimeout raised for the current idle period */
	uint64_t timeout_ns;                 /* 0 = never */
	uint64_t hold_timeout_ns;            /* instead of timeout_ns while on hold; 0 = never */
	uint64_t last_rtp_ns;                /* last accepted RTP on any stream, or creation */
	unsigned closing;                    /* sockets of this session still closing */
	struct wmsg *waiting, *waiting_last; /* replies held until closing reaches 0 */
	uint32_t n_streams;
	struct relay_stream *streams[SESSION_MAX_STREAMS];
	/* Set by the owning worker: events of the media applications (cold path). NULL: none. */
	void (*on_event)(void *arg, struct relay_session *rs, const struct relay_event *ev);
	void *event_arg;
};

/* What one leg's SDP says of one stream. */
struct relay_leg_spec {
	bool mux;
	uint8_t direction;    /* enum media_direction; 0 = sendrecv */
	struct net_addr rtp;  /* len 0: unknown */
	struct net_addr rtcp; /* len 0: derived from rtp */
	bool rtcp_given;
	struct srtp_ctx *srtp; /* NULL: plain; relay_stream_new() takes it */
	uint8_t te_pt;         /* telephone-event payload type, 0 = none */
	uint8_t codec_pt;
	uint8_t law; /* enum g711_law */
};

/* --- control thread, before the session is handed to a worker ---------------------------- */

/* A stream on two leases (leg A, leg B); takes the leases' fds and the specs' SRTP contexts.
 * Returns NULL on ENOMEM, in which case the fds and contexts are still the caller's. */
struct relay_stream *relay_stream_new(uint32_t index, uint8_t kind, uint32_t clock_rate,
                                      const struct port_lease lease[2],
                                      const struct relay_leg_spec spec[2], bool strict);
/* Frees a stream whose sockets are closed (or never opened: closes them), and its SRTP. */
void relay_stream_free(struct relay_stream *st);
/* Frees a session and its streams (worker, after the last socket closed; or control on a
 * failed create). */
void relay_session_free(struct relay_session *rs);

/* --- the owning worker ------------------------------------------------------------------- */

/* Sets a leg's remote from SDP: rtp (len 0 = forget), rtcp when given, else derived (rtp, or
 * rtp port + 1 without mux). Strict sessions pin what SDP gave. A remote other than SDP's
 * previous one starts learning again (relay_leg above). */
void relay_leg_set_remote(struct relay_leg *leg, const struct net_addr *rtp,
                          const struct net_addr *rtcp, bool strict);
/* Re-pins every known remote after the session's strict flag changed. Turning it off keeps
 * the legs locked where they are. */
void relay_session_set_strict(struct relay_session *rs, bool strict);
/* Every live stream of the session is on hold: on none of them are both legs sendrecv, so
 * no phone is expected to send (the holder may, most do not). False with no live stream. */
bool relay_session_on_hold(const struct relay_session *rs);
/* The timeout that applies now: hold_timeout_ns while on hold, timeout_ns otherwise (0 = none). */
uint64_t relay_session_timeout_ns(const struct relay_session *rs);
/* After an update: when the hold state differs from was_on_hold, a new idle period starts at
 * now_ns (the phones stop or start sending now, not when RTP last came). */
void relay_session_hold_check(struct relay_session *rs, bool was_on_hold, uint64_t now_ns);
/* The session has been without RTP for its applicable timeout and has not said so yet. */
bool relay_session_timed_out(const struct relay_session *rs, uint64_t now_ns);

struct relay_fwd {
	const struct relay_sock *out; /* send from this socket */
	const struct net_addr *to;    /* to this address */
	enum drop_reason drop;        /* why, when relay_packet() returned 0 */
	uint32_t len;                 /* what to send from p: len, or as SRTP changed it */
};

/* Replaces a leg's SRTP context with ctx (taken; NULL: plain from now on) and frees the old. */
void relay_leg_set_srtp(struct relay_leg *leg, struct srtp_ctx *ctx);

/* One datagram of len octets at p, in a buffer of cap octets from p, received on sock from src:
 * counts it and returns 1 with *fwd filled when it is to be forwarded, 0 when dropped.
 * truncated: the kernel cut it (larger than our buffers). SRTP legs rewrite the packet in
 * place (decrypted from one leg, encrypted for the other): send fwd->len octets from p. */
int relay_packet(struct relay_sock *sock, uint8_t *p, uint32_t len, uint32_t cap, bool truncated,
                 const void *src, uint32_t srclen, uint64_t now_ns, struct relay_fwd *fwd);

/* Fills out with the session's current state. */
void relay_session_snapshot(const struct relay_session *rs, uint64_t now_ns,
                            struct session_snapshot *out);

#endif
