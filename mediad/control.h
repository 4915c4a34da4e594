/* The control thread: the RPC socket, the session table, the port pool, the owners and the
 * workers. It answers requests (handlers in session_rpc.c and node_status.c), routes work to the
 * worker owning a session, turns worker answers into replies and events, and runs the
 * once-a-second jobs (samples for Ping, reaping sessions of silent owners).
 *
 * Everything here runs on the thread that called control_run(). Workers are reached only with
 * messages (control_post); their sessions and sockets are never touched from here. */
#ifndef MEDIAD_CONTROL_H
#define MEDIAD_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "mediad_config.h"
#include "metrics.h"
#include "metrics_http.h"
#include "owners.h"
#include "port_pool.h"
#include "rec_writer.h"
#include "rpc_auth.h"
#include "rpc_server.h"
#include "session_table.h"
#include "worker.h"

/* Ping's numbers, refreshed once a second. */
struct node_sample {
	uint64_t at_ms;
	uint64_t received;  /* datagrams, all workers, at at_ms */
	uint64_t cpu_us;    /* process user + system time at at_ms */
	uint64_t pps;       /* over the last interval */
	double cpu_percent; /* over the last interval, 100 = one core */
};

/* A message waiting at a worker for control's sake; lists kept per worker when its inbox is
 * full, sent in order as room appears. */
struct backlog {
	struct wmsg *head, *tail;
};

struct mediad {
	const struct mediad_config *cfg; /* borrowed */
	struct rpc_server *rpc;
	struct rpc_auth *auth;        /* NULL without keys */
	struct metrics_http *metrics; /* NULL without [metrics] listen */
	struct rec_writer *recorder;  /* the recording writer thread */
	unsigned n_recordings;        /* started and not yet complete */
	struct session_table *sessions;
	struct u32map closing; /* key -> session taken out of the table, not yet released */
	struct owners *owners;
	struct port_pool *pool;
	struct worker *workers;
	struct backlog *backlog; /* per worker */
	unsigned *load;          /* sessions per worker */
	unsigned n_workers, next_worker;
	unsigned live; /* sessions created and not yet freed (deleting ones included) */
	uint32_t last_key;
	uint64_t started_ms;
	uint64_t instance; /* random per start: clients see a restart when it changes */
	struct node_sample sample;
	struct metrics_media media_stats; /* sessions closed so far */
	bool stopping;
	bool draining; /* DrainRequest: no new sessions, live ones go on */
	/* An owner restarted: its old instance's sessions are looked for until then. */
	uint64_t reconcile_until_ms;
};

/* Sets up everything but the loop: port pool, workers (each with its ring), RPC socket. zctx
 * and cfg are borrowed. Returns 0 or -errno with err saying what failed. */
int control_new(struct mediad **out, const struct mediad_config *cfg, void *zctx, char *err,
                size_t errlen);
/* Serves until sigfd (a signalfd) reports SIGTERM or SIGINT, then closes every session (owners
 * get SessionClosed "node shutdown") and returns 0; -errno if the loop itself failed. */
int control_run(struct mediad *md, int sigfd);
void control_free(struct mediad *md);

/* The requests the node serves and their handlers (arg: struct mediad). */
extern const struct rpc_route control_routes[];
extern const size_t control_n_routes;

/* For the request handlers. */

/* Sends m to the worker of s (s->inflight counts it). Never fails: a full inbox keeps m in the
 * backlog until there is room. */
void control_post(struct mediad *md, struct session *s, struct wmsg *m);
/* The worker for a new session: the least loaded, ties taken in turn. */
unsigned control_pick_worker(struct mediad *md);
/* A fresh session key (non-zero, unused) and id ("<node_id>-<16 hex digits>"). */
void control_name_session(struct mediad *md, struct session *s);
/* A session's inactivity timeout in ms: its own, or [rtp] timeout_s; 0 = none. */
uint32_t control_timeout_ms(const struct mediad *md, uint32_t requested_ms);
/* Whether an event for s may go to its owner's routing id now (another key took the id over:
 * no). Logs the refusal. */
bool control_event_deliverable(struct mediad *md, const struct session *s);
/* The session of a worker's key: in the table, or closing (its worker still answers for it). */
struct session *control_session_by_key(struct mediad *md, uint32_t key);
/* Frees s once it is closed and no worker message refers to it any more. */
void control_release_session(struct mediad *md, struct session *s);

#endif
