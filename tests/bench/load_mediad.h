/* Sets up and tears down the load generator's calls as mediad sessions through the media RPC
 * (proto/media.proto): one session per call, one audio stream per leg, the A and B endpoints as
 * the legs' remotes; the local ports mediad answers become the targets A and B send to.
 * The handle owns its ZeroMQ context and DEALER socket. */
#ifndef TANDEM_LOAD_MEDIAD_H
#define TANDEM_LOAD_MEDIAD_H

#include <stdint.h>

#include "load_setup.h"
#include "load_srtp.h"

struct load_mediad;

struct load_mediad_node {
	unsigned workers;  /* relay threads */
	unsigned sessions; /* live sessions before we start */
	unsigned free_ports;
	char version[32];
};

/* Final counters summed over every session and both legs (RTP received by mediad; with a chain,
 * every hop counts the packet). */
struct load_mediad_totals {
	uint64_t packets;
	uint64_t dropped;
	uint64_t srtp_failed; /* of dropped: SRTP that failed authentication on mediad */
};

int load_mediad_open(struct load_mediad **out, const char *endpoint);
void load_mediad_close(struct load_mediad *m);
/* Ping; fills node. Returns 0 or -errno (-ETIMEDOUT when mediad does not answer). */
int load_mediad_ping(struct load_mediad *m, struct load_mediad_node *node);
/* From now on, sessions are created with SDES SRTP on the legs srtp says (keys of call i from
 * load_srtp_key(), the generator's own as the leg's rx key, the relay's as its tx key); only
 * with chain 1. srtp stays the caller's and must outlive the sessions' creation. */
void load_mediad_set_srtp(struct load_mediad *m, const struct load_srtp *srtp);
/* Creates chain sessions "<prefix>-<i>-<hop>" for each of calls 0..n-1 and fills their
 * a_dest/b_dest. With chain > 1 a call's packets cross mediad chain times: hop h's leg B sends
 * to hop h+1's leg A, so one packet from the generator costs mediad chain relayed packets.
 * *created counts the sessions that exist, also on failure (delete them). Returns 0, -EPROTO
 * (an error status, printed) or -errno. */
int load_mediad_create(struct load_mediad *m, const char *prefix, struct load_call *calls,
                       unsigned n, unsigned chain, unsigned *created);
/* Deletes the first count sessions load_mediad_create made and sums their final counters.
 * Returns 0 or the first error; it tries every session regardless. */
int load_mediad_delete(struct load_mediad *m, const char *prefix, unsigned chain, unsigned count,
                       struct load_mediad_totals *totals);

#endif
