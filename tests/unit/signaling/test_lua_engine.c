/* lua_engine.c and its parts with real Lua 5.4 and a fake call: the host operations are
 * implemented here and complete from a small loop queue the test turns, never from inside the
 * operation, as signald's loop would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lua_engine.h"
#include "signald_config.h"

/* ---- the fake loop: completions run only when the test turns it ---- */

struct event {
	script_done_fn done;
	void *arg;
	int rc;
	char result[64];
};

static struct event events[64];
static unsigned n_events;

static void post(script_done_fn done, void *arg, int rc, const char *result)
{
	assert_true(n_events < 64);
	events[n_events].done = done;
	events[n_events].arg = arg;
	events[n_events].rc = rc;
	snprintf(events[n_events].result, sizeof(events[0].result), "%s", result ? result : "");
	n_events++;
}

static unsigned loop(void)
{
	unsigned ran = 0;

	while (n_events && ran < 1000) {
		struct event ev = events[0];

		memmove(events, events + 1, --n_events * sizeof(events[0]));
		ev.done(ev.arg, ev.rc, ev.rc < 0 ? NULL : ev.result);
		ran++;
	}
	return ran;
}

/* ---- the fake call ---- */

enum pending_kind { P_NONE, P_EXEC, P_PLAY, P_DIGITS, P_RECORD, P_SLEEP };

struct script_call {
	char names[32][32], values[32][64];
	unsigned n_vars;
	bool up;
	char trace[1024];
	char buffer[32]; /* digits sent, not yet read */
	bool hold_play, hold_sleep;
	enum pending_kind pending;
	script_done_fn done;
	void *arg;
	unsigned max;
	char terms[32], got[32];
	bool listening;
	unsigned stops;
	struct script_run *handle;
	bool finished;
	int rc;
	bool abort_in_finished;
	char log[4096];
};

static struct script_engine *engine;
static char dir[64], outside[64];

static void trace(struct script_call *c, const char *fmt, ...)
{
	size_t n = strlen(c->trace);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->trace + n, sizeof(c->trace) - n, fmt, ap);
	va_end(ap);
}

static const char *get_var(struct script_call *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vars; i++)
		if (!strcmp(c->names[i], name))
			return c->values[i];
	return NULL;
}

static int set_var(struct script_call *c, const char *name, const char *value)
{
	unsigned i;

	for (i = 0; i < c->n_vars && strcmp(c->names[i], name); i++)
		;
	if (i == 32)
		return -ENOSPC;
	snprintf(c->names[i], sizeof(c->names[i]), "%s", name);
	snprintf(c->values[i], sizeof(c->values[i]), "%s", value);
	if (i == c->n_vars)
		c->n_vars++;
	return 0;
}

static bool ready(struct script_call *c)
{
	return c->up;
}

static void complete(struct script_call *c, int rc, const char *result)
{
	enum pending_kind was = c->pending;

	c->pending = P_NONE;
	if (was != P_NONE)
		post(c->done, c->arg, rc, result);
}

static int wait_on(struct script_call *c, enum pending_kind kind, script_done_fn done, void *arg)
{
	if (!c->up)
		return -ENOTCONN;
	assert_int_equal(c->pending, P_NONE); /* one wait at a time */
	c->pending = kind;
	c->done = done;
	c->arg = arg;
	return 0;
}

static int execute(struct script_call *c, const char *app, const char *data, script_done_fn done,
                   void *arg)
{
	trace(c, "%s:%s;", app, data);
	if (!strcmp(app, "nosuch"))
		return -ENOENT;
	if (wait_on(c, P_EXEC, done, arg))
		return -ENOTCONN;
	if (strcmp(app, "wait_forever"))
		complete(c, 0, "");
	return 0;
}

/* What the host does when the call ends: the script is told, its wait cancelled. */
static void call_ends(struct script_call *c)
{
	c->up = false;
	script_engine_abort(c->handle);
	complete(c, -ECANCELED, NULL);
}

static int hangup(struct script_call *c, const char *cause)
{
	trace(c, "hangup(%s);", cause ? cause : "");
	call_ends(c);
	return 0;
}

/* A digit from the caller: to the engine while the listener is on, else buffered. */
static void try_digits(struct script_call *c);

static void send_digit(struct script_call *c, char d)
{
	size_t n = strlen(c->buffer);

	if (c->listening) {
		script_engine_dtmf(c->handle, d, 100);
		return;
	}
	c->buffer[n] = d;
	c->buffer[n + 1] = '\0';
	try_digits(c);
}

static void take(struct script_call *c, size_t n)
{
	memmove(c->buffer, c->buffer + n, strlen(c->buffer + n) + 1);
}

