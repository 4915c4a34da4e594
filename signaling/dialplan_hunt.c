/* Hunting a call through a loaded dialplan with FreeSWITCH's semantics: extensions in order,
 * conditions in order with break="on-false|on-true|always|never", actions on a match (with $N
 * from the regex captures), anti-actions otherwise, continue="true" to keep hunting, inline set
 * applied at once. Produces the action list; executes nothing else. */
#include "dialplan_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Regex work per condition is bounded: a hostile destination number cannot stall the loop. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000

struct hunt {
	const struct dialplan *dp;
	const struct dialplan_caller *caller;
	struct dialplan_vars *vars;
	struct dialplan_result *out;
	pcre2_match_context *mctx;
	char *err;
	size_t errlen;
};

/* One matched regex: what the captures refer to. */
struct captures {
	const char *subject;
	const PCRE2_SIZE *ovector;
	int count; /* pairs set in ovector */
};

__attribute__((format(printf, 4, 5))) static int
fail(struct hunt *h, const struct dialplan_condition *c, int rc, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c)
		snprintf(h->err, h->errlen, "%s:%u: <condition field=\"%s\">: %s", h->dp->path,
		         c->line, c->field_text ? c->field_text : "", msg);
	else
		snprintf(h->err, h->errlen, "%s: %s", h->dp->path, msg);
	return rc;
}

static const char *caller_field(const struct dialplan_caller *c, enum dialplan_field f)
{
	const char *v = NULL;

	switch (f) {
	case DIALPLAN_FIELD_DESTINATION_NUMBER:
		v = c->destination_number;
		break;
	case DIALPLAN_FIELD_CALLER_ID_NUMBER:
		v = c->caller_id_number;
		break;
	case DIALPLAN_FIELD_CALLER_ID_NAME:
		v = c->caller_id_name;
		break;
	case DIALPLAN_FIELD_NETWORK_ADDR:
		v = c->network_addr;
		break;
	case DIALPLAN_FIELD_CONTEXT:
		v = c->context ? c->context : "default";
		break;
	case DIALPLAN_FIELD_NONE:
	case DIALPLAN_FIELD_EXPANDED:
		break;
	}
	return v ? v : "";
}

/* Reads "$N" or "${N}" at s; returns its length and the capture number, 0 when s is not one. */
static size_t capture_ref(const char *s, unsigned *num)
{
	size_t i = 1;
	bool brace = s[1] == '{';

	if (s[0] != '$')
		return 0;
	i += brace;
	if (s[i] < '0' || s[i] > '9')
		return 0;
	for (*num = 0; s[i] >= '0' && s[i] <= '9' && *num < 1000; i++)
		*num = *num * 10 + (unsigned)(s[i] - '0');
	if (brace && s[i] == '}')
		i++;
	return i;
}

/* Writes data with $N replaced into buf when buf is not NULL; returns the length. */
static size_t substitute_into(const char *data, const struct captures *cap, char *buf)
{
	size_t len = 0;

	for (const char *s = data; *s;) {
		unsigned num;
		size_t ref = capture_ref(s, &num);
		PCRE2_SIZE from, to;

		if (!ref) {
			if (buf)
				buf[len] = *s;
			len++;
			s++;
			continue;
		}
		s += ref;
		if ((int)num >= cap->count || cap->ovector[2 * num] == PCRE2_UNSET)
			continue; /* a group that did not take part: nothing, as FreeSWITCH does */
		from = cap->ovector[2 * num];
		to = cap->ovector[2 * num + 1];
		if (buf)
			memcpy(buf + len, cap->subject + from, to - from);
		len += to - from;
	}
	if (buf)
		buf[len] = '\0';
	return len;
}

static char *substitute(const char *data, const struct captures *cap)
{
	char *out;

	if (!cap)
		return strdup(data);
	out = malloc(substitute_into(data, cap, NULL) + 1);
	if (out)
		substitute_into(data, cap, out);
	return out;
}

static int add_action(struct hunt *h, const char *application, char *data)
{
	struct dialplan_result *r = h->out;
	struct dialplan_action *grown = realloc(r->actions, (r->n_actions + 1) * sizeof(*grown));

	if (!grown) {
		free(data);
		return -ENOMEM;
	}
	r->actions = grown;
	grown[r->n_actions].data = data;
	if (!(grown[r->n_actions].application = strdup(application))) {
		free(data);
		return -ENOMEM;
	}
	r->n_actions++;
	return 0;
}

static int run_steps(struct hunt *h, const struct dialplan_step *steps, unsigned n,
                     const struct captures *cap)
{
	for (unsigned i = 0; i < n; i++) {
		char *data = substitute(steps[i].data, cap);
		int rc;

		if (!data)
			return -ENOMEM;
		if (!steps[i].run_inline)
			rc = add_action(h, steps[i].application, data);
		else {
			rc = dialplan_vars_apply_set(h->vars, data);
			free(data);
		}
		if (rc)
			return rc == -EINVAL ? 0
			                     : rc; /* "set =x" changes nothing, as in FreeSWITCH */
	}
	return 0;
}

