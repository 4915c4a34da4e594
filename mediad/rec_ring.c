/* SPSC frame ring (rec_ring.h): release on the index a side publishes, acquire on the other's. */
#include "rec_ring.h"

#include <errno.h>
#include <stdlib.h>

int rec_ring_init(struct rec_ring *r, size_t capacity)
{
	size_t n = 2 * REC_RING_RESERVE;

	while (n < capacity)
		n <<= 1;
	r->slots = calloc(n, sizeof(*r->slots));
	if (!r->slots)
		return -ENOMEM;
	r->mask = n - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void rec_ring_destroy(struct rec_ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

struct rec_frame *rec_ring_slot(struct rec_ring *r, bool mark)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t used = tail - head, cap = r->mask + 1;

	if (used >= cap || (!mark && used >= cap - REC_RING_RESERVE))
		return NULL;
	return &r->slots[tail & r->mask];
}

void rec_ring_commit(struct rec_ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

const struct rec_frame *rec_ring_peek(struct rec_ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (head == atomic_load_explicit(&r->tail, memory_order_acquire))
		return NULL;
	return &r->slots[head & r->mask];
}

void rec_ring_release(struct rec_ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}
