/* mediactl: drives a media node's RPC from the command line. Each command builds one request
 * Envelope (mediactl_req.c), waits for its reply and prints it (text for people, --json for
 * scripts); watch prints the events the node sends to this client's identity.
 * Exit status: 0 ok, 1 the node answered with an error status (or watch saw fewer events than
 * --count), 2 usage, 3 no answer. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mediactl_req.h"
#include "pb_print.h"
#include "rpc.h"
#include "rpc_keys.h"

struct ctl {
	const char *endpoint, *identity;
	const char *key_file, *server_key_file; /* CURVE: this client's secret, node's public */
	int timeout_ms;
	uint64_t instance; /* Envelope.instance to send; 0 = none */
	bool json, quiet;
	void *zctx, *sock;
};

typedef int (*build_fn)(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);

static const struct {
	const char *name;
	const char *args;
	build_fn build;
} commands[] = {
    {"ping", "", ctl_build_ping},
    {"create",
     "CALL-ID --a SPEC [--a SPEC]... --b SPEC [--b SPEC]... [--strict] [--mux-a]\n"
     "         [--mux-b] [--timeout-ms MS] [--owner TAG] [--tag-a TAG] [--tag-b TAG]",
     ctl_build_create},
    {"update",
     "SESSION [--leg a|b --stream N [--remote IP:PORT] [--remote-rtcp IP:PORT]\n"
     "         [--direction DIR]]... [--add-a SPEC --add-b SPEC]... [--remove N]...\n"
     "         [--strict|--no-strict] [--timeout-ms MS]",
     ctl_build_update},
    {"delete", "SESSION [--reason TEXT]", ctl_build_delete},
    {"query", "SESSION", ctl_build_query},
    {"list", "[--limit N]", ctl_build_list},
    {"claim", "SESSION-ID...", ctl_build_claim},
    {"drain", "", ctl_build_drain},
    {"undrain", "", ctl_build_drain},
    {"watch", "[--count N] [--duration SECONDS]", ctl_build_watch},
    {"record", "SESSION PATH [--stream N]", ctl_build_record},
    {"stop-record", "SESSION", ctl_build_stop_record},
    {"play", "SESSION --leg a|b FILE [--stream N] [--loops N] [--id N]", ctl_build_play},
    {"stop-play", "SESSION --leg a|b", ctl_build_stop_play},
    {"echo", "SESSION --leg a|b on|off [--stream N]", ctl_build_echo},
    {"send-dtmf", "SESSION --leg a|b DIGITS [--duration-ms MS] [--stream N]", ctl_build_send_dtmf},
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: mediactl [-e ENDPOINT] [-k KEY -s SERVER_PUB] [-t MS] [-i ID] [-j] [-q]\n"
	        "                COMMAND [ARGS]\n"
	        "       mediactl keygen [--out PREFIX]\n"
	        "  -e, --endpoint E   mediad RPC address (default tcp://127.0.0.1:5555,\n"
	        "                     or $MEDIACTL_ENDPOINT)\n"
	        "  -k, --key FILE     this client's CURVE secret key file (or $MEDIACTL_KEY)\n"
	        "  -s, --server-key FILE  the node's public key file (or $MEDIACTL_SERVER_KEY)\n"
	        "  -t, --timeout MS   reply timeout (default 2000)\n"
	        "  -i, --identity ID  ZeroMQ routing id: the owner of sessions this run creates\n"
	        "                     and the client events go to (default mediactl-PID)\n"
	        "  -n, --instance N   Envelope.instance to send (a client's process start);\n"
	        "                     default none. claim needs it\n"
	        "  -j, --json         print replies and events as JSON, one per line\n"
	        "  -q, --quiet        create: print only the session id; others: print nothing\n"
	        "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s%s%s\n", commands[i].name, commands[i].args[0] ? " " : "",
		        commands[i].args);
	fprintf(f,
	        "SESSION is a session id, or --call CALL-ID.\n"
	        "SPEC is one stream (m-line) of one leg: KIND[:IP:PORT][,OPTION]...\n"
	        "  KIND    audio, video or other\n"
	        "  IP:PORT the remote RTP address from SDP ([IPv6]:PORT); without it mediad\n"
	        "          learns the remote from the first packet\n"
	        "  OPTION  mux (rtcp-mux), sendrecv|sendonly|recvonly|inactive,\n"
	        "          rtcp=IP:PORT (remote RTCP if not RTP port + 1), rate=HZ (clock rate),\n"
	        "          codec=NAME[/PT] (PCMU, PCMA/8...: what prompts are encoded to and\n"
	        "          recordings decode), te=PT (telephone-event payload type: digits)\n"
	        "  --a/--b repeat in m-line order; stream i of leg A is bridged to stream i of B.\n"
	        "  --mux-a/--mux-b set rtcp-mux on every stream of that leg.\n"
	        "DIR is what that leg's SDP says: sendrecv, sendonly, recvonly or inactive.\n"
	        "record PATH writes both legs of the stream into a stereo WAV under the node's\n"
	        "  [apps] recordings_dir; play FILE is a WAV under [apps] prompts_dir.\n"
	        "Events (RtpTimeout, SessionClosed, Dtmf, PlaybackDone, RecordingDone) go to the\n"
	        "  identity that created the session:\n"
	        "  mediactl -i me create ...; mediactl -i me watch --count 1 --duration 30\n"
	        "A bridge by hand (B's address learnt later from its answer):\n"
	        "  S=$(mediactl -i me -q create call-1 --a audio:10.0.0.1:4000 --b audio)\n"
	        "  mediactl update \"$S\" --leg b --stream 0 --remote 10.0.0.2:5000\n"
	        "  mediactl query \"$S\"; mediactl delete \"$S\"\n"
	        "claim: sessions created by this identity under another instance are kept\n"
	        "  when the node sees the new instance (-n), instead of closed.\n"
	        "drain: the node takes no new sessions (STATUS_OVERLOADED) and keeps its live\n"
	        "  ones; undrain ends it. Admin keys only on a node with keys.\n"
	        "keygen: a new CURVE key pair; with --out PREFIX written to PREFIX.key (secret,\n"
	        "  mode 0600) and PREFIX.pub, else printed.\n"
	        "A node with keys answers nothing to a client without an allowed key (exit 3).\n"
	        "exit status: 0 ok, 1 error status from mediad, 2 usage, 3 no reply\n");
}

