/* Media RPC client on the su_root loop. ZeroMQ's fd is edge-style: every wakeup (fd, prepoll)
 * drains while ZMQ_EVENTS says input is waiting, and pending requests expire on a 200 ms tick
 * (sofia-sip's loop spins for up to a millisecond around every timer expiry, so an idle node
 * keeps its timers few). */
#include "media_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "clock.h"
#include "log.h"
#include "node_select.h"
#include "observe.h"

struct pending {
	uint64_t request_id;
	uint64_t deadline_ms;
	uint64_t sent_ns; /* for the RPC latency the metrics keep */
	struct media_node *node;
	media_reply_cb cb;
	void *arg;
	struct pending *next;
};

/* A node never heard that stays unconnected this many ticks is reported down (a node up to
 * then goes down on node_down_ms like any other). */
#define NOT_CONNECTED_TRIES 3

struct media_node {
	struct media_client *mc; /* back pointer, borrowed */
	char endpoint[256];
	unsigned weight;
	char id[64];
	void *sock; /* owned DEALER */
	int wait_index;
	bool up, ever_answered;
	uint64_t last_ping_ms;
	uint64_t last_answer_ms; /* any reply: a node is down [media] node_down_ms after it */
	uint64_t timed_out_ms;   /* last request that went unanswered */
	bool ping_outstanding;
	/* A send (or a drain cut short) since the last full drain: ZeroMQ's fd may not signal
	 * what arrived meanwhile, so the prepoll must look. Clean nodes cost nothing per loop. */
	bool dirty;
	/* From its last Ping, for node_select(); created_since counts the sessions we asked of it
	 * since then, so a burst of calls does not all go where the last Ping looked best. */
	uint32_t free_ports, sessions, workers, created_since;
	uint64_t packets_per_s;
	double cpu_percent;
	bool draining;
	bool held;         /* drained by the operator here: no new calls whatever it says */
	uint64_t instance; /* from its replies and events; 0 before the first */
	unsigned missed;   /* Pings not sent because a node never heard is not connected */
};

struct media_client {
	su_root_t *root;                  /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	struct media_node *nodes;         /* owned array */
	size_t n_nodes;
	struct pending *pending; /* owned list */
	su_timer_t *tick;
	uint64_t next_request_id;
	uint64_t instance; /* ours: random per start, in every request */
	media_event_cb event_cb;
	void *event_arg;
	media_node_down_cb down_cb;
	void *down_arg;
	media_node_restarted_cb restarted_cb;
	void *restarted_arg;
};

static void drain_node(struct media_node *node);

static void complete(struct media_client *mc, struct pending *p, int rc, const RpcEnvelope *env)
{
	media_reply_cb cb = p->cb;
	void *arg = p->arg;

	obs_rpc(p->node, (clock_mono_ns() - p->sent_ns) / 1000, rc == 0);
	free(p);
	if (cb)
		cb(arg, rc, env);
}

static struct pending *take_pending(struct media_client *mc, uint64_t request_id)
{
	for (struct pending **pp = &mc->pending; *pp; pp = &(*pp)->next) {
		if ((*pp)->request_id == request_id) {
			struct pending *p = *pp;

			*pp = p->next;
			return p;
		}
	}
	return NULL;
}

/* A node whose instance changed restarted: what it held is gone. */
static void check_instance(struct media_node *node, uint64_t instance)
{
	struct media_client *mc = node->mc;
	uint64_t old = node->instance;

	if (!instance || instance == old)
		return;
	node->instance = instance;
	if (!old)
		return;
	log_warn("media", "media node %s (%s) restarted (instance %016llx, was %016llx)",
	         node->endpoint, node->id, (unsigned long long)instance, (unsigned long long)old);
	if (mc->restarted_cb)
		mc->restarted_cb(mc->restarted_arg, node, old, instance);
}

/* A session created for nobody: the CreateSession reply came after its request had timed out
 * or was abandoned. Left alone it would hold its ports until the owner is reaped. */
static void delete_unclaimed(struct media_node *node, const RpcEnvelope *env, const char *why)
{
	const RpcCreateSessionReply *r = env->create_session_reply;

	if (env->body_case != RPC_BODY(CREATE_SESSION_REPLY) || !r->session ||
	    !r->session->session_id || !r->session->session_id[0])
		return;
	log_set_context(r->session->call_id);
	media_client_delete_orphan(node->mc, node, r->session->session_id, why);
	log_set_context(NULL);
}

