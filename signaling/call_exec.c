/* The call's executor (call_exec.h). Every application that waits is an operation in one of a
 * few slots: it ends once (its completion runs the next action, or resumes a script), and the
 * end of the call ends every one still waiting with -ECANCELED. The media node's replies and
 * events find the slot through the call. */
#include "call_exec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/su_alloc.h>

#include "b2bua_fork.h"
#include "b2bua_internal.h"
#include "call_media.h"
#include "call_record.h"
#include "clock.h"
#include "dialplan.h"
#include "hangup_cause.h"
#include "log.h"
#include "lua_engine.h"
#include "router.h"
#include "sdp_srtp.h"

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

static const char *var(struct call_exec *x, const char *name)
{
	return dialplan_vars_get(&x->p->vars, name);
}

/* The caller profile as FreeSWITCH's channel variables, for ${var} in the applications that
 * run after routing and for scripts; a variable the plan set keeps its value. */
static void seed_vars(struct call_exec *x)
{
	const struct call *call = x->call;
	const struct {
		const char *name, *value;
	} fields[] = {
	    {"caller_id_number", call->caller},
	    {"destination_number", call->destination},
	    {"uuid", call->call_id},
	    {"sip_call_id", call->call_id},
	    {"domain_name", call->domain},
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].value && !dialplan_vars_get(&x->p->vars, fields[i].name))
			dialplan_vars_set(&x->p->vars, fields[i].name, fields[i].value);
}

int call_exec_new(struct b2bua *b, struct call *call, struct route_program *p)
{
	struct call_exec *x = calloc(1, sizeof(*x));

	if (!x) {
		route_program_free(p);
		return -ENOMEM;
	}
	x->b = b;
	x->call = call;
	x->p = p;
	x->sc.x = x;
	call->exec = x;
	seed_vars(x);
	return 0;
}

static void exec_destroy(struct call_exec *x)
{
	for (unsigned i = 0; i < EXEC_OPS; i++)
		if (x->ops[i].timer)
			su_timer_destroy(x->ops[i].timer);
	route_program_free(x->p);
	free(x);
}

void call_exec_free(struct call *call)
{
	struct call_exec *x = call->exec;

	if (!x)
		return;
	call_exec_ended(x->b, call);
	call->exec = NULL;
	if (x->n_runs) {
		/* Aborted runs end from the loop; until then they may still read variables. */
		x->call = NULL;
		x->orphaned = true;
		return;
	}
	exec_destroy(x);
}

bool call_exec_busy(const struct call *call)
{
	return call->exec && call->exec->n_runs > 0;
}

bool call_exec_needs_answer(const struct call *call)
{
	const struct call_exec *x = call->exec;

	if (!call_exec_pending(call))
		return false;
	for (unsigned i = x->p->next; i < x->p->dr.n_actions; i++) {
		enum dialplan_app app = dialplan_app_of(x->p->dr.actions[i].application);

		if (app == DIALPLAN_APP_BRIDGE)
			break;
		if (app == DIALPLAN_APP_PLAYBACK || app == DIALPLAN_APP_ECHO ||
		    app == DIALPLAN_APP_LUA || app == DIALPLAN_APP_ANSWER ||
		    app == DIALPLAN_APP_PRE_ANSWER)
			return true;
	}
	return false;
}

bool call_exec_pending(const struct call *call)
{
	const struct call_exec *x = call->exec;

	return x && !x->started && x->p->next < x->p->dr.n_actions;
}

/* ---- operations ---------------------------------------------------------------------------- */

static struct exec_op *op_new(struct call_exec *x, enum op_kind kind, script_done_fn done,
                              void *arg)
{
	for (unsigned i = 0; i < EXEC_OPS; i++) {
		struct exec_op *op = &x->ops[i];

		if (op->kind != OP_FREE)
			continue;
		su_timer_t *t = op->timer;

		*op = (struct exec_op){.x = x, .kind = kind, .done = done, .arg = arg, .timer = t};
		return op;
	}
	return NULL;
}

static struct exec_op *op_find(struct call_exec *x, enum op_kind kind)
{
	for (unsigned i = 0; i < EXEC_OPS; i++)
		if (x->ops[i].kind == kind)
			return &x->ops[i];
	return NULL;
}

/* Frees the slot, then runs its completion (which may start another operation). */
static void op_finish(struct exec_op *op, int rc, const char *result)
{
	script_done_fn done = op->done;
	void *arg = op->arg;

	if (op->timer)
		su_timer_reset(op->timer);
	op->kind = OP_FREE;
	if (done)
		done(arg, rc, rc < 0 ? NULL : result ? result : "");
}

