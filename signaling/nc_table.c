/* Open addressing with linear probing and backward-shift deletion: no tombstones, so a table
 * that churns through short-lived nonces never degrades. */
#include "nc_table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct nc_entry {
	uint8_t key[NC_TABLE_KEY_LEN];
	time_t issued, expires;
	uint32_t nc;
	bool used;
};

struct nc_table {
	struct nc_entry *slots;
	size_t mask;  /* slots - 1 (power of two) */
	size_t limit; /* most live entries: 3/4 of the slots */
	size_t count;
	time_t floor;
};

int nc_table_new(struct nc_table **out, size_t capacity, time_t floor)
{
	struct nc_table *t = calloc(1, sizeof(*t));
	size_t slots = 16;

	if (!t)
		return -ENOMEM;
	while (slots / 4 * 3 < capacity && slots < ((size_t)1 << 30))
		slots <<= 1;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	t->mask = slots - 1;
	t->limit = capacity ? capacity : 1;
	if (t->limit > slots / 4 * 3)
		t->limit = slots / 4 * 3;
	t->floor = floor;
	*out = t;
	return 0;
}

void nc_table_free(struct nc_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static size_t home_of(const struct nc_table *t, const uint8_t *key)
{
	uint64_t h;

	/* Keys are MAC output, already uniformly distributed. */
	memcpy(&h, key, sizeof(h));
	return (size_t)h & t->mask;
}

static void remove_at(struct nc_table *t, size_t i)
{
	size_t j = i;

	t->slots[i].used = false;
	t->count--;
	for (;;) {
		size_t home;

		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			return;
		home = home_of(t, t->slots[j].key);
		/* Move j back into the hole when its home is not in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			t->slots[j].used = false;
			i = j;
		}
	}
}

size_t nc_table_expire(struct nc_table *t, time_t now)
{
	size_t removed = 0;

	for (size_t i = 0; i <= t->mask;) {
		if (t->slots[i].used && t->slots[i].expires <= now) {
			remove_at(t, i);
			removed++;
			continue; /* a shifted entry may now sit at i */
		}
		i++;
	}
	return removed;
}

static void evict_oldest(struct nc_table *t)
{
	size_t victim = 0;
	bool found = false;

	for (size_t i = 0; i <= t->mask; i++) {
		if (!t->slots[i].used)
			continue;
		if (!found || t->slots[i].issued < t->slots[victim].issued) {
			victim = i;
			found = true;
		}
	}
	if (!found)
		return;
	/* Nonces issued up to the victim's time can no longer be vouched for. */
	if (t->slots[victim].issued + 1 > t->floor)
		t->floor = t->slots[victim].issued + 1;
	remove_at(t, victim);
}

enum nc_result nc_table_check(struct nc_table *t, const uint8_t key[NC_TABLE_KEY_LEN], uint32_t nc,
                              time_t issued, time_t expires, time_t now)
{
	size_t i;

	if (issued < t->floor)
		return NC_TOO_OLD;
	for (i = home_of(t, key); t->slots[i].used; i = (i + 1) & t->mask) {
		if (memcmp(t->slots[i].key, key, NC_TABLE_KEY_LEN) != 0)
			continue;
		if (nc <= t->slots[i].nc)
			return NC_REPLAY;
		t->slots[i].nc = nc;
		return NC_OK;
	}
	if (t->count >= t->limit) {
		nc_table_expire(t, now);
		if (t->count >= t->limit)
			evict_oldest(t);
		if (issued < t->floor)
			return NC_TOO_OLD;
		for (i = home_of(t, key); t->slots[i].used; i = (i + 1) & t->mask)
			;
	}
	memcpy(t->slots[i].key, key, NC_TABLE_KEY_LEN);
	t->slots[i].issued = issued;
	t->slots[i].expires = expires;
	t->slots[i].nc = nc;
	t->slots[i].used = true;
	t->count++;
	return NC_OK;
}

size_t nc_table_count(const struct nc_table *t)
{
	return t->count;
}
