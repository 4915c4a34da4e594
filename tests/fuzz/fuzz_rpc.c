/* mediad's RPC request handling without ZeroMQ and without relay threads: each request goes
 * through rpc_server_input() (decode, version, dispatch, ErrorReply) to the real handlers
 * (session_rpc.c, session_build.c, session_table.c, node_status.c) with a real port pool on
 * 127.0.0.1. The workers are stood in for by this file: it takes their inbox messages when the
 * input says so and answers as a worker would, so replies can arrive after later requests.
 *
 * Input: records. Byte r: r & 3 < 2 is a request from client (r >> 2) % 3, then a 16-bit
 * length and the Envelope bytes; r & 3 == 2 lets the workers answer everything queued;
 * r & 3 == 3 does the same but with every ADD and every UPDATE adding streams failing, as when
 * the ring has no room. At the end the node shuts down (every session closed) and must have
 * given every port back and freed every session. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "apps_rpc.h"
#include "control.h"
#include "fuzz_in.h"
#include "fuzz_util.h"
#include "mediad_config.h"
#include "session_rpc.h"

#define N_WORKERS 2
#define INBOX     16 /* small, so the control thread's backlog is used */
#define PAIRS     8
#define MAX_RS    64

static struct mediad_config cfg;
static struct port_pool *pool;

/* The relay sessions the stand-in workers hold. */
static struct relay_session *held[MAX_RS];

static bool range_free(unsigned base)
{
	for (unsigned i = 0; i < 2 * PAIRS; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET,
		                         .sin_port = htons((uint16_t)(base + i))};
		int fd = socket(AF_INET, SOCK_DGRAM, 0), ok;

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			return false;
	}
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CFG_ERR_LEN];
	char *sets[] = {"mediad.node_id=fuzz", "rtp.bind_ip=127.0.0.1"};

	fuzz_quiet();
	if (mediad_config_load(&cfg, NULL, sets, 2, err, sizeof(err)))
		abort();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int i = 0; i < 200 && !pool; i++) {
		unsigned b = (20000 + (unsigned)rand() % 10000) & ~1u;

		if (range_free(b) && port_pool_new(&pool, "127.0.0.1", b, b + 2 * PAIRS - 1))
			abort();
	}
	if (!pool)
		abort();
	return 0;
}

/* The slot holding session key, or a free slot for key 0. */
static struct relay_session **slot_of(uint32_t key)
{
	for (int i = 0; i < MAX_RS; i++)
		if (key ? held[i] && held[i]->key == key : !held[i])
			return &held[i];
	return NULL;
}

static void close_stream(struct relay_stream *st)
{
	st->removed = true;
	for (int i = 0; i < 2; i++) {
		if (st->leg[i].rtp.fd >= 0)
			close(st->leg[i].rtp.fd);
		if (st->leg[i].rtcp.fd >= 0)
			close(st->leg[i].rtcp.fd);
		st->leg[i].rtp.fd = st->leg[i].rtcp.fd = -1;
	}
}

static void do_update(struct relay_session *rs, struct wmsg *m, bool fail)
{
	struct relay_update *u = m->update;

	if (u->set_options)
		relay_session_set_strict(rs, u->strict);
	for (uint32_t i = 0; i < u->n_changes; i++) {
		const struct relay_change *c = &u->changes[i];
		struct relay_leg *leg;

		if (c->index >= rs->n_streams || c->leg > 1 || rs->streams[c->index]->removed)
			continue;
		leg = &rs->streams[c->index]->leg[c->leg];
		if (c->set_rtp) {
			relay_leg_set_remote(leg, &c->rtp, c->set_rtcp ? &c->rtcp : NULL,
			                     rs->strict);
		} else if (c->set_rtcp) {
			leg->remote_rtcp = c->rtcp;
			leg->rtcp_learnt = c->rtcp.len != 0;
			leg->pin_rtcp = rs->strict && c->rtcp.len;
		}
		if (c->direction)
			leg->direction = c->direction;
	}
	for (uint32_t i = 0; i < u->n_add && rs->n_streams < SESSION_MAX_STREAMS; i++) {
		struct relay_stream *st = u->add[i];

		u->add[i] = NULL;
		st->session = rs;
		rs->streams[rs->n_streams++] = st;
		if (fail) {
			m->result = -ENOSPC;
			close_stream(st);
		}
	}
	for (uint32_t i = 0; i < rs->n_streams; i++)
		if ((u->remove_mask & (1u << i)) && !rs->streams[i]->removed)
			close_stream(rs->streams[i]);
}

