/* Keys live in a fixed array of entries found through an open-addressing index (linear probing,
 * backward-shift deletion, at most 3/4 full). Every entry is on one of two lists: the unbanned
 * ones in the order they last failed (least recent first), the banned ones in the order their
 * bans began, which is the order they end since every ban lasts ban_s. Eviction takes a list
 * head, so it never scans. The hash is seeded per process: keys come from the network. */
#include "failban.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NIL UINT32_MAX

enum { LIST_FREE, LIST_IDLE, LIST_BANNED };

struct entry {
	char key[FAILBAN_KEY_LEN];
	time_t window_start, last_failure, banned_until;
	long failures;
	uint32_t prev, next;
	uint8_t list;
};

struct list {
	uint32_t head, tail;
};

struct failban {
	struct failban_cfg cfg;
	struct entry *e;   /* cfg.capacity entries */
	uint32_t *index;   /* entry + 1 per slot; 0 = empty */
	size_t mask;       /* index slots - 1 */
	size_t count;      /* entries in use */
	uint32_t free_top; /* free entries, linked by next */
	struct list idle, banned;
	uint64_t seed;
	uint64_t work;
};

static uint64_t hash(const struct failban *fb, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ fb->seed;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	/* Final mix so the low bits (the slot) depend on every byte and on the seed. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int failban_new(struct failban **out, const struct failban_cfg *cfg)
{
	struct failban *fb = calloc(1, sizeof(*fb));
	size_t cap = cfg->capacity ? cfg->capacity : 1, slots = 16;

	if (!fb)
		return -ENOMEM;
	if (cap > ((size_t)1 << 24))
		cap = (size_t)1 << 24;
	while (slots / 4 * 3 < cap)
		slots <<= 1;
	fb->cfg = *cfg;
	fb->cfg.capacity = cap;
	fb->e = calloc(cap, sizeof(*fb->e));
	fb->index = calloc(slots, sizeof(*fb->index));
	if (!fb->e || !fb->index) {
		failban_free(fb);
		return -ENOMEM;
	}
	fb->mask = slots - 1;
	for (size_t i = 0; i < cap; i++)
		fb->e[i].next = i + 1 < cap ? (uint32_t)(i + 1) : NIL;
	fb->free_top = 0;
	fb->idle = fb->banned = (struct list){NIL, NIL};
	if (getrandom(&fb->seed, sizeof(fb->seed), GRND_NONBLOCK) != sizeof(fb->seed))
		fb->seed = (uint64_t)(uintptr_t)fb ^ (uint64_t)time(NULL);
	*out = fb;
	return 0;
}

void failban_free(struct failban *fb)
{
	if (!fb)
		return;
	free(fb->e);
	free(fb->index);
	free(fb);
}

void failban_source_key(const char *ip, bool aggregate_v6, char out[FAILBAN_KEY_LEN])
{
	struct in6_addr a;

	if (aggregate_v6 && strchr(ip, ':') && inet_pton(AF_INET6, ip, &a) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&a)) {
		char text[INET6_ADDRSTRLEN];

		memset(a.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a, text, sizeof(text));
		snprintf(out, FAILBAN_KEY_LEN, "%s/64", text);
		return;
	}
	snprintf(out, FAILBAN_KEY_LEN, "%s", ip);
}

/* ---- lists ---- */

static struct list *list_of(struct failban *fb, uint8_t which)
{
	return which == LIST_BANNED ? &fb->banned : &fb->idle;
}

static void unlink_entry(struct failban *fb, uint32_t i)
{
	struct entry *x = &fb->e[i];
	struct list *l = list_of(fb, x->list);

	if (x->prev != NIL)
		fb->e[x->prev].next = x->next;
	else
		l->head = x->next;
	if (x->next != NIL)
		fb->e[x->next].prev = x->prev;
	else
		l->tail = x->prev;
}

static void push_tail(struct failban *fb, uint32_t i, uint8_t which)
{
	struct entry *x = &fb->e[i];
	struct list *l = list_of(fb, which);

	x->list = which;
	x->next = NIL;
	x->prev = l->tail;
	if (l->tail != NIL)
		fb->e[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

/* ---- index ---- */

/* The slot holding key, or the empty slot ending its probe run. */
static size_t find_slot(struct failban *fb, const char *key)
{
	size_t i = hash(fb, key) & fb->mask;

	while (fb->index[i] && strcmp(fb->e[fb->index[i] - 1].key, key) != 0) {
		i = (i + 1) & fb->mask;
		fb->work++;
	}
	fb->work++;
	return i;
}

static void index_remove(struct failban *fb, size_t i)
{
	size_t j = i;

	fb->index[i] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & fb->mask;
		fb->work++;
		if (!fb->index[j])
			return;
		home = hash(fb, fb->e[fb->index[j] - 1].key) & fb->mask;
		/* Move j back into the hole when its home is not in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			fb->index[i] = fb->index[j];
			fb->index[j] = 0;
			i = j;
		}
	}
}

static void evict(struct failban *fb, time_t now)
{
	uint32_t victim;

	if (fb->banned.head != NIL && fb->e[fb->banned.head].banned_until <= now)
		victim = fb->banned.head; /* a ban that ran out */
	else if (fb->idle.head != NIL)
		victim = fb->idle.head; /* failed least recently */
	else
		victim = fb->banned.head; /* every key banned: the ban closest to its end */
	fb->work++;
	unlink_entry(fb, victim);
	index_remove(fb, find_slot(fb, fb->e[victim].key));
	fb->e[victim].list = LIST_FREE;
	fb->e[victim].next = fb->free_top;
	fb->free_top = victim;
	fb->count--;
}

static struct entry *lookup(struct failban *fb, const char *key, char k[FAILBAN_KEY_LEN])
{
	size_t slot;

	failban_source_key(key, fb->cfg.aggregate_v6, k);
	slot = find_slot(fb, k);
	return fb->index[slot] ? &fb->e[fb->index[slot] - 1] : NULL;
}

bool failban_banned(struct failban *fb, const char *key, time_t now, long *remaining_s)
{
	char k[FAILBAN_KEY_LEN];
	struct entry *x = lookup(fb, key, k);

	if (!x || x->banned_until <= now)
		return false;
	if (remaining_s)
		*remaining_s = (long)(x->banned_until - now);
	return true;
}

bool failban_failure(struct failban *fb, const char *key, time_t now)
{
	char k[FAILBAN_KEY_LEN];
	struct entry *x;
	uint32_t i;

	if (fb->cfg.max_failures <= 0)
		return false;
	x = lookup(fb, key, k);
	if (!x) {
		size_t slot;

		if (fb->count >= fb->cfg.capacity)
			evict(fb, now);
		i = fb->free_top;
		x = &fb->e[i];
		fb->free_top = x->next;
		memset(x, 0, sizeof(*x));
		memcpy(x->key, k, sizeof(x->key));
		slot = find_slot(fb, k);
		fb->index[slot] = i + 1;
		fb->count++;
		push_tail(fb, i, LIST_IDLE);
	} else {
		i = (uint32_t)(x - fb->e);
		if (x->banned_until > now)
			return false;
		unlink_entry(fb, i);
		push_tail(fb, i, LIST_IDLE);
	}
	if (x->window_start + fb->cfg.window_s <= now) {
		x->window_start = now;
		x->failures = 0;
	}
	x->last_failure = now;
	if (++x->failures < fb->cfg.max_failures)
		return false;
	x->banned_until = now + fb->cfg.ban_s;
	x->failures = 0;
	x->window_start = now;
	unlink_entry(fb, i);
	push_tail(fb, i, LIST_BANNED);
	return true;
}

size_t failban_count(const struct failban *fb)
{
	return fb->count;
}

uint64_t failban_work(const struct failban *fb)
{
	return fb->work;
}
