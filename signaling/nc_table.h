/* The highest nonce-count seen per nonce, so a captured request cannot be replayed while its
 * nonce is still fresh. Bounded: entries leave when their nonce expires; when the table is full
 * the entry seen first is evicted and every nonce issued up to it counts as unknown-old (the
 * caller re-challenges), so eviction never reopens a replay. Every operation is O(1), also when
 * full: a busy node authenticates more nonces per lifetime than the table holds. Single-threaded.
 */
#ifndef SIGNALD_NC_TABLE_H
#define SIGNALD_NC_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NC_TABLE_KEY_LEN 16

struct nc_table;

enum nc_result {
	NC_OK,     /* nc is higher than any seen for this nonce; recorded */
	NC_REPLAY, /* nc not higher than the last one seen */
	NC_TOO_OLD /* nonce issued before what the table can vouch for (start-up or eviction) */
};

/* capacity: maximum live entries (rounded up to a power of two internally); floor: nonces
 * issued before this time are NC_TOO_OLD (pass the start-up time). */
int nc_table_new(struct nc_table **out, size_t capacity, time_t floor);
void nc_table_free(struct nc_table *t);

/* key: the nonce's own unique bytes; issued/expires: the nonce's lifetime. */
enum nc_result nc_table_check(struct nc_table *t, const uint8_t key[NC_TABLE_KEY_LEN], uint32_t nc,
                              time_t issued, time_t expires, time_t now);

/* Drops expired entries; returns how many. */
size_t nc_table_expire(struct nc_table *t, time_t now);
size_t nc_table_count(const struct nc_table *t);

#endif
