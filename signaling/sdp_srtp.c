/* SDES offer/answer per leg (the header states the rules). */
#include "sdp_srtp.h"
#include "why.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

/* Our offer, most compatible first: every SDES phone knows the first. */
static const int offer_order[SDES_N_SUITES] = {
    SDES_AES_CM_128_HMAC_SHA1_80,
    SDES_AES_CM_128_HMAC_SHA1_32,
    SDES_AEAD_AES_128_GCM,
    SDES_AEAD_AES_256_GCM,
};

int srtp_policy_parse(const char *s, enum srtp_policy *out)
{
	static const char *const names[] = {"off", "optional", "mandatory"};

	for (int i = 0; s && i < 3; i++)
		if (!strcasecmp(s, names[i])) {
			*out = (enum srtp_policy)i;
			return 0;
		}
	return -EINVAL;
}

const char *srtp_policy_name(enum srtp_policy p)
{
	return p == SRTP_POLICY_MANDATORY  ? "mandatory"
	       : p == SRTP_POLICY_OPTIONAL ? "optional"
	                                   : "off";
}

static bool dtls(enum media_proto p)
{
	return p == MEDIA_PROTO_UDP_TLS_RTP_SAVP || p == MEDIA_PROTO_UDP_TLS_RTP_SAVPF;
}

static bool savp(enum media_proto p)
{
	return p == MEDIA_PROTO_RTP_SAVP || p == MEDIA_PROTO_RTP_SAVPF;
}

static bool feedback(enum media_proto p)
{
	return p == MEDIA_PROTO_RTP_AVPF || p == MEDIA_PROTO_RTP_SAVPF;
}

/* Sets the leg's keys, marking it dirty when they differ from what it had. */
static void set_keys(struct sdp_srtp_leg *leg, const struct sdes_crypto *rx,
                     const struct sdes_crypto *tx)
{
	static const struct sdes_crypto none;

	if (!rx)
		rx = tx = &none;
	if (!sdes_equal(&leg->rx, rx) || !sdes_equal(&leg->tx, tx) || leg->rx.suite != rx->suite) {
		leg->dirty = true;
		leg->rx = *rx;
		leg->tx = *tx;
	}
}

int sdp_srtp_accept_offer(unsigned mline, const struct media_stream *in, enum srtp_policy policy,
                          struct sdp_srtp_leg *leg, char *why, size_t whylen)
{
	char reason[96] = "no a=crypto";
	struct sdes_crypto c, tx;
	int rc;

	if (dtls(in->proto)) {
		set_keys(leg, NULL, NULL);
		return 0;
	}
	for (unsigned i = 0; i < in->n_crypto; i++) {
		char r[96];

		if (sdes_parse(in->crypto[i].value, &c, r, sizeof(r))) {
			if (i == 0)
				snprintf(reason, sizeof(reason), "%s", r);
			continue;
		}
		/* The same key again (a refresh, a hold): ours stays, and with it the node's
		 * contexts. A new key gets a new one of ours. */
		if (sdes_equal(&leg->rx, &c)) {
			sdes_wipe(&c);
			return 0;
		}
		rc = sdes_generate(c.suite, c.tag, &tx);
		if (!rc)
			set_keys(leg, &c, &tx);
		sdes_wipe(&c);
		sdes_wipe(&tx);
		return rc ? why_fail(why, whylen, -EIO, "m-line %u: no random key", mline) : 0;
	}
	if (savp(in->proto))
		return why_fail(why, whylen, -ENOTSUP,
		                "m-line %u: %s without a usable a=crypto (%s)", mline,
		                media_proto_name(in->proto), reason);
	if (policy == SRTP_POLICY_MANDATORY)
		return why_fail(
		    why, whylen, -ENOTSUP,
		    "m-line %u: SRTP is mandatory for this leg and the offer has no usable "
		    "a=crypto (%s)",
		    mline, reason);
	set_keys(leg, NULL, NULL);
	return 0;
}

/* Sets out's a=crypto lines to c[0..n) (copy_attrs replaces the array). */
static int set_cryptos(struct media_plan *plan, struct media_stream *out,
                       const struct sdes_crypto *c, unsigned n)
{
	char values[SDES_N_SUITES][SDES_VALUE_MAX];
	struct media_attr a[SDES_N_SUITES];
	int rc = 0;

	for (unsigned i = 0; !rc && i < n; i++) {
		rc = sdes_format(&c[i], values[i], sizeof(values[i]));
		a[i] = (struct media_attr){.name = "crypto", .value = values[i]};
	}
	if (!rc)
		rc = media_plan_copy_attrs(plan, &out->crypto, &out->n_crypto, a, n);
	OPENSSL_cleanse(values, sizeof(values));
	return rc;
}

