/* The codec_string and absolute_codec_string channel variables (FreeSWITCH's names): a call's
 * own codec list, in place of the [codecs] lists, for the offer to the callee and so for the
 * answer to the caller. Audio and video names share one list, as in FreeSWITCH; FreeSWITCH's
 * modifiers are read: "PCMU@8000h@20i", "opus@48000h@2c" (rate, channels; the ptime is the
 * phones' business and ignored).
 *
 *  - codec_string: the list replaces [codecs] audio and video, and the order follows
 *    [codecs] negotiation (greedy: this list's order; generous: the caller's).
 *  - absolute_codec_string: wins over codec_string; always this list's order.
 *
 * telephone-event, CN and the other non-media formats the list does not name are taken from
 * [codecs] audio, so DTMF keeps working with codec_string=PCMA. Without transcoding a codec the
 * caller did not offer can never be offered; one the caller's answer already chose (answer,
 * pre_answer) is then the only one offered. */
#ifndef SIGNALD_CODEC_STRING_H
#define SIGNALD_CODEC_STRING_H

#include <stdbool.h>
#include <stddef.h>

#include "codec_prefs.h"

/* Fills *out from text on top of base (the [codecs] preferences). Returns 0, or -EINVAL with
 * one line in err naming the bad entry (out is then a copy of base). */
int codec_string_parse(struct codec_prefs *out, const char *text, bool absolute,
                       const struct codec_prefs *base, char *err, size_t errlen);

#endif
