/* The one question that keeps a stream off the kernel fast path: does any packet of it need
 * the relay thread? Whatever works on packets in userspace (SRTP, recording, playback, DTMF
 * detection, echo) must answer yes here, so that the kernel never forwards around it. */
#ifndef MEDIAD_STREAM_NEEDS_H
#define MEDIAD_STREAM_NEEDS_H

#include <stdbool.h>

struct relay_stream;

/* True when every packet of st must go through relay_packet(): the stream is closing, a leg
 * speaks SRTP, or a leg is not sendrecv (hold, one-way media: the relay drops per direction).
 * Owning worker only. */
bool stream_needs_userspace(const struct relay_stream *st);

#endif
