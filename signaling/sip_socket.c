/* Finding sofia-sip's UDP sockets by port, and reading their receive queues with SO_MEMINFO
 * (one getsockopt, no /proc parsing on the hot path). */
#include "sip_socket.h"

#include <dirent.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

int sip_socket_find_udp(unsigned port, int *fds, size_t max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) != NULL && n < max) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd, type = 0;
		socklen_t tlen = sizeof(type);
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || v < 0 || v == dirfd(d))
			continue;
		fd = (int)v;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) || type != SOCK_DGRAM)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &len))
			continue;
		if ((ss.ss_family == AF_INET &&
		     ntohs(((struct sockaddr_in *)&ss)->sin_port) == port) ||
		    (ss.ss_family == AF_INET6 &&
		     ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) == port))
			fds[n++] = fd;
	}
	closedir(d);
	return (int)n;
}

int sip_socket_set_rcvbuf(int fd, int bytes)
{
	int got = 0;
	socklen_t len = sizeof(got);

	/* FORCE needs CAP_NET_ADMIN; without it the kernel caps at net.core.rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len))
		return -errno;
	return got;
}

int sip_socket_queue(int fd, unsigned *queued, unsigned *limit)
{
	uint32_t mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return -errno;
	*queued = mem[SK_MEMINFO_RMEM_ALLOC];
	*limit = mem[SK_MEMINFO_RCVBUF];
	return 0;
}
