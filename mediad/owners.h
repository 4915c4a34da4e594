/* The clients that own sessions, by ZeroMQ routing id: when each was last heard from (any
 * message counts) and how many sessions it holds. Events go to an owner's routing id; an owner
 * silent for [rtp] owner_timeout_s loses its sessions (control.c reaps them).
 *
 * Control thread only. An owner lives while sessions refer to it (owners_get/owners_put). */
#ifndef MEDIAD_OWNERS_H
#define MEDIAD_OWNERS_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

struct owner {
	uint8_t rid[RPC_MAX_ROUTING_ID];
	size_t rid_len;
	uint64_t last_seen_ms;
	unsigned refs; /* sessions */
	struct owner *next;
};

struct owners;

int owners_new(struct owners **out);
/* Frees every owner; references still held become dangling, so free sessions first. */
void owners_free(struct owners *o);

/* The owner with this routing id, created if new, with one more reference. NULL on ENOMEM. */
struct owner *owners_get(struct owners *o, const uint8_t *rid, size_t rid_len, uint64_t now_ms);
/* Drops a reference; the owner is forgotten with its last one. */
void owners_put(struct owners *o, struct owner *ow);
/* Records that rid sent something (ignored for clients owning nothing). */
void owners_seen(struct owners *o, const uint8_t *rid, size_t rid_len, uint64_t now_ms);

/* The routing id as printable text (non-printable bytes as '.'), for logs. */
void owner_name(const struct owner *ow, char *buf, size_t len);

#endif
