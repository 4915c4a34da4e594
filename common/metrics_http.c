/* libmicrohttpd in "external select" mode with its epoll descriptor: MHD_run() does what is
 * ready and returns. The request handler answers on its first call (headers read): no request
 * body is ever accepted. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "config.h"
#include "log.h"

#define MAX_CONNECTIONS 16
#define REQUEST_LIMIT   16384 /* bytes of request line and headers per connection */
#define TIMEOUT_S       5

struct metrics_http {
	struct MHD_Daemon *d;
	int fd;
	metrics_render_fn render;
	void *arg;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, char *body, size_t len,
                              const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned code, const char *msg)
{
	char *body = strdup(msg);

	return body ? answer(c, code, body, strlen(body), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct metrics_http *m = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return text(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	rc = m->render(m->arg, f);
	if (fclose(f) || rc) {
		free(body);
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render the metrics\n");
	}
	return answer(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* MHD's format strings, checked as such. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	/* Per connection, and peers are not trusted: not at the default level. */
	log_debug("metrics", "%s", msg);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *flags)
{
	char host[64];
	unsigned port;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (cfg_split_hostport(listen, host, sizeof(host), &port) || !port || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	return -EINVAL;
}

int metrics_http_new(struct metrics_http **out, const char *listen, metrics_render_fn render,
                     void *arg, char *err, size_t errlen)
{
	struct metrics_http *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	uint16_t port;

	if (!m)
		return -ENOMEM;
	if (parse_listen(listen, &ss, &flags)) {
		snprintf(err, errlen, "[metrics] listen: '%s' is not IP:PORT", listen);
		free(m);
		return -EINVAL;
	}
	port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
	                               : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	m->render = render;
	m->arg = arg;
	errno = 0;
	/* The logger first: what MHD says about the options after it goes to it too. */
	m->d = MHD_start_daemon(
	    flags, port, NULL, NULL, on_request, m, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_LIMIT, MHD_OPTION_END);
	info = m->d ? MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		int e = errno ? errno : EADDRNOTAVAIL;

		snprintf(err, errlen, "[metrics] listen: cannot serve HTTP on %s: %s", listen,
		         strerror(e));
		metrics_http_free(m);
		return -e;
	}
	m->fd = info->epoll_fd;
	log_info("metrics", "Prometheus metrics on http://%s/metrics", listen);
	*out = m;
	return 0;
}

int metrics_http_fd(const struct metrics_http *m)
{
	return m ? m->fd : -1;
}

long metrics_http_timeout_ms(struct metrics_http *m)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (!m || MHD_get_timeout(m->d, &ms) != MHD_YES)
		return -1;
	return ms > 1000 ? 1000 : (long)ms;
}

void metrics_http_run(struct metrics_http *m)
{
	if (m)
		MHD_run(m->d);
}

void metrics_http_free(struct metrics_http *m)
{
	if (!m)
		return;
	if (m->d)
		MHD_stop_daemon(m->d);
	free(m);
}
