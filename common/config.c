/* INI parsing with file/line/key error reporting. inih does the lexing; we count lines through our
 * own reader because Debian builds inih without INI_HANDLER_LINENO. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

struct load_ctx {
	const struct cfg_key *keys;
	void *cfg;
	const char *path;
	FILE *fp;
	int line;
	unsigned char *seen; /* one flag per key: scalar keys may appear once */
	char *err;
	size_t errlen;
	int failed;
};

static const struct cfg_key *find_key(const struct cfg_key *keys, const char *section,
                                      const char *name, bool *section_known)
{
	*section_known = false;
	for (const struct cfg_key *k = keys; k->name; k++) {
		if (strcasecmp(k->section, section) != 0)
			continue;
		*section_known = true;
		if (strcasecmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Stores value into the field k names; msg receives the reason on failure. */
static int apply(const struct cfg_key *k, void *cfg, const char *value, char *msg, size_t msglen)
{
	char *field = (char *)cfg + k->offset;

	switch (k->type) {
	case CFG_STR: {
		char *dup = strdup(value);

		if (!dup)
			return -ENOMEM;
		free(*(char **)field);
		*(char **)field = dup;
		return 0;
	}
	case CFG_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 0);
		if (errno || end == value || *end) {
			snprintf(msg, msglen, "'%s' is not an integer", value);
			return -EINVAL;
		}
		if (v < k->min || v > k->max) {
			snprintf(msg, msglen, "%ld is out of range [%ld, %ld]", v, k->min, k->max);
			return -EINVAL;
		}
		*(long *)field = v;
		return 0;
	}
	case CFG_BOOL:
		if (parse_bool(value, (bool *)field)) {
			snprintf(msg, msglen, "'%s' is not a boolean (true/false)", value);
			return -EINVAL;
		}
		return 0;
	case CFG_LIST: {
		struct cfg_list *l = (struct cfg_list *)field;
		char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->v[l->n] = strdup(value);
		if (!l->v[l->n])
			return -ENOMEM;
		l->n++;
		return 0;
	}
	}
	return -EINVAL;
}

int cfg_defaults(const struct cfg_key *keys, void *cfg, char *err, size_t errlen)
{
	for (const struct cfg_key *k = keys; k->name; k++) {
		char msg[256];
		int rc;

		if (!k->def)
			continue;
		rc = apply(k, cfg, k->def, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "built-in default for [%s] %s: %s", k->section,
			         k->name, msg);
			return rc;
		}
	}
	return 0;
}

static char *counting_reader(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	char *r = fgets(str, num, ctx->fp);

	if (r)
		ctx->line++;
	return r;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	const struct cfg_key *k;
	bool section_known;
	char msg[256] = "";
	int rc;

	if (ctx->failed)
		return 0;
	k = find_key(ctx->keys, section, name, &section_known);
	if (!k) {
		if (!section_known)
			snprintf(ctx->err, ctx->errlen, "%s:%d: [%s] %s: unknown section '%s'",
			         ctx->path, ctx->line, section, name, section);
		else
			snprintf(ctx->err, ctx->errlen, "%s:%d: [%s] %s: unknown key", ctx->path,
			         ctx->line, section, name);
		ctx->failed = -EINVAL;
		return 0;
	}
	if (k->type != CFG_LIST) {
		size_t idx = (size_t)(k - ctx->keys);

		if (ctx->seen[idx]) {
			snprintf(ctx->err, ctx->errlen, "%s:%d: [%s] %s: key given twice",
			         ctx->path, ctx->line, section, name);
			ctx->failed = -EINVAL;
			return 0;
		}
		ctx->seen[idx] = 1;
	} else if (!ctx->seen[k - ctx->keys]) {
		/* The first value in the file replaces the default list. */
		struct cfg_list *l = (struct cfg_list *)((char *)ctx->cfg + k->offset);

		for (size_t i = 0; i < l->n; i++)
			free(l->v[i]);
		l->n = 0;
		ctx->seen[k - ctx->keys] = 1;
	}
	rc = apply(k, ctx->cfg, value, msg, sizeof(msg));
	if (rc) {
		snprintf(ctx->err, ctx->errlen, "%s:%d: [%s] %s: %s", ctx->path, ctx->line, section,
		         name, msg[0] ? msg : strerror(-rc));
		ctx->failed = rc;
		return 0;
	}
	return 1;
}

