/* The SIP stack's own UDP sockets, seen from outside: sofia-sip 1.12.11 gives no accessor for
 * them, so they are found by their bound port. Used to size the receive buffer and to read how
 * much is waiting in it, the signal of overload (see overload.h). */
#ifndef SIGNALD_SIP_SOCKET_H
#define SIGNALD_SIP_SOCKET_H

#include <stddef.h>

/* Fills fds with up to max UDP sockets of this process bound to port; returns how many (0 if
 * none, negative errno if the process's descriptors cannot be listed). The descriptors stay the
 * stack's: never close them. */
int sip_socket_find_udp(unsigned port, int *fds, size_t max);

/* Asks for a receive buffer of bytes (forced past net.core.rmem_max when allowed); returns the
 * size the kernel granted, or negative errno. */
int sip_socket_set_rcvbuf(int fd, int bytes);

/* Kernel memory held by datagrams waiting on fd, and the buffer's limit, in bytes. */
int sip_socket_queue(int fd, unsigned *queued, unsigned *limit);

#endif
