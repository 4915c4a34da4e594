/* Why a received datagram was not relayed: counted per worker (uring_loop_stats.drops) and
 * exported as tandem_mediad_packets_dropped_total{reason}. */
#ifndef MEDIAD_DROP_REASON_H
#define MEDIAD_DROP_REASON_H

enum drop_reason {
	DROP_MALFORMED,      /* not RTP/RTCP, or RTP on an RTCP port and the reverse */
	DROP_TRUNCATED,      /* larger than the packet buffers */
	DROP_STRANGE_SOURCE, /* from an address the leg is not latched or pinned to */
	DROP_DIRECTION,      /* the SDP direction (hold, recvonly) says not to forward */
	DROP_NO_REMOTE,      /* the other leg has no address to send to yet */
	DROP_CLOSING,        /* the stream or its socket is being removed */
	DROP_QUEUE_FULL,     /* no submission slot for the send */
	DROP_SEND_ERROR,     /* the kernel refused the send (full socket buffer, unreachable) */
	DROP_SRTP_FAILED,    /* SRTP/SRTCP authentication or replay check failed, or protect did */
	DROP_N
};

static inline const char *drop_reason_name(enum drop_reason r)
{
	static const char *const names[DROP_N] = {
	    "malformed", "truncated",  "strange_source", "direction",   "no_remote",
	    "closing",   "queue_full", "send_error",     "srtp_failed",
	};

	return (unsigned)r < DROP_N ? names[r] : "unknown";
}

#endif
