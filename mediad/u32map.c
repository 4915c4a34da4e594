/* Open-addressing u32 → pointer map; kept at most half full so probes stay short. */
#include "u32map.h"

#include <errno.h>
#include <stdlib.h>

static size_t slot_of(uint32_t key, size_t mask)
{
	/* Fibonacci hashing spreads sequential keys across the table. */
	return (size_t)((key * 2654435769u) >> 7) & mask;
}

void u32map_free(struct u32map *m)
{
	free(m->e);
	m->e = NULL;
	m->cap = m->n = 0;
}

static int grow(struct u32map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct u32map_entry *e = calloc(cap, sizeof(*e)), *old = m->e;
	size_t oldcap = m->cap;

	if (!e)
		return -ENOMEM;
	m->e = e;
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			u32map_put(m, old[i].key, old[i].value);
	free(old);
	return 0;
}

int u32map_put(struct u32map *m, uint32_t key, void *value)
{
	size_t i;

	if (!key)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap) {
		int rc = grow(m);

		if (rc)
			return rc;
	}
	for (i = slot_of(key, m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key) {
			m->e[i].value = value;
			return 0;
		}
		if (!m->e[i].key)
			break;
	}
	m->e[i].key = key;
	m->e[i].value = value;
	m->n++;
	return 0;
}

void *u32map_get(const struct u32map *m, uint32_t key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t i = slot_of(key, m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key)
			return m->e[i].value;
		if (!m->e[i].key)
			return NULL;
	}
}

void *u32map_del(struct u32map *m, uint32_t key)
{
	size_t mask = m->cap - 1, i, j;
	void *value;

	if (!m->cap || !key)
		return NULL;
	for (i = slot_of(key, mask); m->e[i].key != key; i = (i + 1) & mask)
		if (!m->e[i].key)
			return NULL;
	value = m->e[i].value;
	/* Backward shift: move later members of the probe run into the hole when their home slot
	 * does not lie (cyclically) between the hole and them. */
	for (j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
		size_t home = slot_of(m->e[j].key, mask);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].key = 0;
	m->e[i].value = NULL;
	m->n--;
	return value;
}

void *u32map_next(const struct u32map *m, size_t *pos)
{
	for (; *pos < m->cap; (*pos)++)
		if (m->e[*pos].key)
			return m->e[(*pos)++].value;
	return NULL;
}
