/* The measured traffic of the RTP load generator: one UDP socket per endpoint (A and B of every
 * call), 50 packets/s per direction, send times spread evenly over the 20 ms period, all driven by
 * one io_uring (batched sends, multishot receives into a provided-buffer ring) on one thread.
 * The receiver checks every packet (call, direction, sequence) and measures loss, duplicates,
 * reordering and one-way latency. The caller owns the calls array and the result. */
#ifndef TANDEM_LOAD_TRAFFIC_H
#define TANDEM_LOAD_TRAFFIC_H

#include <stdint.h>
#include <sys/types.h>

#include "load_hist.h"
#include "load_setup.h"
#include "load_srtp.h"

#define LOAD_PERIOD_NS  20000000ull /* 20 ms: 50 packets/s per direction */
#define LOAD_RTP_HDR    12
#define LOAD_PAYLOAD    160 /* G.711, 20 ms */
#define LOAD_PACKET_LEN (LOAD_RTP_HDR + LOAD_PAYLOAD)

struct load_traffic_cfg {
	unsigned calls;
	unsigned warmup_rounds;   /* 20 ms rounds sent before the measured window */
	unsigned measured_rounds; /* rounds in the measured window */
	unsigned drain_ms;        /* receive this long after the last send */
	unsigned batch_us;        /* sends due within this much are submitted together */
	pid_t relay_pid;          /* >0: sample its CPU over the measured window */
	/* >=0: count this core's busy time (all but idle) as the relay's instead of relay_pid's
	 * (a relay that forwards in the kernel, its receive softirq steered to that core). */
	int relay_core;
	int busy_poll;          /* never sleep: poll the ring (no wake-ups for the relay to pay) */
	struct load_srtp *srtp; /* NULL: plain RTP everywhere; else its SRTP endpoints encrypt
	                         * what they send and decrypt what they receive (load_srtp.h) */
};

/* One direction: 0 = A to B, 1 = B to A. Counts cover packets sent in the measured window. */
struct load_dir_result {
	uint64_t sent;      /* submitted for sending */
	uint64_t received;  /* distinct packets received before the drain ended */
	uint64_t dups;      /* copies of a packet already received */
	uint64_t reordered; /* arrived after a later packet of the same stream */
	struct load_hist latency;
};

struct load_traffic_result {
	struct load_dir_result dir[2];
	uint64_t sent_total; /* every packet, warm-up included */
	uint64_t received_total;
	uint64_t misrouted;   /* arrived on a socket that is not its stream's receiver */
	uint64_t malformed;   /* wrong size, not RTP, not ours */
	uint64_t send_errors; /* sends the kernel refused (e.g. ECONNREFUSED: nobody listens) */
	uint64_t recv_errors;
	uint64_t rearms;      /* multishot receives that ended and were armed again */
	struct load_hist lag; /* how late sends left against their schedule (measured window) */
	double window_s;      /* measured window, wall time */
	double gen_cpu_s;     /* this process's CPU over the window */
	double gen_idle_s;    /* busy poll: time spent in loops that found nothing to do */
	int relay_sampled;    /* relay CPU figures below are valid */
	double relay_cpu_s;   /* relay utime+stime over the window */
	uint64_t gen_drops;   /* datagrams dropped on full receive queues of our sockets */
	int relay_drops_ok;   /* relay_drops below is valid */
	uint64_t relay_drops; /* the same on the relay's UDP sockets (whole run) */
};

/* Opens the sockets, runs warm-up + measured window + drain, closes everything. Returns 0 or
 * -errno (setup failures are printed). */
int load_traffic_run(const struct load_traffic_cfg *cfg, const struct load_call *calls,
                     struct load_traffic_result *res);

#endif
