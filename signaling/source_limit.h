/* Per-source request rate limit (like Kamailio's pike): a token bucket per source address (IPv6
 * per /64), rate new requests per second with bursts up to burst. Sources live in a fixed
 * set-associative table: a source not seen recently takes the slot of the least recently seen
 * in its set, so memory is bounded and every call is O(1) under a spray of addresses. A
 * forgotten source starts with a full bucket again, which only errs towards letting through.
 * Single-threaded. */
#ifndef SIGNALD_SOURCE_LIMIT_H
#define SIGNALD_SOURCE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source_limit;

struct source_limit_cfg {
	unsigned rate;   /* requests per second per source; 0 = no limit */
	unsigned burst;  /* bucket size (>= 1; below rate it is raised to rate) */
	size_t capacity; /* sources tracked at once (rounded up to a power of two) */
};

int source_limit_new(struct source_limit **out, const struct source_limit_cfg *cfg);
void source_limit_free(struct source_limit *sl);

/* Counts one request from ip at monotonic now_ms. True when it may be served. */
bool source_limit_allow(struct source_limit *sl, const char *ip, uint64_t now_ms);

/* Requests refused since creation. */
uint64_t source_limit_refused(const struct source_limit *sl);

#endif
