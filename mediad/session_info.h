/* SessionInfo replies: the control thread's view of a session (ids, tags, owner, options) joined
 * with a worker's snapshot (ports, remotes, counters). All memory comes from the caller's arena.
 * Control thread only. */
#ifndef MEDIAD_SESSION_INFO_H
#define MEDIAD_SESSION_INFO_H

#include <stdint.h>

#include "pb_arena.h"
#include "rpc.h"
#include "session_snapshot.h"
#include "session_table.h"

struct session_info_ctx {
	const char *advertise_ip; /* put in local endpoints */
	uint32_t timeout_ms;      /* the session's effective inactivity timeout */
	uint64_t now_ms;
};

/* NULL on ENOMEM. snap may be NULL (no worker answer): streams then carry only what the control
 * thread knows (kinds and local ports). */
RpcSessionInfo *session_info_build(struct pb_arena *a, const struct session *s,
                                   const struct session_snapshot *snap,
                                   const struct session_info_ctx *ctx);

typedef Tandem__Media__V1__RecordingInfo RpcRecordingInfo;

/* The session's recording (running or complete), or NULL when it has none (or on ENOMEM). */
RpcRecordingInfo *session_info_recording(struct pb_arena *a, const struct session *s);

#endif
