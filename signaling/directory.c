/* FreeSWITCH-style XML directory through libxml2. Parsing walks the tree loosely (unknown
 * elements such as <gateways>, <vcard> or X-PRE-PROCESS are skipped, as FreeSWITCH files carry
 * them) but is strict inside what we use: a <domain> needs a name, a <user> an id and a password
 * or a1-hash, a <param>/<variable> a name and a value, and a user may be defined once. */
#include "directory.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define MAX_DEPTH 8

struct dir_domain {
	char *name;
	struct directory_pair *params;
	size_t n_params;
};

struct dir_set {
	struct directory_user *users;
	size_t n, cap;
	struct dir_domain *domains; /* those with params, in file order */
	size_t n_domains;
	char **files; /* every file read, kept so users can name where they came from */
	size_t n_files;
};

struct directory {
	char *path;
	char *default_domain;
	directory_param_check_fn check; /* may be NULL */
	struct dir_set *set;
};

struct pairs {
	struct directory_pair *v;
	size_t n;
};

struct parse_ctx {
	struct dir_set *set;
	const char *file; /* borrowed from set->files */
	const char *default_domain;
	directory_param_check_fn check; /* may be NULL */
	char *err;
	size_t errlen;
};

static void pairs_free(struct directory_pair *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static void set_free(struct dir_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		struct directory_user *u = &set->users[i];

		free(u->id);
		free(u->domain);
		pairs_free(u->params, u->n_params);
		pairs_free(u->vars, u->n_vars);
	}
	free(set->users);
	for (size_t i = 0; i < set->n_domains; i++) {
		free(set->domains[i].name);
		pairs_free(set->domains[i].params, set->domains[i].n_params);
	}
	free(set->domains);
	for (size_t i = 0; i < set->n_files; i++)
		free(set->files[i]);
	free(set->files);
	free(set);
}

