/* A bounded single-producer single-consumer queue of pointers with an eventfd to wake the
 * consumer. One thread pushes, one other thread pops; neither ever takes a lock. The items are
 * heap messages whose ownership moves with them: whoever pops one owns it.
 *
 * Wake-up contract: the producer pushes any number of items, then calls spsc_queue_notify()
 * once; the consumer, woken by the eventfd becoming readable, first resets it (or lets its ring
 * read it), then pops until empty. Resetting before popping is what makes this safe: an item
 * pushed after the last pop is followed by a notify that finds the counter at zero. */
#ifndef MEDIAD_SPSC_QUEUE_H
#define MEDIAD_SPSC_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct spsc_queue {
	/* Producer and consumer indexes on separate cache lines: no false sharing. */
	_Alignas(64) atomic_size_t tail; /* next slot to write; written by the producer */
	_Alignas(64) atomic_size_t head; /* next slot to read; written by the consumer */
	_Alignas(64) size_t mask;
	void **slots; /* owned */
	int efd;      /* owned eventfd */
};

/* capacity is rounded up to a power of two. blocking_fd: the eventfd is left blocking, as an
 * io_uring read of it needs (io_uring completes reads of O_NONBLOCK files with -EAGAIN instead of
 * waiting); a consumer that poll()s it wants it non-blocking. Returns 0 or -errno. */
int spsc_queue_init(struct spsc_queue *q, size_t capacity, bool blocking_fd);
/* Frees the slots and closes the eventfd; items still queued are not freed (the caller drains
 * the queue first). Safe on a zeroed or failed queue. */
void spsc_queue_destroy(struct spsc_queue *q);

/* Producer side: false when the queue is full (the item stays the caller's). */
bool spsc_queue_push(struct spsc_queue *q, void *item);
/* Producer side: wakes the consumer. Returns 0 or -errno. */
int spsc_queue_notify(struct spsc_queue *q);

/* Consumer side: the oldest item, or NULL when empty. */
void *spsc_queue_pop(struct spsc_queue *q);
/* Consumer side, for a consumer that polls the eventfd itself: resets it. */
void spsc_queue_clear_wakeup(struct spsc_queue *q);

static inline int spsc_queue_fd(const struct spsc_queue *q)
{
	return q->efd;
}

#endif
