/* Each command writes its answer with the JSON writer or as text lines; the JSON keys are
 * documented in docs/operations.md and are what scripts should read, the text is for people. */
#include "control_cmds.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b2bua_admin.h"
#include "call.h"
#include "clock.h"
#include "hangup_cause.h"
#include "log.h"
#include "media_client.h"
#include "media_plan.h"
#include "observe.h"
#include "signald_config.h"
#include "store.h"

#define REG_LIST_MAX 10000 /* bindings listed by one `registrations` */

static const char *realm_of(const struct control_cmds *cc)
{
	return cc->cfg->auth_realm ? cc->cfg->auth_realm : cc->cfg->sip_domain;
}

static const char *node_name(const struct media_node *n)
{
	if (!n)
		return NULL;
	return media_node_id(n)[0] ? media_node_id(n) : media_node_endpoint(n);
}

static uint64_t age_s(uint64_t since_ms, uint64_t now)
{
	return since_ms && now > since_ms ? (now - since_ms) / 1000 : 0;
}

/* ---- status ------------------------------------------------------------------------------- */

static int cmd_status(struct control_cmds *cc, struct control_req *r)
{
	unsigned by_state[CALL__N] = {0}, regs = 0, n_calls = 0, up = 0;
	size_t n_nodes = media_client_node_count(cc->media);
	long uptime = (long)(time(NULL) - cc->started);

	for (const struct call *c = b2bua_next_call(cc->b2bua, NULL); c;
	     c = b2bua_next_call(cc->b2bua, c)) {
		by_state[c->state < CALL__N ? c->state : 0]++;
		n_calls++;
	}
	store_reg_count(cc->store, (int64_t)time(NULL), &regs);
	for (size_t i = 0; i < n_nodes; i++)
		up += media_node_up(media_client_node(cc->media, i));
	if (!r->json) {
		fprintf(r->out, "node %s, Tandem %s, up %ld s\n", cc->cfg->node_id, TANDEM_VERSION,
		        uptime);
		fprintf(r->out, "SIP on %s, domain %s, log level %s\n", cc->cfg->sip_listen,
		        cc->cfg->sip_domain, log_level_name(log_current_level()));
		fprintf(r->out, "calls: %u (", n_calls);
		for (int s = 0; s < CALL__N; s++)
			fprintf(r->out, "%s%s %u", s ? ", " : "", call_state_name(s), by_state[s]);
		fprintf(r->out, ")\nregistrations: %u\nmedia nodes: %u of %zu up\n", regs, up,
		        n_nodes);
		fprintf(r->out, "events: %s\nmetrics: %s\n",
		        cc->events_endpoint ? cc->events_endpoint : "off",
		        cc->metrics_listen ? cc->metrics_listen : "off");
		return 0;
	}
	json_obj_begin(&r->j, NULL);
	json_str(&r->j, "node_id", cc->cfg->node_id);
	json_str(&r->j, "version", TANDEM_VERSION);
	json_int(&r->j, "uptime_s", uptime);
	json_str(&r->j, "sip_listen", cc->cfg->sip_listen);
	json_str(&r->j, "domain", cc->cfg->sip_domain);
	json_str(&r->j, "log_level", log_level_name(log_current_level()));
	json_uint(&r->j, "calls", n_calls);
	json_obj_begin(&r->j, "calls_by_state");
	for (int s = 0; s < CALL__N; s++)
		json_uint(&r->j, call_state_name(s), by_state[s]);
	json_obj_end(&r->j);
	json_uint(&r->j, "registrations", regs);
	json_uint(&r->j, "media_nodes", n_nodes);
	json_uint(&r->j, "media_nodes_up", up);
	json_str(&r->j, "events", cc->events_endpoint);
	json_str(&r->j, "metrics", cc->metrics_listen);
	json_obj_end(&r->j);
	return 0;
}

/* ---- registrations ------------------------------------------------------------------------ */

