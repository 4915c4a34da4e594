/* mediactl's media application commands: record, stop-record, play, stop-play, echo,
 * send-dtmf. Each names a session (id or --call) and, where it matters, a leg and a stream. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "mediactl_req.h"

#define NEW(b, name) pb_arena_msg(&(b)->arena, &tandem__media__v1__##name##__descriptor)
#define PB(x)        Tandem__Media__V1__##x

struct app_ctx {
	const char *call;
	int leg; /* -1: not given */
	unsigned long stream, loops, id, duration_ms;
};

static int app_opt(int c, const char *arg, struct ctl_build *b, void *ctx)
{
	struct app_ctx *x = ctx;

	switch (c) {
	case 'c':
		x->call = arg;
		return 0;
	case 'l':
		if (!strcmp(arg, "a") || !strcmp(arg, "A"))
			x->leg = 0;
		else if (!strcmp(arg, "b") || !strcmp(arg, "B"))
			x->leg = 1;
		else
			return ctl_fail(b, "--leg: a or b, not '%s'", arg);
		return 0;
	case 's':
		return ctl_parse_uint(arg, 15, &x->stream) ? ctl_fail(b, "--stream: 0-15") : 0;
	case 'n':
		return ctl_parse_uint(arg, 1000000, &x->loops) ? ctl_fail(b, "--loops: a count")
		                                               : 0;
	case 'i':
		return ctl_parse_uint(arg, UINT32_MAX, &x->id) ? ctl_fail(b, "--id: a number") : 0;
	default: /* 'd' */
		return ctl_parse_uint(arg, 5000, &x->duration_ms)
		           ? ctl_fail(b, "--duration-ms: 40-5000")
		           : 0;
	}
}

static const struct option app_opts[] = {
    {"call", required_argument, NULL, 'c'},
    {"leg", required_argument, NULL, 'l'},
    {"stream", required_argument, NULL, 's'},
    {"loops", required_argument, NULL, 'n'},
    {"id", required_argument, NULL, 'i'},
    {"duration-ms", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0},
};

/* Options, then SESSION (unless --call) and `want` more positional arguments into arg[]. */
static int parse(int argc, char **argv, struct ctl_build *b, struct app_ctx *x, bool need_leg,
                 int want, const char **arg, RpcSessionRef **ref)
{
	const char *pos[3];
	int npos, have;

	x->leg = -1;
	if (ctl_parse_args(argc, argv, "c:l:s:n:i:d:", app_opts, app_opt, x, b, pos, want + 1,
	                   &npos))
		return -EINVAL;
	have = x->call ? npos : npos - 1;
	if (have != want)
		return ctl_fail(b, "%s: %d argument%s after the session expected", argv[0], want,
		                want == 1 ? "" : "s");
	if (need_leg && x->leg < 0)
		return ctl_fail(b, "%s: --leg a|b is required", argv[0]);
	for (int i = 0; i < want; i++)
		arg[i] = pos[npos - want + i];
	return ctl_session_ref(b, x->call ? NULL : pos[0], x->call, ref);
}

int ctl_build_record(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(StartRecordingRequest) *r = NEW(b, start_recording_request);
	struct app_ctx x = {0};
	const char *arg[1];

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, false, 1, arg, &r->session))
		return -EINVAL;
	r->path = pb_arena_strdup(&b->arena, arg[0]);
	r->stream = (uint32_t)x.stream;
	req->body_case = RPC_BODY(START_RECORDING);
	req->start_recording = r;
	return 0;
}

int ctl_build_stop_record(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(StopRecordingRequest) *r = NEW(b, stop_recording_request);
	struct app_ctx x = {0};

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, false, 0, NULL, &r->session))
		return -EINVAL;
	req->body_case = RPC_BODY(STOP_RECORDING);
	req->stop_recording = r;
	return 0;
}

int ctl_build_play(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(PlayRequest) *r = NEW(b, play_request);
	struct app_ctx x = {0};
	const char *arg[1];

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, true, 1, arg, &r->session))
		return -EINVAL;
	r->leg = x.leg;
	r->file = pb_arena_strdup(&b->arena, arg[0]);
	r->stream = (uint32_t)x.stream;
	r->loops = (uint32_t)x.loops;
	r->play_id = x.id;
	req->body_case = RPC_BODY(PLAY);
	req->play = r;
	return 0;
}

int ctl_build_stop_play(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(StopPlayRequest) *r = NEW(b, stop_play_request);
	struct app_ctx x = {0};

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, true, 0, NULL, &r->session))
		return -EINVAL;
	r->leg = x.leg;
	req->body_case = RPC_BODY(STOP_PLAY);
	req->stop_play = r;
	return 0;
}

int ctl_build_echo(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(SetEchoRequest) *r = NEW(b, set_echo_request);
	struct app_ctx x = {0};
	const char *arg[1];

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, true, 1, arg, &r->session))
		return -EINVAL;
	if (strcmp(arg[0], "on") && strcmp(arg[0], "off"))
		return ctl_fail(b, "echo: on or off, not '%s'", arg[0]);
	r->leg = x.leg;
	r->on = !strcmp(arg[0], "on");
	r->stream = (uint32_t)x.stream;
	req->body_case = RPC_BODY(SET_ECHO);
	req->set_echo = r;
	return 0;
}

int ctl_build_send_dtmf(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req)
{
	PB(SendDtmfRequest) *r = NEW(b, send_dtmf_request);
	struct app_ctx x = {0};
	const char *arg[1];

	if (!r)
		return ctl_fail(b, "out of memory");
	if (parse(argc, argv, b, &x, true, 1, arg, &r->session))
		return -EINVAL;
	r->leg = x.leg;
	r->digits = pb_arena_strdup(&b->arena, arg[0]);
	r->duration_ms = (uint32_t)x.duration_ms;
	r->stream = (uint32_t)x.stream;
	req->body_case = RPC_BODY(SEND_DTMF);
	req->send_dtmf = r;
	return 0;
}
