/* Command-line arguments to media RPC requests. Each builder runs getopt_long over its own
 * arguments (GNU getopt, reset with optind = 0), so options and the positional argument may come
 * in any order. */
#include "mediactl_req.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "session_snapshot.h"

#define NEW(b, name) pb_arena_msg(&(b)->arena, &tandem__media__v1__##name##__descriptor)

int ctl_fail(struct ctl_build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ctl_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	return errno || end == text || *end || text[0] == '-' || *out > max ? -EINVAL : 0;
}

int ctl_parse_endpoint(const char *text, struct ctl_build *b, RpcEndpoint **out)
{
	char host[64];
	unsigned port;
	RpcEndpoint *e;

	if (cfg_split_hostport(text, host, sizeof(host), &port))
		return ctl_fail(b, "'%s' is not IP:PORT (or [IPv6]:PORT)", text);
	e = NEW(b, endpoint);
	if (!e || !(e->ip = pb_arena_strdup(&b->arena, host)))
		return ctl_fail(b, "out of memory");
	e->port = port;
	*out = e;
	return 0;
}

static int parse_direction(const char *text, int *out)
{
	static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

	for (int i = 0; i < 4; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = DIR_SENDRECV + i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_kind(const char *text, size_t len, int *out)
{
	static const char *const names[] = {"audio", "video", "other"};

	for (int i = 0; i < 3; i++) {
		if (strlen(names[i]) == len && strncmp(text, names[i], len) == 0) {
			*out = KIND_AUDIO + i;
			return 0;
		}
	}
	return -EINVAL;
}

/* codec=NAME[/PT]: the leg's codec, e.g. PCMA/8. */
static int codec_option(const char *v, struct ctl_build *b, RpcStreamSpec *sp)
{
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	unsigned long pt = 0;

	if (!n || n > 31 || (slash && ctl_parse_uint(slash + 1, 127, &pt)))
		return ctl_fail(b, "codec=%s: NAME or NAME/PT (0-127)", v);
	sp->codec = pb_arena_alloc(&b->arena, n + 1);
	if (!sp->codec)
		return ctl_fail(b, "out of memory");
	memcpy(sp->codec, v, n);
	sp->codec[n] = '\0';
	sp->codec_pt = (uint32_t)pt;
	if (!slash && !strcasecmp(sp->codec, "PCMA"))
		sp->codec_pt = 8;
	return 0;
}

static int stream_option(const char *opt, struct ctl_build *b, RpcStreamSpec *sp)
{
	unsigned long rate;
	int dir;

	if (strcmp(opt, "mux") == 0) {
		sp->rtcp_mux = 1;
	} else if (parse_direction(opt, &dir) == 0) {
		sp->direction = dir;
	} else if (strncmp(opt, "rtcp=", 5) == 0) {
		return ctl_parse_endpoint(opt + 5, b, &sp->remote_rtcp);
	} else if (strncmp(opt, "codec=", 6) == 0) {
		return codec_option(opt + 6, b, sp);
	} else if (strncmp(opt, "te=", 3) == 0) {
		if (ctl_parse_uint(opt + 3, 127, &rate) || !rate)
			return ctl_fail(b, "te=%s: not a payload type (1-127)", opt + 3);
		sp->telephone_event_pt = (uint32_t)rate;
	} else if (strncmp(opt, "rate=", 5) == 0) {
		if (ctl_parse_uint(opt + 5, 1000000, &rate) || !rate)
			return ctl_fail(b, "rate=%s: not a clock rate in Hz", opt + 5);
		sp->clock_rate = (uint32_t)rate;
	} else {
		return ctl_fail(b, "unknown stream option '%s'", opt);
	}
	return 0;
}

int ctl_parse_stream(const char *text, struct ctl_build *b, RpcStreamSpec *sp)
{
	char buf[256], *opts, *save = NULL, *opt;
	size_t klen = strcspn(text, ":,");
	int kind;

	if (strlen(text) >= sizeof(buf))
		return ctl_fail(b, "stream spec too long");
	if (parse_kind(text, klen, &kind))
		return ctl_fail(b, "'%s': a stream starts with audio, video or other", text);
	sp->kind = kind;
	strcpy(buf, text + klen);
	opts = strchr(buf, ',');
	if (opts)
		*opts++ = '\0';
	if (buf[0] == ':' && ctl_parse_endpoint(buf + 1, b, &sp->remote_rtp))
		return -EINVAL;
	for (opt = opts ? strtok_r(opts, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save))
		if (stream_option(opt, b, sp))
			return -EINVAL;
	return 0;
}

static RpcStreamSpec *new_stream(struct ctl_build *b, const char *text)
{
	RpcStreamSpec *sp = NEW(b, stream_spec);

	if (!sp) {
		ctl_fail(b, "out of memory");
		return NULL;
	}
	return ctl_parse_stream(text, b, sp) ? NULL : sp;
}

/* The session named by the positional argument, or by --call. */
int ctl_session_ref(struct ctl_build *b, const char *id, const char *call, RpcSessionRef **out)
{
	RpcSessionRef *ref = NEW(b, session_ref);

	if (!ref)
		return ctl_fail(b, "out of memory");
	if ((id != NULL) == (call != NULL))
		return ctl_fail(b, "name the session by its id or by --call CALL-ID (one of them)");
	ref->session_id = id ? pb_arena_strdup(&b->arena, id) : (char *)"";
	ref->call_id = call ? pb_arena_strdup(&b->arena, call) : (char *)"";
	*out = ref;
	return 0;
}

int ctl_parse_args(int argc, char **argv, const char *shortopts, const struct option *longopts,
                   ctl_opt_fn fn, void *ctx, struct ctl_build *b, const char **pos, int maxpos,
                   int *npos)
{
	int c;

	optind = 0; /* GNU: full reset */
	opterr = 0;
	*npos = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return ctl_fail(b, "%s: unknown option or missing value near '%s'", argv[0],
			                argv[optind - 1]);
		if (fn(c, optarg, b, ctx))
			return -EINVAL;
	}
	for (; optind < argc; optind++) {
		if (*npos == maxpos)
			return ctl_fail(b, "%s: unexpected argument '%s'", argv[0], argv[optind]);
		pos[(*npos)++] = argv[optind];
	}
	return 0;
}

int ctl_build_ping(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	if (argc > 1)
		return ctl_fail(b, "ping takes no arguments");
	req->body_case = RPC_BODY(PING);
	req->ping = NEW(b, ping_request);
	return req->ping ? 0 : ctl_fail(b, "out of memory");
}

int ctl_build_drain(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	if (argc > 1)
		return ctl_fail(b, "drain and undrain take no arguments");
	req->body_case = RPC_BODY(DRAIN);
	req->drain = NEW(b, drain_request);
	if (!req->drain)
		return ctl_fail(b, "out of memory");
	req->drain->draining = strcmp(argv[0], "drain") == 0;
	return 0;
}

int ctl_build_claim(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	RpcClaimSessionsRequest *r = NEW(b, claim_sessions_request);

	if (!r)
		return ctl_fail(b, "out of memory");
	if (argc < 2)
		return ctl_fail(b, "claim needs at least one session id");
	r->sessions = pb_arena_alloc(&b->arena, (size_t)(argc - 1) * sizeof(*r->sessions));
	if (!r->sessions)
		return ctl_fail(b, "out of memory");
	for (int i = 1; i < argc; i++) {
		RpcSessionRef *ref = NEW(b, session_ref);

		if (!ref)
			return ctl_fail(b, "out of memory");
		ref->session_id = argv[i];
		r->sessions[r->n_sessions++] = ref;
	}
	req->body_case = RPC_BODY(CLAIM_SESSIONS);
	req->claim_sessions = r;
	return 0;
}

/* --- create ------------------------------------------------------------------------------ */

enum { O_MUX_A = 1000, O_MUX_B, O_TAG_A, O_TAG_B, O_ADD_A, O_ADD_B, O_NO_STRICT, O_RTCP };

struct create_ctx {
	RpcCreateSessionRequest *r;
	RpcStreamSpec *s[2][SESSION_MAX_STREAMS];
	size_t n[2];
	bool mux[2];
};

static int create_opt(int c, const char *arg, struct ctl_build *b, void *ctx)
{
	struct create_ctx *x = ctx;
	unsigned long v;
	int leg = c == 'a' ? 0 : 1;

	switch (c) {
	case 'a':
	case 'b':
		if (x->n[leg] == SESSION_MAX_STREAMS)
			return ctl_fail(b, "at most %d streams per leg", SESSION_MAX_STREAMS);
		x->s[leg][x->n[leg]] = new_stream(b, arg);
		return x->s[leg][x->n[leg]++] ? 0 : -EINVAL;
	case 's':
		x->r->options->strict_source = 1;
		return 0;
	case 't':
		if (ctl_parse_uint(arg, UINT32_MAX, &v))
			return ctl_fail(b, "--timeout-ms: '%s' is not a number of ms", arg);
		x->r->options->inactivity_timeout_ms = (uint32_t)v;
		return 0;
	case 'o':
		x->r->owner = pb_arena_strdup(&b->arena, arg);
		return 0;
	case O_MUX_A:
	case O_MUX_B:
		x->mux[c - O_MUX_A] = true;
		return 0;
	case O_TAG_A:
		x->r->leg_a->tag = pb_arena_strdup(&b->arena, arg);
		return 0;
	case O_TAG_B:
		x->r->leg_b->tag = pb_arena_strdup(&b->arena, arg);
		return 0;
	default:
		return ctl_fail(b, "create: unexpected option");
	}
}

static int fill_leg(struct ctl_build *b, RpcLegSpec *leg, RpcStreamSpec **s, size_t n, bool mux)
{
	leg->n_streams = n;
	leg->streams = pb_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*leg->streams));
	if (!leg->streams)
		return ctl_fail(b, "out of memory");
	for (size_t i = 0; i < n; i++) {
		leg->streams[i] = s[i];
		if (mux)
			s[i]->rtcp_mux = 1;
	}
	return 0;
}

