/* free_port [COUNT [NEED]]: prints the first of COUNT consecutive loopback ports of which at
 * least NEED (default: all) are free for both UDP and TCP right now, picked at random in
 * 20000-31999 (below Linux's ephemeral range, so the kernel does not hand them to other sockets
 * meanwhile). NEED < COUNT suits a pool that skips busy ports, when a fully free block of that
 * size is hard to find on a busy machine. For test harnesses only.
 *
 * A port that is free now may still be taken by the time its user binds it, and a test asks for
 * several blocks before it binds any: blocks handed out in the last minute are remembered in a
 * shared file (under an flock) and never handed out again meanwhile, so two answers do not
 * overlap, within one test or across tests run in parallel. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/file.h>
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

#define RECENT_FILE "/tmp/tandem-free-port.recent"
#define RECENT_MAX  512
#define RECENT_S    60

struct block {
	unsigned base, count;
	long at;
};

static struct block recent[RECENT_MAX];
static unsigned n_recent;

/* Reads the blocks handed out in the last RECENT_S seconds (the file is locked by the caller). */
static void recent_load(FILE *f, long now)
{
	struct block b;

	rewind(f);
	while (n_recent < RECENT_MAX && fscanf(f, "%u %u %ld", &b.base, &b.count, &b.at) == 3)
		if (now - b.at < RECENT_S)
			recent[n_recent++] = b;
}

static void recent_save(FILE *f)
{
	if (ftruncate(fileno(f), 0) != 0)
		return;
	rewind(f);
	for (unsigned i = 0; i < n_recent; i++)
		fprintf(f, "%u %u %ld\n", recent[i].base, recent[i].count, recent[i].at);
	fflush(f);
}

static int recently_given(unsigned base, unsigned count)
{
	for (unsigned i = 0; i < n_recent; i++)
		if (base < recent[i].base + recent[i].count && recent[i].base < base + count)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	unsigned need = argc > 2 ? (unsigned)atoi(argv[2]) : count;

	if (count < 1 || count > 4000 || need < 1 || need > count)
		return 2;
	long now = (long)time(NULL);
	FILE *f = fopen(RECENT_FILE, "a+");

	if (f && flock(fileno(f), LOCK_EX) == 0)
		recent_load(f, now);
	srand((unsigned)(time(NULL) ^ (getpid() << 8)));
	/* The first 500 tries keep clear of recent blocks; a large block may find no such gap, and
	 * then only what is free now counts. */
	for (int attempt = 0; attempt < 1000; attempt++) {
		unsigned base = 20000 + (unsigned)rand() % (12000 - count);
		unsigned i, busy = 0;

		base &= ~1u; /* even, so RTP ranges start on an RTP port */
		if (attempt < 500 && recently_given(base, count))
			continue;
		for (i = 0; i < count && busy <= count - need; i++)
			if (!port_free(SOCK_DGRAM, base + i) || !port_free(SOCK_STREAM, base + i))
				busy++;
		if (busy <= count - need) {
			printf("%u\n", base);
			if (f) {
				if (n_recent == RECENT_MAX)
					n_recent--; /* full: the last entry gives way */
				recent[n_recent++] = (struct block){base, count, now};
				recent_save(f);
				fclose(f); /* releases the lock */
			}
			return 0;
		}
	}
	if (f)
		fclose(f);
	fprintf(stderr, "free_port: no block of %u ports with %u free found\n", count, need);
	return 1;
}
