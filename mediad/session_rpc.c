/* Session requests. A handler checks the request, changes the control thread's session, and
 * posts a message to the session's worker with a pending record as context; the reply is sent
 * when the worker answers (session_rpc_answer). Deleting takes the session out of the table at
 * once, so later requests for it find nothing, but its ports return to the pool only after the
 * worker has closed its sockets, and only then is the reply sent. */
#include "session_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "pb_arena.h"
#include "session_build.h"
#include "session_info.h"

#define CREATE_REPLY RPC_BODY(CREATE_SESSION_REPLY)
#define UPDATE_REPLY RPC_BODY(UPDATE_SESSION_REPLY)
#define DELETE_REPLY RPC_BODY(DELETE_SESSION_REPLY)
#define QUERY_REPLY  RPC_BODY(QUERY_SESSION_REPLY)

enum pend_kind { P_CREATE, P_UPDATE, P_DELETE, P_CLOSE, P_QUERY, P_LIST_ITEM };

/* One ListSessions in progress: the SessionInfo of each session as its worker answers. */
struct list_req {
	struct rpc_peer peer;
	unsigned outstanding;
	size_t n;
	RpcSessionInfo **infos; /* in arena */
	struct pb_arena arena;
};

struct pending {
	enum pend_kind kind;
	struct rpc_peer peer;
	struct session *s;     /* kept alive by s->inflight */
	struct list_req *list; /* P_LIST_ITEM */
	size_t list_index;     /* P_LIST_ITEM: the entry its answer fills */
	uint32_t added_from;   /* P_UPDATE: first stream index the request added */
	char reason[128];
};

static struct pending *pending_new(enum pend_kind kind, const struct rpc_peer *peer,
                                   struct session *s)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->kind = kind;
	if (peer)
		p->peer = *peer;
	p->s = s;
	return p;
}

static struct wmsg *msg_new(enum wmsg_op op, struct session *s, struct pending *p)
{
	struct wmsg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->op = op;
	m->key = s->key;
	m->ctx = p;
	m->snap = calloc(1, sizeof(*m->snap));
	if (!m->snap) {
		free(m);
		return NULL;
	}
	return m;
}

static struct session_info_ctx info_ctx(const struct mediad *md, const struct session *s)
{
	struct session_info_ctx c = {
	    .advertise_ip = md->cfg->advertise_ip,
	    .timeout_ms = control_timeout_ms(md, s->timeout_ms),
	    .now_ms = clock_mono_ms(),
	};

	return c;
}

/* Sends a reply of type body: one of the four that carry status + session (s may be NULL for a
 * refusal), or a ListSessionsReply refusal. */
static void reply_session(struct mediad *md, const struct rpc_peer *peer, int body,
                          const struct session *s, const struct session_snapshot *snap, int code,
                          const char *text)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	RpcCreateSessionReply cr = TANDEM__MEDIA__V1__CREATE_SESSION_REPLY__INIT;
	RpcUpdateSessionReply ur = TANDEM__MEDIA__V1__UPDATE_SESSION_REPLY__INIT;
	RpcDeleteSessionReply dr = TANDEM__MEDIA__V1__DELETE_SESSION_REPLY__INIT;
	RpcQuerySessionReply qr = TANDEM__MEDIA__V1__QUERY_SESSION_REPLY__INIT;
	RpcListSessionsReply lr = TANDEM__MEDIA__V1__LIST_SESSIONS_REPLY__INIT;
	struct pb_arena a = {0};
	RpcSessionInfo *info = NULL;

	if (s) {
		struct session_info_ctx ctx = info_ctx(md, s);

		info = session_info_build(&a, s, snap, &ctx);
	}
	if (!info && !code) {
		code = RPC_INTERNAL;
		text = "out of memory";
	}
	st.code = code;
	st.message = (char *)(text ? text : "");
	env.body_case = body;
	if (body == RPC_BODY(CREATE_SESSION_REPLY)) {
		cr.status = &st;
		cr.session = info;
		env.create_session_reply = &cr;
	} else if (body == RPC_BODY(UPDATE_SESSION_REPLY)) {
		ur.status = &st;
		ur.session = info;
		env.update_session_reply = &ur;
	} else if (body == RPC_BODY(DELETE_SESSION_REPLY)) {
		dr.status = &st;
		dr.session = info;
		env.delete_session_reply = &dr;
	} else if (body == RPC_BODY(QUERY_SESSION_REPLY)) {
		qr.status = &st;
		qr.session = info;
		env.query_session_reply = &qr;
	} else {
		lr.status = &st;
		env.list_sessions_reply = &lr;
	}
	rpc_server_reply(md->rpc, peer, &env);
	pb_arena_free(&a);
}

