/* Names follow Prometheus conventions: tandem_signald_ prefix, _total for counters, base units.
 * Per-node series carry node (its endpoint) and node_id. */
#include "signald_metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b2bua_admin.h"
#include "call.h"
#include "clock.h"
#include "events_pub.h"
#include "hangup_cause.h"
#include "log.h"
#include "media_client.h"
#include "metrics_http.h"
#include "observe.h"
#include "overload.h"
#include "store.h"

#define MAX_NODES  64
#define MAX_CAUSES 48 /* distinct hangup causes kept; others are counted as "OTHER" */
#define HIST_MAX   12

struct hist {
	uint64_t bucket[HIST_MAX + 1]; /* per bucket, not cumulative; the last above every bound */
	double sum;
	uint64_t count;
};

/* Post-dial delay: from the caller's INVITE to its first ring or answer. */
static const double setup_bounds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
/* A media RPC on a LAN answers in well under a millisecond; seconds mean a node in trouble. */
static const double rpc_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                    0.01,   0.025,   0.05,   0.1,   0.25,   1};
#define N_BOUNDS(a) (sizeof(a) / sizeof((a)[0]))

struct node_stats {
	const struct media_node *node;
	struct hist rpc;
	uint64_t timeouts, downs, ups;
};

struct signald_metrics {
	su_root_t *root;
	struct signald_metrics_deps deps;
	struct metrics_http *http;
	int wait_index;
	su_timer_t *tick;
	uint64_t calls, answered;
	struct {
		int cause;
		uint64_t n;
	} causes[MAX_CAUSES];
	size_t n_causes;
	uint64_t other_causes;
	struct hist setup;
	uint64_t reg[3];           /* by enum obs_reg */
	uint64_t auth_failures[2]; /* REGISTER, INVITE */
	uint64_t bans[2];          /* by enum obs_ban */
	uint64_t refused_per_user; /* max_calls_per_user */
	uint64_t holds, dtmf;
	struct node_stats nodes[MAX_NODES];
	size_t n_nodes;
};

static void observe_hist(struct hist *h, const double *bounds, size_t n, double v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	h->bucket[i]++;
	h->sum += v;
	h->count++;
}

static struct node_stats *node_of(struct signald_metrics *m, const struct media_node *n)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].node == n)
			return &m->nodes[i];
	return NULL;
}

/* ---- what the hooks count ----------------------------------------------------------------- */

static void on_leg_state(void *arg, const struct leg *l, int from, int to)
{
	struct signald_metrics *m = arg;
	const struct call *c = l->call;

	if (!l->is_a)
		return;
	if (from == LEG_IDLE && to == LEG_CALLING)
		m->calls++;
	if (from == LEG_CALLING && (to == LEG_EARLY || to == LEG_ANSWERED) && c->created_ms)
		observe_hist(&m->setup, setup_bounds, N_BOUNDS(setup_bounds),
		             (double)(clock_mono_ms() - c->created_ms) / 1000.0);
	if (to == LEG_ANSWERED && (from == LEG_CALLING || from == LEG_EARLY))
		m->answered++;
}

static void on_call_end(void *arg, const struct call *c)
{
	struct signald_metrics *m = arg;

	for (size_t i = 0; i < m->n_causes; i++)
		if (m->causes[i].cause == c->hangup_cause) {
			m->causes[i].n++;
			return;
		}
	if (m->n_causes == MAX_CAUSES) {
		m->other_causes++;
		return;
	}
	m->causes[m->n_causes].cause = c->hangup_cause;
	m->causes[m->n_causes++].n = 1;
}

static void on_hold(void *arg, const struct call *c, unsigned side, bool held)
{
	struct signald_metrics *m = arg;

	if (held)
		m->holds++;
}

static void on_dtmf(void *arg, const struct call *c, unsigned side, const char *digit,
                    unsigned duration_ms)
{
	((struct signald_metrics *)arg)->dtmf++;
}

static void on_reg(void *arg, enum obs_reg what, const char *user, const char *realm,
                   const char *contact, const char *src_ip, long expires, unsigned count)
{
	((struct signald_metrics *)arg)->reg[what] += count ? count : 1;
}

