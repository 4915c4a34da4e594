/* Dialplan loading: libxml2 reads the file, this walks the elements FreeSWITCH's XML dialplan
 * defines, compiles each condition's regex with PCRE2, and refuses whatever it does not support
 * with "FILE:LINE: <element>: problem". The result (dialplan_tree.h) no longer needs libxml2. */
#include "dialplan_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

struct loader {
	struct dialplan *dp;
	const char *path;
	char *err;
	size_t errlen;
};

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The attribute's value in a malloc'ed copy, or NULL when absent. */
static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *copy;

	if (!v)
		return NULL;
	copy = strdup((const char *)v);
	xmlFree(v);
	return copy;
}

/* "<condition field="destination_number">" for messages: the element and what names it. */
static void describe(const xmlNode *n, char *buf, size_t len)
{
	static const char *const keys[] = {"name", "field", "application"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *v = attr(n, keys[i]);

		if (v) {
			snprintf(buf, len, "<%s %s=\"%s\">", n->name, keys[i], v);
			free(v);
			return;
		}
	}
	snprintf(buf, len, "<%s>", n->name);
}

__attribute__((format(printf, 3, 4))) static int fail(struct loader *l, const xmlNode *n,
                                                      const char *fmt, ...)
{
	char what[160], msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	describe(n, what, sizeof(what));
	snprintf(l->err, l->errlen, "%s:%ld: %s: %s", l->path, xmlGetLineNo(n), what, msg);
	return -EINVAL;
}

/* Every attribute of n must be one of allowed (NULL-terminated). */
static int check_attrs(struct loader *l, const xmlNode *n, const char *const *allowed)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *const *ok = allowed;

		while (*ok && strcmp(*ok, (const char *)a->name))
			ok++;
		if (!*ok)
			return fail(l, n, "attribute '%s' is not supported", a->name);
	}
	return 0;
}

static bool word_in(const char *v, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(v, words[i]))
			return true;
	return false;
}

/* FreeSWITCH's switch_true words, and their negations; anything else is a mistake. */
static int parse_bool(struct loader *l, const xmlNode *n, const char *name, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "enabled", "active", "allow"};
	static const char *const no[] = {"false", "no", "off", "0", "disabled", "inactive", "deny"};
	char *v = attr(n, name);
	int rc = 0;

	*out = false;
	if (!v)
		return 0;
	if (word_in(v, yes, sizeof(yes) / sizeof(yes[0])))
		*out = true;
	else if (!word_in(v, no, sizeof(no) / sizeof(no[0])))
		rc = fail(l, n, "%s=\"%s\" is neither true nor false", name, v);
	free(v);
	return rc;
}

/* Grows *v (n elements of size) by one zeroed element; returns it or NULL. */
static void *grow(void **v, unsigned n, size_t size)
{
	char *g = realloc(*v, (n + 1) * size);

	if (!g)
		return NULL;
	*v = g;
	return memset(g + n * size, 0, size);
}

/* Text content without surrounding white space, malloc'ed ("" when none). */
static char *text_of(const xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	const char *s = raw ? (const char *)raw : "";
	size_t len;
	char *out;

	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	out = strndup(s, len);
	xmlFree(raw);
	return out;
}

static int load_step(struct loader *l, const xmlNode *n, struct dialplan_step *st)
{
	static const char *const allowed[] = {"application", "data", "inline", NULL};
	char *text;
	int rc = check_attrs(l, n, allowed);

	if (!rc)
		rc = parse_bool(l, n, "inline", &st->run_inline);
	if (rc)
		return rc;
	st->application = attr(n, "application");
	if (!st->application || !*st->application)
		return fail(l, n, "no application");
	if (dialplan_app_of(st->application) == DIALPLAN_APP_UNSUPPORTED)
		return fail(l, n, "unknown application '%s' (Tandem runs %s)", st->application,
		            DIALPLAN_APPS_TEXT);
	if (st->run_inline && strcmp(st->application, "set"))
		return fail(l, n, "application '%s' cannot run inline (only set can)",
		            st->application);
	if (!(text = text_of(n)))
		return -ENOMEM;
	if (*text) /* FreeSWITCH: element text wins over data= */
		st->data = text;
	else {
		free(text);
		st->data = attr(n, "data");
		if (!st->data && !(st->data = strdup("")))
			return -ENOMEM;
	}
	return 0;
}

