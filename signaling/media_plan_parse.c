/* SDP text -> media plan, on sofia-sip's SDP parser. Sofia 1.12.11 knows only RTP/AVP and
 * RTP/SAVP as RTP: for RTP/AVPF, RTP/SAVPF and UDP/TLS/RTP/SAVP(F) it leaves the payload types in
 * m_format and a=rtpmap/a=fmtp as raw attributes, so both shapes are read here. Validation that
 * sofia leaves to applications (port range, IP literals, a=rtcp, m-line count) is done here too;
 * anything refused is a negative errno plus one line saying why. */
#include "media_plan.h"
#include "media_plan_guard.h"
#include "media_plan_limits.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sdp.h>

struct parse {
	struct media_plan *plan;
	char *why;
	size_t whylen;
	/* Per m-line indexes, so that each payload type's codec, a=rtpmap and a=fmtp are found
	 * in constant time: work stays linear in the size of the SDP. */
	int16_t codec_of_pt[128];                    /* index into the stream's codecs, -1: none */
	const char *raw_rtpmap[128], *raw_fmtp[128]; /* profiles sofia does not parse */
	/* Checked again on sofia's format list: its tokenizer also splits at characters the
	 * limits' blank-separated count does not, so a printed plan could exceed the limit. */
	unsigned max_formats;
};

__attribute__((format(printf, 3, 4))) static int fail(struct parse *p, int err, const char *fmt,
                                                      ...)
{
	va_list ap;

	if (p->why && p->whylen) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool name_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(name, list[i]))
			return true;
	return false;
}

/* Attributes the plan holds elsewhere or the printer writes itself (see media_plan.h). */
static bool regenerated(const char *name)
{
	static const char *const names[] = {
	    "rtpmap",
	    "fmtp",
	    "ptime",
	    "maxptime",
	    "rtcp",
	    "rtcp-mux",
	    "sendrecv",
	    "sendonly",
	    "recvonly",
	    "inactive",
	    "candidate",
	    "ice-ufrag",
	    "ice-pwd",
	    "ice-options",
	    "ice-lite",
	    "ice-mismatch",
	    "remote-candidates",
	    "end-of-candidates",
	};
	return name_in(name, names, sizeof(names) / sizeof(names[0]));
}

/* a=<name>:<pt> <value> attributes that belong to one codec. */
static bool payload_keyed(const char *name)
{
	static const char *const names[] = {"rtcp-fb", "imageattr"};
	return name_in(name, names, sizeof(names) / sizeof(names[0]));
}

/* Arrays grow to the next power of two, so n appends copy O(n) elements in all. */
static bool full(unsigned n)
{
	return n == 0 || (n & (n - 1)) == 0;
}

static int add_attr(struct parse *p, struct media_attr **v, unsigned *n, const char *name,
                    const char *value)
{
	struct media_attr *grown = *v;

	if (full(*n)) {
		grown = su_realloc(p->plan->home, *v, (*n ? *n * 2 : 1) * sizeof(**v));
		if (!grown)
			return -ENOMEM;
	}
	*v = grown;
	grown[*n].name = su_strdup(p->plan->home, name);
	grown[*n].value = value ? su_strdup(p->plan->home, value) : NULL;
	if (!grown[*n].name || (value && !grown[*n].value))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Parses a whole decimal number in [min, max]; -1 when it is not one. */
static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	return v;
}

/* Leading payload type of "96 nack pli": the number and where its value starts. */
static long leading_pt(const char *value, const char **rest)
{
	char *end;
	long pt;

	if (!value || *value < '0' || *value > '9')
		return -1;
	pt = strtol(value, &end, 10);
	if (pt > 127 || (*end != ' ' && *end != '\t' && *end != '\0'))
		return -1;
	*rest = end + strspn(end, " \t");
	return pt;
}

static bool is_ip(const char *s, int *family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, buf) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, buf) == 1)
		*family = AF_INET6;
	else
		return false;
	return true;
}

static bool is_null_addr(const char *s)
{
	return !strcmp(s, "0.0.0.0") || !strcmp(s, "::");
}

