/* In-dialog INFO, MESSAGE and NOTIFY (DTMF relay, text, event state, anything with a body):
 * relayed to the other leg of an established call with their body and Content-Type (and a
 * NOTIFY's Event and Subscription-State), and answered with that leg's final status (408 when it
 * never answered). Nothing is answered for the other side.
 *
 * Requests towards one leg go out one at a time, in the order they came: the answer at the head
 * of that leg's queue is the answer to the request at the head, and DTMF digits keep their
 * order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b2bua_internal.h"
#include "call_exec.h"
#include "media_plan.h"

/* A queue longer than this is a peer flooding the dialog: further requests get 503. */
#define INDIALOG_MAX_QUEUED 32

struct indialog_req {
	struct indialog_req *next;
	struct ua_kept *kept; /* owned: the request, answered or dropped exactly once */
	struct leg *from;     /* the leg that sent it (borrowed: the call owns it) */
	bool sent;
	char method[16];
	/* Each NULL when absent; they point into the same allocation. */
	char *content_type, *event, *subscription_state;
	char *body;
	size_t body_len;
};

static unsigned queue_of(const struct leg *to)
{
	return to->is_a ? 0 : 1;
}

static const char *side_name(const struct leg *leg)
{
	return leg->is_a ? "caller" : "callee";
}

static size_t text_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies s (if any) to *p, advancing it; returns the copy or NULL. */
static char *text_put(char **p, const char *s)
{
	char *copy = *p;

	if (!s)
		return NULL;
	*p = stpcpy(copy, s) + 1;
	return copy;
}

static struct indialog_req *req_new(const struct ua_leg_event *ev, struct leg *from)
{
	size_t size = text_size(ev->content_type) + text_size(ev->event) +
	              text_size(ev->subscription_state) + ev->body_len + 1;
	struct indialog_req *r = calloc(1, sizeof(*r) + size);
	char *p;

	if (!r)
		return NULL;
	p = (char *)(r + 1);
	r->from = from;
	snprintf(r->method, sizeof(r->method), "%s", ev->method);
	r->content_type = text_put(&p, ev->content_type);
	r->event = text_put(&p, ev->event);
	r->subscription_state = text_put(&p, ev->subscription_state);
	if (ev->body && ev->body_len) {
		memcpy(p, ev->body, ev->body_len);
		r->body = p;
		r->body_len = ev->body_len;
	}
	return r;
}

static void send_head(struct b2bua *b, struct call *call, struct leg *to)
{
	struct indialog_req *r = call->indialog[queue_of(to)];

	if (!r || r->sent)
		return;
	r->sent = true;
	sip_ua_request(b->ua, to->nh,
	               &(struct ua_request_out){.method = r->method,
	                                        .content_type = r->content_type,
	                                        .body = r->body,
	                                        .body_len = r->body_len,
	                                        .event = r->event,
	                                        .subscription_state = r->subscription_state});
	log_info("call", "%s (%s, %zu bytes) relayed to the %s", r->method,
	         r->content_type ? r->content_type : "no body", r->body_len, side_name(to));
}

/* Answers r on the leg that sent it (or forgets it when that leg is gone) and frees it. */
static void req_finish(struct b2bua *b, struct indialog_req *r, int status, const char *phrase)
{
	if (r->from->nh)
		sip_ua_respond_kept(b->ua, r->from->nh, r->kept, status, phrase, NULL);
	else
		sip_ua_drop_kept(r->kept);
	free(r);
}

/* True when the leg's SDP offers or answers RFC 4733 telephone-events. */
static bool leg_has_events(const struct leg *leg)
{
	struct media_plan *plan = NULL;
	bool yes = false;

	if (!leg || !leg->sdp || media_plan_parse(leg->sdp, strlen(leg->sdp), 16, &plan, NULL, 0))
		return false;
	for (unsigned i = 0; i < plan->n_streams && !yes; i++)
		for (unsigned c = 0; c < plan->streams[i].n_codecs && !yes; c++)
			yes = plan->streams[i].kind == MEDIA_AUDIO && !plan->streams[i].rejected &&
			      plan->streams[i].codecs[c].role == MEDIA_CODEC_DTMF;
	media_plan_free(plan);
	return yes;
}