static const struct {
	const char *name;
	enum dialplan_field field;
} caller_fields[] = {
    {"destination_number", DIALPLAN_FIELD_DESTINATION_NUMBER},
    {"caller_id_number", DIALPLAN_FIELD_CALLER_ID_NUMBER},
    {"caller_id_name", DIALPLAN_FIELD_CALLER_ID_NAME},
    {"network_addr", DIALPLAN_FIELD_NETWORK_ADDR},
    {"context", DIALPLAN_FIELD_CONTEXT},
};

static int parse_field(struct loader *l, const xmlNode *n, struct dialplan_condition *c)
{
	if (!c->field_text)
		return 0;
	if (strstr(c->field_text, "${")) {
		c->field = DIALPLAN_FIELD_EXPANDED;
		return 0;
	}
	for (size_t i = 0; i < sizeof(caller_fields) / sizeof(caller_fields[0]); i++) {
		if (!strcmp(c->field_text, caller_fields[i].name)) {
			c->field = caller_fields[i].field;
			return 0;
		}
	}
	return fail(l, n,
	            "unknown field '%s' (use destination_number, caller_id_number, "
	            "caller_id_name, network_addr, context or ${variable})",
	            c->field_text);
}

static int parse_break(struct loader *l, const xmlNode *n, struct dialplan_condition *c)
{
	static const char *const names[] = {"on-false", "on-true", "always", "never"};
	char *v = attr(n, "break");

	c->brk = DIALPLAN_BREAK_ON_FALSE;
	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(v, names[i])) {
			c->brk = (enum dialplan_break)i;
			free(v);
			return 0;
		}
	}
	fail(l, n, "break=\"%s\" is not on-false, on-true, always or never", v);
	free(v);
	return -EINVAL;
}

static int compile(struct loader *l, const xmlNode *n, struct dialplan_condition *c)
{
	PCRE2_SIZE offset;
	PCRE2_UCHAR msg[128];
	int code;

	if (!c->expression && !(c->expression = strdup("")))
		return -ENOMEM;
	c->regex = pcre2_compile((PCRE2_SPTR)c->expression, PCRE2_ZERO_TERMINATED, 0, &code,
	                         &offset, NULL);
	if (!c->regex) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return fail(l, n, "bad expression '%s': %s at offset %zu", c->expression,
		            (const char *)msg, (size_t)offset);
	}
	c->substitutes = strchr(c->expression, '(') != NULL;
	return 0;
}

static int add_step(struct loader *l, const xmlNode *n, struct dialplan_step **v, unsigned *count)
{
	struct dialplan_step *st = grow((void **)v, *count, sizeof(**v));
	int rc;

	if (!st)
		return -ENOMEM;
	(*count)++;
	rc = load_step(l, n, st);
	return rc;
}

static int condition_children(struct loader *l, const xmlNode *n, struct dialplan_condition *c)
{
	for (const xmlNode *k = n->children; k; k = k->next) {
		int rc = 0;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is(k, "action"))
			rc = add_step(l, k, &c->actions, &c->n_actions);
		else if (is(k, "anti-action"))
			rc = add_step(l, k, &c->anti, &c->n_anti);
		else if (is(k, "expression")) {
			free(c->expression);
			if (!(c->expression = text_of(k)))
				rc = -ENOMEM;
		} else if (is(k, "condition"))
			rc = fail(l, k, "nested conditions are not supported");
		else
			rc = fail(l, k, "unknown element inside <condition>");
		if (rc)
			return rc;
	}
	return 0;
}

static int load_condition(struct loader *l, const xmlNode *n, struct dialplan_condition *c)
{
	static const char *const allowed[] = {"field", "expression", "break", NULL};
	int rc = check_attrs(l, n, allowed);

	if (rc)
		return rc;
	c->line = (unsigned)xmlGetLineNo(n);
	c->field_text = attr(n, "field");
	c->expression = attr(n, "expression");
	if ((rc = parse_field(l, n, c)) || (rc = parse_break(l, n, c)) ||
	    (rc = condition_children(l, n, c)))
		return rc;
	if (c->field == DIALPLAN_FIELD_NONE)
		return c->expression ? fail(l, n, "expression without field") : 0;
	return compile(l, n, c);
}

