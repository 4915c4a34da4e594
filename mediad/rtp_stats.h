/* Receive statistics of one RTP source as RFC 3550 appendix A defines them: extended highest
 * sequence number, packets lost (A.3) and interarrival jitter (A.8). Pure arithmetic on header
 * fields and arrival times, no clock reads; updated once per accepted RTP packet. */
#ifndef MEDIAD_RTP_STATS_H
#define MEDIAD_RTP_STATS_H

#include <stdbool.h>
#include <stdint.h>

struct rtp_stats {
	bool started;
	uint32_t ssrc;
	uint16_t max_seq;   /* highest sequence number seen */
	uint32_t cycles;    /* sequence wraps, times 65536 */
	uint32_t base_seq;  /* first sequence number of this epoch */
	uint32_t bad_seq;   /* a large jump waits for its successor here before restarting */
	uint64_t received;  /* valid packets of this epoch */
	uint64_t lost_prev; /* losses of earlier epochs (SSRC change or sequence restart) */
	uint32_t transit;   /* last arrival - timestamp, in timestamp units */
	uint32_t jitter;    /* RFC 3550 A.8 estimator, scaled by 16 */
};

/* Arrival time in RTP timestamp units of a clock_rate Hz clock, from monotonic nanoseconds;
 * exact for any uptime (the result wraps at 2^32 as RTP timestamps do). */
uint32_t rtp_stats_units(uint64_t now_ns, uint32_t clock_rate);

/* Takes one packet: seq, timestamp and SSRC from its header, arrival in timestamp units. A new
 * SSRC starts a new epoch; losses counted so far are kept. A timestamp jump of more than 2^24
 * units is a discontinuity: jitter resynchronises instead of counting it. */
void rtp_stats_update(struct rtp_stats *s, uint16_t seq, uint32_t ts, uint32_t ssrc,
                      uint32_t arrival);

/* Packets expected from the sequence numbers but not received, over all epochs (never
 * negative: duplicates do not make up for losses elsewhere). */
uint64_t rtp_stats_lost(const struct rtp_stats *s);

/* Interarrival jitter in milliseconds. */
double rtp_stats_jitter_ms(const struct rtp_stats *s, uint32_t clock_rate);

#endif