/* What worker.c does with m, minus the ring: sockets close at once. */
static void work(struct mediad *md, struct wmsg *m, bool fail)
{
	struct relay_session **slot = NULL, *rs;

	m->result = 0;
	if (m->op == WMSG_ADD) {
		if (fail || !(slot = slot_of(0))) {
			m->result = -ENOMEM; /* the session goes back with the message */
		} else {
			*slot = m->session;
			m->session = NULL;
			relay_session_snapshot(*slot, 0, m->snap);
		}
		session_rpc_answer(md, m);
		return;
	}
	slot = slot_of(m->key);
	rs = slot ? *slot : NULL;
	if (m->op == WMSG_APP) {
		/* A media application: applied as far as the control thread can tell. */
		m->result = rs && !fail ? 0 : -ENOENT;
		apps_rpc_answer(md, m);
		return;
	}
	if (!rs) {
		m->result = -ENOENT;
	} else if (m->op == WMSG_UPDATE) {
		do_update(rs, m, fail);
		relay_session_snapshot(rs, 0, m->snap);
	} else if (m->op == WMSG_DELETE) {
		relay_session_snapshot(rs, 0, m->snap);
		relay_session_free(rs);
		*slot = NULL;
	} else {
		relay_session_snapshot(rs, 0, m->snap);
	}
	session_rpc_answer(md, m);
}

/* The workers answer everything queued, inbox first, then what waited in the backlog. */
static void workers_run(struct mediad *md, bool fail)
{
	for (int again = 1; again;) {
		again = 0;
		for (unsigned i = 0; i < md->n_workers; i++) {
			struct backlog *b = &md->backlog[i];
			struct wmsg *m;

			while ((m = spsc_queue_pop(&md->workers[i].inbox))) {
				work(md, m, fail);
				again = 1;
			}
			if ((m = b->head)) {
				b->head = m->next;
				if (!b->head)
					b->tail = NULL;
				work(md, m, fail);
				again = 1;
			}
		}
	}
}

static void on_seen(void *arg, const struct rpc_msg *msg)
{
	struct mediad *md = arg;

	/* Restarts of the owner (a new instance) are driven by the input too. */
	owners_seen(md->owners, msg->rid, msg->rid_len, msg->user,
	            msg->env ? msg->env->instance : 0, 1);
}

static int node_new(struct mediad *md)
{
	struct rpc_server_cfg rcfg = {
	    .routes = control_routes, .n_routes = control_n_routes, .seen = on_seen, .arg = md};
	char err[128];

	memset(md, 0, sizeof(*md));
	md->cfg = &cfg;
	md->pool = pool;
	md->n_workers = N_WORKERS;
	md->workers = calloc(N_WORKERS, sizeof(*md->workers));
	md->backlog = calloc(N_WORKERS, sizeof(*md->backlog));
	md->load = calloc(N_WORKERS, sizeof(*md->load));
	if (!md->workers || !md->backlog || !md->load || session_table_new(&md->sessions) ||
	    owners_new(&md->owners) || rpc_server_new(&md->rpc, NULL, &rcfg, err, sizeof(err)))
		return -ENOMEM;
	for (unsigned i = 0; i < N_WORKERS; i++)
		if (spsc_queue_init(&md->workers[i].inbox, INBOX, false))
			return -ENOMEM;
	return 0;
}

/* Shutdown as control.c does it, then checks that nothing leaked. */
static void node_free(struct mediad *md)
{
	unsigned n = session_table_count(md->sessions), k = 0;
	struct session **all = calloc(n ? n : 1, sizeof(*all)), *s;

	md->stopping = true;
	for (size_t pos = 0; all && (s = session_table_next(md->sessions, &pos));)
		all[k++] = s;
	for (unsigned i = 0; i < k; i++)
		if (session_rpc_close(md, all[i], "node shutdown"))
			abort();
	free(all);
	workers_run(md, false);
	if (md->live || session_table_count(md->sessions) ||
	    port_pool_free_count(pool) != port_pool_total(pool)) {
		fprintf(stderr,
		        "after shutdown: %u sessions live, %u in the table, %u/%u ports free\n",
		        md->live, session_table_count(md->sessions), port_pool_free_count(pool),
		        port_pool_total(pool));
		abort();
	}
	for (int i = 0; i < MAX_RS; i++)
		if (held[i])
			abort(); /* a worker still holds a session the control thread forgot */
	for (unsigned i = 0; i < N_WORKERS; i++)
		if (md->load[i])
			abort(); /* a worker's session count went wrong */
	for (unsigned i = 0; i < N_WORKERS; i++)
		spsc_queue_destroy(&md->workers[i].inbox);
	rpc_server_free(md->rpc);
	owners_free(md->owners);
	session_table_free(md->sessions);
	u32map_free(&md->closing);
	free(md->workers);
	free(md->backlog);
	free(md->load);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rids[3] = {"signald-a", "signald-b", "\x01"};
	struct fuzz_in in = {data, size};
	struct mediad md;

	if (size > 256 * 1024)
		return 0;
	if (node_new(&md))
		abort();
	while (in.left) {
		uint8_t r = fuzz_u8(&in);
		const char *rid = rids[(r >> 2) % 3];
		const uint8_t *p;
		size_t len;

		if ((r & 3) >= 2) {
			workers_run(&md, (r & 3) == 3);
			continue;
		}
		p = fuzz_bytes(&in, fuzz_u16(&in), &len);
		rpc_server_input(md.rpc, (const uint8_t *)rid, strlen(rid), p, len);
	}
	workers_run(&md, false);
	node_free(&md);
	return 0;
}
