/* mediad settings: one table (mediad_config.c) drives file parsing, defaults and --set. */
#ifndef MEDIAD_CONFIG_H
#define MEDIAD_CONFIG_H

#include <stdbool.h>

#include "config.h"
#include "log.h"
#include "media_policy.h"
#include "rpc_keys.h"

struct mediad_config {
	char *node_id;      /* default: host name */
	char *rpc_endpoint; /* ZeroMQ ROUTER bind address */
	char *log_level;
	bool log_syslog;
	long workers;        /* relay threads; 0 = one per core */
	long worker_buffers; /* packet buffers per worker ring, a power of two */
	/* SCHED_FIFO priority of the relay threads (1-99); 0 = normal scheduling. A woken relay
	 * thread then runs at once instead of waiting out another task's time slice. */
	long worker_rt_priority;
	char *bind_ip;      /* local address RTP sockets bind to */
	char *advertise_ip; /* address put in SDP; default = bind_ip (differs behind NAT) */
	long port_min, port_max;
	long rtp_timeout_s;   /* default inactivity timeout; 0 = never */
	long owner_timeout_s; /* reap sessions whose owner has been silent this long; 0 = never */
	/* Latching: a leg learns its source for this long after its first packet (or until a
	 * packet comes from its SDP address), then keeps it. */
	long latch_learn_ms;
	/* A latched leg silent this long may move to a new source that continues its SSRC;
	 * 0 = never. */
	long latch_relearn_ms;
	char *media_allow; /* CIDR list; NULL = anywhere not denied */
	char *media_deny;  /* CIDR list; NULL = the default (media_policy.h) */
	bool self_relay;   /* sessions may send to the node's own ports (benchmark chains) */
	char *fast_path;   /* "auto": forward latched plain streams in the kernel when possible */
	/* An owner that came back as a new process start: its earlier sessions close after this,
	 * unless claimed. */
	long owner_restart_grace_s;
	char *rpc_key_file;      /* the node's CURVE secret key; NULL = no authentication */
	char *rpc_clients_file;  /* allowed client public keys with name and role */
	bool insecure_rpc;       /* allow a non-loopback rpc_endpoint without keys */
	long owner_max_sessions; /* per key (per routing id without keys); 0 = no quota */
	char *metrics_listen;    /* IP:PORT for Prometheus GET /metrics; NULL = off */
	char *prompts_dir;       /* [apps] WAV files Play may name (relative to it) */
	char *recordings_dir;    /* [apps] where StartRecording writes (relative to it) */
	long max_recordings;     /* [apps] recordings at once on the node; 0 = none allowed */
	/* derived */
	enum log_level level;
	struct media_policy policy;
	bool auth; /* keys loaded: CURVE on, clients checked */
	struct rpc_keypair server_key;
	struct rpc_allowlist clients;
};

/* Loads path (NULL: defaults only) then applies overrides ("section.key=value").
 * Returns 0, or a negative errno with err filled as "FILE:LINE: [section] key: problem". */
int mediad_config_load(struct mediad_config *cfg, const char *path, char **overrides,
                       int n_overrides, char *err, size_t errlen);
void mediad_config_free(struct mediad_config *cfg);

/* True when a ZeroMQ endpoint can only be reached from this host: tcp:// on a loopback address
 * or "localhost", ipc:// and inproc://. A wildcard, a name or another address is not. */
bool mediad_endpoint_is_local(const char *endpoint);

#endif
