/* signald's side of the media RPC: one DEALER per configured media node, joined to the su_root
 * loop, asynchronous requests with per-request timeouts, and a heartbeat that tracks whether each
 * node is up. Never blocks the SIP thread.
 *
 * Async contract: if media_client_request() returns an error, cb is never called; otherwise cb
 * runs exactly once, later, on the loop thread, with the reply or with -ETIMEDOUT. */
#ifndef SIGNALD_MEDIA_CLIENT_H
#define SIGNALD_MEDIA_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_wait.h>

#include "rpc.h"
#include "signald_config.h"

struct media_client;
struct media_node;

/* reply is borrowed for the duration of the callback; NULL when rc < 0. */
typedef void (*media_reply_cb)(void *arg, int rc, const RpcEnvelope *reply);
/* Events (request_id 0) pushed by a node; env borrowed for the callback. */
typedef void (*media_event_cb)(void *arg, struct media_node *node, const RpcEnvelope *env);
/* A node that was up is lost: no answer for [media] node_down_ms. Its sessions are to be taken
 * as gone. Runs on the loop, from the client's tick. */
typedef void (*media_node_down_cb)(void *arg, struct media_node *node);
/* A node answered from a new process start (its Envelope.instance changed): every session it
 * held under old_instance is gone. Runs before the reply that showed it is handled. */
typedef void (*media_node_restarted_cb)(void *arg, struct media_node *node, uint64_t old_instance,
                                        uint64_t new_instance);

/* root, cfg and zctx are borrowed and outlive the client. */
int media_client_new(struct media_client **out, su_root_t *root, const struct signald_config *cfg,
                     void *zctx);
void media_client_free(struct media_client *mc);

void media_client_on_event(struct media_client *mc, media_event_cb cb, void *arg);
void media_client_on_node_down(struct media_client *mc, media_node_down_cb cb, void *arg);
/* The hook for a node that restarted (the b2bua ends or moves the calls on it). */
void media_client_on_node_restarted(struct media_client *mc, media_node_restarted_cb cb, void *arg);

/* Sends req (version and request_id are filled in) to node. req is not kept. */
int media_client_request(struct media_client *mc, struct media_node *node, RpcEnvelope *req,
                         media_reply_cb cb, void *arg);
/* Drops every pending callback registered with this arg (its owner is going away). */
void media_client_cancel(struct media_client *mc, void *arg);

/* The node for a new session (node_select.h: up, not draining, ports free, least weighted
 * load; a node silent of late only when no other will do), other than `except` (may be NULL),
 * counted as one more session on it until its next Ping; NULL when none will do. */
struct media_node *media_client_pick(struct media_client *mc, const struct media_node *except);
/* True when some node is up and not draining (a new call could get media). */
bool media_client_any_up(const struct media_client *mc);
size_t media_client_node_count(const struct media_client *mc);
struct media_node *media_client_node(struct media_client *mc, size_t i);

const char *media_node_endpoint(const struct media_node *node);
const char *media_node_id(const struct media_node *node); /* from its Ping reply, or "" */
bool media_node_up(const struct media_node *node);
bool media_node_draining(const struct media_node *node); /* as its last Ping said */
/* The node's instance from its latest reply or event; 0 before the first. */
uint64_t media_node_instance(const struct media_node *node);

/* What signald knows of a node, for tandemctl and the metrics; strings borrowed from it. */
struct media_node_info {
	const char *endpoint, *id;
	bool up, draining, held;
	unsigned weight;
	uint32_t free_ports, sessions, workers; /* as its last Ping said */
	uint64_t packets_per_s;
	double cpu_percent;
	uint64_t last_answer_ms; /* monotonic; 0 never */
};
void media_node_info(const struct media_node *node, struct media_node_info *out);
/* Held (an operator's drain): no new call goes to the node whatever its Pings say; its calls
 * stay. */
void media_node_hold(struct media_node *node, bool held);
/* The node with this endpoint or node id, or NULL. */
struct media_node *media_client_find(struct media_client *mc, const char *name);

/* Deletes a session signald does not know (a CreateSession reply that came after its timeout,
 * an event for a session no call has): fire and forget, the outcome is logged. */
int media_client_delete_orphan(struct media_client *mc, struct media_node *node,
                               const char *session_id, const char *why);

#endif
