/* signald: the SIP control plane. Builds the modules in dependency order on one su_root loop,
 * runs until SIGTERM/SIGINT, then shuts the SIP stack down gracefully and frees in reverse. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "b2bua.h"
#include "control.h"
#include "control_cmds.h"
#include "control_remote.h"
#include "events_pub.h"
#include "observe.h"
#include "signald_metrics.h"
#include "call_move.h"
#include "call_restore.h"
#include "b2bua_deps.h"
#include "dialplan.h"
#include "lua_engine.h"
#include "digest.h"
#include "auth_algs.h"
#include "directory.h"
#include "failban.h"
#include "daemon_args.h"
#include "log.h"
#include "media_client.h"
#include "registrar.h"
#include "router.h"
#include "rpc.h"
#include "secret_file.h"
#include "service_notify.h"
#include "signald_config.h"
#include "sofia_tls_fix.h"
#include "sip_ua.h"
#include "store.h"

struct signald {
	su_home_t home[1];
	su_root_t *root;
	struct signald_config cfg;
	void *zctx;
	struct media_client *media;
	struct directory *dir;
	struct digest *digest;
	struct failban *failban;  /* failures per source address */
	struct failban *accounts; /* failures per username */
	struct store *store;
	struct registrar *registrar;
	struct dialplan *dialplan;
	struct script_engine *scripts; /* Lua scripts the calls run ([lua]) */
	struct router *router;
	struct b2bua *b2bua;
	struct sip_ua *ua;
	int sigfd, sig_wait;
	su_timer_t *stop_timer;
	su_timer_t *purge_timer;
	su_timer_t *flush_timer;    /* commits the store's batched call writes; armed per batch */
	su_timer_t *watchdog_timer; /* service manager pings from this loop; NULL without */
	bool flush_failing;         /* the last commit failed (logged once until one succeeds) */
	struct daemon_args args;    /* kept for reloads: -c and --set (borrowed from argv) */
	struct events_pub *events;  /* NULL without [events] publish */
	struct control *control;    /* requests of tandemctl, local and remote */
	struct control_remote *remote;   /* NULL without [control] remote_listen */
	struct signald_metrics *metrics; /* NULL without [metrics] listen */
	struct control_cmds cmds;
};

/* Every TCP connection and every store or RPC socket is a descriptor: take the hard limit, as
 * mediad does, so a burst of TCP clients does not starve the node of descriptors. */
static void raise_fd_limit(void)
{
	unsigned long n = daemon_raise_nofile();

	if (n && n < 4096)
		log_warn("signald", "open file limit is %lu: few TCP clients fit", n);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: signald [-c FILE] [--set section.key=value]... [-t]\n"
	        "  -c, --config FILE   configuration (INI); without it built-in defaults\n"
	        "  -s, --set K=V       override one setting, e.g. --set sip.listen=127.0.0.1:5080\n"
	        "  -t, --check         load and check the configuration, then exit\n"
	        "  -V, --version       print the version\n");
}

static void on_stopped(void *arg)
{
	struct signald *sd = arg;

	su_root_break(sd->root);
}

static void on_stop_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	log_warn("signald", "SIP stack did not finish shutting down in time; stopping anyway");
	on_stopped(arg);
}

/* The codec settings of the configuration as it reads now (with the same --set overrides),
 * into *out; only [codecs] is taken from it. */
static int load_codecs(struct signald *sd, struct signald_config *out, char *err, size_t errlen)
{
	return signald_config_load(out, sd->args.config, sd->args.sets, sd->args.n_sets, err,
	                           errlen);
}

/* Swaps the [codecs] settings of fresh into the running ones; fresh gets the old, to be freed.
 * Calls set up from now on negotiate with them; calls up keep what they agreed. */
static void swap_codecs(struct signald_config *cur, struct signald_config *fresh)
{
#define SWAP(field)                                                                                \
	do {                                                                                       \
		__typeof__(cur->field) t = cur->field;                                             \
		cur->field = fresh->field;                                                         \
		fresh->field = t;                                                                  \
	} while (0)
	SWAP(codecs_audio);
	SWAP(codecs_video);
	SWAP(codecs_negotiation);
	SWAP(codecs_max_media_lines);
	SWAP(codecs_max_sdp_bytes);
	SWAP(codecs_max_formats);
	SWAP(codecs_max_attributes);
	SWAP(codec_prefs);
#undef SWAP
}

