/* SDES (RFC 4568) in a call's offer/answer: the keys each side offers or answers are taken per
 * m-line, and the SDP for the other side gets that side's transport and our keys for it
 * (sdp_srtp.h does the attribute work; the keys live in struct cm_call). */
#include <errno.h>
#include <stdio.h>

#include "call_media_internal.h"
#include "sdp_srtp.h"

/* An offer from `from`: its keys are taken per m-line (an m-line we cannot secure as its
 * policy or transport demands is refused), and the offer to the other side gets that side's
 * transport and keys. No m-line left: -EPROTO (488) with the reason in media_error. */
int cm_srtp_offer(struct call *call, struct cm_call *st, enum call_side from,
                  const struct media_plan *in, struct media_plan *out)
{
	char why[sizeof(call->media_error)] = "";

	for (unsigned i = 0; i < out->n_streams && i < CM_MAX_STREAMS; i++) {
		struct media_stream *o = &out->streams[i];
		int rc;

		if (o->rejected || !media_stream_active(&in->streams[i]))
			continue;
		rc = sdp_srtp_accept_offer(i, &in->streams[i],
		                           (enum srtp_policy)call->srtp_policy[from],
		                           &st->srtp[from][i], why[0] ? NULL : why, sizeof(why));
		if (rc == -ENOTSUP) {
			o->rejected = true;
			continue;
		}
		if (!rc)
			rc = sdp_srtp_make_offer(out, o, (enum srtp_policy)call->srtp_policy[!from],
			                         &st->srtp[!from][i]);
		if (rc) {
			snprintf(call->media_error, sizeof(call->media_error),
			         "m-line %u: cannot make SRTP keys", i);
			return -EPROTO;
		}
	}
	if (media_plan_active_streams(out))
		return 0;
	snprintf(call->media_error, sizeof(call->media_error), "%s", why);
	return -EPROTO;
}

/* The answer from `from` to our offer: its keys are matched to what we offered it, and the
 * answer to the other side gets our key for that side. */
int cm_srtp_answer(struct call *call, struct cm_call *st, enum call_side from,
                   const struct media_plan *in, struct media_plan *out)
{
	for (unsigned i = 0; i < in->n_streams && i < CM_MAX_STREAMS; i++) {
		int rc;

		if (i >= st->offer_out->n_streams || st->offer_out->streams[i].rejected ||
		    !media_stream_active(&in->streams[i]))
			continue;
		rc = sdp_srtp_take_answer(i, &in->streams[i], &st->srtp[from][i], call->media_error,
		                          sizeof(call->media_error));
		if (rc)
			return -EPROTO;
		if (i < out->n_streams && !out->streams[i].rejected &&
		    sdp_srtp_write_answer(out, &out->streams[i], &st->srtp[!from][i]))
			return -ENOMEM;
	}
	return 0;
}

/* Our own answer (local) to the offer from `from` that cm_srtp_offer() took: each m-line we
 * answer carries our key for the leg when the leg speaks SRTP. An m-line refused towards the
 * other side is refused here too (an RTP/SAVP one without a usable key, say): nothing would
 * carry its media. */
int cm_srtp_local_answer(struct call *call, struct cm_call *st, enum call_side from,
                         struct media_plan *local, const struct media_plan *out)
{
	for (unsigned i = 0; i < local->n_streams && i < CM_MAX_STREAMS; i++) {
		struct media_stream *l = &local->streams[i];

		if (l->rejected)
			continue;
		if (i >= out->n_streams || out->streams[i].rejected) {
			l->rejected = true;
			continue;
		}
		if (st->srtp[from][i].rx.suite != SDES_NONE &&
		    sdp_srtp_write_answer(local, l, &st->srtp[from][i])) {
			snprintf(call->media_error, sizeof(call->media_error),
			         "m-line %u: cannot write our SRTP key", i);
			return -EPROTO;
		}
	}
	return 0;
}
