/* An SDP with every media stream made sendrecv again, through sofia-sip's SDP parser and
 * printer: the offer a transferred party's session is re-built from, when the party was put on
 * hold before the transfer (its last SDP says recvonly or inactive). Pure function, no I/O. */
#ifndef SIGNALD_SDP_UNHOLD_H
#define SIGNALD_SDP_UNHOLD_H

#include <stddef.h>

/* A copy of sdp (len bytes) with every m-line sendrecv, to free(); NULL when it does not parse
 * or memory runs out. */
char *sdp_unhold(const char *sdp, size_t len);

#endif
