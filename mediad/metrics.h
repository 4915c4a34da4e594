/* The node's numbers in the Prometheus text format (version 0.0.4), for GET /metrics
 * (metrics_http.c). Control thread only: worker counters are read with relaxed loads, as Ping
 * reads them. */
#ifndef MEDIAD_METRICS_H
#define MEDIAD_METRICS_H

#include <stdio.h>

/* Writes every metric of md (a struct mediad) to out. Returns 0 or -EIO. */
int metrics_render(void *md, FILE *out);

#endif
