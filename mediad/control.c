/* The control loop: poll() on the ROUTER fd, the signalfd and every worker's outbox eventfd;
 * each round drains requests, worker answers and the per-second jobs. Nothing in it blocks
 * longer than the poll timeout (100 ms), so timers stay on time under load. */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "apps_rpc.h"
#include "rec_rpc.h"
#include "clock.h"
#include "g711.h"
#include "fastpath.h"
#include "log.h"
#include "metrics.h"
#include "node_status.h"
#include "service_notify.h"
#include "session_rpc.h"

#define SHUTDOWN_GRACE_MS 3000
#define QUEUE_SLACK       16
#define REC_RING_FRAMES   4096 /* per worker, 2 MiB: 80 ms of 500 recorded calls */

const struct rpc_route control_routes[] = {
    {RPC_BODY(PING), "Ping", node_status_ping},
    {RPC_BODY(CREATE_SESSION), "CreateSession", session_rpc_create},
    {RPC_BODY(UPDATE_SESSION), "UpdateSession", session_rpc_update},
    {RPC_BODY(DELETE_SESSION), "DeleteSession", session_rpc_delete},
    {RPC_BODY(QUERY_SESSION), "QuerySession", session_rpc_query},
    {RPC_BODY(LIST_SESSIONS), "ListSessions", session_rpc_list},
    {RPC_BODY(DRAIN), "Drain", node_status_drain},
    {RPC_BODY(CLAIM_SESSIONS), "ClaimSessions", session_rpc_claim},
    {RPC_BODY(SET_ECHO), "SetEcho", apps_rpc_echo},
    {RPC_BODY(PLAY), "Play", apps_rpc_play},
    {RPC_BODY(STOP_PLAY), "StopPlay", apps_rpc_stop_play},
    {RPC_BODY(SEND_DTMF), "SendDtmf", apps_rpc_send_dtmf},
    {RPC_BODY(START_RECORDING), "StartRecording", rec_rpc_start},
    {RPC_BODY(STOP_RECORDING), "StopRecording", rec_rpc_stop},
};
const size_t control_n_routes = sizeof(control_routes) / sizeof(control_routes[0]);

static void on_seen(void *arg, const struct rpc_msg *msg)
{
	struct mediad *md = arg;
	uint64_t instance = msg->env ? msg->env->instance : 0;
	struct owner *ow =
	    owners_seen(md->owners, msg->rid, msg->rid_len, msg->user, instance, clock_mono_ms());
	char name[64];

	if (!ow)
		return;
	md->reconcile_until_ms =
	    ow->restart_ms + (uint64_t)md->cfg->owner_restart_grace_s * 1000u + 2000u;
	owner_name(ow, name, sizeof(name));
	log_notice("session",
	           "owner %s restarted (new instance %016llx): its %u earlier sessions close in "
	           "%ld s unless claimed",
	           name, (unsigned long long)instance, ow->refs, md->cfg->owner_restart_grace_s);
}

bool control_event_deliverable(struct mediad *md, const struct session *s)
{
	char name[64];

	(void)md;
	if (!s->owner->displaced)
		return true;
	owner_name(s->owner, name, sizeof(name));
	log_warn("session", "event for %s withheld: routing id %s is now used by another key",
	         s->id, name);
	return false;
}

void control_post(struct mediad *md, struct session *s, struct wmsg *m)
{
	struct backlog *b = &md->backlog[s->worker];

	s->inflight++;
	m->next = NULL;
	if (!b->head && !worker_post(&md->workers[s->worker], m))
		return;
	if (b->tail)
		b->tail->next = m;
	else
		b->head = m;
	b->tail = m;
}

static void flush_backlogs(struct mediad *md)
{
	for (unsigned i = 0; i < md->n_workers; i++) {
		struct backlog *b = &md->backlog[i];

		while (b->head) {
			struct wmsg *m = b->head, *next = m->next;

			if (worker_post(&md->workers[i], m))
				break;
			b->head = next;
		}
		if (!b->head)
			b->tail = NULL;
	}
}

