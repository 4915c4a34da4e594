/* The worker thread: its ring, its sessions, the messages from the control thread, and the RTP
 * inactivity timer. Every reply that depends on sockets being closed (DELETE, UPDATE removing
 * streams, a failed ADD) waits on the session until the ring reports the last one closed. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fastpath.h"
#include "log.h"
#include "srtp_ctx.h"
#include "uring_loop.h"

#define TICK_MS    100
#define QUEUE_SIZE 4096

static void answer(struct worker *w, struct wmsg *m)
{
	m->next = NULL;
	if (!w->held && spsc_queue_push(&w->outbox, m)) {
		w->notify_pending = true;
		return;
	}
	/* Outbox full: keep order by holding this and everything after it. */
	if (w->held_last)
		w->held_last->next = m;
	else
		w->held = m;
	w->held_last = m;
}

static void flush_held(struct worker *w)
{
	while (w->held && spsc_queue_push(&w->outbox, w->held)) {
		w->held = w->held->next;
		w->notify_pending = true;
	}
	if (!w->held)
		w->held_last = NULL;
}

/* Answers m now, or after the session's closing sockets are gone. */
static void answer_when_closed(struct worker *w, struct relay_session *rs, struct wmsg *m)
{
	if (!rs->closing) {
		answer(w, m);
		return;
	}
	m->next = NULL;
	if (rs->waiting_last)
		rs->waiting_last->next = m;
	else
		rs->waiting = m;
	rs->waiting_last = m;
}

static void close_sock(struct worker *w, struct relay_session *rs, struct relay_sock *s)
{
	if (s->fd < 0)
		return;
	if (s->in_loop) {
		rs->closing++;
		uring_loop_close(w->loop, s);
		return;
	}
	close(s->fd);
	s->fd = -1;
	s->stream->open_socks--;
}

static void close_stream(struct worker *w, struct relay_session *rs, struct relay_stream *st)
{
	if (!st->removed)
		relay_apps_free(st, &w->sched, rs->deleting ? "session closed" : "stream removed");
	st->removed = true;
	for (int i = 0; i < 2; i++) {
		close_sock(w, rs, &st->leg[i].rtp);
		close_sock(w, rs, &st->leg[i].rtcp);
	}
}

static int start_stream(struct worker *w, struct relay_stream *st)
{
	for (int i = 0; i < 2; i++) {
		struct relay_sock *socks[2] = {&st->leg[i].rtp, &st->leg[i].rtcp};

		for (int j = 0; j < 2; j++) {
			if (socks[j]->fd < 0)
				continue;
			if (uring_loop_add(w->loop, socks[j]))
				return -ENOSPC;
			socks[j]->in_loop = true;
		}
	}
	return 0;
}

static void free_if_done(struct worker *w, struct relay_session *rs)
{
	if (rs->deleting && !rs->closing) {
		u32map_del(&w->sessions, rs->key);
		relay_session_free(rs);
	}
}

/* ring callback: one socket is closed for good. */
static void on_sock_closed(void *arg, struct relay_sock *sock)
{
	struct worker *w = arg;
	struct relay_session *rs = sock->stream->session;

	sock->in_loop = false;
	sock->stream->open_socks--;
	if (--rs->closing)
		return;
	while (rs->waiting) {
		struct wmsg *m = rs->waiting;

		rs->waiting = m->next;
		answer(w, m);
	}
	rs->waiting_last = NULL;
	free_if_done(w, rs);
}

/* A media application's event (relay_apps.c, cold): to the control thread as a message. */
static void on_app_event(void *arg, struct relay_session *rs, const struct relay_event *ev)
{
	struct worker *w = arg;
	struct wmsg *m = calloc(1, sizeof(*m));

	if (!m) {
		log_warn("worker", "worker %u: out of memory, an event of session %u is lost",
		         w->index, rs->key);
		return;
	}
	m->op = WMSG_EVENT;
	m->key = rs->key;
	m->ev = *ev;
	answer(w, m);
}

