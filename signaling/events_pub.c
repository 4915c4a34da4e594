/* Every value is a JSON string, as in FreeSWITCH's JSON events, so that consumers written for
 * its event socket read ours the same way. */
#include "events_pub.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <zmq.h>

#include "call.h"
#include "clock.h"
#include "hangup_cause.h"
#include "json_out.h"
#include "log.h"
#include "media_client.h"
#include "observe.h"

struct events_pub {
	void *sock; /* owned PUB */
	char *endpoint;
	char *node_id;
	unsigned long long seq;
};

/* One event being written: the stream and the writer over it. */
struct ev {
	struct events_pub *ep;
	char *buf;
	size_t len;
	FILE *f;
	struct json_out j;
	char topic[96];
};

static void put(struct ev *e, const char *key, const char *v)
{
	json_str(&e->j, key, v ? v : "");
}

static void putf(struct ev *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void putf(struct ev *e, const char *key, const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	json_str(&e->j, key, v);
}

/* Opens an event with the fields every one carries; false when memory ran out. */
static bool ev_begin(struct ev *e, struct events_pub *ep, const char *name, const char *subclass)
{
	struct timeval tv;

	memset(e, 0, sizeof(*e));
	e->ep = ep;
	e->f = open_memstream(&e->buf, &e->len);
	if (!e->f)
		return false;
	snprintf(e->topic, sizeof(e->topic), "%s%s%s", name, subclass ? " " : "",
	         subclass ? subclass : "");
	gettimeofday(&tv, NULL);
	json_out_init(&e->j, e->f);
	json_obj_begin(&e->j, NULL);
	put(e, "Event-Name", name);
	if (subclass)
		put(e, "Event-Subclass", subclass);
	put(e, "Core-UUID", ep->node_id);
	put(e, "FreeSWITCH-Hostname", ep->node_id);
	put(e, "Event-Calling-Function", "signald");
	putf(e, "Event-Date-Timestamp", "%lld",
	     (long long)tv.tv_sec * 1000000LL + (long long)tv.tv_usec);
	putf(e, "Event-Sequence", "%llu", ep->seq + 1);
	return true;
}

static void ev_send(struct ev *e)
{
	int bad;

	json_obj_end(&e->j);
	fputc('\n', e->f);
	bad = json_out_check(&e->j); /* before the close: it reads the stream's error flag */
	if (fclose(e->f) || bad) {
		free(e->buf);
		return;
	}
	/* A PUB socket drops rather than blocks; a full pipe loses this event, not the loop. */
	if (zmq_send(e->ep->sock, e->topic, strlen(e->topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
	    zmq_send(e->ep->sock, e->buf, e->len, ZMQ_DONTWAIT) >= 0)
		e->ep->seq++;
	free(e->buf);
}

static const char *leg_uuid(const struct leg *l, char *buf, size_t len)
{
	if (l->is_a)
		snprintf(buf, len, "%s", l->call->call_id ? l->call->call_id : "");
	else
		snprintf(buf, len, "%s;b%u", l->call->call_id ? l->call->call_id : "", l->index);
	return buf;
}

/* The fields of a channel: the leg's, and the call's caller and destination. */
static void channel(struct ev *e, const struct leg *l, const char *answer_state)
{
	const struct call *c = l->call;
	char uuid[320];

	put(e, "Unique-ID", leg_uuid(l, uuid, sizeof(uuid)));
	put(e, "Channel-Call-UUID", c->call_id);
	put(e, "Call-Direction", l->is_a ? "inbound" : "outbound");
	put(e, "Channel-Call-State", call_state_name(c->state));
	put(e, "Channel-Leg-State", leg_state_name(l->state));
	put(e, "Answer-State", answer_state);
	put(e, "Caller-Caller-ID-Number", c->caller);
	put(e, "Caller-Caller-ID-Host", c->caller_host);
	put(e, "Caller-Destination-Number", c->destination);
	put(e, "Caller-Callee-ID-Number", c->callee);
	put(e, "Caller-Network-Addr", l->src_ip);
	put(e, "variable_sip_call_id", l->is_a ? c->call_id : (l == c->winner ? c->b_call_id : ""));
	if (!l->is_a)
		put(e, "variable_sip_contact", l->contact);
	put(e, "variable_sip_user_agent", l->is_a ? c->user_agent : "");
	if (c->winner && l->is_a)
		put(e, "Other-Leg-Unique-ID", leg_uuid(c->winner, uuid, sizeof(uuid)));
	else if (!l->is_a)
		put(e, "Other-Leg-Unique-ID", c->call_id);
	if (c->node)
		put(e, "variable_media_node",
		    media_node_id(c->node)[0] ? media_node_id(c->node)
		                              : media_node_endpoint(c->node));
}

static void channel_event(struct events_pub *ep, const char *name, const struct leg *l,
                          const char *answer_state)
{
	struct ev e;

	if (!ev_begin(&e, ep, name, NULL))
		return;
	channel(&e, l, answer_state);
	ev_send(&e);
}

static void on_leg_state(void *arg, const struct leg *l, int from, int to)
{
	struct events_pub *ep = arg;

	if (from == LEG_IDLE && to == LEG_CALLING)
		channel_event(ep, "CHANNEL_CREATE", l, "ringing");
	else if (to == LEG_EARLY && from == LEG_CALLING)
		channel_event(ep, "CHANNEL_PROGRESS", l, "early");
	else if ((to == LEG_ANSWERED || to == LEG_CONFIRMED) &&
	         (from == LEG_CALLING || from == LEG_EARLY))
		channel_event(ep, "CHANNEL_ANSWER", l, "answered");
}

static void on_call_state(void *arg, const struct call *c, int from, int to)
{
	struct events_pub *ep = arg;
	char uuid[320];
	struct ev e;

	if (!(from == CALL_ANSWERED && to == CALL_ACTIVE) || !c->winner)
		return;
	if (!ev_begin(&e, ep, "CHANNEL_BRIDGE", NULL))
		return;
	channel(&e, &c->a, "answered");
	put(&e, "Bridge-A-Unique-ID", c->call_id);
	put(&e, "Bridge-B-Unique-ID", leg_uuid(c->winner, uuid, sizeof(uuid)));
	ev_send(&e);
}

static void on_call_end(void *arg, const struct call *c)
{
	struct events_pub *ep = arg;
	uint64_t now = clock_mono_ms();
	struct ev e;

	if (!ev_begin(&e, ep, "CHANNEL_HANGUP", NULL))
		return;
	channel(&e, &c->a, "hangup");
	put(&e, "Hangup-Cause", hangup_cause_name(c->hangup_cause));
	putf(&e, "variable_hangup_cause_q850", "%d", c->hangup_cause);
	put(&e, "variable_hangup_side", c->hangup_side ? c->hangup_side : "");
	putf(&e, "variable_sip_term_status", "%d", c->a.final_status);
	putf(&e, "variable_duration_ms", "%llu", (unsigned long long)(now - c->created_ms));
	putf(&e, "variable_billsec", "%llu",
	     (unsigned long long)(c->answered_ms && now > c->answered_ms
	                              ? (now - c->answered_ms) / 1000
	                              : 0));
	/* RTP received from each side, from the node's final counters. */
	putf(&e, "variable_rtp_audio_in_packet_count", "%llu",
	     (unsigned long long)c->media_packets[0]);
	putf(&e, "variable_rtp_audio_out_packet_count", "%llu",
	     (unsigned long long)c->media_packets[1]);
	put(&e, "variable_media_session", c->session_id);
	ev_send(&e);
}

static void on_hold(void *arg, const struct call *c, unsigned side, bool held)
{
	const struct leg *l = side == 0 ? &c->a : c->winner;
	struct ev e;

	if (!l || !ev_begin(&e, arg, held ? "CHANNEL_HOLD" : "CHANNEL_UNHOLD", NULL))
		return;
	channel(&e, l, "answered");
	ev_send(&e);
}

static void on_dtmf(void *arg, const struct call *c, unsigned side, const char *digit,
                    unsigned duration_ms)
{
	const struct leg *l = side == 0 ? &c->a : c->winner;
	struct ev e;

	if (!l || !ev_begin(&e, arg, "DTMF", NULL))
		return;
	channel(&e, l, "answered");
	put(&e, "DTMF-Digit", digit);
	putf(&e, "DTMF-Duration-Ms", "%u", duration_ms);
	put(&e, "DTMF-Source", "RTP");
	ev_send(&e);
}

static void on_reg(void *arg, enum obs_reg what, const char *user, const char *realm,
                   const char *contact, const char *src_ip, long expires, unsigned count)
{
	static const char *const sub[] = {"sofia::register", "sofia::unregister", "sofia::expire"};
	struct ev e;

	if (!ev_begin(&e, arg, "CUSTOM", sub[what]))
		return;
	if (user) {
		put(&e, "username", user);
		put(&e, "realm", realm);
		putf(&e, "user", "%s@%s", user, realm ? realm : "");
	}
	if (contact)
		put(&e, "contact", contact);
	if (src_ip)
		put(&e, "network-ip", src_ip);
	if (what == OBS_REG_REGISTER)
		putf(&e, "expires", "%ld", expires);
	putf(&e, "count", "%u", count);
	ev_send(&e);
}

static void on_auth_failure(void *arg, const char *method, const char *user, const char *src_ip)
{
	struct ev e;

	if (!ev_begin(&e, arg, "CUSTOM", "tandem::auth_failure"))
		return;
	put(&e, "auth-method", method);
	put(&e, "username", user);
	put(&e, "network-ip", src_ip);
	ev_send(&e);
}

static void on_ban(void *arg, enum obs_ban what, const char *key)
{
	struct ev e;

	if (!ev_begin(&e, arg, "CUSTOM", "tandem::ban"))
		return;
	put(&e, "ban-kind", what == OBS_BAN_SOURCE ? "source" : "account");
	put(&e, what == OBS_BAN_SOURCE ? "network-ip" : "username", key);
	ev_send(&e);
}

static void on_node(void *arg, const struct media_node *n, bool up)
{
	struct ev e;

	if (!ev_begin(&e, arg, "CUSTOM", up ? "tandem::node_up" : "tandem::node_down"))
		return;
	put(&e, "node-id", media_node_id(n));
	put(&e, "node-endpoint", media_node_endpoint(n));
	ev_send(&e);
}

int events_pub_new(struct events_pub **out, void *zctx, const char *endpoint, const char *node_id,
                   char *err, size_t errlen)
{
	struct events_pub *ep = calloc(1, sizeof(*ep));
	int linger = 0, hwm = 10000;
	int rc;

	if (!ep)
		return -ENOMEM;
	ep->endpoint = strdup(endpoint);
	ep->node_id = strdup(node_id ? node_id : "");
	ep->sock = zmq_socket(zctx, ZMQ_PUB);
	if (!ep->endpoint || !ep->node_id || !ep->sock) {
		events_pub_free(ep);
		snprintf(err, errlen, "[events] publish: cannot make a socket");
		return -ENOMEM;
	}
	zmq_setsockopt(ep->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(ep->sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (zmq_bind(ep->sock, endpoint) != 0) {
		rc = -errno;
		snprintf(err, errlen, "[events] publish: cannot bind %s: %s", endpoint,
		         zmq_strerror(-rc));
		events_pub_free(ep);
		return rc;
	}
	rc = observe_add(&(struct observer){
	    .arg = ep,
	    .call_state = on_call_state,
	    .leg_state = on_leg_state,
	    .call_end = on_call_end,
	    .hold = on_hold,
	    .dtmf = on_dtmf,
	    .reg = on_reg,
	    .auth_failure = on_auth_failure,
	    .ban = on_ban,
	    .node = on_node,
	});
	if (rc) {
		snprintf(err, errlen, "[events] publish: too many listeners");
		events_pub_free(ep);
		return rc;
	}
	log_notice("events", "publishing events on %s", endpoint);
	*out = ep;
	return 0;
}

const char *events_pub_endpoint(const struct events_pub *ep)
{
	return ep ? ep->endpoint : NULL;
}

unsigned long long events_pub_count(const struct events_pub *ep)
{
	return ep ? ep->seq : 0;
}

void events_pub_free(struct events_pub *ep)
{
	if (!ep)
		return;
	if (ep->sock)
		zmq_close(ep->sock);
	free(ep->endpoint);
	free(ep->node_id);
	free(ep);
}