static void try_digits(struct script_call *c)
{
	if (c->pending == P_PLAY && c->terms[0] && c->buffer[0] && strchr(c->terms, c->buffer[0])) {
		char d[2] = {c->buffer[0], '\0'};

		take(c, 1);
		complete(c, 0, d);
		return;
	}
	while (c->pending == P_DIGITS && c->buffer[0]) {
		char d = c->buffer[0];
		size_t n = strlen(c->got);

		take(c, 1);
		if (strchr(c->terms, d)) {
			complete(c, 0, c->got);
			return;
		}
		c->got[n] = d;
		c->got[n + 1] = '\0';
		if (n + 1 == c->max)
			complete(c, 0, c->got);
	}
}

static void timeout(struct script_call *c)
{
	assert_int_equal(c->pending, P_DIGITS);
	complete(c, 0, c->got);
}

static int play(struct script_call *c, const char *file, const char *terms, script_done_fn done,
                void *arg)
{
	trace(c, "play(%s);", file);
	if (wait_on(c, P_PLAY, done, arg))
		return -ENOTCONN;
	snprintf(c->terms, sizeof(c->terms), "%s", terms ? terms : "");
	if (!c->hold_play || !strncmp(file, "bad", 3))
		complete(c, 0, "");
	else
		try_digits(c);
	return 0;
}

static int get_digits(struct script_call *c, unsigned max, const char *terms, unsigned timeout_ms,
                      script_done_fn done, void *arg)
{
	trace(c, "digits(%u,%s,%u);", max, terms, timeout_ms);
	if (wait_on(c, P_DIGITS, done, arg))
		return -ENOTCONN;
	c->max = max;
	snprintf(c->terms, sizeof(c->terms), "%s", terms ? terms : "");
	c->got[0] = '\0';
	try_digits(c);
	return 0;
}

static int record(struct script_call *c, const char *file, unsigned max_s, const char *terms,
                  script_done_fn done, void *arg)
{
	trace(c, "record(%s,%u);", file, max_s);
	if (wait_on(c, P_RECORD, done, arg))
		return -ENOTCONN;
	complete(c, 0, "");
	return 0;
}

static int sleep_op(struct script_call *c, unsigned ms, script_done_fn done, void *arg)
{
	if (!c) { /* a run without a call: straight to the loop */
		post(done, arg, 0, "");
		return 0;
	}
	trace(c, "sleep(%u);", ms);
	if (wait_on(c, P_SLEEP, done, arg))
		return -ENOTCONN;
	if (!c->hold_sleep)
		complete(c, 0, "");
	return 0;
}

static void set_dtmf_listener(struct script_call *c, bool on)
{
	c->listening = on;
	trace(c, "listen(%d);", on);
}

static int api(struct script_call *c, const char *cmd, const char *args, char **out)
{
	if (strcmp(cmd, "status"))
		return -ENOENT;
	return asprintf(out, "UP %s", args) < 0 ? -ENOMEM : 0;
}

static struct script_call nocall_log; /* where a run without a call logs */
static char all_log[8192];            /* every line, in order */

static void log_line(struct script_call *c, enum script_log_level level, const char *msg)
{
	struct script_call *to = c ? c : &nocall_log;
	size_t n = strlen(to->log);

	assert_null(strchr(msg, '\n')); /* one event, one line */
	if (getenv("LUA_TEST_LOG"))
		fprintf(stderr, "log: %s\n", msg);
	snprintf(to->log + n, sizeof(to->log) - n, "%d %s\n", (int)level, msg);
	n = strlen(all_log);
	snprintf(all_log + n, sizeof(all_log) - n, "%s\n", msg);
}

static void stop_media(struct script_call *c)
{
	c->stops++;
	if (c->pending == P_PLAY || c->pending == P_RECORD || c->pending == P_SLEEP)
		complete(c, 0, "");
}

static void flush_digits(struct script_call *c)
{
	trace(c, "flush(%s);", c->buffer);
	c->buffer[0] = '\0';
}

static const struct script_host_ops ops = {
    .get_var = get_var,
    .set_var = set_var,
    .ready = ready,
    .execute = execute,
    .hangup = hangup,
    .play = play,
    .get_digits = get_digits,
    .record = record,
    .sleep = sleep_op,
    .set_dtmf_listener = set_dtmf_listener,
    .api = api,
    .log = log_line,
    .stop_media = stop_media,
    .flush_digits = flush_digits,
};

static void finished(void *arg, int rc)
{
	struct script_call *c = arg;

	assert_false(c->finished);
	if (c->abort_in_finished)
		script_engine_abort(c->handle);
	c->finished = true;
	c->rc = rc;
	c->handle = NULL;
}

/* ---- fixtures ---- */

