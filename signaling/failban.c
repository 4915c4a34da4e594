/* A small fixed array searched linearly would be too slow under a spray of sources, so sources
 * live in an open-addressing table keyed by the address text (FNV-1a), with backward-shift
 * deletion. */
#include "failban.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IP_LEN 48 /* an IPv6 literal fits in 46 */

struct source {
	char ip[IP_LEN];
	time_t window_start, last_failure, banned_until;
	long failures;
	bool used;
};

struct failban {
	struct failban_cfg cfg;
	struct source *slots;
	size_t mask, limit, count;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

int failban_new(struct failban **out, const struct failban_cfg *cfg)
{
	struct failban *fb = calloc(1, sizeof(*fb));
	size_t slots = 16;

	if (!fb)
		return -ENOMEM;
	fb->cfg = *cfg;
	while (slots / 4 * 3 < cfg->capacity && slots < ((size_t)1 << 24))
		slots <<= 1;
	fb->slots = calloc(slots, sizeof(*fb->slots));
	if (!fb->slots) {
		free(fb);
		return -ENOMEM;
	}
	fb->mask = slots - 1;
	fb->limit = slots / 4 * 3;
	*out = fb;
	return 0;
}

void failban_free(struct failban *fb)
{
	if (!fb)
		return;
	free(fb->slots);
	free(fb);
}

static struct source *find(struct failban *fb, const char *ip, size_t *slot)
{
	size_t i;

	for (i = hash(ip) & fb->mask; fb->slots[i].used; i = (i + 1) & fb->mask)
		if (strcmp(fb->slots[i].ip, ip) == 0)
			return &fb->slots[i];
	*slot = i;
	return NULL;
}

static void remove_at(struct failban *fb, size_t i)
{
	size_t j = i;

	fb->slots[i].used = false;
	fb->count--;
	for (;;) {
		size_t home;

		j = (j + 1) & fb->mask;
		if (!fb->slots[j].used)
			return;
		home = hash(fb->slots[j].ip) & fb->mask;
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			fb->slots[i] = fb->slots[j];
			fb->slots[j].used = false;
			i = j;
		}
	}
}

static bool stale(const struct failban *fb, const struct source *s, time_t now)
{
	return s->banned_until <= now && s->last_failure + fb->cfg.window_s <= now;
}

/* Makes room: forget sources that no longer matter, else the one idle longest. */
static void make_room(struct failban *fb, time_t now)
{
	size_t oldest = 0;
	bool found = false;

	for (size_t i = 0; i <= fb->mask;) {
		if (fb->slots[i].used && stale(fb, &fb->slots[i], now)) {
			remove_at(fb, i);
			continue;
		}
		i++;
	}
	if (fb->count < fb->limit)
		return;
	for (size_t i = 0; i <= fb->mask; i++) {
		const struct source *s = &fb->slots[i];

		if (!s->used || s->banned_until > now)
			continue;
		if (!found || s->last_failure < fb->slots[oldest].last_failure) {
			oldest = i;
			found = true;
		}
	}
	if (found)
		remove_at(fb, oldest);
}

bool failban_banned(struct failban *fb, const char *ip, time_t now, long *remaining_s)
{
	size_t slot;
	struct source *s = find(fb, ip, &slot);

	if (!s || s->banned_until <= now)
		return false;
	if (remaining_s)
		*remaining_s = (long)(s->banned_until - now);
	return true;
}

bool failban_failure(struct failban *fb, const char *ip, time_t now)
{
	size_t slot;
	struct source *s;

	if (fb->cfg.max_failures <= 0 || strlen(ip) >= IP_LEN)
		return false;
	s = find(fb, ip, &slot);
	if (!s) {
		if (fb->count >= fb->limit) {
			make_room(fb, now);
			if (fb->count >= fb->limit)
				return false; /* every tracked source is banned: nothing to forget
				               */
			find(fb, ip, &slot);
		}
		s = &fb->slots[slot];
		memset(s, 0, sizeof(*s));
		strcpy(s->ip, ip);
		s->used = true;
		fb->count++;
	}
	if (s->banned_until > now)
		return false;
	if (s->window_start + fb->cfg.window_s <= now) {
		s->window_start = now;
		s->failures = 0;
	}
	s->last_failure = now;
	if (++s->failures < fb->cfg.max_failures)
		return false;
	s->banned_until = now + fb->cfg.ban_s;
	s->failures = 0;
	s->window_start = now;
	return true;
}

size_t failban_count(const struct failban *fb)
{
	return fb->count;
}
