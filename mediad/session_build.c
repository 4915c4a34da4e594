/* Request checking and port leasing for sessions. Two passes: every spec is checked first, then
 * ports are leased, so a bad field never costs a bind. */
#include "session_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "g711.h"
#include "srtp_ctx.h"

#define MAX_CLOCK_RATE 1000000u

/* SrtpParams as far as a request can get them wrong: a suite we know, keys of its length. The
 * message names the field and the lengths, never a key octet. */
static int check_srtp(const RpcSrtpParams *sp, const char *where, char *msg, size_t len)
{
	size_t need;

	if (!sp || (int)sp->suite == SRTP_NONE)
		return RPC_OK;
	need = srtp_ctx_key_len((int)sp->suite);
	if (!need) {
		snprintf(msg, len, "%s.srtp.suite: %d is not an SRTP suite", where, (int)sp->suite);
		return RPC_BAD_REQUEST;
	}
	if (sp->rx_key.len != need || sp->tx_key.len != need) {
		snprintf(
		    msg, len,
		    "%s.srtp: %s needs %zu-octet keys (master key and salt), got rx %zu, tx %zu",
		    where, srtp_ctx_suite_name((int)sp->suite), need, sp->rx_key.len,
		    sp->tx_key.len);
		return RPC_BAD_REQUEST;
	}
	return RPC_OK;
}

/* The context for checked params; *out NULL for plain. */
static int build_srtp(const RpcSrtpParams *sp, struct srtp_ctx **out, char *msg, size_t len)
{
	int rc;

	*out = NULL;
	if (!sp || (int)sp->suite == SRTP_NONE)
		return RPC_OK;
	rc = srtp_ctx_new((int)sp->suite, sp->rx_key.data, sp->rx_key.len, sp->tx_key.data,
	                  sp->tx_key.len, out);
	if (!rc)
		return RPC_OK;
	snprintf(msg, len, "cannot set up SRTP (%s): %s", srtp_ctx_suite_name((int)sp->suite),
	         strerror(-rc));
	return RPC_INTERNAL;
}

int session_build_endpoint(const RpcEndpoint *ep, int family, struct net_addr *out,
                           const char *where, char *msg, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (!ep)
		return RPC_OK;
	if (ep->port > 65535) {
		snprintf(msg, len, "%s: port %u is out of range", where, ep->port);
		return RPC_INVALID_ADDRESS;
	}
	if (!ep->ip || !ep->ip[0]) {
		if (!ep->port)
			return RPC_OK;
		snprintf(msg, len, "%s: port %u without an address", where, ep->port);
		return RPC_INVALID_ADDRESS;
	}
	if (net_addr_parse(ep->ip, ep->port, out)) {
		snprintf(msg, len, "%s: '%.64s' is not an IP address", where, ep->ip);
		return RPC_INVALID_ADDRESS;
	}
	if (out->u.sa.sa_family != family) {
		snprintf(msg, len, "%s: %s address on an %s media node", where,
		         family == AF_INET ? "IPv6" : "IPv4", family == AF_INET ? "IPv4" : "IPv6");
		out->len = 0;
		return RPC_INVALID_ADDRESS;
	}
	if (net_addr_is_group(out)) {
		snprintf(msg, len, "%s: %s is a multicast or broadcast address", where, ep->ip);
		out->len = 0;
		return RPC_INVALID_ADDRESS;
	}
	if (!ep->port || net_addr_is_unspecified(out))
		out->len = 0; /* not known yet, or on hold */
	return RPC_OK;
}

int session_build_destination(const struct media_policy *policy, const struct net_addr *a,
                              const char *where, char *msg, size_t len)
{
	char why[128], text[NET_ADDR_TEXT];

	if (!media_policy_check(policy, a, why, sizeof(why)))
		return RPC_OK;
	net_addr_format(a, text, sizeof(text));
	snprintf(msg, len, "%s: %s %s", where, text, why);
	return RPC_INVALID_ADDRESS;
}

/* An Endpoint a client sends: well formed, and somewhere media may go. */
static int check_remote(const struct build_env *env, const RpcEndpoint *ep, struct net_addr *out,
                        const char *where, char *msg, size_t len)
{
	int rc = session_build_endpoint(ep, env->family, out, where, msg, len);

	if (!rc)
		rc = session_build_destination(env->policy, out, where, msg, len);
	if (rc)
		out->len = 0;
	return rc;
}

