/* One line per event on stderr or syslog: time, level, subsystem, context (Call-ID or session id),
 * message. The context is thread-local so each event loop tags its own lines; log.c never
 * allocates and never blocks beyond the write itself. */
#ifndef TANDEM_LOG_H
#define TANDEM_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Parses "error", "warn"/"warning", "notice", "info", "debug". Returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);

/* ident: program name for syslog and stderr lines; use_syslog: LOG_DAEMON facility. */
void log_setup(const char *ident, enum log_level level, bool use_syslog);
void log_set_level(enum log_level level);
enum log_level log_current_level(void);
bool log_enabled(enum log_level level);

/* Sets this thread's context field (copied with control bytes escaped, truncated to 127 bytes);
 * NULL or "" clears it. */
void log_set_context(const char *ctx);
const char *log_context(void);

/* Every line is escaped: control bytes become \n, \r, \t or \xNN and a backslash \\, so
 * peer-controlled text (Call-ID, From, User-Agent) cannot forge lines or send terminal escapes.
 * The message part is cut at 1 KB. */
void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A log budget for events a peer can cause at will (refusals under a flood): at most burst
 * lines per period_ms. Zero-initialise, then set burst and period_ms. */
struct log_ratelimit {
	unsigned burst;     /* lines per period (0 = 1) */
	uint64_t period_ms; /* 0 = 1000 */
	uint64_t start_ms;
	unsigned passed, suppressed;
};

/* True when a line may be logged now (monotonic now_ms); *suppressed gets how many were
 * dropped since the last one allowed, to be said in that line. */
bool log_ratelimit(struct log_ratelimit *rl, uint64_t now_ms, unsigned *suppressed);

#define log_error(sub, ...)  log_msg(LOG_LEVEL_ERROR, sub, __VA_ARGS__)
#define log_warn(sub, ...)   log_msg(LOG_LEVEL_WARN, sub, __VA_ARGS__)
#define log_notice(sub, ...) log_msg(LOG_LEVEL_NOTICE, sub, __VA_ARGS__)
#define log_info(sub, ...)   log_msg(LOG_LEVEL_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...)                                                                        \
	do {                                                                                       \
		if (log_enabled(LOG_LEVEL_DEBUG))                                                  \
			log_msg(LOG_LEVEL_DEBUG, sub, __VA_ARGS__);                                \
	} while (0)

#endif
