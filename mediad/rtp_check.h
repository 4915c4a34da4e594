/* What a datagram on a media port is: RTP, RTCP, or something to drop. Checks the fixed headers
 * only (RFC 3550 section 5.1 and 6.4, RFC 5761 section 4 for telling RTP from RTCP on a muxed
 * port); payloads are never looked at. Pure functions, called once per packet. */
#ifndef MEDIAD_RTP_CHECK_H
#define MEDIAD_RTP_CHECK_H

#include <stddef.h>
#include <stdint.h>

enum rtp_class {
	RTP_CLASS_BAD = 0, /* not version 2, too short, or lengths that do not fit */
	RTP_CLASS_RTP,
	RTP_CLASS_RTCP,
};

#define RTP_HEADER_MIN  12
#define RTCP_HEADER_MIN 8

/* Classifies p[0..len): second octet 192-223 means RTCP (RFC 5761), anything else RTP. RTP must
 * hold its CSRC list, header extension and padding; RTCP its first packet's stated length. */
enum rtp_class rtp_classify(const uint8_t *p, size_t len);

/* Header fields the stats need; valid only for RTP_CLASS_RTP. */
static inline uint16_t rtp_seq(const uint8_t *p)
{
	return (uint16_t)(p[2] << 8 | p[3]);
}

static inline uint32_t rtp_timestamp(const uint8_t *p)
{
	return (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
}

static inline uint32_t rtp_ssrc(const uint8_t *p)
{
	return (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
}

#endif
