/* The signald settings table and the cross-field checks a table cannot express. */
#include "signald_config.h"

#include "codec_prefs.h"
#include "node_select.h"
#include "session_timer.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define F(x) offsetof(struct signald_config, x)

static const struct cfg_key signald_keys[] = {
    {"signald", "node_id", CFG_STR, F(node_id), NULL, 0, 0, "node name"},
    {"signald", "log_level", CFG_STR, F(log_level), "info", 0, 0, "error..debug"},
    {"signald", "log_syslog", CFG_BOOL, F(log_syslog), "false", 0, 0, "log to syslog"},
    {"signald", "state_dir", CFG_STR, F(state_dir), "/var/lib/tandem", 0, 0, "database dir"},
    {"sip", "listen", CFG_STR, F(sip_listen), "127.0.0.1:5060", 0, 0, "UDP+TCP host:port"},
    {"sip", "domain", CFG_STR, F(sip_domain), NULL, 0, 0, "SIP domain / default realm"},
    {"sip", "user_agent", CFG_STR, F(user_agent), "Tandem/" TANDEM_VERSION, 0, 0, "UA"},
    {"sip", "message_log", CFG_INT, F(sip_log), "0", 0, 1, "1 = log every SIP message"},
    {"media", "node", CFG_LIST, F(media_nodes), "tcp://127.0.0.1:5555", 0, 0,
     "mediad RPC endpoint [weight=N] (repeat for several nodes)"},
    {"media", "ping_interval_ms", CFG_INT, F(media_ping_interval_ms), "1000", 100, 600000,
     "heartbeat to media nodes"},
    {"media", "node_down_ms", CFG_INT, F(media_node_down_ms), "3000", 200, 600000,
     "a node that has not answered for this long is down; its calls move to another"},
    {"media", "rpc_timeout_ms", CFG_INT, F(media_rpc_timeout_ms), "1000", 10, 60000,
     "media RPC reply timeout"},
    {"media", "key_file", CFG_STR, F(media_key_file), NULL, 0, 0,
     "CURVE secret key towards media nodes (mode 0600)"},
    {"media", "server_key_file", CFG_STR, F(media_server_key_file), NULL, 0, 0,
     "public key of the media nodes"},
    {"sip", "timer_t1x64_ms", CFG_INT, F(sip_timer_t1x64_ms), "32000", 1000, 64000,
     "64*T1: transaction timeout, and how long finished transactions linger"},
    {"sip", "session_timer_s", CFG_INT, F(sip_session_timer_s), "1800", 0, 86400,
     "RFC 4028 session interval asked of each leg; 0 = no session timers"},
    {"sip", "min_se_s", CFG_INT, F(sip_min_se_s), "90", 2, 86400,
     "shortest session interval accepted (RFC 4028: at least 90; less only for tests)"},
    {"sip", "max_message_kb", CFG_INT, F(sip_max_message_kb), "64", 4, 2048,
     "larger SIP messages (UDP or TCP) are refused with 413"},
    {"sip", "udp_rcvbuf_kb", CFG_INT, F(sip_udp_rcvbuf_kb), "2048", 0, 1048576,
     "SIP UDP receive buffer asked of the kernel; 0 = the system default"},
    {"sip", "overload_queue_kb", CFG_INT, F(sip_overload_queue_kb), "2048", 0, 1048576,
     "new calls get 503 while more than this waits on the SIP socket; 0 = off"},
    {"sip", "source_rate", CFG_INT, F(sip_source_rate), "200", 0, 1000000,
     "new requests (INVITE, REGISTER) per second from one address (IPv6: /64); 0 = no limit"},
    {"sip", "source_burst", CFG_INT, F(sip_source_burst), "1000", 1, 10000000,
     "requests one address may send at once before source_rate applies"},
    {"sip", "tcp_idle_s", CFG_INT, F(sip_tcp_idle_s), "180", 1, 86400,
     "a TCP connection that carried nothing this long is closed"},
    {"sip", "tcp_max_per_source", CFG_INT, F(sip_tcp_max_per_source), "64", 0, 1000000,
     "TCP connections one address (IPv6: /64) may hold; 0 = no cap"},
    {"sip", "tcp_message_timeout_s", CFG_INT, F(sip_tcp_message_timeout_s), "10", 1, 3600,
     "a message begun on TCP must be complete within this"},
    {"call", "timeout_s", CFG_INT, F(call_timeout_s), "60", 1, 3600,
     "ring time before the caller gets 480"},
    {"call", "max_calls", CFG_INT, F(call_max_calls), "1000", 0, 10000000,
     "live calls before new ones get 503; 0 = no limit"},
    {"call", "max_calls_per_user", CFG_INT, F(call_max_calls_per_user), "16", 0, 1000000,
     "live calls one user may have placed before new ones get 486; 0 = no limit"},
    {"call", "max_streams_per_call", CFG_INT, F(call_max_streams_per_call), "4", 0, 64,
     "media streams one call may hold (ports leased) before offers get 488; 0 = no limit"},
    {"call", "media_hold_timeout_s", CFG_INT, F(call_media_hold_timeout_s), "0", 0, 86400,
     "a call on hold without RTP this long is hung up, instead of after [rtp] timeout_s of "
     "the media node; 0 = never"},
    {"call", "overload_busy_pct", CFG_INT, F(call_overload_busy_pct), "95", 0, 100,
     "new calls get 503 while the signalling thread is this busy; 0 = off"},
    {"call", "max_cps", CFG_INT, F(call_max_cps), "100", 0, 1000000,
     "new calls per second before 503; 0 = no limit"},
    {"store", "driver", CFG_STR, F(store_driver), "sqlite", 0, 0, "database backend"},
    {"store", "path", CFG_STR, F(store_path), NULL, 0, 0, "database file"},
    {"store", "batch_ms", CFG_INT, F(store_batch_ms), "20", 1, 1000,
     "call records (sip_dialogs, CDRs) are committed together this often"},
    {"store", "purge_interval_s", CFG_INT, F(store_purge_interval_s), "10", 1, 3600,
     "how often expired registrations are removed"},
    {"auth", "realm", CFG_STR, F(auth_realm), NULL, 0, 0, "digest realm"},
    {"auth", "nonce_ttl_s", CFG_INT, F(auth_nonce_ttl_s), "300", 5, 86400, "nonce lifetime"},
    {"auth", "secret_file", CFG_STR, F(auth_secret_file), NULL, 0, 0,
     "file holding the nonce HMAC key (shared by nodes); never on the command line"},
    {"auth", "algorithms", CFG_STR, F(auth_algorithms), "MD5", 0, 0,
     "digest algorithms offered, preferred first"},
    {"auth", "max_failures", CFG_INT, F(auth_max_failures), "5", 0, 100000,
     "failures from one source before a ban; 0 = never ban"},
    {"auth", "failure_window_s", CFG_INT, F(auth_failure_window_s), "60", 1, 86400,
     "window in which failures are counted"},
    {"auth", "ban_s", CFG_INT, F(auth_ban_s), "300", 1, 604800, "ban length"},
    {"auth", "uri_check", CFG_STR, F(auth_uri_check), "host", 0, 0,
     "strict: the digest uri is the Request-URI; host: may leave out the user (SIPp)"},
    {"auth", "ban_table_size", CFG_INT, F(auth_ban_table_size), "65536", 16, 16777216,
     "sources (and accounts) tracked for failures at once"},
    {"auth", "account_max_failures", CFG_INT, F(auth_account_max_failures), "20", 0, 1000000,
     "failures for one username, from any sources, before it is throttled; 0 = never"},
    {"auth", "account_failure_window_s", CFG_INT, F(auth_account_window_s), "60", 1, 86400,
     "window in which an account's failures are counted"},
    {"auth", "account_throttle_s", CFG_INT, F(auth_account_throttle_s), "60", 1, 86400,
     "how long a throttled account is challenged without its password being checked"},
    {"registrar", "min_expires", CFG_INT, F(reg_min_expires), "60", 1, 86400,
     "shorter registrations get 423"},
    {"registrar", "max_expires", CFG_INT, F(reg_max_expires), "7200", 1, 604800,
     "longer registrations are cut to this"},
    {"registrar", "default_expires", CFG_INT, F(reg_default_expires), "3600", 1, 604800,
     "expiry when the request names none"},
    {"registrar", "max_contacts", CFG_INT, F(reg_max_contacts), "10", 1, 1000, "bindings per user"},
    {"directory", "path", CFG_STR, F(directory_path), NULL, 0, 0,
     "user directory: an XML file or a folder of them"},
    {"codecs", "audio", CFG_STR, F(codecs_audio), CODEC_PREFS_DEFAULT_AUDIO, 0, 0,
     "audio codecs let through, in preference order"},
    {"codecs", "video", CFG_STR, F(codecs_video), CODEC_PREFS_DEFAULT_VIDEO, 0, 0,
     "video codecs let through, in preference order"},
    {"codecs", "negotiation", CFG_STR, F(codecs_negotiation), "greedy", 0, 0,
     "greedy (our order) or generous (the offerer's order)"},
    {"codecs", "max_media_lines", CFG_INT, F(codecs_max_media_lines), "16", 1, 64,
     "m-lines an SDP may have"},
    {"codecs", "max_sdp_bytes", CFG_INT, F(codecs_max_sdp_bytes), "32768", 512, 1048576,
     "larger SDP bodies are refused with 413"},
    {"codecs", "max_formats", CFG_INT, F(codecs_max_formats), "64", 1, 1024,
     "formats one m-line may list"},
    {"codecs", "max_attributes", CFG_INT, F(codecs_max_attributes), "256", 1, 4096,
     "a= lines at session level and in each m-line"},
    {"dialplan", "file", CFG_STR, F(dialplan_file), NULL, 0, 0, "XML dialplan file"},
    {"dialplan", "context", CFG_STR, F(dialplan_context), "default", 0, 0,
     "dialplan context for calls"},
    {"lua", "scripts_dir", CFG_STR, F(lua_scripts_dir), NULL, 0, 0,
     "folder of the Lua scripts calls may run; unset: none"},
    {"lua", "slice_instructions", CFG_INT, F(lua_slice_instructions), "100000", 10000, 1000000000,
     "Lua instructions a script may run without waiting (the loop is busy meanwhile)"},
    {"lua", "total_instructions", CFG_INT, F(lua_total_instructions), "10000000", 10000,
     1000000000000L, "Lua instructions one run of a script may use in all"},
    {"lua", "memory_kb", CFG_INT, F(lua_memory_kb), "8192", 256, 1048576,
     "memory one run of a script may hold"},
    {NULL, NULL, 0, 0, NULL, 0, 0, NULL},
};

