/* Limits on the SIP stack's incoming TCP connections that sofia-sip 1.12.11 cannot set itself:
 * it has no per-source connection cap, and its idle timeout spares a connection that never sent
 * a byte. A sweep over the process's sockets accepted on the SIP port (found as sip_socket.h
 * finds the UDP ones) reads each one's TCP_INFO and shuts down (shutdown(2), never close: the
 * descriptor stays sofia's, which then sees the end and frees its transport) those silent both
 * ways for idle_ms, and for each source address (IPv6: /64) the idlest ones past max_per_source.
 * Enforcement is per sweep, not per accept: between sweeps the descriptor limit is the bound.
 * Single-threaded. */
#ifndef SIGNALD_TCP_GUARD_H
#define SIGNALD_TCP_GUARD_H

#include <stddef.h>

struct tcp_guard_cfg {
	unsigned port;           /* the SIP listen port */
	unsigned idle_ms;        /* 0 = no idle rule */
	unsigned max_per_source; /* 0 = no cap */
	/* Called for each connection the sweep leaves open, with its peer address (may be NULL). */
	void (*on_open)(void *arg, const char *ip, unsigned port);
	void *arg;
};

struct tcp_guard_result {
	size_t seen;     /* accepted connections on the port */
	size_t idle;     /* shut down for silence */
	size_t over_cap; /* shut down past a source's cap */
};

/* One sweep. Returns 0 or a negative errno (the descriptors cannot be listed). */
int tcp_guard_sweep(const struct tcp_guard_cfg *cfg, struct tcp_guard_result *out);

#endif