/* One leg's StreamSpec; kind and clock rate are the pair's, taken from leg A's spec. */
static int check_spec(const RpcStreamSpec *sp, const struct build_env *env,
                      struct relay_leg_spec *out, const char *where, char *msg, size_t len)
{
	char field[96];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!sp) {
		snprintf(msg, len, "%s: missing", where);
		return RPC_BAD_REQUEST;
	}
	if ((int)sp->kind < KIND_UNSPECIFIED || (int)sp->kind > KIND_OTHER) {
		snprintf(msg, len, "%s.kind: %d is not a media kind", where, (int)sp->kind);
		return RPC_BAD_REQUEST;
	}
	if ((int)sp->direction < 0 || (int)sp->direction > DIR_INACTIVE) {
		snprintf(msg, len, "%s.direction: %d is not a direction", where,
		         (int)sp->direction);
		return RPC_BAD_REQUEST;
	}
	if (sp->clock_rate > MAX_CLOCK_RATE) {
		snprintf(msg, len, "%s.clock_rate: %u Hz is not a clock rate", where,
		         sp->clock_rate);
		return RPC_BAD_REQUEST;
	}
	rc = check_srtp(sp->srtp, where, msg, len);
	if (rc)
		return rc;
	if (sp->telephone_event_pt > 127 || sp->codec_pt > 127) {
		snprintf(msg, len, "%s.%s: %u is not an RTP payload type", where,
		         sp->codec_pt > 127 ? "codec_pt" : "telephone_event_pt",
		         sp->codec_pt > 127 ? sp->codec_pt : sp->telephone_event_pt);
		return RPC_BAD_REQUEST;
	}
	out->te_pt = (uint8_t)sp->telephone_event_pt;
	out->codec_pt = (uint8_t)sp->codec_pt;
	out->law = (uint8_t)g711_law_of(sp->codec, sp->codec_pt);
	/* "PCMA" without its payload type: PT 0 is PCMU's, so it means the static 8. */
	if (out->law == G711_ALAW && !out->codec_pt)
		out->codec_pt = 8;
	out->mux = sp->rtcp_mux;
	out->direction = sp->direction ? (uint8_t)sp->direction : DIR_SENDRECV;
	snprintf(field, sizeof(field), "%s.remote_rtp", where);
	rc = check_remote(env, sp->remote_rtp, &out->rtp, field, msg, len);
	if (rc)
		return rc;
	snprintf(field, sizeof(field), "%s.remote_rtcp", where);
	rc = check_remote(env, sp->remote_rtcp, &out->rtcp, field, msg, len);
	out->rtcp_given = out->rtcp.len != 0;
	return rc;
}

static uint8_t kind_of(const RpcStreamSpec *sp)
{
	return (int)sp->kind == KIND_UNSPECIFIED ? KIND_AUDIO : (uint8_t)sp->kind;
}

static uint32_t rate_of(const RpcStreamSpec *sp)
{
	if (sp->clock_rate)
		return sp->clock_rate;
	return kind_of(sp) == KIND_VIDEO ? 90000 : 8000;
}

static void lease_drop(struct port_pool *pool, struct port_lease *l)
{
	if (l->rtp_fd >= 0)
		close(l->rtp_fd);
	if (l->rtcp_fd >= 0)
		close(l->rtcp_fd);
	port_pool_release(pool, l->port);
	l->rtp_fd = l->rtcp_fd = -1;
}

static int lease_status(int rc, char *msg, size_t len)
{
	if (rc == -ENOSPC) {
		snprintf(msg, len, "no free port pair in the RTP port range");
		return RPC_NO_PORTS;
	}
	if (rc == -EMFILE || rc == -ENFILE) {
		snprintf(msg, len, "out of file descriptors for RTP sockets");
		return RPC_NO_PORTS;
	}
	snprintf(msg, len, "cannot open RTP sockets: %s", strerror(-rc));
	return RPC_INTERNAL;
}

/* Leases both legs' ports, sets up their SRTP and builds the stream; nothing stays leased or
 * allocated on failure. */
static int make_stream(const struct build_env *env, uint32_t index, const RpcStreamSpec *a,
                       const RpcStreamSpec *b, const struct relay_leg_spec checked[2],
                       struct relay_stream **out, struct session_stream *ss, char *msg, size_t len)
{
	struct relay_leg_spec spec[2] = {checked[0], checked[1]};
	struct port_lease lease[2];
	int rc = build_srtp(a->srtp, &spec[0].srtp, msg, len);