static void do_add(struct worker *w, struct wmsg *m, uint64_t now)
{
	struct relay_session *rs = m->session;
	int rc = 0;

	rs->last_rtp_ns = now;
	rs->on_event = on_app_event;
	rs->event_arg = w;
	if (u32map_put(&w->sessions, rs->key, rs)) {
		m->result = -ENOMEM; /* the session goes back with the message */
		answer(w, m);
		return;
	}
	m->session = NULL;
	for (uint32_t i = 0; i < rs->n_streams && !rc; i++)
		rc = start_stream(w, rs->streams[i]);
	if (rc) {
		m->result = rc;
		rs->deleting = true;
		for (uint32_t i = 0; i < rs->n_streams; i++)
			close_stream(w, rs, rs->streams[i]);
	}
	if (m->snap)
		relay_session_snapshot(rs, now, m->snap);
	answer_when_closed(w, rs, m);
	free_if_done(w, rs);
}

static void apply_change(struct relay_session *rs, struct relay_change *c)
{
	struct relay_leg *leg;

	if (c->index >= rs->n_streams || c->leg > 1 || rs->streams[c->index]->removed)
		return;
	leg = &rs->streams[c->index]->leg[c->leg];
	if (c->set_rtp) {
		relay_leg_set_remote(leg, &c->rtp, c->set_rtcp ? &c->rtcp : NULL, rs->strict);
	} else if (c->set_rtcp) {
		leg->remote_rtcp = c->rtcp;
		leg->rtcp_learnt = c->rtcp.len != 0;
		leg->pin_rtcp = rs->strict && c->rtcp.len;
	}
	if (c->direction)
		leg->direction = c->direction;
	if (c->set_srtp) {
		relay_leg_set_srtp(leg, c->srtp);
		c->srtp = NULL;
	}
}

static void do_update(struct worker *w, struct relay_session *rs, struct wmsg *m, uint64_t now)
{
	struct relay_update *u = m->update;
	bool held = relay_session_on_hold(rs);

	/* Out of the kernel before anything changes; the tick puts it back if it still fits. */
	fastpath_session_leave(rs);

	if (u->set_options) {
		relay_session_set_strict(rs, u->strict);
		rs->timeout_ns = u->timeout_ns;
		rs->hold_timeout_ns = u->hold_timeout_ns;
		rs->timeout_sent = false;
	}
	for (uint32_t i = 0; i < u->n_changes; i++)
		apply_change(rs, &u->changes[i]);
	relay_session_hold_check(rs, held, now);
	for (uint32_t i = 0; i < u->n_add && rs->n_streams < SESSION_MAX_STREAMS; i++) {
		struct relay_stream *st = u->add[i];

		u->add[i] = NULL;
		st->session = rs;
		rs->streams[rs->n_streams++] = st;
		if (start_stream(w, st)) {
			m->result = -ENOSPC;
			close_stream(w, rs, st);
		}
	}
	for (uint32_t i = 0; i < rs->n_streams; i++)
		if ((u->remove_mask & (1u << i)) && !rs->streams[i]->removed)
			close_stream(w, rs, rs->streams[i]);
	if (m->snap)
		relay_session_snapshot(rs, now, m->snap);
	answer_when_closed(w, rs, m);
}

static void do_delete(struct worker *w, struct relay_session *rs, struct wmsg *m, uint64_t now)
{
	/* Counters are final here: the streams stop forwarding from this instant (the kernel's
	 * entries are gone before the reply). */
	fastpath_session_leave(rs);
	if (m->snap)
		relay_session_snapshot(rs, now, m->snap);
	rs->deleting = true;
	for (uint32_t i = 0; i < rs->n_streams; i++)
		close_stream(w, rs, rs->streams[i]);
	answer_when_closed(w, rs, m);
	free_if_done(w, rs);
}