int ctl_build_create(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	static const struct option opts[] = {
	    {"a", required_argument, NULL, 'a'},
	    {"b", required_argument, NULL, 'b'},
	    {"strict", no_argument, NULL, 's'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"owner", required_argument, NULL, 'o'},
	    {"mux-a", no_argument, NULL, O_MUX_A},
	    {"mux-b", no_argument, NULL, O_MUX_B},
	    {"tag-a", required_argument, NULL, O_TAG_A},
	    {"tag-b", required_argument, NULL, O_TAG_B},
	    {NULL, 0, NULL, 0},
	};
	struct create_ctx x = {0};
	const char *pos[1];
	int npos;

	x.r = NEW(b, create_session_request);
	if (!x.r || !(x.r->options = NEW(b, session_options)) || !(x.r->leg_a = NEW(b, leg_spec)) ||
	    !(x.r->leg_b = NEW(b, leg_spec)))
		return ctl_fail(b, "out of memory");
	if (ctl_parse_args(argc, argv, "a:b:st:o:", opts, create_opt, &x, b, pos, 1, &npos))
		return -EINVAL;
	if (npos != 1)
		return ctl_fail(b, "create needs a CALL-ID");
	if (!x.n[0] || !x.n[1])
		return ctl_fail(b, "create needs streams on both legs (--a SPEC and --b SPEC)");
	x.r->call_id = pb_arena_strdup(&b->arena, pos[0]);
	if (fill_leg(b, x.r->leg_a, x.s[0], x.n[0], x.mux[0]) ||
	    fill_leg(b, x.r->leg_b, x.s[1], x.n[1], x.mux[1]))
		return -EINVAL;
	req->body_case = RPC_BODY(CREATE_SESSION);
	req->create_session = x.r;
	return 0;
}