static void on_op_timer(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

static int op_arm(struct call_exec *x, struct exec_op *op, unsigned ms)
{
	if (!op->timer && !(op->timer = su_timer_create(su_root_task(x->b->root), 0)))
		return -ENOMEM;
	return su_timer_set_interval(op->timer, on_op_timer, (su_timer_arg_t *)op,
	                             (su_duration_t)ms) == 0
	           ? 0
	           : -ENOMEM;
}

static void digits_done(struct call_exec *x, struct exec_op *op)
{
	char got[EXEC_DIGITS + 1];
	unsigned n = 0;

	/* What was collected, up to a terminator (dropped) or max. */
	while (n < x->n_digits && n < op->max && !strchr(op->terms, x->digits[n]))
		n++;
	memcpy(got, x->digits, n);
	got[n] = '\0';
	if (n < x->n_digits && strchr(op->terms, x->digits[n]))
		n++;
	memmove(x->digits, x->digits + n, x->n_digits - n);
	x->n_digits -= n;
	x->digits[x->n_digits] = '\0';
	op_finish(op, 0, got);
}

static void recfile_stop(struct call_exec *x, struct exec_op *op);

static void on_op_timer(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct exec_op *op = (struct exec_op *)arg;
	struct call_exec *x = op->x;

	(void)m;
	(void)t;
	if (x->call)
		log_set_context(x->call->call_id);
	if (op->kind == OP_RECFILE)
		recfile_stop(x, op);
	else if (op->kind == OP_DIGITS)
		digits_done(x, op);
	else if (op->kind == OP_DEFER)
		op_finish(op, op->rc, "");
	else if (op->kind == OP_SLEEP)
		op_finish(op, 0, "");
}

/* A finished result whose completion must not run inside the caller (script_host.h). */
static int op_defer(struct call_exec *x, int rc, script_done_fn done, void *arg)
{
	struct exec_op *op = op_new(x, OP_DEFER, done, arg);

	if (!op)
		return -EBUSY;
	op->rc = rc;
	if (op_arm(x, op, 0) != 0) {
		op->kind = OP_FREE;
		return -ENOMEM;
	}
	return 0;
}

/* ---- the media node's replies --------------------------------------------------------------- */

static void on_play_reply(struct call *call, int rc, const RpcEnvelope *reply)
{
	struct call_exec *x = call->exec;
	struct exec_op *op = x ? op_find(x, OP_PLAY) : NULL;

	(void)reply;
	if (!rc || !op)
		return; /* playing: PlaybackDone ends it */
	log_notice("call", "playback: %s %s", strerror(-rc), call->media_error);
	op_finish(op, rc, NULL);
}

static void on_record_reply(struct call *call, int rc, const RpcEnvelope *reply)
{
	struct call_exec *x = call->exec;
	struct exec_op *op = x ? op_find(x, OP_RECORD) : NULL;
	struct exec_op *rf = x ? op_find(x, OP_RECFILE) : NULL;

	if (!rc && reply->start_recording_reply->recording) {
		call_media_note_recording(call, reply->start_recording_reply->recording);
		log_info("call", "recording to %s", call->rec_path ? call->rec_path : "?");
	} else if (rc) {
		log_notice("call", "record_session: %s %s", strerror(-rc), call->media_error);
	}
	if (op)
		op_finish(op, rc, NULL);
	else if (rf && rc)
		op_finish(rf, rc, NULL);
	else if (rf && rf->max) /* recording: until max_s, a terminator or hangup */
		op_arm(x, rf, rf->max * 1000);
}

static void on_stop_record_reply(struct call *call, int rc, const RpcEnvelope *reply)
{
	struct call_exec *x = call->exec;
	struct exec_op *op = x ? op_find(x, OP_STOP_RECORD) : NULL;

	if (!op && x && (op = op_find(x, OP_RECFILE)) != NULL && !op->stopping)
		op = NULL;
	if (!rc && reply->stop_recording_reply->recording) {
		call_media_note_recording(call, reply->stop_recording_reply->recording);
		log_info("call", "recording stopped: %s, %" PRIu64 " ms, %" PRIu64 " bytes",
		         call->rec_path ? call->rec_path : "?", call->rec_duration_ms,
		         call->rec_bytes);
	} else if (rc) {
		log_notice("call", "stop_record_session: %s %s", strerror(-rc), call->media_error);
	}
	if (op)
		op_finish(op, rc, NULL);
}

static void on_echo_reply(struct call *call, int rc, const RpcEnvelope *reply)
{
	struct call_exec *x = call->exec;
	struct exec_op *op = x ? op_find(x, OP_ECHO) : NULL;

	(void)reply;
	if (!rc || !op)
		return; /* echoing until the end of the call */
	log_notice("call", "echo: %s %s", strerror(-rc), call->media_error);
	op_finish(op, rc, NULL);
}

/* ---- applications -------------------------------------------------------------------------- */

/* The media request of a waiting application: its slot is taken first, and given back when the
 * request cannot be sent. */
static int media_op(struct call_exec *x, enum op_kind kind, script_done_fn done, void *arg,
                    int rc_of_send(struct call_exec *x, struct exec_op *op, const char *data),
                    const char *data)
{
	struct exec_op *op;
	int rc;

	if (x->ended)
		return -ENOTCONN;
	if (!(op = op_new(x, kind, done, arg)))
		return -EBUSY;
	rc = rc_of_send(x, op, data);
	if (rc)
		op->kind = OP_FREE;
	return rc;
}

static int send_play(struct call_exec *x, struct exec_op *op, const char *file)
{
	op->play_id = ++x->next_play_id;
	return call_media_play(x->b->cm, x->call, SIDE_A, file, op->play_id, on_play_reply);
}

static int send_record(struct call_exec *x, struct exec_op *op, const char *path)
{
	(void)op;
	return call_media_record(x->b->cm, x->call, path, on_record_reply);
}

static int send_stop_record(struct call_exec *x, struct exec_op *op, const char *data)
{
	(void)op;
	(void)data;
	return call_media_stop_record(x->b->cm, x->call, on_stop_record_reply);
}

static int send_echo(struct call_exec *x, struct exec_op *op, const char *data)
{
	(void)op;
	(void)data;
	return call_media_echo(x->b->cm, x->call, SIDE_A, true, on_echo_reply);
}

static void run_hook(struct call_exec *x, const char *name);

/* The caller gets our 200 (with the SDP it already has from the 183) unless it has one. */
static void answer_a(struct call_exec *x)
{
	struct call *call = x->call;

	if (call->a.state >= LEG_ANSWERED || !call->a.sdp_sent)
		return;
	log_info("call", "answer: 200 with the media node's SDP");
	respond_a(x->b, call, 200, "OK", call->a.sdp_sent);
	if (!call->answer_epoch) {
		call->answer_epoch = (int64_t)time(NULL);
		call->answered_ms = clock_mono_ms();
	}
	call_exec_answered(x->b, call);
}

/* bridge from the executor: the targets are routed now and called; the call continues as any
 * bridged call. Returns 0 when legs went out, else the call is hung up with the failure. */
static int bridge_now(struct call_exec *x, const char *data)
{
	struct b2bua *b = x->b;
	struct call *call = x->call;
	struct route_result res;

	memset(&res, 0, sizeof(res));
	router_bridge(b->deps.router, call->home, data, &x->p->vars, &res);
	if (res.status) {
		log_info("call", "bridge %s: %d (%s)", data, res.status,
		         res.reason ? res.reason : hangup_cause_name(res.cause));
		call->hangup_side = "dialplan";
		call_hangup(b, call, res.cause, "dialplan");
		return -ENOENT;
	}
	if (b2bua_fork_targets(b, call, &res) != 0) {
		call_hangup(b, call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "switch");
		return -ENOMEM;
	}
	log_info("call", "bridge to %u contact(s)", res.n_targets);
	b2bua_originate(b, call);
	return 0;
}

static void on_run_finished(void *arg, int rc)
{
	struct exec_run *er = arg;
	struct call_exec *x = er->x;
	script_done_fn done = er->done;
	void *darg = er->arg;

	er->live = false;
	er->run = NULL;
	x->n_runs--;
	if (er->starting) {
		er->finished_early = true;
		er->rc = rc;
		return;
	}
	if (done)
		done(darg, rc < 0 ? rc : 0, rc < 0 ? NULL : "");
	if (x->n_runs)
		return;
	if (x->orphaned)
		exec_destroy(x);
	else if (x->ended && x->call)
		call_maybe_free(x->b, x->call);
}

/* Starts "name.lua args" for the call; 1 when it ran to its end at once. */
static int run_script(struct call_exec *x, const char *cmdline, script_done_fn done, void *arg)
{
	struct exec_run *er = NULL;
	struct script_run *handle = NULL;
	int rc;

	if (!x->b->deps.scripts)
		return -ENOENT;
	for (unsigned i = 0; i < EXEC_RUNS && !er; i++)
		if (!x->runs[i].live)
			er = &x->runs[i];
	if (!er)
		return -EBUSY;
	*er = (struct exec_run){.x = x, .live = true, .starting = true, .done = done, .arg = arg};
	x->n_runs++;
	rc = script_engine_run(x->b->deps.scripts, cmdline, &call_exec_script_ops, &x->sc,
	                       on_run_finished, er, &handle);
	er->starting = false;
	if (rc) {
		er->live = false;
		x->n_runs--;
		return rc;
	}
	if (er->finished_early)
		return er->rc < 0 ? er->rc : 1;
	er->run = handle;
	/* A run the call's end caught before it started waiting. */
	if (x->ended)
		script_engine_abort(handle);
	return 0;
}

static int sleep_ms(const char *data, unsigned *ms)
{
	char *end;
	long v = strtol(data, &end, 10);

	if (end == data || *end || v < 0 || v > 3600000)
		return -EINVAL;
	*ms = (unsigned)v;
	return 0;
}

/* Runs app with data (already ${var}-expanded). 1: finished now; 0: done runs later; < 0: it
 * cannot run (done never runs). */
static int exec_app(struct call_exec *x, const char *app, const char *data, script_done_fn done,
                    void *arg)
{
	struct call *call = x->call;
	enum hangup_cause cause = HANGUP_CAUSE_NORMAL_CLEARING;
	struct exec_op *op;
	unsigned ms;

	log_debug("call", "execute %s(%s)", app, data);
	switch (dialplan_app_of(app)) {
	case DIALPLAN_APP_SET:
		if (dialplan_vars_apply_set(&x->p->vars, data) != 0)
			log_notice("call", "set %s: not name=value, ignored", data);
		return 1;
	case DIALPLAN_APP_LOG:
		router_log_line(data);
		return 1;
	case DIALPLAN_APP_HANGUP:
		if (*data && hangup_cause_parse(data, &cause) != 0)
			log_notice("call", "hangup %s: unknown cause, using NORMAL_CLEARING", data);
		call_hangup(x->b, call, cause, "dialplan");
		return 1;
	case DIALPLAN_APP_RING_READY:
		if (call->a.state < LEG_EARLY && !x->ended) {
			respond_a(x->b, call, 180, "Ringing", NULL);
			call->a_ringing_sent = true;
		}
		return 1;
	case DIALPLAN_APP_PRE_ANSWER:
		return 1; /* the caller has our SDP before any action that waits */
	case DIALPLAN_APP_ANSWER:
		if (!x->ended)
			answer_a(x);
		return 1;
	case DIALPLAN_APP_BRIDGE:
		if (x->ended)
			return -ENOTCONN;
		if (call->n_b) {
			log_notice("call", "bridge %s: the call is bridged already", data);
			return -EBUSY;
		}
		if (bridge_now(x, data) != 0 || !done)
			return 1;
		if (!(op = op_new(x, OP_BRIDGE, done, arg)))
			return 1;
		return 0;
	case DIALPLAN_APP_PLAYBACK:
		return media_op(x, OP_PLAY, done, arg, send_play, data);
	case DIALPLAN_APP_RECORD_SESSION:
		return media_op(x, OP_RECORD, done, arg, send_record, data);
	case DIALPLAN_APP_STOP_RECORD_SESSION:
		return media_op(x, OP_STOP_RECORD, done, arg, send_stop_record, data);
	case DIALPLAN_APP_ECHO:
		return media_op(x, OP_ECHO, done, arg, send_echo, data);
	case DIALPLAN_APP_SLEEP:
		if (sleep_ms(data, &ms) != 0) {
			log_notice("call", "sleep %s: not a number of milliseconds", data);
			return -EINVAL;
		}
		if (x->ended)
			return -ENOTCONN;
		if (!(op = op_new(x, OP_SLEEP, done, arg)))
			return -EBUSY;
		if (op_arm(x, op, ms) != 0) {
			op->kind = OP_FREE;
			return -ENOMEM;
		}
		return 0;
	case DIALPLAN_APP_LUA:
		return run_script(x, data, done, arg);
	default:
		return -ENOENT;
	}
}

/* ---- the plan ------------------------------------------------------------------------------- */

static void run_plan(struct call_exec *x);

static void on_plan_step(void *arg, int rc, const char *result)
{
	struct call_exec *x = arg;

	(void)result;
	if (rc && rc != -ECANCELED)
		log_debug("call", "action ended: %s", strerror(-rc));
	run_plan(x);
}

/* Runs the plan's actions from p->next on until one waits, the call bridges or ends. */
static void run_plan(struct call_exec *x)
{
	struct route_program *p = x->p;

	log_set_context(x->call->call_id);
	while (!x->plan_done && !x->ended && p->next < p->dr.n_actions) {
		const struct dialplan_action *a = &p->dr.actions[p->next++];
		bool bridge = dialplan_app_of(a->application) == DIALPLAN_APP_BRIDGE;
		char *data = NULL;
		int rc;

		if (dialplan_vars_expand(&p->vars, a->data ? a->data : "", &data) != 0) {
			call_hangup(x->b, x->call, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "switch");
			return;
		}
		rc = exec_app(x, a->application, data, bridge ? NULL : on_plan_step, x);
		if (rc < 0 && rc != -ENOTCONN)
			log_notice("call", "%s(%s) not run: %s", a->application, data,
			           strerror(-rc));
		free(data);
		if (bridge) /* the bridged call is the rest of the plan */
			x->plan_done = true;
		if (rc == 0)
			return;
	}
	if (x->plan_done || x->ended)
		return;
	x->plan_done = true;
	/* FreeSWITCH: a plan that runs out of actions hangs the call up. */
	log_info("call", "no more actions: hangup");
	call_hangup(x->b, x->call, HANGUP_CAUSE_NORMAL_CLEARING, "dialplan");
}

void call_exec_start(struct b2bua *b, struct call *call)
{
	struct call_exec *x = call->exec;

	if (!x || x->started)
		return;
	x->started = true;
	if (!call->recorded) {
		call->recorded = true;
		call_record_dialog(b->deps.store, call, b->cfg->node_id);
	}
	run_plan(x);
}

/* ---- hooks ----------------------------------------------------------------------------------- */

static void on_hook_done(void *arg, int rc, const char *result)
{
	(void)arg;
	(void)result;
	if (rc && rc != -ECANCELED)
		log_notice("call", "hook application ended: %s", strerror(-rc));
}

/* Runs "app data" from a channel variable (execute_on_*): ${var}s expanded when it runs. */
static void run_hook(struct call_exec *x, const char *name)
{
	const char *v = var(x, name);
	char *text = NULL, *app, *data;
	int rc;

	if (!v || !*v)
		return;
	if (dialplan_vars_expand(&x->p->vars, v, &text) != 0)
		return;
	app = text + strspn(text, " ");
	data = app + strcspn(app, " ");
	if (*data)
		*data++ = '\0';
	data += strspn(data, " ");
	log_info("call", "%s: %s %s", name, app, data);
	rc = exec_app(x, app, data, on_hook_done, x);
	if (rc < 0)
		log_notice("call", "%s: %s not run: %s", name, app,
		           rc == -ENOENT ? "no such application" : strerror(-rc));
	free(text);
}

static int api_run(struct call_exec *x, const char *cmd, const char *args, char **out);

/* Runs "command args" from a channel variable (api_*): its output goes to the log. */
static void run_api_hook(struct call_exec *x, const char *name)
{
	const char *v = var(x, name);
	char *text = NULL, *cmd, *args, *out = NULL;
	int rc;

	if (!v || !*v || dialplan_vars_expand(&x->p->vars, v, &text) != 0)
		return;
	cmd = text + strspn(text, " ");
	args = cmd + strcspn(cmd, " ");
	if (*args)
		*args++ = '\0';
	rc = api_run(x, cmd, args, &out);
	if (rc)
		log_notice("call", "%s: %s: %s", name, cmd,
		           rc == -ENOENT ? "no such command" : strerror(-rc));
	else
		log_info("call", "%s: %s: %s", name, cmd, out);
	free(out);
	free(text);
}

void call_exec_ringing(struct b2bua *b, struct call *call)
{
	struct call_exec *x = call->exec;

	(void)b;
	if (!x || x->rang || x->ended)
		return;
	x->rang = true;
	run_hook(x, "execute_on_ring");
}

void call_exec_answered(struct b2bua *b, struct call *call)
{
	struct call_exec *x = call->exec;

	(void)b;
	if (!x || x->answered || x->ended)
		return;
	x->answered = true;
	run_hook(x, "execute_on_answer");
	run_api_hook(x, "api_on_answer");
}

void call_exec_ended(struct b2bua *b, struct call *call)
{
	struct call_exec *x = call->exec;

	(void)b;
	if (!x || x->ended)
		return;
	x->ended = true;
	dialplan_vars_set(&x->p->vars, "hangup_cause", hangup_cause_name(call->hangup_cause));
	for (unsigned i = 0; i < EXEC_OPS; i++)
		if (x->ops[i].kind != OP_FREE)
			op_finish(&x->ops[i], -ECANCELED, NULL);
	for (unsigned i = 0; i < EXEC_RUNS; i++)
		if (x->runs[i].live && x->runs[i].run)
			script_engine_abort(x->runs[i].run);
	run_api_hook(x, "api_hangup_hook");
}

/* ---- media events and digits ---------------------------------------------------------------- */

void call_exec_media_event(struct b2bua *b, struct call *call, const RpcEvent *ev)
{
	struct call_exec *x = call->exec;

	switch (ev->kind_case) {
	case TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE: {
		const Tandem__Media__V1__PlaybackDone *pd = ev->playback_done;

		log_info("call", "prompt %" PRIu64 " ended after %" PRIu64 " ms: %s", pd->play_id,
		         pd->played_ms, pd->reason ? pd->reason : "");
		for (unsigned i = 0; x && i < EXEC_OPS; i++) {
			struct exec_op *op = &x->ops[i];

			if (op->kind == OP_PLAY && op->play_id == pd->play_id) {
				op_finish(op, 0, op->stopped_by);
				break;
			}
		}
		break;
	}
	case TANDEM__MEDIA__V1__EVENT__KIND_DTMF: {
		const Tandem__Media__V1__DtmfEvent *d = ev->dtmf;

		if (d->digit && d->digit[0])
			call_exec_digit(b, call, d->leg == TANDEM__MEDIA__V1__LEG_ID__LEG_B,
			                d->digit[0], d->duration_ms);
		break;
	}
	case TANDEM__MEDIA__V1__EVENT__KIND_RECORDING_DONE:
		call_media_note_recording(call, ev->recording_done->recording);
		log_info("call", "recording ended: %s",
		         ev->recording_done->reason ? ev->recording_done->reason : "");
		break;
	default:
		break;
	}
}

static bool digit_ok(char d)
{
	return (d >= '0' && d <= '9') || d == '*' || d == '#' || (d >= 'A' && d <= 'D');
}

bool call_exec_digit(struct b2bua *b, struct call *call, int side, char digit, unsigned duration_ms)
{
	struct call_exec *x = call->exec;
	struct exec_op *op;

	(void)b;
	if (!digit_ok(digit))
		return false;
	log_info("call", "digit %c from the %s (%u ms)", digit, side ? "callee" : "caller",
	         duration_ms);
	/* Collectors and scripts run for the caller's channel. */
	if (!x || x->ended || side != 0)
		return false;
	if ((op = op_find(x, OP_RECFILE)) && op->terms[0] && strchr(op->terms, digit)) {
		recfile_stop(x, op);
		return true;
	}
	if ((op = op_find(x, OP_PLAY)) && op->terms[0] && strchr(op->terms, digit)) {
		op->stopped_by[0] = digit;
		if (call_media_stop_play(b->cm, call, SIDE_A, NULL) != 0)
			op_finish(op, 0, op->stopped_by);
		return true;
	}
	if (x->listener) {
		for (unsigned i = 0; i < EXEC_RUNS; i++)
			if (x->runs[i].live && x->runs[i].run)
				script_engine_dtmf(x->runs[i].run, digit, duration_ms);
		return true;
	}
	/* Kept for a script's next getDigits, as a channel queues its digits. */
	if (!(op = op_find(x, OP_DIGITS)) && !x->n_runs)
		return false;
	if (x->n_digits < EXEC_DIGITS) {
		x->digits[x->n_digits++] = digit;
		x->digits[x->n_digits] = '\0';
	}
	if (op) {
		if (strchr(op->terms, digit) || x->n_digits >= op->max)
			digits_done(x, op);
		else
			op_arm(x, op, op->timeout_ms);
	}
	return true;
}

char call_exec_info_digit(const char *content_type, const char *body, size_t len,
                          unsigned *duration_ms)
{
	char text[128], *p;
	char d = 0;

	*duration_ms = 0;
	if (!content_type || !body || !len || len >= sizeof(text))
		return 0;
	memcpy(text, body, len);
	text[len] = '\0';
	if (!strncasecmp(content_type, "application/dtmf-relay", 22)) {
		/* Lines of key=value: Signal=5, Duration=160 (milliseconds). */
		for (p = strtok(text, "\r\n"); p; p = strtok(NULL, "\r\n")) {
			char *eq = strchr(p, '=');

			if (!eq)
				continue;
			*eq++ = '\0';
			p += strspn(p, " \t");
			p[strcspn(p, " \t")] = '\0';
			eq += strspn(eq, " \t");
			if (!strcasecmp(p, "Signal"))
				d = !strncmp(eq, "10", 2) ? '*' : !strncmp(eq, "11", 2) ? '#' : *eq;
			else if (!strcasecmp(p, "Duration"))
				*duration_ms = (unsigned)strtoul(eq, NULL, 10) % 60000;
		}
	} else if (!strncasecmp(content_type, "application/dtmf", 16) &&
	           (content_type[16] == '\0' || content_type[16] == ';' ||
	            content_type[16] == ' ')) {
		p = text + strspn(text, " \t\r\n");
		d = !strncmp(p, "10", 2) ? '*' : !strncmp(p, "11", 2) ? '#' : *p;
	}
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	return digit_ok(d) ? d : 0;
}

/* ---- the script host ------------------------------------------------------------------------ */

static struct call_exec *sx(struct script_call *c)
{
	return c->x;
}

struct script_call *call_exec_script_call(struct call *call)
{
	return call->exec ? &call->exec->sc : NULL;
}

static const char *h_get_var(struct script_call *c, const char *name)
{
	struct call_exec *x = sx(c);
	struct call *call = x->call;

	if (!call)
		return var(x, name);
	/* A few of the channel's own fields, as FreeSWITCH names them. */
	if (!strcmp(name, "uuid") || !strcmp(name, "call_uuid") || !strcmp(name, "sip_call_id"))
		return call->call_id;
	if (!strcmp(name, "caller_id_number") || !strcmp(name, "username"))
		return call->caller;
	if (!strcmp(name, "destination_number"))
		return call->destination;
	if (!strcmp(name, "domain_name"))
		return call->domain;
	return var(x, name);
}

static int h_set_var(struct script_call *c, const char *name, const char *value)
{
	if (!name || !*name)
		return -EINVAL;
	return dialplan_vars_set(&sx(c)->p->vars, name, value);
}

static bool h_ready(struct script_call *c)
{
	struct call_exec *x = sx(c);

	return !x->ended && x->call && x->call->state != CALL_ENDING && leg_live(&x->call->a);
}

static int h_execute(struct script_call *c, const char *app, const char *data, script_done_fn done,
                     void *arg)
{
	struct call_exec *x = sx(c);
	char *text = NULL;
	int rc;

	if (x->ended)
		return -ENOTCONN;
	if (dialplan_vars_expand(&x->p->vars, data ? data : "", &text) != 0)
		return -ENOMEM;
	rc = exec_app(x, app, text, done, arg);
	free(text);
	if (rc == 1)
		rc = op_defer(x, 0, done, arg);
	return rc;
}

static int h_hangup(struct script_call *c, const char *cause)
{
	struct call_exec *x = sx(c);
	enum hangup_cause hc = HANGUP_CAUSE_NORMAL_CLEARING;

	if (cause && *cause && hangup_cause_parse(cause, &hc) != 0)
		return -EINVAL;
	if (x->ended)
		return 0;
	call_hangup(x->b, x->call, hc, "script");
	return 0;
}

static int h_play(struct script_call *c, const char *file, const char *terminators,
                  script_done_fn done, void *arg)
{
	struct call_exec *x = sx(c);
	int rc = media_op(x, OP_PLAY, done, arg, send_play, file);
	struct exec_op *op;

	if (!rc && terminators && (op = op_find(x, OP_PLAY)) != NULL)
		snprintf(op->terms, sizeof(op->terms), "%s", terminators);
	return rc;
}

static int h_get_digits(struct script_call *c, unsigned max, const char *terminators,
                        unsigned timeout_ms, script_done_fn done, void *arg)
{
	struct call_exec *x = sx(c);
	struct exec_op *op;

	if (x->ended)
		return -ENOTCONN;
	if (!max || max > EXEC_DIGITS)
		return -EINVAL;
	if (op_find(x, OP_DIGITS) || !(op = op_new(x, OP_DIGITS, done, arg)))
		return -EBUSY;
	op->max = max;
	op->timeout_ms = timeout_ms;
	snprintf(op->terms, sizeof(op->terms), "%s", terminators ? terminators : "");
	/* Digits already buffered count; the result waits for the loop either way. */
	for (unsigned i = 0; i < x->n_digits; i++)
		if (strchr(op->terms, x->digits[i]) || i + 1 >= max)
			return op_arm(x, op, 0);
	return op_arm(x, op, timeout_ms);
}

/* recordFile: the node records the session (the caller left; the callee right, silent
 * before a bridge) into file, stopped at max_s, a terminator digit, a script's break or the
 * end of the call (the node completes the file then). */
static int h_record(struct script_call *c, const char *file, unsigned max_s,
                    const char *terminators, script_done_fn done, void *arg)
{
	struct call_exec *x = sx(c);
	struct exec_op *op;
	int rc;

	if (x->ended)
		return -ENOTCONN;
	if (op_find(x, OP_RECFILE) || !(op = op_new(x, OP_RECFILE, done, arg)))
		return -EBUSY;
	op->max = max_s;
	snprintf(op->terms, sizeof(op->terms), "%s", terminators ? terminators : "");
	rc = call_media_record(x->b->cm, x->call, file, on_record_reply);
	if (rc)
		op->kind = OP_FREE;
	return rc;
}

static void recfile_stop(struct call_exec *x, struct exec_op *op)
{
	if (op->stopping)
		return;
	op->stopping = true;
	if (!x->call || call_media_stop_record(x->b->cm, x->call, on_stop_record_reply) != 0)
		op_finish(op, 0, "");
}

static int h_sleep(struct script_call *c, unsigned ms, script_done_fn done, void *arg)
{
	struct call_exec *x = sx(c);
	struct exec_op *op;

	if (x->ended)
		return -ENOTCONN;
	if (!(op = op_new(x, OP_SLEEP, done, arg)))
		return -EBUSY;
	if (op_arm(x, op, ms) != 0) {
		op->kind = OP_FREE;
		return -ENOMEM;
	}
	return 0;
}

static void h_set_dtmf_listener(struct script_call *c, bool on)
{
	sx(c)->listener = on;
}

static int api_run(struct call_exec *x, const char *cmd, const char *args, char **out)
{
	char buf[160];

	(void)args;
	if (!strcmp(cmd, "status"))
		snprintf(buf, sizeof(buf), "UP, %u call(s)", b2bua_call_count(x->b));
	else if (!strcmp(cmd, "show") && args && !strncmp(args, "calls", 5))
		snprintf(buf, sizeof(buf), "%u total.", b2bua_call_count(x->b));
	else if (!strcmp(cmd, "uuid_getvar") && args) {
		const char *v =
		    var(x, args + strcspn(args, " ") + strspn(args + strcspn(args, " "), " "));

		snprintf(buf, sizeof(buf), "%s", v ? v : "_undef_");
	} else if ((!strcmp(cmd, "lua") || !strcmp(cmd, "luarun")) && args && *args) {
		/* Runs in the background with the call's variables; the output is the start. */
		int rc = !x->call ? -ENOTCONN : run_script(x, args, NULL, NULL);

		if (rc < 0)
			return rc;
		snprintf(buf, sizeof(buf), "+OK");
	} else
		return -ENOENT;
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

/* A break from a script's digit handler: the prompt or sleep it waits on ends now. */
static void h_stop_media(struct script_call *c)
{
	struct call_exec *x = sx(c);
	struct exec_op *op;

	if ((op = op_find(x, OP_PLAY)) != NULL && x->call &&
	    call_media_stop_play(x->b->cm, x->call, SIDE_A, NULL) != 0)
		op_arm(x, op, 0);
	if ((op = op_find(x, OP_SLEEP)) != NULL)
		op_arm(x, op, 0);
	if ((op = op_find(x, OP_RECFILE)) != NULL)
		recfile_stop(x, op);
}

static void h_flush_digits(struct script_call *c)
{
	struct call_exec *x = sx(c);

	x->n_digits = 0;
	x->digits[0] = '\0';
}

static int h_api(struct script_call *c, const char *cmd, const char *args, char **out)
{
	return api_run(sx(c), cmd, args, out);
}

static void h_log(struct script_call *c, enum script_log_level level, const char *msg)
{
	if (sx(c)->call)
		log_set_context(sx(c)->call->call_id);
	switch (level) {
	case SCRIPT_LOG_DEBUG:
		log_debug("script", "%s", msg);
		break;
	case SCRIPT_LOG_INFO:
		log_info("script", "%s", msg);
		break;
	case SCRIPT_LOG_NOTICE:
		log_notice("script", "%s", msg);
		break;
	case SCRIPT_LOG_WARNING:
		log_warn("script", "%s", msg);
		break;
	default:
		log_error("script", "%s", msg);
		break;
	}
}

const struct script_host_ops call_exec_script_ops = {
    .get_var = h_get_var,
    .set_var = h_set_var,
    .ready = h_ready,
    .execute = h_execute,
    .hangup = h_hangup,
    .play = h_play,
    .get_digits = h_get_digits,
    .record = h_record,
    .sleep = h_sleep,
    .set_dtmf_listener = h_set_dtmf_listener,
    .api = h_api,
    .log = h_log,
    .stop_media = h_stop_media,
    .flush_digits = h_flush_digits,
};
