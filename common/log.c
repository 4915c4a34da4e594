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

bool log_enabled(enum log_level level)
{
	return level <= cur_level;
}

void log_set_context(const char *ctx)
{
	if (!ctx) {
		context[0] = '\0';
		return;
	}
	snprintf(context, sizeof(context), "%s", ctx);
}

const char *log_context(void)
{
	return context;
}

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	char line[2048];
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
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (r > 0)
		n = n + (size_t)r < sizeof(line) - 1 ? n + (size_t)r : sizeof(line) - 2;
	/* One event, one line: fold any newline an argument smuggled in. */
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	if (to_syslog) {
		syslog(syslog_prio[level], "%.*s", (int)n, line);
		return;
	}
	line[n++] = '\n';
	while (write(STDERR_FILENO, line, n) < 0 && errno == EINTR)
		;
}
