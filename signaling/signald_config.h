/* signald settings: one table (signald_config.c) drives file parsing, defaults and --set. */
#ifndef SIGNALD_CONFIG_H
#define SIGNALD_CONFIG_H

#include <stdbool.h>

#include "codec_prefs.h"
#include "config.h"
#include "digest.h"
#include "log.h"
#include "rpc_keys.h"

struct signald_config {
	char *node_id; /* default: host name; also our routing id towards media nodes */
	char *log_level;
	bool log_syslog;
	char *state_dir;
	char *sip_listen; /* host:port, UDP and TCP */
	char *sip_domain; /* default: listen host */
	char *user_agent;
	long sip_log;                /* sofia-sip TPORT_LOG: print every SIP message */
	struct cfg_list media_nodes; /* ZeroMQ endpoints of mediad nodes */
	long media_ping_interval_ms;
	long media_node_down_ms; /* no answer for this long: the node is down */
	long media_rpc_timeout_ms;
	char *media_key_file;        /* CURVE secret key of signald towards media nodes */
	char *media_server_key_file; /* the media nodes' public key */
	long sip_timer_t1x64_ms;     /* RFC 3261 64*T1 (Timers B, F, H, J) */
	long sip_session_timer_s;    /* RFC 4028 Session-Expires we ask for; 0: off */
	long sip_min_se_s;           /* Min-SE: shorter intervals get 422 */
	long sip_max_message_kb;     /* NTATAG_MAXSIZE: larger messages get 413 */
	long sip_udp_rcvbuf_kb;      /* 0: leave the kernel's default */
	long sip_overload_queue_kb;  /* see overload.h; 0: off */
	long sip_source_rate;        /* new requests per second per source; 0: off */
	long sip_source_burst;
	long sip_tcp_idle_s;
	long sip_tcp_max_per_source;
	long sip_tcp_message_timeout_s;
	long call_timeout_s;          /* no answer from any B leg within this: 480 to the caller */
	long call_max_calls;          /* FreeSWITCH's max-sessions; 0: none */
	long call_max_cps;            /* FreeSWITCH's sessions-per-second; 0: none */
	long call_max_calls_per_user; /* live calls placed by one user; 0: none */
	long call_max_streams_per_call; /* media streams one call may lease; 0: none */
	long call_overload_busy_pct;    /* 0: off */
	long call_media_hold_timeout_s; /* SessionOptions.hold_timeout_ms / 1000; 0: never */
	char *store_driver;
	char *store_path; /* default: state_dir/tandem.db */
	long store_purge_interval_s;
	long store_batch_ms; /* dialog/CDR writes are committed together at this interval */
	char *auth_realm;    /* default: sip_domain */
	long auth_nonce_ttl_s;
	char *auth_secret_file; /* NULL: state_dir/auth_secret, created on first start */
	char *auth_algorithms;
	long auth_max_failures;
	long auth_failure_window_s;
	long auth_ban_s;
	char *auth_uri_check; /* strict | host */
	long auth_ban_table_size;
	long auth_account_max_failures;
	long auth_account_window_s;
	long auth_account_throttle_s;
	long reg_min_expires;
	long reg_max_expires;
	long reg_default_expires;
	long reg_max_contacts;
	char *directory_path;        /* relative paths are taken from the config file's folder */
	char *codecs_audio;          /* [codecs] audio: preference list, see codec_prefs.h */
	char *codecs_video;          /* [codecs] video */
	char *codecs_negotiation;    /* [codecs] negotiation: greedy | generous */
	long codecs_max_media_lines; /* an SDP with more m-lines is refused (488) */
	long codecs_max_sdp_bytes;   /* a longer SDP body is refused (413) */
	long codecs_max_formats;     /* formats per m-line, else 488 */
	long codecs_max_attributes;  /* a= lines per section, else 488 */
	char *dialplan_file; /* [dialplan] file: NULL = none; relative: from the config's folder */
	char *dialplan_context;      /* [dialplan] context: where calls from our users are hunted */
	char *lua_scripts_dir;       /* [lua] scripts_dir: NULL = no scripts run */
	long lua_slice_instructions; /* between two waits of a script */
	long lua_total_instructions; /* in a whole run */
	long lua_memory_kb;          /* one run's Lua state */
	/* derived */
	struct codec_prefs codec_prefs; /* parsed from the three [codecs] lists */
	enum log_level level;
	bool media_auth; /* keys loaded: CURVE towards the media nodes */
	struct rpc_keypair media_key;
	char media_server_key[RPC_KEY_Z85_LEN + 1];
	enum digest_alg digest_prefs[2];
	size_t n_digest_prefs;
	enum digest_uri_check digest_uri_check;
	char sip_host[128];
	unsigned sip_port;
};

int signald_config_load(struct signald_config *cfg, const char *path, char **overrides,
                        int n_overrides, char *err, size_t errlen);
void signald_config_free(struct signald_config *cfg);

#endif
