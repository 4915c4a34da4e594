/* The engine: runs scripts as coroutines, resumes them when their waits end, and queues what
 * arrives while some script is running so that scripts never run nested in each other. */
#include "lua_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

struct script_engine {
	char *dir_real; /* NULL: no scripts folder */
	unsigned long slice, total;
	size_t memory;
	struct lua_script_cache *cache;
	struct script_run *runs;
	struct script_run *work, **work_tail;
	unsigned depth;   /* entries into the engine on the stack */
	unsigned nesting; /* scripts running inside scripts */
	bool closing;
};

static void run_step(struct script_run *r, int nargs);

void lua_run_log(struct script_run *r, enum script_log_level level, const char *fmt, ...)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "lua: %s: ", r->name);
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One event, one line: a traceback's lines are joined. */
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = '|';
		else if (*p == '\t')
			*p = ' ';
	r->ops->log(r->call, level, line);
}

int script_engine_new(struct script_engine **out, const struct script_engine_config *cfg, char *err,
                      size_t errlen)
{
	struct script_engine *e = calloc(1, sizeof(*e));
	struct stat st;

	*out = NULL;
	if (!e)
		return -ENOMEM;
	e->slice = cfg->slice_instructions ? cfg->slice_instructions : SCRIPT_ENGINE_SLICE_DEFAULT;
	e->total = cfg->total_instructions ? cfg->total_instructions : SCRIPT_ENGINE_TOTAL_DEFAULT;
	e->memory = cfg->memory_bytes ? cfg->memory_bytes : SCRIPT_ENGINE_MEMORY_DEFAULT;
	e->work_tail = &e->work;
	if (cfg->scripts_dir && *cfg->scripts_dir) {
		if (!(e->dir_real = realpath(cfg->scripts_dir, NULL)) || stat(e->dir_real, &st) ||
		    !S_ISDIR(st.st_mode)) {
			int rc = e->dir_real ? -ENOTDIR : (errno == ENOMEM ? -ENOMEM : -ENOENT);

			snprintf(err, errlen, "scripts_dir '%s': %s", cfg->scripts_dir,
			         strerror(-rc));
			free(e->dir_real);
			free(e);
			return rc;
		}
	}
	*out = e;
	return 0;
}

static void engine_destroy(struct script_engine *e)
{
	lua_scripts_forget(&e->cache);
	free(e->dir_real);
	free(e);
}

void script_engine_free(struct script_engine *e)
{
	if (!e)
		return;
	e->closing = true;
	if (!e->runs && !e->depth)
		engine_destroy(e);
}

void script_engine_reload(struct script_engine *e)
{
	if (e)
		lua_scripts_forget(&e->cache);
}

static void work_add(struct script_run *r)
{
	struct script_engine *e = r->e;

	if (r->queued)
		return;
	r->queued = true;
	r->next_work = NULL;
	*e->work_tail = r;
	e->work_tail = &r->next_work;
}

static void work_remove(struct script_run *r)
{
	struct script_engine *e = r->e;

	if (!r->queued)
		return;
	for (struct script_run **pp = &e->work; *pp; pp = &(*pp)->next_work) {
		if (*pp == r) {
			*pp = r->next_work;
			if (e->work_tail == &r->next_work)
				e->work_tail = pp;
			break;
		}
	}
	r->queued = false;
}

static void listen_dtmf(struct script_run *r, bool on)
{
	if (r->listening == on || !r->ops->set_dtmf_listener)
		return;
	r->listening = on;
	r->ops->set_dtmf_listener(r->call, on);
}

static void run_free(struct script_run *r)
{
	struct script_engine *e = r->e;

	work_remove(r);
	if (r->prev)
		r->prev->next = r->next;
	else
		e->runs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	free(r->done_result);
	free(r);
}

/* Ends the run: closes its state (finalizers get no instructions: the run is killed first)
 * and tells the host. The run is freed before this returns. */
static void finish(struct script_run *r, int rc)
{
	r->finishing = true;
	listen_dtmf(r, false);
	if (r->L) {
		if (!r->killed)
			lua_sandbox_kill(r, NULL, rc, "script ended");
		lua_sethook(r->L, lua_gethook(r->L), LUA_MASKCOUNT, 1);
		r->mem_enforce = false;
		lua_close(r->L);
		r->L = r->co = NULL;
	}
	/* Why it ended, when not by itself, was logged when it happened. */
	lua_run_log(r, SCRIPT_LOG_DEBUG, "ended (%s)",
	            !rc             ? "ok"
	            : rc == -EDQUOT ? "over its instruction budget"
	            : rc == -ENOMEM ? "over its memory budget"
	                            : "error");
	if (r->finished_cb)
		r->finished_cb(r->arg, rc);
	run_free(r);
}