/* SIGHUP and tandemctl reload: the dialplan, the directory and the codec settings are read
 * anew, and taken only when all of them load: one that does not leaves everything as it was,
 * and its error is logged and returned. Hunts are synchronous, so no call holds the old plan
 * once the swap is done; calls routed already are not affected. */
static int reload_config(void *arg, char *err, size_t errlen)
{
	struct signald *sd = arg;
	struct signald_config fresh;
	struct dialplan *dp = NULL;
	char why[CFG_ERR_LEN];
	int rc;

	rc = load_codecs(sd, &fresh, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "configuration: %s", why);
		log_error("signald", "configuration reload failed, keeping the previous codecs: %s",
		          why);
		goto refused;
	}
	if (sd->cfg.dialplan_file && sd->router &&
	    (rc = dialplan_load(&dp, sd->cfg.dialplan_file, why, sizeof(why))) != 0) {
		snprintf(err, errlen, "dialplan: %s", why);
		log_error("signald", "dialplan reload failed, keeping the previous plan: %s", why);
		goto refused;
	}
	if (sd->dir && (rc = directory_reload(sd->dir, why, sizeof(why))) != 0) {
		snprintf(err, errlen, "directory: %s", why);
		log_error("signald", "directory reload failed, keeping the previous users: %s",
		          why);
		dialplan_free(dp);
		goto refused;
	}
	if (dp) {
		router_set_dialplan(sd->router, dp);
		dialplan_free(sd->dialplan);
		sd->dialplan = dp;
		log_notice("signald", "dialplan reloaded from %s", sd->cfg.dialplan_file);
	}
	if (sd->dir)
		log_notice("signald", "directory reloaded: %zu user(s) from %s",
		           directory_count(sd->dir), directory_path(sd->dir));
	swap_codecs(&sd->cfg, &fresh);
	log_notice("signald", "codecs reloaded: audio %s, video %s, %s", sd->cfg.codecs_audio,
	           sd->cfg.codecs_video, sd->cfg.codecs_negotiation);
	signald_config_free(&fresh);
	return 0;
refused:
	signald_config_free(&fresh);
	log_notice("signald", "reload refused: nothing changed");
	return rc;
}

/* Open TLS connections keep the certificate they started with; new ones get the new one. */
static void reload_certificate(struct signald *sd)
{
	char err[CFG_ERR_LEN];

	if (!sd->cfg.sip_tls_port)
		return;
	if (sofia_tls_reload(sd->cfg.sip_tls_cert_dir, err, sizeof(err)))
		log_error("signald",
		          "[sip] tls_cert_dir reload failed, keeping the previous certificate: %s",
		          err);
	else
		log_notice("signald", "TLS certificate reloaded from %s", sd->cfg.sip_tls_cert_dir);
}

/* SIGHUP and tandemctl reload: the configuration's part (all or nothing, its error returned),
 * then the TLS certificate and the Lua scripts, each kept as it was when it does not load. */
static int reload_all(void *arg, char *err, size_t errlen)
{
	struct signald *sd = arg;
	int rc = reload_config(sd, err, errlen);

	reload_certificate(sd);
	script_engine_reload(sd->scripts);
	return rc;
}

static void on_purge(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct signald *sd = (struct signald *)arg;

	registrar_expire(sd->registrar, time(NULL));
}

static void on_flush(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct signald *sd = (struct signald *)arg;

	if (store_flush(sd->store) == 0) {
		if (sd->flush_failing)
			log_notice("store", "call records committed again to %s",
			           sd->cfg.store_path);
		sd->flush_failing = false;
		return;
	}
	/* The batch stays open and no new one will arm the timer: retry, and say so once. */
	if (!sd->flush_failing)
		log_error("store", "cannot commit call records to %s: retrying",
		          sd->cfg.store_path);
	sd->flush_failing = true;
	su_timer_set(t, on_flush, arg);
}

static void on_batch_opened(void *arg)
{
	struct signald *sd = arg;

	su_timer_set(sd->flush_timer, on_flush, (su_timer_arg_t *)sd);
}

