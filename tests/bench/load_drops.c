/* Socket drop counters: SO_MEMINFO for our own sockets; for another process, the inodes of its
 * socket descriptors (/proc/PID/fd) matched against /proc/net/udp. */
#include "load_drops.h"

#include <dirent.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

uint64_t load_drops_sockets(const int *fds, unsigned n)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t mem[SK_MEMINFO_VARS];
		socklen_t len = sizeof(mem);

		if (fds[i] >= 0 && getsockopt(fds[i], SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
		    len > SK_MEMINFO_DROPS * sizeof(uint32_t))
			total += mem[SK_MEMINFO_DROPS];
	}
	return total;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Sorted socket inodes of pid's open descriptors; caller frees *out. */
static int socket_inodes(pid_t pid, unsigned long **out, size_t *count)
{
	char path[64], link[64];
	unsigned long *v = NULL, ino;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (len <= 0)
			continue;
		link[len] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		if (n == cap) {
			unsigned long *nv = realloc(v, (cap ? cap * 2 : 1024) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 1024;
		}
		v[n++] = ino;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_ul);
	*out = v;
	*count = n;
	return 0;
}

int load_drops_process(pid_t pid, uint64_t *drops)
{
	unsigned long *inodes = NULL, ino;
	unsigned long long d;
	size_t n = 0;
	char line[512];
	FILE *f;
	int rc = socket_inodes(pid, &inodes, &n);

	*drops = 0;
	if (rc)
		return rc;
	f = fopen("/proc/net/udp", "r");
	if (!f) {
		rc = -errno;
		free(inodes);
		return rc;
	}
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu %*s %*s %llu", &ino,
		           &d) != 2)
			continue;
		if (n && bsearch(&ino, inodes, n, sizeof(*inodes), cmp_ul))
			*drops += d;
	}
	fclose(f);
	free(inodes);
	return 0;
}