static void write_script(const char *where, const char *name, const char *text)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", where, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static struct script_engine *new_engine(unsigned long slice, unsigned long total, size_t mem)
{
	struct script_engine_config cfg = {dir, slice, total, mem};
	struct script_engine *e = NULL;
	char err[256] = "";

	assert_int_equal(script_engine_new(&e, &cfg, err, sizeof(err)), 0);
	return e;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tandem-lua.XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/tandem-lua-out.XXXXXX");
	if (!mkdtemp(dir) || !mkdtemp(outside))
		return -1;
	engine = new_engine(200000, 5000000, 1 << 20);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	script_engine_free(engine);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, outside);
	return system(cmd) == 0 ? 0 : -1;
}

static void call_init(struct script_call *c)
{
	memset(c, 0, sizeof(*c));
	c->up = true;
	n_events = 0;
	memset(&nocall_log, 0, sizeof(nocall_log));
	all_log[0] = '\0';
}

static int run(struct script_call *c, const char *cmdline)
{
	c->finished = false;
	return script_engine_run(engine, cmdline, &ops, c, finished, c, &c->handle);
}

/* ---- tests ---- */

static void test_variables_and_argv(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	set_var(&c, "caller_id_number", "1001");
	write_script(dir, "vars.lua",
	             "local v = session:getVariable('caller_id_number')\n"
	             "session:setVariable('seen', v .. '!')\n"
	             "session:setVariable('unset', tostring(session:getVariable('nope')))\n"
	             "session:setVariable('argv', argv[0] .. '|' .. argv[1] .. '|' .. argv[2] .. "
	             "'|' .. #argv)\n"
	             "session:setVariable('ready', tostring(session:ready()))\n");
	assert_int_equal(run(&c, "vars.lua one 'two words'"), 0);
	/* It never waited: finished before run returned. */
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_null(c.handle);
	assert_string_equal(get_var(&c, "seen"), "1001!");
	assert_string_equal(get_var(&c, "unset"), "nil");
	assert_string_equal(get_var(&c, "argv"), "vars.lua|one|two words|2");
	assert_string_equal(get_var(&c, "ready"), "true");
}

static void test_execute_order(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(
	    dir, "order.lua",
	    "session:answer()\n"
	    "session:execute('playback', 'a.wav')\n"
	    "session:sleep(10)\n"
	    "session:setVariable('unknown', tostring(session:execute('nosuch', 'x')))\n"
	    "session:preAnswer()\n"
	    "session:streamFile('b.wav')\n"
	    "session:setVariable('rec', tostring(session:recordFile('/r.wav', 30, 500, 3)))\n"
	    "session:execute('set', 'x=1')\n");
	assert_int_equal(run(&c, "order.lua"), 0);
	/* Suspended on the first operation; its completion waits for the loop. */
	assert_false(c.finished);
	assert_non_null(c.handle);
	assert_string_equal(c.trace, "answer:;");
	assert_int_equal(n_events, 1);
	assert_true(loop() >= 6);
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(c.trace, "answer:;playback:a.wav;sleep(10);nosuch:x;pre_answer:;"
	                             "play(b.wav);record(/r.wav,30);set:x=1;");
	assert_string_equal(get_var(&c, "unknown"), "false");
	assert_string_equal(get_var(&c, "rec"), "true");
	assert_non_null(strstr(c.log, "application 'nosuch' not available"));
}

static void test_infinite_loop_killed(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "spin.lua", "while true do end\n");
	assert_int_equal(run(&c, "spin.lua"), 0);
	assert_true(c.finished);
	assert_int_equal(c.rc, -EDQUOT);
	assert_non_null(strstr(c.log, "instruction budget exceeded"));

	/* A pcall around the loop does not save it. */
	call_init(&c);
	write_script(dir, "spin2.lua",
	             "while true do pcall(function() while true do end end) end\n");
	assert_int_equal(run(&c, "spin2.lua"), 0);
	assert_true(c.finished);
	assert_int_equal(c.rc, -EDQUOT);

	/* Short slices that add up: the total budget ends it. */
	call_init(&c);
	write_script(dir, "slices.lua",
	             "while true do for i = 1, 20000 do end session:sleep(1) end\n");
	assert_int_equal(run(&c, "slices.lua"), 0);
	while (!c.finished && loop())
		;
	assert_true(c.finished);
	assert_int_equal(c.rc, -EDQUOT);
	assert_non_null(strstr(c.log, "in all"));

	/* The engine carries on. */
	call_init(&c);
	set_var(&c, "caller_id_number", "1002");
	assert_int_equal(run(&c, "vars.lua a b"), 0);
	assert_int_equal(c.rc, 0);
}

