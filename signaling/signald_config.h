/* signald settings: one table (signald_config.c) drives file parsing, defaults and --set. */
#ifndef SIGNALD_CONFIG_H
#define SIGNALD_CONFIG_H

#include <stdbool.h>

#include "config.h"
#include "log.h"

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
	long media_rpc_timeout_ms;
	long call_timeout_s; /* no answer from any B leg within this: 480 to the caller */
	/* derived */
	enum log_level level;
	char sip_host[128];
	unsigned sip_port;
};

int signald_config_load(struct signald_config *cfg, const char *path, char **overrides,
                        int n_overrides, char *err, size_t errlen);
void signald_config_free(struct signald_config *cfg);

#endif
