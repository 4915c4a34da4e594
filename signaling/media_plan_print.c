/* Media plan -> SDP text, through sofia-sip's SDP printer: builds an sdp_session_t on a
 * temporary home (our address, the media node's ports, the plan's codecs and attributes) and
 * keeps the o= line's session version honest across re-offers. */
#include "media_plan.h"
#include "why.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <sofia-sip/sdp.h>

#define SDP_NAME "tandem" /* o= username and s= */

struct build {
	su_home_t *home;
	const struct media_plan *plan;
	const struct media_plan_local *local;
	sdp_addrtype_e addrtype;
};

static sdp_connection_t *connection(struct build *b)
{
	sdp_connection_t *c = su_salloc(b->home, sizeof(*c));

	if (c) {
		c->c_nettype = sdp_net_in;
		c->c_addrtype = b->addrtype;
		c->c_address = b->local->ip;
		c->c_groups = 1;
	}
	return c;
}

/* Appends a= lines; *tail always points at the list's terminating NULL. */
static int attr(struct build *b, sdp_attribute_t ***tail, const char *name, const char *value)
{
	sdp_attribute_t *a = su_salloc(b->home, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->a_name = name;
	a->a_value = value;
	**tail = a;
	*tail = &a->a_next;
	return 0;
}

static int attrs(struct build *b, sdp_attribute_t ***tail, const struct media_attr *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (attr(b, tail, v[i].name, v[i].value))
			return -ENOMEM;
	return 0;
}

static int number_attr(struct build *b, sdp_attribute_t ***tail, const char *name, unsigned v)
{
	char *value;

	if (!v)
		return 0;
	value = su_sprintf(b->home, "%u", v);
	return value ? attr(b, tail, name, value) : -ENOMEM;
}

static int formats(struct build *b, sdp_media_t *m, const struct media_stream *s)
{
	sdp_list_t **tail = &m->m_format;

	for (unsigned i = 0; i < s->n_formats; i++) {
		sdp_list_t *l = su_salloc(b->home, sizeof(*l));

		if (!l)
			return -ENOMEM;
		l->l_text = s->formats[i];
		*tail = l;
		tail = &l->l_next;
	}
	return 0;
}

static int rtpmaps(struct build *b, sdp_media_t *m, const struct media_stream *s)
{
	sdp_rtpmap_t **tail = &m->m_rtpmaps;

	for (unsigned i = 0; i < s->n_codecs; i++) {
		const struct media_codec *c = &s->codecs[i];
		sdp_rtpmap_t *rm = su_salloc(b->home, sizeof(*rm));

		if (!rm)
			return -ENOMEM;
		rm->rm_pt = c->pt & 127;
		rm->rm_encoding = c->name;
		rm->rm_rate = c->rate;
		rm->rm_fmtp = c->fmtp;
		/* a=rtpmap for every payload, static ones too; none when we do not know the name */
		rm->rm_predef = c->name[0] == '\0';
		if (c->channels > 1 && !(rm->rm_params = su_sprintf(b->home, "%u", c->channels)))
			return -ENOMEM;
		*tail = rm;
		tail = &rm->rm_next;
	}
	return 0;
}

static int pt_attrs(struct build *b, sdp_attribute_t ***tail, const struct media_stream *s)
{
	for (unsigned i = 0; i < s->n_codecs; i++) {
		const struct media_codec *c = &s->codecs[i];

		for (unsigned j = 0; j < c->n_pt_attrs; j++) {
			const struct media_attr *a = &c->pt_attrs[j];
			char *v = a->value ? su_sprintf(b->home, "%u %s", c->pt, a->value)
			                   : su_sprintf(b->home, "%u", c->pt);

			if (!v || attr(b, tail, a->name, v))
				return -ENOMEM;
		}
	}
	return 0;
}

static int media_attrs(struct build *b, sdp_media_t *m, const struct media_stream *s,
                       const struct media_plan_port *port)
{
	sdp_attribute_t **tail = &m->m_attributes;

	if (number_attr(b, &tail, "ptime", s->ptime) ||
	    number_attr(b, &tail, "maxptime", s->maxptime) ||
	    number_attr(b, &tail, "rtcp", port->rtcp) ||
	    (s->rtcp_mux && attr(b, &tail, "rtcp-mux", NULL)) || pt_attrs(b, &tail, s) ||
	    attrs(b, &tail, s->attrs, s->n_attrs) || attrs(b, &tail, s->crypto, s->n_crypto))
		return -ENOMEM;
	return 0;
}

static bool refused(const struct media_stream *s, const struct media_plan_port *port)
{
	/* the media node relays RTP only: other transports are refused whatever the plan says */
	return s->rejected || port->rtp == 0 || s->proto == MEDIA_PROTO_OTHER || !s->n_codecs;
}

static sdp_media_t *media(struct build *b, sdp_session_t *sdp, const struct media_stream *s,
                          const struct media_plan_port *port)
{
	sdp_media_t *m = su_salloc(b->home, sizeof(*m));

	if (!m)
		return NULL;
	m->m_session = sdp;
	sdp_media_type(m, s->media);
	sdp_media_transport(m, s->proto == MEDIA_PROTO_OTHER ? s->proto_name
	                                                     : media_proto_name(s->proto));
	if (refused(s, port)) {
		m->m_rejected = 1;
		return formats(b, m, s) ? NULL : m;
	}
	m->m_port = port->rtp;
	m->m_mode = s->dir;
	if (rtpmaps(b, m, s) || media_attrs(b, m, s, port))
		return NULL;
	return m;
}

static sdp_session_t *session(struct build *b)
{
	sdp_session_t *sdp = su_salloc(b->home, sizeof(*sdp));
	sdp_media_t **tail;
	sdp_attribute_t **atail;

	if (!sdp || !(sdp->sdp_connection = connection(b)) ||
	    !(sdp->sdp_time = su_salloc(b->home, sizeof(sdp_time_t))))
		return NULL;
	sdp->sdp_subject = SDP_NAME;
	atail = &sdp->sdp_attributes;
	if (attrs(b, &atail, b->plan->attrs, b->plan->n_attrs))
		return NULL;
	tail = &sdp->sdp_media;
	for (unsigned i = 0; i < b->plan->n_streams; i++) {
		*tail = media(b, sdp, &b->plan->streams[i], &b->local->ports[i]);
		if (!*tail)
			return NULL;
		tail = &(*tail)->m_next;
	}
	return sdp;
}

/* The printed text in a malloc'ed copy, or NULL with why filled in. */
static char *print(su_home_t *home, const sdp_session_t *sdp, char *why, size_t whylen)
{
	sdp_printer_t *pr = sdp_print(home, sdp, NULL, 0, sdp_f_mode_always);
	const char *msg = sdp_message(pr);
	char *text = msg ? strdup(msg) : NULL;

	if (!msg)
		why_fail(why, whylen, 0, "SDP printer: %s", sdp_printing_error(pr));
	sdp_printer_free(pr);
	return text;
}

/* Change detection only, not security: FNV-1a over the body without its o= line. */
static uint64_t body_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t random_id(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)time(NULL);
	/* 31 bits: some endpoints still keep the session id in a signed 32-bit integer */
	v &= 0x7fffffffu;
	return v ? v : 1;
}

