/* A bump allocator for building protobuf-c messages: every nested message, array and string of
 * one request or reply comes from one arena and goes with one pb_arena_free(). Single thread. */
#ifndef MEDIAD_PB_ARENA_H
#define MEDIAD_PB_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct pb_arena_chunk;

struct pb_arena {
	struct pb_arena_chunk *chunks; /* owned; a zeroed arena is empty */
	int failed;                    /* set once an allocation failed */
};

/* Zeroed memory aligned for any type, or NULL (and a->failed set) on ENOMEM. */
void *pb_arena_alloc(struct pb_arena *a, size_t size);
/* A copy of s (NULL taken as ""). */
char *pb_arena_strdup(struct pb_arena *a, const char *s);
void pb_arena_free(struct pb_arena *a);

/* A protobuf-c message of the given type, initialised (defaults set), e.g.
 * pb_arena_msg(a, &tandem__media__v1__endpoint__descriptor). NULL on ENOMEM. */
void *pb_arena_msg(struct pb_arena *a, const ProtobufCMessageDescriptor *desc);

#endif