	if (!rc)
		rc = build_srtp(b->srtp, &spec[1].srtp, msg, len);
	if (rc)
		goto no_srtp;
	rc = port_pool_acquire(env->pool, spec[0].mux, &lease[0]);
	if (rc) {
		rc = lease_status(rc, msg, len);
		goto no_srtp;
	}
	rc = port_pool_acquire(env->pool, spec[1].mux, &lease[1]);
	if (rc) {
		lease_drop(env->pool, &lease[0]);
		rc = lease_status(rc, msg, len);
		goto no_srtp;
	}
	*out = relay_stream_new(index, kind_of(a), rate_of(a), lease, spec, env->strict);
	if (!*out) {
		lease_drop(env->pool, &lease[0]);
		lease_drop(env->pool, &lease[1]);
		snprintf(msg, len, "out of memory");
		rc = RPC_INTERNAL;
		goto no_srtp;
	}
	memset(ss, 0, sizeof(*ss));
	ss->kind = kind_of(a);
	for (int i = 0; i < 2; i++) {
		const RpcStreamSpec *sp = i ? b : a;

		ss->port[i] = lease[i].port;
		ss->mux[i] = lease[i].mux;
		ss->te_pt[i] = spec[i].te_pt;
		ss->codec_pt[i] = spec[i].codec_pt;
		ss->law[i] = spec[i].law;
		snprintf(ss->codec[i], sizeof(ss->codec[i]), "%s",
		         sp->codec && sp->codec[0] ? sp->codec : "");
	}
	return RPC_OK;
no_srtp:
	srtp_ctx_free(spec[0].srtp);
	srtp_ctx_free(spec[1].srtp);
	return rc;
}

void session_build_release(struct port_pool *pool, const struct session_stream *ss)
{
	port_pool_release(pool, ss->port[0]);
	port_pool_release(pool, ss->port[1]);
}

/* Undoes streams [from, to) of s built by make_stream (sockets still open). */
static void unmake(const struct build_env *env, struct session *s, struct relay_stream **st,
                   uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		relay_stream_free(st[i - from]); /* closes the sockets */
		st[i - from] = NULL;
		session_build_release(env->pool, &s->streams[i]);
	}
}

static int check_pair(const struct build_env *env, const RpcStreamSpec *a, const RpcStreamSpec *b,
                      const char *wa, const char *wb, struct relay_leg_spec spec[2], char *msg,
                      size_t len)
{
	int rc = check_spec(a, env, &spec[0], wa, msg, len);

	return rc ? rc : check_spec(b, env, &spec[1], wb, msg, len);
}

int session_build_create(const struct build_env *env, const RpcCreateSessionRequest *req,
                         struct session *s, struct relay_session **out, char *msg, size_t len)
{
	struct relay_leg_spec spec[SESSION_MAX_STREAMS][2];
	struct relay_session *rs;
	size_t n;
	int rc;

	if (!req->leg_a || !req->leg_b) {
		snprintf(msg, len, "leg_a and leg_b are both required");
		return RPC_BAD_REQUEST;
	}
	n = req->leg_a->n_streams;
	if (n != req->leg_b->n_streams) {
		snprintf(msg, len, "leg_a has %zu streams but leg_b has %zu", n,
		         req->leg_b->n_streams);
		return RPC_BAD_REQUEST;
	}
	if (n == 0 || n > SESSION_MAX_STREAMS) {
		snprintf(msg, len, "%zu streams per leg; 1 to %d are accepted", n,
		         SESSION_MAX_STREAMS);
		return RPC_BAD_REQUEST;
	}
	for (size_t i = 0; i < n; i++) {
		char wa[48], wb[48];

		snprintf(wa, sizeof(wa), "leg_a.streams[%zu]", i);
		snprintf(wb, sizeof(wb), "leg_b.streams[%zu]", i);
		rc = check_pair(env, req->leg_a->streams[i], req->leg_b->streams[i], wa, wb,
		                spec[i], msg, len);
		if (rc)
			return rc;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		snprintf(msg, len, "out of memory");
		return RPC_INTERNAL;
	}
	rs->key = s->key;
	rs->policy = env->policy;
	rs->learn_ns = env->learn_ns;
	rs->relearn_ns = env->relearn_ns;
	for (size_t i = 0; i < n; i++) {
		rc = make_stream(env, (uint32_t)i, req->leg_a->streams[i], req->leg_b->streams[i],
		                 spec[i], &rs->streams[i], &s->streams[i], msg, len);
		if (rc) {
			unmake(env, s, rs->streams, 0, (uint32_t)i);
			free(rs);
			return rc;
		}
		rs->streams[i]->session = rs;
	}
	rs->n_streams = s->n_streams = (uint32_t)n;
	*out = rs;
	return RPC_OK;
}

