/* Media applications on the worker (relay_apps.h). Generated packets are few (50 per second per
 * prompt or digit sender) and paced by the worker's loop; they are sent with sendto() from the
 * leg's own socket, outside the io_uring batch the relayed packets use. */
#include "relay_apps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "rec_writer.h"
#include "relay.h"
#include "rtp_check.h"
#include "srtp_ctx.h"

#define MAX_CATCH_UP 5 /* frames sent at once when the loop woke late */
#define DTMF_GAP     2 /* frames of pause between two sent digits */
#define DTMF_ENDS    3 /* end packets per digit (RFC 4733 section 2.5.1.4) */
#define GEN_BUF      512

/* Apps created on a stream that already relayed: what leg `to` has been receiving is what the
 * other leg sent (forwarded unchanged until now), so its receive statistics say where the
 * stream to `to` stands. */
static void tx_from_stats(struct app_tx *tx, const struct relay_leg *from, uint32_t rate)
{
	if (!from->stats.started || !from->rx_rtp.last_ns)
		return;
	tx->relay_known = tx->sent = true;
	tx->relay_ssrc = tx->out_ssrc = from->stats.ssrc;
	tx->out_seq = from->stats.max_seq;
	tx->out_ts = rtp_stats_units(from->rx_rtp.last_ns, rate) - from->stats.transit;
	tx->out_ns = from->rx_rtp.last_ns;
}

struct stream_apps *relay_apps_get(struct relay_stream *st)
{
	if (st->apps)
		return st->apps;
	st->apps = calloc(1, sizeof(*st->apps));
	if (!st->apps)
		return NULL;
	for (uint8_t i = 0; i < 2; i++) {
		st->apps->leg[i].st = st;
		st->apps->leg[i].idx = i;
		/* Not secret, only distinct: a stream of our own before anything was relayed. */
		st->apps->leg[i].tx.own_ssrc =
		    (uint32_t)(((uintptr_t)st >> 4) * 2654435761u) ^ (i ? 0x5a5a5a5au : 0x1234567u);
		tx_from_stats(&st->apps->leg[i].tx, &st->leg[!i],
		              st->clock_rate ? st->clock_rate : 8000);
	}
	return st->apps;
}

static void emit(struct relay_stream *st, const struct relay_event *ev)
{
	struct relay_session *rs = st->session;

	if (rs && rs->on_event)
		rs->on_event(rs->event_arg, rs, ev);
}

static void unschedule(struct app_sched *sched, struct app_leg *al)
{
	if (!al->scheduled || !sched)
		return;
	if (al->prev)
		al->prev->next = al->next;
	else
		sched->head = al->next;
	if (al->next)
		al->next->prev = al->prev;
	al->prev = al->next = NULL;
	al->scheduled = false;
	sched->n--;
}

static void schedule(struct app_sched *sched, struct app_leg *al, uint64_t now_ns)
{
	if (al->scheduled)
		return;
	al->next_ns = now_ns;
	al->prev = NULL;
	al->next = sched->head;
	if (sched->head)
		sched->head->prev = al;
	sched->head = al;
	al->scheduled = true;
	sched->n++;
	if (now_ns < sched->next_ns)
		sched->next_ns = now_ns;
}

/* Ends the leg's prompt with reason; the relayed stream resumes renumbered. */
static void end_play(struct app_leg *al, const char *reason)
{
	struct app_player *pl = al->play;
	struct relay_event ev = {
	    .kind = RELAY_EV_PLAY_DONE, .stream = al->st->index, .leg = al->idx, .reason = reason};

	if (!pl)
		return;
	ev.play_id = pl->prompt->play_id;
	ev.played_ms = pl->sent * (APP_FRAME_NS / 1000000u);
	al->play = NULL;
	free(pl->prompt);
	free(pl);
	al->tx.resync = al->tx.ts_resync = al->tx.mark_next = true;
	emit(al->st, &ev);
}

static void maybe_unschedule(struct app_sched *sched, struct app_leg *al)
{
	if (!al->play && !al->send)
		unschedule(sched, al);
}

