/* io_uring mechanics of a worker. A received packet is forwarded from the very buffer the kernel
 * filled, so the packet path copies nothing and allocates nothing. Sends are MSG_DONTWAIT with
 * IOSQE_CQE_SKIP_SUCCESS: the kernel performs (or refuses, -EAGAIN) each one while it takes
 * the SQE in io_uring_enter, so once the SQ head has passed a send, its buffer goes back to the
 * buffer ring and its socket may close; only failed sends produce a completion. */
#include "uring_loop.h"

#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "relay.h"

/* A buffer holds io_uring's recvmsg header, the source address and the datagram; larger
 * datagrams arrive truncated (MSG_TRUNC) and are dropped. */
#define BUF_SIZE 2048u
#define BGID     0
#define SQ_SIZE  1024u
#define CQ_SIZE  16384u

enum op { OP_RECV = 1, OP_SEND, OP_WAKE, OP_CANCEL };

/* user_data: op (8 bits) | slot (24) | slot generation (16). */
#define UD(op, slot, gen) ((uint64_t)(op) | (uint64_t)(slot) << 24 | (uint64_t)(gen) << 48)
#define UD_OP(u)          ((unsigned)((u)&0xff))
#define UD_SLOT(u)        ((uint32_t)(((u) >> 24) & 0xffffff))
#define UD_GEN(u)         ((uint16_t)((u) >> 48))

struct slot {
	struct relay_sock *sock; /* NULL: free */
	uint32_t inflight;       /* sends from this socket the kernel has not taken yet */
	uint32_t next_free;
	uint16_t gen;
	bool armed;     /* multishot receive in flight */
	bool queued;    /* on the re-arm list */
	bool closing;   /* uring_loop_close() called */
	bool finishing; /* on the finish list */
};

/* A send whose SQE the kernel has not consumed yet: its buffer and socket stay in use. */
struct pending_send {
	unsigned sq_pos; /* the SQE's position in the SQ (sqe_tail when taken) */
	uint16_t bid;
	uint32_t slot;
};

struct uring_loop {
	struct io_uring ring;
	bool ring_ok;
	struct uring_loop_cfg cfg;
	struct slot *slots;
	uint32_t free_head; /* UINT32_MAX: none */
	uint32_t *rearm, n_rearm;
	uint32_t *finish, n_finish; /* slots ready to be closed and reported */
	struct io_uring_buf_ring *br;
	size_t br_bytes;
	uint8_t *bufs;
	unsigned buf_mask, recycled;
	struct msghdr rx_mh;       /* the shape of every multishot receive */
	struct pending_send *pend; /* ring of SQ_SIZE, oldest at pend_head */
	unsigned pend_head, n_pend;
	uint64_t wake_val;
	bool wake_unarmed; /* the wake-up read could not be queued; retried each round */
	struct uring_loop_stats stats;
};

static void recycle(struct uring_loop *l, unsigned bid)
{
	io_uring_buf_ring_add(l->br, l->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE,
	                      (unsigned short)bid, l->buf_mask, (int)l->recycled++);
}

static void maybe_finish(struct uring_loop *l, uint32_t idx);

/* Sends the kernel has taken are done (MSG_DONTWAIT: performed or failed at submission), so
 * their buffers and sockets are free again. */
static void release_sent(struct uring_loop *l)
{
	unsigned head = io_uring_smp_load_acquire(l->ring.sq.khead);

	while (l->n_pend) {
		struct pending_send *p = &l->pend[l->pend_head];

		if ((int)(head - p->sq_pos) <= 0)
			break;
		recycle(l, p->bid);
		l->slots[p->slot].inflight--;
		maybe_finish(l, p->slot);
		l->pend_head = (l->pend_head + 1) % SQ_SIZE;
		l->n_pend--;
	}
}