static void on_message(struct media_node *node, RpcEnvelope *env)
{
	struct media_client *mc = node->mc;
	struct pending *p;

	node->last_answer_ms = clock_mono_ms();
	check_instance(node, env->instance);
	if (env->body_case == RPC_BODY(EVENT)) {
		if (mc->event_cb)
			mc->event_cb(mc->event_arg, node, env);
		return;
	}
	p = take_pending(mc, env->request_id);
	if (!p) {
		log_debug("media", "late reply %llu from %s dropped",
		          (unsigned long long)env->request_id, node->endpoint);
		delete_unclaimed(node, env, "late CreateSession reply");
		return;
	}
	if (!p->cb)
		delete_unclaimed(node, env, "CreateSession reply for a call that is gone");
	complete(mc, p, 0, env);
}

static void drain_node(struct media_node *node)
{
	int budget = 256;

	node->dirty = false;
	while (rpc_has_input(node->sock)) {
		if (budget-- <= 0) {
			node->dirty = true;
			break;
		}
		struct rpc_msg msg;
		int rc = rpc_recv(node->sock, false, &msg);

		if (rc == -EAGAIN)
			break;
		if (rc) {
			log_warn("media", "bad message from %s: %s", node->endpoint, strerror(-rc));
			continue;
		}
		on_message(node, msg.env);
		rpc_msg_clear(&msg);
	}
}

static int on_readable(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	drain_node((struct media_node *)arg);
	return 0;
}

/* Runs before every wait of the loop: replies that arrived while we were sending from inside a
 * SIP callback would otherwise sit unseen behind an edge that already fired. */
static void prepoll(su_prepoll_magic_t *magic, su_root_t *root)
{
	struct media_client *mc = (struct media_client *)magic;

	for (size_t i = 0; i < mc->n_nodes; i++)
		if (mc->nodes[i].dirty)
			drain_node(&mc->nodes[i]);
}

int media_client_request(struct media_client *mc, struct media_node *node, RpcEnvelope *req,
                         media_reply_cb cb, void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	req->version = RPC_VERSION;
	req->request_id = ++mc->next_request_id;
	req->instance = mc->instance;
	rc = rpc_send(node->sock, NULL, 0, req);
	node->dirty = true;
	if (rc) {
		free(p);
		return rc;
	}
	p->request_id = req->request_id;
	p->deadline_ms = clock_mono_ms() + (uint64_t)mc->cfg->media_rpc_timeout_ms;
	p->sent_ns = clock_mono_ns();
	p->node = node;
	p->cb = cb;
	p->arg = arg;
	p->next = mc->pending;
	mc->pending = p;
	return 0;
}

void media_client_cancel(struct media_client *mc, void *arg)
{
	for (struct pending *p = mc->pending; p; p = p->next)
		if (p->arg == arg)
			p->cb = NULL;
}

static void mark_down(struct media_node *node, const char *why)
{
	struct media_client *mc = node->mc;
	bool was_up = node->up;

	if (node->up || !node->ever_answered)
		log_warn("media", "media node %s%s%s%s: down (%s)", node->endpoint,
		         node->id[0] ? " (" : "", node->id, node->id[0] ? ")" : "", why);
	node->up = false;
	node->ever_answered = true; /* log the first failure once, then only transitions */
	if (was_up)
		obs_node(node, false);
	if (was_up && mc->down_cb)
		mc->down_cb(mc->down_arg, node);
}

