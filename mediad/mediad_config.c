/* The mediad settings table and the cross-field checks a table cannot express. */
#include "mediad_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F(x) offsetof(struct mediad_config, x)

static const struct cfg_key mediad_keys[] = {
    {"mediad", "node_id", CFG_STR, F(node_id), NULL, 0, 0, "node name in RPC replies"},
    {"mediad", "rpc_endpoint", CFG_STR, F(rpc_endpoint), "tcp://127.0.0.1:5555", 0, 0,
     "ZeroMQ ROUTER bind"},
    {"mediad", "log_level", CFG_STR, F(log_level), "info", 0, 0, "error..debug"},
    {"mediad", "log_syslog", CFG_BOOL, F(log_syslog), "false", 0, 0, "log to syslog"},
    {"mediad", "workers", CFG_INT, F(workers), "0", 0, 256, "relay threads, 0 = cores"},
    {"mediad", "worker_buffers", CFG_INT, F(worker_buffers), "4096", 64, 32768,
     "packet buffers per worker, a power of two"},
    {"mediad", "worker_rt_priority", CFG_INT, F(worker_rt_priority), "0", 0, 99,
     "SCHED_FIFO priority of the relay threads, 0 = normal scheduling"},
    {"rtp", "bind_ip", CFG_STR, F(bind_ip), "127.0.0.1", 0, 0, "RTP bind address"},
    {"rtp", "advertise_ip", CFG_STR, F(advertise_ip), NULL, 0, 0, "address for SDP"},
    {"rtp", "port_min", CFG_INT, F(port_min), "30000", 1024, 65534, "first RTP port"},
    {"rtp", "port_max", CFG_INT, F(port_max), "39999", 1025, 65535, "last RTP port"},
    {"rtp", "timeout_s", CFG_INT, F(rtp_timeout_s), "60", 0, 86400, "RTP inactivity"},
    {"rtp", "owner_timeout_s", CFG_INT, F(owner_timeout_s), "300", 0, 86400,
     "reap sessions of a silent owner"},
    {"rtp", "latch_learn_ms", CFG_INT, F(latch_learn_ms), "3000", 0, 60000,
     "source learning after a leg's first packet"},
    {"rtp", "latch_relearn_ms", CFG_INT, F(latch_relearn_ms), "1000", 0, 3600000,
     "silence before a latched leg may move (same SSRC), 0 = never"},
    {"rtp", "media_allow", CFG_STR, F(media_allow), NULL, 0, 0, "media destinations allowed"},
    {"rtp", "media_deny", CFG_STR, F(media_deny), NULL, 0, 0, "media destinations refused"},
    {"rtp", "self_relay", CFG_BOOL, F(self_relay), "no", 0, 0,
     "let sessions chain through this node's own ports (benchmarks only)"},
    {NULL, NULL, 0, 0, NULL, 0, 0, NULL},
};

static bool valid_ip(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

static int finish(struct mediad_config *cfg, const char *path, char *err, size_t errlen)
{
	const char *where = path ? path : "(defaults)";
	char msg[192];
	int rc;

	if (log_level_parse(cfg->log_level, &cfg->level)) {
		snprintf(err, errlen, "%s: [mediad] log_level: '%s' is not a level", where,
		         cfg->log_level);
		return -EINVAL;
	}
	if (cfg->port_min > cfg->port_max || cfg->port_max - cfg->port_min < 1) {
		snprintf(err, errlen, "%s: [rtp] port_min/port_max: empty range %ld-%ld", where,
		         cfg->port_min, cfg->port_max);
		return -EINVAL;
	}
	if (cfg->worker_buffers & (cfg->worker_buffers - 1)) {
		snprintf(err, errlen, "%s: [mediad] worker_buffers: %ld is not a power of two",
		         where, cfg->worker_buffers);
		return -EINVAL;
	}
	if (!valid_ip(cfg->bind_ip)) {
		snprintf(err, errlen, "%s: [rtp] bind_ip: '%s' is not an IP address", where,
		         cfg->bind_ip);
		return -EINVAL;
	}
	if (!cfg->advertise_ip && !(cfg->advertise_ip = strdup(cfg->bind_ip)))
		return -ENOMEM;
	if (!valid_ip(cfg->advertise_ip)) {
		snprintf(err, errlen, "%s: [rtp] advertise_ip: '%s' is not an IP address", where,
		         cfg->advertise_ip);
		return -EINVAL;
	}
	rc = media_policy_init(&cfg->policy, cfg->bind_ip, cfg->advertise_ip,
	                       (unsigned)cfg->port_min, (unsigned)cfg->port_max, cfg->media_allow,
	                       cfg->media_deny, msg, sizeof(msg));
	if (rc) {
		snprintf(err, errlen, "%s: %s", where, msg);
		return rc;
	}
	if (media_policy_track(&cfg->policy))
		return -ENOMEM;
	cfg->policy.allow_self = cfg->self_relay;
	if (!cfg->node_id) {
		char host[256] = "mediad";

		gethostname(host, sizeof(host) - 1);
		if (!(cfg->node_id = strdup(host)))
			return -ENOMEM;
	}
	return 0;
}

int mediad_config_load(struct mediad_config *cfg, const char *path, char **overrides,
                       int n_overrides, char *err, size_t errlen)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = cfg_defaults(mediad_keys, cfg, err, errlen);
	if (!rc && path)
		rc = cfg_load(mediad_keys, cfg, path, err, errlen);
	for (int i = 0; !rc && i < n_overrides; i++)
		rc = cfg_set(mediad_keys, cfg, overrides[i], err, errlen);
	if (!rc)
		rc = finish(cfg, path, err, errlen);
	return rc;
}

void mediad_config_free(struct mediad_config *cfg)
{
	media_policy_free(&cfg->policy);
	cfg_free(mediad_keys, cfg);
}
