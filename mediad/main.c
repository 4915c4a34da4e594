/* mediad: the media node. Parses the command line and config, binds the RPC socket, and runs the
 * control loop until SIGTERM/SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "mediad_config.h"
#include "rpc.h"
#include "rpc_server.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mediad [-c FILE] [--set section.key=value]... [-t]\n"
	           "  -c, --config FILE   configuration (INI); without it built-in defaults\n"
	           "  -s, --set K=V       override one setting, e.g. --set rtp.port_min=40000\n"
	           "  -t, --check         load and check the configuration, then exit\n"
	           "  -V, --version       print the version\n");
}

static int block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int run(struct rpc_server *srv, int sigfd)
{
	struct pollfd pfd[2] = {
	    {.fd = rpc_server_fd(srv), .events = POLLIN},
	    {.fd = sigfd, .events = POLLIN},
	};

	for (;;) {
		int n;

		rpc_server_drain(srv);
		n = poll(pfd, 2, 100);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGHUP) {
				log_notice("mediad", "signal %u: stopping", si.ssi_signo);
				return 0;
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
	    {"check", no_argument, NULL, 't'},        {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	char **sets = calloc((size_t)argc, sizeof(char *));
	int nsets = 0, check = 0, c, rc, sigfd;
	struct mediad_config cfg;
	struct rpc_server *srv = NULL;
	char err[CFG_ERR_LEN];
	void *zctx;

	if (!sets)
		return 1;
	while ((c = getopt_long(argc, argv, "c:s:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 's':
			sets[nsets++] = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("mediad %s\n", TANDEM_VERSION);
			free(sets);
			return 0;
		case 'h':
			usage(stdout);
			free(sets);
			return 0;
		default:
			usage(stderr);
			free(sets);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mediad: unexpected argument '%s'\n", argv[optind]);
		free(sets);
		return 2;
	}
	rc = mediad_config_load(&cfg, path, sets, nsets, err, sizeof(err));
	free(sets);
	if (rc) {
		fprintf(stderr, "mediad: config error: %s\n", err);
		mediad_config_free(&cfg);
		return 1;
	}
	if (check) {
		printf("mediad: configuration ok\n");
		mediad_config_free(&cfg);
		return 0;
	}
	log_setup("mediad", cfg.level, cfg.log_syslog);
	sigfd = block_signals();
	zctx = rpc_context_new();
	if (sigfd < 0 || !zctx) {
		log_error("mediad", "cannot set up signals or ZeroMQ: %s", strerror(errno));
		return 1;
	}
	rc = rpc_server_new(&srv, zctx, &cfg, err, sizeof(err));
	if (rc) {
		log_error("mediad", "%s", err);
		rpc_context_free(zctx);
		mediad_config_free(&cfg);
		return 1;
	}
	log_notice("mediad", "node %s %s: rpc %s, rtp %s ports %ld-%ld, advertise %s", cfg.node_id,
	           TANDEM_VERSION, cfg.rpc_endpoint, cfg.bind_ip, cfg.port_min, cfg.port_max,
	           cfg.advertise_ip);
	rc = run(srv, sigfd);
	rpc_server_free(srv);
	rpc_context_free(zctx);
	close(sigfd);
	log_notice("mediad", "stopped");
	mediad_config_free(&cfg);
	return rc ? 1 : 0;
}
