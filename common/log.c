/* Line-oriented logger shared by all daemons and tools. Each event is formatted into one buffer
 * and written with a single write(2) so lines from different threads never interleave. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"error", "warn", "notice", "info", "debug"};
static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

static enum log_level cur_level = LOG_LEVEL_INFO;
static bool to_syslog;
static char prog[32] = "tandem";
static _Thread_local char context[128];

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warning") == 0) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "?";
	return level_names[level];
}

void log_setup(const char *ident, enum log_level level, bool use_syslog)
{
	snprintf(prog, sizeof(prog), "%s", ident ? ident : "tandem");
	cur_level = level;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_current_level(void)
{
	return cur_level;
}

bool log_enabled(enum log_level level)
{
	return level <= cur_level;
}

/* Copies src into dst (cap bytes with the NUL), every control byte and backslash escaped, so
 * text from the network (Call-ID, From, User-Agent...) can neither start a new line nor send
 * terminal escapes. Returns the length written. */
static size_t escape_into(char *dst, size_t cap, const char *src, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < cap; i++) {
		unsigned char c = (unsigned char)src[i];
		char esc = c == '\n'   ? 'n'
		           : c == '\r' ? 'r'
		           : c == '\t' ? 't'
		           : c == '\\' ? '\\'
		                       : 0;

		if (esc || c < 0x20 || c == 0x7f) {
			size_t need = esc ? 2 : 4;

			if (n + need + 1 > cap)
				break;
			dst[n++] = '\\';
			if (esc) {
				dst[n++] = esc;
			} else {
				dst[n++] = 'x';
				dst[n++] = hx[c >> 4];
				dst[n++] = hx[c & 15];
			}
			continue;
		}
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

void log_set_context(const char *ctx)
{
	if (!ctx) {
		context[0] = '\0';
		return;
	}
	escape_into(context, sizeof(context), ctx, strnlen(ctx, sizeof(context) - 1));
}

bool log_ratelimit(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed)
{
	unsigned burst = rl->burst ? rl->burst : 1;
	uint64_t period = rl->period_ms ? rl->period_ms : 1000;

	if (now_ms - rl->start_ms >= period || rl->start_ms == 0) {
		rl->start_ms = now_ms ? now_ms : 1;
		rl->passed = 0;
	}
	if (rl->passed >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->passed++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

const char *log_context(void)
{
	return context;
}

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	char line[2048], body[1024];
	size_t n = 0;
	va_list ap;
	int r;

	if (!log_enabled(level))
		return;
	if (!to_syslog) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s[%d] ", ts.tv_nsec / 1000000,
		             prog, (int)getpid());
		n += r > 0 ? (size_t)r : 0;
	}
	r = snprintf(line + n, sizeof(line) - n, "%s %s%s%s%s: ", log_level_name(level), subsys,
	             context[0] ? " [" : "", context, context[0] ? "]" : "");
	if (r > 0)
		n = n + (size_t)r < sizeof(line) ? n + (size_t)r : sizeof(line) - 1;
	va_start(ap, fmt);
	r = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	/* One event, one line, no terminal control: arguments are often the peer's text. */
	if (r > 0)
		n += escape_into(line + n, sizeof(line) - 1 - n, body,
		                 (size_t)r < sizeof(body) ? (size_t)r : sizeof(body) - 1);
	if (to_syslog) {
		syslog(syslog_prio[level], "%.*s", (int)n, line);
		return;
	}
	line[n++] = '\n';
	while (write(STDERR_FILENO, line, n) < 0 && errno == EINTR)
		;
}