static void stop_rec(struct app_sched *sched, struct recording *rec, uint64_t now_ns)
{
	if (rec_tap_stop(rec, now_ns) || !sched)
		return;
	rec->stop_ns = now_ns;
	rec->stop_next = sched->stops;
	sched->stops = rec;
}

void relay_apps_retry_stops(struct app_sched *sched)
{
	while (sched->stops && rec_tap_stop(sched->stops, sched->stops->stop_ns))
		sched->stops = sched->stops->stop_next;
}

int relay_apps_record(struct relay_stream *st, struct recording *rec, uint64_t now_ns)
{
	struct stream_apps *a = relay_apps_get(st);

	if (!a)
		return -ENOMEM;
	if (a->rec)
		return -EBUSY;
	if (!rec_tap_start(rec, now_ns))
		return -ENOBUFS;
	a->rec = rec;
	return 0;
}

bool relay_apps_stop_record(struct relay_stream *st, struct app_sched *sched, uint64_t now_ns)
{
	struct stream_apps *a = st->apps;

	if (!a || !a->rec)
		return false;
	stop_rec(sched, a->rec, now_ns);
	a->rec = NULL;
	return true;
}

void relay_apps_free(struct relay_stream *st, struct app_sched *sched, const char *reason)
{
	struct stream_apps *a = st->apps;

	if (!a)
		return;
	if (a->rec) {
		stop_rec(sched, a->rec, clock_mono_ns());
		a->rec = NULL;
	}
	for (int i = 0; i < 2; i++) {
		struct app_leg *al = &a->leg[i];

		if (al->play) {
			if (reason)
				end_play(al, reason);
			else {
				free(al->play->prompt);
				free(al->play);
			}
		}
		free(al->send);
		al->send = NULL;
		unschedule(sched, al);
	}
	free(a);
	st->apps = NULL;
}

/* --- packet path ------------------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The payload of a well-formed RTP packet (rtp_classify checked that the lengths fit). */
static const uint8_t *rtp_payload(const uint8_t *p, uint32_t len, uint32_t *plen)
{
	uint32_t off = RTP_HEADER_MIN + 4u * (p[0] & 0x0f), end = len;

	if (p[0] & 0x10)
		off += 4 + 4u * (uint32_t)(p[off + 2] << 8 | p[off + 3]);
	if ((p[0] & 0x20) && len > off)
		end -= p[len - 1];
	*plen = end > off ? end - off : 0;
	return p + off;
}

static void detect(struct relay_stream *st, uint8_t from, const uint8_t *p, uint32_t len,
                   uint64_t now_ns)
{
	struct dtmf_digit d[2];
	uint32_t plen;
	const uint8_t *pl = rtp_payload(p, len, &plen);
	int n = dtmf_detect_packet(&st->apps->leg[from].det, rtp_timestamp(p), pl, plen, now_ns, d);

	for (int i = 0; i < n; i++) {
		struct relay_event ev = {.kind = RELAY_EV_DTMF,
		                         .stream = st->index,
		                         .leg = from,
		                         .digit = d[i].digit,
		                         .duration_ms =
		                             (uint32_t)((uint64_t)d[i].duration * 1000u /
		                                        (st->clock_rate ? st->clock_rate : 8000))};

		emit(st, &ev);
	}
}

/* Timestamp units of the time since the leg was last sent something, in whole frames (at
 * least one): where a stream that paused resumes. */
static uint32_t ts_gap(const struct app_tx *tx, uint64_t now_ns)
{
	uint64_t frames = (now_ns - tx->out_ns + APP_FRAME_NS / 2) / APP_FRAME_NS;

	return (uint32_t)(frames ? frames : 1) * APP_FRAME_SAMPLES;
}

