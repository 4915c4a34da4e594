/* Authentication-failure counting per source address: after max_failures failures within
 * window_s seconds a source is banned for ban_s seconds. Bounded memory: when the table is full
 * the least recently failing, unbanned source is forgotten. Single-threaded. */
#ifndef SIGNALD_FAILBAN_H
#define SIGNALD_FAILBAN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct failban;

struct failban_cfg {
	long max_failures; /* 0 = never ban */
	long window_s;
	long ban_s;
	size_t capacity; /* sources tracked at once */
};

int failban_new(struct failban **out, const struct failban_cfg *cfg);
void failban_free(struct failban *fb);

/* True while ip is banned; *remaining_s (may be NULL) gets the seconds left. */
bool failban_banned(struct failban *fb, const char *ip, time_t now, long *remaining_s);

/* Counts one failure from ip. Returns true when this failure starts a ban. */
bool failban_failure(struct failban *fb, const char *ip, time_t now);

size_t failban_count(const struct failban *fb);

#endif
