/* Offer/answer rules of a relaying B2BUA on media plans: codec filtering and ordering for the
 * offer we forward, mapping of the chosen codecs back for the answer we return, and a local
 * answer by preference. The header states the rules; this file only applies them. */
#include "sdp_negotiate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct neg {
	struct media_plan *out;
	char *why;
	size_t whylen;
	bool noted; /* why holds the first reason an m-line was refused */
};

/* Keeps the first reason an m-line was refused, for the log when nothing is left. */
__attribute__((format(printf, 2, 3))) static void note(struct neg *n, const char *fmt, ...)
{
	va_list ap;

	if (n->noted || !n->why || !n->whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(n->why, n->whylen, fmt, ap);
	va_end(ap);
	n->noted = true;
}

static int start(struct neg *n, unsigned n_streams, const struct media_plan *attrs_from)
{
	if (n->why && n->whylen)
		n->why[0] = '\0';
	n->out = media_plan_new();
	if (!n->out || media_plan_alloc_streams(n->out, n_streams) ||
	    media_plan_copy_attrs(n->out, &n->out->attrs, &n->out->n_attrs, attrs_from->attrs,
	                          attrs_from->n_attrs))
		return -ENOMEM;
	return 0;
}

/* Hands the plan over, or frees it with the error and makes sure why says something. */
static int finish(struct neg *n, int rc, struct media_plan **out)
{
	if (!rc && media_plan_active_streams(n->out) == 0) {
		note(n, "no m-line can be used");
		rc = -ENOTSUP;
	}
	if (rc) {
		if (rc == -ENOMEM && n->why && n->whylen)
			snprintf(n->why, n->whylen, "out of memory");
		media_plan_free(n->out);
		return rc;
	}
	*out = n->out;
	return 0;
}

static bool has_pt(const struct media_stream *s, unsigned pt)
{
	for (unsigned i = 0; i < s->n_codecs; i++)
		if (s->codecs[i].pt == pt)
			return true;
	return false;
}

static bool has_media_codec(const struct media_stream *s)
{
	for (unsigned i = 0; i < s->n_codecs; i++)
		if (s->codecs[i].role == MEDIA_CODEC_MEDIA)
			return true;
	return false;
}

/* Room for up to n codecs in s (owned by the output plan). */
static int reserve_codecs(struct neg *n, struct media_stream *s, unsigned count)
{
	s->n_codecs = 0;
	s->codecs = count ? su_zalloc(n->out->home, count * sizeof(*s->codecs)) : NULL;
	return count && !s->codecs ? -ENOMEM : 0;
}

static int append_codec(struct neg *n, struct media_stream *s, const struct media_codec *c)
{
	if (has_pt(s, c->pt))
		return 0;
	if (media_plan_copy_codec(n->out, &s->codecs[s->n_codecs], c))
		return -ENOMEM;
	s->n_codecs++;
	return 0;
}

/* "G729/8000 GSM/8000" for the log: what an m-line offered. */
static void codec_list(const struct media_stream *s, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < s->n_codecs && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s/%u", i ? " " : "",
		                         s->codecs[i].name[0] ? s->codecs[i].name : "?",
		                         s->codecs[i].rate);
	if (!s->n_codecs)
		snprintf(buf, len, "none");
}

/* Copies the negotiated-by-the-offerer parts a relay forwards unchanged. */
static int forward_params(struct neg *n, struct media_stream *o, const struct media_stream *in)
{
	o->dir = in->dir;
	o->rtcp_mux = in->rtcp_mux;
	o->ptime = in->ptime;
	o->maxptime = in->maxptime;
	return media_plan_copy_attrs(n->out, &o->attrs, &o->n_attrs, in->attrs, in->n_attrs);
}

/* Offered codecs our preferences accept, ordered by preference rank (stable) or kept in the
 * offerer's order. */
static int filter_codecs(struct neg *n, struct media_stream *o, const struct media_stream *in,
                         const struct codec_prefs *prefs)
{
	int ranks[128];
	unsigned idx[128], count = 0;

	for (unsigned i = 0; i < in->n_codecs && count < 128; i++) {
		int r = codec_prefs_rank(prefs, in->kind, &in->codecs[i]);
		unsigned j = count;

		if (r < 0)
			continue;
		if (prefs->mode == CODEC_NEG_GREEDY) /* insertion keeps equal ranks in order */
			for (; j > 0 && ranks[j - 1] > r; j--) {
				ranks[j] = ranks[j - 1];
				idx[j] = idx[j - 1];
			}
		ranks[j] = r;
		idx[j] = i;
		count++;
	}
	if (reserve_codecs(n, o, count))
		return -ENOMEM;
	for (unsigned i = 0; i < count; i++)
		if (append_codec(n, o, &in->codecs[idx[i]]))
			return -ENOMEM;
	return 0;
}

