/* The Lua 5.4 script engine: mod_lua's `session`, `freeswitch` and `argv` for scripts kept in one
 * folder, each run in a Lua state of its own that talks to its call only through
 * struct script_host_ops (script_host.h).
 *
 * A run is a coroutine on signald's loop thread: every session call that waits (execute,
 * answer, streamFile, getDigits, playAndGetDigits, recordFile, sleep, freeswitch.msleep) starts
 * the host operation and yields; the operation's done resumes it. A done that arrives while any
 * script of the engine is running (a hangup from one script cancelling another's wait) is
 * queued and resumed once that script has yielded, so scripts never run nested in each other.
 * Each run has an instruction budget per slice (between two waits) and in total, and a memory
 * budget; a script over budget, raising an error or ending is finished with finished_cb and its
 * state freed; the process never is.
 *
 * The host's ops: get_var, set_var, ready, execute, hangup, play, get_digits, record, sleep and
 * log are required; set_dtmf_listener, api, stop_media and flush_digits may be NULL (no input
 * callbacks, "-ERR ... Command not found!", no "break", no flush). ops must outlive the runs
 * started with it.
 *
 * Ownership: the engine owns every run. A handle is valid from script_engine_run() until its
 * finished_cb has returned; the host drops it there. script_engine_free() may be called with
 * runs still waiting: the engine then lives on until the last of them has finished (their
 * calls' ends cancel the waits). Everything runs on one thread. */
#ifndef SIGNALD_LUA_ENGINE_H
#define SIGNALD_LUA_ENGINE_H

#include <stddef.h>

#include "script_host.h"

#define SCRIPT_ENGINE_SLICE_DEFAULT  100000UL    /* instructions between two waits */
#define SCRIPT_ENGINE_TOTAL_DEFAULT  10000000UL  /* instructions of a whole run */
#define SCRIPT_ENGINE_MEMORY_DEFAULT (8UL << 20) /* bytes of one run's Lua state */
#define SCRIPT_ENGINE_MAX_DEPTH      4           /* scripts started from inside running scripts */

struct script_engine_config {
	const char *scripts_dir;          /* NULL or "": no scripts (every run is refused) */
	unsigned long slice_instructions; /* 0: SCRIPT_ENGINE_SLICE_DEFAULT */
	unsigned long total_instructions; /* 0: SCRIPT_ENGINE_TOTAL_DEFAULT */
	size_t memory_bytes;              /* 0: SCRIPT_ENGINE_MEMORY_DEFAULT */
};

struct script_engine;
struct script_run;

/* rc: 0 when the script ended by itself (also after an abort, or by "exit" from its hangup
 * hook), -EDQUOT over its instruction budget, -ENOMEM over its memory budget,
 * -EINVAL for a Lua error (the traceback is logged). */
typedef void (*script_finished_fn)(void *arg, int rc);

/* Reads nothing yet; checks scripts_dir is a folder. err gets why not. Returns 0, -ENOENT,
 * -ENOTDIR or -ENOMEM. */
int script_engine_new(struct script_engine **out, const struct script_engine_config *cfg, char *err,
                      size_t errlen);
void script_engine_free(struct script_engine *e);

/* Forgets every compiled chunk: the next run of each script reads its file again (a changed
 * file is also noticed by its size, inode and modification time). Runs going on keep theirs. */
void script_engine_reload(struct script_engine *e);

/* Runs "name.lua arg1 'arg two'" (as mod_lua's `lua` application: words split on blanks,
 * quotes group) for call (NULL: no `session`; ops->log, ops->api and ops->sleep are then
 * called with a NULL call). name resolves inside scripts_dir only: absolute paths, '..' and
 * symlinks leading out are refused.
 *
 * Returns 0 with *handle written before the script starts (and never again): it runs at once
 * until its first wait, and finished_cb(arg, rc) runs once when it ends — before
 * script_engine_run returns when it never waited, so pass the field finished_cb clears, not a
 * local copied afterwards. Returns -ENOENT (no such script, or no
 * scripts_dir), -EACCES (a name leading outside the folder), -EINVAL (empty command, or the
 * file does not compile: logged), -ELOOP (scripts started inside scripts too deep), -ENOMEM;
 * finished_cb is then never called. Every refusal is logged through ops->log. */
int script_engine_run(struct script_engine *e, const char *cmdline,
                      const struct script_host_ops *ops, struct script_call *call,
                      script_finished_fn finished_cb, void *arg, struct script_run **handle);

/* The call is gone (hangup): session:ready() is false from now on, every later wait returns at
 * once, the wait going on returns when the host cancels it (-ECANCELED), the script's hangup
 * hook runs before it continues, and the rest of the run may use one instruction slice. Safe
 * anywhere, including inside a done callback and finished_cb; a no-op once finishing. */
void script_engine_abort(struct script_run *r);

/* A digit the caller sent ('0'-'9', '*', '#', 'A'-'D') for the input callback set with
 * session:setInputCallback. The engine turns the host's DTMF listener on only while the script
 * waits on streamFile, recordFile or sleep with a callback set (as mod_lua calls it only
 * then), so getDigits and playAndGetDigits read the host's digit buffer as usual; a digit
 * arriving outside such a wait is dropped. A callback returning "break" ends the wait
 * (ops->stop_media). Safe anywhere; the callback runs once no script is running. */
void script_engine_dtmf(struct script_run *r, char digit, unsigned duration_ms);

#endif