static void on_ping_reply(void *arg, int rc, const RpcEnvelope *env)
{
	struct media_node *node = arg;
	const RpcNodeStatus *st;

	node->ping_outstanding = false;
	if (rc) {
		char why[96];

		/* Only the first failure of a node never heard is said here; a node that was up
		 * goes down on the tick, node_down_ms after its last answer. */
		snprintf(why, sizeof(why), "no answer within %ld ms",
		         node->mc->cfg->media_rpc_timeout_ms);
		if (!node->ever_answered)
			mark_down(node, why);
		return;
	}
	if (env->body_case != RPC_BODY(PING_REPLY) || !env->ping_reply->node) {
		mark_down(node, "unexpected reply to Ping");
		return;
	}
	st = env->ping_reply->node;
	node->free_ports = st->free_ports;
	node->sessions = st->sessions;
	node->workers = st->workers;
	node->packets_per_s = st->packets_per_s;
	node->cpu_percent = st->cpu_percent;
	node->created_since = 0;
	snprintf(node->id, sizeof(node->id), "%s", st->node_id ? st->node_id : "");
	if (st->draining != node->draining)
		log_notice("media", "media node %s (%s): %s", node->endpoint, node->id,
		           st->draining ? "draining, no new calls go to it" : "no longer draining");
	node->draining = st->draining;
	if (!node->up)
		log_notice("media",
		           "media node %s (%s %s): up, %u sessions, %u/%u ports free, "
		           "advertise %s",
		           node->endpoint, node->id, st->version, st->sessions, st->free_ports,
		           st->total_ports, st->advertise_ip);
	if (!node->up)
		obs_node(node, true);
	node->up = true;
	node->ever_answered = true;
}

static void ping_node(struct media_node *node)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcPingRequest ping = TANDEM__MEDIA__V1__PING_REQUEST__INIT;
	int rc;

	env.body_case = RPC_BODY(PING);
	env.ping = &ping;
	node->last_ping_ms = clock_mono_ms();
	rc = media_client_request(node->mc, node, &env, on_ping_reply, node);
	if (rc == -EAGAIN) {
		/* Not connected (yet): try again on the next tick; down after as many tries as
		 * missed Pings, so a node still connecting at start is not reported. */
		node->last_ping_ms = 0;
		if (!node->ever_answered && ++node->missed >= NOT_CONNECTED_TRIES)
			mark_down(node, "not connected");
	} else if (rc) {
		mark_down(node, strerror(-rc));
	} else
		node->ping_outstanding = true;
}

static void on_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	struct media_client *mc = (struct media_client *)arg;
	uint64_t now = clock_mono_ms();
	struct pending **pp = &mc->pending;

	while (*pp) {
		struct pending *p = *pp;

		if (p->deadline_ms > now) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		p->node->timed_out_ms = now;
		complete(mc, p, -ETIMEDOUT, NULL);
		pp = &mc->pending; /* the callback may have changed the list */
	}
	for (size_t i = 0; i < mc->n_nodes; i++) {
		struct media_node *node = &mc->nodes[i];

		uint64_t down_ms = (uint64_t)mc->cfg->media_node_down_ms;

		if (node->up && now - node->last_answer_ms >= down_ms)
			drain_node(
			    node); /* replies may wait unread if the loop itself was held up */
		if (node->up && now - node->last_answer_ms >= down_ms) {
			char why[96];

			snprintf(why, sizeof(why), "no answer for %llu ms",
			         (unsigned long long)(now - node->last_answer_ms));
			mark_down(node, why);
		}
		if (!node->ping_outstanding &&
		    now - node->last_ping_ms >= (uint64_t)mc->cfg->media_ping_interval_ms)
			ping_node(node);
	}
}

static int node_open(struct media_client *mc, struct media_node *node, const char *value,
                     void *zctx)
{
	struct node_spec spec;
	char err[160];
	su_wait_t w;
	int rc, fd;

	node->mc = mc;
	node->wait_index = -1;
	node->dirty = true;
	if (node_spec_parse(value, &spec, err, sizeof(err))) {
		log_error("media", "[media] node: %s", err);
		return -EINVAL;
	}
	snprintf(node->endpoint, sizeof(node->endpoint), "%s", spec.endpoint);
	node->weight = spec.weight;
	rc = rpc_dealer_open(
	    zctx, node->endpoint,
	    &(struct rpc_dealer_opts){
	        .identity = mc->cfg->node_id,
	        .public_key = mc->cfg->media_auth ? mc->cfg->media_key.public_key : NULL,
	        .secret_key = mc->cfg->media_auth ? mc->cfg->media_key.secret_key : NULL,
	        .server_key = mc->cfg->media_auth ? mc->cfg->media_server_key : NULL,
	        /* Requests to a node that is not connected fail at once
	         * rather than wait in a queue to be sent late. */
	        .immediate = true,
	    },
	    &node->sock);
	if (rc) {
		log_error("media", "[media] node: cannot connect %s: %s", node->endpoint,
		          strerror(-rc));
		return rc;
	}
	fd = rpc_socket_fd(node->sock);
	if (fd < 0 || su_wait_create(&w, fd, SU_WAIT_IN) != 0)
		return -EIO;
	node->wait_index = su_root_register(mc->root, &w, on_readable, (su_wakeup_arg_t *)node, 0);
	if (node->wait_index < 0) {
		su_wait_destroy(&w);
		return -EIO;
	}
	return 0;
}

