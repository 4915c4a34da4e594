/* SDES offer/answer for a B2BUA whose media node terminates SRTP on each leg (RFC 4568): the
 * keys of one leg never reach the other. Per leg and m-line, the leg's own key (what it
 * encrypts with, from its SDP) and ours (what the node encrypts with toward it, in the SDP we
 * send it) are kept in a struct sdp_srtp_leg; the media node gets both (SrtpParams).
 *
 *   offer from leg X:  sdp_srtp_accept_offer(X) picks X's first usable a=crypto and makes our key
 *                      for X; sdp_srtp_make_offer(Y) writes the m-line for Y per Y's policy;
 *   answer from leg Y: sdp_srtp_take_answer(Y) matches Y's a=crypto to what we offered;
 *                      sdp_srtp_write_answer(X) writes our key for X in the answer to X.
 *
 * Policy per leg: off (default): SRTP only when the leg offers it; we offer it plain RTP.
 * optional: we offer RTP/AVP with a=crypto (RFC 4568 best effort) and fall back to plain when
 * the answer has none. mandatory: we offer RTP/SAVP; an offer from the leg without a usable
 * a=crypto is refused (488). A leg's keys are fresh (RAND_bytes) whenever its SRTP changes;
 * a re-offer that repeats the same key keeps ours, so the node's contexts (replay window,
 * rollover counter) are kept too. UDP/TLS (DTLS-SRTP) m-lines are left alone: their keys are
 * negotiated end to end and the node relays them as they are.
 *
 * Pure functions on media plans; keys live in the caller's struct and in the plans' a=crypto
 * values, and are never logged: reasons name m-lines and suites only. */
#ifndef SIGNALD_SDP_SRTP_H
#define SIGNALD_SDP_SRTP_H

#include <stdbool.h>
#include <stddef.h>

#include "media_plan.h"
#include "sdes.h"

enum srtp_policy {
	SRTP_POLICY_OFF = 0,
	SRTP_POLICY_OPTIONAL,
	SRTP_POLICY_MANDATORY,
};

/* "off", "optional", "mandatory" (case-insensitive); -EINVAL otherwise. */
int srtp_policy_parse(const char *s, enum srtp_policy *out);
const char *srtp_policy_name(enum srtp_policy p);

struct sdp_srtp_leg {
	struct sdes_crypto rx; /* the leg's key; suite SDES_NONE: the leg is plain */
	struct sdes_crypto tx; /* ours toward the leg (same suite, the leg's tag) */
	struct sdes_crypto offered[SDES_N_SUITES]; /* our last offer to the leg */
	unsigned n_offered;
	bool offered_savp; /* that offer was RTP/SAVP(F): an answer must carry a=crypto */
	bool dirty;        /* rx/tx changed since sdp_srtp_sent() */
};

/* An offer from the leg, one m-line (in): chooses its first a=crypto we can use. 0 with leg
 * SRTP or plain; -ENOTSUP (why says which m-line and why) when the m-line cannot be accepted:
 * RTP/SAVP(F) without a usable a=crypto, or policy mandatory without one; -EIO when no random
 * key could be made. */
int sdp_srtp_accept_offer(unsigned mline, const struct media_stream *in, enum srtp_policy policy,
                          struct sdp_srtp_leg *leg, char *why, size_t whylen);

/* Our offer to the leg, one m-line (out, in plan): the transport per policy (RTP/AVP(F) or
 * RTP/SAVP(F)) and a=crypto lines with fresh keys for every suite, or the leg's current one
 * alone when it already speaks SRTP. 0, -ENOMEM, -EIO. */
int sdp_srtp_make_offer(struct media_plan *plan, struct media_stream *out, enum srtp_policy policy,
                        struct sdp_srtp_leg *leg);

/* The leg's answer to that offer, one m-line (ans). 0 with leg SRTP or plain; -EPROTO when the
 * answer chose a crypto we did not offer or answered RTP/SAVP(F) without one. */
int sdp_srtp_take_answer(unsigned mline, const struct media_stream *ans, struct sdp_srtp_leg *leg,
                         char *why, size_t whylen);

/* Our answer to the leg, one m-line (out, in plan): our key for it when it speaks SRTP. */
int sdp_srtp_write_answer(struct media_plan *plan, struct media_stream *out,
                          const struct sdp_srtp_leg *leg);

/* A call taken back after a restart: the leg's keys from the SDP it last sent (got) and the
 * SDP we last sent it (sent), one m-line each: the a=crypto pair with the same tag and suite
 * (one of the two is an answer with a single line). The node has them already: not dirty. 0,
 * or -ENOENT when the m-line had no such pair (the leg is then plain). */
int sdp_srtp_restore(const struct media_stream *got, const struct media_stream *sent,
                     struct sdp_srtp_leg *leg);

/* The media node was given the leg's keys. */
static inline void sdp_srtp_sent(struct sdp_srtp_leg *leg)
{
	leg->dirty = false;
}

/* Wipes every key. */
void sdp_srtp_wipe(struct sdp_srtp_leg *leg);

#endif