static int load_media_keys(struct signald_config *cfg, const char *where, char *err, size_t errlen)
{
	char why[CFG_ERR_LEN - 128];
	int rc;

	if (!cfg->media_key_file != !cfg->media_server_key_file) {
		snprintf(err, errlen, "%s: [media] %s: set together with %s", where,
		         cfg->media_key_file ? "key_file" : "server_key_file",
		         cfg->media_key_file ? "server_key_file" : "key_file");
		return -EINVAL;
	}
	if (!cfg->media_key_file)
		return 0;
	rc = rpc_key_load_secret(cfg->media_key_file, &cfg->media_key, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: [media] key_file: %s", where, why);
		return rc;
	}
	rc = rpc_key_load_public(cfg->media_server_key_file, cfg->media_server_key, why,
	                         sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: [media] server_key_file: %s", where, why);
		return rc;
	}
	cfg->media_auth = true;
	return 0;
}

static int finish(struct signald_config *cfg, const char *path, char *err, size_t errlen)
{
	const char *where = path ? path : "(defaults)";
	char msg[CFG_ERR_LEN];

	if (log_level_parse(cfg->log_level, &cfg->level)) {
		snprintf(err, errlen, "%s: [signald] log_level: '%s' is not a level", where,
		         cfg->log_level);
		return -EINVAL;
	}
	if (cfg_split_hostport(cfg->sip_listen, cfg->sip_host, sizeof(cfg->sip_host),
	                       &cfg->sip_port) ||
	    cfg->sip_port == 0) {
		snprintf(err, errlen, "%s: [sip] listen: '%s' is not host:port", where,
		         cfg->sip_listen);
		return -EINVAL;
	}
	if (!cfg->sip_domain && !(cfg->sip_domain = strdup(cfg->sip_host)))
		return -ENOMEM;
	if (codec_prefs_parse(&cfg->codec_prefs, cfg->codecs_audio, cfg->codecs_video,
	                      cfg->codecs_negotiation, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s: [codecs] %s", where, msg);
		return -EINVAL;
	}
	if (cfg->lua_scripts_dir && !*cfg->lua_scripts_dir) { /* "scripts_dir =": none */
		free(cfg->lua_scripts_dir);
		cfg->lua_scripts_dir = NULL;
	}
	if (cfg->dialplan_file && !*cfg->dialplan_file) { /* "file =" means no dialplan */
		free(cfg->dialplan_file);
		cfg->dialplan_file = NULL;
	}
	if (!*cfg->dialplan_context) {
		snprintf(err, errlen, "%s: [dialplan] context: must not be empty", where);
		return -EINVAL;
	}
	if (cfg->media_nodes.n == 0) {
		snprintf(err, errlen, "%s: [media] node: at least one media node is required",
		         where);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->media_nodes.n; i++) {
		struct node_spec spec;

		if (node_spec_parse(cfg->media_nodes.v[i], &spec, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s: [media] node: %s", where, msg);
			return -EINVAL;
		}
	}
	if (session_timer_check_config(cfg->sip_session_timer_s, cfg->sip_min_se_s, msg,
	                               sizeof(msg))) {
		snprintf(err, errlen, "%s: %s", where, msg);
		return -EINVAL;
	}
	if (cfg->media_node_down_ms <= cfg->media_ping_interval_ms) {
		snprintf(err, errlen,
		         "%s: [media] node_down_ms: %ld must be more than ping_interval_ms (%ld)",
		         where, cfg->media_node_down_ms, cfg->media_ping_interval_ms);
		return -EINVAL;
	}
	if (!cfg->auth_realm && !(cfg->auth_realm = strdup(cfg->sip_domain)))
		return -ENOMEM;
	if (!cfg->store_path && asprintf(&cfg->store_path, "%s/tandem.db", cfg->state_dir) < 0) {
		cfg->store_path = NULL;
		return -ENOMEM;
	}
	if (digest_parse_algorithms(cfg->auth_algorithms, cfg->digest_prefs,
	                            &cfg->n_digest_prefs)) {
		snprintf(err, errlen,
		         "%s: [auth] algorithms: '%s' is not a list of SHA-256 and MD5", where,
		         cfg->auth_algorithms);
		return -EINVAL;
	}
	if (strpbrk(cfg->auth_realm, "\"\\\r\n") || strlen(cfg->auth_realm) > 128) {
		snprintf(err, errlen, "%s: [auth] realm: '%s' is not a usable realm", where,
		         cfg->auth_realm);
		return -EINVAL;
	}
	if (cfg->reg_min_expires > cfg->reg_max_expires ||
	    cfg->reg_default_expires < cfg->reg_min_expires ||
	    cfg->reg_default_expires > cfg->reg_max_expires) {
		snprintf(err, errlen,
		         "%s: [registrar] expires: need min_expires <= default_expires <= "
		         "max_expires (%ld, %ld, %ld)",
		         where, cfg->reg_min_expires, cfg->reg_default_expires,
		         cfg->reg_max_expires);
		return -EINVAL;
	}
	if (strcmp(cfg->auth_uri_check, "strict") == 0) {
		cfg->digest_uri_check = DIGEST_URI_STRICT;
	} else if (strcmp(cfg->auth_uri_check, "host") == 0) {
		cfg->digest_uri_check = DIGEST_URI_HOST;
	} else {
		snprintf(err, errlen, "%s: [auth] uri_check: '%s' is not strict or host", where,
		         cfg->auth_uri_check);
		return -EINVAL;
	}
	if (cfg->auth_secret_file && !*cfg->auth_secret_file) {
		snprintf(err, errlen, "%s: [auth] secret_file: must not be empty", where);
		return -EINVAL;
	}
	if (cfg_path_relative(&cfg->auth_secret_file, path) ||
	    cfg_path_relative(&cfg->directory_path, path) ||
	    cfg_path_relative(&cfg->dialplan_file, path) ||
	    cfg_path_relative(&cfg->lua_scripts_dir, path) ||
	    cfg_path_relative(&cfg->media_key_file, path) ||
	    cfg_path_relative(&cfg->media_server_key_file, path))
		return -ENOMEM;
	if (cfg->lua_scripts_dir) {
		struct stat st;

		if (stat(cfg->lua_scripts_dir, &st) || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: [lua] scripts_dir: '%s' is not a folder", where,
			         cfg->lua_scripts_dir);
			return -EINVAL;
		}
	}
	if (!cfg->node_id) {
		char host[256] = "signald";

		gethostname(host, sizeof(host) - 1);
		if (!(cfg->node_id = strdup(host)))
			return -ENOMEM;
	}
	return load_media_keys(cfg, where, err, errlen);
}

int signald_config_load(struct signald_config *cfg, const char *path, char **overrides,
                        int n_overrides, char *err, size_t errlen)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = cfg_defaults(signald_keys, cfg, err, errlen);
	if (!rc && path)
		rc = cfg_load(signald_keys, cfg, path, err, errlen);
	for (int i = 0; !rc && i < n_overrides; i++)
		rc = cfg_set(signald_keys, cfg, overrides[i], err, errlen);
	if (!rc)
		rc = finish(cfg, path, err, errlen);
	return rc;
}

void signald_config_free(struct signald_config *cfg)
{
	memset(&cfg->media_key, 0, sizeof(cfg->media_key));
	cfg_free(signald_keys, cfg);
}