static void finish_error(struct script_run *r, int status)
{
	lua_State *co = r->co;
	const char *msg;

	if (r->killed) {
		lua_run_log(r, r->kill_rc ? SCRIPT_LOG_ERR : SCRIPT_LOG_INFO, "%s", r->kill_why);
		finish(r, r->kill_rc);
		return;
	}
	msg = lua_type(co, -1) == LUA_TSTRING ? lua_tostring(co, -1) : NULL;
	if (!msg)
		msg = lua_pushfstring(co, "(error object is a %s value)", luaL_typename(co, -1));
	luaL_traceback(r->L, co, msg, 0);
	lua_run_log(r, SCRIPT_LOG_ERR, "%s", lua_tostring(r->L, -1));
	finish(r, status == LUA_ERRMEM ? -ENOMEM : -EINVAL);
}

/* Runs the script until it waits or ends; nargs values are on its stack (the results of the
 * wait it comes back from). */
static void run_step(struct script_run *r, int nargs)
{
	int nres = 0, status;

	lua_sandbox_slice(r);
	r->e->nesting++;
	r->mem_enforce = true;
	status = lua_resume(r->co, r->L, nargs, &nres);
	r->mem_enforce = false;
	r->e->nesting--;
	if (status == LUA_YIELD) {
		lua_pop(r->co, nres);
		if (r->waiting)
			return;
		lua_run_log(r, SCRIPT_LOG_ERR, "coroutine.yield outside a coroutine");
		finish(r, -EINVAL);
	} else if (status == LUA_OK) {
		finish(r, r->killed ? r->kill_rc : 0);
	} else {
		finish_error(r, status);
	}
}

static void call_ref(lua_State *L, int ref)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	if (lua_type(L, -1) == LUA_TSTRING)
		lua_getglobal(L, lua_tostring(L, -1));
	else
		lua_pushvalue(L, -1);
	lua_remove(L, -2);
}

/* Calls a callback of the script (input callback, hangup hook) on thread L (the main thread
 * while the script is suspended, the script's own from inside one of its calls) as mod_lua
 * does: (session, type, obj, arg); returns its string result, "" when none. It cannot wait:
 * a yield inside it is an error, logged like any other. */
static void call_back(struct script_run *r, lua_State *L, int fn_ref, int arg_ref, const char *type,
                      char *result, size_t resultlen)
{
	int base = lua_gettop(L);

	*result = '\0';
	call_ref(L, fn_ref);
	if (!lua_isfunction(L, -1)) {
		lua_run_log(r, SCRIPT_LOG_ERR, "%s callback is not a function", type);
		lua_settop(L, base);
		return;
	}
	lua_getglobal(L, "session");
	lua_pushstring(L, type);
	if (!strcmp(type, "dtmf")) {
		lua_createtable(L, 0, 2);
		lua_pushlstring(L, r->dtmf, 1);
		lua_setfield(L, -2, "digit");
		lua_pushinteger(L, r->dtmf_ms[0]);
		lua_setfield(L, -2, "duration");
	} else {
		lua_pushnil(L);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, arg_ref);
	lua_sandbox_slice(r);
	bool enforced = r->mem_enforce;

	r->mem_enforce = true;
	if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
		r->mem_enforce = enforced;
		luaL_traceback(L, L, lua_tostring(L, -1), 0);
		lua_run_log(r, SCRIPT_LOG_ERR, "%s callback: %s", type, lua_tostring(L, -1));
	} else {
		r->mem_enforce = enforced;
		if (lua_type(L, -1) == LUA_TSTRING)
			snprintf(result, resultlen, "%s", lua_tostring(L, -1));
	}
	lua_settop(L, base);
}

/* Calls the hangup hook (on thread L) once the run was aborted, the first time it would go on;
 * true when the hook asked the script to end ("exit" or "die": the run is then killed). */
static bool lua_run_hangup_hook(struct script_run *r, lua_State *L)
{
	char res[16];

	if (!r->hook_due)
		return false;
	r->hook_due = false;
	if (r->hangup_hook_ref == LUA_NOREF || r->killed)
		return r->killed;
	call_back(r, L, r->hangup_hook_ref, r->hangup_arg_ref, "hangup", res, sizeof(res));
	if (!strcasecmp(res, "exit") || !strcasecmp(res, "die")) {
		lua_sandbox_kill(r, NULL, 0, "ended by its hangup hook");
		return true;
	}
	return r->killed;
}

