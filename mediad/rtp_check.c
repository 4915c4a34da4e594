/* RTP/RTCP header validation. Every length is checked against the datagram before it is used,
 * so a hostile packet can at worst be classified RTP_CLASS_BAD. */
#include "rtp_check.h"

static enum rtp_class check_rtcp(const uint8_t *p, size_t len)
{
	size_t first;

	if (len < RTCP_HEADER_MIN)
		return RTP_CLASS_BAD;
	/* Length is in 32-bit words minus one; a compound packet may follow, and SRTCP adds a
	 * trailer, so only the first packet must fit. */
	first = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
	return first <= len ? RTP_CLASS_RTCP : RTP_CLASS_BAD;
}

static enum rtp_class check_rtp(const uint8_t *p, size_t len)
{
	size_t hdr = RTP_HEADER_MIN + 4u * (p[0] & 0x0f);

	if (len < RTP_HEADER_MIN || hdr > len)
		return RTP_CLASS_BAD;
	if (p[0] & 0x10) { /* header extension: 4-byte header, then length in words */
		if (hdr + 4 > len)
			return RTP_CLASS_BAD;
		hdr += 4 + 4u * (size_t)(p[hdr + 2] << 8 | p[hdr + 3]);
		if (hdr > len)
			return RTP_CLASS_BAD;
	}
	if (p[0] & 0x20) { /* padding: the last octet counts itself and the padding */
		size_t pad = p[len - 1];

		if (pad == 0 || hdr + pad > len)
			return RTP_CLASS_BAD;
	}
	return RTP_CLASS_RTP;
}

enum rtp_class rtp_classify(const uint8_t *p, size_t len)
{
	if (len < RTCP_HEADER_MIN || (p[0] >> 6) != 2)
		return RTP_CLASS_BAD;
	if (p[1] >= 192 && p[1] <= 223)
		return check_rtcp(p, len);
	return check_rtp(p, len);
}
