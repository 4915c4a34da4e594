/* The node's numbers in the Prometheus text format (version 0.0.4), for GET /metrics
 * (metrics_http.c). Control thread only: worker counters are read with relaxed loads, as Ping
 * reads them. */
#ifndef MEDIAD_METRICS_H
#define MEDIAD_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "session_snapshot.h"

#define METRICS_HIST_BUCKETS 10 /* finite upper bounds at most; +Inf is implied */

/* A Prometheus histogram: counts per bucket (not cumulative; rendering sums them), the sum
 * and the number of observations. */
struct metrics_hist {
	uint64_t bucket[METRICS_HIST_BUCKETS + 1]; /* the last is above every bound */
	double sum;
	uint64_t count;
};

/* The quality of the media the node relayed, one observation per leg that received RTP, taken
 * when its session closes: interarrival jitter (RFC 3550) and the share of packets lost. */
struct metrics_media {
	struct metrics_hist jitter_s, loss_ratio;
};

/* Adds a closing session's final snapshot to mm. */
void metrics_observe_session(struct metrics_media *mm, const struct session_snapshot *snap);

/* Writes every metric of md (a struct mediad) to out. Returns 0 or -EIO. */
int metrics_render(void *md, FILE *out);

#endif
