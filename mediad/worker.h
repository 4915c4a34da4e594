/* A relay worker: one thread, one io_uring (uring_loop), the sessions placed on it. The control
 * thread talks to it only through messages: wmsg structures pushed on the worker's inbox (an
 * SPSC queue whose eventfd the ring reads) and returned, answered, on its outbox (an SPSC queue
 * whose eventfd the control thread polls). A message belongs to whoever holds it; the worker
 * hands every message it receives back, plus RTP-timeout events it creates itself.
 *
 * The worker never blocks on the control thread and the control thread never touches a
 * worker's sessions or sockets: they go in whole with WMSG_ADD and come out as snapshots. */
#ifndef MEDIAD_WORKER_H
#define MEDIAD_WORKER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "relay.h"
#include "relay_apps.h"
#include "session_snapshot.h"
#include "spsc_queue.h"
#include "u32map.h"

enum wmsg_op {
	WMSG_ADD,         /* adopt msg->session (ownership moves to the worker) and start it */
	WMSG_UPDATE,      /* apply msg->update to session msg->key */
	WMSG_DELETE,      /* stop session msg->key; answered once its sockets are closed */
	WMSG_QUERY,       /* snapshot session msg->key */
	WMSG_RTP_TIMEOUT, /* worker -> control: no RTP on msg->key for msg->idle_ms */
	WMSG_APP,         /* apply msg->app to session msg->key (a media application) */
	WMSG_EVENT,       /* worker -> control: msg->ev happened on session msg->key */
};

/* A media application request (relay_apps.h) for one leg of one stream. */
enum wapp_op {
	WAPP_ECHO,
	WAPP_PLAY,
	WAPP_STOP_PLAY,
	WAPP_SEND_DTMF,
	WAPP_REC_START,
	WAPP_REC_STOP
};

struct wapp {
	enum wapp_op op;
	uint32_t stream;
	uint8_t leg;
	bool on;               /* ECHO */
	struct prompt *prompt; /* PLAY: owned by the message until the worker takes it */
	char digits[33];       /* SEND_DTMF */
	uint32_t duration_ms;  /* SEND_DTMF: per digit */
	struct recording *rec; /* REC_START: the control thread's until the worker takes it */
};

/* A change of one leg of one stream (UpdateSession.streams[]). */
struct relay_change {
	uint32_t index;
	uint8_t leg;
	bool set_rtp, set_rtcp; /* false: unchanged; rtp without rtcp: rtcp derived */
	struct net_addr rtp, rtcp;
	uint8_t direction;     /* 0: unchanged */
	bool set_srtp;         /* replace the leg's SRTP with srtp (NULL: plain) */
	struct srtp_ctx *srtp; /* owned by the change until applied */
};

struct relay_update {
	uint32_t n_changes;
	struct relay_change changes[2 * SESSION_MAX_STREAMS];
	uint32_t n_add;
	struct relay_stream *add[SESSION_MAX_STREAMS]; /* appended; they move to the session */
	uint32_t remove_mask;                          /* bit i: close stream i */
	bool set_options;
	bool strict;
	uint64_t timeout_ns;
	uint64_t hold_timeout_ns;
};

struct wmsg {
	enum wmsg_op op;
	uint32_t key;                  /* session */
	int result;                    /* set by the worker: 0 or -errno */
	void *ctx;                     /* the control thread's; the worker never reads it */
	struct relay_session *session; /* ADD */
	struct relay_update *update;   /* UPDATE; streams in it are moved out by the worker */
	struct session_snapshot *snap; /* ADD/UPDATE/DELETE/QUERY: filled by the worker */
	uint64_t idle_ms;              /* RTP_TIMEOUT */
	struct wapp app;               /* APP */
	struct relay_event ev;         /* EVENT */
	struct wmsg *next;             /* list link of whichever side holds the message */
};

struct worker {
	unsigned index;
	pthread_t thread;
	bool started;
	struct spsc_queue inbox;  /* control -> worker */
	struct spsc_queue outbox; /* worker -> control */
	/* Published by the worker after each round, read by the control thread (relaxed). */
	atomic_uint_fast64_t received, forwarded, dropped;
	atomic_uint_fast64_t bytes_received, bytes_forwarded, no_buffers;
	atomic_uint_fast64_t drops[DROP_N]; /* by reason */
	atomic_bool stop;
	/* Worker-private below. */
	struct uring_loop *loop;
	struct u32map sessions;        /* key -> relay_session */
	struct wmsg *held, *held_last; /* answers that did not fit the outbox yet */
	bool notify_pending;           /* answers queued since the last outbox notify */
	struct wmsg *leftover;         /* messages held when the thread ended */
	unsigned slots, buffers;
	int rt_priority; /* SCHED_FIFO priority asked for; 0: normal scheduling */
	uint64_t next_tick_ns;
	struct app_sched sched; /* legs generating packets (prompts, digits) */
	sem_t started_sem;      /* posted by the thread once start_rc is set */
	int start_rc;
	char start_err[256];
};

/* Starts the thread and waits until its ring is up. slots: sockets it may hold; buffers: packet
 * buffers (power of two); rt_priority: SCHED_FIFO priority for the thread, 0 for normal
 * scheduling (when the system refuses it, the thread logs a warning and runs normally).
 * Returns 0, or -errno with err filled (e.g. io_uring refused). */
int worker_start(struct worker *w, unsigned index, unsigned slots, unsigned buffers,
                 int rt_priority, char *err, size_t errlen);
/* Stops and joins the thread; sessions still on it are closed and freed. Messages it still held
 * remain for worker_take() (those it never processed with result -ECANCELED). Safe on a worker
 * that failed to start. */
void worker_stop(struct worker *w);
/* After worker_stop(): frees any message not taken and the queues. */
void worker_destroy(struct worker *w);

/* Control thread: queues msg for the worker. Returns 0 or -EAGAIN (inbox full: msg stays the
 * caller's). */
int worker_post(struct worker *w, struct wmsg *msg);
/* Control thread: the next answered message, or NULL. Reset the outbox eventfd first. After
 * worker_stop() it also returns the messages the worker still held. */
struct wmsg *worker_take(struct worker *w);
int worker_outbox_fd(const struct worker *w);

/* Frees an update and whatever it still owns (added streams, SRTP contexts). Accepts NULL. */
void relay_update_free(struct relay_update *u);
/* Frees a message and whatever it still owns (an unadopted session, update streams). */
void wmsg_free(struct wmsg *msg);

#endif
