/* The signald settings table and the cross-field checks a table cannot express. */
#include "signald_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
     "mediad RPC endpoint (repeat for several nodes)"},
    {"media", "ping_interval_ms", CFG_INT, F(media_ping_interval_ms), "2000", 100, 600000,
     "heartbeat to media nodes"},
    {"media", "rpc_timeout_ms", CFG_INT, F(media_rpc_timeout_ms), "1000", 10, 60000,
     "media RPC reply timeout"},
    {"call", "timeout_s", CFG_INT, F(call_timeout_s), "60", 1, 3600,
     "ring time before the caller gets 480"},
    {NULL, NULL, 0, 0, NULL, 0, 0, NULL},
};

static int finish(struct signald_config *cfg, const char *path, char *err, size_t errlen)
{
	const char *where = path ? path : "(defaults)";

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
	if (cfg->media_nodes.n == 0) {
		snprintf(err, errlen, "%s: [media] node: at least one media node is required",
		         where);
		return -EINVAL;
	}
	if (!cfg->node_id) {
		char host[256] = "signald";

		gethostname(host, sizeof(host) - 1);
		if (!(cfg->node_id = strdup(host)))
			return -ENOMEM;
	}
	return 0;
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
	cfg_free(signald_keys, cfg);
}