/* A refused request gets a reply of its own type carrying the status; ErrorReply is kept for
 * messages that are not usable requests at all (rpc_server.c). */
static void fail(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                 const char *text)
{
	log_warn("rpc", "request %llu refused: %s (%s)", (unsigned long long)peer->request_id,
	         rpc_status_name(code), text);
	reply_session(md, peer, body, NULL, NULL, code, text);
}

/* Only the owner (same key and routing id) touches a session; an admin key touches any. Without
 * keys every client is admin, as the RPC always was. */
bool session_rpc_may_touch(const struct rpc_peer *peer, const struct session *s)
{
	const struct owner *ow = s->owner;

	return peer->admin ||
	       (ow->rid_len == peer->rid_len && memcmp(ow->rid, peer->rid, peer->rid_len) == 0 &&
	        strcmp(ow->user, peer->user) == 0);
}

/* Finds the session a SessionRef names, or answers the error itself and returns NULL. */
static struct session *find_ref(struct mediad *md, const struct rpc_peer *peer, int body,
                                const RpcSessionRef *ref)
{
	struct session *s = NULL;
	char text[192];

	if (!ref ||
	    ((!ref->session_id || !ref->session_id[0]) && (!ref->call_id || !ref->call_id[0]))) {
		fail(md, peer, body, RPC_BAD_REQUEST,
		     "session: a session_id or a call_id is required");
		return NULL;
	}
	if (ref->session_id && ref->session_id[0])
		s = session_table_by_id(md->sessions, ref->session_id);
	else
		s = session_table_by_call(md->sessions, ref->call_id);
	if (!s) {
		snprintf(text, sizeof(text), "no session %.80s on this node",
		         ref->session_id && ref->session_id[0] ? ref->session_id : ref->call_id);
		fail(md, peer, body, RPC_NOT_FOUND, text);
	} else if (!session_rpc_may_touch(peer, s)) {
		snprintf(text, sizeof(text), "session %.80s belongs to another client", s->id);
		fail(md, peer, body, RPC_FORBIDDEN, text);
		s = NULL;
	}
	return s;
}

static struct build_env build_env_of(const struct mediad *md, bool strict)
{
	struct build_env env = {
	    .pool = md->pool,
	    .family = port_pool_family(md->pool),
	    .strict = strict,
	    .policy = &md->cfg->policy,
	    .learn_ns = (uint64_t)md->cfg->latch_learn_ms * 1000000u,
	    .relearn_ns = (uint64_t)md->cfg->latch_relearn_ms * 1000000u,
	};

	return env;
}

static void log_ports(const struct session *s, const char *what)
{
	char line[512];
	size_t n = 0;

	for (uint32_t i = 0; i < s->n_streams && n < sizeof(line) - 40; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %u:%u/%u", i,
		                      s->streams[i].port[0], s->streams[i].port[1]);
	log_info("session", "%s %s on worker %u, ports (A/B)%s", what, s->id, s->worker,
	         n ? line : " none");
}

/* Undoes a create that never reached a worker. */
static void drop_unposted(struct mediad *md, struct session *s, struct relay_session *rs)
{
	relay_session_free(rs); /* closes the sockets */
	for (uint32_t i = 0; i < s->n_streams; i++)
		session_build_release(md->pool, &s->streams[i]);
	session_table_remove(md->sessions, s);
	owners_put(md->owners, s->owner);
	session_free(s);
}

static int create_checks(struct mediad *md, const struct rpc_peer *peer,
                         const RpcCreateSessionRequest *r, char *text, size_t len)
{
	const struct owner *ow;
	unsigned held;

	if (md->stopping || md->draining) {
		snprintf(text, len, "node is %s", md->stopping ? "shutting down" : "draining");
		return RPC_OVERLOADED;
	}
	/* With keys the quota is the key's, whatever routing ids it uses. */
	ow = owners_find(md->owners, peer->rid, peer->rid_len, peer->user);
	held = peer->user[0] ? owners_key_sessions(md->owners, peer->user) : ow ? ow->refs : 0;
	if (md->cfg->owner_max_sessions && held >= md->cfg->owner_max_sessions) {
		snprintf(text, len, "quota of %ld sessions per %s reached",
		         md->cfg->owner_max_sessions, peer->user[0] ? "key" : "owner");
		return RPC_FORBIDDEN;
	}
	if (!r->call_id || !r->call_id[0]) {
		snprintf(text, len, "call_id is required");
		return RPC_BAD_REQUEST;
	}
	if (session_table_by_call(md->sessions, r->call_id)) {
		snprintf(text, len, "a session for call %.128s exists on this node", r->call_id);
		return RPC_ALREADY_EXISTS;
	}
	return RPC_OK;
}