static void print_env(const struct ctl *ctl, const RpcEnvelope *env)
{
	if (ctl->json) {
		pb_print_json(stdout, &env->base);
		fputc('\n', stdout);
	} else {
		pb_print_text(stdout, &env->base, 0);
	}
	fflush(stdout);
}

static uint64_t new_request_id(void)
{
	static uint64_t n;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32)) | 1) + 2 * n++;
}

/* The CURVE options when -k is given: both key files must load. Returns 0 or 2 (said why). */
static int load_keys(const struct ctl *ctl, struct rpc_keypair *kp,
                     char server[RPC_KEY_Z85_LEN + 1], struct rpc_dealer_opts *o)
{
	char err[512];

	if (!ctl->key_file && !ctl->server_key_file)
		return 0;
	if (!ctl->key_file || !ctl->server_key_file) {
		fprintf(stderr, "mediactl: -k and -s go together\n");
		return 2;
	}
	if (rpc_key_load_secret(ctl->key_file, kp, err, sizeof(err)) ||
	    rpc_key_load_public(ctl->server_key_file, server, err, sizeof(err))) {
		fprintf(stderr, "mediactl: %s\n", err);
		return 2;
	}
	o->public_key = kp->public_key;
	o->secret_key = kp->secret_key;
	o->server_key = server;
	return 0;
}

