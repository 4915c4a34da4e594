/* mod_lua's `session` object: the call the script runs for, through struct script_host_ops.
 * Methods that wait yield the script until the host's done (lua_engine.c); getDigits with an
 * inter-digit timeout and playAndGetDigits are written in Lua (PRELUDE) on a few primitives. */
#include "lua_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <lauxlib.h>

#define SESSION_MT "tandem.session"

/* Limits for playAndGetDigits' regular expressions, as the dialplan's. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000

static struct script_run *self(lua_State *L)
{
	luaL_checkudata(L, 1, SESSION_MT);
	return lua_run_of(L);
}

static int k_none(lua_State *L, int status, lua_KContext ctx)
{
	(void)L;
	(void)status;
	(void)ctx;
	return 0;
}

static int k_ok(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	(void)ctx;
	lua_pushboolean(L, lua_tointeger(L, -1) == 0);
	return 1;
}

static int k_execute(lua_State *L, int status, lua_KContext ctx)
{
	int rc = (int)lua_tointeger(L, -1);

	if (rc == -ENOENT)
		lua_run_log(lua_run_of(L), SCRIPT_LOG_WARNING,
		            "session:execute: application '%s' not available", lua_tostring(L, 2));
	return k_ok(L, status, ctx);
}

static int get_variable(lua_State *L)
{
	struct script_run *r = self(L);
	const char *v = r->ops->get_var(r->call, luaL_checkstring(L, 2));

	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	return 1;
}

static int set_variable(lua_State *L)
{
	struct script_run *r = self(L);
	const char *name = luaL_checkstring(L, 2);
	const char *value = luaL_optstring(L, 3, "");

	if (r->ops->set_var(r->call, name, value) < 0)
		lua_run_log(r, SCRIPT_LOG_WARNING, "session:setVariable(%s) refused", name);
	return 0;
}

static int ready(lua_State *L)
{
	struct script_run *r = self(L);

	lua_pushboolean(L, !r->aborted && r->ops->ready(r->call));
	return 1;
}

static int run_app(lua_State *L, struct script_run *r, const char *app, const char *data,
                   lua_KFunction k)
{
	if (!lua_run_begin(L, r, LUA_WAIT_PLAIN))
		return lua_run_wait(L, r, -ENOTCONN, k);
	return lua_run_wait(L, r, r->ops->execute(r->call, app, data, lua_run_done, r), k);
}

static int execute(lua_State *L)
{
	struct script_run *r = self(L);
	const char *app = luaL_checkstring(L, 2);

	return run_app(L, r, app, luaL_optstring(L, 3, ""), k_execute);
}

static int answer(lua_State *L)
{
	return run_app(L, self(L), "answer", "", k_none);
}

static int pre_answer(lua_State *L)
{
	return run_app(L, self(L), "pre_answer", "", k_none);
}

static int hangup(lua_State *L)
{
	struct script_run *r = self(L);
	const char *cause = luaL_optstring(L, 2, NULL);

	if (!r->aborted && r->ops->hangup(r->call, cause) < 0)
		lua_run_log(r, SCRIPT_LOG_WARNING, "session:hangup(%s) refused",
		            cause ? cause : "");
	return 0;
}

static unsigned check_ms(lua_State *L, int arg)
{
	lua_Integer v = luaL_checkinteger(L, arg);

	return v < 0 ? 0 : v > 86400000 ? 86400000 : (unsigned)v;
}

static int sleep_ms(lua_State *L)
{
	struct script_run *r = self(L);
	unsigned ms = check_ms(L, 2);

	if (!lua_run_begin(L, r, LUA_WAIT_MEDIA))
		return lua_run_wait(L, r, -ENOTCONN, k_none);
	return lua_run_wait(L, r, r->ops->sleep(r->call, ms, lua_run_done, r), k_none);
}

static int stream_file(lua_State *L)
{
	struct script_run *r = self(L);
	const char *file = luaL_checkstring(L, 2);

	if (!lua_run_begin(L, r, LUA_WAIT_MEDIA))
		return lua_run_wait(L, r, -ENOTCONN, k_none);
	return lua_run_wait(L, r, r->ops->play(r->call, file, NULL, lua_run_done, r), k_none);
}

static int record_file(lua_State *L)
{
	struct script_run *r = self(L);
	const char *file = luaL_checkstring(L, 2);
	lua_Integer max_s = luaL_optinteger(L, 3, 0);

	/* silence_threshold and silence_secs (3rd and 4th) are taken and not acted on: the
	 * media node has no silence detection. */
	if (max_s < 0)
		max_s = 0;
	if (!lua_run_begin(L, r, LUA_WAIT_MEDIA))
		return lua_run_wait(L, r, -ENOTCONN, k_ok);
	return lua_run_wait(
	    L, r, r->ops->record(r->call, file, (unsigned)max_s, NULL, lua_run_done, r), k_ok);
}

