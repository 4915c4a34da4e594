/* Endpoint addresses of the simulated calls: the fixed layout of the generator's own ports and
 * the two simple sources of relay targets (direct baseline, ports file). */
#include "load_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_addr(struct sockaddr_in *sa, struct in_addr ip, unsigned port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr = ip;
	sa->sin_port = htons((uint16_t)port);
}

int load_setup_bind_addrs(struct load_call *calls, unsigned n, unsigned base_port)
{
	struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};

	if (base_port < 1024 || (uint64_t)base_port + 2ull * n > 65536)
		return -ERANGE;
	for (unsigned i = 0; i < n; i++) {
		set_addr(&calls[i].a_bind, lo, base_port + 2 * i);
		set_addr(&calls[i].b_bind, lo, base_port + 2 * i + 1);
	}
	return 0;
}

void load_setup_direct(struct load_call *calls, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		calls[i].a_dest = calls[i].b_bind;
		calls[i].b_dest = calls[i].a_bind;
	}
}

static int parse_endpoint(const char *ip, const char *port, struct sockaddr_in *out)
{
	struct in_addr a;
	char *end;
	long p;

	if (inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	set_addr(out, a, (unsigned)p);
	return 0;
}

int load_setup_ports_file(const char *path, struct load_call *calls, unsigned n)
{
	char line[256], ip_a[64], port_a[16], ip_b[64], port_b[16], extra[2];
	unsigned lineno = 0, got = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		rc = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return rc;
	}
	while (got < n && fgets(line, sizeof(line), f)) {
		const char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '#' || !*p)
			continue;
		if (sscanf(p, "%63s %15s %63s %15s %1s", ip_a, port_a, ip_b, port_b, extra) != 4 ||
		    parse_endpoint(ip_a, port_a, &calls[got].a_dest) ||
		    parse_endpoint(ip_b, port_b, &calls[got].b_dest)) {
			fprintf(stderr, "%s:%u: expected \"a_ip a_port b_ip b_port\"\n", path,
			        lineno);
			rc = -EINVAL;
			break;
		}
		got++;
	}
	if (!rc && got < n) {
		fprintf(stderr, "%s: %u calls listed, %u needed\n", path, got, n);
		rc = -EINVAL;
	}
	fclose(f);
	return rc;
}
