/* mediad session setup for the load generator: blocking RPC round trips (rpc_call), one per
 * session, before and after the measured traffic, so their cost never touches the measurement. */
#include "load_mediad.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

#define RPC_TIMEOUT_MS 5000

typedef Tandem__Media__V1__StreamSpec StreamSpec;
typedef Tandem__Media__V1__LegSpec LegSpec;
typedef Tandem__Media__V1__SessionOptions SessionOptions;
typedef Tandem__Media__V1__CreateSessionRequest CreateSessionRequest;
typedef Tandem__Media__V1__DeleteSessionRequest DeleteSessionRequest;
typedef Tandem__Media__V1__LegInfo LegInfo;
typedef Tandem__Media__V1__SrtpParams SrtpParams;

struct load_mediad {
	void *ctx;
	void *sock;
	uint64_t next_id;
	const struct load_srtp *srtp; /* NULL: plain legs */
};

int load_mediad_open(struct load_mediad **out, const char *endpoint)
{
	struct load_mediad *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	m->ctx = rpc_context_new();
	if (!m->ctx) {
		rc = -errno;
		free(m);
		return rc;
	}
	rc = rpc_dealer_connect(m->ctx, endpoint, NULL, &m->sock);
	if (rc) {
		rpc_context_free(m->ctx);
		free(m);
		return rc;
	}
	m->next_id = 1;
	*out = m;
	return 0;
}

void load_mediad_close(struct load_mediad *m)
{
	if (!m)
		return;
	rpc_socket_close(m->sock);
	rpc_context_free(m->ctx);
	free(m);
}

void load_mediad_set_srtp(struct load_mediad *m, const struct load_srtp *srtp)
{
	m->srtp = srtp;
}

/* One round trip; an error status is printed with what, and turned into -EPROTO. */
static int call(struct load_mediad *m, RpcEnvelope *req, const char *what, RpcEnvelope **reply)
{
	const RpcStatus *st;
	int rc;

	req->version = RPC_VERSION;
	req->request_id = m->next_id++;
	rc = rpc_call(m->sock, req, RPC_TIMEOUT_MS, reply);
	if (rc) {
		fprintf(stderr, "mediad %s: %s\n", what, strerror(-rc));
		return rc;
	}
	st = rpc_reply_status(*reply);
	if (!st || st->code != RPC_OK) {
		fprintf(stderr, "mediad %s: %s %s\n", what,
		        st ? rpc_status_name(st->code) : "unexpected reply", st ? st->message : "");
		rpc_envelope_free(*reply);
		*reply = NULL;
		return -EPROTO;
	}
	return 0;
}

int load_mediad_ping(struct load_mediad *m, struct load_mediad_node *node)
{
	RpcPingRequest ping = TANDEM__MEDIA__V1__PING_REQUEST__INIT;
	RpcEnvelope req = TANDEM__MEDIA__V1__ENVELOPE__INIT, *reply;
	const RpcNodeStatus *ns;
	int rc;

	req.body_case = RPC_BODY(PING);
	req.ping = &ping;
	rc = call(m, &req, "ping", &reply);
	if (rc)
		return rc;
	memset(node, 0, sizeof(*node));
	if (reply->body_case == RPC_BODY(PING_REPLY) && (ns = reply->ping_reply->node)) {
		node->workers = ns->workers;
		node->sessions = ns->sessions;
		node->free_ports = ns->free_ports;
		snprintf(node->version, sizeof(node->version), "%s", ns->version);
	}
	rpc_envelope_free(reply);
	return 0;
}

static int endpoint_to_sockaddr(const RpcEndpoint *ep, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!ep || ep->port == 0 || ep->port > 65535 ||
	    inet_pton(AF_INET, ep->ip, &sa->sin_addr) != 1)
		return -EINVAL;
	sa->sin_port = htons((uint16_t)ep->port);
	return 0;
}

static int first_local_rtp(const LegInfo *leg, struct sockaddr_in *sa)
{
	if (!leg || leg->n_streams < 1)
		return -EINVAL;
	return endpoint_to_sockaddr(leg->streams[0]->local_rtp, sa);
}

