/* mediactl: drives a media node's RPC from the command line. Each subcommand builds one request
 * Envelope, waits for its reply and prints it (text for people, --json for scripts).
 * Exit status: 0 ok, 1 the node answered with an error status, 2 usage, 3 no answer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pb_print.h"
#include "rpc.h"

struct ctl {
	const char *endpoint;
	int timeout_ms;
	bool json;
	void *zctx, *sock;
};

typedef int (*build_fn)(int argc, char **argv, RpcEnvelope *req);

static int build_ping(int argc, char **argv, RpcEnvelope *req)
{
	static RpcPingRequest ping = TANDEM__MEDIA__V1__PING_REQUEST__INIT;

	if (argc > 0)
		return -EINVAL;
	req->body_case = RPC_BODY(PING);
	req->ping = &ping;
	return 0;
}

static const struct {
	const char *name;
	const char *args;
	build_fn build;
} commands[] = {
    {"ping", "", build_ping},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mediactl [-e ENDPOINT] [-t MS] [--json] COMMAND [ARGS]\n"
	           "  -e, --endpoint E   mediad RPC address (default tcp://127.0.0.1:5555,\n"
	           "                     or $MEDIACTL_ENDPOINT)\n"
	           "  -t, --timeout MS   reply timeout (default 2000)\n"
	           "  -j, --json         print replies as JSON\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].args);
}

static void print_reply(const struct ctl *ctl, const RpcEnvelope *env)
{
	if (ctl->json) {
		pb_print_json(stdout, &env->base);
		fputc('\n', stdout);
		return;
	}
	pb_print_text(stdout, &env->base, 0);
}

static uint64_t new_request_id(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32)) | 1;
}

static int call(struct ctl *ctl, RpcEnvelope *req)
{
	RpcEnvelope *reply = NULL;
	const RpcStatus *st;
	char id[64];
	int rc;

	ctl->zctx = rpc_context_new();
	snprintf(id, sizeof(id), "mediactl-%d", (int)getpid());
	rc = ctl->zctx ? rpc_dealer_connect(ctl->zctx, ctl->endpoint, id, &ctl->sock) : -errno;
	if (rc) {
		fprintf(stderr, "mediactl: cannot connect to %s: %s\n", ctl->endpoint,
		        strerror(-rc));
		return 3;
	}
	req->version = RPC_VERSION;
	req->request_id = new_request_id();
	rc = rpc_call(ctl->sock, req, ctl->timeout_ms, &reply);
	if (rc == -ETIMEDOUT) {
		fprintf(stderr, "mediactl: no reply from %s within %d ms (is mediad running?)\n",
		        ctl->endpoint, ctl->timeout_ms);
		return 3;
	}
	if (rc) {
		fprintf(stderr, "mediactl: %s: %s\n", ctl->endpoint, strerror(-rc));
		return 3;
	}
	print_reply(ctl, reply);
	st = rpc_reply_status(reply);
	rc = st && st->code != RPC_OK;
	if (rc && !ctl->json)
		fprintf(stderr, "mediactl: %s: %s\n", rpc_status_name(st->code), st->message);
	rpc_envelope_free(reply);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"endpoint", required_argument, NULL, 'e'},
	    {"timeout", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ctl ctl = {.endpoint = getenv("MEDIACTL_ENDPOINT"), .timeout_ms = 2000};
	RpcEnvelope req = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	int c, rc;

	if (!ctl.endpoint)
		ctl.endpoint = "tcp://127.0.0.1:5555";
	while ((c = getopt_long(argc, argv, "+e:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ctl.endpoint = optarg;
			break;
		case 't':
			ctl.timeout_ms = atoi(optarg);
			if (ctl.timeout_ms <= 0) {
				fprintf(stderr, "mediactl: --timeout must be a positive number\n");
				return 2;
			}
			break;
		case 'j':
			ctl.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (commands[i].build(argc - optind - 1, argv + optind + 1, &req)) {
			fprintf(stderr, "usage: mediactl %s %s\n", commands[i].name,
			        commands[i].args);
			return 2;
		}
		rc = call(&ctl, &req);
		rpc_socket_close(ctl.sock);
		rpc_context_free(ctl.zctx);
		return rc;
	}
	fprintf(stderr, "mediactl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