int media_client_new(struct media_client **out, su_root_t *root, const struct signald_config *cfg,
                     void *zctx)
{
	struct media_client *mc = calloc(1, sizeof(*mc));
	int rc = 0;

	if (!mc)
		return -ENOMEM;
	mc->root = root;
	mc->cfg = cfg;
	if (getrandom(&mc->instance, sizeof(mc->instance), 0) != sizeof(mc->instance) ||
	    !mc->instance)
		mc->instance = clock_mono_ns() | 1;
	log_debug("media", "instance %016llx", (unsigned long long)mc->instance);
	mc->n_nodes = cfg->media_nodes.n;
	mc->nodes = calloc(mc->n_nodes, sizeof(*mc->nodes));
	if (!mc->nodes) {
		free(mc);
		return -ENOMEM;
	}
	for (size_t i = 0; !rc && i < mc->n_nodes; i++)
		rc = node_open(mc, &mc->nodes[i], cfg->media_nodes.v[i], zctx);
	if (!rc && su_root_add_prepoll(root, prepoll, (su_prepoll_magic_t *)mc) != 0)
		rc = -EBUSY;
	mc->tick = su_timer_create(su_root_task(root), 200);
	if (!rc && (!mc->tick || su_timer_set_for_ever(mc->tick, on_tick, mc) != 0))
		rc = -EIO;
	if (rc) {
		media_client_free(mc);
		return rc;
	}
	for (size_t i = 0; i < mc->n_nodes; i++)
		ping_node(&mc->nodes[i]);
	*out = mc;
	return 0;
}

void media_client_free(struct media_client *mc)
{
	if (!mc)
		return;
	if (mc->tick)
		su_timer_destroy(mc->tick);
	su_root_remove_prepoll(mc->root);
	while (mc->pending) {
		struct pending *p = mc->pending;

		mc->pending = p->next;
		free(p);
	}
	for (size_t i = 0; i < mc->n_nodes; i++) {
		if (mc->nodes[i].wait_index >= 0)
			su_root_deregister(mc->root, mc->nodes[i].wait_index);
		rpc_socket_close(mc->nodes[i].sock);
	}
	free(mc->nodes);
	free(mc);
}

void media_client_on_event(struct media_client *mc, media_event_cb cb, void *arg)
{
	mc->event_cb = cb;
	mc->event_arg = arg;
}

void media_client_on_node_down(struct media_client *mc, media_node_down_cb cb, void *arg)
{
	mc->down_cb = cb;
	mc->down_arg = arg;
}

/* Up, but a request went unanswered since it was last heard, or its Ping is overdue: a hung
 * node shows this within about a Ping interval, long before node_down_ms. */
static bool stalled(const struct media_node *n, uint64_t now)
{
	const struct signald_config *cfg = n->mc->cfg;
	uint64_t grace =
	    (uint64_t)(cfg->media_rpc_timeout_ms / 2 > 300 ? cfg->media_rpc_timeout_ms / 2 : 300);

	return n->timed_out_ms > n->last_answer_ms ||
	       now - n->last_answer_ms > (uint64_t)cfg->media_ping_interval_ms + grace;
}

static void node_load_of(const struct media_node *n, uint64_t now, struct node_load *out)
{
	uint32_t leased = n->created_since * NODE_SELECT_MIN_FREE_PORTS;

	*out = (struct node_load){
	    .up = n->up,
	    .draining = n->draining || n->held,
	    .stalled = n->up && stalled(n, now),
	    .weight = n->weight,
	    .free_ports = n->free_ports > leased ? n->free_ports - leased : 0,
	    .sessions = n->sessions + n->created_since,
	    .packets_per_s = n->packets_per_s,
	    .cpu_percent = n->cpu_percent,
	    .workers = n->workers,
	};
}

