/* Entries live in a ring in the order they were first seen, so both expiry and eviction pop the
 * ring's head in O(1); an open-addressing index (linear probing, backward-shift deletion, no
 * tombstones) finds an entry by key. Nonces reach the table in close to issue order, so the head
 * is the oldest entry or near it: an entry issued a little earlier further in may live one
 * eviction longer, and the floor still shuts out everything the table no longer vouches for. */
#include "nc_table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct nc_entry {
	uint8_t key[NC_TABLE_KEY_LEN];
	time_t issued, expires;
	uint32_t nc;
};

struct nc_table {
	struct nc_entry *ring; /* limit entries; live ones are head .. head+count-1 (mod limit) */
	uint32_t *index;       /* ring position + 1 per slot; 0 = empty */
	size_t mask;           /* index slots - 1 (power of two) */
	size_t limit;          /* most live entries: at most 3/4 of the index slots */
	size_t head, count;
	time_t floor;
};

int nc_table_new(struct nc_table **out, size_t capacity, time_t floor)
{
	struct nc_table *t = calloc(1, sizeof(*t));
	size_t slots = 16;

	if (!t)
		return -ENOMEM;
	if (capacity == 0)
		capacity = 1;
	if (capacity > ((size_t)1 << 28))
		capacity = (size_t)1 << 28;
	while (slots / 4 * 3 < capacity)
		slots <<= 1;
	t->ring = calloc(capacity, sizeof(*t->ring));
	t->index = calloc(slots, sizeof(*t->index));
	if (!t->ring || !t->index) {
		nc_table_free(t);
		return -ENOMEM;
	}
	t->mask = slots - 1;
	t->limit = capacity;
	t->floor = floor;
	*out = t;
	return 0;
}

void nc_table_free(struct nc_table *t)
{
	if (!t)
		return;
	free(t->ring);
	free(t->index);
	free(t);
}

static size_t home_of(const struct nc_table *t, const uint8_t *key)
{
	uint64_t h;

	/* Keys are MAC output, already uniformly distributed. */
	memcpy(&h, key, sizeof(h));
	return (size_t)h & t->mask;
}

static struct nc_entry *entry_at_slot(const struct nc_table *t, size_t slot)
{
	return &t->ring[t->index[slot] - 1];
}

/* The index slot holding key, or the empty slot that ends its probe run. */
static size_t find_slot(const struct nc_table *t, const uint8_t *key)
{
	size_t i = home_of(t, key);

	while (t->index[i] && memcmp(entry_at_slot(t, i)->key, key, NC_TABLE_KEY_LEN) != 0)
		i = (i + 1) & t->mask;
	return i;
}

static void index_remove(struct nc_table *t, size_t i)
{
	size_t j = i;

	t->index[i] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!t->index[j])
			return;
		home = home_of(t, entry_at_slot(t, j)->key);
		/* Move j back into the hole when its home is not in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->index[i] = t->index[j];
			t->index[j] = 0;
			i = j;
		}
	}
}

static void pop_head(struct nc_table *t)
{
	struct nc_entry *e = &t->ring[t->head];

	index_remove(t, find_slot(t, e->key));
	t->head = (t->head + 1) % t->limit;
	t->count--;
}

size_t nc_table_expire(struct nc_table *t, time_t now)
{
	size_t removed = 0;

	while (t->count && t->ring[t->head].expires <= now) {
		pop_head(t);
		removed++;
	}
	return removed;
}

static void evict_head(struct nc_table *t)
{
	const struct nc_entry *e = &t->ring[t->head];

	/* Nonces issued up to the victim's time can no longer be vouched for. */
	if (e->issued + 1 > t->floor)
		t->floor = e->issued + 1;
	pop_head(t);
}

enum nc_result nc_table_check(struct nc_table *t, const uint8_t key[NC_TABLE_KEY_LEN], uint32_t nc,
                              time_t issued, time_t expires, time_t now)
{
	size_t slot, pos;
	struct nc_entry *e;

	if (issued < t->floor)
		return NC_TOO_OLD;
	slot = find_slot(t, key);
	if (t->index[slot]) {
		e = entry_at_slot(t, slot);
		if (nc <= e->nc)
			return NC_REPLAY;
		e->nc = nc;
		return NC_OK;
	}
	if (t->count >= t->limit) {
		nc_table_expire(t, now);
		if (t->count >= t->limit)
			evict_head(t);
		if (issued < t->floor)
			return NC_TOO_OLD;
		slot = find_slot(t, key);
	}
	pos = (t->head + t->count) % t->limit;
	e = &t->ring[pos];
	memcpy(e->key, key, NC_TABLE_KEY_LEN);
	e->issued = issued;
	e->expires = expires;
	e->nc = nc;
	t->index[slot] = (uint32_t)pos + 1;
	t->count++;
	return NC_OK;
}

size_t nc_table_count(const struct nc_table *t)
{
	return t->count;
}