static int cmd_registrations(struct control_cmds *cc, struct control_req *r)
{
	struct store_reg_list l;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (r->argc > 2)
		return control_fail(r, -EINVAL, "usage: registrations [USER]");
	rc = r->argc == 2 ? store_reg_lookup(cc->store, r->argv[1], realm_of(cc), now, &l)
	                  : store_reg_list(cc->store, now, REG_LIST_MAX, &l);
	if (rc)
		return control_fail(r, rc, "cannot read the registrations: %s", strerror(-rc));
	if (r->json)
		json_arr_begin(&r->j, NULL);
	else if (!l.n)
		fprintf(r->out, "no registrations\n");
	for (size_t i = 0; i < l.n; i++) {
		const struct store_reg *g = &l.v[i];
		long left = g->expires > now ? (long)(g->expires - now) : 0;

		if (!r->json) {
			fprintf(r->out, "%s@%s %s expires in %ld s from %s %s:%u%s%s%s\n",
			        g->sip_user, g->sip_realm, g->contact, left, g->network_proto,
			        g->network_ip, g->network_port, g->nat ? " (NAT)" : "",
			        g->user_agent[0] ? " " : "", g->user_agent);
			continue;
		}
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "user", g->sip_user);
		json_str(&r->j, "realm", g->sip_realm);
		json_str(&r->j, "contact", g->contact);
		json_int(&r->j, "expires", g->expires);
		json_int(&r->j, "expires_in_s", left);
		json_str(&r->j, "status", g->status);
		json_str(&r->j, "network_ip", g->network_ip);
		json_uint(&r->j, "network_port", g->network_port);
		json_str(&r->j, "transport", g->network_proto);
		json_bool(&r->j, "nat", g->nat);
		json_str(&r->j, "user_agent", g->user_agent);
		json_str(&r->j, "call_id", g->call_id);
		json_str(&r->j, "node", g->hostname);
		json_obj_end(&r->j);
	}
	if (r->json)
		json_arr_end(&r->j);
	store_reg_list_free(&l);
	return 0;
}

static int cmd_unregister(struct control_cmds *cc, struct control_req *r)
{
	struct store_reg_list l;
	const char *contact = r->argc == 3 ? r->argv[2] : NULL;
	unsigned n = 0;
	int rc;

	if (r->argc < 2 || r->argc > 3)
		return control_fail(r, -EINVAL, "usage: unregister USER [CONTACT]");
	rc = store_reg_lookup(cc->store, r->argv[1], realm_of(cc), (int64_t)time(NULL), &l);
	if (rc)
		return control_fail(r, rc, "cannot read the registrations: %s", strerror(-rc));
	for (size_t i = 0; i < l.n; i++)
		n += !contact || strcmp(l.v[i].contact, contact) == 0;
	store_reg_list_free(&l);
	if (!n)
		return control_fail(r, -ENOENT, "no registration of '%s'%s%s", r->argv[1],
		                    contact ? " with contact " : "", contact ? contact : "");
	rc = store_reg_remove(cc->store, r->argv[1], realm_of(cc), contact);
	if (rc)
		return control_fail(r, rc, "cannot remove: %s", strerror(-rc));
	log_notice("reg", "'%s': %u binding(s) removed by the operator", r->argv[1], n);
	obs_reg(OBS_REG_UNREGISTER, r->argv[1], realm_of(cc), contact, NULL, 0, n);
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "user", r->argv[1]);
		json_uint(&r->j, "removed", n);
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "%u binding(s) of %s removed\n", n, r->argv[1]);
	}
	return 0;
}

/* ---- calls -------------------------------------------------------------------------------- */

static void call_summary_json(struct json_out *j, const struct call *c, uint64_t now)
{
	json_str(j, "call_id", c->call_id);
	json_str(j, "state", call_state_name(c->state));
	json_str(j, "caller", c->caller);
	json_str(j, "caller_host", c->caller_host);
	json_str(j, "destination", c->destination);
	json_str(j, "callee", c->callee);
	json_uint(j, "age_s", age_s(c->created_ms, now));
	json_uint(j, "answered_s", age_s(c->answered_ms, now));
	json_str(j, "media_node", node_name(c->node));
	json_str(j, "media_session", c->session_id);
	json_bool(j, "held", c->held != 0);
}

