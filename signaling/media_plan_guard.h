/* Protection of sofia-sip 1.12.11's SDP parser against input that makes it loop. */
#ifndef SIGNALD_MEDIA_PLAN_GUARD_H
#define SIGNALD_MEDIA_PLAN_GUARD_H

#include <stddef.h>

/* sofia-sip 1.12.11's parse_media() never returns, allocating without bound, when the format list
 * of an m= line with a transport other than RTP/AVP or RTP/SAVP has a field starting with a
 * character outside its token set (m=image 1 udptl /x, or a transport cut short by a control
 * character): its loop stops advancing. Returns 0 when body is safe to give to sdp_parse(), else
 * -EBADMSG with *mline the index of the first offending m= line. Lines are split and blanks skipped
 * as sofia does. */
int media_plan_guard(const char *body, size_t len, unsigned *mline);

#endif
