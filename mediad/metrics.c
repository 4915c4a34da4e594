/* Names follow Prometheus conventions: tandem_mediad_ prefix, _total for counters, base units
 * (seconds, bytes). Per-worker series carry worker="N"; drops also reason (drop_reason.h). */
#include "metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "clock.h"
#include "control.h"
#include "drop_reason.h"
#include "fastpath.h"

#define LOAD(x) ((unsigned long long)atomic_load_explicit(&(x), memory_order_relaxed))

/* Jitter of a voice stream is a few ms on a good path; beyond 50 ms it is heard. */
static const double jitter_bounds[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
/* Loss: none, then the steps past which voice degrades. */
static const double loss_bounds[] = {0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
#define N_BOUNDS(a) (sizeof(a) / sizeof((a)[0]))

static void observe(struct metrics_hist *h, const double *bounds, size_t n, double v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	h->bucket[i]++;
	h->sum += v;
	h->count++;
}

void metrics_observe_session(struct metrics_media *mm, const struct session_snapshot *snap)
{
	for (uint32_t i = 0; i < snap->n_streams && i < SESSION_MAX_STREAMS; i++) {
		for (int j = 0; j < 2; j++) {
			const struct traffic_snapshot *t = &snap->streams[i].leg[j].rtp;

			if (!t->packets)
				continue;
			observe(&mm->jitter_s, jitter_bounds, N_BOUNDS(jitter_bounds),
			        t->jitter_ms / 1000.0);
			observe(&mm->loss_ratio, loss_bounds, N_BOUNDS(loss_bounds),
			        (double)t->lost / (double)(t->packets + t->lost));
		}
	}
}

static void hist(FILE *f, const char *name, const char *text, const struct metrics_hist *h,
                 const double *bounds, size_t n)
{
	uint64_t cum = 0;

	fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, text, name);
	for (size_t i = 0; i < n; i++) {
		cum += h->bucket[i];
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
	fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, h->sum, name,
	        (unsigned long long)h->count);
}

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* One counter per worker: field is the atomic in struct worker. */
#define PER_WORKER(f, md, name, text, field)                                                       \
	do {                                                                                       \
		help(f, name, "counter", text);                                                    \
		for (unsigned i_ = 0; i_ < (md)->n_workers; i_++)                                  \
			fprintf(f, "%s{worker=\"%u\"} %llu\n", name, i_,                           \
			        LOAD((md)->workers[i_].field));                                    \
	} while (0)

/* A label value as the text format wants it: backslash, quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static double worker_cpu_s(const struct worker *w)
{
	clockid_t cid;
	struct timespec ts;

	if (!w->started || pthread_getcpuclockid(w->thread, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void node(FILE *f, const struct mediad *md)
{
	help(f, "tandem_mediad_info", "gauge", "Node name and version (always 1).");
	fputs("tandem_mediad_info{node_id=\"", f);
	label_value(f, md->cfg->node_id);
	fprintf(f, "\",version=\"%s\"} 1\n", TANDEM_VERSION);
	help(f, "tandem_mediad_uptime_seconds", "gauge", "Time since the node started.");
	fprintf(f, "tandem_mediad_uptime_seconds %.3f\n",
	        (double)(clock_mono_ms() - md->started_ms) / 1000.0);
	help(f, "tandem_mediad_draining", "gauge", "1 while the node refuses new sessions.");
	fprintf(f, "tandem_mediad_draining %d\n", md->stopping || md->draining);
	help(f, "tandem_mediad_sessions", "gauge", "Live media sessions.");
	fprintf(f, "tandem_mediad_sessions %u\n", session_table_count(md->sessions));
	help(f, "tandem_mediad_recordings", "gauge",
	     "Recordings running (started, file not complete).");
	fprintf(f, "tandem_mediad_recordings %u\n", md->n_recordings);
	help(f, "tandem_mediad_port_pairs_free", "gauge", "RTP/RTCP port pairs free to lease now.");
	fprintf(f, "tandem_mediad_port_pairs_free %u\n", port_pool_free_count(md->pool));
	help(f, "tandem_mediad_port_pairs", "gauge", "RTP/RTCP port pairs in the range.");
	fprintf(f, "tandem_mediad_port_pairs %u\n", port_pool_total(md->pool));
}

static void fast_path(FILE *f)
{
	struct fastpath_totals t;

	fastpath_totals(&t);
	help(f, "tandem_mediad_fastpath_enabled", "gauge",
	     "1 when latched plain streams are forwarded by the kernel program.");
	fprintf(f, "tandem_mediad_fastpath_enabled %d\n", fastpath_enabled());
	help(f, "tandem_mediad_fastpath_directions", "gauge",
	     "Stream directions the kernel forwards now.");
	fprintf(f, "tandem_mediad_fastpath_directions %llu\n", (unsigned long long)t.entries);
	help(f, "tandem_mediad_fastpath_packets_total", "counter",
	     "RTP packets the kernel forwarded (read every 100 ms; not in packets_received).");
	fprintf(f, "tandem_mediad_fastpath_packets_total %llu\n", (unsigned long long)t.packets);
	help(f, "tandem_mediad_fastpath_bytes_total", "counter",
	     "Payload bytes of the packets the kernel forwarded.");
	fprintf(f, "tandem_mediad_fastpath_bytes_total %llu\n", (unsigned long long)t.bytes);
}

static void workers(FILE *f, const struct mediad *md)
{
	help(f, "tandem_mediad_worker_sessions", "gauge", "Sessions each relay worker holds.");
	for (unsigned i = 0; i < md->n_workers; i++)
		fprintf(f, "tandem_mediad_worker_sessions{worker=\"%u\"} %u\n", i, md->load[i]);
	PER_WORKER(f, md, "tandem_mediad_packets_received_total", "Datagrams received.", received);
	PER_WORKER(f, md, "tandem_mediad_packets_relayed_total", "Datagrams sent on.", forwarded);
	PER_WORKER(f, md, "tandem_mediad_bytes_received_total", "Payload bytes received.",
	           bytes_received);
	PER_WORKER(f, md, "tandem_mediad_bytes_relayed_total",
	           "Payload bytes of the datagrams sent on.", bytes_forwarded);
	PER_WORKER(f, md, "tandem_mediad_receive_stalls_total",
	           "Times receiving stopped because every packet buffer was in flight.",
	           no_buffers);
	help(f, "tandem_mediad_packets_dropped_total", "counter",
	     "Datagrams received and not sent on, by reason.");
	for (unsigned i = 0; i < md->n_workers; i++)
		for (unsigned r = 0; r < DROP_N; r++)
			fprintf(f,
			        "tandem_mediad_packets_dropped_total{worker=\"%u\",reason=\"%s\"} "
			        "%llu\n",
			        i, drop_reason_name((enum drop_reason)r),
			        LOAD(md->workers[i].drops[r]));
	help(f, "tandem_mediad_worker_cpu_seconds_total", "counter",
	     "CPU time of each relay worker thread.");
	for (unsigned i = 0; i < md->n_workers; i++)
		fprintf(f, "tandem_mediad_worker_cpu_seconds_total{worker=\"%u\"} %.6f\n", i,
		        worker_cpu_s(&md->workers[i]));
}

int metrics_render(void *arg, FILE *out)
{
	const struct mediad *md = arg;

	node(out, md);
	workers(out, md);
	fast_path(out);
	hist(out, "tandem_mediad_stream_jitter_seconds",
	     "Interarrival jitter of each leg that received RTP, at its session's close.",
	     &md->media_stats.jitter_s, jitter_bounds, N_BOUNDS(jitter_bounds));
	hist(out, "tandem_mediad_stream_loss_ratio",
	     "Share of RTP packets lost on each leg that received RTP, at its session's close.",
	     &md->media_stats.loss_ratio, loss_bounds, N_BOUNDS(loss_bounds));
	return ferror(out) ? -EIO : 0;
}
