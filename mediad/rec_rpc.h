/* StartRecording and StopRecording, and the recordings the writer hands back complete
 * (rec_writer.h). Control thread only; handlers have the rpc_handler_fn shape. */
#ifndef MEDIAD_REC_RPC_H
#define MEDIAD_REC_RPC_H

#include "control.h"
#include "rpc_server.h"
#include "worker.h"

struct app_pending;

void rec_rpc_start(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void rec_rpc_stop(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
/* The worker answered a REC_START (takes m and p): the reply, or the recording undone. */
void rec_rpc_started(struct mediad *md, struct app_pending *p, struct wmsg *m);
/* Recordings the writer completed: StopRecording replies, RecordingDone events, DeleteSession
 * answers that waited for them. */
void rec_rpc_done(struct mediad *md);

#endif