/* Pass one of an update: every StreamUpdate and removal against the session as it is. */
static int check_changes(const struct build_env *env, const struct session *s,
                         const RpcUpdateSessionRequest *req, struct relay_update *u, char *msg,
                         size_t len)
{
	if (req->n_streams > 2 * SESSION_MAX_STREAMS) {
		snprintf(msg, len, "%zu stream updates; at most %d", req->n_streams,
		         2 * SESSION_MAX_STREAMS);
		return RPC_BAD_REQUEST;
	}
	for (size_t i = 0; i < req->n_streams; i++) {
		const RpcStreamUpdate *su = req->streams[i];
		struct relay_change *c = &u->changes[u->n_changes++];
		char where[64];
		int rc;

		snprintf(where, sizeof(where), "streams[%zu]", i);
		if (su->index >= s->n_streams || s->streams[su->index].removed) {
			snprintf(msg, len, "%s: no stream %u in this session", where, su->index);
			return RPC_BAD_REQUEST;
		}
		if (su->leg != TANDEM__MEDIA__V1__LEG_ID__LEG_A &&
		    su->leg != TANDEM__MEDIA__V1__LEG_ID__LEG_B) {
			snprintf(msg, len, "%s.leg: %d is not a leg", where, (int)su->leg);
			return RPC_BAD_REQUEST;
		}
		if ((int)su->direction < 0 || (int)su->direction > DIR_INACTIVE) {
			snprintf(msg, len, "%s.direction: %d is not a direction", where,
			         (int)su->direction);
			return RPC_BAD_REQUEST;
		}
		c->index = su->index;
		c->leg = su->leg == TANDEM__MEDIA__V1__LEG_ID__LEG_B;
		c->direction = (uint8_t)su->direction;
		c->set_rtp = su->remote_rtp != NULL;
		c->set_rtcp = su->remote_rtcp != NULL;
		snprintf(where, sizeof(where), "streams[%zu].remote_rtp", i);
		rc = check_remote(env, su->remote_rtp, &c->rtp, where, msg, len);
		if (rc)
			return rc;
		snprintf(where, sizeof(where), "streams[%zu].remote_rtcp", i);
		rc = check_remote(env, su->remote_rtcp, &c->rtcp, where, msg, len);
		if (rc)
			return rc;
		snprintf(where, sizeof(where), "streams[%zu]", i);
		rc = check_srtp(su->srtp, where, msg, len);
		if (rc)
			return rc;
		c->set_srtp = su->srtp != NULL;
	}
	for (size_t i = 0; i < req->n_remove; i++) {
		if (req->remove[i] >= s->n_streams || s->streams[req->remove[i]].removed) {
			snprintf(msg, len, "remove: no stream %u in this session", req->remove[i]);
			return RPC_BAD_REQUEST;
		}
		u->remove_mask |= 1u << req->remove[i];
	}
	return RPC_OK;
}

int session_build_update(const struct build_env *env, struct session *s,
                         const RpcUpdateSessionRequest *req, struct relay_update **out, char *msg,
                         size_t len)
{
	struct relay_leg_spec spec[SESSION_MAX_STREAMS][2];
	struct relay_update *u = calloc(1, sizeof(*u));
	uint32_t base = s->n_streams;
	int rc;

	if (!u) {
		snprintf(msg, len, "out of memory");
		return RPC_INTERNAL;
	}
	rc = check_changes(env, s, req, u, msg, len);
	if (!rc && req->n_add > SESSION_MAX_STREAMS - base) {
		snprintf(msg, len, "%zu streams added to %u; at most %d per session", req->n_add,
		         base, SESSION_MAX_STREAMS);
		rc = RPC_BAD_REQUEST;
	}
	for (size_t i = 0; !rc && i < req->n_add; i++) {
		char wa[48], wb[48];

		snprintf(wa, sizeof(wa), "add[%zu].a", i);
		snprintf(wb, sizeof(wb), "add[%zu].b", i);
		rc = check_pair(env, req->add[i]->a, req->add[i]->b, wa, wb, spec[i], msg, len);
	}
	for (size_t i = 0; !rc && i < req->n_add; i++) {
		rc = make_stream(env, base + (uint32_t)i, req->add[i]->a, req->add[i]->b, spec[i],
		                 &u->add[i], &s->streams[base + i], msg, len);
		if (rc) {
			unmake(env, s, u->add, base, base + (uint32_t)i);
			u->n_add = 0;
		} else {
			u->n_add++;
		}
	}
	/* Contexts last: a request refused above cost no key schedule. */
	for (size_t i = 0; !rc && i < req->n_streams; i++)
		rc = build_srtp(req->streams[i]->srtp, &u->changes[i].srtp, msg, len);
	if (rc) {
		if (u->n_add)
			unmake(env, s, u->add, base, base + u->n_add);
		relay_update_free(u);
		return rc;
	}
	s->n_streams += u->n_add;
	*out = u;
	return RPC_OK;
}
