/* tandemctl: the operator's CLI for signald. Sends one request line over the local control
 * socket (control.h), or with -e over ZeroMQ with CURVE to another host's [control]
 * remote_listen (control_remote.h), and prints the answer signald wrote, text for people or
 * --json for scripts; `events` asks signald where its event stream is and prints the events as
 * they come.
 * Exit status: 0 ok, 1 signald answered with an error, 2 usage, 3 no answer. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "clock.h"
#include "control_path.h"
#include "rpc.h"
#include "rpc_keys.h"

#define REQUEST_MAX 1024

struct opts {
	const char *socket;
	const char *endpoint;                   /* remote: signald's [control] remote_listen */
	const char *key_file, *server_key_file; /* remote: our secret key, its public key */
	bool json;
	int timeout_ms;
	long count;      /* events: stop after this many; 0: never */
	long duration_s; /* events: stop after this long; 0: never */
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: tandemctl [-s SOCKET | -e ENDPOINT -k KEY -S SERVER_PUB] [-j] [-t MS]\n"
	    "                 COMMAND [ARGS]\n"
	    "  -s, --socket PATH  signald's control socket (default " SIGNALD_CONTROL_DEFAULT ",\n"
	    "                     or $TANDEM_CONTROL_SOCKET)\n"
	    "  -j, --json         print JSON (one document; events: one per line)\n"
	    "  -e, --endpoint E   a remote signald's [control] remote_listen (tcp://HOST:PORT,\n"
	    "                     or $TANDEM_CONTROL_ENDPOINT) instead of the socket\n"
	    "  -k, --key FILE     with -e: our CURVE secret key, an admin key of its\n"
	    "                     remote_clients_file (or $TANDEM_CONTROL_KEY)\n"
	    "  -S, --server-key FILE  with -e: its public key (or $TANDEM_CONTROL_SERVER_KEY)\n"
	    "  -t, --timeout MS   answer timeout (default 5000)\n"
	    "  -n, --count N      events: stop after N events\n"
	    "  -d, --duration S   events: stop after S seconds\n"
	    "commands:\n"
	    "  status                      node, calls by state, registrations, media nodes\n"
	    "  registrations [USER]        live registrations (of USER)\n"
	    "  unregister USER [CONTACT]   remove USER's bindings (or the one to CONTACT)\n"
	    "  calls                       live calls\n"
	    "  call CALL-ID                a call: both legs, codecs, media node, RTP counters\n"
	    "  hangup CALL-ID [CAUSE]      hang a call up (default NORMAL_CLEARING)\n"
	    "  nodes                       media nodes as signald sees them\n"
	    "  drain NODE | undrain NODE   send no new calls to a media node (id or endpoint)\n"
	    "  reload                      re-read dialplan, directory and codecs\n"
	    "  loglevel [LEVEL]            show or set: error, warn, notice, info, debug\n"
	    "  events [FILTER]             print events as they happen; FILTER is a prefix of\n"
	    "                              the event name (CHANNEL_, CUSTOM sofia::register)\n"
	    "exit status: 0 ok, 1 error from signald, 2 usage, 3 no answer\n");
}

/* The same over ZeroMQ with CURVE: one message out, one back. */
static int request_remote(const struct opts *o, const char *line, char **out, size_t *out_len)
{
	struct rpc_dealer_opts d = {0};
	struct rpc_keypair kp;
	char server[RPC_KEY_Z85_LEN + 1], err[512];
	void *ctx = NULL, *sock = NULL;
	zmq_msg_t msg;
	int rc = 3;

	if (!o->key_file || !o->server_key_file) {
		fprintf(stderr, "tandemctl: -e needs -k KEY and -S SERVER_PUB\n");
		return 2;
	}
	if (rpc_key_load_secret(o->key_file, &kp, err, sizeof(err)) ||
	    rpc_key_load_public(o->server_key_file, server, err, sizeof(err))) {
		fprintf(stderr, "tandemctl: %s\n", err);
		return 2;
	}
	d.public_key = kp.public_key;
	d.secret_key = kp.secret_key;
	d.server_key = server;
	ctx = rpc_context_new();
	if (!ctx || rpc_dealer_open(ctx, o->endpoint, &d, &sock) != 0) {
		fprintf(stderr, "tandemctl: cannot connect to %s\n", o->endpoint);
		goto out;
	}
	zmq_msg_init(&msg);
	if (zmq_send(sock, line, strlen(line), 0) >= 0) {
		zmq_pollitem_t it = {.socket = sock, .events = ZMQ_POLLIN};

		if (zmq_poll(&it, 1, o->timeout_ms) == 1 && zmq_msg_recv(&msg, sock, 0) >= 0) {
			*out_len = zmq_msg_size(&msg);
			*out = malloc(*out_len + 1);
			if (*out) {
				memcpy(*out, zmq_msg_data(&msg), *out_len);
				(*out)[*out_len] = '\0';
				rc = 0;
			}
		} else {
			fprintf(
			    stderr,
			    "tandemctl: no answer from %s within %d ms (is the key an admin key "
			    "of its remote_clients_file?)\n",
			    o->endpoint, o->timeout_ms);
		}
	}
	zmq_msg_close(&msg);
out:
	memset(&kp, 0, sizeof(kp));
	rpc_socket_close(sock);
	rpc_context_free(ctx);
	return rc;
}

