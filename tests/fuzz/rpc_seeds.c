/* Writes the seed inputs of fuzz_rpc (corpus/fuzz_rpc/) in its record format: packed Envelopes
 * of every request, in the orders a client sends them, with the workers answering in between.
 * Run from the fuzz build tree: tests/fuzz/rpc_seeds DIR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc.h"

#define WORKERS_RUN  2
#define WORKERS_FAIL 3

struct out {
	uint8_t buf[16384];
	size_t n;
};

static void put_env(struct out *o, unsigned client, RpcEnvelope *env)
{
	size_t len = tandem__media__v1__envelope__get_packed_size(env);

	if (o->n + 3 + len > sizeof(o->buf))
		abort();
	o->buf[o->n++] = (uint8_t)(client << 2);
	o->buf[o->n++] = (uint8_t)(len >> 8);
	o->buf[o->n++] = (uint8_t)len;
	o->n += tandem__media__v1__envelope__pack(env, o->buf + o->n);
}

static void put_op(struct out *o, uint8_t op)
{
	o->buf[o->n++] = op;
}

static void save(const char *dir, const char *name, const struct out *o)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(o->buf, 1, o->n, f) != o->n || fclose(f))
		abort();
}

static void ping(struct out *o, unsigned client, unsigned version)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcPingRequest p = TANDEM__MEDIA__V1__PING_REQUEST__INIT;

	env.version = version;
	env.request_id = 1;
	env.body_case = RPC_BODY(PING);
	env.ping = &p;
	put_env(o, client, &env);
}

static void create(struct out *o, unsigned client, const char *call_id, bool strict)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcCreateSessionRequest c = TANDEM__MEDIA__V1__CREATE_SESSION_REQUEST__INIT;
	RpcLegSpec a = TANDEM__MEDIA__V1__LEG_SPEC__INIT, b = TANDEM__MEDIA__V1__LEG_SPEC__INIT;
	RpcStreamSpec sa[2] = {TANDEM__MEDIA__V1__STREAM_SPEC__INIT,
	                       TANDEM__MEDIA__V1__STREAM_SPEC__INIT};
	RpcStreamSpec sb[2] = {TANDEM__MEDIA__V1__STREAM_SPEC__INIT,
	                       TANDEM__MEDIA__V1__STREAM_SPEC__INIT};
	RpcStreamSpec *pa[2] = {&sa[0], &sa[1]}, *pb[2] = {&sb[0], &sb[1]};
	RpcEndpoint ea = TANDEM__MEDIA__V1__ENDPOINT__INIT, eb = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	RpcEndpoint ev = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	RpcSessionOptions opt = TANDEM__MEDIA__V1__SESSION_OPTIONS__INIT;

	ea.ip = "198.51.100.7";
	ea.port = 4000;
	eb.ip = "192.0.2.9";
	eb.port = 5000;
	ev.ip = "198.51.100.7";
	ev.port = 4002;
	sa[0].kind = sb[0].kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_AUDIO;
	sa[0].remote_rtp = &ea;
	sa[0].clock_rate = 8000;
	if (strstr(call_id, "apps")) {
		sa[0].codec = "PCMU";
		sa[0].telephone_event_pt = 101;
	}
	sb[0].rtcp_mux = true;
	sb[0].remote_rtp = &eb;
	sa[1].kind = sb[1].kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_VIDEO;
	sa[1].remote_rtp = &ev;
	sa[1].direction = TANDEM__MEDIA__V1__DIRECTION__DIRECTION_SENDONLY;
	a.tag = "tag-a";
	a.n_streams = b.n_streams = 2;
	a.streams = pa;
	b.streams = pb;
	opt.strict_source = strict;
	opt.inactivity_timeout_ms = 30000;
	c.call_id = (char *)call_id;
	c.owner = "fuzz";
	c.leg_a = &a;
	c.leg_b = &b;
	c.options = &opt;
	env.version = RPC_VERSION;
	env.request_id = 2;
	env.body_case = RPC_BODY(CREATE_SESSION);
	env.create_session = &c;
	put_env(o, client, &env);
}

static void update(struct out *o, unsigned client, const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcUpdateSessionRequest u = TANDEM__MEDIA__V1__UPDATE_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcStreamUpdate su = TANDEM__MEDIA__V1__STREAM_UPDATE__INIT, *psu = &su;
	RpcStreamAdd add = TANDEM__MEDIA__V1__STREAM_ADD__INIT, *padd = &add;
	RpcStreamSpec a = TANDEM__MEDIA__V1__STREAM_SPEC__INIT,
	              b = TANDEM__MEDIA__V1__STREAM_SPEC__INIT;
	RpcEndpoint e = TANDEM__MEDIA__V1__ENDPOINT__INIT;
	uint32_t remove[1] = {1};

	ref.call_id = (char *)call_id;
	e.ip = "203.0.113.5";
	e.port = 7000;
	su.index = 0;
	su.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_B;
	su.remote_rtp = &e;
	su.direction = TANDEM__MEDIA__V1__DIRECTION__DIRECTION_RECVONLY;
	a.kind = b.kind = TANDEM__MEDIA__V1__MEDIA_KIND__MEDIA_KIND_OTHER;
	b.rtcp_mux = true;
	add.a = &a;
	add.b = &b;
	u.session = &ref;
	u.n_streams = 1;
	u.streams = &psu;
	u.n_add = 1;
	u.add = &padd;
	u.n_remove = 1;
	u.remove = remove;
	env.version = RPC_VERSION;
	env.request_id = 3;
	env.body_case = RPC_BODY(UPDATE_SESSION);
	env.update_session = &u;
	put_env(o, client, &env);
}

static void by_ref(struct out *o, unsigned client, int body, const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcQuerySessionRequest q = TANDEM__MEDIA__V1__QUERY_SESSION_REQUEST__INIT;
	RpcDeleteSessionRequest d = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;
	RpcListSessionsRequest l = TANDEM__MEDIA__V1__LIST_SESSIONS_REQUEST__INIT;

	ref.call_id = (char *)call_id;
	env.version = RPC_VERSION;
	env.request_id = 4;
	env.body_case = body;
	if (body == RPC_BODY(QUERY_SESSION)) {
		q.session = &ref;
		env.query_session = &q;
	} else if (body == RPC_BODY(DELETE_SESSION)) {
		d.session = &ref;
		d.reason = "BYE";
		env.delete_session = &d;
	} else {
		l.limit = 0;
		env.list_sessions = &l;
	}
	put_env(o, client, &env);
}

/* The media applications on a session whose leg A negotiated PCMU and telephone-event. */
static void apps(struct out *o, unsigned client, const char *call_id)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	Tandem__Media__V1__SetEchoRequest echo = TANDEM__MEDIA__V1__SET_ECHO_REQUEST__INIT;
	Tandem__Media__V1__PlayRequest play = TANDEM__MEDIA__V1__PLAY_REQUEST__INIT;
	Tandem__Media__V1__StopPlayRequest stop = TANDEM__MEDIA__V1__STOP_PLAY_REQUEST__INIT;
	Tandem__Media__V1__SendDtmfRequest dtmf = TANDEM__MEDIA__V1__SEND_DTMF_REQUEST__INIT;
	Tandem__Media__V1__StartRecordingRequest rec =
	    TANDEM__MEDIA__V1__START_RECORDING_REQUEST__INIT;
	Tandem__Media__V1__StopRecordingRequest stop_rec =
	    TANDEM__MEDIA__V1__STOP_RECORDING_REQUEST__INIT;

	ref.call_id = (char *)call_id;
	env.version = RPC_VERSION;
	env.request_id = 5;
	echo.session = play.session = stop.session = dtmf.session = rec.session = stop_rec.session =
	    &ref;
	echo.on = true;
	env.body_case = RPC_BODY(SET_ECHO);
	env.set_echo = &echo;
	put_env(o, client, &env);
	play.file = "hello.wav";
	play.play_id = 7;
	env.body_case = RPC_BODY(PLAY);
	env.play = &play;
	put_env(o, client, &env);
	play.file = "../etc/passwd";
	put_env(o, client, &env);
	stop.leg = TANDEM__MEDIA__V1__LEG_ID__LEG_B;
	env.body_case = RPC_BODY(STOP_PLAY);
	env.stop_play = &stop;
	put_env(o, client, &env);
	dtmf.digits = "123#";
	dtmf.duration_ms = 80;
	env.body_case = RPC_BODY(SEND_DTMF);
	env.send_dtmf = &dtmf;
	put_env(o, client, &env);
	rec.path = "calls/one.wav";
	env.body_case = RPC_BODY(START_RECORDING);
	env.start_recording = &rec;
	put_env(o, client, &env);
	env.body_case = RPC_BODY(STOP_RECORDING);
	env.stop_recording = &stop_rec;
	put_env(o, client, &env);
}