static void test_error_traceback(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "err.lua",
	             "local function inner() error('boom') end\n"
	             "local function outer() inner() end\n"
	             "session:sleep(1)\n"
	             "outer()\n");
	assert_int_equal(run(&c, "err.lua"), 0);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, -EINVAL);
	assert_non_null(strstr(c.log, "err.lua:1: boom"));
	assert_non_null(strstr(c.log, "stack traceback:"));
	assert_non_null(strstr(c.log, "in upvalue 'inner'"));
	assert_non_null(strstr(c.log, "err.lua:4: in main chunk"));

	call_init(&c);
	write_script(dir, "bridge.lua", "session:bridge('x')\n");
	assert_int_equal(run(&c, "bridge.lua"), 0);
	assert_int_equal(c.rc, -EINVAL);
	assert_non_null(strstr(c.log, "session:bridge is not available in Tandem"));

	call_init(&c);
	write_script(dir, "fsess.lua", "local s = freeswitch.Session('sofia/x')\n");
	assert_int_equal(run(&c, "fsess.lua"), 0);
	assert_int_equal(c.rc, -EINVAL);
	assert_non_null(strstr(c.log, "freeswitch.Session is not available in Tandem"));

	/* What the sandbox leaves out. */
	call_init(&c);
	write_script(dir, "sandbox.lua",
	             "session:setVariable('io', tostring(io))\n"
	             "session:setVariable('exec', tostring(os.execute))\n"
	             "session:setVariable('req', tostring(require))\n"
	             "session:setVariable('dofile', tostring(dofile))\n"
	             "session:setVariable('bin', tostring(load(string.char(27) .. 'Lua')))\n"
	             "session:setVariable('txt', tostring(load('return 7')()))\n");
	assert_int_equal(run(&c, "sandbox.lua"), 0);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "io"), "nil");
	assert_string_equal(get_var(&c, "exec"), "nil");
	assert_string_equal(get_var(&c, "req"), "nil");
	assert_string_equal(get_var(&c, "dofile"), "nil");
	assert_string_equal(get_var(&c, "bin"), "nil");
	assert_string_equal(get_var(&c, "txt"), "7");

	call_init(&c);
	write_script(dir, "syntax.lua", "if then\n");
	assert_int_equal(run(&c, "syntax.lua"), -EINVAL);
	assert_false(c.finished);
	assert_non_null(strstr(c.log, "does not compile"));
}

static void test_memory_budget(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "hog.lua",
	             "local t = {}\n"
	             "for i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end\n");
	assert_int_equal(run(&c, "hog.lua"), 0);
	assert_true(c.finished);
	assert_int_equal(c.rc, -ENOMEM);
	assert_non_null(strstr(c.log, "not enough memory"));

	/* One refused allocation is an error the script may catch. */
	call_init(&c);
	write_script(dir, "big.lua",
	             "local ok = pcall(string.rep, 'x', 1e8)\n"
	             "session:setVariable('ok', tostring(ok))\n");
	assert_int_equal(run(&c, "big.lua"), 0);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "ok"), "false");
}

static void test_get_digits(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "digits.lua",
	             "session:flushDigits()\n"
	             "session:setVariable('d', session:getDigits(4, '#', 3000))\n"
	             "session:setVariable('e', session:getDigits(3, '', 2000))\n"
	             "session:setVariable('f', session:getDigits(3, '#', 5000, 1000))\n");
	strcpy(c.buffer, "9"); /* sent before the script asked: flushed */
	assert_int_equal(run(&c, "digits.lua"), 0);
	assert_string_equal(c.trace, "flush(9);digits(4,#,3000);");
	send_digit(&c, '1');
	send_digit(&c, '2');
	assert_int_equal(loop(), 0); /* still waiting */
	send_digit(&c, '#');
	loop();
	assert_string_equal(get_var(&c, "d"), "12");
	/* The second wait times out with nothing. */
	timeout(&c);
	loop();
	assert_string_equal(get_var(&c, "e"), "");
	/* With an inter-digit timeout: the first digit, then the rest. */
	send_digit(&c, '7');
	loop();
	send_digit(&c, '8');
	timeout(&c);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "f"), "78");
	assert_string_equal(c.trace, "flush(9);digits(4,#,3000);digits(3,,2000);digits(1,#,5000);"
	                             "digits(2,#,1000);");
}