struct media_node *media_client_pick(struct media_client *mc, const struct media_node *except)
{
	struct node_load loads[64];
	size_t n = mc->n_nodes < 64 ? mc->n_nodes : 64;
	uint64_t now = clock_mono_ms();
	int i;

	for (size_t k = 0; k < n; k++) {
		node_load_of(&mc->nodes[k], now, &loads[k]);
		if (&mc->nodes[k] == except)
			loads[k].up = false;
	}
	i = node_select(loads, n);
	if (i < 0)
		return NULL;
	mc->nodes[i].created_since++;
	return &mc->nodes[i];
}

bool media_client_any_up(const struct media_client *mc)
{
	for (size_t i = 0; i < mc->n_nodes; i++)
		if (mc->nodes[i].up && !mc->nodes[i].draining && !mc->nodes[i].held)
			return true;
	return false;
}

size_t media_client_node_count(const struct media_client *mc)
{
	return mc->n_nodes;
}

struct media_node *media_client_node(struct media_client *mc, size_t i)
{
	return i < mc->n_nodes ? &mc->nodes[i] : NULL;
}

const char *media_node_endpoint(const struct media_node *node)
{
	return node->endpoint;
}

const char *media_node_id(const struct media_node *node)
{
	return node->id;
}

bool media_node_up(const struct media_node *node)
{
	return node->up;
}

bool media_node_draining(const struct media_node *node)
{
	return node->draining;
}

uint64_t media_node_instance(const struct media_node *node)
{
	return node->instance;
}

void media_node_info(const struct media_node *node, struct media_node_info *out)
{
	*out = (struct media_node_info){
	    .endpoint = node->endpoint,
	    .id = node->id,
	    .up = node->up,
	    .draining = node->draining,
	    .held = node->held,
	    .weight = node->weight,
	    .free_ports = node->free_ports,
	    .sessions = node->sessions,
	    .workers = node->workers,
	    .packets_per_s = node->packets_per_s,
	    .cpu_percent = node->cpu_percent,
	    .last_answer_ms = node->last_answer_ms,
	};
}

void media_node_hold(struct media_node *node, bool held)
{
	if (node->held != held)
		log_notice("media", "media node %s (%s): %s by the operator", node->endpoint,
		           node->id, held ? "drained, no new calls go to it" : "undrained");
	node->held = held;
}

struct media_node *media_client_find(struct media_client *mc, const char *name)
{
	for (size_t i = 0; i < mc->n_nodes; i++)
		if (strcmp(mc->nodes[i].endpoint, name) == 0 ||
		    (mc->nodes[i].id[0] && strcmp(mc->nodes[i].id, name) == 0))
			return &mc->nodes[i];
	return NULL;
}

void media_client_on_node_restarted(struct media_client *mc, media_node_restarted_cb cb, void *arg)
{
	mc->restarted_cb = cb;
	mc->restarted_arg = arg;
}

static void on_orphan_deleted(void *arg, int rc, const RpcEnvelope *env)
{
	const RpcStatus *st = env ? rpc_reply_status(env) : NULL;

	(void)arg;
	if (rc || !st || st->code != RPC_OK)
		log_info("media", "DeleteSession of an unknown session: %s",
		         rc   ? strerror(-rc)
		         : st ? rpc_status_name(st->code)
		              : "bad reply");
}

int media_client_delete_orphan(struct media_client *mc, struct media_node *node,
                               const char *session_id, const char *why)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDeleteSessionRequest req = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	int rc;

	ref.session_id = (char *)session_id;
	req.session = &ref;
	req.reason = (char *)why;
	env.body_case = RPC_BODY(DELETE_SESSION);
	env.delete_session = &req;
	rc = media_client_request(mc, node, &env, on_orphan_deleted, NULL);
	log_notice("media", "%s: %s session %s on %s%s%s", why, rc ? "cannot delete" : "deleting",
	           session_id, node->endpoint, rc ? ": " : "", rc ? strerror(-rc) : "");
	return rc;
}
