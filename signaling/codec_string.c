/* codec_string / absolute_codec_string (codec_string.h). */
#include "codec_string.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Encodings that go in a video m-line; anything else is audio. */
static bool is_video(const char *name)
{
	static const char *const video[] = {"H261", "H263",    "H263-1998", "H263-2000",
	                                    "H264", "H265",    "VP8",       "VP9",
	                                    "AV1",  "MP4V-ES", "THEORA"};

	for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
		if (!strcasecmp(name, video[i]))
			return true;
	return false;
}

/* Not a codec of its own: follows [codecs] audio unless the list names it. */
static bool is_aux(const char *name)
{
	static const char *const aux[] = {"telephone-event", "CN", "red", "rtx", "ulpfec"};

	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++)
		if (!strcasecmp(name, aux[i]))
			return true;
	return false;
}

/* "NAME[/RATE[/CH]]" or "NAME@RATEh@PTIMEi@CHc" to NAME[/RATE[/CH]] for codec_prefs_parse. */
static int entry(const char *s, size_t len, char *buf, size_t size)
{
	char tmp[96], *at, *mod, *save = NULL;
	unsigned long rate = 0, ch = 0;

	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	at = strchr(tmp, '@');
	if (at) {
		if (!at[1])
			return -EINVAL;
		*at = '\0';
		for (mod = strtok_r(at + 1, "@", &save); mod; mod = strtok_r(NULL, "@", &save)) {
			char *end;
			unsigned long v = strtoul(mod, &end, 10);

			if (end == mod || end[1] || !v || v > 1000000)
				return -EINVAL;
			if (*end == 'h' || *end == 'k')
				rate = *end == 'k' ? v * 1000 : v;
			else if (*end == 'c')
				ch = v;
			else if (*end != 'i' && *end != 'b')
				return -EINVAL;
		}
		if (ch && !rate)
			return -EINVAL;
		if (rate && ch)
			snprintf(buf, size, "%s/%lu/%lu", tmp, rate, ch);
		else if (rate)
			snprintf(buf, size, "%s/%lu", tmp, rate);
		else
			snprintf(buf, size, "%s", tmp);
	} else {
		snprintf(buf, size, "%s", tmp);
	}
	return 0;
}

static int add(struct codec_pref *v, unsigned *n, const struct codec_pref *p)
{
	if (*n == CODEC_PREFS_MAX)
		return -EINVAL;
	v[(*n)++] = *p;
	return 0;
}

int codec_string_parse(struct codec_prefs *out, const char *text, bool absolute,
                       const struct codec_prefs *base, char *err, size_t errlen)
{
	const char *s = text;

	*out = *base;
	memset(out->audio, 0, sizeof(out->audio));
	memset(out->video, 0, sizeof(out->video));
	out->n_audio = out->n_video = 0;
	if (absolute)
		out->mode = CODEC_NEG_GREEDY;
	while (*s) {
		size_t len;
		char buf[128];
		struct codec_prefs one;

		s += strspn(s, " \t,");
		len = strcspn(s, ",");
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!len)
			break;
		if (entry(s, len, buf, sizeof(buf)) ||
		    codec_prefs_parse(&one, buf, "", NULL, err, errlen) || one.n_audio != 1) {
			snprintf(err, errlen, "'%.*s' is not NAME[@RATEh][@PTIMEi][@CHANNELSc]",
			         (int)len, s);
			goto fail;
		}
		if (is_video(one.audio[0].name) ? add(out->video, &out->n_video, &one.audio[0])
		                                : add(out->audio, &out->n_audio, &one.audio[0])) {
			snprintf(err, errlen, "more than %d codecs", CODEC_PREFS_MAX);
			goto fail;
		}
		s += strcspn(s, ",");
	}
	if (!out->n_audio && !out->n_video) {
		snprintf(err, errlen, "no codec named");
		goto fail;
	}
	for (unsigned i = 0; i < base->n_audio; i++) {
		bool named = false;

		if (!is_aux(base->audio[i].name))
			continue;
		for (unsigned j = 0; j < out->n_audio && !named; j++)
			named = !strcasecmp(out->audio[j].name, base->audio[i].name);
		if (!named && add(out->audio, &out->n_audio, &base->audio[i])) {
			snprintf(err, errlen, "more than %d codecs", CODEC_PREFS_MAX);
			goto fail;
		}
	}
	return 0;
fail:
	*out = *base;
	return -EINVAL;
}