static int session_attrs(struct parse *p, const sdp_session_t *sdp)
{
	for (const sdp_attribute_t *a = sdp->sdp_attributes; a; a = a->a_next) {
		/* No BUNDLE: the media node gives every m-line its own ports. a=crypto belongs to
		 * m-lines (RFC 4568); at session level it would carry a key to the other leg. */
		if (regenerated(a->a_name) || !strcasecmp(a->a_name, "group") ||
		    !strcasecmp(a->a_name, "crypto"))
			continue;
		if (add_attr(p, &p->plan->attrs, &p->plan->n_attrs, a->a_name, a->a_value))
			return -ENOMEM;
	}
	return 0;
}

static int origin(struct parse *p, const sdp_session_t *sdp)
{
	const sdp_origin_t *o = sdp->sdp_origin;

	p->plan->origin_id = o->o_id;
	p->plan->origin_version = o->o_version;
	p->plan->origin_user = su_strdup(p->plan->home, o->o_username ? o->o_username : "");
	return p->plan->origin_user ? 0 : -ENOMEM;
}

static enum media_proto proto_of(const sdp_media_t *m)
{
	static const struct {
		const char *name;
		enum media_proto proto;
	} rtp_x[] = {
	    {"RTP/AVPF", MEDIA_PROTO_RTP_AVPF},
	    {"RTP/SAVPF", MEDIA_PROTO_RTP_SAVPF},
	    {"UDP/TLS/RTP/SAVP", MEDIA_PROTO_UDP_TLS_RTP_SAVP},
	    {"UDP/TLS/RTP/SAVPF", MEDIA_PROTO_UDP_TLS_RTP_SAVPF},
	};

	if (m->m_proto == sdp_proto_rtp)
		return MEDIA_PROTO_RTP_AVP;
	if (m->m_proto == sdp_proto_srtp)
		return MEDIA_PROTO_RTP_SAVP;
	if (m->m_proto == sdp_proto_x && m->m_proto_name)
		for (size_t i = 0; i < sizeof(rtp_x) / sizeof(rtp_x[0]); i++)
			if (!strcasecmp(m->m_proto_name, rtp_x[i].name))
				return rtp_x[i].proto;
	return MEDIA_PROTO_OTHER;
}

static enum media_kind kind_of(const sdp_media_t *m)
{
	if (m->m_type == sdp_media_audio)
		return MEDIA_AUDIO;
	if (m->m_type == sdp_media_video)
		return MEDIA_VIDEO;
	return MEDIA_OTHER;
}

static struct media_codec *find_codec(struct parse *p, struct media_stream *s, unsigned pt)
{
	return pt < 128 && p->codec_of_pt[pt] >= 0 ? &s->codecs[p->codec_of_pt[pt]] : NULL;
}

