/* The media application requests (SetEcho, Play, StopPlay, SendDtmf; recordings are in
 * rec_rpc.c) and the events of the
 * applications (DtmfEvent, PlaybackDone, RecordingDone) on their way from a worker to the session's
 * owner. A request is checked here (stream, leg, codec, file) and carried out by the session's
 * worker; the reply is sent when the worker has applied it. Control thread only. */
#ifndef MEDIAD_APPS_RPC_H
#define MEDIAD_APPS_RPC_H

#include "control.h"
#include "rpc_server.h"
#include "worker.h"

void apps_rpc_echo(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void apps_rpc_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void apps_rpc_stop_play(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);
void apps_rpc_send_dtmf(void *arg, const struct rpc_peer *peer, const RpcEnvelope *req);

/* A worker answered a WMSG_APP, any of them (takes m). */
void apps_rpc_answer(struct mediad *md, struct wmsg *m);
/* A worker raised a WMSG_EVENT (takes m): sent to the session's owner. */
void apps_rpc_event(struct mediad *md, struct wmsg *m);

#endif
