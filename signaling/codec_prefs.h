/* Codec preferences: which audio and video codecs Tandem lets through a call, in which order, and
 * whose order wins (FreeSWITCH's codec-prefs and inbound-codec-negotiation). Parsed once from
 * the [codecs] settings; read-only afterwards, so one instance serves every call. */
#ifndef SIGNALD_CODEC_PREFS_H
#define SIGNALD_CODEC_PREFS_H

#include <stddef.h>

#include "media_plan.h"

#define CODEC_PREFS_MAX  32 /* entries per list */
#define CODEC_NAME_MAX   32 /* bytes of an encoding name, NUL included */
#define CODEC_PREFS_TEXT "NAME[/RATE[/CHANNELS]], comma-separated"

enum codec_negotiation {
	CODEC_NEG_GREEDY = 0, /* our preference order decides */
	CODEC_NEG_GENEROUS,   /* the offerer's order decides; ours only filters */
};

/* One entry: the encoding name (case-insensitive) and, when non-zero, the clock rate and
 * channel count a codec must have to match. "opus/48000/2", "G722", "telephone-event". */
struct codec_pref {
	char name[CODEC_NAME_MAX];
	unsigned rate;
	unsigned channels;
};

struct codec_prefs {
	struct codec_pref audio[CODEC_PREFS_MAX];
	unsigned n_audio;
	struct codec_pref video[CODEC_PREFS_MAX];
	unsigned n_video;
	enum codec_negotiation mode;
};

#define CODEC_PREFS_DEFAULT_AUDIO "PCMU,PCMA,G722,opus,telephone-event"
#define CODEC_PREFS_DEFAULT_VIDEO "H264,VP8"

/* Fills *out from the two lists (empty string: no codec of that kind passes) and the mode name
 * ("greedy" or "generous"; NULL: greedy). Returns 0 or -EINVAL with one line in err naming the
 * list ("audio", "video" or "negotiation") and the bad entry. */
int codec_prefs_parse(struct codec_prefs *out, const char *audio, const char *video,
                      const char *mode, char *err, size_t errlen);

/* Position of the first entry of kind's list that c matches (0 = most preferred), or -1 when c
 * is not wanted. Streams of kind MEDIA_OTHER are not subject to preferences: always 0. */
int codec_prefs_rank(const struct codec_prefs *prefs, enum media_kind kind,
                     const struct media_codec *c);

/* Same encoding: name (case-insensitive), clock rate, and channels where 0 and 1 both mean mono.
 * Payload numbers are not compared. */
bool codec_prefs_same_codec(const struct media_codec *a, const struct media_codec *b);

#endif
