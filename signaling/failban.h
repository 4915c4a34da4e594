/* Authentication-failure counting per key: after max_failures failures within window_s seconds a
 * key is banned for ban_s seconds. signald keeps two: one keyed by source address (IPv6 sources
 * aggregated per /64, since one host holds a whole /64), one keyed by username (the per-account
 * throttle: many sources guessing one account's password).
 *
 * Bounded memory and O(1) per call, also when full and under a spray of new keys: when the table
 * is full it forgets, in this order, a ban that has run out, the key that failed least recently
 * while not banned, or else the ban closest to its end, so a table full of banned keys still
 * tracks and bans new ones. Single-threaded. */
#ifndef SIGNALD_FAILBAN_H
#define SIGNALD_FAILBAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define FAILBAN_KEY_LEN 64 /* longer keys are cut (an IPv6 literal fits in 46) */

struct failban;

struct failban_cfg {
	long max_failures; /* 0 = never ban */
	long window_s;
	long ban_s;
	size_t capacity;   /* keys tracked at once */
	bool aggregate_v6; /* keys that are IPv6 addresses count per /64 */
};

int failban_new(struct failban **out, const struct failban_cfg *cfg);
void failban_free(struct failban *fb);

/* True while key is banned; *remaining_s (may be NULL) gets the seconds left. */
bool failban_banned(struct failban *fb, const char *key, time_t now, long *remaining_s);

/* Counts one failure for key. Returns true when this failure starts a ban. */
bool failban_failure(struct failban *fb, const char *key, time_t now);

size_t failban_count(const struct failban *fb);
/* Index slots probed and entries evicted since creation: work done, for tests that check no
 * call scans the table. */
uint64_t failban_work(const struct failban *fb);

/* The key a source address is counted under: the address itself, or for IPv6 its /64 as
 * "2001:db8:1:2::/64". out holds FAILBAN_KEY_LEN bytes. */
void failban_source_key(const char *ip, bool aggregate_v6, char out[FAILBAN_KEY_LEN]);

#endif
