/* Admission of new calls. Four limits, each answered with 503 + Retry-After, so that a node
 * past its capacity refuses the surplus cheaply instead of half-serving everything until
 * retransmissions take it down: FreeSWITCH's max-sessions and sessions-per-second, the
 * signalling thread's CPU (busy for two seconds: it cannot keep up) and the SIP socket's receive
 * queue (work already waiting; the kernel releases read datagrams in batches of a quarter of the
 * buffer, so this reads high, never low). Single-threaded; no allocation. */
#ifndef SIGNALD_OVERLOAD_H
#define SIGNALD_OVERLOAD_H

#include <stdbool.h>
#include <stdint.h>

struct overload_limits {
	unsigned max_calls;   /* live calls; 0 = no limit */
	unsigned max_cps;     /* new calls per second, bursts up to one second's worth; 0 = none */
	unsigned queue_bytes; /* new INVITEs are refused while more waits on the socket; 0 = off */
	unsigned busy_pct;    /* ... and while the loop thread was busier than this; 0 = off */
};

enum overload_verdict {
	OVERLOAD_ADMIT,
	OVERLOAD_QUEUE,     /* the SIP socket holds more than queue_bytes */
	OVERLOAD_MAX_CALLS, /* max_calls live already */
	OVERLOAD_RATE,      /* more than max_cps */
	OVERLOAD_BUSY,      /* the loop thread's CPU over busy_pct for the last window */
	OVERLOAD__N
};

#define OVERLOAD_WINDOW 20 /* samples: 2 s, longer than the catch-up after a short stall */

struct overload {
	struct overload_limits lim;
	double tokens; /* rate limiter: calls that may start now */
	uint64_t refilled_ms;
	uint64_t refused[OVERLOAD__N]; /* by verdict, since start */
	uint64_t window[OVERLOAD__N];  /* by verdict, since the last report */
	uint64_t reported_ms;          /* when report() last returned true */
	/* The last OVERLOAD_WINDOW + 1 samples (thread CPU, monotonic time), newest at head:
	 * busy is judged over the whole window, so a burst of a few ms does not refuse calls
	 * and only a loop that stays saturated does. */
	uint64_t cpu_ns[OVERLOAD_WINDOW + 1], wall_ns[OVERLOAD_WINDOW + 1];
	unsigned head, samples;
	unsigned busy_now; /* % of the window the thread ran */
};

void overload_init(struct overload *o, const struct overload_limits *lim, uint64_t now_ms);

/* Every 100 ms or so (less often is fine): the loop thread's CPU time and the monotonic time,
 * both in ns. Busy is judged over the last OVERLOAD_WINDOW intervals. */
void overload_sample(struct overload *o, uint64_t thread_cpu_ns, uint64_t mono_ns);

/* Before any work on an INVITE that starts a call: is the node too far behind? */
enum overload_verdict overload_check_load(struct overload *o, unsigned queued_bytes);
/* When a call is about to be created (after authentication): counts it against the limits. */
enum overload_verdict overload_admit_call(struct overload *o, unsigned live_calls, uint64_t now_ms);

const char *overload_verdict_name(enum overload_verdict v);

/* True at most once a second while refusals happen, with the counts since the last report in
 * window (then cleared): one log line per second, never one per refused INVITE. */
bool overload_report_due(struct overload *o, uint64_t now_ms, uint64_t window[OVERLOAD__N]);

#endif