unsigned control_pick_worker(struct mediad *md)
{
	unsigned best = md->next_worker % md->n_workers;

	for (unsigned k = 1; k < md->n_workers; k++) {
		unsigned i = (md->next_worker + k) % md->n_workers;

		if (md->load[i] < md->load[best])
			best = i;
	}
	md->next_worker = best + 1;
	return best;
}

void control_name_session(struct mediad *md, struct session *s)
{
	do {
		s->key = ++md->last_key;
	} while (!s->key || session_table_by_key(md->sessions, s->key));
	do {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = clock_mono_ns() ^ ((uint64_t)s->key << 32);
		snprintf(s->id, sizeof(s->id), "%.60s-%016llx", md->cfg->node_id,
		         (unsigned long long)r);
	} while (session_table_by_id(md->sessions, s->id));
}

uint32_t control_timeout_ms(const struct mediad *md, uint32_t requested_ms)
{
	return requested_ms ? requested_ms : (uint32_t)md->cfg->rtp_timeout_s * 1000u;
}

struct session *control_session_by_key(struct mediad *md, uint32_t key)
{
	struct session *s = session_table_by_key(md->sessions, key);

	return s ? s : u32map_get(&md->closing, key);
}

void control_release_session(struct mediad *md, struct session *s)
{
	if (!s->closed || s->inflight)
		return;
	if (u32map_get(&md->closing, s->key) == s)
		u32map_del(&md->closing, s->key);
	owners_put(md->owners, s->owner);
	session_free(s);
	md->live--;
}

static void rtp_timeout_event(struct mediad *md, const struct wmsg *m)
{
	struct session *s = session_table_by_key(md->sessions, m->key);
	RpcEvent ev = TANDEM__MEDIA__V1__EVENT__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcRtpTimeout rt = TANDEM__MEDIA__V1__RTP_TIMEOUT__INIT;
	char name[64];
	int rc;

	if (!s || s->deleting)
		return; /* closed meanwhile */
	if (!control_event_deliverable(md, s))
		return;
	ref.session_id = s->id;
	ref.call_id = s->call_id;
	rt.idle_ms = m->idle_ms;
	ev.session = &ref;
	ev.kind_case = TANDEM__MEDIA__V1__EVENT__KIND_RTP_TIMEOUT;
	ev.rtp_timeout = &rt;
	rc = rpc_server_event(md->rpc, s->owner->rid, s->owner->rid_len, &ev);
	owner_name(s->owner, name, sizeof(name));
	log_set_context(s->call_id);
	log_info("session", "no RTP on %s for %llu ms: RtpTimeout %s %s%s%s", s->id,
	         (unsigned long long)m->idle_ms, rc ? "not delivered to" : "sent to", name,
	         rc ? ": " : "", rc ? strerror(-rc) : "");
	log_set_context(NULL);
}

static void dispatch(struct mediad *md, struct wmsg *m)
{
	if (m->op == WMSG_RTP_TIMEOUT) {
		rtp_timeout_event(md, m);
		wmsg_free(m);
	} else if (m->op == WMSG_EVENT) {
		apps_rpc_event(md, m);
	} else if (m->op == WMSG_APP) {
		apps_rpc_answer(md, m);
	} else {
		session_rpc_answer(md, m);
	}
}

static void take_answers(struct mediad *md, struct worker *w)
{
	struct wmsg *m;

	while ((m = worker_take(w)))
		dispatch(md, m);
}

/* Sessions whose owner has sent nothing for [rtp] owner_timeout_s are closed. */
static void reap_silent_owners(struct mediad *md, uint64_t now)
{
	uint64_t limit = (uint64_t)md->cfg->owner_timeout_s * 1000u;
	unsigned n = 0, cap = session_table_count(md->sessions);
	struct session **victims, *s;
	char reason[64];

	if (!limit || !cap)
		return;
	victims = calloc(cap, sizeof(*victims));
	if (!victims)
		return;
	/* Collected first: closing a session changes the table. */
	for (size_t pos = 0; (s = session_table_next(md->sessions, &pos));)
		if (now - s->owner->last_seen_ms > limit)
			victims[n++] = s;
	for (unsigned i = 0; i < n; i++) {
		char name[64];

		owner_name(victims[i]->owner, name, sizeof(name));
		log_set_context(victims[i]->call_id);
		log_notice("session", "owner %s silent for more than %ld s: reaping %s", name,
		           md->cfg->owner_timeout_s, victims[i]->id);
		log_set_context(NULL);
		snprintf(reason, sizeof(reason), "owner silent for %ld s",
		         md->cfg->owner_timeout_s);
		session_rpc_close(md, victims[i], reason);
	}
	free(victims);
}