void session_rpc_create(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const RpcCreateSessionRequest *r = req->create_session;
	const RpcSessionOptions *o = r->options;
	struct relay_session *rs = NULL;
	struct build_env env = build_env_of(md, o && o->strict_source);
	struct session *s;
	struct pending *p;
	struct wmsg *m;
	char text[256];
	int code = create_checks(md, peer, r, text, sizeof(text));

	if (code) {
		fail(md, peer, CREATE_REPLY, code, text);
		return;
	}
	s = session_new(r->call_id, r->owner, r->leg_a ? r->leg_a->tag : NULL,
	                r->leg_b ? r->leg_b->tag : NULL);
	if (!s) {
		fail(md, peer, CREATE_REPLY, RPC_INTERNAL, "out of memory");
		return;
	}
	log_set_context(s->call_id);
	control_name_session(md, s);
	s->created_ms = clock_mono_ms();
	s->strict = env.strict;
	s->timeout_ms = o ? o->inactivity_timeout_ms : 0;
	s->hold_timeout_ms = o ? o->hold_timeout_ms : 0;
	code = session_build_create(&env, r, s, &rs, text, sizeof(text));
	if (code) {
		fail(md, peer, CREATE_REPLY, code, text);
		session_free(s);
		log_set_context(NULL);
		return;
	}
	rs->strict = s->strict;
	rs->timeout_ns = (uint64_t)control_timeout_ms(md, s->timeout_ms) * 1000000u;
	rs->hold_timeout_ns = (uint64_t)s->hold_timeout_ms * 1000000u;
	s->owner = owners_get(md->owners, peer->rid, peer->rid_len, peer->user, s->created_ms);
	s->instance = peer->instance;
	if (s->owner && !s->owner->instance)
		s->owner->instance = peer->instance;
	s->worker = control_pick_worker(md);
	p = pending_new(P_CREATE, peer, s);
	m = p ? msg_new(WMSG_ADD, s, p) : NULL;
	if (!m || !s->owner || session_table_add(md->sessions, s)) {
		free(p);
		wmsg_free(m);
		drop_unposted(md, s, rs);
		fail(md, peer, CREATE_REPLY, RPC_INTERNAL, "out of memory");
		log_set_context(NULL);
		return;
	}
	m->session = rs;
	md->load[s->worker]++;
	md->live++;
	control_post(md, s, m);
	log_set_context(NULL);
}

/* Session gone for good: ports back, its worker's load down. Once only: a create the worker
 * could not start is closed by its answer, and a DeleteSession (or the node's own close) sent
 * before that answer arrived comes back for the same session. */
static void finish_close(struct mediad *md, struct session *s)
{
	if (s->closed)
		return;
	for (uint32_t i = 0; i < s->n_streams; i++) {
		if (!s->streams[i].removed)
			session_build_release(md->pool, &s->streams[i]);
		s->streams[i].removed = true;
	}
	session_table_remove(md->sessions, s);
	md->load[s->worker]--;
	s->closed = true;
}

static void answer_create(struct mediad *md, struct pending *p, struct wmsg *m)
{
	struct session *s = p->s;
	char text[128];

	if (!m->result) {
		log_ports(s, "created");
		reply_session(md, &p->peer, CREATE_REPLY, s, m->snap, RPC_OK, NULL);
		return;
	}
	/* The worker closed what it had registered; a session it never adopted comes back. */
	relay_session_free(m->session);
	m->session = NULL;
	s->deleting = true;
	finish_close(md, s);
	snprintf(text, sizeof(text), "relay could not start the session: %s", strerror(-m->result));
	log_warn("session", "%s", text);
	fail(md, &p->peer, CREATE_REPLY, RPC_INTERNAL, text);
}