static void do_app(struct worker *w, struct relay_session *rs, struct wmsg *m, uint64_t now)
{
	struct wapp *a = &m->app;
	struct relay_stream *st = a->stream < rs->n_streams && !rs->streams[a->stream]->removed
	                              ? rs->streams[a->stream]
	                              : NULL;

	/* Out of the kernel before the application starts; the tick puts the stream back once
	 * nothing needs its packets (stream_needs_userspace). */
	fastpath_session_leave(rs);
	m->result = 0;
	if (!st || a->leg > 1) {
		m->result = -ENOENT;
	} else if (a->op == WAPP_ECHO) {
		if (!relay_apps_get(st))
			m->result = -ENOMEM;
		else
			relay_apps_set_echo(st, a->leg, a->on);
	} else if (a->op == WAPP_PLAY) {
		m->result = relay_apps_play(st, &w->sched, a->leg, a->prompt, now);
		if (!m->result)
			a->prompt = NULL;
	} else if (a->op == WAPP_STOP_PLAY) {
		if (!relay_apps_stop_play(st, &w->sched, a->leg))
			m->result = -ESRCH;
	} else if (a->op == WAPP_SEND_DTMF) {
		m->result =
		    relay_apps_send_dtmf(st, &w->sched, a->leg, a->digits, a->duration_ms, now);
	} else if (a->op == WAPP_REC_START) {
		m->result = relay_apps_record(st, a->rec, now);
		if (!m->result)
			a->rec = NULL;
	} else if (a->op == WAPP_REC_STOP) {
		if (!relay_apps_stop_record(st, &w->sched, now))
			m->result = -ESRCH;
	}
	answer(w, m);
}

static void handle(struct worker *w, struct wmsg *m, uint64_t now)
{
	struct relay_session *rs;

	m->result = 0;
	if (m->op == WMSG_ADD) {
		do_add(w, m, now);
		return;
	}
	rs = u32map_get(&w->sessions, m->key);
	if (!rs || rs->deleting) {
		m->result = -ENOENT;
		answer(w, m);
		return;
	}
	switch (m->op) {
	case WMSG_UPDATE:
		do_update(w, rs, m, now);
		break;
	case WMSG_DELETE:
		do_delete(w, rs, m, now);
		break;
	case WMSG_QUERY:
		fastpath_session_sync(rs);
		relay_session_snapshot(rs, now, m->snap);
		answer(w, m);
		break;
	case WMSG_APP:
		do_app(w, rs, m, now);
		break;
	default:
		m->result = -EINVAL;
		answer(w, m);
		break;
	}
}

/* ring callback: the inbox eventfd fired (and was read by the ring). */
static void on_wakeup(void *arg)
{
	struct worker *w = arg;
	uint64_t now = clock_mono_ns();
	struct wmsg *m;

	while ((m = spsc_queue_pop(&w->inbox)))
		handle(w, m, now);
}

/* RtpTimeout: once per idle period, which a packet on any stream ends (relay_packet). */
static void tick(struct worker *w, uint64_t now)
{
	struct relay_session *rs;

	for (size_t pos = 0; (rs = u32map_next(&w->sessions, &pos));) {
		struct wmsg *m;

		for (uint32_t i = 0; i < rs->n_streams; i++)
			if (rs->streams[i]->apps && !rs->streams[i]->removed)
				relay_apps_tick(rs->streams[i], now);
		/* The kernel's counters are read once a second per session (spread over the
		 * ticks), and at once before a timeout would be declared. */
		fastpath_session_refresh(rs, (now / (TICK_MS * 1000000ull) + rs->key) % 10 == 0);
		if (!relay_session_timed_out(rs, now))
			continue;
		fastpath_session_sync(rs);
		if (!relay_session_timed_out(rs, now))
			continue;
		m = calloc(1, sizeof(*m));
		if (!m)
			return; /* tried again next tick */
		m->op = WMSG_RTP_TIMEOUT;
		m->key = rs->key;
		m->idle_ms = relay_ns_since(now, rs->last_rtp_ns) / 1000000u;
		rs->timeout_sent = true;
		answer(w, m);
	}
}

