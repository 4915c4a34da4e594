/* The XML dialplan, FreeSWITCH style: a file of contexts holding extensions, whose conditions
 * test a caller field or a channel variable against a PCRE2 regex and contribute actions (when
 * they match) or anti-actions (when they do not). Hunting a call through it yields the ordered
 * list of (application, data) the B2BUA then executes; hunting never executes anything itself
 * except `set` actions marked inline="true", which change the call's channel variables at once.
 *
 * Supported (docs/dialplan.md): <include> or <document type="freeswitch/xml"><section
 * name="dialplan"> roots, <context name>, <extension name continue>, <condition field expression
 * break>, <expression> child, <action>/<anti-action application data inline>, $1..$N from the
 * regex captures, ${var} fields. Anything else is refused at load time with file, line and
 * element, so a dialplan never silently means something other than it says.
 *
 * A loaded dialplan is immutable: hunts on it may run from any thread, and a reload is a new
 * dialplan_load() followed by a swap. */
#ifndef SIGNALD_DIALPLAN_H
#define SIGNALD_DIALPLAN_H

#include <stdbool.h>
#include <stddef.h>

struct dialplan;

/* A call's channel variables: name -> value, in insertion order. Zero-initialise; owned by the
 * call; every string is owned by the list. */
struct dialplan_var {
	char *name;
	char *value;
};

struct dialplan_vars {
	unsigned n;
	struct dialplan_var *v;
};

/* The caller profile fields a condition can name (field="destination_number"). All borrowed;
 * NULL reads as "". context NULL means "default". */
struct dialplan_caller {
	const char *destination_number;
	const char *caller_id_number;
	const char *caller_id_name;
	const char *network_addr;
	const char *context;
};

struct dialplan_action {
	char *application;
	char *data; /* "$N" already substituted; "${var}" left for dialplan_vars_expand() */
};

/* What a hunt produced. Owned by the caller; dialplan_result_free(). */
struct dialplan_result {
	char *context;   /* the context hunted (the requested one, or "global" as fallback) */
	char *extension; /* first extension whose last evaluated condition matched; NULL if none */
	unsigned n_actions;
	struct dialplan_action *actions;
};

/* Applications the B2BUA executes. Any other name is refused when the dialplan is loaded: a plan
 * naming an application Tandem lacks would silently do less than it says. */
enum dialplan_app {
	DIALPLAN_APP_UNSUPPORTED = 0,
	DIALPLAN_APP_BRIDGE,     /* data: target list (bridge_targets.h) */
	DIALPLAN_APP_SET,        /* data: "name=value" (dialplan_vars_apply_set) */
	DIALPLAN_APP_HANGUP,     /* data: a cause name or number (hangup_cause_parse), default
	                            NORMAL_CLEARING */
	DIALPLAN_APP_ANSWER,     /* data: ignored; 200 to the caller with the media node's SDP */
	DIALPLAN_APP_PRE_ANSWER, /* data: ignored; 183 with the media node's SDP (early media) */
	DIALPLAN_APP_RING_READY, /* data: ignored; 180 to the caller */
	DIALPLAN_APP_LOG,        /* data: "[LEVEL ]message", written to signald's log */
	/* Applications that wait (call_exec.c runs them, one after the other): */
	DIALPLAN_APP_PLAYBACK,            /* data: a file in the media node's prompts folder */
	DIALPLAN_APP_RECORD_SESSION,      /* data: a path in the media node's recordings folder */
	DIALPLAN_APP_STOP_RECORD_SESSION, /* data: ignored (the call has one recording) */
	DIALPLAN_APP_ECHO,                /* data: ignored; the caller hears itself until hangup */
	DIALPLAN_APP_SLEEP,               /* data: milliseconds */
	DIALPLAN_APP_LUA,                 /* data: "script.lua [args...]" */
};

/* True for an application that waits for something (media, a timer, a script): the plan's
 * actions from there on run in the call's executor instead of at routing time. */
bool dialplan_app_waits(enum dialplan_app app);

/* Loads and checks path. On error returns -errno (-ENOENT/-EACCES: unreadable; -EINVAL: not a
 * dialplan we accept; -ENOMEM) and writes one line to err: "FILE:LINE: <element>: problem". */
int dialplan_load(struct dialplan **out, const char *path, char *err, size_t errlen);
void dialplan_free(struct dialplan *dp); /* accepts NULL */

/* Hunts caller through its context (falling back to "global" like FreeSWITCH). vars are the
 * call's channel variables: read by ${var} fields, changed by inline sets. Returns 0 with *out
 * filled (possibly no action: no route), -ENOENT when neither the context nor "global" exists,
 * -EIO when a regex fails to run (match limit), -ENOMEM; err says which. */
int dialplan_hunt(const struct dialplan *dp, const struct dialplan_caller *caller,
                  struct dialplan_vars *vars, struct dialplan_result *out, char *err,
                  size_t errlen);
void dialplan_result_free(struct dialplan_result *r);

/* DIALPLAN_APP_UNSUPPORTED for a name Tandem does not run (case matters, as in FreeSWITCH). */
enum dialplan_app dialplan_app_of(const char *application);
#define DIALPLAN_APPS_TEXT                                                                         \
	"answer, bridge, echo, hangup, log, lua, playback, pre_answer, record_session, "           \
	"ring_ready, set, sleep, stop_record_session"

/* Channel variables (dialplan_vars.c). value NULL or "" unsets. 0 or -ENOMEM. */
int dialplan_vars_set(struct dialplan_vars *vars, const char *name, const char *value);
const char *dialplan_vars_get(const struct dialplan_vars *vars, const char *name); /* or NULL */
void dialplan_vars_clear(struct dialplan_vars *vars);
/* *out = text with every ${name} replaced by its value ("" when unset); malloc'ed. */
int dialplan_vars_expand(const struct dialplan_vars *vars, const char *text, char **out);
/* Executes a `set` action's data: "name=value" (value ${var}-expanded) sets, "name" or "name="
 * unsets. -EINVAL when the name is empty. */
int dialplan_vars_apply_set(struct dialplan_vars *vars, const char *data);

#endif
