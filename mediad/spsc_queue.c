/* Lamport's ring with C11 acquire/release: the producer publishes a slot by a release store of
 * tail, the consumer frees it by a release store of head. */
#include "spsc_queue.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

int spsc_queue_init(struct spsc_queue *q, size_t capacity, bool blocking_fd)
{
	size_t n = 2;

	while (n < capacity)
		n <<= 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	q->mask = n - 1;
	q->efd = -1;
	q->slots = calloc(n, sizeof(void *));
	if (!q->slots)
		return -ENOMEM;
	q->efd = eventfd(0, EFD_CLOEXEC | (blocking_fd ? 0 : EFD_NONBLOCK));
	if (q->efd < 0) {
		int rc = -errno;

		free(q->slots);
		q->slots = NULL;
		return rc;
	}
	return 0;
}

void spsc_queue_destroy(struct spsc_queue *q)
{
	free(q->slots);
	q->slots = NULL;
	if (q->efd >= 0)
		close(q->efd);
	q->efd = -1;
}

bool spsc_queue_push(struct spsc_queue *q, void *item)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (tail - head > q->mask)
		return false;
	q->slots[tail & q->mask] = item;
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	return true;
}

int spsc_queue_notify(struct spsc_queue *q)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is saturated: the consumer is certainly woken. */
	if (write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

void *spsc_queue_pop(struct spsc_queue *q)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	void *item;

	if (head == tail)
		return NULL;
	item = q->slots[head & q->mask];
	atomic_store_explicit(&q->head, head + 1, memory_order_release);
	return item;
}

void spsc_queue_clear_wakeup(struct spsc_queue *q)
{
	uint64_t v;

	/* Only for the non-blocking kind: nothing to read is fine. */
	if (read(q->efd, &v, sizeof(v)) < 0)
		return;
}