int sdp_srtp_make_offer(struct media_plan *plan, struct media_stream *out, enum srtp_policy policy,
                        struct sdp_srtp_leg *leg)
{
	bool fb = feedback(out->proto);

	out->crypto = NULL;
	out->n_crypto = 0;
	for (unsigned i = 0; i < leg->n_offered; i++)
		sdes_wipe(&leg->offered[i]);
	leg->n_offered = 0;
	leg->offered_savp = false;
	if (dtls(out->proto) || out->proto == MEDIA_PROTO_OTHER)
		return 0;
	if (policy == SRTP_POLICY_OFF) {
		out->proto = fb ? MEDIA_PROTO_RTP_AVPF : MEDIA_PROTO_RTP_AVP;
		return 0;
	}
	leg->offered_savp = policy == SRTP_POLICY_MANDATORY;
	out->proto = leg->offered_savp ? (fb ? MEDIA_PROTO_RTP_SAVPF : MEDIA_PROTO_RTP_SAVP)
	                               : (fb ? MEDIA_PROTO_RTP_AVPF : MEDIA_PROTO_RTP_AVP);
	if (leg->rx.suite != SDES_NONE) {
		leg->offered[0] = leg->tx;
		leg->n_offered = 1;
	} else {
		for (unsigned i = 0; i < SDES_N_SUITES; i++)
			if (sdes_generate(offer_order[i], i + 1, &leg->offered[i]))
				return -EIO;
		leg->n_offered = SDES_N_SUITES;
	}
	return set_cryptos(plan, out, leg->offered, leg->n_offered);
}

int sdp_srtp_take_answer(unsigned mline, const struct media_stream *ans, struct sdp_srtp_leg *leg,
                         char *why, size_t whylen)
{
	struct sdes_crypto c;
	char r[96];
	int rc;

	if (!leg->n_offered) { /* we offered plain (or DTLS, end to end) */
		set_keys(leg, NULL, NULL);
		return 0;
	}
	if (!ans->n_crypto) {
		if (leg->offered_savp || savp(ans->proto))
			return why_fail(why, whylen, -EPROTO,
			                "m-line %u: %s answer without a=crypto", mline,
			                media_proto_name(ans->proto));
		set_keys(leg, NULL, NULL); /* best effort declined: plain */
		return 0;
	}
	rc = sdes_parse(ans->crypto[0].value, &c, r, sizeof(r));
	if (rc)
		return why_fail(why, whylen, -EPROTO, "m-line %u: answered a=crypto refused: %s",
		                mline, r);
	for (unsigned i = 0; i < leg->n_offered; i++) {
		if (leg->offered[i].tag != c.tag || leg->offered[i].suite != c.suite)
			continue;
		set_keys(leg, &c, &leg->offered[i]);
		sdes_wipe(&c);
		return 0;
	}
	rc = why_fail(why, whylen, -EPROTO,
	              "m-line %u: answered a=crypto tag %u (%s) was not offered", mline, c.tag,
	              sdes_suite_name(c.suite));
	sdes_wipe(&c);
	return rc;
}

int sdp_srtp_write_answer(struct media_plan *plan, struct media_stream *out,
                          const struct sdp_srtp_leg *leg)
{
	out->crypto = NULL;
	out->n_crypto = 0;
	if (leg->rx.suite == SDES_NONE)
		return 0;
	return set_cryptos(plan, out, &leg->tx, 1);
}

int sdp_srtp_restore(const struct media_stream *got, const struct media_stream *sent,
                     struct sdp_srtp_leg *leg)
{
	struct sdes_crypto g, t;

	sdp_srtp_wipe(leg);
	for (unsigned i = 0; i < got->n_crypto; i++) {
		if (sdes_parse(got->crypto[i].value, &g, NULL, 0))
			continue;
		for (unsigned j = 0; j < sent->n_crypto; j++) {
			if (sdes_parse(sent->crypto[j].value, &t, NULL, 0))
				continue;
			if (g.tag == t.tag && g.suite == t.suite) {
				leg->rx = g;
				leg->tx = t;
				sdes_wipe(&g);
				sdes_wipe(&t);
				return 0;
			}
			sdes_wipe(&t);
		}
		sdes_wipe(&g);
	}
	return -ENOENT;
}

void sdp_srtp_wipe(struct sdp_srtp_leg *leg)
{
	OPENSSL_cleanse(leg, sizeof(*leg));
}
