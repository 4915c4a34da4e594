/* /proc/self/fd is listed once per sweep; each candidate costs three getsockopt/getsockname
 * calls. The per-source rule sorts the candidates by source, then idlest first. */
#include "tcp_guard.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "failban.h"

struct conn {
	int fd;
	unsigned idle_ms; /* since data last went either way */
	char key[FAILBAN_KEY_LEN];
	char ip[INET6_ADDRSTRLEN]; /* the peer */
	unsigned port;
};

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/* Fills c when fd is a TCP connection accepted on port. */
static bool accepted_on(int fd, unsigned port, struct conn *c)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer), tlen = sizeof(int), ilen;
	struct tcp_info ti;
	int type = 0;
	const void *addr;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) || type != SOCK_STREAM)
		return false;
	if (getsockname(fd, (struct sockaddr *)&local, &llen) || port_of(&local) != port)
		return false;
	/* The listening socket has no peer. */
	if (getpeername(fd, (struct sockaddr *)&peer, &plen))
		return false;
	memset(&ti, 0, sizeof(ti));
	ilen = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &ilen))
		return false;
	addr = peer.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&peer)->sin_addr
	                                 : (const void *)&((struct sockaddr_in6 *)&peer)->sin6_addr;
	if (!inet_ntop(peer.ss_family, addr, c->ip, sizeof(c->ip)))
		return false;
	c->fd = fd;
	c->port = port_of(&peer);
	c->idle_ms = ti.tcpi_last_data_recv < ti.tcpi_last_data_sent ? ti.tcpi_last_data_recv
	                                                             : ti.tcpi_last_data_sent;
	failban_source_key(c->ip, true, c->key);
	return true;
}

static int by_source_then_busiest(const void *a, const void *b)
{
	const struct conn *x = a, *y = b;
	int k = strcmp(x->key, y->key);

	if (k)
		return k;
	return x->idle_ms < y->idle_ms ? -1 : x->idle_ms > y->idle_ms;
}

int tcp_guard_sweep(const struct tcp_guard_cfg *cfg, struct tcp_guard_result *out)
{
	DIR *d = opendir("/proc/self/fd");
	struct conn *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		struct conn c;

		if (*end || end == e->d_name || fd < 0 || fd == dirfd(d) ||
		    !accepted_on((int)fd, cfg->port, &c))
			continue;
		out->seen++;
		if (cfg->idle_ms && c.idle_ms >= cfg->idle_ms) {
			shutdown(c.fd, SHUT_RDWR);
			out->idle++;
			continue;
		}
		if (!cfg->max_per_source) {
			if (cfg->on_open)
				cfg->on_open(cfg->arg, c.ip, c.port);
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct conn *nv = realloc(v, ncap * sizeof(*v));

			if (!nv)
				break; /* the cap waits for the next sweep */
			v = nv;
			cap = ncap;
		}
		v[n++] = c;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_source_then_busiest);
	for (size_t i = 0, run = 0; i < n; i++) {
		run = i && strcmp(v[i].key, v[i - 1].key) == 0 ? run + 1 : 0;
		if (run >= cfg->max_per_source) {
			shutdown(v[i].fd, SHUT_RDWR);
			out->over_cap++;
		} else if (cfg->on_open) {
			cfg->on_open(cfg->arg, v[i].ip, v[i].port);
		}
	}
	free(v);
	return 0;
}
