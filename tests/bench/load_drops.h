/* Where did lost packets die? Counts datagrams the kernel dropped because a socket's receive
 * queue was full: on the generator's own sockets (it read too slowly) and on every UDP socket of
 * the relay process (the relay read too slowly). Read once, after the traffic, before the
 * sockets close. */
#ifndef TANDEM_LOAD_DROPS_H
#define TANDEM_LOAD_DROPS_H

#include <stdint.h>
#include <sys/types.h>

/* Sum of SO_MEMINFO drop counters over n sockets. */
uint64_t load_drops_sockets(const int *fds, unsigned n);
/* Sum of the "drops" column of /proc/net/udp over the sockets process pid holds open.
 * Returns 0 or -errno (no such process, /proc unreadable). */
int load_drops_process(pid_t pid, uint64_t *drops);

#endif