/* --- update ------------------------------------------------------------------------------ */

/* One StreamUpdate is built from the options between two --stream options; options before the
 * first --stream belong to the first. */
struct update_ctx {
	RpcUpdateSessionRequest *r;
	RpcStreamUpdate *u[2 * SESSION_MAX_STREAMS];
	bool has_stream[2 * SESSION_MAX_STREAMS], has_leg[2 * SESSION_MAX_STREAMS];
	size_t n; /* groups opened */
	RpcStreamSpec *add[2][SESSION_MAX_STREAMS];
	size_t n_add[2];
	uint32_t remove[SESSION_MAX_STREAMS];
	size_t n_remove;
	const char *call;
	int strict;      /* -1 unchanged */
	long timeout_ms; /* -1 unchanged */
};

static RpcStreamUpdate *group(struct update_ctx *x, struct ctl_build *b, bool new_stream)
{
	if (!x->n || (new_stream && x->has_stream[x->n - 1])) {
		if (x->n == 2 * SESSION_MAX_STREAMS) {
			ctl_fail(b, "too many --stream updates");
			return NULL;
		}
		x->u[x->n] = NEW(b, stream_update);
		if (!x->u[x->n]) {
			ctl_fail(b, "out of memory");
			return NULL;
		}
		x->n++;
	}
	return x->u[x->n - 1];
}

