/* What a script may ask of the call it runs for, and how the call talks back to the script.
 * The call's executor (signald's side: channel variables, SIP answers, mediad's prompts,
 * recordings and digits) implements struct script_host_ops; the script engine (Lua, mod_lua's
 * `session` API) calls them. Everything runs on signald's loop thread: a script never blocks it,
 * so every operation that waits takes a completion callback, and the engine suspends the
 * script until that callback runs.
 *
 * Rules both sides keep:
 * - A waiting operation returns 0 and later calls done exactly once, never from inside the
 *   operation itself (the engine yields only after the operation returned), or returns a
 *   negative errno code and never calls done.
 * - When the call ends while an operation waits, the host calls done with -ECANCELED (and the
 *   result NULL); later operations fail at once with -ENOTCONN. Reading and setting variables
 *   keep working until the script ends (hangup hooks read the final variables).
 * - Strings passed in are borrowed for the duration of the call; strings passed to done are
 *   borrowed for the duration of done. */
#ifndef SIGNALD_SCRIPT_HOST_H
#define SIGNALD_SCRIPT_HOST_H

#include <stdbool.h>

/* The host's handle of one call, opaque to the engine. */
struct script_call;

/* rc 0 or a negative errno code; result: what the operation produced ("" when nothing), e.g.
 * the digits collected or the digit that interrupted a prompt; NULL when rc < 0. */
typedef void (*script_done_fn)(void *arg, int rc, const char *result);

enum script_log_level {
	SCRIPT_LOG_DEBUG,
	SCRIPT_LOG_INFO,
	SCRIPT_LOG_NOTICE,
	SCRIPT_LOG_WARNING,
	SCRIPT_LOG_ERR
};

struct script_host_ops {
	/* Channel variables; get returns NULL when unset (borrowed until the next set). */
	const char *(*get_var)(struct script_call *c, const char *name);
	int (*set_var)(struct script_call *c, const char *name, const char *value);
	/* True while the caller's leg is up (not hung up, not ending). */
	bool (*ready)(struct script_call *c);
	/* Runs a dialplan application with its data, as the dialplan would (answer, pre_answer,
	 * ring_ready, set, log, hangup, bridge, playback, record_session, stop_record_session,
	 * echo, sleep, ...). done once it has finished (a bridge: once the bridged call ended or
	 * failed; playback: once the prompt ended). -ENOENT for an application Tandem does not
	 * run. */
	int (*execute)(struct script_call *c, const char *app, const char *data,
	               script_done_fn done, void *arg);
	/* Ends the call with a cause name or number (hangup_cause_parse); NULL: NORMAL_CLEARING. */
	int (*hangup)(struct script_call *c, const char *cause);
	/* Plays a prompt to the caller. terminators: digits that stop it ("" or NULL: none); done's
	 * result is the digit that stopped it or "". */
	int (*play)(struct script_call *c, const char *file, const char *terminators,
	            script_done_fn done, void *arg);
	/* Collects up to max digits the caller sends (RFC 4733 or SIP INFO), ending early on a
	 * terminator or when timeout_ms passes without a digit; digits already buffered count.
	 * done's result: the digits (without the terminator). */
	int (*get_digits)(struct script_call *c, unsigned max, const char *terminators,
	                  unsigned timeout_ms, script_done_fn done, void *arg);
	/* Records what the caller says into file (on the media node) for at most max_s seconds
	 * (0: until a terminator digit or the end of the call). */
	int (*record)(struct script_call *c, const char *file, unsigned max_s,
	              const char *terminators, script_done_fn done, void *arg);
	/* done after ms milliseconds (or -ECANCELED at hangup). */
	int (*sleep)(struct script_call *c, unsigned ms, script_done_fn done, void *arg);
	/* Digits the caller sends are given to the engine's digit handler (script_engine_dtmf)
	 * while on; off by default. */
	void (*set_dtmf_listener)(struct script_call *c, bool on);
	/* Read-only commands for freeswitch.API():execute (e.g. "status", "show calls"); *out is
	 * malloc'ed text the engine frees. -ENOENT for a command that does not exist. */
	int (*api)(struct script_call *c, const char *cmd, const char *args, char **out);
	/* One log line in the call's context (Call-ID). */
	void (*log)(struct script_call *c, enum script_log_level level, const char *msg);
	/* Ends at once the play, record or sleep the script waits on (a digit handler asked to
	 * break it, as mod_lua's input callback returning "break"): its done follows from the loop
	 * with rc 0 (play: result ""). Nothing waiting: nothing happens. May be NULL (a break then
	 * only takes effect when the operation ends by itself). */
	void (*stop_media)(struct script_call *c);
	/* Forgets the digits the caller sent that no get_digits has read yet (mod_lua's
	 * session:flushDigits). May be NULL. */
	void (*flush_digits)(struct script_call *c);
};

#endif
