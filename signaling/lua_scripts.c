/* Script files: names resolved inside the scripts folder only, their chunks compiled once and
 * kept (as bytecode we dumped ourselves) until the file changes or the engine reloads. */
#include "lua_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#define SCRIPT_MAX_BYTES (1 << 20)
#define CACHE_MAX        256

struct lua_script_cache {
	char *path; /* resolved */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *code; /* lua_dump output */
	size_t len;
	struct lua_script_cache *next;
};

static void entry_free(struct lua_script_cache *c)
{
	free(c->path);
	free(c->code);
	free(c);
}

void lua_scripts_forget(struct lua_script_cache **cache)
{
	while (*cache) {
		struct lua_script_cache *c = *cache;

		*cache = c->next;
		entry_free(c);
	}
}

/* name must stay inside the folder as written (no absolute path, no '..') and once every
 * symlink is followed. */
static int resolve(const char *dir_real, const char *name, char *out)
{
	char joined[PATH_MAX];
	size_t dl = strlen(dir_real);
	const char *p = name;

	if (!*name || name[0] == '/')
		return -EACCES;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EACCES;
		p += n;
		p += *p == '/';
	}
	if (snprintf(joined, sizeof(joined), "%s/%s", dir_real, name) >= (int)sizeof(joined))
		return -ENAMETOOLONG;
	if (!realpath(joined, out))
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (strncmp(out, dir_real, dl) != 0 || out[dl] != '/')
		return -EACCES;
	return 0;
}

static int read_file(const char *path, struct stat *st, char **buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EACCES;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) || st->st_size > SCRIPT_MAX_BYTES) {
		close(fd);
		return -ENOENT;
	}
	if (!(*buf = malloc((size_t)st->st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st->st_size &&
	       (n = read(fd, *buf + got, (size_t)st->st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	(*buf)[got] = '\0';
	st->st_size = (off_t)got;
	return 0;
}

static bool same_file(const struct lua_script_cache *c, const struct stat *st)
{
	return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
	       c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	struct lua_script_cache *c = ud;
	char *code = realloc(c->code, c->len + sz);

	(void)L;
	if (!code)
		return 1;
	memcpy(code + c->len, p, sz);
	c->code = code;
	c->len += sz;
	return 0;
}

/* Keeps the compiled chunk on top of L, newest first; the oldest falls off past CACHE_MAX. */
static void remember(struct lua_script_cache **cache, const char *path, const struct stat *st,
                     lua_State *L)
{
	struct lua_script_cache *c = calloc(1, sizeof(*c)), **pp;
	unsigned n = 0;

	if (!c || !(c->path = strdup(path)) || lua_dump(L, dump_writer, c, 0) || !c->len) {
		if (c)
			entry_free(c);
		return;
	}
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->size = st->st_size;
	c->mtime = st->st_mtim;
	c->next = *cache;
	*cache = c;
	for (pp = &c->next; *pp; n++) {
		struct lua_script_cache *old = *pp;

		if (n + 1 >= CACHE_MAX || !strcmp(old->path, path)) {
			*pp = old->next;
			entry_free(old);
		} else {
			pp = &old->next;
		}
	}
}

int lua_scripts_load(struct lua_script_cache **cache, const char *dir_real, const char *name,
                     lua_State *L, char *msg, size_t msglen)
{
	char path[PATH_MAX], chunkname[160];
	struct stat st;
	char *text = NULL;
	int rc;

	snprintf(msg, msglen, "%s", "");
	if ((rc = resolve(dir_real, name, path)))
		return rc;
	snprintf(chunkname, sizeof(chunkname), "@%s", name);
	if (stat(path, &st))
		return -ENOENT;
	for (struct lua_script_cache *c = *cache; c; c = c->next) {
		if (!strcmp(c->path, path) && same_file(c, &st)) {
			/* Bytecode we dumped ourselves from this very file. */
			if (luaL_loadbufferx(L, c->code, c->len, chunkname, "b") == LUA_OK)
				return 0;
			lua_pop(L, 1);
			break;
		}
	}
	if ((rc = read_file(path, &st, &text)))
		return rc;
	rc = luaL_loadbufferx(L, text, (size_t)st.st_size, chunkname, "t");
	free(text);
	if (rc != LUA_OK) {
		snprintf(msg, msglen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		lua_pop(L, 1);
		return rc == LUA_ERRMEM ? -ENOMEM : -EINVAL;
	}
	remember(cache, path, &st, L);
	return 0;
}

int lua_scripts_split(const char *cmdline, char *buf, size_t buflen, char **argv, int max)
{
	const char *s = cmdline;
	size_t o = 0;
	int n = 0;

	if (!s)
		return 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return -EINVAL;
		argv[n++] = buf + o;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'' || *s == '"') {
				const char *end = strchr(s + 1, *s);

				if (!end)
					return -EINVAL;
				if (o + (size_t)(end - s - 1) >= buflen)
					return -EINVAL;
				memcpy(buf + o, s + 1, (size_t)(end - s - 1));
				o += (size_t)(end - s - 1);
				s = end + 1;
				continue;
			}
			if (o + 1 >= buflen)
				return -EINVAL;
			buf[o++] = *s++;
		}
		if (o >= buflen)
			return -EINVAL;
		buf[o++] = '\0';
	}
}