static void test_play_and_get_digits(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	c.hold_play = true;
	write_script(dir, "pagd.lua",
	             "local d = session:playAndGetDigits(2, 4, 3, 3000, '#', 'menu.wav', "
	             "'bad.wav', 'choice', '^\\\\d+$', 1000)\n"
	             "session:setVariable('ret', d)\n");
	assert_int_equal(run(&c, "pagd.lua"), 0);
	assert_string_equal(c.trace, "play(menu.wav);");
	/* Try 1: one digit stops the prompt, '#' ends the entry: too short. */
	send_digit(&c, '1');
	loop();
	send_digit(&c, '#');
	loop();
	assert_string_equal(c.trace,
	                    "play(menu.wav);digits(3,#,1000);play(bad.wav);play(menu.wav);");
	/* Try 2: "*5" fails the regex. */
	send_digit(&c, '*');
	loop();
	send_digit(&c, '5');
	send_digit(&c, '#');
	loop();
	assert_null(get_var(&c, "choice"));
	/* Try 3: "42". */
	send_digit(&c, '4');
	loop();
	send_digit(&c, '2');
	send_digit(&c, '#');
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "choice"), "42");
	assert_string_equal(get_var(&c, "ret"), "42");
	assert_string_equal(c.trace, "play(menu.wav);digits(3,#,1000);play(bad.wav);"
	                             "play(menu.wav);digits(3,#,1000);play(bad.wav);"
	                             "play(menu.wav);digits(3,#,1000);");

	/* Every try fails: "" and the variable left alone; a terminator stops the prompt. */
	call_init(&c);
	c.hold_play = true;
	write_script(dir, "pagd2.lua",
	             "local d = session:playAndGetDigits(1, 1, 2, 3000, '#', 'menu.wav', '', "
	             "'choice', '[1-3]')\n"
	             "session:setVariable('ret', '[' .. d .. ']')\n");
	assert_int_equal(run(&c, "pagd2.lua"), 0);
	send_digit(&c, '9');
	loop();
	send_digit(&c, '#');
	loop();
	assert_true(c.finished);
	assert_string_equal(get_var(&c, "ret"), "[]");
	assert_null(get_var(&c, "choice"));
	assert_string_equal(c.trace, "play(menu.wav);play(menu.wav);");
}

static void test_input_callback(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	c.hold_play = true;
	write_script(dir, "cb.lua",
	             "local got = {}\n"
	             "function onInput(s, t, obj, arg)\n"
	             "  got[#got + 1] = t .. obj.digit .. arg\n"
	             "  if obj.digit == '5' then return 'break' end\n"
	             "end\n"
	             "session:setInputCallback('onInput', '!')\n"
	             "session:streamFile('long.wav')\n"
	             "session:setVariable('cb', table.concat(got, ','))\n"
	             "session:setVariable('d', session:getDigits(1, '', 100))\n");
	assert_int_equal(run(&c, "cb.lua"), 0);
	assert_true(c.listening);
	send_digit(&c, '1');
	assert_int_equal(c.stops, 0);
	loop();
	send_digit(&c, '5');
	send_digit(&c, '6'); /* after the break: not for the callback */
	loop();
	assert_int_equal(c.stops, 1);
	/* Back from streamFile: the listener is off, digits go to getDigits. */
	assert_false(c.listening);
	assert_string_equal(get_var(&c, "cb"), "dtmf1!,dtmf5!");
	send_digit(&c, '3');
	loop();
	assert_true(c.finished);
	assert_string_equal(get_var(&c, "d"), "3");
	assert_string_equal(c.trace, "listen(1);play(long.wav);listen(0);digits(1,,100);");
}

static void test_abort_while_waiting(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "abort.lua",
	             "session:setHangupHook(function(s, what) s:setVariable('hook', what) end)\n"
	             "session:execute('wait_forever', '')\n"
	             "session:setVariable('ready', tostring(session:ready()))\n"
	             "session:sleep(1000)\n"
	             "session:setVariable('after', 'yes')\n");
	assert_int_equal(run(&c, "abort.lua"), 0);
	assert_false(c.finished);
	call_ends(&c);
	assert_false(c.finished); /* it resumes from the loop */
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "hook"), "hangup");
	assert_string_equal(get_var(&c, "ready"), "false");
	assert_string_equal(get_var(&c, "after"), "yes");
	assert_string_equal(c.trace, "wait_forever:;"); /* the sleep never started */

	/* A hangup hook returning "exit" ends the script; an abort from finished_cb is a
	 * no-op. */
	call_init(&c);
	c.abort_in_finished = true;
	write_script(dir, "exit.lua",
	             "session:setHangupHook(function() return 'exit' end)\n"
	             "session:execute('wait_forever', '')\n"
	             "session:setVariable('reached', 'yes')\n");
	assert_int_equal(run(&c, "exit.lua"), 0);
	call_ends(&c);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_null(get_var(&c, "reached"));

	/* The script hangs up itself: the abort comes from inside its own operation. */
	call_init(&c);
	write_script(dir, "self.lua",
	             "function h(s, what, obj, arg) s:setVariable('hook', what .. arg) end\n"
	             "session:setHangupHook('h', '!')\n"
	             "session:sleep(10)\n"
	             "session:hangup('USER_BUSY')\n"
	             "session:setVariable('ready', tostring(session:ready()))\n"
	             "session:sleep(5)\n"
	             "session:setVariable('end', 'yes')\n");
	assert_int_equal(run(&c, "self.lua"), 0);
	loop();
	assert_true(c.finished);
	assert_string_equal(get_var(&c, "ready"), "false");
	assert_string_equal(get_var(&c, "end"), "yes");
	assert_string_equal(get_var(&c, "hook"), "hangup!");
	assert_string_equal(c.trace, "sleep(10);hangup(USER_BUSY);");

	/* The engine is freed while a script waits: it lives on until that script ends. */
	struct script_engine *saved = engine;

	engine = new_engine(0, 0, 0);
	call_init(&c);
	assert_int_equal(run(&c, "abort.lua"), 0);
	script_engine_free(engine);
	engine = saved;
	call_ends(&c);
	loop();
	assert_true(c.finished);
}

