/* The clients that own sessions, by ZeroMQ routing id and authenticated key (the ZAP User-Id,
 * "" when the node runs without keys): when each was last heard from (any message counts), how
 * many sessions it holds, and the instance (process start) it last spoke from. Events go to an
 * owner's routing id; an owner silent for [rtp] owner_timeout_s loses its sessions, and so do
 * the sessions of an owner's earlier instance (control.c reaps both).
 *
 * Control thread only. An owner lives while sessions refer to it (owners_get/owners_put). */
#ifndef MEDIAD_OWNERS_H
#define MEDIAD_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

struct owner {
	uint8_t rid[RPC_MAX_ROUTING_ID];
	size_t rid_len;
	char user[RPC_USER_MAX];
	uint64_t last_seen_ms;
	uint64_t instance;   /* latest non-zero Envelope.instance heard; 0 = never told */
	uint64_t restart_ms; /* when instance last changed */
	/* The last message on this routing id came with another key (a client took the id over):
	 * events are not sent until the owner speaks again. */
	bool displaced;
	unsigned refs; /* sessions */
	struct owner *next;
};

struct owners;

int owners_new(struct owners **out);
/* Frees every owner; references still held become dangling, so free sessions first. */
void owners_free(struct owners *o);

/* The owner with this routing id and key, created if new, with one more reference. NULL on
 * ENOMEM. */
struct owner *owners_get(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user,
                         uint64_t now_ms);
/* The owner, or NULL; no reference taken. */
struct owner *owners_find(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user);
/* Sessions held under key user, whatever routing ids it uses. */
unsigned owners_key_sessions(struct owners *o, const char *user);
/* Drops a reference; the owner is forgotten with its last one. */
void owners_put(struct owners *o, struct owner *ow);
/* Records that rid sent something with key user from instance (0 = not told); ignored for
 * clients owning nothing. Returns the owner when this message shows it restarted (a new
 * instance), else NULL. */
struct owner *owners_seen(struct owners *o, const uint8_t *rid, size_t rid_len, const char *user,
                          uint64_t instance, uint64_t now_ms);

/* The routing id as printable text (non-printable bytes as '.'), for logs. */
void owner_name(const struct owner *ow, char *buf, size_t len);

#endif