static int update_stream_opt(int c, const char *arg, struct ctl_build *b, struct update_ctx *x)
{
	RpcStreamUpdate *u = group(x, b, c == 'n');
	unsigned long v;
	int dir;

	if (!u)
		return -EINVAL;
	switch (c) {
	case 'n':
		if (ctl_parse_uint(arg, SESSION_MAX_STREAMS - 1, &v))
			return ctl_fail(b, "--stream: '%s' is not a stream index", arg);
		u->index = (uint32_t)v;
		x->has_stream[x->n - 1] = true;
		return 0;
	case 'l':
		if (strcmp(arg, "a") && strcmp(arg, "A") && strcmp(arg, "b") && strcmp(arg, "B"))
			return ctl_fail(b, "--leg: '%s' is not a or b", arg);
		u->leg = (arg[0] == 'b' || arg[0] == 'B') ? TANDEM__MEDIA__V1__LEG_ID__LEG_B
		                                          : TANDEM__MEDIA__V1__LEG_ID__LEG_A;
		x->has_leg[x->n - 1] = true;
		return 0;
	case 'r':
		return ctl_parse_endpoint(arg, b, &u->remote_rtp);
	case O_RTCP:
		return ctl_parse_endpoint(arg, b, &u->remote_rtcp);
	default: /* 'd' */
		if (parse_direction(arg, &dir))
			return ctl_fail(b,
			                "--direction: '%s' is not sendrecv, sendonly, recvonly or "
			                "inactive",
			                arg);
		u->direction = dir;
		return 0;
	}
}

static int update_opt(int c, const char *arg, struct ctl_build *b, void *ctx)
{
	struct update_ctx *x = ctx;
	unsigned long v;

	switch (c) {
	case O_ADD_A:
	case O_ADD_B: {
		int leg = c - O_ADD_A;

		if (x->n_add[leg] == SESSION_MAX_STREAMS)
			return ctl_fail(b, "too many added streams");
		x->add[leg][x->n_add[leg]] = new_stream(b, arg);
		return x->add[leg][x->n_add[leg]++] ? 0 : -EINVAL;
	}
	case 'x':
		if (ctl_parse_uint(arg, SESSION_MAX_STREAMS - 1, &v) ||
		    x->n_remove == SESSION_MAX_STREAMS)
			return ctl_fail(b, "--remove: '%s' is not a stream index", arg);
		x->remove[x->n_remove++] = (uint32_t)v;
		return 0;
	case 'c':
		x->call = arg;
		return 0;
	case 's':
	case O_NO_STRICT:
		x->strict = c == 's';
		return 0;
	case 't':
		if (ctl_parse_uint(arg, UINT32_MAX, &v))
			return ctl_fail(b, "--timeout-ms: '%s' is not a number of ms", arg);
		x->timeout_ms = (long)v;
		return 0;
	default:
		return update_stream_opt(c, arg, b, x);
	}
}

static int finish_update(struct update_ctx *x, struct ctl_build *b)
{
	RpcUpdateSessionRequest *r = x->r;

	for (size_t i = 0; i < x->n; i++)
		if (!x->has_stream[i] || !x->has_leg[i])
			return ctl_fail(b, "each stream update needs --leg a|b and --stream N");
	if (x->n_add[0] != x->n_add[1])
		return ctl_fail(b, "--add-a and --add-b come in pairs (%zu vs %zu)", x->n_add[0],
		                x->n_add[1]);
	r->n_streams = x->n;
	r->streams = x->u;
	r->n_remove = x->n_remove;
	r->remove = x->remove;
	r->n_add = x->n_add[0];
	r->add = pb_arena_alloc(&b->arena, (r->n_add ? r->n_add : 1) * sizeof(*r->add));
	if (!r->add)
		return ctl_fail(b, "out of memory");
	for (size_t i = 0; i < r->n_add; i++) {
		if (!(r->add[i] = NEW(b, stream_add)))
			return ctl_fail(b, "out of memory");
		r->add[i]->a = x->add[0][i];
		r->add[i]->b = x->add[1][i];
	}
	if (x->strict >= 0 || x->timeout_ms >= 0) {
		if (!(r->options = NEW(b, session_options)))
			return ctl_fail(b, "out of memory");
		r->options->strict_source = x->strict > 0;
		r->options->inactivity_timeout_ms = x->timeout_ms > 0 ? (uint32_t)x->timeout_ms : 0;
		b->keep_strict = x->strict < 0;
		b->keep_timeout = x->timeout_ms < 0;
		b->keep_hold_timeout = true; /* no option for it: the session's stays */
	}
	return 0;
}

