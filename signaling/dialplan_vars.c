/* Channel variables of a call: a small ordered name -> value list (a call has tens of them, so a
 * linear scan beats any index), ${name} expansion, and the `set` application's data format. */
#include "dialplan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct dialplan_var *find(const struct dialplan_vars *vars, const char *name)
{
	for (unsigned i = 0; i < vars->n; i++)
		if (!strcmp(vars->v[i].name, name))
			return &vars->v[i];
	return NULL;
}

static void unset(struct dialplan_vars *vars, struct dialplan_var *v)
{
	unsigned i = (unsigned)(v - vars->v);

	free(v->name);
	free(v->value);
	memmove(v, v + 1, (vars->n - i - 1) * sizeof(*v));
	vars->n--;
}

int dialplan_vars_set(struct dialplan_vars *vars, const char *name, const char *value)
{
	struct dialplan_var *v = find(vars, name), *grown;
	char *copy;

	if (!value || !*value) {
		if (v)
			unset(vars, v);
		return 0;
	}
	if (!(copy = strdup(value)))
		return -ENOMEM;
	if (v) {
		free(v->value);
		v->value = copy;
		return 0;
	}
	grown = realloc(vars->v, (vars->n + 1) * sizeof(*grown));
	if (!grown || !(grown[vars->n].name = strdup(name))) {
		if (grown)
			vars->v = grown;
		free(copy);
		return -ENOMEM;
	}
	vars->v = grown;
	grown[vars->n].value = copy;
	vars->n++;
	return 0;
}

const char *dialplan_vars_get(const struct dialplan_vars *vars, const char *name)
{
	const struct dialplan_var *v = find(vars, name);

	return v ? v->value : NULL;
}

void dialplan_vars_clear(struct dialplan_vars *vars)
{
	for (unsigned i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars->v);
	vars->v = NULL;
	vars->n = 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Length of a "${name}" reference at s, or 0 when s does not start one. */
static size_t reference(const char *s, size_t *name_len)
{
	size_t n = 0;

	if (s[0] != '$' || s[1] != '{')
		return 0;
	while (name_char(s[2 + n]))
		n++;
	if (n == 0 || s[2 + n] != '}')
		return 0;
	*name_len = n;
	return n + 3;
}

/* Writes the expansion into buf when buf is not NULL; returns its length. */
static size_t expand_into(const struct dialplan_vars *vars, const char *text, char *buf)
{
	size_t len = 0;

	for (const char *s = text; *s;) {
		size_t name_len, ref = reference(s, &name_len);
		const char *val = NULL;
		char name[128];

		if (!ref || name_len >= sizeof(name)) {
			if (buf)
				buf[len] = *s;
			len++;
			s++;
			continue;
		}
		memcpy(name, s + 2, name_len);
		name[name_len] = '\0';
		val = dialplan_vars_get(vars, name);
		if (val && buf)
			memcpy(buf + len, val, strlen(val));
		len += val ? strlen(val) : 0;
		s += ref;
	}
	if (buf)
		buf[len] = '\0';
	return len;
}

int dialplan_vars_expand(const struct dialplan_vars *vars, const char *text, char **out)
{
	size_t len = expand_into(vars, text, NULL);

	*out = malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	expand_into(vars, text, *out);
	return 0;
}

int dialplan_vars_apply_set(struct dialplan_vars *vars, const char *data)
{
	const char *eq = strchr(data, '=');
	size_t n = eq ? (size_t)(eq - data) : strlen(data);
	char *name, *value = NULL;
	int rc;

	if (n == 0)
		return -EINVAL;
	if (!(name = strndup(data, n)))
		return -ENOMEM;
	if (eq && dialplan_vars_expand(vars, eq + 1, &value)) {
		free(name);
		return -ENOMEM;
	}
	rc = dialplan_vars_set(vars, name, value);
	free(value);
	free(name);
	return rc;
}