/* A relayed packet to a leg: renumbered after generated packets, remembered for the next. */
static void tx_relayed(struct app_tx *tx, uint8_t *p, uint64_t now_ns)
{
	uint32_t ssrc = rtp_ssrc(p);
	uint16_t seq = rtp_seq(p);
	uint32_t ts = rtp_timestamp(p);

	if (!tx->relay_known || ssrc != tx->relay_ssrc) {
		/* A new relayed stream is its own sequence space. */
		tx->relay_known = true;
		tx->relay_ssrc = ssrc;
		tx->seq_off = 0;
		tx->ts_off = 0;
		tx->resync = tx->ts_resync = false;
		if (tx->sent && tx->out_ssrc == ssrc) {
			/* Generated packets went out with this SSRC before: continue after them. */
			tx->resync = tx->ts_resync = true;
		}
	}
	if (tx->resync && tx->sent && tx->out_ssrc == ssrc) {
		tx->seq_off = (uint16_t)(tx->out_seq + 1u - seq);
		if (tx->ts_resync)
			tx->ts_off = tx->out_ts + ts_gap(tx, now_ns) - ts;
	}
	tx->resync = tx->ts_resync = false;
	if (tx->seq_off || tx->ts_off) {
		seq = (uint16_t)(seq + tx->seq_off);
		ts += tx->ts_off;
		put16(p + 2, seq);
		put32(p + 4, ts);
	}
	if (tx->mark_next) {
		p[1] |= 0x80;
		tx->mark_next = false;
	}
	tx->sent = true;
	tx->out_ssrc = ssrc;
	tx->out_seq = seq;
	tx->out_ts = ts;
	tx->out_ns = now_ns;
}

static bool sends(uint8_t dir)
{
	return dir != DIR_RECVONLY && dir != DIR_INACTIVE;
}

static bool receives(uint8_t dir)
{
	return dir != DIR_SENDONLY && dir != DIR_INACTIVE;
}

int relay_apps_rtp(struct relay_stream *st, uint8_t from, uint8_t *p, uint32_t len, uint64_t now_ns,
                   enum drop_reason *why)
{
	struct stream_apps *a = st->apps;
	const struct relay_leg *leg = &st->leg[from];
	uint8_t to = (uint8_t)!from;

	if (leg->te_pt && (p[1] & 0x7f) == leg->te_pt)
		detect(st, from, p, len, now_ns);
	if (a->rec)
		rec_tap_rtp(a->rec, from, p, len, now_ns);
	if (a->leg[from].echo) {
		to = from;
	} else {
		/* Directions as relay_packet() applies them; a leg hearing a prompt or its own
		 * echo hears nothing else. */
		if (!sends(leg->direction) || !receives(st->leg[to].direction) || a->leg[to].play ||
		    a->leg[to].echo) {
			*why = DROP_DIRECTION;
			return -1;
		}
	}
	tx_relayed(&a->leg[to].tx, p, now_ns);
	return to;
}

/* --- generated packets ------------------------------------------------------------------- */

/* The header of the next generated packet to al's leg: SSRC and sequence continue what it
 * receives. */
