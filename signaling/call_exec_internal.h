/* What call_exec.c (the plan, the operations, the media node's replies, hooks and digits) and
 * call_exec_script.c (the script host: script_host_ops for the Lua engine) share. Private to
 * those two files; everything runs on signald's loop thread. */
#ifndef SIGNALD_CALL_EXEC_INTERNAL_H
#define SIGNALD_CALL_EXEC_INTERNAL_H

#include "call_exec.h"

#include <sofia-sip/su_wait.h>

#include "b2bua_internal.h"
#include "router.h"
#include "script_host.h"

#define EXEC_OPS    6
#define EXEC_DIGITS 64
#define EXEC_RUNS   4

enum op_kind {
	OP_FREE = 0,
	OP_DEFER,       /* finished at once: its completion waits for the loop */
	OP_SLEEP,       /* timer */
	OP_PLAY,        /* until PlaybackDone with play_id */
	OP_RECORD,      /* until StartRecording's reply */
	OP_STOP_RECORD, /* until StopRecording's reply */
	OP_ECHO,        /* until the end of the call */
	OP_BRIDGE,      /* a script's bridge: until the end of the call */
	OP_DIGITS,      /* until max digits, a terminator or the inter-digit timeout */
	OP_RECFILE,     /* a script's recordFile: until max_s, a terminator or hangup */
};

struct exec_op {
	struct call_exec *x; /* back pointer, for the timer */
	enum op_kind kind;
	script_done_fn done;
	void *arg;
	su_timer_t *timer;
	uint64_t play_id;
	int rc; /* OP_DEFER's */
	unsigned max, timeout_ms;
	char terms[17];
	char stopped_by[2]; /* OP_PLAY: the terminator that stopped it */
	bool stopping;      /* OP_RECFILE: StopRecording sent */
};

struct script_call {
	struct call_exec *x;
};

/* A Lua run of the call (lua application, hooks, the lua API command). */
struct exec_run {
	struct call_exec *x;
	struct script_run *run; /* the engine's handle while live */
	bool live;
	bool starting; /* inside script_engine_run: a finish is only noted */
	bool finished_early;
	int rc;
	script_done_fn done;
	void *arg;
};

struct call_exec {
	struct b2bua *b;
	struct call *call;
	struct route_program *p;
	struct script_call sc;
	struct exec_op ops[EXEC_OPS];
	bool started, plan_done, ended, rang, answered;
	bool listener; /* a script listens to the caller's digits */
	uint64_t next_play_id;
	char digits[EXEC_DIGITS + 1]; /* the caller's digits nobody took yet */
	unsigned n_digits;
	struct exec_run runs[EXEC_RUNS];
	unsigned n_runs;
	/* The call was freed while runs were live (shutdown): x lives on without it until the
	 * last run finished; call is then NULL. */
	bool orphaned;
};

/* The call's channel variable, or NULL. */
const char *cx_var(struct call_exec *x, const char *name);

/* Operation slots: a new one of kind (NULL when all are busy), the waiting one of kind, its end
 * (done runs once), a timer that ends it after ms, and an immediate end from the loop (rc given
 * to done later, never from inside the caller). */
struct exec_op *cx_op_new(struct call_exec *x, enum op_kind kind, script_done_fn done, void *arg);
struct exec_op *cx_op_find(struct call_exec *x, enum op_kind kind);
void cx_op_finish(struct exec_op *op, int rc, const char *result);
int cx_op_arm(struct call_exec *x, struct exec_op *op, unsigned ms);
int cx_op_defer(struct call_exec *x, int rc, script_done_fn done, void *arg);

/* A request to the media node as an operation of kind, sent by rc_of_send. */
int cx_media_op(struct call_exec *x, enum op_kind kind, script_done_fn done, void *arg,
                int rc_of_send(struct call_exec *x, struct exec_op *op, const char *data),
                const char *data);
/* Play of a prompt to the caller (the send of cx_media_op), and the node's answers to a
 * recording's start and stop. */
int cx_send_play(struct call_exec *x, struct exec_op *op, const char *file);
void cx_on_record_reply(struct call *call, int rc, const RpcEnvelope *reply);
void cx_on_stop_record_reply(struct call *call, int rc, const RpcEnvelope *reply);
/* A Lua script (cmdline: name and arguments) run for the call; done when it ends. */
int cx_run_script(struct call_exec *x, const char *cmdline, script_done_fn done, void *arg);
/* A dialplan application run for the call; done when it has finished. */
int cx_exec_app(struct call_exec *x, const char *app, const char *data, script_done_fn done,
                void *arg);
/* freeswitch.API() and api_* hooks: the read-only commands; *out malloc'ed. */
int cx_api_run(struct call_exec *x, const char *cmd, const char *args, char **out);
/* Ends a recordFile operation (stops the node's recording first). */
void cx_recfile_stop(struct call_exec *x, struct exec_op *op);

#endif
