/* SDP offer/answer (RFC 3264) for a B2BUA that anchors media on a relay without transcoding: the
 * two legs must end up with the same codec, so the offer to the callee carries the caller's codecs
 * filtered by our preferences (keeping the caller's payload numbers), and the answer to the caller
 * carries what the callee chose, mapped back. Pure functions on media plans (media_plan.h):
 * parse what a leg sends with media_plan_parse(), negotiate here, print what we send with
 * media_plan_print() once the media node has given its ports.
 *
 * The functions are role-neutral. Normal call: A's INVITE offer -> sdp_negotiate_offer() -> B;
 * B's answer -> sdp_negotiate_answer() -> A. Late offer (INVITE without SDP): B's 200 offer ->
 * sdp_negotiate_offer() -> A in our 200; A's ACK answer -> sdp_negotiate_answer() -> B in our
 * ACK. Re-INVITEs (hold, resume, new address) go the same way; media_plan_diff() tells a refresh
 * from a change.
 *
 * Every function returns 0 with a new plan in *out (owned by the caller, media_plan_free()) or a
 * negative errno with *out NULL and one line for the log in why (why may be NULL). On success why
 * is empty or names the first m-line that was refused. */
#ifndef SIGNALD_SDP_NEGOTIATE_H
#define SIGNALD_SDP_NEGOTIATE_H

#include <stddef.h>

#include "codec_prefs.h"
#include "media_plan.h"

/* The offer we send to the other leg, built from the offer one leg sent us.
 * Per m-line, in the same order (RFC 3264 requires it):
 *  - audio and video keep only the codecs our preferences name, in our order (greedy) or the
 *    offerer's (generous), with the offerer's payload numbers, rtpmap spelling and fmtp;
 *  - other kinds (text, ...) keep all their codecs; telephone-event, CN, red, rtx, ulpfec only
 *    as the preferences name them, and never alone: an m-line left without a media codec, one
 *    the offerer disabled (port 0), and one whose transport is not RTP are refused (printed
 *    with port 0 so m-line positions stay aligned);
 *  - direction, ptime, maxptime, rtcp-mux and pass-through attributes are the offerer's (the
 *    relay stands in for the offerer).
 * Errors: -ENOTSUP when no m-line is left (why names the first reason), -ENOMEM. */
int sdp_negotiate_offer(const struct media_plan *offer_in, const struct codec_prefs *prefs,
                        struct media_plan **out, char *why, size_t whylen);

/* The answer we send to the leg whose offer was offer_in, after we sent offer_out (from
 * sdp_negotiate_offer(offer_in)) to the other leg and it answered answer_in. Per m-line:
 *  - refused when it was refused in offer_out, rejected (port 0) in answer_in, of another media
 *    type in answer_in, or when no answered codec is one we offered;
 *  - codecs in the answerer's order, mapped back to offer_in's payload numbers (by payload
 *    number, else by name/rate/channels when the answerer renumbered), with the answerer's fmtp
 *    and payload-keyed attributes;
 *  - direction: the answerer's, limited to what offer_in allows (a sendonly offer can only be
 *    answered recvonly or inactive, whatever the answerer wrote);
 *  - rtcp-mux accepted when offer_in offered it; ptime and pass-through attributes from
 *    answer_in.
 * Errors: -EPROTO when answer_in has not as many m-lines as offer_out; -EINVAL when offer_out
 * does not come from offer_in; -ENOTSUP when no m-line is left; -ENOMEM. */
int sdp_negotiate_answer(const struct media_plan *offer_in, const struct media_plan *offer_out,
                         const struct media_plan *answer_in, struct media_plan **out, char *why,
                         size_t whylen);

/* An answer of our own to offer_in, when no other leg answers it: per m-line the single most
 * preferred media codec (greedy: by our order; generous: the first acceptable in the offerer's
 * order) plus the offerer's telephone-event at the same clock rate when our preferences name
 * it; the offerer's direction reversed; rtcp-mux accepted when offered. RTP/SAVP(F) m-lines
 * are answered with the same transport and no key: the caller adds ours (sdp_srtp.h); DTLS
 * (UDP/TLS/...) m-lines are refused: the media node makes no DTLS handshake.
 * Errors: -ENOTSUP when no m-line is left, -ENOMEM. */
int sdp_negotiate_answer_local(const struct media_plan *offer_in, const struct codec_prefs *prefs,
                               struct media_plan **out, char *why, size_t whylen);

/* The SIP final response for a failed media_plan_parse() or sdp_negotiate_*() on a request's
 * SDP: 400 for -EBADMSG (malformed), 413 for -EMSGSIZE (larger than allowed), 500 for -ENOMEM,
 * 488 for everything else. */
int sdp_negotiate_sip_status(int err);

#endif