static int load_extension(struct loader *l, const xmlNode *n, struct dialplan_extension *e)
{
	static const char *const allowed[] = {"name", "continue", NULL};
	int rc = check_attrs(l, n, allowed);

	if (rc || (rc = parse_bool(l, n, "continue", &e->cont)))
		return rc;
	e->name = attr(n, "name");
	if (!e->name && !(e->name = strdup("_anon_")))
		return -ENOMEM;
	for (const xmlNode *k = n->children; k; k = k->next) {
		struct dialplan_condition *c;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is(k, "condition"))
			return fail(l, k, "unknown element inside <extension>");
		if (!(c = grow((void **)&e->conditions, e->n_conditions, sizeof(*c))))
			return -ENOMEM;
		e->n_conditions++;
		if ((rc = load_condition(l, k, c)))
			return rc;
	}
	return 0;
}

/* The context named name, created when new: contexts of the same name are merged in order. */
static struct dialplan_context *context(struct dialplan *dp, char *name)
{
	struct dialplan_context *c;

	for (unsigned i = 0; i < dp->n_contexts; i++) {
		if (!strcmp(dp->contexts[i].name, name)) {
			free(name);
			return &dp->contexts[i];
		}
	}
	if (!(c = grow((void **)&dp->contexts, dp->n_contexts, sizeof(*c)))) {
		free(name);
		return NULL;
	}
	dp->n_contexts++;
	c->name = name;
	return c;
}

static int load_context(struct loader *l, const xmlNode *n)
{
	static const char *const allowed[] = {"name", NULL};
	struct dialplan_context *c;
	char *name;
	int rc = check_attrs(l, n, allowed);

	if (rc)
		return rc;
	if (!(name = attr(n, "name")) || !*name) {
		free(name);
		return fail(l, n, "context without a name");
	}
	if (!(c = context(l->dp, name)))
		return -ENOMEM;
	for (const xmlNode *k = n->children; k; k = k->next) {
		struct dialplan_extension *e;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!is(k, "extension"))
			return fail(l, k, "unknown element inside <context>");
		if (!(e = grow((void **)&c->extensions, c->n_extensions, sizeof(*e))))
			return -ENOMEM;
		c->n_extensions++;
		if ((rc = load_extension(l, k, e)))
			return rc;
	}
	return 0;
}

/* Children of <include> or of the dialplan <section>: contexts, possibly wrapped in <include>. */
static int load_contexts(struct loader *l, const xmlNode *n)
{
	for (const xmlNode *k = n->children; k; k = k->next) {
		int rc;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is(k, "context"))
			rc = load_context(l, k);
		else if (is(k, "include"))
			rc = load_contexts(l, k);
		else
			rc = fail(l, k, "unknown element where <context> was expected");
		if (rc)
			return rc;
	}
	return 0;
}