/* Fills ep from sa; NULL sa leaves ep at port 0, "not known". */
static void sockaddr_to_endpoint(const struct sockaddr_in *sa, char *ip, size_t iplen,
                                 RpcEndpoint *ep)
{
	if (!sa)
		return;
	inet_ntop(AF_INET, &sa->sin_addr, ip, (socklen_t)iplen);
	ep->ip = ip;
	ep->port = ntohs(sa->sin_port);
}

/* The SRTP of leg (0 = A, 1 = B) of call i, or NULL for a plain leg. */
static SrtpParams *leg_srtp(const struct load_mediad *m, unsigned call, unsigned leg, SrtpParams *p)
{
	const uint8_t *own, *relay;
	size_t len;

	if (!m->srtp || !load_srtp_leg_on(m->srtp, leg))
		return NULL;
	len = load_srtp_key_len(load_srtp_suite(m->srtp, leg));
	own = load_srtp_key(m->srtp, call, leg, 0);
	relay = load_srtp_key(m->srtp, call, leg, 1);
	p->suite = (Tandem__Media__V1__SrtpSuite)load_srtp_suite(m->srtp, leg);
	p->rx_key.data = (uint8_t *)own; /* what the generator's endpoint encrypts with */
	p->rx_key.len = len;
	p->tx_key.data = (uint8_t *)relay;
	p->tx_key.len = len;
	return p;
}

/* One session; remote_a NULL: leg A's remote is learnt from its first packet. srtp_a/srtp_b:
 * the legs' SRTP, NULL for plain. */
static int create_one(struct load_mediad *m, const char *call_id,
                      const struct sockaddr_in *remote_a, const struct sockaddr_in *remote_b,
                      SrtpParams *srtp_a, SrtpParams *srtp_b, struct sockaddr_in *local_a,
                      struct sockaddr_in *local_b)
{
	char ip_a[INET_ADDRSTRLEN], ip_b[INET_ADDRSTRLEN];
	RpcEndpoint ep_a = TANDEM__MEDIA__V1__ENDPOINT__INIT,
	            ep_b = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	StreamSpec st_a = TANDEM__MEDIA__V1__STREAM_SPEC__INIT,
	           st_b = TANDEM__MEDIA__V1__STREAM_SPEC__INIT;
	StreamSpec *streams_a[1] = {&st_a}, *streams_b[1] = {&st_b};
	LegSpec leg_a = TANDEM__MEDIA__V1__LEG_SPEC__INIT,
	        leg_b = TANDEM__MEDIA__V1__LEG_SPEC__INIT;
	SessionOptions opts = TANDEM__MEDIA__V1__SESSION_OPTIONS__INIT;
	CreateSessionRequest cs = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcEnvelope req = TANDEM__MEDIA__V1__ENVELOPE__INIT, *reply;
	const Tandem__Media__V1__SessionInfo *si;
	int rc;

	sockaddr_to_endpoint(remote_a, ip_a, sizeof(ip_a), &ep_a);
	sockaddr_to_endpoint(remote_b, ip_b, sizeof(ip_b), &ep_b);
	st_a.kind = st_b.kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_AUDIO;
	st_a.remote_rtp = remote_a ? &ep_a : NULL;
	st_b.remote_rtp = &ep_b;
	st_a.srtp = srtp_a;
	st_b.srtp = srtp_b;
	leg_a.tag = "a";
	leg_a.n_streams = 1;
	leg_a.streams = streams_a;
	leg_b.tag = "b";
	leg_b.n_streams = 1;
	leg_b.streams = streams_b;
	cs.call_id = (char *)call_id;
	cs.owner = "rtp_load";
	cs.leg_a = &leg_a;
	cs.leg_b = &leg_b;
	cs.options = &opts;
	req.body_case = RPC_BODY(CREATE_SESSION);
	req.create_session = &cs;
	rc = call(m, &req, "create", &reply);
	if (rc)
		return rc;
	si = reply->body_case == RPC_BODY(CREATE_SESSION_REPLY)
	         ? reply->create_session_reply->session
	         : NULL;
	if (!si || first_local_rtp(si->leg_a, local_a) || first_local_rtp(si->leg_b, local_b)) {
		fprintf(stderr, "mediad create %s: reply lacks the local RTP ports\n", call_id);
		rc = -EPROTO;
	}
	rpc_envelope_free(reply);
	return rc;
}