/* Primitives for the prelude: each returns (result, rc). */
static int prim_play(lua_State *L)
{
	struct script_run *r = lua_run_of(L);
	const char *file = luaL_checkstring(L, 1);
	const char *terms = luaL_optstring(L, 2, "");

	if (!lua_run_begin(L, r, LUA_WAIT_PLAIN))
		return lua_run_wait(L, r, -ENOTCONN, NULL);
	return lua_run_wait(L, r, r->ops->play(r->call, file, terms, lua_run_done, r), NULL);
}

static int prim_digits(lua_State *L)
{
	struct script_run *r = lua_run_of(L);
	lua_Integer max = luaL_checkinteger(L, 1);
	const char *terms = luaL_optstring(L, 2, "");
	unsigned timeout = check_ms(L, 3);

	if (max < 1)
		max = 1;
	if (max > 128)
		max = 128;
	if (!lua_run_begin(L, r, LUA_WAIT_PLAIN))
		return lua_run_wait(L, r, -ENOTCONN, NULL);
	return lua_run_wait(
	    L, r, r->ops->get_digits(r->call, (unsigned)max, terms, timeout, lua_run_done, r),
	    NULL);
}

/* PCRE2, as FreeSWITCH's playAndGetDigits and Tandem's dialplan: an unanchored search. */
static int prim_match(lua_State *L)
{
	size_t rl, sl;
	const char *re = luaL_checklstring(L, 1, &rl);
	const char *s = luaL_checklstring(L, 2, &sl);
	pcre2_code *code;
	pcre2_match_data *md = NULL;
	pcre2_match_context *mc = NULL;
	PCRE2_SIZE off;
	int err, rc = -1;

	if (!(code = pcre2_compile((PCRE2_SPTR)re, rl, 0, &err, &off, NULL))) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(err, msg, sizeof(msg));
		lua_run_log(lua_run_of(L), SCRIPT_LOG_WARNING,
		            "playAndGetDigits: regex '%s' at %zu: %s", re, (size_t)off,
		            (const char *)msg);
		lua_pushboolean(L, 0);
		return 1;
	}
	md = pcre2_match_data_create_from_pattern(code, NULL);
	mc = pcre2_match_context_create(NULL);
	if (md && mc) {
		pcre2_set_match_limit(mc, MATCH_LIMIT);
		pcre2_set_depth_limit(mc, DEPTH_LIMIT);
		rc = pcre2_match(code, (PCRE2_SPTR)s, sl, 0, 0, md, mc);
	}
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	lua_pushboolean(L, rc >= 0);
	return 1;
}