static struct io_uring_sqe *sqe_get(struct uring_loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) { /* SQ full: hand the batch to the kernel and continue */
		io_uring_submit(&l->ring);
		release_sent(l);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe;
}

static int arm_recv(struct uring_loop *l, uint32_t idx)
{
	struct slot *s = &l->slots[idx];
	struct io_uring_sqe *sqe = sqe_get(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recvmsg_multishot(sqe, s->sock->fd, &l->rx_mh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, UD(OP_RECV, idx, s->gen));
	s->armed = true;
	return 0;
}

static int arm_wake(struct uring_loop *l)
{
	struct io_uring_sqe *sqe = sqe_get(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_read(sqe, l->cfg.wake_fd, &l->wake_val, sizeof(l->wake_val), 0);
	io_uring_sqe_set_data64(sqe, UD(OP_WAKE, 0, 0));
	return 0;
}

static void queue_rearm(struct uring_loop *l, uint32_t idx)
{
	if (!l->slots[idx].queued) {
		l->slots[idx].queued = true;
		l->rearm[l->n_rearm++] = idx;
	}
}

/* A closing slot whose receive has ended and whose sends are done can be closed. */
static void maybe_finish(struct uring_loop *l, uint32_t idx)
{
	struct slot *s = &l->slots[idx];

	if (s->closing && !s->finishing && !s->armed && !s->inflight && s->sock) {
		l->finish[l->n_finish++] = idx;
		s->finishing = true;
	}
}

static void finish_closed(struct uring_loop *l)
{
	for (uint32_t i = 0; i < l->n_finish; i++) {
		struct slot *s = &l->slots[l->finish[i]];
		struct relay_sock *sock = s->sock;

		close(sock->fd);
		sock->fd = -1;
		s->sock = NULL;
		s->gen++;
		s->next_free = l->free_head;
		l->free_head = l->finish[i];
		l->cfg.ops->sock_closed(l->cfg.arg, sock);
	}
	l->n_finish = 0;
}

int uring_loop_add(struct uring_loop *l, struct relay_sock *sock)
{
	uint32_t idx = l->free_head;
	struct slot *s;

	if (idx == UINT32_MAX)
		return -ENOSPC;
	s = &l->slots[idx];
	l->free_head = s->next_free;
	s->sock = sock;
	s->inflight = 0;
	/* queued is left alone: it mirrors whether the slot still sits on the re-arm list. */
	s->armed = s->closing = s->finishing = false;
	sock->slot = idx;
	if (arm_recv(l, idx))
		queue_rearm(l, idx);
	return 0;
}

/* The receive ends with -ECANCELED and without F_MORE; that CQE finishes the slot. */
static int cancel_recv(struct uring_loop *l, uint32_t idx)
{
	struct io_uring_sqe *sqe = sqe_get(l);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, UD(OP_RECV, idx, l->slots[idx].gen), 0);
	io_uring_sqe_set_data64(sqe, UD(OP_CANCEL, idx, l->slots[idx].gen));
	return 0;
}

void uring_loop_close(struct uring_loop *l, struct relay_sock *sock)
{
	uint32_t idx = sock->slot;
	struct slot *s = &l->slots[idx];

	if (s->sock != sock || s->closing)
		return;
	s->closing = true;
	if (!s->armed)
		maybe_finish(l, idx);
	else if (cancel_recv(l, idx))
		queue_rearm(l, idx); /* the next round retries the cancel */
}

static void send_packet(struct uring_loop *l, unsigned bid, const uint8_t *p, uint32_t len,
                        const struct relay_fwd *fwd)
{
	uint32_t idx = fwd->out->slot;
	struct io_uring_sqe *sqe = sqe_get(l);

	if (!sqe) {
		l->stats.dropped++;
		l->stats.drops[DROP_QUEUE_FULL]++;
		recycle(l, bid);
		return;
	}
	/* A send with a destination (sendto; Linux 6.0): no msghdr to build or for the kernel to
	 * copy. The kernel reads the address when it takes the SQE (at submit), so pointing at
	 * the leg's current remote is safe even if a later packet re-latches it. MSG_DONTWAIT:
	 * a full socket fails the send (-EAGAIN, counted) instead of parking it, which is what
	 * lets release_sent() free the buffer as soon as the SQE is consumed. */
	io_uring_prep_send(sqe, fwd->out->fd, p, len, MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe->addr2 = (uint64_t)(uintptr_t)&fwd->to->u;
	sqe->addr_len = (uint16_t)fwd->to->len;
	io_uring_sqe_set_data64(sqe, UD(OP_SEND, idx, l->slots[idx].gen));
	l->pend[(l->pend_head + l->n_pend++) % SQ_SIZE] =
	    (struct pending_send){l->ring.sq.sqe_tail - 1, (uint16_t)bid, idx};
	l->slots[idx].inflight++;
	l->stats.forwarded++;
	l->stats.bytes_forwarded += len;
}

static void on_recv(struct uring_loop *l, const struct io_uring_cqe *cqe, uint64_t now)
{
	uint32_t idx = UD_SLOT(cqe->user_data);
	struct slot *s = &l->slots[idx];
	bool more = cqe->flags & IORING_CQE_F_MORE;
	unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	struct io_uring_recvmsg_out *o;
	struct relay_fwd fwd;
	uint8_t *payload;

	if (UD_GEN(cqe->user_data) != s->gen || !s->sock) { /* cannot happen: slots outlive CQEs */
		if (cqe->res >= 0 && (cqe->flags & IORING_CQE_F_BUFFER))
			recycle(l, bid);
		return;
	}
	if (!more)
		s->armed = false;
	if (cqe->res < 0) {
		if (cqe->res == -ENOBUFS)
			l->stats.no_buffers++;
	} else if (cqe->flags & IORING_CQE_F_BUFFER) {
		uint8_t *buf = l->bufs + (size_t)bid * BUF_SIZE;

		l->stats.received++;
		o = io_uring_recvmsg_validate(buf, cqe->res, &l->rx_mh);
		fwd.drop = s->closing ? DROP_CLOSING : DROP_MALFORMED;
		if (o)
			l->stats.bytes_received +=
			    io_uring_recvmsg_payload_length(o, cqe->res, &l->rx_mh);
		payload = o ? io_uring_recvmsg_payload(o, &l->rx_mh) : NULL;
		if (s->closing || !o ||
		    !relay_packet(
		        s->sock, payload, io_uring_recvmsg_payload_length(o, cqe->res, &l->rx_mh),
		        (uint32_t)(buf + BUF_SIZE - payload), o->flags & MSG_TRUNC,
		        io_uring_recvmsg_name(o),
		        o->namelen < l->rx_mh.msg_namelen ? o->namelen : l->rx_mh.msg_namelen, now,
		        &fwd)) {
			l->stats.dropped++;
			l->stats.drops[fwd.drop < DROP_N ? fwd.drop : DROP_MALFORMED]++;
			recycle(l, bid);
		} else {
			send_packet(l, bid, payload, fwd.len, &fwd);
		}
	}
	if (!more) {
		if (s->closing)
			maybe_finish(l, idx);
		else
			queue_rearm(l, idx);
	}
}

/* Only failed sends complete (IOSQE_CQE_SKIP_SUCCESS); their buffer was released already. */
static void on_send(struct uring_loop *l, const struct io_uring_cqe *cqe)
{
	if (cqe->res < 0) {
		l->stats.send_errors++;
		l->stats.drops[DROP_SEND_ERROR]++;
		l->stats.forwarded--;
	}
}

static void handle(struct uring_loop *l, const struct io_uring_cqe *cqe, uint64_t now)
{
	switch (UD_OP(cqe->user_data)) {
	case OP_RECV:
		on_recv(l, cqe, now);
		break;
	case OP_SEND:
		on_send(l, cqe);
		break;
	case OP_WAKE:
		/* Re-armed first so that a notify during the callback is not missed. */
		l->wake_unarmed = arm_wake(l) != 0;
		l->cfg.ops->wakeup(l->cfg.arg);
		break;
	default: /* OP_CANCEL: the receive's own last CQE is what counts */
		break;
	}
}

int uring_loop_run(struct uring_loop *l, unsigned timeout_ms)
{
	struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000,
	                               .tv_nsec = (long long)(timeout_ms % 1000) * 1000000};
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint32_t pending = l->n_rearm;
	uint64_t now;
	int rc;

	l->n_rearm = 0;
	if (l->wake_unarmed)
		l->wake_unarmed = arm_wake(l) != 0;
	for (uint32_t i = 0; i < pending; i++) {
		uint32_t idx = l->rearm[i];

		struct slot *sl = &l->slots[idx];

		sl->queued = false;
		if (!sl->sock || sl->armed != sl->closing)
			continue; /* free, closing and already stopped, or receiving */
		if (sl->closing ? cancel_recv(l, idx) : arm_recv(l, idx))
			queue_rearm(l, idx);
	}
	rc = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
	release_sent(l);
	if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
		return rc;
	now = clock_mono_ns();
	io_uring_for_each_cqe(&l->ring, head, cqe)
	{
		handle(l, cqe, now);
		n++;
	}
	io_uring_cq_advance(&l->ring, n);
	if (l->recycled) {
		io_uring_buf_ring_advance(l->br, (int)l->recycled);
		l->recycled = 0;
	}
	finish_closed(l);
	return (int)n;
}

void uring_loop_submit(struct uring_loop *l)
{
	if (io_uring_sq_ready(&l->ring)) {
		io_uring_submit(&l->ring);
		release_sent(l);
	}
}

const struct uring_loop_stats *uring_loop_stats(const struct uring_loop *l)
{
	return &l->stats;
}

/* Single issuer with deferred task work suits a ring used by one thread (Linux 6.1); older
 * kernels get cooperative task running, then plain defaults. */
static int ring_init(struct io_uring *ring, unsigned entries, unsigned cq_entries)
{
	static const unsigned tries[] = {
	    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	    IORING_SETUP_COOP_TASKRUN,
	    0,
	};
	int rc = -EINVAL;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = tries[i] | IORING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
		rc = io_uring_queue_init_params(entries, ring, &p);
		if (rc != -EINVAL)
			return rc;
	}
	return rc;
}

