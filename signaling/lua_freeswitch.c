/* mod_lua's `freeswitch` table: consoleLog, API():execute/executeString (the host's read-only
 * commands) and msleep; any other field is an error that names it. */
#include "lua_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#define API_MT "tandem.api"

void lua_console_log(struct script_run *r, const char *level, const char *msg)
{
	static const struct {
		const char *name;
		enum script_log_level level;
	} levels[] = {
	    {"debug", SCRIPT_LOG_DEBUG},     {"info", SCRIPT_LOG_INFO},
	    {"console", SCRIPT_LOG_INFO},    {"notice", SCRIPT_LOG_NOTICE},
	    {"warning", SCRIPT_LOG_WARNING}, {"err", SCRIPT_LOG_ERR},
	    {"error", SCRIPT_LOG_ERR},       {"crit", SCRIPT_LOG_ERR},
	    {"alert", SCRIPT_LOG_ERR},
	};
	enum script_log_level lv = SCRIPT_LOG_INFO;
	size_t n = strlen(msg);

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcasecmp(level, levels[i].name))
			lv = levels[i].level;
	/* mod_lua scripts end their messages with "\n"; the log adds its own. */
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		n--;
	lua_run_log(r, lv, "%.*s", (int)(n > 900 ? 900 : n), msg);
}

static int console_log(lua_State *L)
{
	lua_console_log(lua_run_of(L), luaL_checkstring(L, 1), luaL_checkstring(L, 2));
	return 0;
}

static int k_none(lua_State *L, int status, lua_KContext ctx)
{
	(void)L;
	(void)status;
	(void)ctx;
	return 0;
}

static int msleep(lua_State *L)
{
	struct script_run *r = lua_run_of(L);
	lua_Integer ms = luaL_checkinteger(L, 1);

	if (ms < 0)
		ms = 0;
	if (ms > 86400000)
		ms = 86400000;
	if (!lua_run_begin(L, r, LUA_WAIT_PLAIN))
		return lua_run_wait(L, r, -ENOTCONN, k_none);
	return lua_run_wait(L, r, r->ops->sleep(r->call, (unsigned)ms, lua_run_done, r), k_none);
}

static int api_call(lua_State *L, const char *cmd, const char *args)
{
	struct script_run *r = lua_run_of(L);
	char *out = NULL;
	int rc = r->ops->api ? r->ops->api(r->call, cmd, args, &out) : -ENOENT;

	if (rc == -ENOENT)
		lua_pushfstring(L, "-ERR %s Command not found!\n", cmd);
	else if (rc < 0)
		lua_pushfstring(L, "-ERR %s\n", strerror(-rc));
	else
		lua_pushstring(L, out ? out : "");
	free(out);
	return 1;
}

static int api_execute(lua_State *L)
{
	luaL_checkudata(L, 1, API_MT);
	return api_call(L, luaL_checkstring(L, 2), luaL_optstring(L, 3, ""));
}

static int api_execute_string(lua_State *L)
{
	const char *line, *sp;

	luaL_checkudata(L, 1, API_MT);
	line = luaL_checkstring(L, 2);
	sp = strchr(line, ' ');
	if (!sp)
		return api_call(L, line, "");
	lua_pushlstring(L, line, (size_t)(sp - line));
	while (*sp == ' ')
		sp++;
	return api_call(L, lua_tostring(L, -1), sp);
}

static int unknown_field(lua_State *L)
{
	return luaL_error(L, "%s.%s is not available in Tandem",
	                  lua_tostring(L, lua_upvalueindex(1)), luaL_checkstring(L, 2));
}

/* A metatable whose __index answers unknown fields with an error naming them. */
static void strict(lua_State *L, const char *what)
{
	lua_newtable(L);
	lua_pushstring(L, what);
	lua_pushcclosure(L, unknown_field, 1);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}

static int api_new(lua_State *L)
{
	lua_newuserdatauv(L, 0, 0);
	luaL_setmetatable(L, API_MT);
	return 1;
}

int lua_freeswitch_open(lua_State *L)
{
	static const luaL_Reg fs[] = {
	    {"consoleLog", console_log},
	    {"API", api_new},
	    {"msleep", msleep},
	    {NULL, NULL},
	};
	static const luaL_Reg api[] = {
	    {"execute", api_execute},
	    {"executeString", api_execute_string},
	    {NULL, NULL},
	};

	luaL_newmetatable(L, API_MT);
	luaL_newlib(L, api);
	strict(L, "api");
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newlib(L, fs);
	strict(L, "freeswitch");
	lua_setglobal(L, "freeswitch");
	return 0;
}