static int connect_node(struct ctl *ctl)
{
	struct rpc_dealer_opts o = {0};
	struct rpc_keypair kp;
	char id[64], server[RPC_KEY_Z85_LEN + 1];
	int rc = load_keys(ctl, &kp, server, &o);

	if (rc)
		return rc;
	ctl->zctx = rpc_context_new();
	snprintf(id, sizeof(id), "mediactl-%d", (int)getpid());
	o.identity = ctl->identity ? ctl->identity : id;
	rc = ctl->zctx ? rpc_dealer_open(ctl->zctx, ctl->endpoint, &o, &ctl->sock) : -errno;
	memset(&kp, 0, sizeof(kp));
	if (rc)
		fprintf(stderr, "mediactl: cannot connect to %s: %s\n", ctl->endpoint,
		        strerror(-rc));
	return rc;
}

/* One round trip; 0 with *reply, or the exit status (3) after saying why. */
static int round_trip(struct ctl *ctl, RpcEnvelope *req, RpcEnvelope **reply)
{
	int rc;

	req->version = RPC_VERSION;
	req->request_id = new_request_id();
	req->instance = ctl->instance;
	rc = rpc_call(ctl->sock, req, ctl->timeout_ms, reply);
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "mediactl: no reply from %s within %d ms (is mediad running?)\n",
		        ctl->endpoint, ctl->timeout_ms);
		return 3;
	}
	if (rc) {
		fprintf(stderr, "mediactl: %s: %s\n", ctl->endpoint, strerror(-rc));
		return 3;
	}
	return 0;
}

/* update with only one of the options: the other keeps its current value. */
static int complete_options(struct ctl *ctl, struct ctl_build *b, RpcEnvelope *req)
{
	RpcEnvelope q = TANDEM__MEDIA__V1__ENVELOPE__INIT, *reply = NULL;
	RpcQuerySessionRequest qr = TANDEM__MEDIA__V1__QUERY_SESSION_REQUEST__INIT;
	RpcSessionOptions *o = req->update_session->options;
	const RpcSessionOptions *cur;
	int rc;

	if (!b->keep_strict && !b->keep_timeout && !b->keep_hold_timeout)
		return 0;
	qr.session = req->update_session->session;
	q.body_case = RPC_BODY(QUERY_SESSION);
	q.query_session = &qr;
	rc = round_trip(ctl, &q, &reply);
	if (rc)
		return rc;
	if (reply->body_case != RPC_BODY(QUERY_SESSION_REPLY) ||
	    !reply->query_session_reply->session || !reply->query_session_reply->session->options) {
		print_env(ctl, reply); /* the node's error */
		rpc_envelope_free(reply);
		return 1;
	}
	cur = reply->query_session_reply->session->options;
	if (b->keep_strict)
		o->strict_source = cur->strict_source;
	if (b->keep_timeout)
		o->inactivity_timeout_ms = cur->inactivity_timeout_ms;
	if (b->keep_hold_timeout)
		o->hold_timeout_ms = cur->hold_timeout_ms;
	rpc_envelope_free(reply);
	return 0;
}

static void print_reply(const struct ctl *ctl, const RpcEnvelope *reply)
{
	if (!ctl->quiet) {
		print_env(ctl, reply);
		return;
	}
	if (reply->body_case == RPC_BODY(CREATE_SESSION_REPLY) &&
	    reply->create_session_reply->session)
		printf("%s\n", reply->create_session_reply->session->session_id);
}

/* The status of any reply, the media applications' included. */
static const RpcStatus *reply_status(const RpcEnvelope *env)
{
	switch (env->body_case) {
	case RPC_BODY(START_RECORDING_REPLY):
		return env->start_recording_reply->status;
	case RPC_BODY(STOP_RECORDING_REPLY):
		return env->stop_recording_reply->status;
	case RPC_BODY(PLAY_REPLY):
		return env->play_reply->status;
	case RPC_BODY(STOP_PLAY_REPLY):
		return env->stop_play_reply->status;
	case RPC_BODY(SET_ECHO_REPLY):
		return env->set_echo_reply->status;
	case RPC_BODY(SEND_DTMF_REPLY):
		return env->send_dtmf_reply->status;
	default:
		return rpc_reply_status(env);
	}
}