static int pairs_add(struct pairs *p, const char *name, const char *value)
{
	struct directory_pair *nv = realloc(p->v, (p->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	p->v = nv;
	nv[p->n].name = strdup(name);
	nv[p->n].value = strdup(value);
	if (!nv[p->n].name || !nv[p->n].value) {
		free(nv[p->n].name);
		free(nv[p->n].value);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

static const char *pairs_find(const struct directory_pair *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

__attribute__((format(printf, 3, 4))) static int fail(struct parse_ctx *ctx, const xmlNode *n,
                                                      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, ctx->errlen, "%s:%ld: <%s>: %s", ctx->file, xmlGetLineNo(n),
	         (const char *)n->name, msg);
	return -EINVAL;
}

/* Lets the owner refuse a param value it cannot use, at the line that holds it. */
static int check_param(struct parse_ctx *ctx, const xmlNode *n, const char *item, const char *name,
                       const char *value)
{
	char why[160] = "invalid value";

	if (!ctx->check || strcmp(item, "param") != 0 ||
	    ctx->check(name, value, why, sizeof(why)) == 0)
		return 0;
	return fail(ctx, n, "%s: '%s': %s", name, value, why);
}

/* Reads the <param>/<variable> children of a <params>/<variables> element into out. */
static int read_pairs(struct parse_ctx *ctx, const xmlNode *list, const char *item,
                      struct pairs *out)
{
	for (const xmlNode *c = list->children; c; c = c->next) {
		xmlChar *name, *value;
		int rc;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is(c, item))
			return fail(ctx, c, "unexpected element, expected <%s>", item);
		name = xmlGetProp(c, (const xmlChar *)"name");
		value = xmlGetProp(c, (const xmlChar *)"value");
		if (!name || !name[0] || !value)
			rc = fail(ctx, c, "needs name and value attributes");
		else
			rc = check_param(ctx, c, item, (const char *)name, (const char *)value);
		if (!rc)
			rc = pairs_add(out, (const char *)name, (const char *)value);
		xmlFree(name);
		xmlFree(value);
		if (rc)
			return rc;
	}
	return 0;
}

/* Reads the <params> and <variables> children of n (a <domain> or a <user>). */
static int read_attrs(struct parse_ctx *ctx, const xmlNode *n, struct pairs *params,
                      struct pairs *vars)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		int rc = 0;

		if (is(c, "params"))
			rc = read_pairs(ctx, c, "param", params);
		else if (is(c, "variables"))
			rc = read_pairs(ctx, c, "variable", vars);
		if (rc)
			return rc;
	}
	return 0;
}

/* Appends the domain's pairs the user does not set itself. */
static int inherit(struct pairs *user, const struct pairs *domain)
{
	for (size_t i = 0; i < domain->n; i++) {
		int rc;

		if (pairs_find(user->v, user->n, domain->v[i].name))
			continue;
		rc = pairs_add(user, domain->v[i].name, domain->v[i].value);
		if (rc)
			return rc;
	}
	return 0;
}

struct domain_ctx {
	const char *name;
	struct pairs params, vars;
};

static int add_user(struct parse_ctx *ctx, const xmlNode *n, const struct domain_ctx *dom)
{
	struct pairs params = {0}, vars = {0};
	struct directory_user *u;
	xmlChar *id, *type;
	int rc;

	type = xmlGetProp(n, (const xmlChar *)"type");
	if (type && strcmp((const char *)type, "pointer") == 0) {
		/* A group member that refers to a user defined elsewhere. */
		xmlFree(type);
		return 0;
	}
	xmlFree(type);
	id = xmlGetProp(n, (const xmlChar *)"id");
	if (!id || !id[0]) {
		xmlFree(id);
		return fail(ctx, n, "missing id attribute");
	}
	rc = read_attrs(ctx, n, &params, &vars);
	if (!rc)
		rc = inherit(&params, &dom->params);
	if (!rc)
		rc = inherit(&vars, &dom->vars);
	if (!rc && !pairs_find(params.v, params.n, "password") &&
	    !pairs_find(params.v, params.n, "a1-hash"))
		rc = fail(ctx, n, "user '%s' has neither a password nor an a1-hash param",
		          (const char *)id);
	if (!rc && ctx->set->n == ctx->set->cap) {
		size_t cap = ctx->set->cap ? ctx->set->cap * 2 : 64;
		struct directory_user *nu = realloc(ctx->set->users, cap * sizeof(*nu));

		if (nu) {
			ctx->set->users = nu;
			ctx->set->cap = cap;
		} else {
			rc = -ENOMEM;
		}
	}
	if (rc) {
		xmlFree(id);
		pairs_free(params.v, params.n);
		pairs_free(vars.v, vars.n);
		return rc;
	}
	u = &ctx->set->users[ctx->set->n++];
	*u = (struct directory_user){
	    .id = strdup((const char *)id),
	    .domain = strdup(dom->name),
	    .params = params.v,
	    .n_params = params.n,
	    .vars = vars.v,
	    .n_vars = vars.n,
	    .file = ctx->file,
	    .line = xmlGetLineNo(n),
	};
	xmlFree(id);
	return u->id && u->domain ? 0 : -ENOMEM;
}

static int walk(struct parse_ctx *ctx, const xmlNode *n, const struct domain_ctx *dom, int depth);

/* Keeps a domain's params for directory_domain_param, taking them over from params. */
static int keep_domain(struct dir_set *set, const char *name, struct pairs *params)
{
	struct dir_domain *nd;

	if (!params->n)
		return 0;
	nd = realloc(set->domains, (set->n_domains + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	set->domains = nd;
	nd[set->n_domains].name = strdup(name);
	if (!nd[set->n_domains].name)
		return -ENOMEM;
	nd[set->n_domains].params = params->v;
	nd[set->n_domains].n_params = params->n;
	set->n_domains++;
	*params = (struct pairs){0};
	return 0;
}

static int enter_domain(struct parse_ctx *ctx, const xmlNode *n, int depth)
{
	struct domain_ctx dom = {0};
	xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
	int rc;

	if (!name || !name[0]) {
		xmlFree(name);
		return fail(ctx, n, "missing name attribute");
	}
	/* FreeSWITCH's demo names its domain "$${domain}" (a pre-processor variable); it means
	 * the switch's own domain, which is our default domain. */
	dom.name =
	    strncmp((const char *)name, "$${", 3) == 0 ? ctx->default_domain : (const char *)name;
	rc = read_attrs(ctx, n, &dom.params, &dom.vars);
	if (!rc)
		rc = walk(ctx, n, &dom, depth + 1);
	if (!rc)
		rc = keep_domain(ctx->set, dom.name, &dom.params);
	pairs_free(dom.params.v, dom.params.n);
	pairs_free(dom.vars.v, dom.vars.n);
	xmlFree(name);
	return rc;
}

static int walk(struct parse_ctx *ctx, const xmlNode *n, const struct domain_ctx *dom, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(ctx, n, "nested too deeply");
	for (const xmlNode *c = n->children; c; c = c->next) {
		int rc = 0;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is(c, "domain"))
			rc = enter_domain(ctx, c, depth);
		else if (is(c, "user"))
			rc = add_user(ctx, c, dom);
		else if (is(c, "groups") || is(c, "group") || is(c, "users") || is(c, "section") ||
		         is(c, "include") || is(c, "document"))
			rc = walk(ctx, c, dom, depth + 1);
		if (rc)
			return rc;
	}
	return 0;
}

static xmlError first_error;

static void keep_first_error(void *arg, xmlErrorPtr e)
{
	xmlError *keep = arg;

	if (!keep->code && e->level >= XML_ERR_ERROR)
		xmlCopyError(e, keep);
}

static int parse_file(struct dir_set *set, const char *file, const struct directory *dir, char *err,
                      size_t errlen)
{
	const char *default_domain = dir->default_domain;
	struct parse_ctx ctx = {.set = set,
	                        .default_domain = default_domain,
	                        .check = dir->check,
	                        .err = err,
	                        .errlen = errlen};
	struct domain_ctx top = {.name = default_domain};
	xmlParserCtxtPtr pctx;
	xmlDocPtr doc;
	char **nf;
	int rc;

	nf = realloc(set->files, (set->n_files + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	set->files = nf;
	if (!(nf[set->n_files] = strdup(file)))
		return -ENOMEM;
	ctx.file = nf[set->n_files++];
	pctx = xmlNewParserCtxt();
	if (!pctx)
		return -ENOMEM;
	/* The first error names the real spot; later ones are consequences (end of data...). */
	first_error.code = 0;
	xmlSetStructuredErrorFunc(&first_error, keep_first_error);
	doc = xmlCtxtReadFile(pctx, file, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc) {
		char msg[200] = "cannot parse";

		if (first_error.code && first_error.message) {
			snprintf(msg, sizeof(msg), "%s", first_error.message);
			msg[strcspn(msg, "\n")] = '\0';
		}
		snprintf(err, errlen, "%s:%d: XML: %s", file, first_error.line, msg);
		xmlResetError(&first_error);
		xmlFreeParserCtxt(pctx);
		return -EINVAL;
	}
	xmlResetError(&first_error);
	/* The root may itself be a <domain> or a <user>; walk() looks at children, so start at
	 * a virtual parent by handling those two here. */
	{
		const xmlNode *root = xmlDocGetRootElement(doc);

		if (!root)
			rc = 0;
		else if (is(root, "domain"))
			rc = enter_domain(&ctx, root, 0);
		else if (is(root, "user"))
			rc = add_user(&ctx, root, &top);
		else
			rc = walk(&ctx, root, &top, 0);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pctx);
	return rc;
}

static bool has_xml_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

static int load_path(struct dir_set *set, const char *path, const struct directory *dir, int depth,
                     char *err, size_t errlen)
{
	struct dirent **ents;
	struct stat st;
	int n, rc = 0;

	if (stat(path, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot read directory: %s", path, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(st.st_mode))
		return parse_file(set, path, dir, err, errlen);
	if (depth > MAX_DEPTH)
		return 0;
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot list: %s", path, strerror(errno));
		return rc;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char sub[4096];

		if (!rc && name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path, name);
			if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				rc = load_path(set, sub, dir, depth + 1, err, errlen);
			else if (has_xml_suffix(name))
				rc = parse_file(set, sub, dir, err, errlen);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int user_cmp(const void *a, const void *b)
{
	const struct directory_user *x = a, *y = b;
	int c = strcasecmp(x->domain, y->domain);

	return c ? c : strcmp(x->id, y->id);
}

static int build_set(struct dir_set **out, const struct directory *dir, char *err, size_t errlen)
{
	struct dir_set *set = calloc(1, sizeof(*set));
	int rc;

	if (!set)
		return -ENOMEM;
	rc = load_path(set, dir->path, dir, 0, err, errlen);
	if (!rc && set->n)
		qsort(set->users, set->n, sizeof(set->users[0]), user_cmp);
	for (size_t i = 1; !rc && i < set->n; i++) {
		const struct directory_user *a = &set->users[i - 1], *b = &set->users[i];

		if (user_cmp(a, b) == 0) {
			const struct directory_user *later = a->line > b->line ? a : b;
			const struct directory_user *first = later == a ? b : a;

			snprintf(err, errlen,
			         "%s:%ld: <user>: user '%s' in domain '%s' defined twice "
			         "(also at %s:%ld)",
			         later->file, later->line, later->id, later->domain, first->file,
			         first->line);
			rc = -EINVAL;
		}
	}
	if (rc) {
		set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

int directory_load(struct directory **out, const char *path, const char *default_domain, char *err,
                   size_t errlen)
{
	return directory_load_checked(out, path, default_domain, NULL, err, errlen);
}

int directory_load_checked(struct directory **out, const char *path, const char *default_domain,
                           directory_param_check_fn check, char *err, size_t errlen)
{
	struct directory *dir = calloc(1, sizeof(*dir));
	int rc;

	if (!dir)
		return -ENOMEM;
	dir->path = strdup(path);
	dir->default_domain = strdup(default_domain);
	if (!dir->path || !dir->default_domain) {
		directory_free(dir);
		return -ENOMEM;
	}
	dir->check = check;
	rc = build_set(&dir->set, dir, err, errlen);
	if (rc) {
		directory_free(dir);
		return rc;
	}
	*out = dir;
	return 0;
}

int directory_reload(struct directory *dir, char *err, size_t errlen)
{
	struct dir_set *set;
	int rc = build_set(&set, dir, err, errlen);

	if (rc)
		return rc;
	set_free(dir->set);
	dir->set = set;
	return 0;
}

void directory_free(struct directory *dir)
{
	if (!dir)
		return;
	set_free(dir->set);
	free(dir->path);
	free(dir->default_domain);
	free(dir);
}

const struct directory_user *directory_find(const struct directory *dir, const char *id,
                                            const char *domain)
{
	struct directory_user key = {.id = (char *)id, .domain = (char *)domain};

	if (!dir || !dir->set || !dir->set->n || !id || !domain)
		return NULL;
	return bsearch(&key, dir->set->users, dir->set->n, sizeof(key), user_cmp);
}

size_t directory_count(const struct directory *dir)
{
	return dir && dir->set ? dir->set->n : 0;
}

const char *directory_path(const struct directory *dir)
{
	return dir->path;
}

const char *directory_user_param(const struct directory_user *u, const char *name)
{
	return pairs_find(u->params, u->n_params, name);
}

const char *directory_domain_param(const struct directory *dir, const char *domain,
                                   const char *name)
{
	if (!dir || !dir->set || !domain)
		return NULL;
	for (size_t i = 0; i < dir->set->n_domains; i++) {
		const struct dir_domain *d = &dir->set->domains[i];
		const char *v;

		if (strcasecmp(d->name, domain) == 0 &&
		    (v = pairs_find(d->params, d->n_params, name)) != NULL)
			return v;
	}
	return NULL;
}

const char *directory_user_var(const struct directory_user *u, const char *name)
{
	return pairs_find(u->vars, u->n_vars, name);
}
