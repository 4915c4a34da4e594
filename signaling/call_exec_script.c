/* The script host of a call (script_host.h): what a Lua script may ask of its call, as
 * operations of the call's executor (call_exec_internal.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call_exec_internal.h"
#include "dialplan.h"
#include "hangup_cause.h"
#include "log.h"
#include "lua_engine.h"

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
		return cx_var(x, name);
	/* A few of the channel's own fields, as FreeSWITCH names them. */
	if (!strcmp(name, "uuid") || !strcmp(name, "call_uuid") || !strcmp(name, "sip_call_id"))
		return call->call_id;
	if (!strcmp(name, "caller_id_number") || !strcmp(name, "username"))
		return call->caller;
	if (!strcmp(name, "destination_number"))
		return call->destination;
	if (!strcmp(name, "domain_name"))
		return call->domain;
	return cx_var(x, name);
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
	rc = cx_exec_app(x, app, text, done, arg);
	free(text);
	if (rc == 1)
		rc = cx_op_defer(x, 0, done, arg);
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
	int rc = cx_media_op(x, OP_PLAY, done, arg, cx_send_play, file);
	struct exec_op *op;

	if (!rc && terminators && (op = cx_op_find(x, OP_PLAY)) != NULL)
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
	if (cx_op_find(x, OP_DIGITS) || !(op = cx_op_new(x, OP_DIGITS, done, arg)))
		return -EBUSY;
	op->max = max;
	op->timeout_ms = timeout_ms;
	snprintf(op->terms, sizeof(op->terms), "%s", terminators ? terminators : "");
	/* Digits already buffered count; the result waits for the loop either way. */
	for (unsigned i = 0; i < x->n_digits; i++)
		if (strchr(op->terms, x->digits[i]) || i + 1 >= max)
			return cx_op_arm(x, op, 0);
	return cx_op_arm(x, op, timeout_ms);
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
	if (cx_op_find(x, OP_RECFILE) || !(op = cx_op_new(x, OP_RECFILE, done, arg)))
		return -EBUSY;
	op->max = max_s;
	snprintf(op->terms, sizeof(op->terms), "%s", terminators ? terminators : "");
	rc = call_media_record(x->b->cm, x->call, file, cx_on_record_reply);
	if (rc)
		op->kind = OP_FREE;
	return rc;
}

void cx_recfile_stop(struct call_exec *x, struct exec_op *op)
{
	if (op->stopping)
		return;
	op->stopping = true;
	if (!x->call || call_media_stop_record(x->b->cm, x->call, cx_on_stop_record_reply) != 0)
		cx_op_finish(op, 0, "");
}

static int h_sleep(struct script_call *c, unsigned ms, script_done_fn done, void *arg)
{
	struct call_exec *x = sx(c);
	struct exec_op *op;

	if (x->ended)
		return -ENOTCONN;
	if (!(op = cx_op_new(x, OP_SLEEP, done, arg)))
		return -EBUSY;
	if (cx_op_arm(x, op, ms) != 0) {
		op->kind = OP_FREE;
		return -ENOMEM;
	}
	return 0;
}

static void h_set_dtmf_listener(struct script_call *c, bool on)
{
	sx(c)->listener = on;
}

int cx_api_run(struct call_exec *x, const char *cmd, const char *args, char **out)
{
	char buf[160];

	(void)args;
	if (!strcmp(cmd, "status"))
		snprintf(buf, sizeof(buf), "UP, %u call(s)", b2bua_call_count(x->b));
	else if (!strcmp(cmd, "show") && args && !strncmp(args, "calls", 5))
		snprintf(buf, sizeof(buf), "%u total.", b2bua_call_count(x->b));
	else if (!strcmp(cmd, "uuid_getvar") && args) {
		const char *v =
		    cx_var(x, args + strcspn(args, " ") + strspn(args + strcspn(args, " "), " "));

		snprintf(buf, sizeof(buf), "%s", v ? v : "_undef_");
	} else if ((!strcmp(cmd, "lua") || !strcmp(cmd, "luarun")) && args && *args) {
		/* Runs in the background with the call's variables; the output is the start. */
		int rc = !x->call ? -ENOTCONN : cx_run_script(x, args, NULL, NULL);

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

	if ((op = cx_op_find(x, OP_PLAY)) != NULL && x->call &&
	    call_media_stop_play(x->b->cm, x->call, SIDE_A, NULL) != 0)
		cx_op_arm(x, op, 0);
	if ((op = cx_op_find(x, OP_SLEEP)) != NULL)
		cx_op_arm(x, op, 0);
	if ((op = cx_op_find(x, OP_RECFILE)) != NULL)
		cx_recfile_stop(x, op);
}

static void h_flush_digits(struct script_call *c)
{
	struct call_exec *x = sx(c);

	x->n_digits = 0;
	x->digits[0] = '\0';
}

static int h_api(struct script_call *c, const char *cmd, const char *args, char **out)
{
	return cx_api_run(sx(c), cmd, args, out);
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