static int cmd_calls(struct control_cmds *cc, struct control_req *r)
{
	uint64_t now = clock_mono_ms();
	unsigned n = 0;

	if (r->json)
		json_arr_begin(&r->j, NULL);
	for (const struct call *c = b2bua_next_call(cc->b2bua, NULL); c;
	     c = b2bua_next_call(cc->b2bua, c), n++) {
		if (r->json) {
			json_obj_begin(&r->j, NULL);
			call_summary_json(&r->j, c, now);
			json_obj_end(&r->j);
			continue;
		}
		fprintf(r->out, "%s %s %s -> %s%s%s%s %llu s%s%s\n", c->call_id,
		        call_state_name(c->state), c->caller ? c->caller : "-",
		        c->destination ? c->destination : "-", c->callee ? " (user " : "",
		        c->callee ? c->callee : "", c->callee ? ")" : "",
		        (unsigned long long)age_s(c->created_ms, now), c->node ? " media " : "",
		        c->node ? node_name(c->node) : "");
	}
	if (r->json)
		json_arr_end(&r->j);
	else
		fprintf(r->out, "%u call(s)\n", n);
	return 0;
}

/* The codecs of the SDP last sent to a leg (what it may use), "NAME/RATE" in order. */
static void leg_codecs(struct control_req *r, const struct leg *l)
{
	const char *sdp = l->sdp_sent ? l->sdp_sent : l->sdp;
	struct media_plan *p = NULL;
	char why[128];

	if (r->json)
		json_arr_begin(&r->j, "codecs");
	else
		fprintf(r->out, "    codecs:");
	if (sdp && media_plan_parse(sdp, strlen(sdp), 16, &p, why, sizeof(why)) == 0) {
		for (unsigned s = 0; s < p->n_streams; s++) {
			const struct media_stream *m = &p->streams[s];

			for (unsigned k = 0; !m->rejected && k < m->n_codecs; k++) {
				char name[96];

				snprintf(name, sizeof(name), "%s/%u", m->codecs[k].name,
				         m->codecs[k].rate);
				if (r->json)
					json_str(&r->j, NULL, name);
				else
					fprintf(r->out, " %s", name);
			}
		}
	}
	media_plan_free(p);
	if (r->json)
		json_arr_end(&r->j);
	else
		fputc('\n', r->out);
}

static void leg_out(struct control_req *r, const struct leg *l, const char *key)
{
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "leg", key);
		json_str(&r->j, "state", leg_state_name(l->state));
		json_int(&r->j, "final_status", l->final_status);
		json_str(&r->j, "contact", l->contact);
		json_str(&r->j, "source", l->src_ip);
		json_str(&r->j, "remote_target", l->dlg.target);
		leg_codecs(r, l);
		json_obj_end(&r->j);
		return;
	}
	fprintf(r->out, "  %s: %s%s%s%s%s\n", key, leg_state_name(l->state),
	        l->contact ? " contact " : "", l->contact ? l->contact : "",
	        l->src_ip ? " from " : "", l->src_ip ? l->src_ip : "");
	leg_codecs(r, l);
}

static void traffic_json(struct json_out *j, const char *key, const RpcTrafficStats *t)
{
	json_obj_begin(j, key);
	if (t) {
		json_uint(j, "packets", t->packets);
		json_uint(j, "bytes", t->bytes);
		json_uint(j, "forwarded", t->forwarded);
		json_uint(j, "dropped", t->dropped);
		json_uint(j, "lost", t->lost);
		json_double(j, "jitter_ms", t->jitter_ms);
		json_uint(j, "last_packet_age_ms", t->last_packet_age_ms);
	}
	json_obj_end(j);
}

