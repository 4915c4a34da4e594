/* The TCP connections phones registered on that are still open, so a call to a TCP binding can
 * go back over the phone's own connection (RFC 5923 reuse: the phone may accept none, or sit
 * behind a firewall) rather than over a new one to its contact. sofia-sip 1.12.11 neither tells
 * when a connection closes nor lets the application ask, so the set is rebuilt from the
 * process's sockets by each tcp_guard sweep (every few seconds) and a REGISTER taken over TCP
 * adds its connection at once. A connection closed since the last sweep may still be listed.
 * Entries are "ip port" as inet_ntop writes the address. Single-threaded. */
#ifndef SIGNALD_TCP_FLOWS_H
#define SIGNALD_TCP_FLOWS_H

#include <stdbool.h>

struct tcp_flows;

/* Returns 0 or -ENOMEM; free with tcp_flows_free (NULL is fine). */
int tcp_flows_new(struct tcp_flows **out);
void tcp_flows_free(struct tcp_flows *f);

/* Adds one open connection by its peer address. Returns 0 or -ENOMEM (-EINVAL for an address
 * too long to be an IP literal). */
int tcp_flows_add(struct tcp_flows *f, const char *ip, unsigned port);

/* A rebuild: begin forgets every entry, the adds that follow are the open connections, end
 * makes them searchable. Lookups between begin and end find nothing. */
void tcp_flows_begin(struct tcp_flows *f);
void tcp_flows_end(struct tcp_flows *f);

/* Whether the connection from ip:port is listed. */
bool tcp_flows_has(const struct tcp_flows *f, const char *ip, unsigned port);

#endif