static void publish(struct worker *w)
{
	const struct uring_loop_stats *st = uring_loop_stats(w->loop);

	atomic_store_explicit(&w->received, st->received, memory_order_relaxed);
	atomic_store_explicit(&w->forwarded, st->forwarded, memory_order_relaxed);
	atomic_store_explicit(&w->dropped, st->dropped + st->send_errors, memory_order_relaxed);
	atomic_store_explicit(&w->bytes_received, st->bytes_received, memory_order_relaxed);
	atomic_store_explicit(&w->bytes_forwarded, st->bytes_forwarded, memory_order_relaxed);
	atomic_store_explicit(&w->no_buffers, st->no_buffers, memory_order_relaxed);
	for (unsigned i = 0; i < DROP_N; i++)
		atomic_store_explicit(&w->drops[i], st->drops[i], memory_order_relaxed);
}

static void run(struct worker *w)
{
	uint64_t next_tick = clock_mono_ns() + TICK_MS * 1000000ull;

	while (!atomic_load_explicit(&w->stop, memory_order_acquire)) {
		uint64_t now = clock_mono_ns();
		uint64_t until =
		    w->sched.head && w->sched.next_ns < next_tick ? w->sched.next_ns : next_tick;
		/* Generated frames are due on a 20 ms grid: wake for them, not a ms later. */
		unsigned wait_ms = now >= until ? 0 : (unsigned)((until - now) / 1000000u);
		int rc = uring_loop_run(w->loop, wait_ms ? wait_ms : now >= until ? 0 : 1);

		if (rc < 0) {
			log_error("worker", "worker %u: io_uring wait failed: %s", w->index,
			          strerror(-rc));
			usleep(10000);
		}
		now = clock_mono_ns();
		if (now >= next_tick) {
			tick(w, now);
			next_tick = now + TICK_MS * 1000000ull;
		}
		if (relay_apps_due(&w->sched, now)) {
			uring_loop_submit(w->loop); /* relayed packets before generated ones */
			relay_apps_run(&w->sched, now);
		}
		flush_held(w);
		if (w->notify_pending) {
			w->notify_pending = false;
			spsc_queue_notify(&w->outbox);
		}
		publish(w);
	}
}

static void leave(struct worker *w, struct wmsg *m)
{
	m->next = w->leftover;
	w->leftover = m;
}

/* After the loop: the ring is gone, so no request refers to the sockets any more and sessions
 * can be freed (closing their fds). Messages still held go to the leftover list for the control
 * thread, unprocessed ones marked -ECANCELED. */
static void shutdown_sessions(struct worker *w)
{
	struct relay_session *rs;
	struct wmsg *m;

	while ((m = spsc_queue_pop(&w->inbox))) {
		m->result = -ECANCELED;
		leave(w, m);
	}
	for (size_t pos = 0; (rs = u32map_next(&w->sessions, &pos));) {
		while (rs->waiting) {
			m = rs->waiting;
			rs->waiting = m->next;
			leave(w, m);
		}
		for (uint32_t i = 0; i < rs->n_streams; i++)
			relay_apps_free(rs->streams[i], &w->sched, NULL);
		fastpath_session_leave(rs);
		relay_session_free(rs);
	}
	u32map_free(&w->sessions);
	while (w->held) {
		m = w->held;
		w->held = m->next;
		leave(w, m);
	}
}

/* A relay thread that sleeps between packets has to be woken for nearly every one; under normal
 * scheduling the wake-up can wait out the time slice of whatever else runs on the core, which
 * is the milliseconds of latency tail seen on a shared machine. SCHED_FIFO runs it at once. */
