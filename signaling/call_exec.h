/* The call's executor: the dialplan actions that run after routing, one after the other, each
 * free to wait (a prompt until the node's PlaybackDone, sleep, a recording until the node
 * replied, echo until the end of the call) before the next starts; the channel variables that
 * run an application at a moment of the call (execute_on_ring, execute_on_answer,
 * api_on_answer, api_hangup_hook, FreeSWITCH's semantics); the digits the caller sends; and
 * what a script may ask of its call (script_host.h). A plan whose actions never wait (set, log,
 * bridge...) is still run at routing time (router.c); the executor takes over from the first
 * action that waits.
 *
 * Part of the b2bua: loop thread only. The executor hangs on call->exec, is owned by the call
 * and freed with it (call_exec_free). */
#ifndef SIGNALD_CALL_EXEC_H
#define SIGNALD_CALL_EXEC_H

#include <stdbool.h>

#include "call.h"
#include "router.h"
#include "rpc.h"
#include "script_host.h"

struct b2bua;

/* Takes p (owned from now on, freed on error too) for the call. 0 or -ENOMEM. */
int call_exec_new(struct b2bua *b, struct call *call, struct route_program *p);
/* call->exec becomes NULL; accepts none. Scripts still running are aborted and keep the
 * executor's variables until they end. */
void call_exec_free(struct call *call);
/* True while a script of the call runs: the call is not freed before it ended. */
bool call_exec_busy(const struct call *call);

/* True when the call has actions left to run before any bridge: call_exec_start() runs them
 * once its media session exists, instead of the bridge. */
bool call_exec_pending(const struct call *call);
/* True when an action before the bridge sends the caller media or answers it (playback, echo,
 * lua, answer, pre_answer after a wait): the caller then gets our SDP (183 at least) before the
 * first action runs. record_session and sleep need no answer: the callee is then offered every
 * codec the caller offered. */
bool call_exec_needs_answer(const struct call *call);
/* The media session exists (and the caller has our SDP when needed): runs the actions left. */
void call_exec_start(struct b2bua *b, struct call *call);

/* Moments of the call, for the hook variables (each runs once per call). */
void call_exec_ringing(struct b2bua *b, struct call *call);
void call_exec_answered(struct b2bua *b, struct call *call);
/* The call is ending: what waits is cancelled (-ECANCELED) and api_hangup_hook runs. */
void call_exec_ended(struct b2bua *b, struct call *call);

/* An event of the call's media session (PlaybackDone, DtmfEvent, RecordingDone). */
void call_exec_media_event(struct b2bua *b, struct call *call, const RpcEvent *ev);

/* A digit the leg of side (0 caller, 1 callee) sent: RFC 4733 as the node saw it, or SIP INFO.
 * True when a collector (get_digits), a prompt's terminator or a script's listener took it;
 * false when it is the other leg's to hear. Logged either way. */
bool call_exec_digit(struct b2bua *b, struct call *call, int side, char digit,
                     unsigned duration_ms);

/* The digit of an INFO body: application/dtmf-relay ("Signal=5\r\nDuration=160") or
 * application/dtmf ("5"); 0 when the body holds none. *duration_ms: 0 when not said. */
char call_exec_info_digit(const char *content_type, const char *body, size_t len,
                          unsigned *duration_ms);

/* The operations a script engine calls (script_host.h), and the call's handle for it (NULL
 * without an executor). */
extern const struct script_host_ops call_exec_script_ops;
struct script_call *call_exec_script_call(struct call *call);

#endif
