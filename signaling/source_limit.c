/* Sets of four slots keyed by a seeded 64-bit hash of the source key (the text is not kept: two
 * sources sharing a hash would share a bucket, at odds of one in 2^64 per pair). Tokens are in
 * thousandths so refills need no floating point. */
#include "source_limit.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "failban.h"

#define WAYS 4

struct slot {
	uint64_t key;  /* 0 = empty */
	uint64_t seen; /* the table's call count when last used: recency, also within one ms */
	uint64_t last_ms;
	uint64_t milli_tokens;
};

struct source_limit {
	struct source_limit_cfg cfg;
	struct slot *slots;
	size_t set_mask;
	uint64_t seed;
	uint64_t calls;
	uint64_t refused;
};

int source_limit_new(struct source_limit **out, const struct source_limit_cfg *cfg)
{
	struct source_limit *sl = calloc(1, sizeof(*sl));
	size_t sets = 1;

	if (!sl)
		return -ENOMEM;
	sl->cfg = *cfg;
	if (sl->cfg.burst < sl->cfg.rate)
		sl->cfg.burst = sl->cfg.rate;
	if (sl->cfg.burst == 0)
		sl->cfg.burst = 1;
	while (sets * WAYS < cfg->capacity && sets < ((size_t)1 << 22))
		sets <<= 1;
	sl->slots = calloc(sets * WAYS, sizeof(*sl->slots));
	if (!sl->slots) {
		free(sl);
		return -ENOMEM;
	}
	sl->set_mask = sets - 1;
	if (getrandom(&sl->seed, sizeof(sl->seed), GRND_NONBLOCK) != sizeof(sl->seed))
		sl->seed = (uint64_t)(uintptr_t)sl ^ (uint64_t)time(NULL);
	*out = sl;
	return 0;
}

void source_limit_free(struct source_limit *sl)
{
	if (!sl)
		return;
	free(sl->slots);
	free(sl);
}

static uint64_t hash(const struct source_limit *sl, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ sl->seed;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

bool source_limit_allow(struct source_limit *sl, const char *ip, uint64_t now_ms)
{
	char key[FAILBAN_KEY_LEN];
	struct slot *set, *s = NULL, *oldest;
	uint64_t k, full = (uint64_t)sl->cfg.burst * 1000;

	if (sl->cfg.rate == 0)
		return true;
	failban_source_key(ip, true, key);
	k = hash(sl, key);
	set = &sl->slots[(k & sl->set_mask) * WAYS];
	for (int i = 0; i < WAYS && !s; i++)
		if (set[i].key == k)
			s = &set[i];
	if (!s) {
		/* An empty slot, else the one seen least recently. */
		oldest = &set[0];
		for (int i = 0; i < WAYS; i++) {
			if (set[i].key == 0) {
				oldest = &set[i];
				break;
			}
			if (set[i].seen < oldest->seen)
				oldest = &set[i];
		}
		s = oldest;
		s->key = k;
		s->milli_tokens = full;
	} else if (now_ms > s->last_ms) {
		uint64_t add = (now_ms - s->last_ms) * sl->cfg.rate; /* ms * per-s = thousandths */

		s->milli_tokens =
		    add >= full || s->milli_tokens + add >= full ? full : s->milli_tokens + add;
	}
	s->last_ms = now_ms;
	s->seen = ++sl->calls;
	if (s->milli_tokens < 1000) {
		sl->refused++;
		return false;
	}
	s->milli_tokens -= 1000;
	return true;
}

uint64_t source_limit_refused(const struct source_limit *sl)
{
	return sl->refused;
}