static void stop_sip(struct signald *sd)
{
	if (sd->b2bua)
		b2bua_release_all(sd->b2bua);
	if (sd->stop_timer)
		su_timer_set_interval(sd->stop_timer, on_stop_timeout, (su_timer_arg_t *)sd, 5000);
	sip_ua_shutdown(sd->ua, on_stopped, sd);
}

static void on_hangup_grace(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	stop_sip((struct signald *)arg);
}

static int on_signal(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct signald *sd = (struct signald *)arg;
	struct signalfd_siginfo si;

	if (read(sd->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		char err[CFG_ERR_LEN];

		service_reloading();
		reload_all(sd, err, sizeof(err));
		service_ready(NULL);
		return 0;
	}
	log_notice("signald", "signal %u: stopping", si.ssi_signo);
	if (sd->stop_timer)
		return 0;
	service_stopping();
	sd->stop_timer = su_timer_create(su_root_task(sd->root), 0);
	if (!sd->stop_timer) {
		stop_sip(sd);
		return 0;
	}
	/* Calls get their BYE/503 first; the stack goes down a moment later. */
	if (sd->b2bua && b2bua_hangup_all(sd->b2bua) > 0)
		su_timer_set_interval(sd->stop_timer, on_hangup_grace, (su_timer_arg_t *)sd, 500);
	else
		stop_sip(sd);
	return 0;
}

static void on_watchdog(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	service_watchdog();
}

/* Pings come from the loop's own timer: a loop that stops turning stops them. */
static int setup_watchdog(struct signald *sd)
{
	uint64_t ms = service_watchdog_interval_ms();

	if (!ms)
		return 0;
	sd->watchdog_timer = su_timer_create(su_root_task(sd->root), (su_duration_t)ms);
	if (!sd->watchdog_timer ||
	    su_timer_set_for_ever(sd->watchdog_timer, on_watchdog, (su_timer_arg_t *)sd) != 0)
		return -ENOMEM;
	return 0;
}

static int setup_signals(struct signald *sd)
{
	sigset_t set;
	su_wait_t w;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sd->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sd->sigfd < 0 || su_wait_create(&w, sd->sigfd, SU_WAIT_IN) != 0)
		return -errno;
	sd->sig_wait = su_root_register(sd->root, &w, on_signal, (su_wakeup_arg_t *)sd, 0);
	if (sd->sig_wait < 0) {
		su_wait_destroy(&w);
		return -EIO;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct signald *sd, int *check)
{
	struct daemon_args *args = &sd->args;
	char err[CFG_ERR_LEN];
	int rc;

	rc = daemon_args_parse(argc, argv, "signald", usage, args);
	if (rc != DAEMON_ARGS_RUN) {
		if (rc == DAEMON_ARGS_DONE)
			exit(0);
		return rc == DAEMON_ARGS_USAGE ? 2 : 1;
	}
	*check = args->check;
	rc =
	    signald_config_load(&sd->cfg, args->config, args->sets, args->n_sets, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "signald: config error: %s\n", err);
		return 1;
	}
	return 0;
}

