/* Parsing of the codec preference lists and matching of offered codecs against them. */
#include "codec_prefs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* Reads an optional "/<number>" at *s; 0 when absent. -1 on a malformed number. */
static long slash_number(const char **s)
{
	char *end;
	long v;

	if (**s != '/')
		return 0;
	(*s)++;
	if (**s < '1' || **s > '9')
		return -1;
	v = strtol(*s, &end, 10);
	if (v <= 0 || v > 1000000)
		return -1;
	*s = end;
	return v;
}

/* One entry, already trimmed: "NAME[/RATE[/CHANNELS]]". */
static int parse_entry(struct codec_pref *p, const char *s, size_t len)
{
	char buf[CODEC_NAME_MAX + 32];
	const char *c = buf;
	size_t n = 0;
	long rate, channels;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	while (name_char(c[n]))
		n++;
	if (n == 0 || n >= CODEC_NAME_MAX)
		return -EINVAL;
	memcpy(p->name, c, n);
	p->name[n] = '\0';
	c += n;
	rate = slash_number(&c);
	channels = rate > 0 ? slash_number(&c) : 0;
	if (rate < 0 || channels < 0 || *c)
		return -EINVAL;
	p->rate = (unsigned)rate;
	p->channels = (unsigned)channels;
	return 0;
}

static int parse_list(struct codec_pref *v, unsigned *n, const char *kind, const char *text,
                      char *err, size_t errlen)
{
	const char *s = text ? text : "";

	*n = 0;
	while (*s) {
		size_t len;

		s += strspn(s, " \t");
		if (!*s && *n == 0) /* only blanks: an empty list */
			break;
		len = strcspn(s, ",");
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (*n == CODEC_PREFS_MAX) {
			snprintf(err, errlen, "%s: more than %d entries", kind, CODEC_PREFS_MAX);
			return -EINVAL;
		}
		if (parse_entry(&v[*n], s, len)) {
			snprintf(err, errlen, "%s: '%.*s' is not %s", kind, (int)len, s,
			         CODEC_PREFS_TEXT);
			return -EINVAL;
		}
		(*n)++;
		s += strcspn(s, ",");
		if (*s == ',' && !*++s) {
			snprintf(err, errlen, "%s: list ends with a comma", kind);
			return -EINVAL;
		}
	}
	return 0;
}

int codec_prefs_parse(struct codec_prefs *out, const char *audio, const char *video,
                      const char *mode, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (parse_list(out->audio, &out->n_audio, "audio", audio, err, errlen) ||
	    parse_list(out->video, &out->n_video, "video", video, err, errlen))
		return -EINVAL;
	if (!mode || !strcasecmp(mode, "greedy"))
		out->mode = CODEC_NEG_GREEDY;
	else if (!strcasecmp(mode, "generous"))
		out->mode = CODEC_NEG_GENEROUS;
	else {
		snprintf(err, errlen, "negotiation: '%s' is neither greedy nor generous", mode);
		return -EINVAL;
	}
	return 0;
}

static unsigned mono(unsigned channels)
{
	return channels ? channels : 1;
}

static bool matches(const struct codec_pref *p, const struct media_codec *c)
{
	return !strcasecmp(p->name, c->name) && (!p->rate || p->rate == c->rate) &&
	       (!p->channels || p->channels == mono(c->channels));
}

int codec_prefs_rank(const struct codec_prefs *prefs, enum media_kind kind,
                     const struct media_codec *c)
{
	const struct codec_pref *v = kind == MEDIA_AUDIO ? prefs->audio : prefs->video;
	unsigned n = kind == MEDIA_AUDIO ? prefs->n_audio : prefs->n_video;

	if (kind == MEDIA_OTHER)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (matches(&v[i], c))
			return (int)i;
	return -1;
}

bool codec_prefs_same_codec(const struct media_codec *a, const struct media_codec *b)
{
	return !strcasecmp(a->name, b->name) && a->rate == b->rate &&
	       mono(a->channels) == mono(b->channels);
}