static void media_leg_out(struct control_req *r, const char *key, const RpcLegInfo *leg)
{
	if (r->json)
		json_arr_begin(&r->j, key);
	for (size_t i = 0; leg && i < leg->n_streams; i++) {
		const RpcStreamInfo *s = leg->streams[i];
		const RpcTrafficStats *t = s->rtp;

		if (!r->json) {
			fprintf(r->out,
			        "    %s stream %u: local %s:%u remote %s:%u rtp packets %" PRIu64
			        " bytes %" PRIu64 " lost %" PRIu64
			        " jitter %.1f ms dropped %" PRIu64 "\n",
			        key, s->index, s->local_rtp ? s->local_rtp->ip : "-",
			        s->local_rtp ? s->local_rtp->port : 0,
			        s->remote_rtp ? s->remote_rtp->ip : "-",
			        s->remote_rtp ? s->remote_rtp->port : 0, t ? t->packets : 0,
			        t ? t->bytes : 0, t ? t->lost : 0, t ? t->jitter_ms : 0.0,
			        t ? t->dropped : 0);
			continue;
		}
		json_obj_begin(&r->j, NULL);
		json_uint(&r->j, "index", s->index);
		if (s->local_rtp) {
			json_str(&r->j, "local_ip", s->local_rtp->ip);
			json_uint(&r->j, "local_port", s->local_rtp->port);
		}
		if (s->remote_rtp) {
			json_str(&r->j, "remote_ip", s->remote_rtp->ip);
			json_uint(&r->j, "remote_port", s->remote_rtp->port);
		}
		traffic_json(&r->j, "rtp", s->rtp);
		traffic_json(&r->j, "rtcp", s->rtcp);
		json_obj_end(&r->j);
	}
	if (r->json)
		json_arr_end(&r->j);
}

/* The QuerySession answer completes `call CALL-ID`. */
static void on_query(void *arg, int rc, const RpcEnvelope *env)
{
	struct control_req *r = arg;
	const RpcSessionInfo *s = NULL;

	if (!rc && env->body_case == RPC_BODY(QUERY_SESSION_REPLY) && env->query_session_reply)
		s = env->query_session_reply->session;
	if (r->json) {
		json_obj_begin(&r->j, "media");
		if (s) {
			json_uint(&r->j, "age_ms", s->age_ms);
			json_uint(&r->j, "rtp_idle_ms", s->rtp_idle_ms);
			json_uint(&r->j, "worker", s->worker);
			media_leg_out(r, "a", s->leg_a);
			media_leg_out(r, "b", s->leg_b);
		} else {
			json_str(&r->j, "error",
			         rc ? strerror(-rc) : "the node answered no session");
		}
		json_obj_end(&r->j);
		json_obj_end(&r->j);
	} else if (s) {
		fprintf(r->out, "  media: rtp idle %" PRIu64 " ms\n", s->rtp_idle_ms);
		media_leg_out(r, "a", s->leg_a);
		media_leg_out(r, "b", s->leg_b);
	} else {
		fprintf(r->out, "  media: no answer from the node (%s)\n",
		        rc ? strerror(-rc) : "no session");
	}
	control_done(r);
}

static int cmd_call(struct control_cmds *cc, struct control_req *r)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcQuerySessionRequest q = TANDEM__MEDIA__V1__QUERY_SESSION_REQUEST__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	uint64_t now = clock_mono_ms();
	struct call *c;

	if (r->argc != 2)
		return control_fail(r, -EINVAL, "usage: call CALL-ID");
	c = b2bua_find_call(cc->b2bua, r->argv[1]);
	if (!c)
		return control_fail(r, -ENOENT, "no call %s", r->argv[1]);
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		call_summary_json(&r->j, c, now);
		json_str(&r->j, "b_call_id", c->b_call_id);
		json_str(&r->j, "user_agent", c->user_agent);
		json_arr_begin(&r->j, "legs");
	} else {
		fprintf(r->out, "call %s: %s, %s -> %s, %llu s, answered %llu s\n", c->call_id,
		        call_state_name(c->state), c->caller ? c->caller : "-",
		        c->destination ? c->destination : "-",
		        (unsigned long long)age_s(c->created_ms, now),
		        (unsigned long long)age_s(c->answered_ms, now));
	}
	leg_out(r, &c->a, "A");
	for (unsigned i = 0; i < c->n_b; i++) {
		char key[16];

		snprintf(key, sizeof(key), "B%u%s", i, &c->b[i] == c->winner ? "*" : "");
		leg_out(r, &c->b[i], key);
	}
	if (r->json)
		json_arr_end(&r->j);
	else if (c->node)
		fprintf(r->out, "  media node %s (%s), session %s\n", node_name(c->node),
		        media_node_endpoint(c->node), c->session_id ? c->session_id : "-");
	if (!c->node || !c->session_id) {
		if (r->json)
			json_obj_end(&r->j);
		return 0;
	}
	ref.session_id = c->session_id;
	ref.call_id = c->call_id;
	q.session = &ref;
	env.body_case = RPC_BODY(QUERY_SESSION);
	env.query_session = &q;
	if (media_client_request(cc->media, c->node, &env, on_query, r) == 0)
		return CONTROL_PENDING;
	on_query(r, -EIO, NULL);
	return CONTROL_PENDING;
}