/* The registrar and everything it stands on: directory, nonce secret, digest, bans, store. */
static int setup_registrar(struct signald *sd, char *err, size_t errlen)
{
	const struct signald_config *c = &sd->cfg;
	char secret[256], path[4096];
	int rc;

	if (mkdir(c->state_dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "[signald] state_dir: cannot create %s: %s", c->state_dir,
		         strerror(errno));
		return -errno;
	}
	if (c->directory_path) {
		rc = directory_load_checked(&sd->dir, c->directory_path, c->sip_domain,
		                            auth_algs_check_param, err, errlen);
		if (rc)
			return rc;
		log_notice("signald", "directory: %zu user(s) from %s", directory_count(sd->dir),
		           c->directory_path);
	} else {
		log_warn("signald", "no [directory] path: every registration will be refused");
	}
	if (c->auth_secret_file)
		snprintf(path, sizeof(path), "%s", c->auth_secret_file);
	else
		snprintf(path, sizeof(path), "%s/auth_secret", c->state_dir);
	rc = secret_file_load(path, !c->auth_secret_file, secret, sizeof(secret), err, errlen);
	if (rc) {
		if (c->auth_secret_file) {
			char why[CFG_ERR_LEN];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "[auth] secret_file: %.400s", why);
		}
		return rc;
	}
	struct digest_cfg dc = {
	    .realm = c->auth_realm,
	    .secret = (const uint8_t *)secret,
	    .secret_len = strlen(secret),
	    .nonce_ttl_s = c->auth_nonce_ttl_s,
	    .prefs = {c->digest_prefs[0], c->digest_prefs[1]},
	    .n_prefs = c->n_digest_prefs,
	    .start = time(NULL),
	    .uri_check = c->digest_uri_check,
	};
	rc = digest_new(&sd->digest, &dc);
	memset(secret, 0, sizeof(secret));
	if (rc) {
		snprintf(err, errlen, "cannot set up digest authentication: %s", strerror(-rc));
		return rc;
	}
	struct failban_cfg fc = {
	    .max_failures = c->auth_max_failures,
	    .window_s = c->auth_failure_window_s,
	    .ban_s = c->auth_ban_s,
	    .capacity = (size_t)c->auth_ban_table_size,
	    .aggregate_v6 = true,
	};
	struct failban_cfg ac = {
	    .max_failures = c->auth_account_max_failures,
	    .window_s = c->auth_account_window_s,
	    .ban_s = c->auth_account_throttle_s,
	    .capacity = (size_t)c->auth_ban_table_size,
	};
	rc = failban_new(&sd->failban, &fc);
	if (!rc)
		rc = failban_new(&sd->accounts, &ac);
	if (!rc)
		rc = store_open(&sd->store, c->store_driver, c->store_path, err, errlen);
	if (rc)
		return rc;
	struct registrar_cfg rcfg = {
	    .domain = c->sip_domain,
	    .local_host = c->sip_host,
	    .node_id = c->node_id,
	    .profile = c->sip_listen,
	    .min_expires = c->reg_min_expires,
	    .max_expires = c->reg_max_expires,
	    .default_expires = c->reg_default_expires,
	    .max_contacts = c->reg_max_contacts,
	};
	rc = registrar_new(&sd->registrar, &rcfg, sd->dir, sd->digest, sd->failban, sd->accounts,
	                   sd->store);
	if (rc)
		return rc;
	/* Bindings that expired while we were down go at once, then on every tick. */
	registrar_expire(sd->registrar, time(NULL));
	sd->purge_timer = su_timer_create(su_root_task(sd->root),
	                                  (su_duration_t)c->store_purge_interval_s * 1000);
	if (!sd->purge_timer ||
	    su_timer_set_for_ever(sd->purge_timer, on_purge, (su_timer_arg_t *)sd) != 0) {
		snprintf(err, errlen, "cannot start the registration purge timer");
		return -ENOMEM;
	}
	sd->flush_timer = su_timer_create(su_root_task(sd->root), (su_duration_t)c->store_batch_ms);
	if (!sd->flush_timer) {
		snprintf(err, errlen, "cannot create the store's commit timer");
		return -ENOMEM;
	}
	store_set_batch_hook(sd->store, on_batch_opened, sd);
	return 0;
}

static int setup_scripts(struct signald *sd)
{
	struct script_engine_config cfg = {
	    .scripts_dir = sd->cfg.lua_scripts_dir,
	    .slice_instructions = (unsigned long)sd->cfg.lua_slice_instructions,
	    .total_instructions = (unsigned long)sd->cfg.lua_total_instructions,
	    .memory_bytes = (size_t)sd->cfg.lua_memory_kb * 1024,
	};
	char err[CFG_ERR_LEN];
	int rc = script_engine_new(&sd->scripts, &cfg, err, sizeof(err));

	if (rc) {
		log_error("signald", "[lua] %s", err);
		return rc;
	}
	if (sd->cfg.lua_scripts_dir)
		log_notice("signald", "lua: scripts from %s", sd->cfg.lua_scripts_dir);
	return 0;
}