/* An owner that restarted (a new instance) no longer knows its earlier sessions: after the
 * grace period those still marked with an older instance are closed. */
static bool stale_instance(const struct mediad *md, const struct session *s, uint64_t now)
{
	const struct owner *ow = s->owner;

	return s->instance && ow->instance && s->instance != ow->instance &&
	       now - ow->restart_ms >= (uint64_t)md->cfg->owner_restart_grace_s * 1000u;
}

static void reap_restarted_owners(struct mediad *md, uint64_t now)
{
	unsigned n = 0, cap = session_table_count(md->sessions);
	struct session **victims, *s;

	/* The table is scanned only in the seconds after a restart was seen. */
	if (!cap || !md->reconcile_until_ms || now > md->reconcile_until_ms)
		return;
	victims = calloc(cap, sizeof(*victims));
	if (!victims)
		return;
	for (size_t pos = 0; (s = session_table_next(md->sessions, &pos));)
		if (stale_instance(md, s, now))
			victims[n++] = s;
	for (unsigned i = 0; i < n; i++) {
		char name[64];

		owner_name(victims[i]->owner, name, sizeof(name));
		log_set_context(victims[i]->call_id);
		log_notice("session", "owner %s restarted and did not claim %s: closing it", name,
		           victims[i]->id);
		log_set_context(NULL);
		session_rpc_close(md, victims[i], "owner restarted");
	}
	free(victims);
}

static void begin_shutdown(struct mediad *md)
{
	unsigned n = session_table_count(md->sessions), i = 0;
	struct session **all = calloc(n ? n : 1, sizeof(*all)), *s;

	md->stopping = true;
	if (!all)
		return;
	for (size_t pos = 0; (s = session_table_next(md->sessions, &pos));)
		all[i++] = s;
	if (n)
		log_notice("mediad", "closing %u sessions", n);
	for (i = 0; i < n; i++)
		session_rpc_close(md, all[i], "node shutdown");
	free(all);
}

/* Returns true when a stop signal arrived. */
static bool read_signal(int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si) || si.ssi_signo == SIGHUP)
		return false;
	log_notice("mediad", "signal %u: stopping", si.ssi_signo);
	return true;
}