static int call(struct ctl *ctl, struct ctl_build *b, RpcEnvelope *req)
{
	RpcEnvelope *reply = NULL;
	const RpcStatus *st;
	int rc = req->body_case == RPC_BODY(UPDATE_SESSION) ? complete_options(ctl, b, req) : 0;

	if (!rc)
		rc = round_trip(ctl, req, &reply);
	if (rc)
		return rc;
	print_reply(ctl, reply);
	st = reply_status(reply);
	rc = st && st->code != RPC_OK;
	if (rc && !ctl->json)
		fprintf(stderr, "mediactl: %s: %s\n", rpc_status_name(st->code), st->message);
	rpc_envelope_free(reply);
	return rc ? 1 : 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void print_event(const struct ctl *ctl, const RpcEnvelope *env)
{
	const RpcEvent *ev = env->event;
	const char *sid = ev->session ? ev->session->session_id : "";
	const char *cid = ev->session ? ev->session->call_id : "";

	if (ctl->json) {
		print_env(ctl, env);
		return;
	}
	if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RTP_TIMEOUT)
		printf("rtp_timeout session=%s call=%s idle_ms=%llu\n", sid, cid,
		       (unsigned long long)ev->rtp_timeout->idle_ms);
	else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_SESSION_CLOSED)
		printf("session_closed session=%s call=%s reason=\"%s\"\n", sid, cid,
		       ev->session_closed->reason);
	else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_DTMF)
		printf("dtmf session=%s call=%s leg=%s stream=%u digit=%s duration_ms=%u\n", sid,
		       cid, ev->dtmf->leg ? "b" : "a", ev->dtmf->stream, ev->dtmf->digit,
		       ev->dtmf->duration_ms);
	else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE)
		printf("playback_done session=%s call=%s leg=%s play_id=%llu played_ms=%llu "
		       "reason=\"%s\"\n",
		       sid, cid, ev->playback_done->leg ? "b" : "a",
		       (unsigned long long)ev->playback_done->play_id,
		       (unsigned long long)ev->playback_done->played_ms, ev->playback_done->reason);
	else if (ev->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RECORDING_DONE)
		printf("recording_done session=%s call=%s path=%s duration_ms=%llu bytes=%llu "
		       "reason=\"%s\"\n",
		       sid, cid,
		       ev->recording_done->recording ? ev->recording_done->recording->path : "",
		       ev->recording_done->recording
		           ? (unsigned long long)ev->recording_done->recording->duration_ms
		           : 0ull,
		       ev->recording_done->recording
		           ? (unsigned long long)ev->recording_done->recording->bytes
		           : 0ull,
		       ev->recording_done->reason);
	else
		printf("event session=%s call=%s (kind %d)\n", sid, cid, (int)ev->kind_case);
	fflush(stdout);
}

/* Prints events until --count of them arrived or --duration passed (or SIGINT). A Ping every
 * second keeps this identity alive as an owner. */
static int watch(struct ctl *ctl, struct ctl_build *b, RpcEnvelope *ping)
{
	uint64_t end = b->duration > 0 ? clock_mono_ms() + (uint64_t)(b->duration * 1000) : 0;
	uint64_t next_ping = 0;
	long seen = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!interrupted && (!b->count || seen < b->count)) {
		uint64_t now = clock_mono_ms();
		RpcEnvelope *env = NULL;
		int wait, rc;

		if (end && now >= end)
			break;
		if (now >= next_ping) {
			ping->version = RPC_VERSION;
			ping->instance = ctl->instance;
			ping->request_id = new_request_id();
			rpc_send(ctl->sock, NULL, 0, ping);
			next_ping = now + 1000;
		}
		wait = (int)(next_ping - now);
		if (end && end - now < (uint64_t)wait)
			wait = (int)(end - now);
		rc = rpc_wait(ctl->sock, wait, &env);
		if (rc == -ETIMEDOUT || rc == -EINTR)
			continue;
		if (rc) {
			fprintf(stderr, "mediactl: %s: %s\n", ctl->endpoint, strerror(-rc));
			return 3;
		}
		if (env->body_case == RPC_BODY(EVENT) && env->event) {
			print_event(ctl, env);
			seen++;
		}
		rpc_envelope_free(env);
	}
	return b->count && seen < b->count ? 1 : 0;
}

