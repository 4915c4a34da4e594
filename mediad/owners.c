/* Owners in a fixed chained hash: there are few of them (one per controller, plus tools), and
 * owners_seen() runs for every RPC message. */
#include "owners.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 256

/* Sessions per key, over all the routing ids a key uses (few keys: a list). */
struct key_count {
	char user[RPC_USER_MAX];
	unsigned sessions;
	struct key_count *next;
};

struct owners {
	struct owner *b[BUCKETS];
	struct key_count *keys;
};

static struct key_count **find_key(struct owners *o, const char *user)
{
	struct key_count **pp = &o->keys;

	while (*pp && strcmp((*pp)->user, user) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Adds delta to user's count; a count reaching 0 is forgotten. Returns 0 or -ENOMEM. */
static int key_add(struct owners *o, const char *user, int delta)
{
	struct key_count **pp = find_key(o, user), *k = *pp;

	if (!k) {
		if (delta <= 0)
			return 0;
		k = calloc(1, sizeof(*k));
		if (!k)
			return -ENOMEM;
		memcpy(k->user, user, strlen(user) + 1);
		*pp = k;
	}
	k->sessions = (unsigned)((int)k->sessions + delta);
	if (!k->sessions) {
		*pp = k->next;
		free(k);
	}
	return 0;
}

unsigned owners_key_sessions(struct owners *o, const char *user)
{
	struct key_count *k = *find_key(o, user);

	return k ? k->sessions : 0;
}

static unsigned bucket(const uint8_t *rid, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ rid[i]) * 16777619u;
	return h % BUCKETS;
}

static bool same_rid(const struct owner *ow, const uint8_t *rid, size_t len)
{
	return ow->rid_len == len && memcmp(ow->rid, rid, len) == 0;
}

/* Hashed by routing id only: the owners sharing a routing id share a chain. */
static struct owner **find(struct owners *o, const uint8_t *rid, size_t len, const char *user)
{
	struct owner **pp = &o->b[bucket(rid, len)];

	for (; *pp; pp = &(*pp)->next)
		if (same_rid(*pp, rid, len) && strcmp((*pp)->user, user) == 0)
			break;
	return pp;
}

int owners_new(struct owners **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void owners_free(struct owners *o)
{
	if (!o)
		return;
	for (unsigned i = 0; i < BUCKETS; i++) {
		while (o->b[i]) {
			struct owner *ow = o->b[i];

			o->b[i] = ow->next;
			free(ow);
		}
	}
	while (o->keys) {
		struct key_count *k = o->keys;

		o->keys = k->next;
		free(k);
	}
	free(o);
}

struct owner *owners_get(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user,
                         uint64_t now_ms)
{
	struct owner **pp, *ow;

	if (rid_len > RPC_MAX_ROUTING_ID || strlen(user) >= RPC_USER_MAX)
		return NULL;
	if (key_add(o, user, 1))
		return NULL;
	pp = find(o, rid, rid_len, user);
	ow = *pp;
	if (!ow) {
		ow = calloc(1, sizeof(*ow));
		if (!ow) {
			key_add(o, user, -1);
			return NULL;
		}
		memcpy(ow->rid, rid, rid_len);
		ow->rid_len = rid_len;
		memcpy(ow->user, user, strlen(user) + 1);
		*pp = ow;
	}
	ow->last_seen_ms = now_ms;
	ow->refs++;
	return ow;
}

void owners_put(struct owners *o, struct owner *ow)
{
	struct owner **pp;

	if (!ow)
		return;
	key_add(o, ow->user, -1);
	if (--ow->refs)
		return;
	pp = find(o, ow->rid, ow->rid_len, ow->user);
	if (*pp == ow)
		*pp = ow->next;
	free(ow);
}

struct owner *owners_find(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user)
{
	return *find(o, rid, rid_len, user);
}

struct owner *owners_seen(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user,
                          uint64_t instance, uint64_t now_ms)
{
	struct owner *restarted = NULL;

	for (struct owner *ow = o->b[bucket(rid, rid_len)]; ow; ow = ow->next) {
		if (!same_rid(ow, rid, rid_len))
			continue;
		if (strcmp(ow->user, user) != 0) {
			ow->displaced = true;
			continue;
		}
		ow->displaced = false;
		ow->last_seen_ms = now_ms;
		if (!instance || instance == ow->instance)
			continue;
		if (ow->instance) {
			ow->restart_ms = now_ms;
			restarted = ow;
		}
		ow->instance = instance;
	}
	return restarted;
}

void owner_name(const struct owner *ow, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i < ow->rid_len && i + 1 < len; i++)
		buf[i] = ow->rid[i] >= 0x20 && ow->rid[i] < 0x7f ? (char)ow->rid[i] : '.';
	buf[i] = '\0';
}
