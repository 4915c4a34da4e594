/* The target list of a `bridge` action, in FreeSWITCH's dial-string syntax:
 *
 *   {var=value,...}[var=value,...]user/1001,[var=value]user/1002|user/1003
 *
 * `,` separates targets rung at the same time (the first to answer wins, the others are
 * cancelled), `|` starts the next failover group (rung only when every target of the group
 * before failed), `[...]` before a target sets variables for that leg only, `{...}` at the start
 * sets them for every leg. A value may be quoted with '...' or escape a character with a
 * backslash, so that it can hold a comma (`{absolute_codec_string='PCMA,PCMU'}`). Plain string
 * work: nothing here knows SIP. */
#ifndef SIGNALD_BRIDGE_TARGETS_H
#define SIGNALD_BRIDGE_TARGETS_H

#include <stddef.h>

#define BRIDGE_MAX_TARGETS 16
#define BRIDGE_MAX_VARS    8

struct bridge_var {
	char *name, *value; /* owned */
};

struct bridge_vars {
	unsigned n;
	struct bridge_var v[BRIDGE_MAX_VARS];
};

struct bridge_target {
	char *dial;              /* "user/1001" (owned, trimmed) */
	unsigned group;          /* failover group, 0 first */
	struct bridge_vars vars; /* its [...] variables */
};

/* Owned by the caller; bridge_targets_free(). */
struct bridge_list {
	struct bridge_vars global; /* {...} */
	unsigned n, n_groups;
	struct bridge_target t[BRIDGE_MAX_TARGETS];
};

/* Parses data into *out. Returns 0, -EINVAL with one line in err (an empty target, an unclosed
 * bracket, a variable without '=', {...} anywhere but at the start, more than
 * BRIDGE_MAX_TARGETS targets or BRIDGE_MAX_VARS variables in one list) and *out empty, or
 * -ENOMEM. */
int bridge_targets_parse(const char *data, struct bridge_list *out, char *err, size_t errlen);
void bridge_targets_free(struct bridge_list *l);

/* The value of name for target t: its own [...] first, then {...}; NULL when neither sets it. */
const char *bridge_target_var(const struct bridge_list *l, const struct bridge_target *t,
                              const char *name);
/* The value of name in vars, or NULL. */
const char *bridge_vars_get(const struct bridge_vars *vars, const char *name);

#endif
