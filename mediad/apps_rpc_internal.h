/* What apps_rpc.c (prompts, echo, digits) and rec_rpc.c (recordings) share: the pending record
 * of a request at a worker, replies of the media application types, finding and checking the
 * target. Control thread only. */
#ifndef MEDIAD_APPS_RPC_INTERNAL_H
#define MEDIAD_APPS_RPC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "rpc_server.h"
#include "worker.h"

#define PB(x) Tandem__Media__V1__##x

struct app_pending {
	struct rpc_peer peer;
	struct session *s; /* kept alive by s->inflight */
	int body;          /* the reply's */
	uint64_t duration_ms;
	bool later; /* the reply is sent by someone else (StopRecording: on completion) */
};

const char *apps_rpc_leg_name(unsigned leg);
/* A reply of type body (one of the media applications') with code and text, Play's duration,
 * the recording's info (may be NULL). */
void apps_rpc_reply_rec(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                        const char *text, uint64_t duration_ms, PB(RecordingInfo) * rec);
void apps_rpc_reply(struct mediad *md, const struct rpc_peer *peer, int body, int code,
                    const char *text, uint64_t duration_ms);
/* The session a request names, or NULL with the refusal sent. */
struct session *apps_rpc_find(struct mediad *md, const struct rpc_peer *peer, int body,
                              const RpcSessionRef *ref);
/* An audio stream of s and one of its legs: RPC_OK, or a code with text. */
int apps_rpc_check_target(const struct session *s, uint32_t stream, int leg, char *text,
                          size_t len);
/* Posts a WMSG_APP carrying app (its prompt taken); the reply goes when the worker answers.
 * NULL (refusal sent, prompt freed) on ENOMEM. */
struct app_pending *apps_rpc_post(struct mediad *md, const struct rpc_peer *peer, struct session *s,
                                  int body, struct wapp *app, uint64_t duration_ms);

#endif
