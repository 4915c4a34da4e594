/* Port pairs in a FIFO of free slots plus an in-use bitmap that catches double releases. */
#include "port_pool.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "net_addr.h"

struct port_pool {
	struct net_addr bind; /* port filled per socket */
	unsigned first;       /* RTP port of slot 0 */
	unsigned total;
	uint32_t *fifo; /* free slots, ring of total entries */
	unsigned head, count;
	uint8_t *in_use;    /* per slot */
	atomic_uchar *held; /* borrowed, per port: published for other threads; NULL = none */
};

void port_pool_publish(struct port_pool *pool, atomic_uchar *held)
{
	pool->held = held;
}

static void publish(struct port_pool *pool, unsigned port, unsigned char v)
{
	if (!pool->held)
		return;
	atomic_store_explicit(&pool->held[port], v, memory_order_relaxed);
	if (port < 65535)
		atomic_store_explicit(&pool->held[port + 1], v, memory_order_relaxed);
}

int port_pool_new(struct port_pool **out, const char *bind_ip, unsigned port_min, unsigned port_max)
{
	struct port_pool *p;
	unsigned first = (port_min + 1) & ~1u;

	if (port_max > 65535 || first + 1 > port_max)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (net_addr_parse(bind_ip, 0, &p->bind)) {
		free(p);
		return -EINVAL;
	}
	p->first = first;
	p->total = (port_max - first + 1) / 2;
	p->fifo = calloc(p->total, sizeof(*p->fifo));
	p->in_use = calloc(p->total, 1);
	if (!p->fifo || !p->in_use) {
		port_pool_free(p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < p->total; i++)
		p->fifo[i] = i;
	p->count = p->total;
	*out = p;
	return 0;
}

void port_pool_free(struct port_pool *pool)
{
	if (!pool)
		return;
	free(pool->fifo);
	free(pool->in_use);
	free(pool);
}

int port_pool_start_at(struct port_pool *pool, unsigned start)
{
	if (pool->count != pool->total || pool->head != 0)
		return -EBUSY;
	for (unsigned i = 0; i < pool->total; i++)
		pool->fifo[i] = (i + start) % pool->total;
	return 0;
}

/* A blocking socket on purpose: io_uring completes operations on O_NONBLOCK files with
 * -EAGAIN instead of waiting for readiness, which would end every multishot receive. */
static int bind_one(const struct port_pool *p, unsigned port, int *fd_out)
{
	struct net_addr a = p->bind;
	int fd = socket(a.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1, rc;

	if (fd < 0)
		return -errno;
	if (a.u.sa.sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) {
		rc = -errno;
		close(fd);
		return rc;
	}
	net_addr_set_port(&a, port);
	if (bind(fd, &a.u.sa, a.len)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

/* Binds one pair; -EADDRINUSE/-EACCES mean "try another pair", anything else is fatal. */
static int bind_pair(const struct port_pool *p, unsigned port, bool mux, struct port_lease *l)
{
	int rc = bind_one(p, port, &l->rtp_fd);

	l->rtcp_fd = -1;
	if (rc)
		return rc;
	if (!mux) {
		rc = bind_one(p, port + 1, &l->rtcp_fd);
		if (rc) {
			close(l->rtp_fd);
			l->rtp_fd = -1;
			return rc;
		}
	}
	l->port = (uint16_t)port;
	l->mux = mux;
	return 0;
}

int port_pool_acquire(struct port_pool *pool, bool mux, struct port_lease *out)
{
	unsigned tries = pool->count;

	out->rtp_fd = out->rtcp_fd = -1;
	while (tries--) {
		uint32_t slot = pool->fifo[pool->head];
		unsigned port = pool->first + 2 * slot;
		int rc;

		pool->head = (pool->head + 1) % pool->total;
		pool->count--;
		rc = bind_pair(pool, port, mux, out);
		if (!rc) {
			pool->in_use[slot] = 1;
			publish(pool, port, 1);
			return 0;
		}
		/* Back of the line: the port may be free again later. */
		pool->fifo[(pool->head + pool->count) % pool->total] = slot;
		pool->count++;
		if (rc != -EADDRINUSE && rc != -EACCES)
			return rc;
		log_debug("ports", "port %u%s busy in the system, skipped", port, mux ? "" : "/+1");
	}
	return -ENOSPC;
}

int port_pool_release(struct port_pool *pool, uint16_t port)
{
	uint32_t slot;

	if (port < pool->first || (port - pool->first) % 2)
		return -EINVAL;
	slot = (port - pool->first) / 2;
	if (slot >= pool->total || !pool->in_use[slot])
		return -EINVAL;
	pool->in_use[slot] = 0;
	publish(pool, port, 0);
	pool->fifo[(pool->head + pool->count) % pool->total] = slot;
	pool->count++;
	return 0;
}

unsigned port_pool_free_count(const struct port_pool *pool)
{
	return pool->count;
}

unsigned port_pool_total(const struct port_pool *pool)
{
	return pool->total;
}

int port_pool_family(const struct port_pool *pool)
{
	return pool->bind.u.sa.sa_family;
}