/* Sends line and reads the whole answer into *out (NUL-terminated). 0, or 3 after saying why. */
static int request(const struct opts *o, const char *line, char **out, size_t *out_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	uint64_t deadline = clock_mono_ms() + (uint64_t)o->timeout_ms;
	size_t len = 0, cap = 4096, sent = 0, n = strlen(line);
	char *buf = malloc(cap);
	int fd;

	if (!buf)
		return 3;
	if (o->endpoint) {
		free(buf);
		return request_remote(o, line, out, out_len);
	}
	if (strlen(o->socket) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "tandemctl: socket path too long: %s\n", o->socket);
		free(buf);
		return 2;
	}
	memcpy(sa.sun_path, o->socket, strlen(o->socket) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "tandemctl: cannot connect to %s: %s (is signald running?)\n",
		        o->socket, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(buf);
		return 3;
	}
	while (sent < n) {
		ssize_t w = send(fd, line + sent, n - sent, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "tandemctl: %s: %s\n", o->socket, strerror(errno));
			close(fd);
			free(buf);
			return 3;
		}
		sent += (size_t)w;
	}
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t now = clock_mono_ms();
		ssize_t r;

		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) == 0) {
			fprintf(stderr, "tandemctl: no answer from %s within %d ms\n", o->socket,
			        o->timeout_ms);
			close(fd);
			free(buf);
			return 3;
		}
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + len, cap - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/* One command: the answer's body to stdout (an error to stderr). */
static int run(const struct opts *o, int argc, char **argv)
{
	char line[REQUEST_MAX], *ans = NULL, *body;
	size_t len = 0, ans_len = 0;
	int rc;

	len = (size_t)snprintf(line, sizeof(line), "%s", o->json ? "json" : "text");
	for (int i = 0; i < argc; i++) {
		if (strpbrk(argv[i], " \t\r\n") || !argv[i][0]) {
			fprintf(stderr, "tandemctl: an argument may not be empty or hold spaces\n");
			return 2;
		}
		len += (size_t)snprintf(line + len, len < sizeof(line) ? sizeof(line) - len : 0,
		                        " %s", argv[i]);
	}
	if (len + 2 > sizeof(line)) {
		fprintf(stderr, "tandemctl: request too long\n");
		return 2;
	}
	line[len++] = '\n';
	line[len] = '\0';
	rc = request(o, line, &ans, &ans_len);
	if (rc)
		return rc;
	body = strchr(ans, '\n');
	if (!body) {
		fprintf(stderr, "tandemctl: signald closed the connection without an answer\n");
		free(ans);
		return 3;
	}
	*body++ = '\0';
	rc = strcmp(ans, "OK") == 0 ? 0 : 1;
	fputs(body, rc && !o->json ? stderr : stdout);
	free(ans);
	return rc;
}

/* A publisher bound to every address is reached on loopback. */
static void local_endpoint(const char *ep, char *out, size_t len)
{
	const char *rest = NULL;

	if (strncmp(ep, "tcp://*:", 8) == 0)
		rest = ep + 7;
	else if (strncmp(ep, "tcp://0.0.0.0:", 14) == 0)
		rest = ep + 13;
	if (rest)
		snprintf(out, len, "tcp://127.0.0.1%s", rest);
	else
		snprintf(out, len, "%s", ep);
}