static void deliver_dtmf(struct script_run *r)
{
	char res[16];

	while (r->n_dtmf) {
		if (!r->waiting || r->wait_kind != LUA_WAIT_MEDIA || r->break_sent ||
		    r->input_cb_ref == LUA_NOREF || r->killed) {
			r->n_dtmf = 0;
			return;
		}
		call_back(r, r->L, r->input_cb_ref, r->input_arg_ref, "dtmf", res, sizeof(res));
		r->n_dtmf--;
		memmove(r->dtmf, r->dtmf + 1, r->n_dtmf);
		memmove(r->dtmf_ms, r->dtmf_ms + 1, r->n_dtmf * sizeof(r->dtmf_ms[0]));
		if (!strcasecmp(res, "break")) {
			r->break_sent = true;
			r->n_dtmf = 0;
			if (r->ops->stop_media)
				r->ops->stop_media(r->call);
		}
	}
}

static void resume(struct script_run *r)
{
	r->resume_pending = false;
	listen_dtmf(r, false);
	if (r->aborted && lua_run_hangup_hook(r, r->L)) {
		/* Leave through the hook's kill: the next instruction raises it. */
		lua_pushliteral(r->co, "");
		lua_pushinteger(r->co, -ECANCELED);
		run_step(r, 2);
		return;
	}
	lua_pushstring(r->co, r->done_result ? r->done_result : "");
	lua_pushinteger(r->co, r->done_rc);
	free(r->done_result);
	r->done_result = NULL;
	run_step(r, 2);
}

static void drain(struct script_engine *e)
{
	struct script_run *r;

	e->depth++;
	while ((r = e->work)) {
		e->work = r->next_work;
		if (!e->work)
			e->work_tail = &e->work;
		r->queued = false;
		if (r->resume_pending)
			resume(r);
		else
			deliver_dtmf(r);
	}
	e->depth--;
}

static void engine_enter(struct script_engine *e)
{
	e->depth++;
}

static void engine_leave(struct script_engine *e)
{
	if (--e->depth)
		return;
	drain(e);
	if (e->closing && !e->runs)
		engine_destroy(e);
}

void lua_run_done(void *arg, int rc, const char *result)
{
	struct script_run *r = arg;

	if (!r->waiting)
		return; /* a second done for one wait: the host broke its promise; ignore it */
	r->waiting = false;
	r->done_rc = rc;
	free(r->done_result);
	r->done_result = rc < 0 || !result ? NULL : strdup(result);
	if (r->in_op) {
		r->done_early = true;
		return;
	}
	r->resume_pending = true;
	engine_enter(r->e);
	work_add(r);
	engine_leave(r->e);
}

bool lua_run_begin(lua_State *L, struct script_run *r, enum lua_wait_kind kind)
{
	if (L != r->co)
		luaL_error(L, "cannot wait here (inside a coroutine or a callback)");
	if (r->killed)
		lua_sandbox_raise(L);
	if (r->aborted) {
		if (lua_run_hangup_hook(r, L))
			lua_sandbox_raise(L);
		return false;
	}
	r->wait_kind = kind;
	r->waiting = true;
	r->in_op = true;
	r->done_early = false;
	r->break_sent = false;
	r->n_dtmf = 0;
	if (kind == LUA_WAIT_MEDIA && r->input_cb_ref != LUA_NOREF)
		listen_dtmf(r, true);
	return true;
}

static int results_as_is(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	return 2;
}

int lua_run_wait(lua_State *L, struct script_run *r, int rc, lua_KFunction k)
{
	if (!k)
		k = results_as_is;
	r->in_op = false;
	if (rc < 0 || r->done_early) {
		r->waiting = false;
		r->done_early = false;
		listen_dtmf(r, false);
		lua_pushstring(L, rc < 0 || !r->done_result ? "" : r->done_result);
		lua_pushinteger(L, rc < 0 ? rc : r->done_rc);
		free(r->done_result);
		r->done_result = NULL;
		return k(L, LUA_OK, 0);
	}
	return lua_yieldk(L, 0, 0, k);
}

void script_engine_abort(struct script_run *r)
{
	if (!r || r->finishing || r->aborted)
		return;
	r->aborted = true;
	r->hook_due = true;
	/* What is left of the run after the call: one slice. */
	if (r->total_limit > r->total_used + r->slice_limit)
		r->total_limit = r->total_used + r->slice_limit;
}

void script_engine_dtmf(struct script_run *r, char digit, unsigned duration_ms)
{
	if (!r || r->finishing || !strchr("0123456789*#ABCDabcd", digit) || !digit)
		return;
	if (r->n_dtmf == LUA_RUN_DTMF_MAX) {
		lua_run_log(r, SCRIPT_LOG_WARNING, "digit '%c' dropped: %u waiting", digit,
		            r->n_dtmf);
		return;
	}
	r->dtmf[r->n_dtmf] = digit;
	r->dtmf_ms[r->n_dtmf++] = duration_ms;
	engine_enter(r->e);
	work_add(r);
	engine_leave(r->e);
}