static void keep_ref(lua_State *L, int *ref, int idx)
{
	luaL_unref(L, LUA_REGISTRYINDEX, *ref);
	lua_pushvalue(L, idx);
	*ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static int check_callback(lua_State *L, const char *method)
{
	int t = lua_type(L, 2);

	if (t != LUA_TFUNCTION && t != LUA_TSTRING)
		return luaL_error(L, "session:%s: a function or the name of one expected", method);
	return 0;
}

static int set_input_callback(lua_State *L)
{
	struct script_run *r = self(L);

	check_callback(L, "setInputCallback");
	lua_settop(L, 3);
	keep_ref(L, &r->input_cb_ref, 2);
	keep_ref(L, &r->input_arg_ref, 3);
	return 0;
}

static int unset_input_callback(lua_State *L)
{
	struct script_run *r = self(L);

	luaL_unref(L, LUA_REGISTRYINDEX, r->input_cb_ref);
	luaL_unref(L, LUA_REGISTRYINDEX, r->input_arg_ref);
	r->input_cb_ref = r->input_arg_ref = LUA_NOREF;
	return 0;
}

static int set_hangup_hook(lua_State *L)
{
	struct script_run *r = self(L);

	check_callback(L, "setHangupHook");
	lua_settop(L, 3);
	keep_ref(L, &r->hangup_hook_ref, 2);
	keep_ref(L, &r->hangup_arg_ref, 3);
	return 0;
}

static int var_or(lua_State *L, const char *name, const char *def)
{
	struct script_run *r = self(L);
	const char *v = r->ops->get_var(r->call, name);

	lua_pushstring(L, v && *v ? v : def);
	return 1;
}

static int get_uuid(lua_State *L)
{
	return var_or(L, "uuid", "");
}

static int hangup_cause(lua_State *L)
{
	return var_or(L, "hangup_cause", "NONE");
}

static int console_log(lua_State *L)
{
	struct script_run *r = self(L);

	lua_console_log(r, luaL_checkstring(L, 2), luaL_checkstring(L, 3));
	return 0;
}

static int flush_digits(lua_State *L)
{
	struct script_run *r = self(L);

	if (r->ops->flush_digits && !r->aborted)
		r->ops->flush_digits(r->call);
	return 0;
}

static int nothing(lua_State *L)
{
	self(L);
	return 0;
}

static int unknown(lua_State *L)
{
	return luaL_error(L, "session:%s is not available in Tandem", luaL_checkstring(L, 2));
}

static int index_method(lua_State *L)
{
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	return unknown(L);
}

static int new_method(lua_State *L)
{
	return luaL_error(L, "the session object cannot be changed");
}

/* Runs with (methods, play, digits, match); adds the methods written in Lua. FreeSWITCH's
 * semantics: any digit stops playAndGetDigits' prompt and is the first digit entered (a
 * terminator ends the entry); digits are valid when at least min of them and the regex
 * matches; then var_name is set and they are returned; else invalid_file plays and the next
 * try begins; after the last, "". */
static const char PRELUDE[] =
    "local m, play, digits, match = ...\n"
    "local function num(v, d) return math.tointeger(tonumber(v)) or d end\n"
    "local function check(s, name)\n"
    "  if type(s) ~= 'userdata' then error('call it as session:' .. name .. '(...)', 3) end\n"
    "end\n"
    "function m.getDigits(s, max, terms, timeout, interdigit)\n"
    "  check(s, 'getDigits')\n"
    "  max, terms, timeout = num(max, 1), terms or '', num(timeout, 0)\n"
    "  interdigit = num(interdigit, 0)\n"
    "  if interdigit <= 0 or max <= 1 then return (digits(max, terms, timeout)) end\n"
    "  local first = digits(1, terms, timeout)\n"
    "  if first == '' then return '' end\n"
    "  return first .. digits(max - 1, terms, interdigit)\n"
    "end\n"
    "function m.playAndGetDigits(s, min, max, tries, timeout, terms, file, invalid, var, re,\n"
    "                            digit_timeout)\n"
    "  check(s, 'playAndGetDigits')\n"
    "  min, max, tries = num(min, 0), num(max, 1), num(tries, 1)\n"
    "  timeout, terms = num(timeout, 0), terms or ''\n"
    "  digit_timeout = num(digit_timeout, 0)\n"
    "  if digit_timeout <= 0 then digit_timeout = timeout end\n"
    "  if max < 1 then max = 1 end\n"
    "  if max < min then max = min end\n"
    "  for try = 1, math.max(tries, 1) do\n"
    "    if not s:ready() then break end\n"
    "    local got, ended = '', false\n"
    "    if file and file ~= '' then\n"
    "      local d = play(file, '0123456789*#ABCD')\n"
    "      if d ~= '' then\n"
    "        if terms:find(d, 1, true) then ended = true else got = d end\n"
    "      end\n"
    "    end\n"
    "    if not ended and #got < max and s:ready() then\n"
    "      got = got .. digits(max - #got, terms, got == '' and timeout or digit_timeout)\n"
    "    end\n"
    "    if #got >= min and (not re or re == '' or match(re, got)) then\n"
    "      if var and var ~= '' then s:setVariable(var, got) end\n"
    "      return got\n"
    "    end\n"
    "    if invalid and invalid ~= '' and s:ready() then play(invalid, '') end\n"
    "  end\n"
    "  return ''\n"
    "end\n";

int lua_session_open(lua_State *L)
{
	static const luaL_Reg methods[] = {
	    {"getVariable", get_variable},
	    {"setVariable", set_variable},
	    {"ready", ready},
	    {"answer", answer},
	    {"preAnswer", pre_answer},
	    {"hangup", hangup},
	    {"execute", execute},
	    {"sleep", sleep_ms},
	    {"streamFile", stream_file},
	    {"recordFile", record_file},
	    {"setInputCallback", set_input_callback},
	    {"unsetInputCallback", unset_input_callback},
	    {"setHangupHook", set_hangup_hook},
	    {"getUUID", get_uuid},
	    {"get_uuid", get_uuid},
	    {"hangupCause", hangup_cause},
	    {"consoleLog", console_log},
	    {"flushDigits", flush_digits},
	    {"flushEvents", nothing},
	    {"setAutoHangup", nothing},
	    {"destroy", nothing},
	    {NULL, NULL},
	};

	luaL_newlib(L, methods);
	if (luaL_loadbufferx(L, PRELUDE, sizeof(PRELUDE) - 1, "=session", "t") != LUA_OK)
		return lua_error(L);
	lua_pushvalue(L, -2);
	lua_pushcfunction(L, prim_play);
	lua_pushcfunction(L, prim_digits);
	lua_pushcfunction(L, prim_match);
	lua_call(L, 4, 0);

	luaL_newmetatable(L, SESSION_MT);
	lua_pushvalue(L, -2);
	lua_pushcclosure(L, index_method, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, new_method);
	lua_setfield(L, -2, "__newindex");
	lua_pushliteral(L, "session");
	lua_setfield(L, -2, "__metatable");
	lua_newuserdatauv(L, 0, 0);
	lua_pushvalue(L, -2);
	lua_setmetatable(L, -2);
	lua_setglobal(L, "session");
	lua_pop(L, 2);
	return 0;
}
