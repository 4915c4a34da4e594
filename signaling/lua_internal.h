/* What the files of the Lua engine share (lua_engine.c, lua_sandbox.c, lua_scripts.c,
 * lua_session.c, lua_freeswitch.c); nothing outside them includes this. */
#ifndef SIGNALD_LUA_INTERNAL_H
#define SIGNALD_LUA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <lua.h>

#include "lua_engine.h"

#define LUA_RUN_MAX_ARGS 32
#define LUA_RUN_DTMF_MAX 16

enum lua_wait_kind {
	LUA_WAIT_PLAIN, /* execute, getDigits, msleep: digits go to the host's buffer */
	LUA_WAIT_MEDIA, /* streamFile, recordFile, sleep: digits go to the input callback */
};

/* One script run: its Lua state, budgets and the wait it is suspended on. Owned by the engine
 * (lua_engine.c), freed when it finishes. The Lua state's allocator data is this struct, so
 * every C function of the state finds its run with lua_run_of(). */
struct script_run {
	struct script_engine *e;
	const struct script_host_ops *ops;
	struct script_call *call;
	script_finished_fn finished_cb;
	void *arg;
	char name[128]; /* the script as named, for log lines */
	lua_State *L;   /* main thread: setup, callbacks, hooks */
	lua_State *co;  /* the script itself */
	int co_ref;

	/* budgets (lua_sandbox.c) */
	size_t mem_used, mem_limit;
	bool mem_enforce; /* only while script code runs: the engine's own pushes never fail */
	unsigned long slice_used, slice_limit, total_used, total_limit;
	bool killed; /* every further instruction raises an error */
	int kill_rc; /* finished_cb's rc once killed */
	char kill_why[96];

	/* the wait the script is suspended on */
	bool waiting, in_op, done_early, resume_pending;
	enum lua_wait_kind wait_kind;
	int done_rc;
	char *done_result; /* malloc'ed copy */
	bool listening;    /* the host's DTMF listener is on for this wait */
	bool break_sent;

	bool aborted, hook_due, finishing;
	int input_cb_ref, input_arg_ref, hangup_hook_ref, hangup_arg_ref;
	char dtmf[LUA_RUN_DTMF_MAX];
	unsigned dtmf_ms[LUA_RUN_DTMF_MAX];
	unsigned n_dtmf;

	bool queued;
	struct script_run *next_work;   /* engine's work queue */
	struct script_run *next, *prev; /* engine's runs */
};

static inline struct script_run *lua_run_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

/* lua_sandbox.c: a state with mod_lua's safe subset of the standard libraries (no io, no os
 * beyond the clock, no loading of files or bytecode, print to the log), the memory allocator
 * and the instruction hook of run r. NULL when out of memory. */
lua_State *lua_sandbox_new(struct script_run *r);
/* Starts a new slice (after each wait, before each callback). */
void lua_sandbox_slice(struct script_run *r);
/* Ends the run at the next instruction of any of its threads, with rc and a reason to log;
 * raises a Lua error at once when L is running. The first kill wins. */
void lua_sandbox_kill(struct script_run *r, lua_State *L, int rc, const char *why);
/* Raises the kill error (from a C function of the state, when the run is killed). */
int lua_sandbox_raise(lua_State *L);

/* lua_scripts.c: finds name inside dir_real (no '/' at the start, no '..', symlinks must stay
 * inside) and loads its chunk on L as a function (a cached compiled copy when the file has not
 * changed). Returns 0, -ENOENT, -EACCES, -EINVAL (does not compile: *msg says why, pushed on
 * L's stack is nothing) or -ENOMEM. */
struct lua_script_cache;
int lua_scripts_load(struct lua_script_cache **cache, const char *dir_real, const char *name,
                     lua_State *L, char *msg, size_t msglen);
void lua_scripts_forget(struct lua_script_cache **cache);
/* Splits a command line into words (blanks separate, '' and "" group). Returns the number of
 * words, written into buf (NUL-separated, buflen bytes) and argv; -EINVAL when it does not
 * fit or a quote is not closed. */
int lua_scripts_split(const char *cmdline, char *buf, size_t buflen, char **argv, int max);

/* lua_session.c: the global `session` of a run with a call. */
int lua_session_open(lua_State *L);
/* lua_freeswitch.c: the global `freeswitch`, print, argv. */
int lua_freeswitch_open(lua_State *L);

/* lua_engine.c, for the session and freeswitch functions: */
/* Before starting a host operation that waits: raises a Lua error when L is not the script's
 * own thread (a coroutine or a callback cannot wait); false when the call is gone (the
 * caller then passes -ENOTCONN to lua_run_wait without starting anything). */
bool lua_run_begin(lua_State *L, struct script_run *r, enum lua_wait_kind kind);
/* Suspends the script on the operation just started (rc: what starting it returned; done
 * must be lua_run_done with r). Once it ends, (result or "", rc) are pushed and k runs as the
 * continuation (k NULL: those two are the results). A failed start does not wait. */
int lua_run_wait(lua_State *L, struct script_run *r, int rc, lua_KFunction k);
/* session:consoleLog and freeswitch.consoleLog: mod_lua's level names. */
void lua_console_log(struct script_run *r, const char *level, const char *msg);
void lua_run_done(void *arg, int rc, const char *result);
/* One line in the call's log. */
void lua_run_log(struct script_run *r, enum script_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