/* A done that arrives while another script runs is kept until that one yields. */
static struct script_call *other;

static int cancel_other(struct script_call *c, const char *app, const char *data,
                        script_done_fn done, void *arg)
{
	if (!strcmp(app, "cancel_other")) {
		trace(c, "cancel;");
		other->up = false;
		script_engine_abort(other->handle);
		if (other->pending) {
			other->pending = P_NONE;
			other->done(other->arg, -ECANCELED, NULL); /* synchronously */
		}
		strcat(all_log, "cancelled\n");
	}
	return execute(c, app, data, done, arg);
}

static void test_no_nested_resume(void **state)
{
	struct script_host_ops ops2 = ops;
	struct script_call a, b;
	const char *went_on, *resumed;

	(void)state;
	ops2.execute = cancel_other;
	call_init(&a);
	memset(&b, 0, sizeof(b));
	b.up = true;
	other = &b;
	write_script(dir, "b.lua",
	             "session:execute('wait_forever', '')\n"
	             "freeswitch.consoleLog('info', 'B resumed')\n");
	write_script(dir, "a.lua",
	             "session:execute('cancel_other', '')\n"
	             "freeswitch.consoleLog('info', 'A went on')\n"
	             "session:sleep(1)\n");
	assert_int_equal(script_engine_run(engine, "b.lua", &ops2, &b, finished, &b, &b.handle), 0);
	assert_int_equal(script_engine_run(engine, "a.lua", &ops2, &a, finished, &a, &a.handle), 0);
	/* B ran once A had yielded, not inside A's execute. */
	assert_true(b.finished);
	assert_false(a.finished);
	went_on = strstr(all_log, "cancelled");
	resumed = strstr(all_log, "B resumed");
	assert_non_null(went_on);
	assert_non_null(resumed);
	assert_true(went_on < resumed);
	loop();
	assert_true(a.finished);
	assert_non_null(strstr(all_log, "A went on"));
}

/* The dialplan's `lua` run from a script (session:execute): a script running itself ends
 * at the nesting limit, refused, never by exhausting the C stack. */
static struct script_call levels[8];
static unsigned n_levels;

static int execute_lua(struct script_call *c, const char *app, const char *data,
                       script_done_fn done, void *arg);

static struct script_host_ops ops_nest;

static int execute_lua(struct script_call *c, const char *app, const char *data,
                       script_done_fn done, void *arg)
{
	if (!strcmp(app, "lua") && n_levels < 8) {
		struct script_call *child = &levels[n_levels++];
		int rc;

		child->up = true;
		rc = script_engine_run(engine, data, &ops_nest, child, finished, child,
		                       &child->handle);
		trace(c, "lua=%d;", rc);
		if (wait_on(c, P_EXEC, done, arg))
			return -ENOTCONN;
		complete(c, rc, "");
		return 0;
	}
	return execute(c, app, data, done, arg);
}