int cfg_load(const struct cfg_key *keys, void *cfg, const char *path, char *err, size_t errlen)
{
	struct load_ctx ctx = {
	    .keys = keys, .cfg = cfg, .path = path, .err = err, .errlen = errlen};
	size_t nkeys = 0;
	int rc;

	while (keys[nkeys].name)
		nkeys++;
	ctx.fp = fopen(path, "r");
	if (!ctx.fp) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	ctx.seen = calloc(nkeys + 1, 1);
	if (!ctx.seen) {
		fclose(ctx.fp);
		return -ENOMEM;
	}
	rc = ini_parse_stream(counting_reader, &ctx, on_entry, &ctx);
	fclose(ctx.fp);
	free(ctx.seen);
	if (ctx.failed)
		return ctx.failed;
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)",
		         path, rc);
		return -EINVAL;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot parse (rc %d)", path, rc);
		return -EINVAL;
	}
	return 0;
}

int cfg_set(const struct cfg_key *keys, void *cfg, const char *assignment, char *err, size_t errlen)
{
	char buf[512], msg[256] = "";
	char *dot, *eq;
	const struct cfg_key *k;
	bool section_known;
	int rc;

	snprintf(buf, sizeof(buf), "%s", assignment);
	dot = strchr(buf, '.');
	eq = strchr(buf, '=');
	if (!dot || !eq || dot > eq) {
		snprintf(err, errlen, "--set %s: expected section.key=value", assignment);
		return -EINVAL;
	}
	*dot = '\0';
	*eq = '\0';
	k = find_key(keys, buf, dot + 1, &section_known);
	if (!k) {
		snprintf(err, errlen, "--set %s: [%s] %s: unknown %s", assignment, buf, dot + 1,
		         section_known ? "key" : "section");
		return -EINVAL;
	}
	if (k->type == CFG_LIST) {
		struct cfg_list *l = (struct cfg_list *)((char *)cfg + k->offset);

		for (size_t i = 0; i < l->n; i++)
			free(l->v[i]);
		l->n = 0;
	}
	rc = apply(k, cfg, eq + 1, msg, sizeof(msg));
	if (rc)
		snprintf(err, errlen, "--set [%s] %s: %s", k->section, k->name,
		         msg[0] ? msg : strerror(-rc));
	return rc;
}

void cfg_free(const struct cfg_key *keys, void *cfg)
{
	for (const struct cfg_key *k = keys; k->name; k++) {
		char *field = (char *)cfg + k->offset;

		if (k->type == CFG_STR) {
			free(*(char **)field);
			*(char **)field = NULL;
		} else if (k->type == CFG_LIST) {
			struct cfg_list *l = (struct cfg_list *)field;

			for (size_t i = 0; i < l->n; i++)
				free(l->v[i]);
			free(l->v);
			l->v = NULL;
			l->n = 0;
		}
	}
}

int cfg_split_hostport(const char *s, char *host, size_t hostlen, unsigned *port)
{
	const char *colon;
	size_t hl;
	char *end;
	unsigned long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		hl = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return -EINVAL;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p > 65535)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (unsigned)p;
	return 0;
}

int cfg_path_relative(char **p, const char *config_path)
{
	const char *slash;
	char *joined;

	if (!*p || (*p)[0] == '/' || !config_path || !(slash = strrchr(config_path, '/')))
		return 0;
	if (asprintf(&joined, "%.*s/%s", (int)(slash - config_path), config_path, *p) < 0)
		return -ENOMEM;
	free(*p);
	*p = joined;
	return 0;
}