static void on_auth_failure(void *arg, const char *method, const char *user, const char *src_ip)
{
	((struct signald_metrics *)arg)->auth_failures[strcmp(method, "REGISTER") != 0]++;
}

static void on_ban(void *arg, enum obs_ban what, const char *key)
{
	((struct signald_metrics *)arg)->bans[what]++;
}

static void on_refused(void *arg, const char *cause)
{
	((struct signald_metrics *)arg)->refused_per_user++;
}

static void on_node(void *arg, const struct media_node *n, bool up)
{
	struct node_stats *s = node_of(arg, n);

	if (s && up)
		s->ups++;
	else if (s)
		s->downs++;
}

static void on_rpc(void *arg, const struct media_node *n, uint64_t us, bool ok)
{
	struct node_stats *s = node_of(arg, n);

	if (!s)
		return;
	if (ok)
		observe_hist(&s->rpc, rpc_bounds, N_BOUNDS(rpc_bounds), (double)us / 1e6);
	else
		s->timeouts++;
}

/* ---- the text format ---------------------------------------------------------------------- */

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A label value as the text format wants it: backslash, quote and newline escaped. */
static void label_value(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void node_labels(FILE *f, const struct media_node *n)
{
	fputs("node=\"", f);
	label_value(f, media_node_endpoint(n));
	fputs("\",node_id=\"", f);
	label_value(f, media_node_id(n));
	fputc('"', f);
}

/* One histogram's series, labelled with the node's when node is not NULL. */
static void hist_series(FILE *f, const char *name, const struct hist *h, const double *bounds,
                        size_t n, const struct media_node *node)
{
	uint64_t cum = 0;

	for (size_t i = 0; i <= n; i++) {
		cum += h->bucket[i];
		fprintf(f, "%s_bucket{", name);
		if (node) {
			node_labels(f, node);
			fputc(',', f);
		}
		if (i < n)
			fprintf(f, "le=\"%g\"} %llu\n", bounds[i], (unsigned long long)cum);
		else
			fprintf(f, "le=\"+Inf\"} %llu\n", (unsigned long long)h->count);
	}
	fprintf(f, "%s_sum", name);
	if (node) {
		fputc('{', f);
		node_labels(f, node);
		fputc('}', f);
	}
	fprintf(f, " %.6f\n%s_count", h->sum, name);
	if (node) {
		fputc('{', f);
		node_labels(f, node);
		fputc('}', f);
	}
	fprintf(f, " %llu\n", (unsigned long long)h->count);
}

static void calls(FILE *f, struct signald_metrics *m)
{
	unsigned by_state[CALL__N] = {0};
	const uint64_t *refused = b2bua_refusals(m->deps.b2bua);
	static const char *const verdict[OVERLOAD__N] = {NULL, "sip_queue", "max_calls", "max_cps",
	                                                 "busy"};

	for (const struct call *c = b2bua_next_call(m->deps.b2bua, NULL); c;
	     c = b2bua_next_call(m->deps.b2bua, c))
		by_state[(unsigned)c->state < CALL__N ? c->state : 0]++;
	help(f, "tandem_signald_calls", "gauge", "Live calls by state.");
	for (int s = 0; s < CALL__N; s++)
		fprintf(f, "tandem_signald_calls{state=\"%s\"} %u\n", call_state_name(s),
		        by_state[s]);
	help(f, "tandem_signald_calls_total", "counter",
	     "Calls set up: authenticated and routed INVITEs.");
	fprintf(f, "tandem_signald_calls_total %llu\n", (unsigned long long)m->calls);
	help(f, "tandem_signald_calls_answered_total", "counter", "Calls answered.");
	fprintf(f, "tandem_signald_calls_answered_total %llu\n", (unsigned long long)m->answered);
	help(f, "tandem_signald_hangups_total", "counter", "Calls ended, by hangup cause.");
	for (size_t i = 0; i < m->n_causes; i++)
		fprintf(f, "tandem_signald_hangups_total{cause=\"%s\"} %llu\n",
		        hangup_cause_name(m->causes[i].cause), (unsigned long long)m->causes[i].n);
	if (m->other_causes)
		fprintf(f, "tandem_signald_hangups_total{cause=\"OTHER\"} %llu\n",
		        (unsigned long long)m->other_causes);
	help(f, "tandem_signald_call_setup_seconds", "histogram",
	     "Post-dial delay: from the caller's INVITE to its first ring or answer.");
	hist_series(f, "tandem_signald_call_setup_seconds", &m->setup, setup_bounds,
	            N_BOUNDS(setup_bounds), NULL);
	help(f, "tandem_signald_admission_refusals_total", "counter",
	     "New calls refused by an admission limit, by cause.");
	for (int v = 1; v < OVERLOAD__N; v++)
		fprintf(f, "tandem_signald_admission_refusals_total{cause=\"%s\"} %llu\n",
		        verdict[v], (unsigned long long)refused[v]);
	fprintf(f, "tandem_signald_admission_refusals_total{cause=\"max_calls_per_user\"} %llu\n",
	        (unsigned long long)m->refused_per_user);
	help(f, "tandem_signald_holds_total", "counter", "Offers that put a call on hold.");
	fprintf(f, "tandem_signald_holds_total %llu\n", (unsigned long long)m->holds);
	help(f, "tandem_signald_dtmf_total", "counter",
	     "RFC 4733 digits the media nodes reported.");
	fprintf(f, "tandem_signald_dtmf_total %llu\n", (unsigned long long)m->dtmf);
}

static void registrations(FILE *f, struct signald_metrics *m)
{
	static const char *const ev[] = {"register", "unregister", "expire"};
	unsigned n = 0;

	help(f, "tandem_signald_registrations", "gauge", "Live registrations (bindings).");
	if (store_reg_count(m->deps.store, (int64_t)time(NULL), &n) == 0)
		fprintf(f, "tandem_signald_registrations %u\n", n);
	help(f, "tandem_signald_registration_events_total", "counter",
	     "Bindings made or refreshed, removed, and expired.");
	for (int i = 0; i < 3; i++)
		fprintf(f, "tandem_signald_registration_events_total{event=\"%s\"} %llu\n", ev[i],
		        (unsigned long long)m->reg[i]);
	help(f, "tandem_signald_auth_failures_total", "counter",
	     "Credentials that did not verify, by method.");
	fprintf(f, "tandem_signald_auth_failures_total{method=\"REGISTER\"} %llu\n",
	        (unsigned long long)m->auth_failures[0]);
	fprintf(f, "tandem_signald_auth_failures_total{method=\"INVITE\"} %llu\n",
	        (unsigned long long)m->auth_failures[1]);
	help(f, "tandem_signald_bans_total", "counter",
	     "Sources banned and accounts throttled after failed authentications.");
	fprintf(f, "tandem_signald_bans_total{kind=\"source\"} %llu\n",
	        (unsigned long long)m->bans[OBS_BAN_SOURCE]);
	fprintf(f, "tandem_signald_bans_total{kind=\"account\"} %llu\n",
	        (unsigned long long)m->bans[OBS_BAN_ACCOUNT]);
}

static void nodes(FILE *f, struct signald_metrics *m)
{
#define EACH_NODE(expr)                                                                            \
	for (size_t i = 0; i < m->n_nodes; i++) {                                                  \
		const struct node_stats *s = &m->nodes[i];                                         \
		(void)s;                                                                           \
		expr;                                                                              \
	}
#define SERIES(name, fmt, v)                                                                       \
	EACH_NODE({                                                                                \
		fprintf(f, "%s{", name);                                                           \
		node_labels(f, s->node);                                                           \
		fprintf(f, "} " fmt "\n", v);                                                      \
	})
	help(f, "tandem_signald_media_node_up", "gauge", "1 while the media node answers.");
	SERIES("tandem_signald_media_node_up", "%d", media_node_up(s->node) ? 1 : 0);
	help(f, "tandem_signald_media_node_draining", "gauge",
	     "1 while the node takes no new calls (drained by itself or here).");
	EACH_NODE({
		struct media_node_info in;

		media_node_info(s->node, &in);
		fputs("tandem_signald_media_node_draining{", f);
		node_labels(f, s->node);
		fprintf(f, "} %d\n", in.draining || in.held);
	})
	help(f, "tandem_signald_media_node_down_total", "counter",
	     "Times the media node was found down.");
	SERIES("tandem_signald_media_node_down_total", "%llu", (unsigned long long)s->downs);
	help(f, "tandem_signald_media_rpc_timeouts_total", "counter",
	     "Media RPCs that got no answer in time.");
	SERIES("tandem_signald_media_rpc_timeouts_total", "%llu", (unsigned long long)s->timeouts);
	help(f, "tandem_signald_media_rpc_seconds", "histogram",
	     "Media RPC round trip, from the request sent to its answer read.");
	EACH_NODE(hist_series(f, "tandem_signald_media_rpc_seconds", &s->rpc, rpc_bounds,
	                      N_BOUNDS(rpc_bounds), s->node));
#undef SERIES
#undef EACH_NODE
}

static int render(void *arg, FILE *f)
{
	struct signald_metrics *m = arg;

	help(f, "tandem_signald_info", "gauge", "Node name and version (always 1).");
	fputs("tandem_signald_info{node_id=\"", f);
	label_value(f, m->deps.node_id);
	fprintf(f, "\",version=\"%s\"} 1\n", TANDEM_VERSION);
	calls(f, m);
	registrations(f, m);
	nodes(f, m);
	help(f, "tandem_signald_events_published_total", "counter",
	     "Events sent on the event stream.");
	fprintf(f, "tandem_signald_events_published_total %llu\n",
	        events_pub_count(m->deps.events));
	return ferror(f) ? -EIO : 0;
}

/* ---- serving ------------------------------------------------------------------------------ */

static int on_http(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct signald_metrics *m = (struct signald_metrics *)arg;

	su_wait_events(w, metrics_http_fd(m->http));
	metrics_http_run(m->http);
	return 0;
}

/* Connection timeouts need a turn even when nothing arrives. */
static void on_tick(su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
	metrics_http_run(((struct signald_metrics *)arg)->http);
}

int signald_metrics_new(struct signald_metrics **out, su_root_t *root, const char *listen,
                        const struct signald_metrics_deps *deps, char *err, size_t errlen)
{
	struct signald_metrics *m = calloc(1, sizeof(*m));
	su_wait_t w;
	int rc;

	if (!m)
		return -ENOMEM;
	m->root = root;
	m->deps = *deps;
	for (size_t i = 0; i < media_client_node_count(deps->media) && i < MAX_NODES; i++)
		m->nodes[m->n_nodes++].node = media_client_node(deps->media, i);
	rc = metrics_http_new(&m->http, listen, render, m, err, errlen);
	if (rc) {
		free(m);
		return rc;
	}
	if (su_wait_create(&w, metrics_http_fd(m->http), SU_WAIT_IN) != 0 ||
	    (m->wait_index = su_root_register(root, &w, on_http, (su_wakeup_arg_t *)m, 0)) <= 0 ||
	    !(m->tick = su_timer_create(su_root_task(root), 1000)) ||
	    su_timer_set_for_ever(m->tick, on_tick, (su_timer_arg_t *)m) != 0) {
		snprintf(err, errlen, "[metrics] listen: cannot poll the HTTP server");
		signald_metrics_free(m);
		return -EIO;
	}
	rc = observe_add(&(struct observer){
	    .arg = m,
	    .leg_state = on_leg_state,
	    .call_end = on_call_end,
	    .hold = on_hold,
	    .dtmf = on_dtmf,
	    .reg = on_reg,
	    .auth_failure = on_auth_failure,
	    .ban = on_ban,
	    .refused = on_refused,
	    .node = on_node,
	    .rpc = on_rpc,
	});
	if (rc) {
		snprintf(err, errlen, "[metrics] listen: too many listeners");
		signald_metrics_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void signald_metrics_free(struct signald_metrics *m)
{
	if (!m)
		return;
	if (m->tick)
		su_timer_destroy(m->tick);
	if (m->wait_index > 0)
		su_root_deregister(m->root, m->wait_index);
	metrics_http_free(m->http);
	free(m);
}