static int events(const struct opts *o, const char *filter)
{
	struct opts q = *o;
	char *ans = NULL, *body, ep[512];
	size_t ans_len;
	void *ctx, *sub;
	long seen = 0;
	uint64_t end = o->duration_s ? clock_mono_ms() + (uint64_t)o->duration_s * 1000 : 0;
	int rc;

	q.json = false;
	rc = request(&q, "text events\n", &ans, &ans_len);
	if (rc)
		return rc;
	body = strchr(ans, '\n');
	if (!body || strncmp(ans, "OK\n", 3) != 0) {
		fprintf(stderr, "tandemctl: %s", body ? body + 1 : "no answer\n");
		free(ans);
		return 1;
	}
	body[strcspn(body + 1, "\n") + 1] = '\0';
	local_endpoint(body + 1, ep, sizeof(ep));
	free(ans);
	ctx = zmq_ctx_new();
	sub = ctx ? zmq_socket(ctx, ZMQ_SUB) : NULL;
	if (!sub || zmq_connect(sub, ep) != 0 ||
	    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, filter ? filter : "", filter ? strlen(filter) : 0)) {
		fprintf(stderr, "tandemctl: cannot subscribe to %s: %s\n", ep,
		        zmq_strerror(zmq_errno()));
		if (sub)
			zmq_close(sub);
		if (ctx)
			zmq_ctx_term(ctx);
		return 3;
	}
	if (!o->json)
		fprintf(stderr, "tandemctl: events from %s%s%s\n", ep, filter ? ", filter " : "",
		        filter ? filter : "");
	while (!stop && (!o->count || seen < o->count)) {
		zmq_pollitem_t it = {.socket = sub, .events = ZMQ_POLLIN};
		char topic[256], msg[65536];
		int tl, ml, more = 0;
		size_t ms = sizeof(more);
		long wait = 500;

		if (end) {
			uint64_t now = clock_mono_ms();

			if (now >= end)
				break;
			wait = (long)(end - now) < wait ? (long)(end - now) : wait;
		}
		if (zmq_poll(&it, 1, wait) <= 0)
			continue;
		tl = zmq_recv(sub, topic, sizeof(topic) - 1, ZMQ_DONTWAIT);
		if (tl < 0)
			continue;
		zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &ms);
		if (!more)
			continue;
		ml = zmq_recv(sub, msg, sizeof(msg) - 1, 0);
		if (ml < 0)
			continue;
		topic[tl < (int)sizeof(topic) ? tl : (int)sizeof(topic) - 1] = '\0';
		msg[ml < (int)sizeof(msg) ? ml : (int)sizeof(msg) - 1] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		if (o->json) {
			printf("%s\n", msg);
		} else {
			time_t t = time(NULL);
			struct tm tm;
			char when[16];

			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			printf("%s %s %s\n", when, topic, msg);
		}
		fflush(stdout);
		seen++;
	}
	zmq_close(sub);
	zmq_ctx_term(ctx);
	return o->count && seen < o->count ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"endpoint", required_argument, NULL, 'e'},
	    {"key", required_argument, NULL, 'k'},
	    {"server-key", required_argument, NULL, 'S'},
	    {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"count", required_argument, NULL, 'n'},
	    {"duration", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {.timeout_ms = 5000};
	struct sigaction sa = {.sa_handler = on_stop};
	int c;

	o.socket = getenv("TANDEM_CONTROL_SOCKET");
	if (!o.socket || !*o.socket)
		o.socket = SIGNALD_CONTROL_DEFAULT;
	o.endpoint = getenv("TANDEM_CONTROL_ENDPOINT");
	if (o.endpoint && !*o.endpoint)
		o.endpoint = NULL;
	o.key_file = getenv("TANDEM_CONTROL_KEY");
	o.server_key_file = getenv("TANDEM_CONTROL_SERVER_KEY");
	/* Options come before the command, so that a command's own arguments are never taken
	 * for ours. */
	while ((c = getopt_long(argc, argv, "+s:e:k:S:jt:n:d:hV", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 'e':
			o.endpoint = optarg;
			break;
		case 'k':
			o.key_file = optarg;
			break;
		case 'S':
			o.server_key_file = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 't':
			o.timeout_ms = atoi(optarg);
			break;
		case 'n':
			o.count = atol(optarg);
			break;
		case 'd':
			o.duration_s = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tandemctl %s\n", TANDEM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || o.timeout_ms <= 0 || o.count < 0 || o.duration_s < 0) {
		usage(stderr);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[optind], "events") == 0) {
		if (argc - optind > 2) {
			usage(stderr);
			return 2;
		}
		return events(&o, argc - optind == 2 ? argv[optind + 1] : NULL);
	}
	return run(&o, argc - optind, argv + optind);
}
