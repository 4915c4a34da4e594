/* Parsing of bridge target lists (bridge_targets.h). */
#include "bridge_targets.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *p;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int bad(struct cursor *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_blanks(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

/* A name or a value up to one of the stop characters; quotes and backslashes are taken out. */
static int read_word(struct cursor *c, const char *stop, bool quoting, char **out)
{
	size_t len = strlen(c->p), n = 0;
	char *w = malloc(len + 1);

	if (!w)
		return -ENOMEM;
	skip_blanks(c);
	while (*c->p && !strchr(stop, *c->p)) {
		if (quoting && *c->p == '\'') {
			const char *end = strchr(c->p + 1, '\'');

			if (!end) {
				free(w);
				return bad(c, "unclosed quote");
			}
			memcpy(w + n, c->p + 1, (size_t)(end - c->p - 1));
			n += (size_t)(end - c->p - 1);
			c->p = end + 1;
			continue;
		}
		if (quoting && *c->p == '\\' && c->p[1])
			c->p++;
		w[n++] = *c->p++;
	}
	while (n && (w[n - 1] == ' ' || w[n - 1] == '\t'))
		n--;
	w[n] = '\0';
	*out = w;
	return 0;
}

/* "name=value,...close" after the opening bracket. */
static int read_vars(struct cursor *c, char close, struct bridge_vars *vars)
{
	const char stop_name[] = {'=', ',', close, '\0'};
	const char stop_value[] = {',', close, '\0'};

	for (;;) {
		struct bridge_var *v;
		int rc;

		if (vars->n == BRIDGE_MAX_VARS)
			return bad(c, "more than %d variables in one list", BRIDGE_MAX_VARS);
		v = &vars->v[vars->n];
		if ((rc = read_word(c, stop_name, false, &v->name)) != 0)
			return rc;
		if (*c->p != '=' || !v->name[0]) {
			rc = bad(c, "'%s' in %c...%c is not name=value", v->name,
			         close == ']' ? '[' : '{', close);
			free(v->name);
			return rc;
		}
		c->p++;
		if ((rc = read_word(c, stop_value, true, &v->value)) != 0) {
			free(v->name);
			return rc;
		}
		vars->n++;
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		if (*c->p != ',')
			return bad(c, "'%c' not closed", close == ']' ? '[' : '{');
		c->p++;
	}
}

static void free_vars(struct bridge_vars *vars)
{
	for (unsigned i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	vars->n = 0;
}

void bridge_targets_free(struct bridge_list *l)
{
	free_vars(&l->global);
	for (unsigned i = 0; i < l->n; i++) {
		free(l->t[i].dial);
		free_vars(&l->t[i].vars);
	}
	memset(l, 0, sizeof(*l));
}

static int parse(struct cursor *c, struct bridge_list *out)
{
	unsigned group = 0;
	int rc;

	skip_blanks(c);
	if (*c->p == '{') {
		c->p++;
		if ((rc = read_vars(c, '}', &out->global)) != 0)
			return rc;
	}
	for (;;) {
		struct bridge_target *t;

		if (out->n == BRIDGE_MAX_TARGETS)
			return bad(c, "more than %d targets", BRIDGE_MAX_TARGETS);
		t = &out->t[out->n];
		t->group = group;
		skip_blanks(c);
		if (*c->p == '{')
			return bad(c, "{...} only at the start of the list");
		if (*c->p == '[') {
			c->p++;
			if ((rc = read_vars(c, ']', &t->vars)) != 0) {
				free_vars(&t->vars);
				return rc;
			}
		}
		if ((rc = read_word(c, ",|[]{}", false, &t->dial)) != 0) {
			free_vars(&t->vars);
			return rc;
		}
		out->n++;
		if (!t->dial[0])
			return bad(c, "empty target (target %u)", out->n);
		if (*c->p && !strchr(",|", *c->p))
			return bad(c,
			           "'%c' after target '%s' ({...} only at the start, [...] only "
			           "before a target)",
			           *c->p, t->dial);
		if (!*c->p)
			break;
		if (*c->p++ == '|')
			group++;
	}
	out->n_groups = group + 1;
	return 0;
}

int bridge_targets_parse(const char *data, struct bridge_list *out, char *err, size_t errlen)
{
	struct cursor c = {.p = data ? data : "", .err = err, .errlen = errlen};
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	rc = parse(&c, out);
	if (rc)
		bridge_targets_free(out);
	return rc;
}

const char *bridge_vars_get(const struct bridge_vars *vars, const char *name)
{
	for (unsigned i = 0; i < vars->n; i++)
		if (!strcmp(vars->v[i].name, name))
			return vars->v[i].value;
	return NULL;
}

const char *bridge_target_var(const struct bridge_list *l, const struct bridge_target *t,
                              const char *name)
{
	const char *v = bridge_vars_get(&t->vars, name);

	return v ? v : bridge_vars_get(&l->global, name);
}