static void test_nested_and_odd_scripts(void **state)
{
	struct script_call c;
	char want[32];

	(void)state;
	call_init(&c);
	memset(levels, 0, sizeof(levels));
	n_levels = 0;
	ops_nest = ops;
	ops_nest.execute = execute_lua;
	write_script(dir, "rec.lua", "session:execute('lua', 'rec.lua')\n");
	assert_int_equal(
	    script_engine_run(engine, "rec.lua", &ops_nest, &c, finished, &c, &c.handle), 0);
	loop();
	assert_true(c.finished);
	assert_string_equal(c.trace, "lua=0;");
	snprintf(want, sizeof(want), "lua=%d;", -ELOOP);
	assert_string_equal(levels[SCRIPT_ENGINE_MAX_DEPTH - 2].trace, want);
	assert_int_equal(n_levels, SCRIPT_ENGINE_MAX_DEPTH); /* the last one refused */
	for (unsigned i = 0; i + 1 < n_levels; i++)
		assert_true(levels[i].finished);
	assert_false(levels[n_levels - 1].finished);

	/* An input callback that fails is logged; the script goes on. */
	call_init(&c);
	c.hold_play = true;
	write_script(dir, "badcb.lua",
	             "session:setInputCallback(function() error('in the callback') end)\n"
	             "session:streamFile('x.wav')\n"
	             "session:setVariable('after', 'yes')\n");
	assert_int_equal(run(&c, "badcb.lua"), 0);
	send_digit(&c, '1');
	assert_non_null(strstr(c.log, "dtmf callback: badcb.lua:1: in the callback"));
	stop_media(&c);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(get_var(&c, "after"), "yes");

	/* coroutine.yield outside a coroutine cannot suspend the script. */
	call_init(&c);
	write_script(dir, "yield.lua", "coroutine.yield()\n");
	assert_int_equal(run(&c, "yield.lua"), 0);
	assert_true(c.finished);
	assert_int_equal(c.rc, -EINVAL);
	assert_non_null(strstr(c.log, "coroutine.yield outside a coroutine"));
}

static void test_paths(void **state)
{
	struct script_call c;
	char target[160], link[160];

	(void)state;
	call_init(&c);
	write_script(outside, "secret.lua", "session:setVariable('escaped', 'yes')\n");
	snprintf(target, sizeof(target), "%s/secret.lua", outside);
	snprintf(link, sizeof(link), "%s/link.lua", dir);
	assert_int_equal(symlink(target, link), 0);
	snprintf(target, sizeof(target), "../%s/secret.lua", strrchr(outside, '/') + 1);
	assert_int_equal(run(&c, target), -EACCES);
	snprintf(target, sizeof(target), "%s/secret.lua", outside);
	assert_int_equal(run(&c, target), -EACCES);
	assert_int_equal(run(&c, "link.lua"), -EACCES);
	assert_int_equal(run(&c, "missing.lua"), -ENOENT);
	assert_int_equal(run(&c, ""), -EINVAL);
	assert_int_equal(run(&c, "'unclosed.lua"), -EINVAL);
	assert_false(c.finished);
	assert_null(get_var(&c, "escaped"));
	assert_non_null(strstr(c.log, "outside the scripts folder"));

	/* A folder inside is fine, and a symlink staying inside too. */
	snprintf(target, sizeof(target), "%s/sub", dir);
	assert_int_equal(mkdir(target, 0700), 0);
	write_script(dir, "sub/ok.lua", "session:setVariable('sub', 'yes')\n");
	snprintf(link, sizeof(link), "%s/inner.lua", dir);
	assert_int_equal(symlink("sub/ok.lua", link), 0);
	assert_int_equal(run(&c, "sub/ok.lua"), 0);
	assert_int_equal(run(&c, "inner.lua"), 0);
	assert_string_equal(get_var(&c, "sub"), "yes");

	/* No folder configured: nothing runs. */
	struct script_engine_config none = {NULL, 0, 0, 0};
	struct script_engine *e = NULL;
	char err[128];

	assert_int_equal(script_engine_new(&e, &none, err, sizeof(err)), 0);
	assert_int_equal(script_engine_run(e, "vars.lua", &ops, &c, finished, &c, &c.handle),
	                 -ENOENT);
	script_engine_free(e);
	none.scripts_dir = "/nonexistent/scripts";
	assert_int_equal(script_engine_new(&e, &none, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/scripts"));
}

static void test_without_call_and_api(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "nocall.lua",
	             "assert(session == nil)\n"
	             "local api = freeswitch.API()\n"
	             "freeswitch.consoleLog('notice', 'got ' .. argv[1] .. ' ' .. "
	             "api:executeString('status now') .. '\\n')\n"
	             "freeswitch.msleep(5)\n"
	             "freeswitch.consoleLog('err', api:execute('reboot', ''))\n");
	assert_int_equal(
	    script_engine_run(engine, "nocall.lua x", &ops, NULL, finished, &c, &c.handle), 0);
	assert_false(c.finished);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(nocall_log.log, "2 lua: nocall.lua: got x UP now\n"));
	assert_non_null(
	    strstr(nocall_log.log, "4 lua: nocall.lua: -ERR reboot Command not found!"));

	/* A script cannot wait from a coroutine of its own. */
	call_init(&c);
	write_script(dir, "co.lua", "coroutine.wrap(function() session:sleep(1) end)()\n");
	assert_int_equal(run(&c, "co.lua"), 0);
	assert_int_equal(c.rc, -EINVAL);
	assert_non_null(strstr(c.log, "cannot wait here"));
}