static int cmd_hangup(struct control_cmds *cc, struct control_req *r)
{
	enum hangup_cause cause = HANGUP_CAUSE_NORMAL_CLEARING;
	int rc;

	if (r->argc < 2 || r->argc > 3)
		return control_fail(r, -EINVAL, "usage: hangup CALL-ID [CAUSE]");
	if (r->argc == 3 && hangup_cause_parse(r->argv[2], &cause))
		return control_fail(r, -EINVAL, "unknown hangup cause '%s'", r->argv[2]);
	rc = b2bua_admin_hangup(cc->b2bua, r->argv[1], cause);
	if (rc == -ENOENT)
		return control_fail(r, rc, "no call %s", r->argv[1]);
	if (rc == -EALREADY)
		return control_fail(r, rc, "call %s is ending already", r->argv[1]);
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "call_id", r->argv[1]);
		json_str(&r->j, "cause", hangup_cause_name(cause));
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "hanging up %s: %s\n", r->argv[1], hangup_cause_name(cause));
	}
	return 0;
}

/* ---- media nodes -------------------------------------------------------------------------- */

static void node_out(struct control_req *r, const struct media_node *n, uint64_t now)
{
	struct media_node_info in;

	media_node_info(n, &in);
	if (!r->json) {
		fprintf(r->out,
		        "%s %s %s%s%s sessions %u, ports free %u, %" PRIu64
		        " packets/s, cpu %.1f%%, weight %u\n",
		        in.endpoint, in.id[0] ? in.id : "-", in.up ? "up" : "down",
		        in.draining ? ", draining" : "", in.held ? ", drained here" : "",
		        in.sessions, in.free_ports, in.packets_per_s, in.cpu_percent, in.weight);
		return;
	}
	json_obj_begin(&r->j, NULL);
	json_str(&r->j, "endpoint", in.endpoint);
	json_str(&r->j, "node_id", in.id);
	json_bool(&r->j, "up", in.up);
	json_bool(&r->j, "draining", in.draining);
	json_bool(&r->j, "drained_here", in.held);
	json_uint(&r->j, "weight", in.weight);
	json_uint(&r->j, "sessions", in.sessions);
	json_uint(&r->j, "free_ports", in.free_ports);
	json_uint(&r->j, "workers", in.workers);
	json_uint(&r->j, "packets_per_s", in.packets_per_s);
	json_double(&r->j, "cpu_percent", in.cpu_percent);
	if (in.last_answer_ms)
		json_uint(&r->j, "last_answer_ms_ago", now - in.last_answer_ms);
	json_obj_end(&r->j);
}

static int cmd_nodes(struct control_cmds *cc, struct control_req *r)
{
	size_t n = media_client_node_count(cc->media);
	uint64_t now = clock_mono_ms();

	if (r->json)
		json_arr_begin(&r->j, NULL);
	for (size_t i = 0; i < n; i++)
		node_out(r, media_client_node(cc->media, i), now);
	if (r->json)
		json_arr_end(&r->j);
	return 0;
}

/* A drain request's node, for the answer. */
struct drain_req {
	struct control_req *r;
	struct media_node *node;
	bool drain;
};

static void on_drain(void *arg, int rc, const RpcEnvelope *env)
{
	struct drain_req *d = arg;
	struct control_req *r = d->r;
	const char *told = "yes";
	char why[160] = "";

	if (rc) {
		told = "no";
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	} else if (env->body_case == RPC_BODY(ERROR)) {
		told = "no";
		snprintf(why, sizeof(why), "%s",
		         env->error->status && env->error->status->message
		             ? env->error->status->message
		             : "refused");
	} else if (env->body_case != RPC_BODY(DRAIN_REPLY)) {
		told = "no";
		snprintf(why, sizeof(why), "unexpected answer");
	}
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "node", media_node_endpoint(d->node));
		json_bool(&r->j, "drained", d->drain);
		json_bool(&r->j, "node_told", told[0] == 'y');
		if (why[0])
			json_str(&r->j, "node_error", why);
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "%s: %s here; the node itself: %s%s%s\n",
		        media_node_endpoint(d->node), d->drain ? "drained" : "undrained",
		        told[0] == 'y' ? (d->drain ? "draining" : "not draining") : "not told",
		        why[0] ? ", " : "", why);
	}
	free(d);
	control_done(r);
}

