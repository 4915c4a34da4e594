/* Snapshot -> protobuf. Endpoints the node does not know yet are left out (absent). */
#include "session_info.h"

#include "rec_writer.h"
#include "wav.h"

#include <arpa/inet.h>

static RpcEndpoint *endpoint(struct pb_arena *a, const char *ip, unsigned port)
{
	RpcEndpoint *e = pb_arena_msg(a, &tandem__media__v1__endpoint__descriptor);

	if (e) {
		e->ip = pb_arena_strdup(a, ip);
		e->port = port;
	}
	return e;
}

static RpcEndpoint *remote(struct pb_arena *a, const struct net_addr *addr)
{
	char ip[INET6_ADDRSTRLEN];

	if (!addr->len)
		return NULL;
	net_addr_ip(addr, ip, sizeof(ip));
	return endpoint(a, ip, net_addr_port(addr));
}

static RpcTrafficStats *traffic(struct pb_arena *a, const struct traffic_snapshot *t)
{
	RpcTrafficStats *m = pb_arena_msg(a, &tandem__media__v1__traffic_stats__descriptor);

	if (!m)
		return NULL;
	m->packets = t->packets;
	m->bytes = t->bytes;
	m->dropped = t->dropped;
	m->strange_source = t->strange_source;
	m->last_packet_age_ms = t->last_age_ms;
	m->lost = t->lost;
	m->jitter_ms = t->jitter_ms;
	m->forwarded = t->forwarded;
	m->malformed = t->malformed;
	m->srtp_failed = t->srtp_failed;
	return m;
}

static RpcStreamInfo *stream_info(struct pb_arena *a, uint32_t index, const struct session *s,
                                  const struct stream_snapshot *ss, int leg,
                                  const struct session_info_ctx *ctx)
{
	RpcStreamInfo *m = pb_arena_msg(a, &tandem__media__v1__stream_info__descriptor);
	const struct session_stream *cs = &s->streams[index];
	unsigned port = cs->port[leg];

	if (!m)
		return NULL;
	m->index = index;
	m->kind = cs->kind;
	m->removed = cs->removed;
	m->rtcp_mux = cs->mux[leg];
	m->local_rtp = endpoint(a, ctx->advertise_ip, port);
	m->local_rtcp = endpoint(a, ctx->advertise_ip, cs->mux[leg] ? port : port + 1);
	if (!ss)
		return m;
	m->removed = m->removed || ss->removed;
	m->clock_rate = ss->clock_rate;
	m->direction = ss->leg[leg].direction;
	m->srtp = ss->leg[leg].srtp;
	m->remote_rtp = remote(a, &ss->leg[leg].remote_rtp);
	m->remote_rtcp = remote(a, &ss->leg[leg].remote_rtcp);
	m->rtp = traffic(a, &ss->leg[leg].rtp);
	m->rtcp = traffic(a, &ss->leg[leg].rtcp);
	return m;
}

static RpcLegInfo *leg_info(struct pb_arena *a, const struct session *s,
                            const struct session_snapshot *snap, int leg,
                            const struct session_info_ctx *ctx)
{
	RpcLegInfo *m = pb_arena_msg(a, &tandem__media__v1__leg_info__descriptor);

	if (!m)
		return NULL;
	m->tag = pb_arena_strdup(a, s->tag[leg]);
	m->n_streams = s->n_streams;
	m->streams = pb_arena_alloc(a, s->n_streams * sizeof(*m->streams));
	if (!m->streams)
		return m;
	for (uint32_t i = 0; i < s->n_streams; i++)
		m->streams[i] = stream_info(
		    a, i, s, snap && i < snap->n_streams ? &snap->streams[i] : NULL, leg, ctx);
	return m;
}

RpcRecordingInfo *session_info_recording(struct pb_arena *a, const struct session *s)
{
	Tandem__Media__V1__RecordingInfo *m;

	if (!s->rec && !s->rec_final)
		return NULL;
	m = pb_arena_msg(a, &tandem__media__v1__recording_info__descriptor);
	if (!m)
		return NULL;
	if (s->rec) {
		/* Written so far; the writer publishes it (rec_writer.h). */
		uint64_t frames = atomic_load_explicit(&s->rec->frames, memory_order_relaxed);

		m->path = pb_arena_strdup(a, s->rec->path);
		m->duration_ms = frames * 1000u / REC_RATE;
		m->bytes = WAV_HEADER_LEN + frames * 4u;
		m->active = true;
		m->note = pb_arena_strdup(a, s->rec->note);
	} else {
		m->path = pb_arena_strdup(a, s->rec_final->path);
		m->duration_ms = s->rec_final->duration_ms;
		m->bytes = s->rec_final->bytes;
		m->note = pb_arena_strdup(a, s->rec_final->note);
	}
	return m;
}

RpcSessionInfo *session_info_build(struct pb_arena *a, const struct session *s,
                                   const struct session_snapshot *snap,
                                   const struct session_info_ctx *ctx)
{
	RpcSessionInfo *m = pb_arena_msg(a, &tandem__media__v1__session_info__descriptor);
	RpcSessionOptions *o = pb_arena_msg(a, &tandem__media__v1__session_options__descriptor);

	if (!m || !o)
		return NULL;
	m->session_id = pb_arena_strdup(a, s->id);
	m->call_id = pb_arena_strdup(a, s->call_id);
	m->owner = pb_arena_strdup(a, s->owner_tag);
	m->age_ms = ctx->now_ms > s->created_ms ? ctx->now_ms - s->created_ms : 0;
	m->worker = s->worker;
	o->strict_source = s->strict;
	o->inactivity_timeout_ms = ctx->timeout_ms;
	o->hold_timeout_ms = s->hold_timeout_ms;
	m->options = o;
	m->leg_a = leg_info(a, s, snap, 0, ctx);
	m->leg_b = leg_info(a, s, snap, 1, ctx);
	if (snap)
		m->rtp_idle_ms = snap->rtp_idle_ms;
	m->recording = session_info_recording(a, s);
	return a->failed ? NULL : m;
}
