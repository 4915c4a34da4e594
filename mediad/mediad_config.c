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
    {"mediad", "rpc_key_file", CFG_STR, F(rpc_key_file), NULL, 0, 0,
     "CURVE secret key of the node (mode 0600)"},
    {"mediad", "rpc_clients_file", CFG_STR, F(rpc_clients_file), NULL, 0, 0,
     "allowed client public keys: KEY [NAME] [client|admin] per line"},
    {"mediad", "insecure_rpc", CFG_BOOL, F(insecure_rpc), "false", 0, 0,
     "allow a non-loopback rpc_endpoint without keys"},
    {"mediad", "owner_max_sessions", CFG_INT, F(owner_max_sessions), "10000", 0, 1000000,
     "sessions one owner may hold, 0 = no quota"},
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
    {"rtp", "fast_path", CFG_STR, F(fast_path), "auto", 0, 0,
     "kernel forwarding of latched plain streams: auto or off"},
    {"rtp", "owner_restart_grace_s", CFG_INT, F(owner_restart_grace_s), "5", 0, 3600,
     "close sessions of an owner's earlier process start after this"},
    {"apps", "prompts_dir", CFG_STR, F(prompts_dir), "/usr/share/tandem/prompts", 0, 0,
     "folder of the WAV prompts Play names"},
    {"apps", "recordings_dir", CFG_STR, F(recordings_dir), "/var/lib/tandem/recordings", 0, 0,
     "folder StartRecording writes under"},
    {"apps", "max_recordings", CFG_INT, F(max_recordings), "100", 0, 100000,
     "recordings at once on this node"},
    {"metrics", "listen", CFG_STR, F(metrics_listen), NULL, 0, 0,
     "IP:PORT serving Prometheus GET /metrics; unset = off"},
    {NULL, NULL, 0, 0, NULL, 0, 0, NULL},
};

static bool valid_ip(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

bool mediad_endpoint_is_local(const char *ep)
{
	char host[256];
	const char *h, *end;
	struct in_addr a4;
	size_t n;

	if (!strncmp(ep, "ipc://", 6) || !strncmp(ep, "inproc://", 9))
		return true;
	if (strncmp(ep, "tcp://", 6) != 0)
		return false;
	h = ep + 6;
	if (h[0] == '[') {
		end = strchr(h, ']');
		if (!end)
			return false;
		h++;
	} else {
		end = strrchr(h, ':');
		if (!end)
			return false;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	if (!strcmp(host, "localhost") || !strcmp(host, "::1"))
		return true;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Keys are loaded here, at start, so a bad or exposed key file is a config error naming the
 * file and key, never a node that quietly authenticates nobody. */
static int load_keys(struct mediad_config *cfg, const char *path, char *err, size_t errlen)
{
	const char *where = path ? path : "(defaults)";
	char why[CFG_ERR_LEN - 128];
	int rc;

	if (cfg_path_relative(&cfg->rpc_key_file, path) ||
	    cfg_path_relative(&cfg->rpc_clients_file, path) ||
	    cfg_path_relative(&cfg->prompts_dir, path) ||
	    cfg_path_relative(&cfg->recordings_dir, path))
		return -ENOMEM;
	if (!cfg->rpc_key_file != !cfg->rpc_clients_file) {
		snprintf(err, errlen, "%s: [mediad] %s: set together with %s", where,
		         cfg->rpc_key_file ? "rpc_key_file" : "rpc_clients_file",
		         cfg->rpc_key_file ? "rpc_clients_file" : "rpc_key_file");
		return -EINVAL;
	}
	if (!cfg->rpc_key_file) {
		if (mediad_endpoint_is_local(cfg->rpc_endpoint) || cfg->insecure_rpc)
			return 0;
		snprintf(
		    err, errlen,
		    "%s: [mediad] rpc_endpoint: %s is reachable from other hosts and no keys "
		    "are set (rpc_key_file, rpc_clients_file); set them, or insecure_rpc = yes "
		    "to accept any client",
		    where, cfg->rpc_endpoint);
		return -EINVAL;
	}
	rc = rpc_key_load_secret(cfg->rpc_key_file, &cfg->server_key, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: [mediad] rpc_key_file: %s", where, why);
		return rc;
	}
	rc = rpc_allowlist_load(cfg->rpc_clients_file, &cfg->clients, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: [mediad] rpc_clients_file: %s", where, why);
		return rc;
	}
	cfg->auth = true;
	return 0;
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
	if (strcmp(cfg->fast_path, "auto") && strcmp(cfg->fast_path, "off")) {
		snprintf(err, errlen, "%s: [rtp] fast_path: '%s' is not auto or off", where,
		         cfg->fast_path);
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
	if (cfg->metrics_listen) {
		char host[64];
		unsigned port;

		if (cfg_split_hostport(cfg->metrics_listen, host, sizeof(host), &port) || !port ||
		    port > 65535 || !valid_ip(host)) {
			snprintf(err, errlen, "%s: [metrics] listen: '%s' is not IP:PORT", where,
			         cfg->metrics_listen);
			return -EINVAL;
		}
	}
	if (!cfg->node_id) {
		char host[256] = "mediad";

		gethostname(host, sizeof(host) - 1);
		if (!(cfg->node_id = strdup(host)))
			return -ENOMEM;
	}
	return load_keys(cfg, path, err, errlen);
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
	rpc_allowlist_free(&cfg->clients);
	cfg_free(mediad_keys, cfg);
}