/* Runs the regex of c on its field; *pairs is the capture count, or -1 when it did not match. */
static int test(struct hunt *h, const struct dialplan_condition *c, pcre2_match_data *md,
                char **expanded, const char **subject, int *pairs)
{
	int rc;

	*subject = caller_field(h->caller, c->field);
	if (c->field == DIALPLAN_FIELD_EXPANDED) {
		if (dialplan_vars_expand(h->vars, c->field_text, expanded))
			return -ENOMEM;
		*subject = *expanded;
	}
	rc = pcre2_match(c->regex, (PCRE2_SPTR)*subject, strlen(*subject), 0, 0, md, h->mctx);
	if (rc == PCRE2_ERROR_NOMATCH) {
		*pairs = -1;
		return 0;
	}
	if (rc < 0) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return fail(h, c, -EIO, "regex '%s' failed on '%s': %s", c->expression, *subject,
		            (const char *)msg);
	}
	*pairs = rc;
	return 0;
}

static int run_condition(struct hunt *h, const struct dialplan_condition *c, bool *pass)
{
	pcre2_match_data *md;
	char *expanded = NULL;
	const char *subject = "";
	struct captures cap;
	int pairs = -1, rc;

	if (c->field == DIALPLAN_FIELD_NONE) { /* absolute condition */
		*pass = true;
		return run_steps(h, c->actions, c->n_actions, NULL);
	}
	if (!(md = pcre2_match_data_create_from_pattern(c->regex, NULL)))
		return -ENOMEM;
	rc = test(h, c, md, &expanded, &subject, &pairs);
	*pass = !rc && pairs >= 0;
	if (!rc && *pass) {
		cap = (struct captures){subject, pcre2_get_ovector_pointer(md), pairs};
		rc = run_steps(h, c->actions, c->n_actions, c->substitutes ? &cap : NULL);
	} else if (!rc)
		rc = run_steps(h, c->anti, c->n_anti, NULL);
	pcre2_match_data_free(md);
	free(expanded);
	return rc;
}

/* Conditions in order; the extension matches when the last one evaluated passed. */
static int run_extension(struct hunt *h, const struct dialplan_extension *e, bool *matched)
{
	bool pass = false;

	for (unsigned i = 0; i < e->n_conditions; i++) {
		const struct dialplan_condition *c = &e->conditions[i];
		int rc = run_condition(h, c, &pass);

		if (rc)
			return rc;
		if (pass ? (c->brk == DIALPLAN_BREAK_ON_TRUE || c->brk == DIALPLAN_BREAK_ALWAYS)
		         : (c->brk == DIALPLAN_BREAK_ON_FALSE || c->brk == DIALPLAN_BREAK_ALWAYS))
			break;
	}
	*matched = pass;
	return 0;
}

static const struct dialplan_context *find_context(const struct dialplan *dp, const char *name)
{
	for (unsigned i = 0; i < dp->n_contexts; i++)
		if (!strcmp(dp->contexts[i].name, name))
			return &dp->contexts[i];
	return NULL;
}

static int run_context(struct hunt *h, const struct dialplan_context *ctx)
{
	for (unsigned i = 0; i < ctx->n_extensions; i++) {
		const struct dialplan_extension *e = &ctx->extensions[i];
		bool matched;
		int rc = run_extension(h, e, &matched);

		if (rc)
			return rc;
		if (matched && !h->out->extension && !(h->out->extension = strdup(e->name)))
			return -ENOMEM;
		if (matched && !e->cont)
			break;
	}
	return 0;
}

int dialplan_hunt(const struct dialplan *dp, const struct dialplan_caller *caller,
                  struct dialplan_vars *vars, struct dialplan_result *out, char *err, size_t errlen)
{
	struct hunt h = {dp, caller, vars, out, NULL, err, errlen};
	const char *name = caller->context ? caller->context : "default";
	const struct dialplan_context *ctx = find_context(dp, name);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ctx && !(ctx = find_context(dp, "global")))
		return fail(&h, NULL, -ENOENT, "no context '%s' (nor 'global')", name);
	if (!(h.mctx = pcre2_match_context_create(NULL)))
		return -ENOMEM;
	pcre2_set_match_limit(h.mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(h.mctx, DEPTH_LIMIT);
	rc = (out->context = strdup(ctx->name)) ? run_context(&h, ctx) : -ENOMEM;
	pcre2_match_context_free(h.mctx);
	if (rc) {
		if (rc == -ENOMEM)
			fail(&h, NULL, rc, "out of memory");
		dialplan_result_free(out);
	}
	return rc;
}

void dialplan_result_free(struct dialplan_result *r)
{
	for (unsigned i = 0; i < r->n_actions; i++) {
		free(r->actions[i].application);
		free(r->actions[i].data);
	}
	free(r->actions);
	free(r->context);
	free(r->extension);
	memset(r, 0, sizeof(*r));
}