void session_rpc_update(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const RpcUpdateSessionRequest *r = req->update_session;
	struct session *s = find_ref(md, peer, UPDATE_REPLY, r->session);
	struct relay_update *u = NULL;
	struct pending *p;
	struct wmsg *m;
	struct build_env env;
	char text[256];
	uint32_t before;
	int code;

	if (!s)
		return;
	log_set_context(s->call_id);
	env = build_env_of(md, r->options ? r->options->strict_source : s->strict);
	before = s->n_streams;
	p = pending_new(P_UPDATE, peer, s);
	m = p ? msg_new(WMSG_UPDATE, s, p) : NULL;
	code = m ? session_build_update(&env, s, r, &u, text, sizeof(text)) : RPC_INTERNAL;
	if (code) {
		fail(md, peer, UPDATE_REPLY, code, m ? text : "out of memory");
		free(p);
		wmsg_free(m);
		log_set_context(NULL);
		return;
	}
	if (r->options) {
		u->set_options = true;
		u->strict = s->strict = r->options->strict_source;
		s->timeout_ms = r->options->inactivity_timeout_ms;
		u->timeout_ns = (uint64_t)control_timeout_ms(md, s->timeout_ms) * 1000000u;
		s->hold_timeout_ms = r->options->hold_timeout_ms;
		u->hold_timeout_ns = (uint64_t)s->hold_timeout_ms * 1000000u;
	}
	p->added_from = before;
	m->update = u;
	log_info("session", "update %s: %zu stream changes, %u added, %zu removed%s", s->id,
	         r->n_streams, u->n_add, r->n_remove, r->options ? ", new options" : "");
	control_post(md, s, m);
	log_set_context(NULL);
}

static void answer_update(struct mediad *md, struct pending *p, struct wmsg *m)
{
	struct session *s = p->s;
	char text[128] = "";

	/* Streams the worker has closed (removed, or added but not startable) give their ports
	 * back now: the answer comes only after their sockets are closed. */
	for (uint32_t i = 0; i < m->snap->n_streams && i < s->n_streams; i++) {
		if (m->snap->streams[i].removed && !s->streams[i].removed) {
			session_build_release(md->pool, &s->streams[i]);
			s->streams[i].removed = true;
		}
	}
	if (m->result == -ENOENT) {
		/* The worker no longer had it (its start failed): streams meant to be added are
		 * still here, their sockets open; close them now, their ports went back with the
		 * session. */
		for (uint32_t i = 0; i < m->update->n_add; i++) {
			relay_stream_free(m->update->add[i]);
			m->update->add[i] = NULL;
		}
		fail(md, &p->peer, UPDATE_REPLY, RPC_NOT_FOUND, "session closed meanwhile");
		return;
	}
	if (m->result)
		snprintf(text, sizeof(text), "added streams could not start: %s",
		         strerror(-m->result));
	reply_session(md, &p->peer, RPC_BODY(UPDATE_SESSION_REPLY), s, m->snap,
	              m->result ? RPC_INTERNAL : RPC_OK, text);
}

/* Takes s out of the table and asks its worker to close it; p says who learns of it. */
static void start_delete(struct mediad *md, struct session *s, struct pending *p, struct wmsg *m)
{
	session_table_remove(md->sessions, s);
	/* Events its streams raise while closing (a prompt cut short) still find it. */
	if (u32map_put(&md->closing, s->key, s))
		log_warn("session", "out of memory: events of %s while it closes are lost", s->id);
	s->deleting = true;
	control_post(md, s, m);
	log_info("session", "closing %s: %s", s->id, p->reason);
}

void session_rpc_delete(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const RpcDeleteSessionRequest *r = req->delete_session;
	struct session *s = find_ref(md, peer, DELETE_REPLY, r->session);
	struct pending *p;
	struct wmsg *m;

	if (!s)
		return;
	p = pending_new(P_DELETE, peer, s);
	m = p ? msg_new(WMSG_DELETE, s, p) : NULL;
	if (!m) {
		free(p);
		fail(md, peer, DELETE_REPLY, RPC_INTERNAL, "out of memory");
		return;
	}
	snprintf(p->reason, sizeof(p->reason), "%s",
	         r->reason && r->reason[0] ? r->reason : "DeleteSession");
	log_set_context(s->call_id);
	start_delete(md, s, p, m);
	log_set_context(NULL);
}

