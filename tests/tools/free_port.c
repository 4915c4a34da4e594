/* free_port [COUNT [NEED]]: prints the first of COUNT consecutive loopback ports of which at
 * least NEED (default: all) are free for both UDP and TCP right now, picked at random in
 * 20000-31999 (below Linux's ephemeral range, so the kernel does not hand them to other sockets
 * meanwhile). NEED < COUNT suits a pool that skips busy ports, when a fully free block of that
 * size is hard to find on a busy machine. For test harnesses only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port_free(int type, unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, type, 0), ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return 0;
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	unsigned need = argc > 2 ? (unsigned)atoi(argv[2]) : count;

	if (count < 1 || count > 4000 || need < 1 || need > count)
		return 2;
	srand((unsigned)(time(NULL) ^ (getpid() << 8)));
	for (int attempt = 0; attempt < 500; attempt++) {
		unsigned base = 20000 + (unsigned)rand() % (12000 - count);
		unsigned i, busy = 0;

		base &= ~1u; /* even, so RTP ranges start on an RTP port */
		for (i = 0; i < count && busy <= count - need; i++)
			if (!port_free(SOCK_DGRAM, base + i) || !port_free(SOCK_STREAM, base + i))
				busy++;
		if (busy <= count - need) {
			printf("%u\n", base);
			return 0;
		}
	}
	fprintf(stderr, "free_port: no block of %u ports with %u free found\n", count, need);
	return 1;
}
