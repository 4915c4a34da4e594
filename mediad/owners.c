/* Owners in a fixed chained hash: there are few of them (one per controller, plus tools), and
 * owners_seen() runs for every RPC message. */
#include "owners.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 256

struct owners {
	struct owner *b[BUCKETS];
};

static unsigned bucket(const uint8_t *rid, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ rid[i]) * 16777619u;
	return h % BUCKETS;
}

static struct owner **find(struct owners *o, const uint8_t *rid, size_t len)
{
	struct owner **pp = &o->b[bucket(rid, len)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->rid_len == len && memcmp((*pp)->rid, rid, len) == 0)
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
	free(o);
}

struct owner *owners_get(struct owners *o, const uint8_t *rid, size_t rid_len, uint64_t now_ms)
{
	struct owner **pp, *ow;

	if (rid_len > RPC_MAX_ROUTING_ID)
		return NULL;
	pp = find(o, rid, rid_len);
	ow = *pp;
	if (!ow) {
		ow = calloc(1, sizeof(*ow));
		if (!ow)
			return NULL;
		memcpy(ow->rid, rid, rid_len);
		ow->rid_len = rid_len;
		*pp = ow;
	}
	ow->last_seen_ms = now_ms;
	ow->refs++;
	return ow;
}

void owners_put(struct owners *o, struct owner *ow)
{
	struct owner **pp;

	if (!ow || --ow->refs)
		return;
	pp = find(o, ow->rid, ow->rid_len);
	if (*pp == ow)
		*pp = ow->next;
	free(ow);
}

void owners_seen(struct owners *o, const uint8_t *rid, size_t rid_len, uint64_t now_ms)
{
	struct owner *ow = *find(o, rid, rid_len);

	if (ow)
		ow->last_seen_ms = now_ms;
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