/* Drained here (no new call goes to the node) and asked of the node itself, which refuses new
 * sessions from every signald; the node may refuse a client without its admin key. */
static int cmd_drain(struct control_cmds *cc, struct control_req *r, bool drain)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcDrainRequest dr = TANDEM__MEDIA__V1__DRAIN_REQUEST__INIT;
	struct media_node *n;
	struct drain_req *d;

	if (r->argc != 2)
		return control_fail(r, -EINVAL, "usage: %s NODE", r->argv[0]);
	n = media_client_find(cc->media, r->argv[1]);
	if (!n)
		return control_fail(r, -ENOENT, "no media node %s (give its id or endpoint)",
		                    r->argv[1]);
	media_node_hold(n, drain);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = (struct drain_req){.r = r, .node = n, .drain = drain};
	dr.draining = drain;
	env.body_case = RPC_BODY(DRAIN);
	env.drain = &dr;
	if (media_client_request(cc->media, n, &env, on_drain, d) != 0)
		on_drain(d, -ENOTCONN, NULL);
	return CONTROL_PENDING;
}

/* ---- the rest ----------------------------------------------------------------------------- */

static int cmd_reload(struct control_cmds *cc, struct control_req *r)
{
	char err[CFG_ERR_LEN];
	int rc = cc->reload(cc->reload_arg, err, sizeof(err));

	if (rc)
		return control_fail(r, rc, "reload refused, the running settings stay: %s", err);
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_bool(&r->j, "reloaded", true);
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "reloaded: dialplan, directory, codecs\n");
	}
	return 0;
}

static int cmd_loglevel(struct control_cmds *cc, struct control_req *r)
{
	enum log_level lv;

	if (r->argc > 2)
		return control_fail(r, -EINVAL, "usage: loglevel [error|warn|notice|info|debug]");
	if (r->argc == 2) {
		if (log_level_parse(r->argv[1], &lv))
			return control_fail(r, -EINVAL, "unknown log level '%s'", r->argv[1]);
		log_set_level(lv);
		log_notice("signald", "log level set to %s by the operator", log_level_name(lv));
	}
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "log_level", log_level_name(log_current_level()));
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "log level %s\n", log_level_name(log_current_level()));
	}
	return 0;
}

static int cmd_events(struct control_cmds *cc, struct control_req *r)
{
	if (!cc->events_endpoint)
		return control_fail(r, -ENOENT, "no event stream: set [events] publish");
	if (r->json) {
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "publish", cc->events_endpoint);
		json_obj_end(&r->j);
	} else {
		fprintf(r->out, "%s\n", cc->events_endpoint);
	}
	return 0;
}

int control_cmds_run(void *arg, struct control_req *r)
{
	struct control_cmds *cc = arg;
	const char *cmd = r->argv[0];

	if (strcmp(cmd, "status") == 0)
		return cmd_status(cc, r);
	if (strcmp(cmd, "registrations") == 0)
		return cmd_registrations(cc, r);
	if (strcmp(cmd, "unregister") == 0)
		return cmd_unregister(cc, r);
	if (strcmp(cmd, "calls") == 0)
		return cmd_calls(cc, r);
	if (strcmp(cmd, "call") == 0)
		return cmd_call(cc, r);
	if (strcmp(cmd, "hangup") == 0)
		return cmd_hangup(cc, r);
	if (strcmp(cmd, "nodes") == 0)
		return cmd_nodes(cc, r);
	if (strcmp(cmd, "drain") == 0 || strcmp(cmd, "undrain") == 0)
		return cmd_drain(cc, r, cmd[0] == 'd');
	if (strcmp(cmd, "reload") == 0)
		return cmd_reload(cc, r);
	if (strcmp(cmd, "loglevel") == 0)
		return cmd_loglevel(cc, r);
	if (strcmp(cmd, "events") == 0)
		return cmd_events(cc, r);
	return control_fail(r, -EINVAL, "unknown command '%s'", cmd);
}
