/* Token bucket for the call rate, plain comparisons for the rest; the counters feed one log line
 * per second while refusing. */
#include "overload.h"

#include <string.h>

void overload_init(struct overload *o, const struct overload_limits *lim, uint64_t now_ms)
{
	memset(o, 0, sizeof(*o));
	o->lim = *lim;
	o->tokens = lim->max_cps;
	o->refilled_ms = now_ms;
	o->reported_ms = 0; /* the first refusal is always told */
}

void overload_sample(struct overload *o, uint64_t thread_cpu_ns, uint64_t mono_ns)
{
	unsigned oldest;

	o->head = (o->head + 1) % (OVERLOAD_WINDOW + 1);
	o->cpu_ns[o->head] = thread_cpu_ns;
	o->wall_ns[o->head] = mono_ns;
	if (o->samples <= OVERLOAD_WINDOW)
		o->samples++;
	/* The oldest sample kept: a full window back, or the first one while filling. */
	oldest = (o->head + OVERLOAD_WINDOW + 2 - o->samples) % (OVERLOAD_WINDOW + 1);
	if (o->samples < 2 || mono_ns <= o->wall_ns[oldest] || thread_cpu_ns < o->cpu_ns[oldest])
		return;
	o->busy_now =
	    (unsigned)((thread_cpu_ns - o->cpu_ns[oldest]) * 100 / (mono_ns - o->wall_ns[oldest]));
}

static enum overload_verdict refuse(struct overload *o, enum overload_verdict v)
{
	o->refused[v]++;
	o->window[v]++;
	return v;
}

enum overload_verdict overload_check_load(struct overload *o, unsigned queued_bytes)
{
	if (o->lim.queue_bytes && queued_bytes > o->lim.queue_bytes)
		return refuse(o, OVERLOAD_QUEUE);
	if (o->lim.busy_pct && o->busy_now >= o->lim.busy_pct)
		return refuse(o, OVERLOAD_BUSY);
	return OVERLOAD_ADMIT;
}

enum overload_verdict overload_admit_call(struct overload *o, unsigned live_calls, uint64_t now_ms)
{
	if (o->lim.max_calls && live_calls >= o->lim.max_calls)
		return refuse(o, OVERLOAD_MAX_CALLS);
	if (o->lim.max_cps) {
		if (now_ms > o->refilled_ms) {
			o->tokens += (double)(now_ms - o->refilled_ms) * o->lim.max_cps / 1000.0;
			if (o->tokens > o->lim.max_cps)
				o->tokens = o->lim.max_cps;
			o->refilled_ms = now_ms;
		}
		if (o->tokens < 1.0)
			return refuse(o, OVERLOAD_RATE);
		o->tokens -= 1.0;
	}
	return OVERLOAD_ADMIT;
}

const char *overload_verdict_name(enum overload_verdict v)
{
	static const char *const names[] = {"admitted", "SIP receive queue", "max_calls", "max_cps",
	                                    "busy"};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

bool overload_report_due(struct overload *o, uint64_t now_ms, uint64_t window[OVERLOAD__N])
{
	uint64_t any = 0;

	for (int i = 0; i < OVERLOAD__N; i++)
		any += o->window[i];
	if (!any || (o->reported_ms && now_ms - o->reported_ms < 1000))
		return false;
	memcpy(window, o->window, sizeof(o->window));
	memset(o->window, 0, sizeof(o->window));
	o->reported_ms = now_ms;
	return true;
}