static uint32_t gen_header(struct app_leg *al, uint8_t *buf, uint8_t pt, bool marker, uint32_t ts)
{
	struct app_tx *tx = &al->tx;
	uint32_t ssrc = tx->relay_known ? tx->relay_ssrc : tx->own_ssrc;
	uint16_t seq =
	    tx->sent && tx->out_ssrc == ssrc ? (uint16_t)(tx->out_seq + 1u) : (uint16_t)(ssrc >> 3);

	buf[0] = 0x80;
	buf[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	put16(buf + 2, seq);
	put32(buf + 4, ts);
	put32(buf + 8, ssrc);
	tx->sent = true;
	tx->out_ssrc = ssrc;
	tx->out_seq = seq;
	tx->resync = true; /* relayed packets continue after this one */
	return RTP_HEADER_MIN;
}

/* The timestamp the next generated stretch starts at: where the leg's stream is now. */
static uint32_t gen_start_ts(struct app_leg *al, uint64_t now_ns)
{
	struct app_tx *tx = &al->tx;
	uint32_t ssrc = tx->relay_known ? tx->relay_ssrc : tx->own_ssrc;

	if (tx->sent && tx->out_ssrc == ssrc)
		return tx->out_ts + ts_gap(tx, now_ns);
	return ssrc * 7u;
}

static void gen_send(struct app_leg *al, uint8_t *buf, uint32_t len)
{
	struct relay_leg *leg = &al->st->leg[al->idx];

	if (leg->rtp.fd < 0 || !leg->remote_rtp.len)
		return;
	if (leg->srtp && srtp_ctx_protect(leg->srtp, false, buf, &len, GEN_BUF))
		return;
	sendto(leg->rtp.fd, buf, len, MSG_DONTWAIT, &leg->remote_rtp.u.sa, leg->remote_rtp.len);
}

/* One frame of the prompt; false once it has ended. */
static bool play_frame(struct app_leg *al, uint64_t now_ns)
{
	struct app_player *pl = al->play;
	struct prompt *pr = pl->prompt;
	uint8_t buf[GEN_BUF];
	uint32_t ts = pl->started ? al->tx.out_ts + APP_FRAME_SAMPLES : gen_start_ts(al, now_ns);
	uint32_t off = gen_header(al, buf, pr->pt, !pl->started, ts);

	for (uint32_t i = 0; i < APP_FRAME_SAMPLES; i++) {
		if (pl->pos >= pr->n && pl->pass + 1 < pr->loops) {
			pl->pass++;
			pl->pos = 0;
		}
		buf[off + i] = pl->pos < pr->n ? pr->data[pl->pos++] : pr->silence;
	}
	al->tx.out_ts = ts;
	al->tx.out_ns = now_ns;
	pl->started = true;
	pl->sent++;
	gen_send(al, buf, off + APP_FRAME_SAMPLES);
	return pl->pos < pr->n || pl->pass + 1 < pr->loops;
}

static void dtmf_packet(struct app_leg *al, struct app_sender *s, bool marker, bool end,
                        uint64_t now_ns)
{
	struct relay_leg *leg = &al->st->leg[al->idx];
	struct rfc4733_event ev = {.event = (uint8_t)rfc4733_event_of(s->digits[s->idx]),
	                           .end = end,
	                           .volume = 10,
	                           .duration = s->at};
	uint8_t buf[GEN_BUF];
	uint32_t off = gen_header(al, buf, leg->te_pt, marker, s->ts);

	rfc4733_write(&ev, buf + off);
	al->tx.out_ts = s->ts;
	al->tx.out_ns = now_ns;
	gen_send(al, buf, off + 4);
}

/* One frame of the digit sender; false once every digit went. */
static bool send_frame(struct app_leg *al, uint64_t now_ns)
{
	struct app_sender *s = al->send;

	if (s->gap) {
		s->gap--;
		return s->idx < s->n || s->gap;
	}
	if (!s->in_digit) {
		if (s->idx >= s->n)
			return false;
		s->in_digit = true;
		s->ts = gen_start_ts(al, now_ns);
		s->at = APP_FRAME_SAMPLES;
		dtmf_packet(al, s, true, false, now_ns);
		return true;
	}
	s->at = (uint16_t)(s->at + APP_FRAME_SAMPLES > s->dur ? s->dur : s->at + APP_FRAME_SAMPLES);
	if (s->at < s->dur) {
		dtmf_packet(al, s, false, false, now_ns);
		return true;
	}
	for (int i = 0; i < DTMF_ENDS; i++)
		dtmf_packet(al, s, false, true, now_ns);
	/* The next digit starts after the pause, later than this one's end. */
	al->tx.out_ts = s->ts + s->dur;
	s->in_digit = false;
	s->idx++;
	s->gap = DTMF_GAP;
	return true;
}

static void leg_frame(struct app_sched *sched, struct app_leg *al, uint64_t now_ns)
{
	/* A prompt and digits at once: the digits wait for the prompt. */
	if (al->play) {
		if (!play_frame(al, now_ns))
			end_play(al, "end");
	} else if (al->send && !send_frame(al, now_ns)) {
		free(al->send);
		al->send = NULL;
	}
	maybe_unschedule(sched, al);
}

uint64_t relay_apps_run(struct app_sched *sched, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;
	struct app_leg *al = sched->head, *nx;

	for (; al; al = nx) {
		int n = 0;

		nx = al->next;
		/* A loop that woke late catches up a little, then skips: a burst of audio
		 * would only fill the phone's jitter buffer. */
		while (al->scheduled && al->next_ns <= now_ns && n++ < MAX_CATCH_UP) {
			al->next_ns += APP_FRAME_NS;
			leg_frame(sched, al, now_ns);
		}
		if (!al->scheduled)
			continue;
		if (al->next_ns <= now_ns)
			al->next_ns = now_ns + APP_FRAME_NS;
		if (al->next_ns - now_ns < next)
			next = al->next_ns - now_ns;
	}
	sched->next_ns = next == UINT64_MAX ? UINT64_MAX : now_ns + next;
	return next;
}

void relay_apps_set_echo(struct relay_stream *st, uint8_t leg, bool on)
{
	if (st->apps)
		st->apps->leg[leg].echo = on;
}

int relay_apps_play(struct relay_stream *st, struct app_sched *sched, uint8_t leg,
                    struct prompt *prompt, uint64_t now_ns)
{
	struct stream_apps *a = relay_apps_get(st);
	struct app_player *pl = calloc(1, sizeof(*pl));

	if (!a || !pl) {
		free(pl);
		return -ENOMEM;
	}
	if (a->leg[leg].play)
		end_play(&a->leg[leg], "replaced");
	pl->prompt = prompt;
	if (!prompt->loops)
		prompt->loops = 1;
	a->leg[leg].play = pl;
	schedule(sched, &a->leg[leg], now_ns);
	return 0;
}

bool relay_apps_stop_play(struct relay_stream *st, struct app_sched *sched, uint8_t leg)
{
	struct app_leg *al = st->apps ? &st->apps->leg[leg] : NULL;

	if (!al || !al->play)
		return false;
	end_play(al, "stopped");
	maybe_unschedule(sched, al);
	return true;
}

int relay_apps_send_dtmf(struct relay_stream *st, struct app_sched *sched, uint8_t leg,
                         const char *digits, uint32_t duration_ms, uint64_t now_ns)
{
	struct stream_apps *a = relay_apps_get(st);
	struct app_sender *s;
	size_t n = strlen(digits);

	if (!a)
		return -ENOMEM;
	s = a->leg[leg].send;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->dur = (uint16_t)(duration_ms * 8u);
		a->leg[leg].send = s;
	}
	/* Digits asked for while others are still going are appended. */
	if (n > sizeof(s->digits) - 1u - s->n)
		n = sizeof(s->digits) - 1u - s->n;
	memcpy(s->digits + s->n, digits, n);
	s->n = (uint8_t)(s->n + n);
	s->digits[s->n] = '\0';
	schedule(sched, &a->leg[leg], now_ns);
	return 0;
}

void relay_apps_tick(struct relay_stream *st, uint64_t now_ns)
{
	for (uint8_t i = 0; st->apps && i < 2; i++) {
		struct dtmf_digit d;

		if (dtmf_detect_tick(&st->apps->leg[i].det, now_ns, &d)) {
			struct relay_event ev = {
			    .kind = RELAY_EV_DTMF,
			    .stream = st->index,
			    .leg = i,
			    .digit = d.digit,
			    .duration_ms = (uint32_t)((uint64_t)d.duration * 1000u /
			                              (st->clock_rate ? st->clock_rate : 8000))};

			emit(st, &ev);
		}
	}
}

bool relay_apps_busy(const struct stream_apps *a)
{
	if (!a)
		return false;
	if (a->rec)
		return true;
	for (int i = 0; i < 2; i++) {
		const struct app_leg *l = &a->leg[i];
		const struct app_tx *t = &l->tx;

		if (l->echo || l->play || l->send)
			return true;
		/* what the kernel forwards is not renumbered */
		if (t->relay_known &&
		    (t->seq_off || t->ts_off || t->resync || t->ts_resync || t->mark_next))
			return true;
	}
	return false;
}
