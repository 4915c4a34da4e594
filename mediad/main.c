/* mediad: the media node. Parses the command line and config, checks that the kernel's io_uring
 * can carry the relay, raises the fd limit, starts the workers and the RPC socket, and runs the
 * control loop (control.c) until SIGTERM/SIGINT. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "daemon_args.h"
#include "log.h"
#include "mediad_config.h"
#include "rpc.h"
#include "service_notify.h"
#include "srtp_ctx.h"
#include "uring_loop.h"

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

/* Every leased port is a socket: the soft limit goes up to the hard one, and a pool larger than
 * what is left is said once at start rather than discovered as NO_PORTS under load. */
static void raise_nofile(const struct mediad_config *cfg)
{
	unsigned long need = (unsigned long)(cfg->port_max - cfg->port_min + 1) + 64;
	unsigned long have = daemon_raise_nofile();

	if (have && have < need)
		log_warn("mediad",
		         "open file limit %lu is below the %lu the port range needs; sessions "
		         "beyond it will be refused with STATUS_NO_PORTS",
		         have, need);
}

int main(int argc, char **argv)
{
	struct daemon_args args;
	int rc, sigfd;
	struct mediad_config cfg;
	struct mediad *md = NULL;
	char err[CFG_ERR_LEN];
	void *zctx;

	rc = daemon_args_parse(argc, argv, "mediad", usage, &args);
	if (rc != DAEMON_ARGS_RUN) {
		daemon_args_free(&args);
		return rc == DAEMON_ARGS_DONE ? 0 : rc == DAEMON_ARGS_USAGE ? 2 : 1;
	}
	rc = mediad_config_load(&cfg, args.config, args.sets, args.n_sets, err, sizeof(err));
	daemon_args_free(&args);
	if (rc) {
		fprintf(stderr, "mediad: config error: %s\n", err);
		mediad_config_free(&cfg);
		return 1;
	}
	if (args.check) {
		printf("mediad: configuration ok\n");
		mediad_config_free(&cfg);
		return 0;
	}
	log_setup("mediad", cfg.level, cfg.log_syslog);
	rc = uring_selftest(err, sizeof(err));
	if (rc) {
		log_error("mediad", "%s", err);
		mediad_config_free(&cfg);
		return 1;
	}
	if (srtp_ctx_global_init()) {
		log_error("mediad", "libsrtp2 failed its initialisation (srtp_init)");
		mediad_config_free(&cfg);
		return 1;
	}
	raise_nofile(&cfg);
	sigfd = block_signals();
	zctx = rpc_context_new();
	if (sigfd < 0 || !zctx) {
		log_error("mediad", "cannot set up signals or ZeroMQ: %s", strerror(errno));
		mediad_config_free(&cfg);
		return 1;
	}
	rc = control_new(&md, &cfg, zctx, err, sizeof(err));
	if (rc) {
		log_error("mediad", "%s", err);
		rpc_context_free(zctx);
		close(sigfd);
		mediad_config_free(&cfg);
		return 1;
	}
	log_notice("mediad",
	           "node %s %s: rpc %s (%s), rtp %s ports %ld-%ld, advertise %s, %u workers",
	           cfg.node_id, TANDEM_VERSION, cfg.rpc_endpoint,
	           cfg.auth ? "CURVE, listed client keys only" : "no authentication", cfg.bind_ip,
	           cfg.port_min, cfg.port_max, cfg.advertise_ip, md->n_workers);
	if (cfg.auth)
		log_info("mediad", "rpc public key %s, %zu client keys", cfg.server_key.public_key,
		         cfg.clients.n);
	else if (!mediad_endpoint_is_local(cfg.rpc_endpoint))
		log_warn("mediad",
		         "rpc %s is reachable from other hosts without keys (insecure_rpc): anyone "
		         "who reaches it can list, redirect and delete every call",
		         cfg.rpc_endpoint);
	/* The RPC socket is bound and the workers run: requests from now on are served. */
	service_ready("serving");
	rc = control_run(md, sigfd);
	control_free(md);
	rpc_context_free(zctx);
	close(sigfd);
	log_notice("mediad", "stopped");
	mediad_config_free(&cfg);
	return rc ? 1 : 0;
}
