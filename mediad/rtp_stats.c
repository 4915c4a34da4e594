/* RFC 3550 A.1/A.3/A.8 receive statistics, without the probation phase: a relay counts what it
 * sees from the first packet on, and a sequence restart is accepted after two packets. */
#include "rtp_stats.h"

#define SEQ_MOD      65536u
#define MAX_DROPOUT  3000u
#define MAX_MISORDER 100u

uint32_t rtp_stats_units(uint64_t now_ns, uint32_t clock_rate)
{
	uint64_t sec = now_ns / 1000000000u, frac = now_ns % 1000000000u;

	return (uint32_t)(sec * clock_rate + frac * clock_rate / 1000000000u);
}

static uint64_t epoch_lost(const struct rtp_stats *s)
{
	uint64_t expected = (uint64_t)s->cycles + s->max_seq - s->base_seq + 1;

	return expected > s->received ? expected - s->received : 0;
}

static void start_epoch(struct rtp_stats *s, uint16_t seq)
{
	if (s->started)
		s->lost_prev += epoch_lost(s);
	s->started = true;
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SEQ_MOD + 1; /* matches no sequence number */
	s->cycles = 0;
	s->received = 0;
}

/* A.1 update_seq: returns false for a packet that does not fit the sequence (yet). */
static bool update_seq(struct rtp_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (udelta < MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= SEQ_MOD - MAX_MISORDER) {
		/* A big jump: the source restarted if the next packet follows this one. */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1u) & (SEQ_MOD - 1);
			return false;
		}
		start_epoch(s, seq);
	}
	/* else: duplicate or reordered, counted as received */
	s->received++;
	return true;
}

void rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t ts, uint32_t ssrc,
                      uint32_t arrival)
{
	uint32_t transit = arrival - ts, d;

	if (!s->started || ssrc != s->ssrc) {
		start_epoch(s, seq);
		s->ssrc = ssrc;
		s->received = 1;
		s->transit = transit;
		return;
	}
	if (!update_seq(s, seq))
		return;
	/* |D| in unsigned arithmetic: a timestamp jump of 2^31 would overflow a negated int32. */
	d = transit - s->transit;
	if (d & 0x80000000u)
		d = 0u - d;
	s->transit = transit;
	/* J += (|D| - J) / 16, kept scaled by 16 (A.8). */
	s->jitter += d - ((s->jitter + 8) >> 4);
}

uint64_t rtp_stats_lost(const struct rtp_stats *s)
{
	return s->started ? s->lost_prev + epoch_lost(s) : 0;
}

double rtp_stats_jitter_ms(const struct rtp_stats *s, uint32_t clock_rate)
{
	if (!clock_rate)
		return 0;
	return (double)s->jitter / 16.0 * 1000.0 / clock_rate;
}
