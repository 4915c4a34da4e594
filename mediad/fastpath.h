/* The kernel fast path: a tc ingress program (bpf/relay.bpf.c, embedded in mediad) that
 * forwards the RTP of streams whose both remotes are pinned and that need no userspace work
 * (stream_needs.h), without waking the relay thread. mediad loads it at start on the devices of
 * [rtp] bind_ip and lo, replacing a filter left by an earlier process with the same bind_ip and
 * port range, and removes it at exit; the map is not pinned, so it dies with the program.
 *
 * Workers install and remove their own streams' entries (one per leg: what arrives on the
 * leg's RTP port from its remote) and fold the entries' counters into the legs' counters, so
 * that stats, RTP timeout and final figures include what the kernel forwarded. Everything the
 * program does not forward (strangers, RTCP, anything not RTP) reaches the socket as before.
 *
 * fastpath_start/stop: control thread, before the workers start and after they stopped. The
 * rest: the stream's worker; all are no-ops when the fast path is off. Map updates are system
 * calls: they happen on control messages and on the worker's 100 ms tick, never per packet. */
#ifndef MEDIAD_FASTPATH_H
#define MEDIAD_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

struct mediad_config;
struct relay_session;

/* Loads and attaches the program when cfg says auto and the system allows it; logs the mode
 * either way ("fast path: kernel (tc) on lo" or "fast path: off (why)"). Never fails mediad:
 * without it the node relays in userspace as always. */
void fastpath_start(const struct mediad_config *cfg);
/* Detaches the filters and frees program and map. */
void fastpath_stop(void);
bool fastpath_enabled(void);
/* "kernel" or "off", for status output. */
const char *fastpath_mode(void);

/* Tick: takes streams that now need userspace out, puts eligible ones in (both legs latched or
 * pinned, IPv4, sendrecv, plain), and follows a remote that moved; with sync, folds the
 * counters too (two system calls per stream on the fast path, none otherwise). */
void fastpath_session_refresh(struct relay_session *rs, bool sync);
/* Takes every stream of rs off the fast path now (update, delete), counters folded first. */
void fastpath_session_leave(struct relay_session *rs);
/* Folds the kernel counters of rs into its legs (before a snapshot). */
void fastpath_session_sync(struct relay_session *rs);

struct relay_stream;
/* A packet of st reached the relay although st is on the fast path: when a leg's remote moved
 * (relearning), the entries follow it now. No system call unless something changed. */
void fastpath_stream_check(struct relay_stream *st);
/* Folds leg's kernel counters now: before the relay decides on a stranger by how long the
 * leg's remote has been silent (relearning), which the kernel alone knows. */
void fastpath_leg_sync(struct relay_stream *st, int leg);

struct fastpath_totals {
	uint64_t packets, bytes; /* forwarded by the kernel, as folded so far */
	uint64_t entries;        /* directions installed now */
};
void fastpath_totals(struct fastpath_totals *out);

#endif
