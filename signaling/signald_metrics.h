/* signald's numbers in the Prometheus text format, for GET /metrics ([metrics] listen; served
 * by metrics_http.c from the signald loop): calls by state, new calls, hangups by cause, call
 * setup time, registrations, authentication failures and bans, admission refusals by cause,
 * media RPC latency and timeouts per node, media nodes up. Counts what observe.h reports; the
 * gauges are read from the modules at each scrape. Loop thread only. */
#ifndef SIGNALD_METRICS_H
#define SIGNALD_METRICS_H

#include <stddef.h>

#include <sofia-sip/su_wait.h>

struct b2bua;
struct media_client;
struct store;
struct events_pub;

/* Borrowed; outlive the metrics. */
struct signald_metrics_deps {
	const char *node_id;
	struct b2bua *b2bua;
	struct media_client *media;
	struct store *store;
	struct events_pub *events; /* NULL: none */
};

struct signald_metrics;

/* Listens on listen (IP:PORT) from root's loop and starts counting. 0, or -errno with err. */
int signald_metrics_new(struct signald_metrics **out, su_root_t *root, const char *listen,
                        const struct signald_metrics_deps *deps, char *err, size_t errlen);
void signald_metrics_free(struct signald_metrics *m);

#endif
