/* Media plan life cycle, deep copies for builders, comparison (re-INVITE: hold, resume, refresh)
 * and the small facts about streams and directions every user of a plan needs. No SDP here. */
#include "media_plan.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

struct media_plan *media_plan_new(void)
{
	return su_home_new(sizeof(struct media_plan));
}

void media_plan_free(struct media_plan *plan)
{
	if (plan)
		su_home_unref(plan->home);
}

int media_plan_alloc_streams(struct media_plan *plan, unsigned n)
{
	if (plan->n_streams)
		return -EINVAL;
	if (n == 0)
		return 0;
	plan->streams = su_zalloc(plan->home, n * sizeof(*plan->streams));
	if (!plan->streams)
		return -ENOMEM;
	plan->n_streams = n;
	return 0;
}

/* su_strdup that tells a NULL source (fine) from a failed allocation. */
static int dup_str(struct media_plan *plan, char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = su_strdup(plan->home, src);
	return *dst ? 0 : -ENOMEM;
}

int media_plan_copy_attrs(struct media_plan *plan, struct media_attr **dst, unsigned *n_dst,
                          const struct media_attr *src, unsigned n_src)
{
	*dst = NULL;
	*n_dst = 0;
	if (n_src == 0)
		return 0;
	*dst = su_zalloc(plan->home, n_src * sizeof(**dst));
	if (!*dst)
		return -ENOMEM;
	for (unsigned i = 0; i < n_src; i++) {
		if (dup_str(plan, &(*dst)[i].name, src[i].name) ||
		    dup_str(plan, &(*dst)[i].value, src[i].value))
			return -ENOMEM;
	}
	*n_dst = n_src;
	return 0;
}

int media_plan_copy_codec(struct media_plan *plan, struct media_codec *dst,
                          const struct media_codec *src)
{
	*dst = *src;
	if (dup_str(plan, &dst->name, src->name) || dup_str(plan, &dst->fmtp, src->fmtp))
		return -ENOMEM;
	return media_plan_copy_attrs(plan, &dst->pt_attrs, &dst->n_pt_attrs, src->pt_attrs,
	                             src->n_pt_attrs);
}