int ctl_build_update(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	static const struct option opts[] = {
	    {"leg", required_argument, NULL, 'l'},
	    {"stream", required_argument, NULL, 'n'},
	    {"remote", required_argument, NULL, 'r'},
	    {"remote-rtcp", required_argument, NULL, O_RTCP},
	    {"direction", required_argument, NULL, 'd'},
	    {"add-a", required_argument, NULL, O_ADD_A},
	    {"add-b", required_argument, NULL, O_ADD_B},
	    {"remove", required_argument, NULL, 'x'},
	    {"strict", no_argument, NULL, 's'},
	    {"no-strict", no_argument, NULL, O_NO_STRICT},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"call", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	struct update_ctx *x = pb_arena_alloc(&b->arena, sizeof(*x));
	const char *pos[1];
	int npos;

	if (!x || !(x->r = NEW(b, update_session_request)))
		return ctl_fail(b, "out of memory");
	x->strict = -1;
	x->timeout_ms = -1;
	if (ctl_parse_args(argc, argv, "l:n:r:d:x:st:c:", opts, update_opt, x, b, pos, 1, &npos) ||
	    ctl_session_ref(b, npos ? pos[0] : NULL, x->call, &x->r->session) ||
	    finish_update(x, b))
		return -EINVAL;
	req->body_case = RPC_BODY(UPDATE_SESSION);
	req->update_session = x->r;
	return 0;
}

/* --- delete, query, list, watch ---------------------------------------------------------- */

struct ref_ctx {
	const char *call, *reason;
	unsigned long limit, count;
	double duration;
};

static int ref_opt(int c, const char *arg, struct ctl_build *b, void *ctx)
{
	struct ref_ctx *x = ctx;
	char *end;

	switch (c) {
	case 'c':
		x->call = arg;
		return 0;
	case 'r':
		x->reason = arg;
		return 0;
	case 'l':
		return ctl_parse_uint(arg, UINT32_MAX, &x->limit)
		           ? ctl_fail(b, "--limit: bad number")
		           : 0;
	case 'n':
		return ctl_parse_uint(arg, 1000000000, &x->count)
		           ? ctl_fail(b, "--count: bad number")
		           : 0;
	default: /* 'd' */
		x->duration = strtod(arg, &end);
		return *end || end == arg || x->duration <= 0
		           ? ctl_fail(b, "--duration: '%s' is not a number of seconds", arg)
		           : 0;
	}
}

static const struct option ref_opts[] = {
    {"call", required_argument, NULL, 'c'},     {"reason", required_argument, NULL, 'r'},
    {"limit", required_argument, NULL, 'l'},    {"count", required_argument, NULL, 'n'},
    {"duration", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0},
};

int ctl_build_delete(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	RpcDeleteSessionRequest *r = NEW(b, delete_session_request);
	struct ref_ctx x = {0};
	const char *pos[1];
	int npos;

	if (!r)
		return ctl_fail(b, "out of memory");
	if (ctl_parse_args(argc, argv, "c:r:", ref_opts, ref_opt, &x, b, pos, 1, &npos) ||
	    ctl_session_ref(b, npos ? pos[0] : NULL, x.call, &r->session))
		return -EINVAL;
	r->reason = pb_arena_strdup(&b->arena, x.reason ? x.reason : "mediactl delete");
	req->body_case = RPC_BODY(DELETE_SESSION);
	req->delete_session = r;
	return 0;
}

int ctl_build_query(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	RpcQuerySessionRequest *r = NEW(b, query_session_request);
	struct ref_ctx x = {0};
	const char *pos[1];
	int npos;

	if (!r)
		return ctl_fail(b, "out of memory");
	if (ctl_parse_args(argc, argv, "c:", ref_opts, ref_opt, &x, b, pos, 1, &npos) ||
	    ctl_session_ref(b, npos ? pos[0] : NULL, x.call, &r->session))
		return -EINVAL;
	req->body_case = RPC_BODY(QUERY_SESSION);
	req->query_session = r;
	return 0;
}

int ctl_build_list(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	RpcListSessionsRequest *r = NEW(b, list_sessions_request);
	struct ref_ctx x = {0};
	const char *pos[1];
	int npos;

	if (!r)
		return ctl_fail(b, "out of memory");
	if (ctl_parse_args(argc, argv, "l:", ref_opts, ref_opt, &x, b, pos, 0, &npos))
		return -EINVAL;
	r->limit = (uint32_t)x.limit;
	req->body_case = RPC_BODY(LIST_SESSIONS);
	req->list_sessions = r;
	return 0;
}

int ctl_build_watch(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	struct ref_ctx x = {0};
	const char *pos[1];
	int npos;

	if (ctl_parse_args(argc, argv, "n:d:", ref_opts, ref_opt, &x, b, pos, 0, &npos))
		return -EINVAL;
	b->count = (long)x.count;
	b->duration = x.duration;
	return ctl_build_ping(1, argv, b, req); /* watch announces itself with a Ping */
}
