/* Whether a side of a call talks to us without a NAT in between, so that the media node can pin
 * its media to the address its SDP gives (SessionOptions.strict_source) instead of learning it
 * from the packets. Pure functions. */
#ifndef SIGNALD_MEDIA_DIRECT_H
#define SIGNALD_MEDIA_DIRECT_H

#include <stdbool.h>
#include <stddef.h>

#include "media_plan.h"

/* True when plan has an active stream and every active stream's c= address (and a=rtcp address
 * when given) is sip_src_ip, the address the side's SIP came from: its SDP names the phone's
 * real address. False for a NULL sip_src_ip, an on-hold address or any other. */
bool media_direct(const struct media_plan *plan, const char *sip_src_ip);

/* The host of a SIP URI when it is an IP literal ("sip:u@[::1]:5062;transport=udp" -> "::1").
 * Returns 0, or -EINVAL (not a SIP URI, or its host is a name). */
int media_direct_uri_ip(const char *uri, char *buf, size_t len);

#endif