/* The call side: routing over the registrar's store, and the b2bua on top of it. */
static int setup_calls(struct signald *sd)
{
	struct b2bua_deps deps;
	int rc;

	if (sd->cfg.dialplan_file) {
		char err[CFG_ERR_LEN];

		rc = dialplan_load(&sd->dialplan, sd->cfg.dialplan_file, err, sizeof(err));
		if (rc) {
			log_error("signald", "dialplan: %s", err);
			return rc;
		}
		log_notice("signald", "dialplan: %s, context %s", sd->cfg.dialplan_file,
		           sd->cfg.dialplan_context);
	} else {
		log_debug("signald", "no [dialplan] file: calls go to the directory user dialled");
	}
	rc = setup_scripts(sd);
	if (rc)
		return rc;
	rc = router_new(&sd->router, sd->dialplan, sd->dir, sd->store, sd->cfg.sip_domain);
	if (rc)
		return rc;
	deps = (struct b2bua_deps){
	    .digest = sd->digest,
	    .dir = sd->dir,
	    .failban = sd->failban,
	    .accounts = sd->accounts,
	    .router = sd->router,
	    .store = sd->store,
	    .scripts = sd->scripts,
	};
	rc = b2bua_new(&sd->b2bua, sd->root, &sd->cfg, sd->media, &deps);
	if (rc)
		return rc;
	media_client_on_event(sd->media, b2bua_on_media_event, sd->b2bua);
	media_client_on_node_down(sd->media, call_move_node_down, sd->b2bua);
	media_client_on_node_restarted(sd->media, call_move_node_restarted, sd->b2bua);
	return 0;
}

/* tandemctl's socket. A default path that cannot be used (no runtime folder outside the
 * service) costs only tandemctl; one set in the configuration must work. */
static int setup_control(struct signald *sd)
{
	char err[CFG_ERR_LEN];
	int rc;

	sd->cmds = (struct control_cmds){
	    .cfg = &sd->cfg,
	    .b2bua = sd->b2bua,
	    .media = sd->media,
	    .store = sd->store,
	    .events_endpoint = events_pub_endpoint(sd->events),
	    .metrics_listen = sd->cfg.metrics_listen,
	    .control_path = sd->cfg.control_socket,
	    .reload = reload_all,
	    .reload_arg = sd,
	    .started = time(NULL),
	};
	rc = control_new(&sd->control, sd->root, sd->cfg.control_socket, control_cmds_run,
	                 &sd->cmds, err, sizeof(err));
	if (rc && sd->cfg.control_socket_default) {
		log_warn("signald", "%s: tandemctl cannot reach this node locally", err);
		rc = control_new(&sd->control, sd->root, NULL, control_cmds_run, &sd->cmds, err,
		                 sizeof(err));
	}
	if (!rc && sd->cfg.control_remote_listen)
		rc = control_remote_new(&sd->remote, sd->root, sd->control,
		                        sd->cfg.control_remote_listen,
		                        sd->cfg.control_remote_key_file,
		                        sd->cfg.control_remote_clients_file, err, sizeof(err));
	if (rc)
		log_error("signald", "%s", err);
	return rc;
}

static void teardown(struct signald *sd)
{
	/* Calls first: their handles must be gone before the stack is destroyed. */
	b2bua_free(sd->b2bua);
	observe_clear();
	events_pub_free(sd->events);
	signald_metrics_free(sd->metrics);
	sip_ua_free(sd->ua);
	router_free(sd->router);
	/* After the calls: a script still waiting keeps the engine until its call ends. */
	script_engine_free(sd->scripts);
	dialplan_free(sd->dialplan);
	if (sd->purge_timer)
		su_timer_destroy(sd->purge_timer);
	if (sd->store)
		store_set_batch_hook(sd->store, NULL, NULL);
	if (sd->flush_timer)
		su_timer_destroy(sd->flush_timer);
	registrar_free(sd->registrar);
	store_close(sd->store);
	failban_free(sd->accounts);
	failban_free(sd->failban);
	digest_free(sd->digest);
	directory_free(sd->dir);
	media_client_free(sd->media);
	control_free(sd->control); /* after the media client: no reply finishes a request now */
	control_remote_free(sd->remote);
	if (sd->stop_timer)
		su_timer_destroy(sd->stop_timer);
	if (sd->watchdog_timer)
		su_timer_destroy(sd->watchdog_timer);
	if (sd->root && sd->sig_wait > 0)
		su_root_deregister(sd->root, sd->sig_wait);
	if (sd->root)
		su_root_destroy(sd->root);
	rpc_context_free(sd->zctx);
	if (sd->sigfd >= 0)
		close(sd->sigfd);
	su_home_deinit(sd->home);
	su_deinit();
	signald_config_free(&sd->cfg);
	daemon_args_free(&sd->args);
}