static int parse_globals(int argc, char **argv, struct ctl *ctl)
{
	static const struct option opts[] = {
	    {"endpoint", required_argument, NULL, 'e'},
	    {"timeout", required_argument, NULL, 't'},
	    {"identity", required_argument, NULL, 'i'},
	    {"key", required_argument, NULL, 'k'},
	    {"server-key", required_argument, NULL, 's'},
	    {"instance", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "+e:t:i:k:s:n:jqh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ctl->endpoint = optarg;
			break;
		case 't':
			ctl->timeout_ms = atoi(optarg);
			if (ctl->timeout_ms <= 0) {
				fprintf(stderr, "mediactl: --timeout must be a positive number\n");
				return 2;
			}
			break;
		case 'i':
			ctl->identity = optarg;
			break;
		case 'k':
			ctl->key_file = optarg;
			break;
		case 'n':
			ctl->instance = strtoull(optarg, NULL, 0);
			break;
		case 's':
			ctl->server_key_file = optarg;
			break;
		case 'j':
			ctl->json = true;
			break;
		case 'q':
			ctl->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* keygen [--out PREFIX]: no node involved. */
static int keygen(int argc, char **argv)
{
	struct rpc_keypair kp;
	char err[512];
	int rc;

	if (argc == 1) {
		if (rpc_key_generate(NULL, &kp, err, sizeof(err))) {
			fprintf(stderr, "mediactl: %s\n", err);
			return 1;
		}
		printf("public %s\nsecret %s\n", kp.public_key, kp.secret_key);
		memset(&kp, 0, sizeof(kp));
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "--out") != 0) {
		fprintf(stderr, "usage: mediactl keygen [--out PREFIX]\n");
		return 2;
	}
	rc = rpc_key_generate(argv[2], &kp, err, sizeof(err));
	memset(kp.secret_key, 0, sizeof(kp.secret_key));
	if (rc) {
		fprintf(stderr, "mediactl: %s\n", err);
		return 1;
	}
	printf("%s\n", kp.public_key);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl ctl = {.endpoint = getenv("MEDIACTL_ENDPOINT"),
	                  .timeout_ms = 2000,
	                  .key_file = getenv("MEDIACTL_KEY"),
	                  .server_key_file = getenv("MEDIACTL_SERVER_KEY")};
	RpcEnvelope req = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	struct ctl_build b;
	int rc;

	if (!ctl.endpoint)
		ctl.endpoint = "tcp://127.0.0.1:5555";
	rc = parse_globals(argc, argv, &ctl);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (strcmp(argv[optind], "keygen") == 0)
		return keygen(argc - optind, argv + optind);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char **cargv = argv + optind;
		int cargc = argc - optind;

		if (strcmp(cargv[0], commands[i].name) != 0)
			continue;
		memset(&b, 0, sizeof(b));
		if (commands[i].build(cargc, cargv, &b, &req)) {
			fprintf(stderr, "mediactl: %s\nusage: mediactl %s %s\n", b.err,
			        commands[i].name, commands[i].args);
			pb_arena_free(&b.arena);
			return 2;
		}
		rc = connect_node(&ctl);
		if (!rc)
			rc = strcmp(commands[i].name, "watch") ? call(&ctl, &b, &req)
			                                       : watch(&ctl, &b, &req);
		else if (rc != 2)
			rc = 3;
		rpc_socket_close(ctl.sock);
		rpc_context_free(ctl.zctx);
		pb_arena_free(&b.arena);
		return rc;
	}
	fprintf(stderr, "mediactl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