int session_rpc_close(struct mediad *md, struct session *s, const char *reason)
{
	struct pending *p = pending_new(P_CLOSE, NULL, s);
	struct wmsg *m = p ? msg_new(WMSG_DELETE, s, p) : NULL;

	if (!m) {
		free(p);
		return -ENOMEM;
	}
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	log_set_context(s->call_id);
	start_delete(md, s, p, m);
	log_set_context(NULL);
	return 0;
}

static void send_closed_event(struct mediad *md, const struct session *s,
                              const struct session_snapshot *snap, const char *reason)
{
	RpcEvent ev = TANDEM__MEDIA__V1__EVENT__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcSessionClosed sc = TANDEM__MEDIA__V1__SESSION_CLOSED__INIT;
	struct session_info_ctx ctx = info_ctx(md, s);
	struct pb_arena a = {0};
	char name[64];
	int rc;

	ref.session_id = (char *)s->id;
	ref.call_id = s->call_id;
	sc.reason = (char *)reason;
	sc.session = session_info_build(&a, s, snap, &ctx);
	ev.session = &ref;
	ev.kind_case = TANDEM__MEDIA__V1__EVENT__KIND_SESSION_CLOSED;
	ev.session_closed = &sc;
	if (!control_event_deliverable(md, s)) {
		pb_arena_free(&a);
		return;
	}
	rc = rpc_server_event(md->rpc, s->owner->rid, s->owner->rid_len, &ev);
	owner_name(s->owner, name, sizeof(name));
	if (rc)
		log_info("session", "SessionClosed for %s not delivered to %s: %s", s->id, name,
		         strerror(-rc));
	pb_arena_free(&a);
}

static void answer_delete(struct mediad *md, struct pending *p, struct wmsg *m)
{
	struct session *s = p->s;

	finish_close(md, s);
	log_info("session", "closed %s (%s); ports returned", s->id, p->reason);
	if (!m->result)
		metrics_observe_session(&md->media_stats, m->snap);
	if (p->kind == P_CLOSE)
		send_closed_event(md, s, m->snap, p->reason);
	else
		reply_session(md, &p->peer, RPC_BODY(DELETE_SESSION_REPLY), s, m->snap, RPC_OK,
		              NULL);
}

void session_rpc_query(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	struct session *s = find_ref(md, peer, QUERY_REPLY, req->query_session->session);
	struct pending *p;
	struct wmsg *m;

	if (!s)
		return;
	p = pending_new(P_QUERY, peer, s);
	m = p ? msg_new(WMSG_QUERY, s, p) : NULL;
	if (!m) {
		free(p);
		fail(md, peer, QUERY_REPLY, RPC_INTERNAL, "out of memory");
		return;
	}
	control_post(md, s, m);
}

static void list_reply(struct mediad *md, struct list_req *l)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	RpcListSessionsReply lr = TANDEM__MEDIA__V1__LIST_SESSIONS_REPLY__INIT;
	size_t n = 0;

	/* Sessions closed while the list was gathered have no entry. */
	for (size_t i = 0; i < l->n; i++)
		if (l->infos[i])
			l->infos[n++] = l->infos[i];
	lr.status = &st;
	lr.n_sessions = n;
	lr.sessions = l->infos;
	env.body_case = RPC_BODY(LIST_SESSIONS_REPLY);
	env.list_sessions_reply = &lr;
	rpc_server_reply(md->rpc, &l->peer, &env);
	pb_arena_free(&l->arena);
	free(l);
}

void session_rpc_list(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	uint32_t limit = req->list_sessions->limit;
	struct list_req *l = calloc(1, sizeof(*l));
	unsigned n = session_table_count(md->sessions);
	struct session *s;

	/* A client sees only its own sessions; an admin all. */
	if (limit && limit < n)
		n = limit;
	if (l)
		l->infos = pb_arena_alloc(&l->arena, (n ? n : 1) * sizeof(*l->infos));
	if (!l || !l->infos) {
		if (l)
			pb_arena_free(&l->arena);
		free(l);
		fail(md, peer, RPC_BODY(LIST_SESSIONS_REPLY), RPC_INTERNAL, "out of memory");
		return;
	}
	l->peer = *peer;
	for (size_t pos = 0; l->n < n && (s = session_table_next(md->sessions, &pos));) {
		struct pending *p;
		struct wmsg *m;

		if (!session_rpc_may_touch(peer, s))
			continue;
		p = pending_new(P_LIST_ITEM, peer, s);
		m = p ? msg_new(WMSG_QUERY, s, p) : NULL;
		if (!m) {
			free(p);
			break;
		}
		p->list = l;
		p->list_index = l->n++;
		l->outstanding++;
		control_post(md, s, m);
	}
	if (!l->outstanding)
		list_reply(md, l);
}

