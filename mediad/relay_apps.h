/* Media applications on a stream, run by the worker that owns it: RFC 4733 digit detection,
 * echo, prompts played into a leg, digits sent to a leg, and the tap a recording reads from.
 *
 * A stream has a stream_apps (relay_stream.apps) only once one of these is wanted: at creation
 * when a leg negotiated telephone-events, or when the control thread asks for an application.
 * Without it the packet path pays one pointer test. Everything here belongs to the worker that
 * owns the stream; events leave through the session's on_event callback (relay.h).
 *
 * Continuity: what goes to a leg is one RTP stream. A prompt or a digit uses the SSRC the leg
 * is receiving (or one of its own if nothing was relayed to it yet) and continues its sequence
 * numbers and timestamps; relayed packets after it are renumbered by an offset so the sequence
 * stays continuous, with the marker bit on the first packet after a prompt. */
#ifndef MEDIAD_RELAY_APPS_H
#define MEDIAD_RELAY_APPS_H

#include <stdbool.h>
#include <stdint.h>

#include "drop_reason.h"
#include "g711.h"
#include "rfc4733.h"

struct recording;
struct relay_stream;

#define APP_FRAME_NS      20000000ull /* 20 ms per generated packet */
#define APP_FRAME_SAMPLES 160         /* at 8 kHz */

/* A prompt encoded for one leg: 8 kHz G.711 octets. Built by the control thread, owned by the
 * worker once posted (free()). */
struct prompt {
	uint8_t pt;       /* payload type to send it with */
	uint8_t silence;  /* the law's code for zero, to pad the last packet */
	uint32_t n;       /* octets (= samples) */
	uint64_t play_id; /* the client's, echoed in PlaybackDone */
	uint32_t loops;   /* passes, at least 1 */
	uint8_t data[];
};

/* What is sent to a leg, for continuity (see above). */
struct app_tx {
	bool relay_known; /* a relayed packet was sent to the leg */
	uint32_t relay_ssrc;
	uint16_t seq_off; /* added to relayed sequence numbers */
	uint32_t ts_off;  /* added to relayed timestamps */
	bool resync;      /* the next relayed packet recomputes seq_off */
	bool ts_resync;   /* and ts_off (after a prompt) */
	bool mark_next;   /* and carries the marker bit */
	bool sent;        /* out_* are valid */
	uint32_t out_ssrc;
	uint16_t out_seq;
	uint32_t out_ts;
	uint64_t out_ns;
	uint32_t own_ssrc; /* for generated packets before anything was relayed */
};

struct app_player {
	struct prompt *prompt; /* owned */
	uint32_t pos, pass;
	uint64_t sent; /* packets */
	bool started;  /* the first packet (marker) went */
};

struct app_sender {
	char digits[33];
	uint8_t n, idx;
	uint16_t dur; /* per digit, timestamp units */
	uint16_t at;  /* duration of the current digit so far */
	uint32_t ts;  /* the current digit's timestamp */
	bool in_digit;
	uint8_t gap; /* frames of silence left before the next digit */
};

struct app_leg {
	struct relay_stream *st; /* back pointer */
	uint8_t idx;             /* 0 = A, 1 = B */
	bool echo;
	struct dtmf_detect det;
	struct app_tx tx;
	struct app_player *play;     /* owned; NULL: no prompt */
	struct app_sender *send;     /* owned; NULL: no digits to send */
	uint64_t next_ns;            /* next generated frame */
	struct app_leg *prev, *next; /* on the worker's schedule while generating */
	bool scheduled;
};

struct stream_apps {
	struct app_leg leg[2];
	struct recording *rec; /* the writer's; NULL: not recorded (rec_writer.h) */
};

/* The worker's legs that generate packets, in no order. */
struct app_sched {
	struct app_leg *head;
	unsigned n;
	/* When the earliest frame is due: relay_apps_run() sets it, scheduling a leg lowers it, so
	 * the worker's loop looks at the legs only when one is due. */
	uint64_t next_ns;
	struct recording *stops; /* STOPs the recording ring had no room for yet */
};

/* The stream's apps, created on first use. NULL on ENOMEM. */
struct stream_apps *relay_apps_get(struct relay_stream *st);
/* Ends what runs on the stream (PlaybackDone with reason; a recording stops) and frees it. */
void relay_apps_free(struct relay_stream *st, struct app_sched *sched, const char *reason);

/* --- packet path ------------------------------------------------------------------------- */

/* RTP accepted from leg `from` on a stream with apps: digits, recording, echo, a prompt
 * playing on the other leg, continuity. Returns the leg to send it to (rewritten in place),
 * or -1 with *why when it goes nowhere. */
int relay_apps_rtp(struct relay_stream *st, uint8_t from, uint8_t *p, uint32_t len, uint64_t now_ns,
                   enum drop_reason *why);

/* --- worker, from messages and timers ---------------------------------------------------- */

void relay_apps_set_echo(struct relay_stream *st, uint8_t leg, bool on);
/* True while the stream's apps act on or make packets (echo, a prompt, digits being sent, a
 * recording, relayed packets renumbered after a prompt): every packet must then pass the relay
 * thread. Digit detection alone does not count: the kernel fast path hands a leg's
 * telephone-events up to the socket. */
bool relay_apps_busy(const struct stream_apps *a);
/* Starts prompt (taken) on leg, replacing one that plays ("replaced"). -ENOMEM: not taken. */
int relay_apps_play(struct relay_stream *st, struct app_sched *sched, uint8_t leg,
                    struct prompt *prompt, uint64_t now_ns);
/* Stops leg's prompt (PlaybackDone "stopped"); false if none played. */
bool relay_apps_stop_play(struct relay_stream *st, struct app_sched *sched, uint8_t leg);
/* Queues digits (0-9*#A-D, at most 32) to send on leg as telephone-events, duration_ms each. */
int relay_apps_send_dtmf(struct relay_stream *st, struct app_sched *sched, uint8_t leg,
                         const char *digits, uint32_t duration_ms, uint64_t now_ns);
/* A frame is due on some leg. */
static inline bool relay_apps_due(const struct app_sched *sched, uint64_t now_ns)
{
	return sched->head && now_ns >= sched->next_ns;
}
/* Sends what is due on every scheduled leg. Returns the ns until the next frame is due
 * (UINT64_MAX: nothing scheduled). */
uint64_t relay_apps_run(struct app_sched *sched, uint64_t now_ns);
/* Starts recording the stream (rec taken by the writer): -EBUSY (one is running), -ENOBUFS
 * (the ring is full). */
int relay_apps_record(struct relay_stream *st, struct recording *rec, uint64_t now_ns);
/* Stops the stream's recording; false if there was none. */
bool relay_apps_stop_record(struct relay_stream *st, struct app_sched *sched, uint64_t now_ns);
/* Retries the STOPs that found the ring full. */
void relay_apps_retry_stops(struct app_sched *sched);
/* The 1 s guard of digits that never ended. */
void relay_apps_tick(struct relay_stream *st, uint64_t now_ns);

#endif