/* <document type="freeswitch/xml">: only its dialplan section matters here. */
static int load_document(struct loader *l, const xmlNode *n)
{
	char *type = attr(n, "type");
	bool ok = !type || !strcmp(type, "freeswitch/xml");

	free(type);
	if (!ok)
		return fail(l, n, "type is not freeswitch/xml");
	for (const xmlNode *k = n->children; k; k = k->next) {
		char *name;
		int rc = 0;

		if (!is(k, "section"))
			continue;
		name = attr(k, "name");
		if (name && !strcmp(name, "dialplan"))
			rc = load_contexts(l, k);
		free(name);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_root(struct loader *l, const xmlNode *root)
{
	int rc;

	if (is(root, "include"))
		rc = load_contexts(l, root);
	else if (is(root, "document"))
		rc = load_document(l, root);
	else
		return fail(l, root,
		            "the root must be <include> or <document type=\"freeswitch/xml\">");
	if (!rc && l->dp->n_contexts == 0)
		return fail(l, root, "no <context> in the dialplan");
	return rc;
}

/* The first error is the one to show: later ones are usually its consequences. */
struct first_error {
	int line;
	char msg[256];
};

static void keep_first_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct first_error *first = ctxt->_private;
	size_t len;

	if (!first || first->msg[0] || !e || !e->message)
		return;
	first->line = e->line;
	snprintf(first->msg, sizeof(first->msg), "%s", e->message);
	len = strlen(first->msg);
	while (len && (first->msg[len - 1] == '\n' || first->msg[len - 1] == ' '))
		first->msg[--len] = '\0';
}

static xmlDocPtr read_xml(struct loader *l, xmlParserCtxtPtr ctxt)
{
	struct first_error first = {0};
	xmlDocPtr doc;

	ctxt->_private = &first;
	ctxt->sax->serror = keep_first_error;
	doc = xmlCtxtReadFile(ctxt, l->path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
	ctxt->_private = NULL;
	if (!doc)
		snprintf(l->err, l->errlen, "%s:%d: %s", l->path, first.line,
		         first.msg[0] ? first.msg : "not well-formed XML");
	return doc;
}

int dialplan_load(struct dialplan **out, const char *path, char *err, size_t errlen)
{
	struct loader l = {.path = path, .err = err, .errlen = errlen};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int rc;

	*out = NULL;
	if (access(path, R_OK)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	xmlInitParser();
	if (!(ctxt = xmlNewParserCtxt()))
		return -ENOMEM;
	if (!(doc = read_xml(&l, ctxt))) {
		xmlFreeParserCtxt(ctxt);
		return -EINVAL;
	}
	l.dp = calloc(1, sizeof(*l.dp));
	rc = l.dp && (l.dp->path = strdup(path)) ? load_root(&l, xmlDocGetRootElement(doc))
	                                         : -ENOMEM;
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	if (rc) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "%s: out of memory", path);
		dialplan_free(l.dp);
		return rc;
	}
	*out = l.dp;
	return 0;
}

static void free_steps(struct dialplan_step *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(v[i].application);
		free(v[i].data);
	}
	free(v);
}

static void free_condition(struct dialplan_condition *c)
{
	free(c->field_text);
	free(c->expression);
	pcre2_code_free(c->regex);
	free_steps(c->actions, c->n_actions);
	free_steps(c->anti, c->n_anti);
}

void dialplan_free(struct dialplan *dp)
{
	if (!dp)
		return;
	for (unsigned i = 0; i < dp->n_contexts; i++) {
		struct dialplan_context *c = &dp->contexts[i];

		for (unsigned j = 0; j < c->n_extensions; j++) {
			struct dialplan_extension *e = &c->extensions[j];

			for (unsigned k = 0; k < e->n_conditions; k++)
				free_condition(&e->conditions[k]);
			free(e->conditions);
			free(e->name);
		}
		free(c->extensions);
		free(c->name);
	}
	free(dp->contexts);
	free(dp->path);
	free(dp);
}

enum dialplan_app dialplan_app_of(const char *application)
{
	static const struct {
		const char *name;
		enum dialplan_app app;
	} apps[] = {
	    {"bridge", DIALPLAN_APP_BRIDGE},
	    {"set", DIALPLAN_APP_SET},
	    {"hangup", DIALPLAN_APP_HANGUP},
	    {"answer", DIALPLAN_APP_ANSWER},
	    {"pre_answer", DIALPLAN_APP_PRE_ANSWER},
	    {"ring_ready", DIALPLAN_APP_RING_READY},
	    {"log", DIALPLAN_APP_LOG},
	    {"playback", DIALPLAN_APP_PLAYBACK},
	    {"record_session", DIALPLAN_APP_RECORD_SESSION},
	    {"stop_record_session", DIALPLAN_APP_STOP_RECORD_SESSION},
	    {"echo", DIALPLAN_APP_ECHO},
	    {"sleep", DIALPLAN_APP_SLEEP},
	    {"lua", DIALPLAN_APP_LUA},
	};

	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (!strcmp(application, apps[i].name))
			return apps[i].app;
	return DIALPLAN_APP_UNSUPPORTED;
}

bool dialplan_app_waits(enum dialplan_app app)
{
	return app >= DIALPLAN_APP_PLAYBACK;
}