static void test_reload(void **state)
{
	struct script_call c;

	(void)state;
	call_init(&c);
	write_script(dir, "ver.lua", "session:setVariable('v', '1')\n");
	assert_int_equal(run(&c, "ver.lua"), 0);
	assert_int_equal(run(&c, "ver.lua"), 0); /* from the cache */
	assert_string_equal(get_var(&c, "v"), "1");
	write_script(dir, "ver.lua", "session:setVariable('v', 'two')\n");
	assert_int_equal(run(&c, "ver.lua"), 0); /* changed size: read again */
	assert_string_equal(get_var(&c, "v"), "two");
	script_engine_reload(engine);
	assert_int_equal(run(&c, "ver.lua"), 0);
	assert_string_equal(get_var(&c, "v"), "two");
}

/* The demo config's [lua] section, and its scripts doing what their comments say. */
static void test_demo_config_and_scripts(void **state)
{
	struct signald_config cfg;
	char err[CFG_ERR_LEN] = "";
	char *bad[] = {"lua.scripts_dir=/nonexistent/scripts"};
	struct script_engine *saved = engine;
	struct script_call c;

	(void)state;
	assert_int_equal(signald_config_load(&cfg, NULL, NULL, 0, err, sizeof(err)), 0);
	assert_null(cfg.lua_scripts_dir); /* by default no script runs */
	assert_int_equal(cfg.lua_slice_instructions, 100000);
	assert_int_equal(cfg.lua_total_instructions, 10000000);
	assert_int_equal(cfg.lua_memory_kb, 8192);
	signald_config_free(&cfg);
	assert_int_equal(signald_config_load(&cfg, NULL, bad, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[lua] scripts_dir: '/nonexistent/scripts' is not a folder"));
	signald_config_free(&cfg);

	assert_int_equal(signald_config_load(&cfg, TANDEM_SRC "/deploy/demo/signald.ini", NULL, 0,
	                                     err, sizeof(err)),
	                 0);
	assert_string_equal(cfg.lua_scripts_dir, TANDEM_SRC "/deploy/demo/scripts");
	struct script_engine_config ec = {
	    cfg.lua_scripts_dir, (unsigned long)cfg.lua_slice_instructions,
	    (unsigned long)cfg.lua_total_instructions, (size_t)cfg.lua_memory_kb * 1024};
	assert_int_equal(script_engine_new(&engine, &ec, err, sizeof(err)), 0);
	signald_config_free(&cfg);

	/* auto_record.lua: the file name from the call's variables, cleaned of what a peer
	 * could put there to leave the folder. */
	call_init(&c);
	set_var(&c, "caller_id_number", "10'0/../1");
	set_var(&c, "destination_number", "1001");
	set_var(&c, "uuid", "abc");
	set_var(&c, "recordings_dir", "/rec");
	assert_int_equal(run(&c, "auto_record.lua"), 0);
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(c.trace, "record_session:/rec/"));
	assert_non_null(strstr(c.trace, "_1001_1001_abc.wav;"));
	assert_null(strstr(c.trace, ".."));
	assert_non_null(strstr(c.log, "auto_record: recording to /rec/"));
	assert_non_null(get_var(&c, "auto_record_path"));

	/* ivr_menu.lua: 2 bridges to the second user named. */
	call_init(&c);
	c.hold_play = true;
	assert_int_equal(run(&c, "ivr_menu.lua 1000 1001"), 0);
	loop();
	send_digit(&c, '2');
	loop();
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_string_equal(c.trace, "answer:;sleep(500);play(ivr-menu.wav);bridge:user/1001;");
	assert_string_equal(get_var(&c, "ivr_choice"), "2");

	/* hello.lua, without a call. */
	call_init(&c);
	assert_int_equal(
	    script_engine_run(engine, "hello.lua a 'b c'", &ops, NULL, finished, &c, &c.handle), 0);
	assert_true(c.finished);
	assert_int_equal(c.rc, 0);
	assert_non_null(strstr(nocall_log.log, "hello.lua: hello (no call), args [a, b c]"));

	script_engine_free(engine);
	engine = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_variables_and_argv),      cmocka_unit_test(test_execute_order),
	    cmocka_unit_test(test_infinite_loop_killed),    cmocka_unit_test(test_error_traceback),
	    cmocka_unit_test(test_memory_budget),           cmocka_unit_test(test_get_digits),
	    cmocka_unit_test(test_play_and_get_digits),     cmocka_unit_test(test_input_callback),
	    cmocka_unit_test(test_abort_while_waiting),     cmocka_unit_test(test_no_nested_resume),
	    cmocka_unit_test(test_nested_and_odd_scripts),  cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_without_call_and_api),    cmocka_unit_test(test_reload),
	    cmocka_unit_test(test_demo_config_and_scripts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
