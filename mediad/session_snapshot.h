/* A session as the worker sees it at one instant: ports, remotes, directions and counters, in
 * plain C. Workers fill it (relay_session_snapshot), the control thread turns it into a
 * SessionInfo reply (session_info.c); it carries no pointers, so it crosses threads as a copy. */
#ifndef MEDIAD_SESSION_SNAPSHOT_H
#define MEDIAD_SESSION_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "net_addr.h"

/* m-lines per session; a request asking for more is refused. */
#define SESSION_MAX_STREAMS 16

/* Numbered as media.proto's Direction and MediaKind, so values pass through unchanged. */
enum media_direction {
	DIR_SENDRECV = 1,
	DIR_SENDONLY = 2,
	DIR_RECVONLY = 3,
	DIR_INACTIVE = 4,
};

enum media_kind {
	KIND_UNSPECIFIED = 0,
	KIND_AUDIO = 1,
	KIND_VIDEO = 2,
	KIND_OTHER = 3,
};

struct traffic_snapshot {
	uint64_t packets, bytes, forwarded, dropped, strange_source, malformed, srtp_failed, lost;
	uint64_t last_age_ms; /* 0: nothing accepted yet */
	double jitter_ms;
};

struct leg_snapshot {
	uint16_t rtp_port, rtcp_port; /* local; equal when rtcp_mux */
	bool rtcp_mux;
	uint8_t direction; /* enum media_direction */
	uint8_t srtp;      /* enum srtp_suite; 0 = plain */
	struct net_addr remote_rtp, remote_rtcp;
	struct traffic_snapshot rtp, rtcp;
};

struct stream_snapshot {
	uint8_t kind; /* enum media_kind */
	bool removed;
	uint32_t clock_rate;
	struct leg_snapshot leg[2]; /* [0] = leg A, [1] = leg B */
};

struct session_snapshot {
	uint32_t n_streams;
	uint64_t rtp_idle_ms;
	struct stream_snapshot streams[SESSION_MAX_STREAMS];
};

#endif
