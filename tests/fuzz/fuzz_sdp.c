/* SDP offer/answer as a call goes through it: a leg's SDP parsed into a media plan
 * (media_plan_parse.c), the offer for the other leg negotiated (sdp_negotiate.c) and printed with
 * the media node's ports (media_plan_print.c), the other leg's answer mapped back, and our own
 * answer for a call no other leg answers. The SDES steps go with them (sdp_srtp.c, sdes.c): the
 * offer's a=crypto taken, keys written into the offer for the other leg under a policy picked
 * by the input's size, the answer's a=crypto matched, ours written into the answer.
 *
 * Input: the offer, optionally followed by a NUL byte and the answer (without one, the offer we
 * printed comes back as the answer). What we print must parse again: an SDP we send that our
 * own parser refuses is a bug, and aborts. */
#include <errno.h>
#include <stdlib.h>

#include "codec_prefs.h"
#include "fuzz_util.h"
#include "media_plan.h"
#include "sdp_negotiate.h"
#include "sdp_srtp.h"

#define MAX_STREAMS 16

static struct codec_prefs prefs[2];
static struct sdp_srtp_leg srtp[2][MAX_STREAMS];

/* The offer's keys taken and the other leg's written, per m-line, as call_media.c does. */
static void srtp_offer(const struct media_plan *in, struct media_plan *out, size_t size)
{
	enum srtp_policy mine = (enum srtp_policy)(size % 3),
	                 theirs = (enum srtp_policy)(size / 3 % 3);

	for (unsigned i = 0; i < out->n_streams && i < in->n_streams && i < MAX_STREAMS; i++) {
		if (out->streams[i].rejected || !media_stream_active(&in->streams[i]))
			continue;
		if (sdp_srtp_accept_offer(i, &in->streams[i], mine, &srtp[0][i], NULL, 0) ==
		    -ENOTSUP)
			out->streams[i].rejected = true;
		else
			sdp_srtp_make_offer(out, &out->streams[i], theirs, &srtp[1][i]);
	}
}

static void srtp_answer(const struct media_plan *ans, struct media_plan *out)
{
	for (unsigned i = 0; i < ans->n_streams && i < out->n_streams && i < MAX_STREAMS; i++)
		if (media_stream_active(&ans->streams[i]) &&
		    !sdp_srtp_take_answer(i, &ans->streams[i], &srtp[1][i], NULL, 0) &&
		    !out->streams[i].rejected)
			sdp_srtp_write_answer(out, &out->streams[i], &srtp[0][i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	fuzz_quiet();
	if (codec_prefs_parse(&prefs[0], CODEC_PREFS_DEFAULT_AUDIO, CODEC_PREFS_DEFAULT_VIDEO,
	                      "greedy", err, sizeof(err)) ||
	    codec_prefs_parse(&prefs[1], "opus/48000/2,G722,PCMA,telephone-event/8000,CN",
	                      "VP8,H264,rtx,red", "generous", err, sizeof(err)))
		abort();
	return 0;
}

/* Prints plan as the SDP for one leg, and checks that it parses again. Returns the text
 * (free()) or NULL. */
static char *print(const struct media_plan *plan, struct media_plan_origin *origin, bool v6)
{
	struct media_plan_port ports[MAX_STREAMS];
	struct media_plan_local local = {
	    .ip = v6 ? "2001:db8::10" : "192.0.2.10", .n_ports = plan->n_streams, .ports = ports};
	struct media_plan *again = NULL;
	char *text = NULL, why[256];
	int rc;

	if (plan->n_streams > MAX_STREAMS)
		abort(); /* the parser's limit did not hold */
	for (unsigned i = 0; i < plan->n_streams; i++)
		ports[i] = (struct media_plan_port){(uint16_t)(30000 + 2 * i),
		                                    (uint16_t)(i % 2 ? 0 : 30001 + 2 * i)};
	if (media_plan_print(plan, &local, origin, &text, why, sizeof(why)))
		return NULL;
	rc = media_plan_parse(text, strlen(text), MAX_STREAMS, &again, why, sizeof(why));
	if (rc && rc != -ENOMEM) {
		fprintf(stderr, "printed SDP does not parse (%s):\n%s\n", why, text);
		abort();
	}
	media_plan_free(again);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct codec_prefs *pf = &prefs[size & 1];
	struct media_plan *in = NULL, *out = NULL, *ans_in = NULL, *ans_out = NULL, *local = NULL;
	struct media_plan_origin origin[2] = {{0}};
	const uint8_t *nul = memchr(data, 0, size);
	size_t offer_len = nul ? (size_t)(nul - data) : size;
	char why[256], *offer_text = NULL, *text;

	if (size > 64 * 1024)
		return 0;
	if (media_plan_parse((const char *)data, offer_len, MAX_STREAMS, &in, why, sizeof(why)))
		return 0;
	for (unsigned i = 0; i < MAX_STREAMS; i++) {
		sdp_srtp_wipe(&srtp[0][i]);
		sdp_srtp_wipe(&srtp[1][i]);
	}
	if (!sdp_negotiate_offer(in, pf, &out, why, sizeof(why))) {
		srtp_offer(in, out, size);
		offer_text = print(out, &origin[1], size & 2);
		if (nul)
			media_plan_parse((const char *)nul + 1, size - offer_len - 1, MAX_STREAMS,
			                 &ans_in, why, sizeof(why));
		else if (offer_text)
			media_plan_parse(offer_text, strlen(offer_text), MAX_STREAMS, &ans_in, why,
			                 sizeof(why));
		if (ans_in && !sdp_negotiate_answer(in, out, ans_in, &ans_out, why, sizeof(why))) {
			srtp_answer(ans_in, ans_out);
			free(print(ans_out, &origin[0], size & 4));
			/* The same answer again: an unchanged body keeps its o= version. */
			free(print(ans_out, &origin[0], size & 4));
		}
		if (ans_in)
			media_plan_diff(in, ans_in);
	}
	if (!sdp_negotiate_answer_local(in, pf, &local, why, sizeof(why))) {
		text = print(local, &origin[0], false);
		free(text);
	}
	media_plan_diff(in, in);
	media_plan_active_streams(in);
	for (unsigned i = 0; i < in->n_streams; i++) {
		media_stream_on_hold(&in->streams[i]);
		media_stream_dtmf_pt(&in->streams[i]);
	}
	free(offer_text);
	media_plan_free(local);
	media_plan_free(ans_out);
	media_plan_free(ans_in);
	media_plan_free(out);
	media_plan_free(in);
	return 0;
}