/* Appends payload type pt (ignored when already listed); *out is the codec or NULL. */
static int add_codec(struct parse *p, struct media_stream *s, unsigned pt, const char *name,
                     unsigned rate, const char *params, const char *fmtp)
{
	struct media_codec *grown = s->codecs, *c;

	if (pt > 127 || find_codec(p, s, pt))
		return 0;
	if (full(s->n_codecs)) {
		grown = su_realloc(p->plan->home, s->codecs,
		                   (s->n_codecs ? s->n_codecs * 2 : 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
	}
	s->codecs = grown;
	p->codec_of_pt[pt] = (int16_t)s->n_codecs;
	c = memset(&grown[s->n_codecs], 0, sizeof(*c));
	c->pt = pt;
	c->name = su_strdup(p->plan->home, name ? name : "");
	c->rate = rate;
	c->channels = params ? (unsigned)strtoul(params, NULL, 10) : 0;
	c->fmtp = fmtp ? su_strdup(p->plan->home, fmtp) : NULL;
	if (!c->name || (fmtp && !c->fmtp))
		return -ENOMEM;
	c->role = media_codec_role_of(c->name);
	s->n_codecs++;
	return 0;
}

static int add_format(struct parse *p, struct media_stream *s, const char *text)
{
	char **grown = s->formats;

	if (s->n_formats >= p->max_formats)
		return fail(p, -E2BIG, "formats: more than the %u allowed on one m-line",
		            p->max_formats);
	if (full(s->n_formats)) {
		grown = su_realloc(p->plan->home, s->formats,
		                   (s->n_formats ? s->n_formats * 2 : 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
	}
	s->formats = grown;
	grown[s->n_formats] = su_strdup(p->plan->home, text);
	if (!grown[s->n_formats])
		return -ENOMEM;
	s->n_formats++;
	return 0;
}

/* RTP/AVP and RTP/SAVP: sofia has parsed rtpmap and fmtp already. */
static int codecs_parsed(struct parse *p, struct media_stream *s, const sdp_media_t *m)
{
	for (const sdp_rtpmap_t *rm = m->m_rtpmaps; rm; rm = rm->rm_next) {
		char pt[4];

		snprintf(pt, sizeof(pt), "%u", (unsigned)rm->rm_pt);
		int rc = add_format(p, s, pt);

		if (rc)
			return rc;
		if (add_codec(p, s, rm->rm_pt, rm->rm_encoding, rm->rm_rate, rm->rm_params,
		              rm->rm_fmtp))
			return -ENOMEM;
	}
	return 0;
}

/* The first a=rtpmap and a=fmtp of each payload type, in one pass over the attributes. */
static void index_raw(struct parse *p, const sdp_attribute_t *a)
{
	for (; a; a = a->a_next) {
		const char **slot, *rest;
		long pt;

		if (!strcasecmp(a->a_name, "rtpmap"))
			slot = p->raw_rtpmap;
		else if (!strcasecmp(a->a_name, "fmtp"))
			slot = p->raw_fmtp;
		else
			continue;
		pt = leading_pt(a->a_value, &rest);
		if (pt >= 0 && !slot[pt])
			slot[pt] = rest;
	}
}

/* "opus/48000/2" into its parts; 0 or -1 when it is not encoding/rate[/params]. */
static int split_rtpmap(char *v, const char **enc, unsigned *rate, const char **params)
{
	char *slash = strchr(v, '/');
	long r;
	char *end;

	if (!slash || slash == v)
		return -1;
	*slash = '\0';
	*enc = v;
	r = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || r < 0 || r > 10000000 || (*end && *end != '/'))
		return -1;
	*rate = (unsigned)r;
	*params = *end == '/' ? end + 1 : NULL;
	return 0;
}

/* A payload of an RTP profile sofia does not know: look its rtpmap and fmtp up by hand. */
static int codec_from_raw(struct parse *p, struct media_stream *s, const sdp_media_t *m,
                          unsigned idx, long pt)
{
	const char *map = p->raw_rtpmap[pt];
	const char *fmtp = p->raw_fmtp[pt];
	const char *enc = "", *params = NULL;
	unsigned rate = 0;
	char buf[128];

	if (map) {
		snprintf(buf, sizeof(buf), "%s", map);
		if (split_rtpmap(buf, &enc, &rate, &params))
			return fail(p, -EBADMSG, "m-line %u: bad a=rtpmap:%ld '%s'", idx, pt, map);
	} else if (sdp_rtpmap_well_known[pt]) {
		enc = sdp_rtpmap_well_known[pt]->rm_encoding;
		rate = (unsigned)sdp_rtpmap_well_known[pt]->rm_rate;
		params = sdp_rtpmap_well_known[pt]->rm_params;
	}
	return add_codec(p, s, (unsigned)pt, enc, rate, params, fmtp);
}

static int codecs_raw(struct parse *p, struct media_stream *s, const sdp_media_t *m, unsigned idx)
{
	memset(p->raw_rtpmap, 0, sizeof(p->raw_rtpmap));
	memset(p->raw_fmtp, 0, sizeof(p->raw_fmtp));
	index_raw(p, m->m_attributes);
	for (const sdp_list_t *l = m->m_format; l; l = l->l_next) {
		long pt = parse_num(l->l_text, 0, 127);
		int rc;

		if (pt < 0)
			return fail(p, -EBADMSG, "m-line %u: '%s' is not an RTP payload type", idx,
			            l->l_text);
		rc = add_format(p, s, l->l_text);
		if (rc)
			return rc;
		rc = codec_from_raw(p, s, m, idx, pt);
		if (rc)
			return rc;
	}
	return 0;
}

static int formats_only(struct parse *p, struct media_stream *s, const sdp_media_t *m)
{
	for (const sdp_list_t *l = m->m_format; l; l = l->l_next) {
		int rc = add_format(p, s, l->l_text);

		if (rc)
			return rc;
	}
	return 0;
}

/* a=rtcp:<port> [IN IP4|IP6 <addr>] (RFC 3605). */
static int rtcp_attr(struct parse *p, struct media_stream *s, const char *v, unsigned idx)
{
	char net[8], type[8], addr[64];
	unsigned long port;
	int family, n;

	n = v ? sscanf(v, "%lu %7s %7s %63s", &port, net, type, addr) : 0;
	if ((n != 1 && n != 4) || port == 0 || port > 65535 || v[0] < '0' || v[0] > '9')
		return fail(p, -EBADMSG, "m-line %u: bad a=rtcp '%s'", idx, v ? v : "");
	s->rtcp_port = (uint16_t)port;
	if (n == 1)
		return 0;
	if (strcasecmp(net, "IN") || !is_ip(addr, &family) ||
	    strcasecmp(type, family == AF_INET ? "IP4" : "IP6"))
		return fail(p, -EBADMSG, "m-line %u: bad a=rtcp address '%s'", idx, v);
	s->rtcp_ip = su_strdup(p->plan->home, addr);
	return s->rtcp_ip ? 0 : -ENOMEM;
}

/* a=ptime is advisory: a value we cannot read is treated as absent, not as an error. */
static unsigned packet_time(const char *v)
{
	long ms = parse_num(v, 1, 10000);

	return ms > 0 ? (unsigned)ms : 0;
}

static int pt_attr(struct parse *p, struct media_stream *s, const sdp_attribute_t *a)
{
	const char *rest;
	long pt = leading_pt(a->a_value, &rest);
	struct media_codec *c;

	if (pt < 0) /* "a=rtcp-fb:* nack" applies to all: pass it through as it is */
		return add_attr(p, &s->attrs, &s->n_attrs, a->a_name, a->a_value);
	c = find_codec(p, s, (unsigned)pt);
	if (!c) /* about a payload type the m-line does not list */
		return 0;
	return add_attr(p, &c->pt_attrs, &c->n_pt_attrs, a->a_name, rest);
}

static int media_attrs(struct parse *p, struct media_stream *s, const sdp_media_t *m, unsigned idx)
{
	for (const sdp_attribute_t *a = m->m_attributes; a; a = a->a_next) {
		const char *n = a->a_name;
		int rc = 0;

		if (!strcasecmp(n, "rtcp"))
			rc = rtcp_attr(p, s, a->a_value, idx);
		else if (!strcasecmp(n, "rtcp-mux"))
			s->rtcp_mux = true;
		else if (!strcasecmp(n, "ptime"))
			s->ptime = packet_time(a->a_value);
		else if (!strcasecmp(n, "maxptime"))
			s->maxptime = packet_time(a->a_value);
		else if (payload_keyed(n))
			rc = pt_attr(p, s, a);
		else if (!strcasecmp(n, "crypto"))
			rc = add_attr(p, &s->crypto, &s->n_crypto, n, a->a_value);
		else if (!regenerated(n))
			rc = add_attr(p, &s->attrs, &s->n_attrs, n, a->a_value);
		if (rc)
			return rc;
	}
	return 0;
}

static int transport(struct parse *p, struct media_stream *s, const sdp_media_t *m, unsigned idx)
{
	const sdp_connection_t *c = sdp_media_connections(m);
	int family;

	if (m->m_number_of_ports > 1)
		return fail(p, -ENOTSUP, "m-line %u: port ranges (%lu/%lu) are not supported", idx,
		            m->m_port, m->m_number_of_ports);
	if (!c || !c->c_address)
		return fail(p, -EBADMSG, "m-line %u: no c= line", idx);
	if (c->c_mcast)
		return fail(p, -ENOTSUP, "m-line %u: multicast c=%s is not supported", idx,
		            c->c_address);
	if (!is_ip(c->c_address, &family))
		return fail(p, -EBADMSG, "m-line %u: c= address '%s' is not an IP address", idx,
		            c->c_address);
	s->rtp_port = (uint16_t)m->m_port;
	s->rtp_ip = su_strdup(p->plan->home, c->c_address);
	if (!s->rtp_ip)
		return -ENOMEM;
	s->null_addr = is_null_addr(c->c_address);
	if (s->null_addr)
		s->dir &= ~MEDIA_RECVONLY;
	return 0;
}

/* After the attributes: a=rtcp may have named only a port, or nothing at all. */
static int rtcp_defaults(struct parse *p, struct media_stream *s)
{
	if (!s->rtcp_port)
		s->rtcp_port = s->rtp_port < 65535 ? (uint16_t)(s->rtp_port + 1) : 0;
	if (!s->rtcp_ip)
		s->rtcp_ip = su_strdup(p->plan->home, s->rtp_ip);
	return s->rtcp_ip ? 0 : -ENOMEM;
}

static int stream(struct parse *p, struct media_stream *s, const sdp_media_t *m, unsigned idx)
{
	int rc;

	memset(p->codec_of_pt, -1, sizeof(p->codec_of_pt));
	s->kind = kind_of(m);
	s->proto = proto_of(m);
	s->media = su_strdup(p->plan->home, m->m_type_name ? m->m_type_name : "");
	s->proto_name = su_strdup(p->plan->home, m->m_proto_name ? m->m_proto_name : "");
	if (!s->media || !s->proto_name)
		return -ENOMEM;
	if (m->m_port > 65535)
		return fail(p, -EBADMSG, "m-line %u: port %lu out of range", idx, m->m_port);
	s->dir = (enum media_dir)(m->m_mode & MEDIA_SENDRECV);
	s->rejected = m->m_rejected || m->m_port == 0;
	if (m->m_rtpmaps)
		rc = codecs_parsed(p, s, m);
	else if (s->proto != MEDIA_PROTO_OTHER)
		rc = codecs_raw(p, s, m, idx);
	else
		rc = formats_only(p, s, m);
	if (rc || s->rejected)
		return rc;
	rc = transport(p, s, m, idx);
	if (!rc)
		rc = media_attrs(p, s, m, idx);
	if (!rc)
		rc = rtcp_defaults(p, s);
	return rc;
}

static int session(struct parse *p, const sdp_session_t *sdp, unsigned max_streams)
{
	unsigned n = 0, i = 0;
	int rc;

	for (const sdp_media_t *m = sdp->sdp_media; m; m = m->m_next)
		n++;
	if (n == 0)
		return fail(p, -EBADMSG, "no m= line");
	if (n > max_streams)
		return fail(p, -E2BIG, "%u m-lines, more than the %u allowed", n, max_streams);
	if (origin(p, sdp) || session_attrs(p, sdp) || media_plan_alloc_streams(p->plan, n))
		return -ENOMEM;
	for (const sdp_media_t *m = sdp->sdp_media; m; m = m->m_next, i++) {
		rc = stream(p, &p->plan->streams[i], m, i);
		if (rc)
			return rc;
	}
	return 0;
}

int media_plan_parse_limited(const char *body, size_t len, const struct media_plan_limits *lim,
                             struct media_plan **out, char *why, size_t whylen)
{
	struct parse p = {.why = why, .whylen = whylen, .max_formats = lim->max_formats};
	unsigned bad_mline;
	sdp_parser_t *parser;
	sdp_session_t *sdp;
	int rc;

	*out = NULL;
	if (!body || len == 0)
		return fail(&p, -EBADMSG, "empty SDP");
	rc = media_plan_limits_check(body, len, lim, why, whylen);
	if (rc)
		return rc;
	if (memchr(body, '\0', len))
		return fail(&p, -EBADMSG, "NUL byte in SDP");
	if (media_plan_guard(body, len, &bad_mline))
		return fail(&p, -EBADMSG, "m-line %u: malformed format list", bad_mline);
	p.plan = media_plan_new();
	if (!p.plan)
		return -ENOMEM;
	parser = sdp_parse(NULL, body, (issize_t)len, 0);
	sdp = sdp_session(parser);
	if (!sdp)
		rc = fail(&p, -EBADMSG, "%s", sdp_parsing_error(parser));
	else
		rc = session(&p, sdp, lim->max_streams);
	sdp_parser_free(parser);
	if (rc) {
		if (rc == -ENOMEM)
			fail(&p, rc, "out of memory");
		media_plan_free(p.plan);
		return rc;
	}
	*out = p.plan;
	return 0;
}

int media_plan_parse(const char *body, size_t len, unsigned max_streams, struct media_plan **out,
                     char *why, size_t whylen)
{
	struct media_plan_limits lim = {
	    .max_bytes = MEDIA_PLAN_MAX_BYTES,
	    .max_streams = max_streams,
	    .max_formats = MEDIA_PLAN_MAX_FORMATS,
	    .max_attrs = MEDIA_PLAN_MAX_ATTRS,
	};

	return media_plan_parse_limited(body, len, &lim, out, why, whylen);
}