/* The buffer ring: page-aligned entries registered as group BGID, all buffers handed over. */
static int buf_ring_init(struct uring_loop *l, unsigned nbufs)
{
	struct io_uring_buf_reg reg;
	int rc;

	l->br_bytes = nbufs * sizeof(struct io_uring_buf);
	l->br = mmap(NULL, l->br_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (l->br == MAP_FAILED) {
		l->br = NULL;
		return -errno;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)l->br;
	reg.ring_entries = nbufs;
	reg.bgid = BGID;
	rc = io_uring_register_buf_ring(&l->ring, &reg, 0);
	if (rc)
		return rc;
	io_uring_buf_ring_init(l->br);
	l->buf_mask = (unsigned)io_uring_buf_ring_mask(nbufs);
	for (unsigned i = 0; i < nbufs; i++)
		recycle(l, i);
	io_uring_buf_ring_advance(l->br, (int)l->recycled);
	l->recycled = 0;
	return 0;
}

static int alloc_tables(struct uring_loop *l)
{
	unsigned n = l->cfg.slots, nb = l->cfg.buffers;

	l->slots = calloc(n, sizeof(*l->slots));
	l->rearm = calloc(n, sizeof(*l->rearm));
	l->finish = calloc(n, sizeof(*l->finish));
	l->pend = calloc(SQ_SIZE, sizeof(*l->pend));
	l->bufs = aligned_alloc(4096, (size_t)nb * BUF_SIZE);
	if (!l->slots || !l->rearm || !l->finish || !l->pend || !l->bufs)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		l->slots[i].next_free = i + 1 < n ? i + 1 : UINT32_MAX;
	l->free_head = 0;
	return 0;
}

int uring_loop_new(struct uring_loop **out, const struct uring_loop_cfg *cfg, char *err,
                   size_t errlen)
{
	struct uring_loop *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	l->rx_mh.msg_namelen = sizeof(struct sockaddr_in6);
	rc = alloc_tables(l);
	if (rc) {
		snprintf(err, errlen, "cannot allocate %u packet buffers", cfg->buffers);
		goto fail;
	}
	rc = ring_init(&l->ring, SQ_SIZE, CQ_SIZE);
	if (rc) {
		snprintf(
		    err, errlen,
		    "io_uring is not available (io_uring_setup: %s); mediad needs Linux 6.0 or "
		    "later with io_uring enabled (kernel.io_uring_disabled = 0, no seccomp "
		    "filter refusing it)",
		    strerror(-rc));
		goto fail;
	}
	l->ring_ok = true;
	rc = buf_ring_init(l, cfg->buffers);
	if (rc) {
		snprintf(err, errlen,
		         "io_uring cannot register a provided buffer ring (%s); mediad needs Linux "
		         "6.0 or later",
		         strerror(-rc));
		goto fail;
	}
	rc = arm_wake(l);
	if (rc) {
		snprintf(err, errlen, "cannot queue the wake-up read");
		goto fail;
	}
	*out = l;
	return 0;
fail:
	uring_loop_free(l);
	return rc;
}

void uring_loop_free(struct uring_loop *l)
{
	if (!l)
		return;
	if (l->ring_ok)
		io_uring_queue_exit(&l->ring);
	if (l->br)
		munmap(l->br, l->br_bytes);
	free(l->bufs);
	free(l->pend);
	free(l->finish);
	free(l->rearm);
	free(l->slots);
	free(l);
}

static void selftest_wake(void *arg)
{
	(void)arg;
}

static void selftest_closed(void *arg, struct relay_sock *sock)
{
	(void)arg;
	(void)sock;
}

static int udp_loopback(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)sa, sizeof(*sa)) ||
	    getsockname(fd, (struct sockaddr *)sa, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A send as send_packet() makes it: MSG_DONTWAIT, no completion on success. */
static void selftest_send(struct uring_loop *l, struct io_uring_sqe *sqe, int fd, const void *p,
                          unsigned len, const void *to, unsigned tolen)
{
	io_uring_prep_send(sqe, fd, p, len, MSG_DONTWAIT);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe->addr2 = (uint64_t)(uintptr_t)to;
	sqe->addr_len = (uint16_t)tolen;
	io_uring_sqe_set_data64(sqe, UD(OP_SEND, 0, 0));
	io_uring_submit(&l->ring);
}

/* Arms one multishot recvmsg on a loopback socket, sends it two datagrams with sendto() and a
 * third with an io_uring send shaped like the relay's, and expects three completions carrying
 * provided buffers, the first flagged F_MORE, and none for the send. */
static int selftest_multishot(struct uring_loop *l, char *err, size_t errlen)
{
	struct __kernel_timespec ts = {.tv_sec = 1};
	struct sockaddr_in sa, ta;
	int rx = udp_loopback(&sa), tx = udp_loopback(&ta), rc = 0, got = 0;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	const char *what = "multishot recvmsg with provided buffers";

	if (rx < 0 || tx < 0) {
		snprintf(err, errlen, "cannot open loopback UDP sockets for the io_uring check");
		rc = -EIO;
		goto out;
	}
	sqe = sqe_get(l);
	io_uring_prep_recvmsg_multishot(sqe, rx, &l->rx_mh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, UD(OP_RECV, 0, 0));
	io_uring_submit(&l->ring);
	for (int i = 0; i < 2; i++)
		if (sendto(tx, "\x80\0\0\0", 4, 0, (struct sockaddr *)&sa, sizeof(sa)) != 4)
			rc = -errno;
	selftest_send(l, sqe_get(l), tx, "\x80\0\0\1", 4, &sa, sizeof(sa));
	while (!rc && got < 3) {
		rc = io_uring_wait_cqe_timeout(&l->ring, &cqe, &ts);
		if (rc)
			break;
		if (UD_OP(cqe->user_data) == OP_SEND) {
			rc = cqe->res < 0 ? cqe->res : -EPROTO;
			what = "send with a destination address, MSG_DONTWAIT and "
			       "IOSQE_CQE_SKIP_SUCCESS";
		} else if (UD_OP(cqe->user_data) == OP_RECV) {
			if (cqe->res < 0)
				rc = cqe->res;
			else if (!(cqe->flags & IORING_CQE_F_BUFFER) ||
			         (got == 0 && !(cqe->flags & IORING_CQE_F_MORE)))
				rc = -EOPNOTSUPP;
			got++;
		}
		io_uring_cqe_seen(&l->ring, cqe);
	}
	if (!rc && !io_uring_peek_cqe(&l->ring, &cqe)) { /* a late completion of the send */
		rc = UD_OP(cqe->user_data) == OP_SEND && cqe->res < 0 ? cqe->res : -EPROTO;
		what = "send with a destination address, MSG_DONTWAIT and "
		       "IOSQE_CQE_SKIP_SUCCESS";
	}
	if (rc)
		snprintf(err, errlen,
		         "io_uring %s does not work here (%s); mediad needs Linux 6.0 or "
		         "later",
		         what, strerror(-rc));
out:
	if (rx >= 0)
		close(rx);
	if (tx >= 0)
		close(tx);
	return rc;
}

/* The relay frees a send's buffer as soon as the kernel has taken its SQE. That holds only if a
 * MSG_DONTWAIT send on a full socket fails at once instead of waiting for room (and reading
 * the buffer later): checked on a datagram pair whose send buffer is filled first. */
static int selftest_nowait(struct uring_loop *l, char *err, size_t errlen)
{
	int sv[2], small = 1, rc = -EPROTO;
	struct io_uring_cqe *cqe = NULL;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -errno;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)); /* the minimum */
	for (int i = 0; i < 100000 && send(sv[0], "x", 1, MSG_DONTWAIT) == 1; i++)
		;
	selftest_send(l, sqe_get(l), sv[0], "y", 1, NULL, 0);
	if (!io_uring_peek_cqe(&l->ring, &cqe)) {
		rc = cqe->res == -EAGAIN ? 0 : -EPROTO;
		io_uring_cqe_seen(&l->ring, cqe);
	}
	if (rc)
		snprintf(
		    err, errlen,
		    "io_uring keeps a MSG_DONTWAIT send on a full socket pending; mediad needs "
		    "it to fail at submission (Linux 6.0 or later)");
	close(sv[0]);
	close(sv[1]);
	return rc;
}

int uring_selftest(char *err, size_t errlen)
{
	static const struct uring_loop_ops ops = {selftest_wake, selftest_closed};
	struct uring_loop_cfg cfg = {.slots = 1, .buffers = 8, .ops = &ops};
	struct uring_loop *l = NULL;
	int rc;

	cfg.wake_fd = eventfd(0, EFD_CLOEXEC);
	if (cfg.wake_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	rc = uring_loop_new(&l, &cfg, err, errlen);
	if (!rc)
		rc = selftest_multishot(l, err, errlen);
	if (!rc)
		rc = selftest_nowait(l, err, errlen);
	uring_loop_free(l);
	close(cfg.wake_fd);
	return rc;
}
