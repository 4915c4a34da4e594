/* The loaded form of a dialplan, shared by the loader (dialplan.c, which builds it from XML) and
 * the hunter (dialplan_hunt.c, which walks it). Private to those two files. Everything below is
 * owned by struct dialplan and freed by dialplan_free(). */
#ifndef SIGNALD_DIALPLAN_TREE_H
#define SIGNALD_DIALPLAN_TREE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dialplan.h"

enum dialplan_break {
	DIALPLAN_BREAK_ON_FALSE = 0, /* FreeSWITCH's default */
	DIALPLAN_BREAK_ON_TRUE,
	DIALPLAN_BREAK_ALWAYS,
	DIALPLAN_BREAK_NEVER,
};

/* Which input a condition tests. */
enum dialplan_field {
	DIALPLAN_FIELD_NONE = 0, /* no field: an absolute condition, always true */
	DIALPLAN_FIELD_DESTINATION_NUMBER,
	DIALPLAN_FIELD_CALLER_ID_NUMBER,
	DIALPLAN_FIELD_CALLER_ID_NAME,
	DIALPLAN_FIELD_NETWORK_ADDR,
	DIALPLAN_FIELD_CONTEXT,
	DIALPLAN_FIELD_EXPANDED, /* a string with ${var} references, expanded at hunt time */
};

struct dialplan_step {
	char *application;
	char *data;
	bool run_inline; /* inline="true": only `set`, applied while hunting */
};

struct dialplan_condition {
	unsigned line;
	enum dialplan_field field;
	char *field_text;  /* as written, for DIALPLAN_FIELD_EXPANDED and messages */
	char *expression;  /* as written */
	pcre2_code *regex; /* NULL for an absolute condition */
	bool substitutes;  /* the expression has a group: $N in action data is replaced */
	enum dialplan_break brk;
	unsigned n_actions, n_anti;
	struct dialplan_step *actions, *anti;
};

struct dialplan_extension {
	char *name;
	bool cont; /* continue="true": a match does not end the hunt */
	unsigned n_conditions;
	struct dialplan_condition *conditions;
};

struct dialplan_context {
	char *name;
	unsigned n_extensions;
	struct dialplan_extension *extensions;
};

struct dialplan {
	char *path;
	unsigned n_contexts;
	struct dialplan_context *contexts;
};

#endif
