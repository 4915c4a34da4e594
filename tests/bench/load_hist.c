/* Log-linear latency histogram: bucket index from the position of the highest set bit plus the
 * next LOAD_HIST_SUB_BITS bits, as HdrHistogram does, without its generality. */
#include "load_hist.h"

#include <string.h>

static unsigned bucket_of(uint64_t v)
{
	unsigned e, idx;

	if (v < LOAD_HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* e >= LOAD_HIST_SUB_BITS */
	idx = (e - LOAD_HIST_SUB_BITS + 1) * LOAD_HIST_SUB +
	      (unsigned)((v >> (e - LOAD_HIST_SUB_BITS)) & (LOAD_HIST_SUB - 1));
	return idx < LOAD_HIST_BUCKETS ? idx : LOAD_HIST_BUCKETS - 1;
}

/* Largest value that falls in bucket idx. */
static uint64_t bucket_top(unsigned idx)
{
	unsigned major = idx / LOAD_HIST_SUB, sub = idx % LOAD_HIST_SUB, e;

	if (major == 0)
		return idx;
	e = major + LOAD_HIST_SUB_BITS - 1;
	return ((uint64_t)(LOAD_HIST_SUB + sub + 1) << (e - LOAD_HIST_SUB_BITS)) - 1;
}

void load_hist_init(struct load_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min_ns = UINT64_MAX;
}

void load_hist_add(struct load_hist *h, uint64_t ns)
{
	h->bucket[bucket_of(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	if (ns < h->min_ns)
		h->min_ns = ns;
}

void load_hist_merge(struct load_hist *dst, const struct load_hist *src)
{
	for (unsigned i = 0; i < LOAD_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
}

uint64_t load_hist_quantile(const struct load_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min_ns;
	rank = (uint64_t)(q * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	for (unsigned i = 0; i < LOAD_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen > rank) {
			uint64_t top = bucket_top(i);

			return top < h->max_ns ? top : h->max_ns;
		}
	}
	return h->max_ns;
}