/* An INFO carrying a digit is the call's digit event: taken by what listens for digits (then
 * answered here, true). Otherwise it is relayed as any INFO, and when the other leg negotiated
 * telephone-events the digit is also sent to it in that form, which is how it hears digits in
 * its media. */
static bool dtmf_taken(struct b2bua *b, struct call *call, struct leg *from,
                       const struct ua_leg_event *ev)
{
	struct leg *to = from->is_a ? call->winner : &call->a;
	unsigned ms = 0;
	char digit = call_exec_info_digit(ev->content_type, ev->body, ev->body_len, &ms);
	char digits[2] = {digit, '\0'};

	if (!digit)
		return false;
	if (call_exec_digit(b, call, from->is_a ? 0 : 1, digit, ms)) {
		sip_ua_respond_now(b->ua, from->nh, 200, "OK", NULL);
		return true;
	}
	if (to && leg_live(to) && leg_has_events(to) &&
	    call_media_send_dtmf(b->cm, call, to->is_a ? SIDE_A : SIDE_B, digits, ms) == 0)
		log_info("call", "digit %c from the %s's INFO sent to the %s as a telephone-event",
		         digit, side_name(from), side_name(to));
	return false;
}

void b2bua_indialog_received(struct b2bua *b, struct call *call, struct leg *from,
                             const struct ua_leg_event *ev)
{
	struct leg *to = from->is_a ? call->winner : &call->a;
	struct indialog_req *r, **tail;
	unsigned n = 0;

	if (!ev->method || (!from->is_a && from != call->winner)) {
		sip_ua_respond_now(b->ua, from->nh, 481, "Call Does Not Exist", NULL);
		return;
	}
	if (!strcmp(ev->method, "INFO") && call->state != CALL_ENDING &&
	    dtmf_taken(b, call, from, ev))
		return;
	if (call->state == CALL_ENDING || !to || !to->nh || !leg_live(to)) {
		/* Before the answer there is no one dialog to relay to (several B legs ring). */
		log_info("call", "%s from the %s refused: no answered leg to relay it to",
		         ev->method, side_name(from));
		sip_ua_respond_now(b->ua, from->nh, 481, "Call Does Not Exist", NULL);
		return;
	}
	for (tail = &call->indialog[queue_of(to)]; *tail; tail = &(*tail)->next)
		n++;
	if (n >= INDIALOG_MAX_QUEUED) {
		log_warn("call", "%s from the %s refused: %u requests already wait on the %s",
		         ev->method, side_name(from), n, side_name(to));
		sip_ua_respond_now(b->ua, from->nh, 503, "Too Many Pending Requests", NULL);
		return;
	}
	r = req_new(ev, from);
	if (r)
		r->kept = sip_ua_keep_request(b->ua);
	if (!r || !r->kept) {
		free(r);
		sip_ua_respond_now(b->ua, from->nh, 500, "Out Of Memory", NULL);
		return;
	}
	*tail = r;
	send_head(b, call, to);
}

void b2bua_indialog_answered(struct b2bua *b, struct call *call, struct leg *to,
                             const struct ua_leg_event *ev)
{
	struct indialog_req **q = &call->indialog[queue_of(to)];
	struct indialog_req *r = *q;

	if (!r || !r->sent || (!to->is_a && to != call->winner)) {
		log_debug("call", "answer %d from the %s matches no relayed request", ev->status,
		          side_name(to));
		return;
	}
	*q = r->next;
	log_info("call", "%s answered %d by the %s", r->method, ev->status, side_name(to));
	req_finish(b, r, ev->status, ev->phrase);
	if (to->nh && call->state != CALL_ENDING)
		send_head(b, call, to);
}

void b2bua_indialog_drop(struct b2bua *b, struct call *call)
{
	for (unsigned i = 0; i < 2; i++)
		while (call->indialog[i]) {
			struct indialog_req *r = call->indialog[i];

			call->indialog[i] = r->next;
			req_finish(b, r, 481, "Call Does Not Exist");
		}
}
