/* Bounds on the SDP a peer may make signald parse. sofia-sip 1.12.11's parser matches every
 * a=rtpmap and a=fmtp against the whole payload list of its m-line, so its work grows with
 * formats x attributes (a 240 KB body held the loop for 0.7 s); these limits are checked on the
 * text, in one linear pass, before sofia sees it. */
#ifndef SIGNALD_MEDIA_PLAN_LIMITS_H
#define SIGNALD_MEDIA_PLAN_LIMITS_H

#include <stddef.h>

struct media_plan_limits {
	size_t max_bytes;     /* the whole body */
	unsigned max_streams; /* m= lines */
	unsigned max_formats; /* format tokens on one m= line */
	unsigned max_attrs;   /* a= lines at session level, and in each m= section */
};

/* What signald uses when the configuration does not say otherwise ([codecs] max_sdp_bytes,
 * max_media_lines, max_formats, max_attributes): far above what phones and browsers send (a
 * browser's audio+video offer is about 6 KB, 30 formats and 150 attributes per m-line). */
#define MEDIA_PLAN_MAX_BYTES   32768
#define MEDIA_PLAN_MAX_STREAMS 16
#define MEDIA_PLAN_MAX_FORMATS 64
#define MEDIA_PLAN_MAX_ATTRS   256

/* 0 when body is within lim; -EMSGSIZE when it is longer than max_bytes; -E2BIG when it has too
 * many m= lines, formats on one m= line or a= lines in one section. One line in why (may be
 * NULL). Lines are split, and leading blanks skipped, as sofia does; anything counted here is
 * at least what sofia would build. */
int media_plan_limits_check(const char *body, size_t len, const struct media_plan_limits *lim,
                            char *why, size_t whylen);

#endif
