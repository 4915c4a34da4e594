/* Where each simulated call's two endpoints live and where they send: the generator's own
 * addresses (A and B of call i bind base+2i and base+2i+1 on 127.0.0.1, so an external driver can
 * compute them) and the relay ports they target, from one of three sources: direct (A and B talk
 * to each other, the baseline), a ports file written by an external driver, or mediad's RPC
 * (load_mediad.h). The calls array is owned by the caller. */
#ifndef TANDEM_LOAD_SETUP_H
#define TANDEM_LOAD_SETUP_H

#include <netinet/in.h>
#include <stdint.h>

struct load_call {
	struct sockaddr_in a_bind; /* A endpoint (generator) */
	struct sockaddr_in b_bind; /* B endpoint (generator) */
	struct sockaddr_in a_dest; /* where A sends: the relay's port facing A */
	struct sockaddr_in b_dest; /* where B sends: the relay's port facing B */
};

/* Fills a_bind/b_bind of n calls from base_port. Returns 0, or -ERANGE when the ports would pass
 * 65535. */
int load_setup_bind_addrs(struct load_call *calls, unsigned n, unsigned base_port);
/* Baseline without relay: A sends to B's address and B to A's. */
void load_setup_direct(struct load_call *calls, unsigned n);
/* Reads n lines "a_ip a_port b_ip b_port" (where A must send, where B must send); blank lines and
 * lines starting with '#' are skipped. Errors are printed as "FILE:LINE: problem". Returns 0,
 * -EINVAL (bad line or fewer than n lines) or -errno (open). */
int load_setup_ports_file(const char *path, struct load_call *calls, unsigned n);

#endif
