/* Ping and its rates. Worker counters are read with relaxed atomic loads: a sample a few packets
 * stale is fine, a lock on the packet path is not. */
#include "node_status.h"

#include <sys/resource.h>

#include "clock.h"

static uint64_t cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

struct totals {
	uint64_t received, forwarded, dropped;
};

static struct totals totals(const struct mediad *md)
{
	struct totals t = {0, 0, 0};

	for (unsigned i = 0; i < md->n_workers; i++) {
		struct worker *w = &md->workers[i];

		t.received += atomic_load_explicit(&w->received, memory_order_relaxed);
		t.forwarded += atomic_load_explicit(&w->forwarded, memory_order_relaxed);
		t.dropped += atomic_load_explicit(&w->dropped, memory_order_relaxed);
	}
	return t;
}

void node_status_sample(struct mediad *md, uint64_t now_ms)
{
	struct node_sample *s = &md->sample;
	uint64_t rx = totals(md).received, cpu = cpu_us();
	uint64_t dt = now_ms - s->at_ms;

	if (s->at_ms && dt) {
		s->pps = (rx - s->received) * 1000u / dt;
		s->cpu_percent = (double)(cpu - s->cpu_us) / 10.0 / (double)dt;
	}
	s->at_ms = now_ms;
	s->received = rx;
	s->cpu_us = cpu;
}

static void fill_node(struct mediad *md, RpcNodeStatus *n)
{
	RpcNodeStatus node = TANDEM__MEDIA__V1__NODE_STATUS__INIT;
	struct totals t = totals(md);

	node.node_id = md->cfg->node_id;
	node.version = TANDEM_VERSION;
	node.uptime_s = (clock_mono_ms() - md->started_ms) / 1000;
	node.sessions = session_table_count(md->sessions);
	node.free_ports = port_pool_free_count(md->pool);
	node.total_ports = port_pool_total(md->pool);
	node.packets_per_s = md->sample.pps;
	node.cpu_percent = md->sample.cpu_percent;
	node.workers = md->n_workers;
	node.advertise_ip = md->cfg->advertise_ip;
	node.draining = md->stopping || md->draining;
	node.packets_received = t.received;
	node.packets_forwarded = t.forwarded;
	node.packets_dropped = t.dropped;
	*n = node;
}

void node_status_ping(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcPingReply pr = TANDEM__MEDIA__V1__PING_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	RpcNodeStatus node;

	(void)req;
	fill_node(md, &node);
	pr.status = &st;
	pr.node = &node;
	env.body_case = RPC_BODY(PING_REPLY);
	env.ping_reply = &pr;
	rpc_server_reply(md->rpc, peer, &env);
}

void node_status_drain(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req)
{
	struct mediad *md = arg;
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDrainReply dr = TANDEM__MEDIA__V1__DRAIN_REPLY__INIT;
	RpcStatus st = TANDEM__MEDIA__V1__STATUS__INIT;
	RpcNodeStatus node;
	bool on = req->drain->draining;

	env.body_case = RPC_BODY(DRAIN_REPLY);
	env.drain_reply = &dr;
	dr.status = &st;
	if (!peer->admin) {
		st.code = RPC_FORBIDDEN;
		st.message = (char *)"drain needs an admin key";
		log_warn("rpc", "request %llu refused: %s (%s)",
		         (unsigned long long)peer->request_id, rpc_status_name(st.code),
		         st.message);
		rpc_server_reply(md->rpc, peer, &env);
		return;
	}
	if (on != md->draining)
		log_notice("mediad", "%s: %u live sessions",
		           on ? "draining: no new sessions" : "drain ended: taking new sessions",
		           session_table_count(md->sessions));
	md->draining = on;
	fill_node(md, &node);
	dr.node = &node;
	rpc_server_reply(md->rpc, peer, &env);
}