static int offer_stream(struct neg *n, unsigned i, const struct media_stream *in,
                        const struct codec_prefs *prefs)
{
	struct media_stream *o = &n->out->streams[i];
	char offered[160];

	if (media_plan_copy_mline(n->out, o, in))
		return -ENOMEM;
	o->rejected = true;
	if (in->rejected) {
		note(n, "m-line %u (%s) disabled by the offerer", i, in->media);
		return 0;
	}
	if (in->proto == MEDIA_PROTO_OTHER) {
		note(n, "m-line %u (%s): transport %s cannot be relayed", i, in->media,
		     in->proto_name);
		return 0;
	}
	if (filter_codecs(n, o, in, prefs) || forward_params(n, o, in))
		return -ENOMEM;
	if (!has_media_codec(o)) {
		codec_list(in, offered, sizeof(offered));
		note(n, "m-line %u (%s): no acceptable codec among %s", i, in->media, offered);
		o->n_codecs = 0;
		return 0;
	}
	o->rejected = false;
	return 0;
}

int sdp_negotiate_offer(const struct media_plan *offer_in, const struct codec_prefs *prefs,
                        struct media_plan **out, char *why, size_t whylen)
{
	struct neg n = {.why = why, .whylen = whylen};
	int rc;

	*out = NULL;
	rc = start(&n, offer_in->n_streams, offer_in);
	for (unsigned i = 0; !rc && i < offer_in->n_streams; i++)
		rc = offer_stream(&n, i, &offer_in->streams[i], prefs);
	return finish(&n, rc, out);
}

/* The codec of our offer an answered codec stands for. */
static const struct media_codec *offered_codec(const struct media_stream *offer,
                                               const struct media_codec *ac)
{
	for (unsigned i = 0; i < offer->n_codecs; i++) {
		const struct media_codec *c = &offer->codecs[i];

		if (c->pt == ac->pt && (!ac->name[0] || codec_prefs_same_codec(c, ac)))
			return c;
	}
	if (!ac->name[0])
		return NULL;
	for (unsigned i = 0; i < offer->n_codecs; i++)
		if (codec_prefs_same_codec(&offer->codecs[i], ac))
			return &offer->codecs[i];
	return NULL;
}

/* Our offer's version of each answered codec, with the answerer's format parameters. */
static int map_back(struct neg *n, struct media_stream *o, const struct media_stream *sent,
                    const struct media_stream *ans)
{
	if (reserve_codecs(n, o, ans->n_codecs))
		return -ENOMEM;
	for (unsigned i = 0; i < ans->n_codecs; i++) {
		const struct media_codec *ac = &ans->codecs[i];
		const struct media_codec *oc = offered_codec(sent, ac);
		struct media_codec *c = &o->codecs[o->n_codecs];

		if (!oc || has_pt(o, oc->pt))
			continue;
		if (media_plan_copy_codec(n->out, c, oc))
			return -ENOMEM;
		c->fmtp = ac->fmtp ? su_strdup(n->out->home, ac->fmtp) : NULL;
		if ((ac->fmtp && !c->fmtp) ||
		    media_plan_copy_attrs(n->out, &c->pt_attrs, &c->n_pt_attrs, ac->pt_attrs,
		                          ac->n_pt_attrs))
			return -ENOMEM;
		o->n_codecs++;
	}
	return 0;
}

static bool answer_refuses(struct neg *n, unsigned i, const struct media_stream *in,
                           const struct media_stream *sent, const struct media_stream *ans)
{
	if (!media_stream_active(in) || sent->rejected)
		return true; /* we refused it ourselves: the offer's note already says why */
	if (ans->rejected) {
		note(n, "m-line %u (%s) rejected by the answerer", i, in->media);
		return true;
	}
	if (strcasecmp(ans->media, in->media)) {
		note(n, "m-line %u: answered as %s, offered as %s", i, ans->media, in->media);
		return true;
	}
	return false;
}

static int answer_stream(struct neg *n, unsigned i, const struct media_stream *in,
                         const struct media_stream *sent, const struct media_stream *ans)
{
	struct media_stream *o = &n->out->streams[i];
	char answered[160];

	if (media_plan_copy_mline(n->out, o, in))
		return -ENOMEM;
	o->rejected = true;
	if (answer_refuses(n, i, in, sent, ans))
		return 0;
	if (map_back(n, o, sent, ans) || forward_params(n, o, ans))
		return -ENOMEM;
	if (!has_media_codec(o)) {
		codec_list(ans, answered, sizeof(answered));
		note(n, "m-line %u (%s): no offered media codec among the answered %s", i,
		     in->media, answered);
		o->n_codecs = 0;
		return 0;
	}
	o->dir = ans->dir & media_dir_reverse(in->dir);
	o->rtcp_mux = in->rtcp_mux;
	o->rejected = false;
	return 0;
}

