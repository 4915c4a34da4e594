/* Latency histogram for the RTP load generator: log-linear buckets (128 per power of two, so
 * every quantile is within 1 % of the true value) over nanoseconds. Constant memory, O(1) add,
 * so millions of samples per second cost nothing to keep. Plain struct, owned by the caller. */
#ifndef TANDEM_LOAD_HIST_H
#define TANDEM_LOAD_HIST_H

#include <stdint.h>

#define LOAD_HIST_SUB_BITS 7
#define LOAD_HIST_SUB      (1u << LOAD_HIST_SUB_BITS)
/* Values up to 2^40 ns (~18 min) are bucketed; larger ones land in the last bucket. */
#define LOAD_HIST_BUCKETS ((40 - LOAD_HIST_SUB_BITS + 1) * LOAD_HIST_SUB)

struct load_hist {
	uint64_t count;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t sum_ns;
	uint64_t bucket[LOAD_HIST_BUCKETS];
};

void load_hist_init(struct load_hist *h);
void load_hist_add(struct load_hist *h, uint64_t ns);
/* Adds every sample of src to dst. */
void load_hist_merge(struct load_hist *dst, const struct load_hist *src);
/* Value at quantile q (0..1): the upper edge of the bucket holding it, capped at max_ns.
 * 0 when the histogram is empty. */
uint64_t load_hist_quantile(const struct load_hist *h, double q);

#endif
