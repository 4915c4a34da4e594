/* Chunks of at least 4 KiB, each allocation rounded up to 16 bytes. */
#include "pb_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 4096u

struct pb_arena_chunk {
	struct pb_arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *pb_arena_alloc(struct pb_arena *a, size_t size)
{
	struct pb_arena_chunk *c = a->chunks;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (!c || c->size - c->used < size) {
		size_t n = size > CHUNK ? size : CHUNK;

		c = malloc(sizeof(*c) + n);
		if (!c) {
			a->failed = 1;
			return NULL;
		}
		c->size = n;
		c->used = 0;
		c->next = a->chunks;
		a->chunks = c;
	}
	p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *pb_arena_strdup(struct pb_arena *a, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *p = pb_arena_alloc(a, n);

	if (p)
		memcpy(p, s ? s : "", n);
	return p;
}

void *pb_arena_msg(struct pb_arena *a, const ProtobufCMessageDescriptor *desc)
{
	void *m = pb_arena_alloc(a, desc->sizeof_message);

	if (m)
		protobuf_c_message_init(desc, m);
	return m;
}

void pb_arena_free(struct pb_arena *a)
{
	while (a->chunks) {
		struct pb_arena_chunk *c = a->chunks;

		a->chunks = c->next;
		free(c);
	}
	a->failed = 0;
}