/* The owner itself (not an admin: the sessions would change hands) names the sessions its new
 * instance keeps. */
static bool claimable(const struct rpc_peer *peer, const struct session *s)
{
	const struct owner *ow = s->owner;

	return !s->deleting && ow->rid_len == peer->rid_len &&
	       memcmp(ow->rid, peer->rid, peer->rid_len) == 0 && strcmp(ow->user, peer->user) == 0;
}

void session_rpc_claim(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	const RpcClaimSessionsRequest *r = req->claim_sessions;
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcClaimSessionsReply cr = TANDEM__MEDIA__V1__CLAIM_SESSIONS_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	char **claimed = calloc(r->n_sessions + 1, sizeof(*claimed));
	char **refused = calloc(r->n_sessions + 1, sizeof(*refused));

	env.body_case = RPC_BODY(CLAIM_SESSIONS_REPLY);
	env.claim_sessions_reply = &cr;
	cr.status = &st;
	if (!claimed || !refused) {
		st.code = RPC_INTERNAL;
		st.message = (char *)"out of memory";
	} else if (!peer->instance) {
		st.code = RPC_BAD_REQUEST;
		st.message = (char *)"ClaimSessions needs the sender's Envelope.instance";
	}
	for (size_t i = 0; !st.code && i < r->n_sessions; i++) {
		const RpcSessionRef *ref = r->sessions[i];
		const char *sid =
		    ref && ref->session_id && ref->session_id[0] ? ref->session_id : "";
		const char *cid = ref && ref->call_id ? ref->call_id : "";
		struct session *s = sid[0]   ? session_table_by_id(md->sessions, sid)
		                    : cid[0] ? session_table_by_call(md->sessions, cid)
		                             : NULL;

		if (s && claimable(peer, s)) {
			s->instance = peer->instance;
			claimed[cr.n_claimed++] = s->id;
		} else {
			refused[cr.n_refused++] = (char *)(sid[0] ? sid : cid);
		}
	}
	cr.claimed = claimed;
	cr.refused = refused;
	if (!st.code)
		log_info("session", "%zu sessions claimed by a new instance %016llx, %zu refused",
		         cr.n_claimed, (unsigned long long)peer->instance, cr.n_refused);
	else
		log_warn("rpc", "request %llu refused: %s (%s)",
		         (unsigned long long)peer->request_id, rpc_status_name(st.code),
		         st.message);
	rpc_server_reply(md->rpc, peer, &env);
	free(claimed);
	free(refused);
}

static void answer_list_item(struct mediad *md, struct pending *p, struct wmsg *m)
{
	struct list_req *l = p->list;
	struct session_info_ctx ctx = info_ctx(md, p->s);

	if (!m->result)
		l->infos[p->list_index] = session_info_build(&l->arena, p->s, m->snap, &ctx);
	if (!--l->outstanding)
		list_reply(md, l);
}

void session_rpc_answer(struct mediad *md, struct wmsg *m)
{
	struct pending *p = m->ctx;
	struct session *s = p->s;

	/* The final SessionInfo carries the recording complete: wait for the writer. */
	if (m->op == WMSG_DELETE && s->rec && !s->rec_wait) {
		s->rec_wait = m;
		return;
	}
	s->inflight--;
	log_set_context(s->call_id);
	switch (p->kind) {
	case P_CREATE:
		answer_create(md, p, m);
		break;
	case P_UPDATE:
		answer_update(md, p, m);
		break;
	case P_DELETE:
	case P_CLOSE:
		answer_delete(md, p, m);
		break;
	case P_QUERY:
		if (m->result)
			fail(md, &p->peer, QUERY_REPLY, RPC_NOT_FOUND, "session closed meanwhile");
		else
			reply_session(md, &p->peer, RPC_BODY(QUERY_SESSION_REPLY), s, m->snap,
			              RPC_OK, NULL);
		break;
	case P_LIST_ITEM:
		answer_list_item(md, p, m);
		break;
	}
	log_set_context(NULL);
	control_release_session(md, s);
	free(p);
	wmsg_free(m);
}