int media_plan_copy_mline(struct media_plan *plan, struct media_stream *dst,
                          const struct media_stream *src)
{
	dst->kind = src->kind;
	dst->proto = src->proto;
	if (dup_str(plan, &dst->media, src->media) ||
	    dup_str(plan, &dst->proto_name, src->proto_name))
		return -ENOMEM;
	dst->n_formats = 0;
	dst->formats = NULL;
	if (src->n_formats == 0)
		return 0;
	dst->formats = su_zalloc(plan->home, src->n_formats * sizeof(*dst->formats));
	if (!dst->formats)
		return -ENOMEM;
	for (unsigned i = 0; i < src->n_formats; i++)
		if (dup_str(plan, &dst->formats[i], src->formats[i]))
			return -ENOMEM;
	dst->n_formats = src->n_formats;
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool attrs_eq(const struct media_attr *a, unsigned na, const struct media_attr *b,
                     unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (!str_eq(a[i].name, b[i].name) || !str_eq(a[i].value, b[i].value))
			return false;
	return true;
}

static bool codec_eq(const struct media_codec *a, const struct media_codec *b)
{
	return a->pt == b->pt && a->rate == b->rate && a->channels == b->channels &&
	       !strcasecmp(a->name, b->name) && str_eq(a->fmtp, b->fmtp) &&
	       attrs_eq(a->pt_attrs, a->n_pt_attrs, b->pt_attrs, b->n_pt_attrs);
}

static unsigned diff_codecs(const struct media_stream *a, const struct media_stream *b)
{
	if (a->n_codecs != b->n_codecs || a->ptime != b->ptime || a->maxptime != b->maxptime)
		return MEDIA_PLAN_CODECS;
	for (unsigned i = 0; i < a->n_codecs; i++)
		if (!codec_eq(&a->codecs[i], &b->codecs[i]))
			return MEDIA_PLAN_CODECS;
	return 0;
}

static unsigned diff_stream(const struct media_stream *a, const struct media_stream *b)
{
	unsigned d = 0;

	if (a->kind != b->kind || a->proto != b->proto || a->rejected != b->rejected ||
	    !str_eq(a->media, b->media))
		return MEDIA_PLAN_STREAMS;
	if (a->rejected)
		return 0;
	if (!str_eq(a->rtp_ip, b->rtp_ip) || a->rtp_port != b->rtp_port ||
	    !str_eq(a->rtcp_ip, b->rtcp_ip) || a->rtcp_port != b->rtcp_port ||
	    a->rtcp_mux != b->rtcp_mux || a->null_addr != b->null_addr)
		d |= MEDIA_PLAN_ADDRESS;
	if (a->dir != b->dir)
		d |= MEDIA_PLAN_DIRECTION;
	d |= diff_codecs(a, b);
	if (!attrs_eq(a->attrs, a->n_attrs, b->attrs, b->n_attrs) ||
	    !attrs_eq(a->crypto, a->n_crypto, b->crypto, b->n_crypto))
		d |= MEDIA_PLAN_ATTRS;
	return d;
}

unsigned media_plan_diff(const struct media_plan *a, const struct media_plan *b)
{
	unsigned d = 0;

	if (!str_eq(a->origin_user, b->origin_user) || a->origin_id != b->origin_id ||
	    a->origin_version != b->origin_version)
		d |= MEDIA_PLAN_VERSION;
	if (!attrs_eq(a->attrs, a->n_attrs, b->attrs, b->n_attrs))
		d |= MEDIA_PLAN_ATTRS;
	if (a->n_streams != b->n_streams)
		return d | MEDIA_PLAN_STREAMS;
	for (unsigned i = 0; i < a->n_streams; i++)
		d |= diff_stream(&a->streams[i], &b->streams[i]);
	return d;
}

bool media_stream_active(const struct media_stream *s)
{
	return !s->rejected && s->proto != MEDIA_PROTO_OTHER;
}

unsigned media_plan_active_streams(const struct media_plan *plan)
{
	unsigned n = 0;

	for (unsigned i = 0; i < plan->n_streams; i++)
		n += media_stream_active(&plan->streams[i]);
	return n;
}

bool media_stream_on_hold(const struct media_stream *s)
{
	return !(s->dir & MEDIA_RECVONLY);
}

int media_stream_dtmf_pt(const struct media_stream *s)
{
	for (unsigned i = 0; i < s->n_codecs; i++)
		if (s->codecs[i].role == MEDIA_CODEC_DTMF)
			return (int)s->codecs[i].pt;
	return -1;
}

enum media_dir media_dir_reverse(enum media_dir dir)
{
	return (enum media_dir)(((dir & MEDIA_SENDONLY) ? MEDIA_RECVONLY : 0) |
	                        ((dir & MEDIA_RECVONLY) ? MEDIA_SENDONLY : 0));
}

const char *media_dir_name(enum media_dir dir)
{
	switch (dir) {
	case MEDIA_INACTIVE:
		return "inactive";
	case MEDIA_SENDONLY:
		return "sendonly";
	case MEDIA_RECVONLY:
		return "recvonly";
	case MEDIA_SENDRECV:
		return "sendrecv";
	}
	return "?";
}

const char *media_kind_name(enum media_kind kind)
{
	switch (kind) {
	case MEDIA_AUDIO:
		return "audio";
	case MEDIA_VIDEO:
		return "video";
	case MEDIA_OTHER:
		return "other";
	}
	return "?";
}

const char *media_proto_name(enum media_proto proto)
{
	switch (proto) {
	case MEDIA_PROTO_RTP_AVP:
		return "RTP/AVP";
	case MEDIA_PROTO_RTP_SAVP:
		return "RTP/SAVP";
	case MEDIA_PROTO_RTP_AVPF:
		return "RTP/AVPF";
	case MEDIA_PROTO_RTP_SAVPF:
		return "RTP/SAVPF";
	case MEDIA_PROTO_UDP_TLS_RTP_SAVP:
		return "UDP/TLS/RTP/SAVP";
	case MEDIA_PROTO_UDP_TLS_RTP_SAVPF:
		return "UDP/TLS/RTP/SAVPF";
	case MEDIA_PROTO_OTHER:
		break;
	}
	return "";
}

enum media_codec_role media_codec_role_of(const char *encoding)
{
	static const char *const aux[] = {"red", "ulpfec", "flexfec", "flexfec-03", "rtx"};

	if (!strcasecmp(encoding, "telephone-event"))
		return MEDIA_CODEC_DTMF;
	if (!strcasecmp(encoding, "CN"))
		return MEDIA_CODEC_CN;
	for (size_t i = 0; i < sizeof(aux) / sizeof(aux[0]); i++)
		if (!strcasecmp(encoding, aux[i]))
			return MEDIA_CODEC_AUX;
	return MEDIA_CODEC_MEDIA;
}