int control_run(struct mediad *md, int sigfd)
{
	unsigned n = 6 + md->n_workers;
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	uint64_t now = clock_mono_ms(), next_second = now + 1000, deadline = 0;
	/* Pinged from this loop, so a loop stuck anywhere stops the pings. */
	uint64_t watchdog_ms = service_watchdog_interval_ms(), next_watchdog = now + watchdog_ms;
	int auth_fds[2] = {-1, -1};
	long metrics_wait;

	if (!pfd)
		return -ENOMEM;
	pfd[0] = (struct pollfd){.fd = rpc_server_fd(md->rpc), .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = sigfd, .events = POLLIN};
	for (unsigned i = 0; i < md->n_workers; i++)
		pfd[2 + i] =
		    (struct pollfd){.fd = worker_outbox_fd(&md->workers[i]), .events = POLLIN};
	/* ZAP and the handshake monitor; fd -1 is skipped by poll(). */
	if (md->auth)
		rpc_auth_fds(md->auth, auth_fds);
	pfd[2 + md->n_workers] = (struct pollfd){.fd = auth_fds[0], .events = POLLIN};
	pfd[3 + md->n_workers] = (struct pollfd){.fd = auth_fds[1], .events = POLLIN};
	pfd[4 + md->n_workers] =
	    (struct pollfd){.fd = metrics_http_fd(md->metrics), .events = POLLIN};
	pfd[5 + md->n_workers] =
	    (struct pollfd){.fd = rec_writer_fd(md->recorder), .events = POLLIN};
	node_status_sample(md, now);
	for (;;) {
		uint64_t wait;

		flush_backlogs(md);
		if (md->auth)
			rpc_auth_drain(md->auth, clock_mono_ms());
		rpc_server_drain(md->rpc);
		now = clock_mono_ms();
		if (md->stopping && (!md->live || now >= deadline))
			break;
		wait = next_second > now ? next_second - now : 0;
		if (watchdog_ms && (next_watchdog > now ? next_watchdog - now : 0) < wait)
			wait = next_watchdog > now ? next_watchdog - now : 0;
		metrics_wait = metrics_http_timeout_ms(md->metrics);
		if (metrics_wait >= 0 && (uint64_t)metrics_wait < wait)
			wait = (uint64_t)metrics_wait;
		if (poll(pfd, n, wait < 100 ? (int)wait : 100) < 0 && errno != EINTR) {
			free(pfd);
			return -errno;
		}
		if ((pfd[1].revents & POLLIN) && read_signal(sigfd) && !md->stopping) {
			service_stopping();
			begin_shutdown(md);
			deadline = clock_mono_ms() + SHUTDOWN_GRACE_MS;
		}
		for (unsigned i = 0; i < md->n_workers; i++) {
			if (pfd[2 + i].revents & POLLIN) {
				spsc_queue_clear_wakeup(&md->workers[i].outbox);
				take_answers(md, &md->workers[i]);
			}
		}
		if (pfd[5 + md->n_workers].revents & POLLIN) {
			rec_writer_clear(md->recorder);
			rec_rpc_done(md);
		}
		/* MHD's contract: run after any poll that its timeout bounded, or its fd woke. */
		if (metrics_wait >= 0 || (pfd[4 + md->n_workers].revents & POLLIN))
			metrics_http_run(md->metrics);
		now = clock_mono_ms();
		if (watchdog_ms && now >= next_watchdog) {
			service_watchdog();
			next_watchdog = now + watchdog_ms;
		}
		if (now >= next_second) {
			node_status_sample(md, now);
			reap_silent_owners(md, now);
			reap_restarted_owners(md, now);
			/* Also once a second: MHD takes its listening socket back after it was at
			 * the connection cap only when run, and nothing else wakes it then. */
			metrics_http_run(md->metrics);
			next_second = now + 1000;
		}
	}
	if (md->live)
		log_warn("mediad", "%u sessions still closing at exit", md->live);
	free(pfd);
	return 0;
}