int main(int argc, char **argv)
{
	struct out o;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	memset(&o, 0, sizeof(o));
	ping(&o, 0, RPC_VERSION);
	ping(&o, 1, 7);
	save(argv[1], "ping", &o);

	memset(&o, 0, sizeof(o));
	create(&o, 0, "call-1@example", false);
	put_op(&o, WORKERS_RUN);
	by_ref(&o, 0, RPC_BODY(QUERY_SESSION), "call-1@example");
	update(&o, 0, "call-1@example");
	put_op(&o, WORKERS_RUN);
	by_ref(&o, 1, RPC_BODY(LIST_SESSIONS), NULL);
	put_op(&o, WORKERS_RUN);
	by_ref(&o, 0, RPC_BODY(DELETE_SESSION), "call-1@example");
	put_op(&o, WORKERS_RUN);
	save(argv[1], "call_lifecycle", &o);

	memset(&o, 0, sizeof(o));
	create(&o, 0, "call-2@example", true);
	create(&o, 1, "call-3@example", false);
	create(&o, 1, "call-3@example", false);
	by_ref(&o, 0, RPC_BODY(DELETE_SESSION), "call-2@example");
	update(&o, 1, "call-3@example");
	put_op(&o, WORKERS_FAIL);
	by_ref(&o, 1, RPC_BODY(LIST_SESSIONS), NULL);
	save(argv[1], "pipelined_and_failing", &o);

	memset(&o, 0, sizeof(o));
	for (int i = 0; i < 10; i++) {
		char id[32];

		snprintf(id, sizeof(id), "many-%d", i);
		create(&o, (unsigned)i % 3, id, i % 2);
	}
	put_op(&o, WORKERS_RUN);
	by_ref(&o, 2, RPC_BODY(LIST_SESSIONS), NULL);
	put_op(&o, WORKERS_RUN);
	save(argv[1], "pool_exhausted", &o);

	memset(&o, 0, sizeof(o));
	create(&o, 0, "apps-1@example", false);
	put_op(&o, WORKERS_RUN);
	apps(&o, 0, "apps-1@example");
	put_op(&o, WORKERS_RUN);
	apps(&o, 1, "apps-1@example");
	put_op(&o, WORKERS_FAIL);
	by_ref(&o, 0, RPC_BODY(DELETE_SESSION), "apps-1@example");
	put_op(&o, WORKERS_RUN);
	save(argv[1], "media_apps", &o);
	return 0;
}
