/* One worker's io_uring: the only file that includes liburing.h. It owns the ring, a provided
 * buffer ring (the packet buffers), one multishot recvmsg per registered socket, and the sends
 * that forward packets straight out of the receive buffers. Each CQE's user_data names its socket
 * slot, so a packet reaches its stream without lookup.
 *
 * Thread: created, used and freed by one worker thread (the ring is single-issuer).
 * Callbacks (ops) run from uring_loop_run() only, never from inside another uring_loop call. */
#ifndef MEDIAD_URING_LOOP_H
#define MEDIAD_URING_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "drop_reason.h"

struct relay_sock;
struct uring_loop;

struct uring_loop_ops {
	/* wake_fd became readable (and was read). */
	void (*wakeup)(void *arg);
	/* A socket given to uring_loop_close() is closed: no request refers to it any more, its fd
	 * is closed (sock->fd == -1) and its port can be bound again. */
	void (*sock_closed)(void *arg, struct relay_sock *sock);
};

struct uring_loop_stats {
	uint64_t received;  /* datagrams */
	uint64_t forwarded; /* sends performed (failed ones are taken back when they complete) */
	uint64_t dropped;   /* datagrams not forwarded */
	uint64_t send_errors;
	uint64_t no_buffers;      /* receives stopped because every buffer was in flight */
	uint64_t bytes_received;  /* payload bytes of the datagrams received */
	uint64_t bytes_forwarded; /* payload bytes of the sends performed */
	uint64_t drops[DROP_N];   /* dropped and send_errors by reason */
};

struct uring_loop_cfg {
	unsigned slots;   /* sockets it can hold at once */
	unsigned buffers; /* packet buffers, a power of two */
	int wake_fd;      /* a blocking eventfd to watch */
	const struct uring_loop_ops *ops;
	void *arg;
};

/* Sets up the ring in the calling thread. Returns 0, or -errno with err saying what the kernel
 * refused. */
int uring_loop_new(struct uring_loop **out, const struct uring_loop_cfg *cfg, char *err,
                   size_t errlen);
/* Tears the ring down; sockets still registered are left to their owner (not closed). */
void uring_loop_free(struct uring_loop *l);

/* Registers sock (fd open) and starts receiving on it. Returns 0 or -ENOSPC (no slot). */
int uring_loop_add(struct uring_loop *l, struct relay_sock *sock);
/* Stops receiving, waits for the socket's requests to end, closes it, then reports
 * ops->sock_closed. Packets still arriving for it are dropped. */
void uring_loop_close(struct uring_loop *l, struct relay_sock *sock);

/* Submits what is queued, waits up to timeout_ms for completions and handles them all. Returns
 * the number of completions handled, or -errno on a ring failure. */
int uring_loop_run(struct uring_loop *l, unsigned timeout_ms);

/* Hands the sends queued so far to the kernel now: a packet sent outside the ring afterwards
 * (a prompt's, with sendto) then leaves after them, in order. */
void uring_loop_submit(struct uring_loop *l);

const struct uring_loop_stats *uring_loop_stats(const struct uring_loop *l);

/* Checks, on throw-away sockets, that this kernel gives what the relay needs: io_uring, provided
 * buffer rings, multishot recvmsg, sends that post no completion on success and fail at once
 * (not later) on a full socket. Returns 0, or -errno with err saying what is missing. */
int uring_selftest(char *err, size_t errlen);

#endif