static unsigned worker_count(const struct mediad_config *cfg)
{
	long n = cfg->workers ? cfg->workers : sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

static int start_workers(struct mediad *md, char *err, size_t errlen)
{
	unsigned slots = 2 * port_pool_total(md->pool) + QUEUE_SLACK;

	md->n_workers = worker_count(md->cfg);
	md->workers = calloc(md->n_workers, sizeof(*md->workers));
	md->backlog = calloc(md->n_workers, sizeof(*md->backlog));
	md->load = calloc(md->n_workers, sizeof(*md->load));
	if (!md->workers || !md->backlog || !md->load) {
		md->n_workers = 0;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < md->n_workers; i++) {
		int rc = worker_start(&md->workers[i], i, slots, (unsigned)md->cfg->worker_buffers,
		                      (int)md->cfg->worker_rt_priority, err, errlen);

		if (rc) {
			/* Workers [0, i] exist (i may have a thread); free() stops them. */
			md->n_workers = i + 1;
			return rc;
		}
	}
	return 0;
}

int control_new(struct mediad **out, const struct mediad_config *cfg, void *zctx, char *err,
                size_t errlen)
{
	struct mediad *md = calloc(1, sizeof(*md));
	struct rpc_server_cfg rc_cfg = {
	    .endpoint = cfg->rpc_endpoint,
	    .routes = control_routes,
	    .n_routes = control_n_routes,
	    .seen = on_seen,
	    .arg = md,
	    .secret_key = cfg->auth ? cfg->server_key.secret_key : NULL,
	    .clients = cfg->auth ? &cfg->clients : NULL,
	};
	int rc;

	if (!md)
		return -ENOMEM;
	md->cfg = cfg;
	md->started_ms = clock_mono_ms();
	g711_init();
	if (getrandom(&md->instance, sizeof(md->instance), 0) != sizeof(md->instance) ||
	    !md->instance)
		md->instance = clock_mono_ns() | 1;
	rc_cfg.instance = md->instance;
	rc = port_pool_new(&md->pool, cfg->bind_ip, (unsigned)cfg->port_min,
	                   (unsigned)cfg->port_max);
	if (!rc) {
		unsigned start = 0;

		/* A random first pair: the ports of the process before us may still get packets. */
		if (getrandom(&start, sizeof(start), 0) != (ssize_t)sizeof(start))
			start = (unsigned)clock_mono_ms();
		port_pool_start_at(md->pool, start);
	}
	if (rc) {
		snprintf(err, errlen, "[rtp] port_min/port_max: no even/odd port pair in %ld-%ld",
		         cfg->port_min, cfg->port_max);
		goto fail;
	}
	port_pool_publish(md->pool, cfg->policy.held);
	rc = session_table_new(&md->sessions);
	if (!rc)
		rc = owners_new(&md->owners);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cfg->auth) {
		/* ZAP first: a CURVE socket bound without a handler lets every key in. */
		rc = rpc_auth_new(&md->auth, zctx, &cfg->clients);
		if (rc) {
			snprintf(err, errlen, "cannot start the RPC key check: %s", strerror(-rc));
			goto fail;
		}
	}
	rc = rpc_server_new(&md->rpc, zctx, &rc_cfg, err, errlen);
	if (!rc && md->auth && rpc_auth_watch(md->auth, zctx, rpc_server_socket(md->rpc)))
		log_warn("rpc", "handshake failures will not be logged");
	if (!rc) {
		fastpath_start(cfg);
		rc = start_workers(md, err, errlen);
	}
	if (!rc) {
		rc = rec_writer_new(&md->recorder, md->n_workers, REC_RING_FRAMES);
		if (rc)
			snprintf(err, errlen, "cannot start the recording writer: %s",
			         strerror(-rc));
	}
	if (!rc && cfg->metrics_listen)
		rc = metrics_http_new(&md->metrics, cfg->metrics_listen, metrics_render, md, err,
		                      errlen);
	if (rc)
		goto fail;
	*out = md;
	return 0;
fail:
	control_free(md);
	return rc;
}

void control_free(struct mediad *md)
{
	struct session *s;

	if (!md)
		return;
	/* Workers first: they close their sessions' sockets. Their last answers are handled
	 * like any other, so pending records and ports are settled too. */
	for (unsigned i = 0; i < md->n_workers; i++)
		worker_stop(&md->workers[i]);
	for (unsigned i = 0; i < md->n_workers; i++) {
		struct backlog *b = &md->backlog[i];

		while (b->head) {
			struct wmsg *m = b->head;

			b->head = m->next;
			m->result = -ECANCELED;
			dispatch(md, m);
		}
		take_answers(md, &md->workers[i]);
	}
	/* Recordings the stopped workers left open are finalized, their held answers sent. */
	if (md->recorder) {
		rec_writer_stop(md->recorder);
		rec_rpc_done(md);
	}
	for (unsigned i = 0; i < md->n_workers; i++)
		worker_destroy(&md->workers[i]);
	while (md->sessions && (s = session_table_next(md->sessions, &(size_t){0}))) {
		session_table_remove(md->sessions, s);
		s->closed = true;
		control_release_session(md, s);
	}
	fastpath_stop();
	metrics_http_free(md->metrics);
	rec_writer_free(md->recorder);
	free(md->workers);
	free(md->backlog);
	free(md->load);
	rpc_server_free(md->rpc);
	rpc_auth_free(md->auth);
	session_table_free(md->sessions);
	u32map_free(&md->closing);
	owners_free(md->owners);
	port_pool_free(md->pool);
	free(md);
}