/* Builds the state (protected: a memory budget too small fails here, not later). */
static int setup(lua_State *L)
{
	struct script_run *r = lua_run_of(L);
	int argc = (int)lua_tointeger(L, 1);

	lua_createtable(L, argc, 1);
	for (int i = 0; i < argc; i++) {
		lua_pushvalue(L, 2 + i);
		lua_rawseti(L, -2, i);
	}
	lua_setglobal(L, "argv");
	lua_freeswitch_open(L);
	if (r->call)
		lua_session_open(L);
	return 0;
}

static int run_new(struct script_engine *e, char **argv, int argc,
                   const struct script_host_ops *ops, struct script_call *call,
                   struct script_run **out)
{
	struct script_run *r = calloc(1, sizeof(*r));
	char msg[512];
	int rc;

	if (!r)
		return -ENOMEM;
	r->e = e;
	r->ops = ops;
	r->call = call;
	snprintf(r->name, sizeof(r->name), "%s", argv[0]);
	r->mem_limit = e->memory;
	r->slice_limit = e->slice;
	r->total_limit = e->total;
	r->input_cb_ref = r->input_arg_ref = LUA_NOREF;
	r->hangup_hook_ref = r->hangup_arg_ref = LUA_NOREF;
	*out = r;
	if (!(r->L = lua_sandbox_new(r)))
		return -ENOMEM;
	lua_pushcfunction(r->L, setup);
	lua_pushinteger(r->L, argc);
	for (int i = 0; i < argc; i++)
		lua_pushstring(r->L, argv[i]);
	r->mem_enforce = true;
	rc = lua_pcall(r->L, argc + 1, 0, 0);
	r->mem_enforce = false;
	if (rc != LUA_OK) {
		lua_run_log(r, SCRIPT_LOG_ERR, "cannot set up: %s", lua_tostring(r->L, -1));
		return rc == LUA_ERRMEM ? -ENOMEM : -EINVAL;
	}
	r->co = lua_newthread(r->L);
	r->co_ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
	rc = lua_scripts_load(&e->cache, e->dir_real, argv[0], r->L, msg, sizeof(msg));
	if (rc == -EINVAL)
		lua_run_log(r, SCRIPT_LOG_ERR, "does not compile: %s", msg);
	else if (rc)
		lua_run_log(r, SCRIPT_LOG_ERR, "refused: %s",
		            rc == -EACCES ? "outside the scripts folder" : strerror(-rc));
	if (rc)
		return rc;
	lua_xmove(r->L, r->co, 1);
	return 0;
}

static void run_discard(struct script_run *r)
{
	if (r->L)
		lua_close(r->L);
	free(r);
}

int script_engine_run(struct script_engine *e, const char *cmdline,
                      const struct script_host_ops *ops, struct script_call *call,
                      script_finished_fn finished_cb, void *arg, struct script_run **handle)
{
	char buf[1024], *argv[LUA_RUN_MAX_ARGS];
	struct script_run *r = NULL;
	int argc, rc;

	*handle = NULL;
	argc = lua_scripts_split(cmdline, buf, sizeof(buf), argv, LUA_RUN_MAX_ARGS);
	if (argc <= 0) {
		ops->log(call, SCRIPT_LOG_ERR, "lua: no script in the command line");
		return -EINVAL;
	}
	if (!e->dir_real) {
		ops->log(call, SCRIPT_LOG_ERR, "lua: no [lua] scripts_dir: scripts cannot run");
		return -ENOENT;
	}
	if (e->nesting >= SCRIPT_ENGINE_MAX_DEPTH) {
		ops->log(call, SCRIPT_LOG_ERR, "lua: scripts started inside scripts too deep");
		return -ELOOP;
	}
	if ((rc = run_new(e, argv, argc, ops, call, &r))) {
		if (rc == -ENOMEM && r)
			lua_run_log(r, SCRIPT_LOG_ERR, "refused: out of memory");
		if (r)
			run_discard(r);
		return rc;
	}
	r->finished_cb = finished_cb;
	r->arg = arg;
	r->next = e->runs;
	if (e->runs)
		e->runs->prev = r;
	e->runs = r;
	*handle = r;
	lua_run_log(r, SCRIPT_LOG_DEBUG, "started");
	engine_enter(e);
	run_step(r, 0);
	engine_leave(e);
	return 0;
}
