/* A run's Lua state: the memory budget (its allocator), the instruction budget (a count hook)
 * and the standard libraries a call script may use. */
#include "lua_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* How often the hook counts: small enough that a slice ends close to its budget, large enough
 * to cost nothing measurable. */
#define HOOK_EVERY 1000

static void *run_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct script_run *r = ud;
	size_t old = ptr ? osize : 0;

	if (nsize == 0) {
		free(ptr);
		r->mem_used -= old;
		return NULL;
	}
	/* Shrinking never fails (Lua relies on it); growing past the budget is refused while
	 * the script's code runs, and Lua turns that into a "not enough memory" error. */
	if (nsize > old && r->mem_enforce &&
	    (r->mem_used >= r->mem_limit || nsize - old > r->mem_limit - r->mem_used))
		return NULL;
	void *p = realloc(ptr, nsize);
	if (p)
		r->mem_used = r->mem_used - old + nsize;
	return p;
}

static void count_hook(lua_State *L, lua_Debug *ar);

int lua_sandbox_raise(lua_State *L)
{
	struct script_run *r = lua_run_of(L);

	/* Every instruction from now on raises again, so a pcall around the loop cannot keep
	 * the script alive. */
	lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
	return luaL_error(L, "%s", r->kill_why);
}

void lua_sandbox_kill(struct script_run *r, lua_State *L, int rc, const char *why)
{
	if (!r->killed) {
		r->killed = true;
		r->kill_rc = rc;
		snprintf(r->kill_why, sizeof(r->kill_why), "%s", why);
	}
	if (L) {
		lua_sandbox_raise(L);
	} else {
		/* Not running now: the next instruction of either thread raises. */
		if (r->co)
			lua_sethook(r->co, count_hook, LUA_MASKCOUNT, 1);
		if (r->L)
			lua_sethook(r->L, count_hook, LUA_MASKCOUNT, 1);
	}
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct script_run *r = lua_run_of(L);
	char why[96];

	(void)ar;
	if (r->killed)
		lua_sandbox_raise(L);
	r->slice_used += HOOK_EVERY;
	r->total_used += HOOK_EVERY;
	if (r->slice_used > r->slice_limit) {
		snprintf(why, sizeof(why), "instruction budget exceeded (%lu without waiting)",
		         r->slice_limit);
		lua_sandbox_kill(r, L, -EDQUOT, why);
	}
	if (r->total_used > r->total_limit) {
		snprintf(why, sizeof(why), "instruction budget exceeded (%lu in all)",
		         r->total_limit);
		lua_sandbox_kill(r, L, -EDQUOT, why);
	}
}

void lua_sandbox_slice(struct script_run *r)
{
	r->slice_used = 0;
}

static int lua_print(lua_State *L)
{
	struct script_run *r = lua_run_of(L);
	luaL_Buffer b;
	int n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	lua_run_log(r, SCRIPT_LOG_INFO, "%s", lua_tostring(L, -1));
	return 0;
}

/* load() of text only: bytecode can crash the interpreter. */
static int safe_load(lua_State *L)
{
	bool env = lua_gettop(L) >= 4;

	lua_settop(L, 4);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "t");
	if (env)
		lua_pushvalue(L, 4);
	lua_call(L, env ? 4 : 3, LUA_MULTRET);
	return lua_gettop(L) - 4;
}

static void keep_only(lua_State *L, const char *lib, const char *const *names)
{
	lua_getglobal(L, lib);
	lua_newtable(L);
	for (; *names; names++) {
		lua_getfield(L, -2, *names);
		lua_setfield(L, -2, *names);
	}
	lua_setglobal(L, lib);
	lua_pop(L, 1);
}

static int open_libs(lua_State *L)
{
	static const luaL_Reg libs[] = {
	    {LUA_GNAME, luaopen_base},       {LUA_COLIBNAME, luaopen_coroutine},
	    {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
	    {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8},
	    {LUA_OSLIBNAME, luaopen_os},     {LUA_DBLIBNAME, luaopen_debug},
	};
	static const char *const os_kept[] = {"time", "clock", "date", "difftime", NULL};
	static const char *const debug_kept[] = {"traceback", NULL};
	static const char *const removed[] = {"dofile", "loadfile", NULL};

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	keep_only(L, LUA_OSLIBNAME, os_kept);
	keep_only(L, LUA_DBLIBNAME, debug_kept);
	for (const char *const *n = removed; *n; n++) {
		lua_pushnil(L);
		lua_setglobal(L, *n);
	}
	/* package.loaded still holds the full os and debug tables: no package library means
	 * no way to reach it, but drop the registry's copies anyway. */
	lua_pushnil(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getglobal(L, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_getglobal(L, "load");
	lua_pushcclosure(L, safe_load, 1);
	lua_setglobal(L, "load");
	lua_pushcfunction(L, lua_print);
	lua_setglobal(L, "print");
	return 0;
}

lua_State *lua_sandbox_new(struct script_run *r)
{
	lua_State *L = lua_newstate(run_alloc, r);

	if (!L)
		return NULL;
	/* Set on the main thread before any other exists: new threads inherit it. */
	lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	r->mem_enforce = true;
	lua_pushcfunction(L, open_libs);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		r->mem_enforce = false;
		lua_close(L);
		return NULL;
	}
	r->mem_enforce = false;
	return L;
}