static void set_rt_priority(const struct worker *w)
{
	struct sched_param sp = {.sched_priority = w->rt_priority};
	int rc;

	if (!w->rt_priority)
		return;
	rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc)
		log_warn("worker",
		         "worker %u: cannot use SCHED_FIFO priority %d (%s): normal "
		         "scheduling, expect a longer latency tail when the core is busy",
		         w->index, w->rt_priority, strerror(rc));
	else
		log_info("worker", "worker %u: SCHED_FIFO priority %d", w->index, w->rt_priority);
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	static const struct uring_loop_ops ops = {on_wakeup, on_sock_closed};
	struct uring_loop_cfg cfg = {.slots = w->slots,
	                             .buffers = w->buffers,
	                             .wake_fd = spsc_queue_fd(&w->inbox),
	                             .ops = &ops,
	                             .arg = w};
	char name[16];

	snprintf(name, sizeof(name), "mediad-w%u", w->index);
	pthread_setname_np(pthread_self(), name);
	set_rt_priority(w);
	w->start_rc = uring_loop_new(&w->loop, &cfg, w->start_err, sizeof(w->start_err));
	sem_post(&w->started_sem);
	if (w->start_rc)
		return NULL;
	run(w);
	uring_loop_free(w->loop);
	w->loop = NULL;
	shutdown_sessions(w);
	return NULL;
}

int worker_start(struct worker *w, unsigned index, unsigned slots, unsigned buffers,
                 int rt_priority, char *err, size_t errlen)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->index = index;
	w->slots = slots;
	w->buffers = buffers;
	w->rt_priority = rt_priority;
	w->inbox.efd = w->outbox.efd = -1;
	rc = spsc_queue_init(&w->inbox, QUEUE_SIZE, true);
	if (!rc)
		rc = spsc_queue_init(&w->outbox, QUEUE_SIZE, false);
	if (!rc && sem_init(&w->started_sem, 0, 0))
		rc = -errno;
	if (!rc)
		rc = -pthread_create(&w->thread, NULL, thread_main, w);
	if (rc) {
		snprintf(err, errlen, "worker %u: %s", index, strerror(-rc));
		return rc;
	}
	w->started = true;
	while (sem_wait(&w->started_sem) && errno == EINTR)
		;
	if (w->start_rc) {
		snprintf(err, errlen, "worker %u: %s", index, w->start_err);
		return w->start_rc;
	}
	return 0;
}

void worker_stop(struct worker *w)
{
	if (!w->started)
		return;
	atomic_store_explicit(&w->stop, true, memory_order_release);
	spsc_queue_notify(&w->inbox);
	pthread_join(w->thread, NULL);
	sem_destroy(&w->started_sem);
	w->started = false;
}

void worker_destroy(struct worker *w)
{
	struct wmsg *m;

	while ((m = worker_take(w)))
		wmsg_free(m);
	spsc_queue_destroy(&w->inbox);
	spsc_queue_destroy(&w->outbox);
}

int worker_post(struct worker *w, struct wmsg *msg)
{
	if (!spsc_queue_push(&w->inbox, msg))
		return -EAGAIN;
	return spsc_queue_notify(&w->inbox);
}

struct wmsg *worker_take(struct worker *w)
{
	struct wmsg *m = spsc_queue_pop(&w->outbox);

	/* The leftover list is written by the thread before it ends; read only after the join. */
	if (!m && !w->started && w->leftover) {
		m = w->leftover;
		w->leftover = m->next;
	}
	return m;
}

int worker_outbox_fd(const struct worker *w)
{
	return spsc_queue_fd(&w->outbox);
}

void relay_update_free(struct relay_update *u)
{
	if (!u)
		return;
	for (uint32_t i = 0; i < u->n_add; i++)
		relay_stream_free(u->add[i]);
	for (uint32_t i = 0; i < u->n_changes; i++)
		srtp_ctx_free(u->changes[i].srtp);
	free(u);
}

void wmsg_free(struct wmsg *msg)
{
	if (!msg)
		return;
	relay_session_free(msg->session);
	relay_update_free(msg->update);
	free(msg->app.prompt);
	free(msg->snap);
	free(msg);
}