int sdp_negotiate_answer(const struct media_plan *offer_in, const struct media_plan *offer_out,
                         const struct media_plan *answer_in, struct media_plan **out, char *why,
                         size_t whylen)
{
	struct neg n = {.why = why, .whylen = whylen};
	int rc;

	*out = NULL;
	if (offer_out->n_streams != offer_in->n_streams) {
		note(&n, "our offer has %u m-lines, the offer it came from %u",
		     offer_out->n_streams, offer_in->n_streams);
		return -EINVAL;
	}
	if (answer_in->n_streams != offer_out->n_streams) {
		note(&n, "answer has %u m-lines, the offer had %u", answer_in->n_streams,
		     offer_out->n_streams);
		return -EPROTO;
	}
	rc = start(&n, offer_in->n_streams, answer_in);
	for (unsigned i = 0; !rc && i < offer_in->n_streams; i++)
		rc = answer_stream(&n, i, &offer_in->streams[i], &offer_out->streams[i],
		                   &answer_in->streams[i]);
	return finish(&n, rc, out);
}

static bool secure(enum media_proto proto)
{
	return proto != MEDIA_PROTO_RTP_AVP && proto != MEDIA_PROTO_RTP_AVPF;
}

/* RTP we can answer ourselves: plain, or SDES (our key for the leg is added by the caller,
 * sdp_srtp.h). DTLS-SRTP needs a handshake the node does not make. */
static bool answerable(enum media_proto proto)
{
	return !secure(proto) || proto == MEDIA_PROTO_RTP_SAVP || proto == MEDIA_PROTO_RTP_SAVPF;
}

/* Index of the media codec we would pick from s, or -1. */
static int best_codec(const struct media_stream *s, const struct codec_prefs *prefs)
{
	int best = -1, best_rank = 0;

	for (unsigned i = 0; i < s->n_codecs; i++) {
		int r = codec_prefs_rank(prefs, s->kind, &s->codecs[i]);

		if (r < 0 || s->codecs[i].role != MEDIA_CODEC_MEDIA)
			continue;
		if (prefs->mode == CODEC_NEG_GENEROUS)
			return (int)i;
		if (best < 0 || r < best_rank) {
			best = (int)i;
			best_rank = r;
		}
	}
	return best;
}

static const struct media_codec *dtmf_for(const struct media_stream *s,
                                          const struct codec_prefs *prefs, unsigned rate)
{
	for (unsigned i = 0; i < s->n_codecs; i++) {
		const struct media_codec *c = &s->codecs[i];

		if (c->role == MEDIA_CODEC_DTMF && c->rate == rate &&
		    codec_prefs_rank(prefs, s->kind, c) >= 0)
			return c;
	}
	return NULL;
}

static int local_codecs(struct neg *n, struct media_stream *o, const struct media_stream *in,
                        const struct codec_prefs *prefs)
{
	const struct media_codec *dtmf;
	int best;

	if (in->kind == MEDIA_OTHER) {
		if (reserve_codecs(n, o, in->n_codecs))
			return -ENOMEM;
		for (unsigned i = 0; i < in->n_codecs; i++)
			if (append_codec(n, o, &in->codecs[i]))
				return -ENOMEM;
		return 0;
	}
	best = best_codec(in, prefs);
	if (best < 0)
		return 0;
	if (reserve_codecs(n, o, 2))
		return -ENOMEM;
	dtmf = dtmf_for(in, prefs, in->codecs[best].rate);
	if (append_codec(n, o, &in->codecs[best]) || (dtmf && append_codec(n, o, dtmf)))
		return -ENOMEM;
	return 0;
}

static int local_stream(struct neg *n, unsigned i, const struct media_stream *in,
                        const struct codec_prefs *prefs)
{
	struct media_stream *o = &n->out->streams[i];
	char offered[160];

	if (media_plan_copy_mline(n->out, o, in))
		return -ENOMEM;
	o->rejected = true;
	if (!media_stream_active(in) || !answerable(in->proto)) {
		note(n, "m-line %u (%s): %s cannot be answered here", i, in->media,
		     in->rejected ? "a disabled m-line" : in->proto_name);
		return 0;
	}
	if (local_codecs(n, o, in, prefs))
		return -ENOMEM;
	if (!has_media_codec(o)) {
		codec_list(in, offered, sizeof(offered));
		note(n, "m-line %u (%s): no acceptable codec among %s", i, in->media, offered);
		o->n_codecs = 0;
		return 0;
	}
	o->dir = media_dir_reverse(in->dir);
	o->rtcp_mux = in->rtcp_mux;
	o->ptime = in->ptime;
	o->rejected = false;
	return 0;
}

int sdp_negotiate_answer_local(const struct media_plan *offer_in, const struct codec_prefs *prefs,
                               struct media_plan **out, char *why, size_t whylen)
{
	struct neg n = {.why = why, .whylen = whylen};
	static const struct media_plan no_attrs;
	int rc;

	*out = NULL;
	rc = start(&n, offer_in->n_streams, &no_attrs);
	for (unsigned i = 0; !rc && i < offer_in->n_streams; i++)
		rc = local_stream(&n, i, &offer_in->streams[i], prefs);
	return finish(&n, rc, out);
}

int sdp_negotiate_sip_status(int err)
{
	switch (err) {
	case 0:
		return 200;
	case -EBADMSG:
		return 400;
	case -EMSGSIZE:
		return 413;
	case -ENOMEM:
		return 500;
	default:
		return 488;
	}
}
