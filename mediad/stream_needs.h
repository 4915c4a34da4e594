/* The one question that keeps a stream off the kernel fast path: does any packet of it need
 * the relay thread? Whatever works on packets in userspace (SRTP, recording, playback, echo,
 * digits sent) must answer yes here, so that the kernel never forwards around it. DTMF
 * detection does not: the kernel hands each leg's telephone-events to the socket (fp_entry's
 * te_pt), where the relay thread sees and forwards them. */
#ifndef MEDIAD_STREAM_NEEDS_H
#define MEDIAD_STREAM_NEEDS_H

#include <stdbool.h>

struct relay_stream;

/* True when every packet of st must go through relay_packet(): the stream is closing, a leg
 * speaks SRTP, a leg is not sendrecv (hold, one-way media: the relay drops per direction), or
 * a media application is busy on it (relay_apps_busy).
 * Owning worker only. */
bool stream_needs_userspace(const struct relay_stream *st);

#endif