static int check_local(const struct media_plan *plan, const struct media_plan_local *local,
                       sdp_addrtype_e *type, char *why, size_t whylen)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (!local->ip || local->n_ports != plan->n_streams || (plan->n_streams && !local->ports))
		return why_fail(why, whylen, -EINVAL, "%u ports for %u m-lines", local->n_ports,
		                plan->n_streams);
	if (inet_pton(AF_INET, local->ip, buf) == 1)
		*type = sdp_addr_ip4;
	else if (inet_pton(AF_INET6, local->ip, buf) == 1)
		*type = sdp_addr_ip6;
	else
		return why_fail(why, whylen, -EINVAL, "'%s' is not an IP address", local->ip);
	return 0;
}

static int print_with_origin(struct build *b, sdp_session_t *sdp, struct media_plan_origin *o,
                             char **out, char *why, size_t whylen)
{
	sdp_origin_t *origin = su_salloc(b->home, sizeof(*origin));
	char *body;
	uint64_t hash, id, version;

	if (!origin || !(origin->o_address = connection(b)))
		return -ENOMEM;
	body = print(b->home, sdp, why, whylen);
	if (!body)
		return -EIO;
	hash = body_hash(body);
	free(body);
	id = o->id ? o->id : random_id();
	version = o->version + (o->sent && hash != o->body_hash);
	origin->o_username = SDP_NAME;
	origin->o_id = id;
	origin->o_version = version;
	sdp->sdp_origin = origin;
	*out = print(b->home, sdp, why, whylen);
	if (!*out)
		return -EIO;
	*o = (struct media_plan_origin){.id = id, .version = version, .body_hash = hash, .sent = 1};
	return 0;
}

int media_plan_print(const struct media_plan *plan, const struct media_plan_local *local,
                     struct media_plan_origin *origin, char **out, char *why, size_t whylen)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	struct build b = {.home = home, .plan = plan, .local = local};
	sdp_session_t *sdp;
	int rc;

	*out = NULL;
	rc = check_local(plan, local, &b.addrtype, why, whylen);
	if (rc)
		return rc;
	sdp = session(&b);
	rc = sdp ? print_with_origin(&b, sdp, origin, out, why, whylen) : -ENOMEM;
	if (rc == -ENOMEM)
		why_fail(why, whylen, rc, "out of memory");
	su_home_deinit(home);
	return rc;
}
