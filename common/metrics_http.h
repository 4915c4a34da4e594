/* GET /metrics over HTTP for Prometheus, served from the control loop: libmicrohttpd without
 * threads of its own, driven through one epoll descriptor the loop polls, so a scrape never
 * blocks the loop and a slow or hostile client holds nothing but its connection. Bounded: 16
 * connections, 16 KiB of request per connection, 5 s to send it; every answer closes the
 * connection (431 for a larger request). Only GET and HEAD of /metrics get 200. */
#ifndef TANDEM_METRICS_HTTP_H
#define TANDEM_METRICS_HTTP_H

#include <stdio.h>

struct metrics_http;

/* Writes the metrics to out; 0 or -errno. */
typedef int (*metrics_render_fn)(void *arg, FILE *out);

/* Listens on listen ("IP:PORT", "[IPv6]:PORT"); arg is passed to render. Returns 0, or -errno
 * with err saying what failed. */
int metrics_http_new(struct metrics_http **out, const char *listen, metrics_render_fn render,
                     void *arg, char *err, size_t errlen);
/* The descriptor to poll for input (-1 for m NULL). */
int metrics_http_fd(const struct metrics_http *m);
/* How long the loop may poll before metrics_http_run() is due (work pending: 0; timeouts),
 * or -1: only once the descriptor is readable (and for m NULL). A poll bounded by it must be
 * followed by metrics_http_run() whatever woke it. */
long metrics_http_timeout_ms(struct metrics_http *m);
/* Accepts, reads, answers what is ready now; never waits. */
void metrics_http_run(struct metrics_http *m);
void metrics_http_free(struct metrics_http *m);

#endif