int main(int argc, char **argv)
{
	struct signald sd = {.sigfd = -1, .sig_wait = -1};
	char err[CFG_ERR_LEN];
	int check = 0, rc;

	rc = parse_args(argc, argv, &sd, &check);
	if (rc || check) {
		if (!rc)
			printf("signald: configuration ok\n");
		signald_config_free(&sd.cfg);
		daemon_args_free(&sd.args);
		return rc;
	}
	log_setup("signald", sd.cfg.level, sd.cfg.log_syslog);
	raise_fd_limit();
	su_init();
	su_home_init(sd.home);
	sd.root = su_root_create(&sd);
	if (!sd.root) {
		log_error("signald", "cannot create the event loop");
		teardown(&sd);
		return 1;
	}
	/* One thread: the SIP stack shares this loop instead of running in a clone thread. */
	su_root_threading(sd.root, 0);
	sd.zctx = rpc_context_new();
	rc = sd.zctx ? setup_signals(&sd) : -errno;
	/* The stream first: node up/down from the first Ping on is published. */
	if (!rc && sd.cfg.events_publish) {
		rc = events_pub_new(&sd.events, sd.zctx, sd.cfg.events_publish, sd.cfg.node_id, err,
		                    sizeof(err));
		if (rc) {
			log_error("signald", "%s", err);
			teardown(&sd);
			return 1;
		}
	}
	if (!rc)
		rc = media_client_new(&sd.media, sd.root, &sd.cfg, sd.zctx);
	if (rc) {
		log_error("signald", "start-up failed: %s", strerror(-rc));
		teardown(&sd);
		return 1;
	}
	rc = setup_registrar(&sd, err, sizeof(err));
	if (rc) {
		log_error("signald", "%s", err);
		teardown(&sd);
		return 1;
	}
	rc = setup_calls(&sd);
	if (rc) {
		log_error("signald", "cannot set up call handling: %s", strerror(-rc));
		teardown(&sd);
		return 1;
	}
	struct ua_handlers handlers = {
	    .invite = b2bua_on_invite,
	    .leg_event = b2bua_on_leg_event,
	    .arg = sd.b2bua,
	};
	rc = sip_ua_new(&sd.ua, sd.root, &sd.cfg, sd.registrar, &handlers, err, sizeof(err));
	if (!rc)
		b2bua_set_ua(sd.b2bua, sd.ua);
	if (rc) {
		log_error("signald", "%s", err);
		teardown(&sd);
		return 1;
	}
	/* Calls an earlier process left up (a crash): taken back before anything else. */
	call_restore_start(sd.b2bua);
	if (setup_control(&sd)) {
		teardown(&sd);
		return 1;
	}
	if (sd.cfg.metrics_listen &&
	    signald_metrics_new(&sd.metrics, sd.root, sd.cfg.metrics_listen,
	                        &(struct signald_metrics_deps){
	                            .node_id = sd.cfg.node_id,
	                            .b2bua = sd.b2bua,
	                            .media = sd.media,
	                            .store = sd.store,
	                            .events = sd.events,
	                        },
	                        err, sizeof(err)) != 0) {
		log_error("signald", "%s", err);
		teardown(&sd);
		return 1;
	}
	if (setup_watchdog(&sd)) {
		log_error("signald", "cannot start the watchdog timer");
		teardown(&sd);
		return 1;
	}
	log_notice(
	    "signald", "node %s %s: SIP on %s (udp, tcp)%s%s%s, domain %s, %zu media node(s)",
	    sd.cfg.node_id, TANDEM_VERSION, sd.cfg.sip_listen, sd.cfg.sip_tls_port ? " and " : "",
	    sd.cfg.sip_tls_port ? sd.cfg.sip_tls_listen : "",
	    sd.cfg.sip_tls_port
	        ? (sd.cfg.sip_tls_verify_client ? " (tls, client certificates)" : " (tls)")
	        : "",
	    sd.cfg.sip_domain, sd.cfg.media_nodes.n);
	/* The SIP transports are bound (sip_ua_new): requests from now on are answered. */
	service_ready("serving");
	su_root_run(sd.root);
	log_notice("signald", "stopped");
	teardown(&sd);
	return 0;
}