static void session_name(char *buf, size_t len, const char *prefix, unsigned call, unsigned hop)
{
	snprintf(buf, len, "%s-%u-%u", prefix, call, hop);
}

int load_mediad_create(struct load_mediad *m, const char *prefix, struct load_call *calls,
                       unsigned n, unsigned chain, unsigned *created)
{
	struct sockaddr_in local_a, local_b, next_a;
	char call_id[96];
	int rc;

	*created = 0;
	if (m->srtp && chain != 1)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		SrtpParams sp_a = TANDEM__MEDIA__V1__SRTP_PARAMS__INIT,
		           sp_b = TANDEM__MEDIA__V1__SRTP_PARAMS__INIT;

		/* Last hop first, so that every hop but the last knows where its leg B sends: the
		 * next hop's leg A port. Leg A of hops after the first latches onto the previous
		 * hop's leg B socket when the first packet arrives. */
		for (unsigned h = chain; h-- > 0;) {
			session_name(call_id, sizeof(call_id), prefix, i, h);
			rc = create_one(m, call_id, h == 0 ? &calls[i].a_bind : NULL,
			                h == chain - 1 ? &calls[i].b_bind : &next_a,
			                leg_srtp(m, i, 0, &sp_a), leg_srtp(m, i, 1, &sp_b),
			                &local_a, &local_b);
			if (rc == -EPROTO)
				(*created)++; /* the session may exist without usable ports */
			if (rc)
				return rc;
			(*created)++;
			if (h == chain - 1)
				calls[i].b_dest = local_b;
			if (h == 0)
				calls[i].a_dest = local_a;
			next_a = local_a;
		}
	}
	return 0;
}

static void add_leg(const LegInfo *leg, struct load_mediad_totals *t)
{
	for (size_t i = 0; leg && i < leg->n_streams; i++) {
		const Tandem__Media__V1__TrafficStats *rtp = leg->streams[i]->rtp;

		if (rtp) {
			t->packets += rtp->packets;
			t->dropped += rtp->dropped;
			t->srtp_failed += rtp->srtp_failed;
		}
	}
}

int load_mediad_delete(struct load_mediad *m, const char *prefix, unsigned chain, unsigned count,
                       struct load_mediad_totals *totals)
{
	char call_id[96];
	int first = 0;

	memset(totals, 0, sizeof(*totals));
	for (unsigned j = 0; j < count; j++) {
		RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
		DeleteSessionRequest ds = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
		RpcEnvelope req = TANDEM__MEDIA__V1__ENVELOPE__INIT, *reply;
		int rc;

		/* the creation order: per call, hops from the last to the first */
		session_name(call_id, sizeof(call_id), prefix, j / chain, chain - 1 - j % chain);
		ref.call_id = call_id;
		ds.session = &ref;
		ds.reason = "rtp_load done";
		req.body_case = RPC_BODY(DELETE_SESSION);
		req.delete_session = &ds;
		rc = call(m, &req, "delete", &reply);
		if (rc) {
			if (!first)
				first = rc;
			if (rc == -ETIMEDOUT)
				break; /* mediad is gone: do not wait 5 s per session */
			continue;
		}
		if (reply->body_case == RPC_BODY(DELETE_SESSION_REPLY) &&
		    reply->delete_session_reply->session) {
			add_leg(reply->delete_session_reply->session->leg_a, totals);
			add_leg(reply->delete_session_reply->session->leg_b, totals);
		}
		rpc_envelope_free(reply);
	}
	return first;
}
