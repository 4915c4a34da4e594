/* A map from non-zero 32-bit keys to pointers: open addressing, linear probing, deletion by
 * backward shift (no tombstones). Used for session keys on the control thread and in each
 * worker; it belongs to one thread and never locks. Values are borrowed. */
#ifndef MEDIAD_U32MAP_H
#define MEDIAD_U32MAP_H

#include <stddef.h>
#include <stdint.h>

struct u32map_entry {
	uint32_t key; /* 0 = empty */
	void *value;
};

struct u32map {
	struct u32map_entry *e; /* owned */
	size_t cap;             /* power of two, or 0 before the first insert */
	size_t n;
};

/* A zeroed struct u32map is an empty map. */
void u32map_free(struct u32map *m);

/* Inserts or replaces key (must not be 0). Returns 0, -EINVAL or -ENOMEM. */
int u32map_put(struct u32map *m, uint32_t key, void *value);
void *u32map_get(const struct u32map *m, uint32_t key);
/* Removes key; returns its value or NULL. */
void *u32map_del(struct u32map *m, uint32_t key);

/* Iteration: for (size_t i = 0; (v = u32map_next(m, &i)); ) ... The map must not change while
 * iterating. */
void *u32map_next(const struct u32map *m, size_t *pos);

#endif
