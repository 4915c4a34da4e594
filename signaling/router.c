/* Call routing: the XML dialplan is hunted with the caller's profile and channel variables, and
 * its actions run in order: `set` changes a variable, `log` writes a line, `ring_ready`,
 * `pre_answer` and `answer` note what the caller hears before the bridge, `hangup` refuses the
 * call with its cause, `bridge` turns its target list (bridge_targets.h) into the B-leg targets
 * (each `user/ID` the user's live registrations, with its failover group and leg_timeout) and
 * ends the routing. A contact registered from behind NAT is reached through the address the
 * REGISTER came from (the Request-URI stays the contact, the request goes to the NAT binding).
 * Without a dialplan every destination is taken as `bridge user/${destination_number}`. */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/su_string.h>

#include "bridge_targets.h"
#include "dialplan.h"
#include "directory.h"
#include "hostport.h"
#include "log.h"
#include "store.h"

struct router {
	struct dialplan *dp;   /* borrowed */
	struct directory *dir; /* borrowed */
	struct store *st;      /* borrowed */
	char *domain;          /* owned */
};

int router_new(struct router **out, struct dialplan *dp, struct directory *dir, struct store *st,
               const char *domain)
{
	struct router *r = calloc(1, sizeof(*r));

	if (!r || !(r->domain = strdup(domain))) {
		free(r);
		return -ENOMEM;
	}
	r->dp = dp;
	r->dir = dir;
	r->st = st;
	*out = r;
	return 0;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r);
}

void router_set_dialplan(struct router *r, struct dialplan *dp)
{
	r->dp = dp;
}

static void fail(su_home_t *home, struct route_result *out, int status, enum hangup_cause cause,
                 const char *reason)
{
	out->status = status;
	out->cause = cause;
	out->reason = su_strdup(home, reason);
}

/* A target that could not be reached, kept for the answer when none can be. */
struct route_miss {
	int status;
	enum hangup_cause cause;
	const char *reason;
};

static void miss(struct route_miss *m, int status, enum hangup_cause cause, const char *reason)
{
	if (!m->status)
		*m = (struct route_miss){status, cause, reason};
}

/* Adds every live contact of user as a target of group. */
static void bridge_user(struct router *r, su_home_t *home, const char *user, unsigned group,
                        unsigned leg_timeout_s, struct route_result *out, struct route_miss *m)
{
	const struct directory_user *u = r->dir ? directory_find(r->dir, user, r->domain) : NULL;
	struct store_reg_list regs = {0};
	const char *srtp;
	int rc;

	if (!u) {
		miss(m, 404, HANGUP_CAUSE_UNALLOCATED_NUMBER, "no such user");
		return;
	}
	rc = store_reg_lookup(r->st, user, r->domain, (int64_t)time(NULL), &regs);
	if (rc) {
		miss(m, 500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "registration lookup failed");
		return;
	}
	if (regs.n == 0) {
		store_reg_list_free(&regs);
		miss(m, 480, HANGUP_CAUSE_USER_NOT_REGISTERED, "user not registered");
		return;
	}
	if (!out->callee)
		out->callee = su_strdup(home, user);
	/* The first callee with a policy sets the B legs' (they share one offer). */
	srtp = directory_user_var(u, "srtp");
	if (srtp && !out->srtp)
		out->srtp = su_strdup(home, srtp);
	for (size_t i = 0; i < regs.n; i++) {
		struct route_target *t = &out->targets[out->n_targets];
		const struct store_reg *reg = &regs.v[i];
		char hp[HOSTPORT_LEN];

		if (out->n_targets == CALL_MAX_FORKS) {
			log_notice("route", "bridge: more than %d contacts, %s@%s not called",
			           CALL_MAX_FORKS, user, reg->contact);
			continue;
		}
		if (hostport_format(hp, sizeof(hp), reg->network_ip, reg->network_port) < 0)
			continue; /* not an address the store could hold: no way to reach it */
		*t = (struct route_target){.ruri = su_strdup(home, reg->contact),
		                           .group = group,
		                           .leg_timeout_s = leg_timeout_s};
		out->n_targets++;
		/* Only where it registered from: on UDP always the source address and port,
		 * whatever the contact says (a binding stored before maddr= was refused included);
		 * on TCP the source when behind NAT, else the connection it registered on while
		 * that is open (b2bua_fork.c asks), else the contact, whose host is that source. */
		if (!reg->nat)
			t->src_ip = su_strdup(home, reg->network_ip);
		/* TLS: always over the connection it registered on (a TLS phone seldom listens,
		 * and its certificate-less side cannot be reached afresh). */
		if (reg->nat || !strcmp(reg->network_proto, "udp") ||
		    !strcmp(reg->network_proto, "tls"))
			t->proxy = su_sprintf(home, "sip:%s;transport=%s", hp, reg->network_proto);
		else if (!strcmp(reg->network_proto, "tcp")) {
			t->tcp_flow = su_sprintf(home, "sip:%s;transport=tcp", hp);
			t->src_port = reg->network_port;
		}
	}
	store_reg_list_free(&regs);
}

/* One target: "user/ID" or "user/ID@domain"; anything else is not a target we can reach. */
static void bridge_one(struct router *r, su_home_t *home, const char *dial, unsigned group,
                       unsigned leg_timeout_s, struct route_result *out, struct route_miss *m)
{
	char user[128];
	const char *at;
	size_t n;

	if (strncmp(dial, "user/", 5) != 0 || !dial[5]) {
		miss(m, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION, "bridge target not supported");
		log_notice("route", "bridge %s: only user/ID targets are supported", dial);
		return;
	}
	at = strchr(dial + 5, '@');
	n = at ? (size_t)(at - dial - 5) : strlen(dial + 5);
	if (n >= sizeof(user)) {
		miss(m, 404, HANGUP_CAUSE_INVALID_NUMBER_FORMAT, "bridge user too long");
		return;
	}
	memcpy(user, dial + 5, n);
	user[n] = '\0';
	bridge_user(r, home, user, group, leg_timeout_s, out, m);
}

static unsigned seconds(const char *v, const char *name, const char *dial)
{
	char *end;
	long t;

	if (!v)
		return 0;
	t = strtol(v, &end, 10);
	if (end == v || *end || t <= 0 || t > 3600) {
		log_notice("route", "bridge %s: %s=%s is not 1-3600 seconds, ignored", dial, name,
		           v);
		return 0;
	}
	return (unsigned)t;
}

/* Variables a leg understands; the others are noted once and have no effect. */
static void check_leg_vars(const struct bridge_vars *vars, const char *where)
{
	static const char *const known[] = {"leg_timeout", "call_timeout", "codec_string",
	                                    "absolute_codec_string"};

	for (unsigned i = 0; i < vars->n; i++) {
		bool ok = false;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && !ok; k++)
			ok = !strcmp(vars->v[i].name, known[k]);
		if (!ok)
			log_notice("route", "bridge: variable %s in %s has no effect in Tandem",
			           vars->v[i].name, where);
		else if (strcmp(vars->v[i].name, "leg_timeout") && !strcmp(where, "[...]"))
			log_notice("route",
			           "bridge: %s applies to every leg: set it in {...} or with set",
			           vars->v[i].name);
	}
}

/* bridge data: a target list (bridge_targets.h). Targets that cannot be reached are skipped;
 * when none is left A gets the first one's failure. */
static void bridge(struct router *r, su_home_t *home, const char *data, struct dialplan_vars *vars,
                   struct route_result *out)
{
	struct bridge_list l;
	struct route_miss m = {0};
	char err[160];
	int rc = bridge_targets_parse(data, &l, err, sizeof(err));

	if (rc) {
		log_notice("route", "bridge %s: %s", data, rc == -ENOMEM ? "out of memory" : err);
		fail(home, out, rc == -ENOMEM ? 500 : 404,
		     rc == -ENOMEM ? HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE
		                   : HANGUP_CAUSE_INVALID_NUMBER_FORMAT,
		     "bridge target list not valid");
		return;
	}
	check_leg_vars(&l.global, "{...}");
	for (unsigned i = 0; i < l.global.n; i++)
		if (strcmp(l.global.v[i].name, "leg_timeout"))
			dialplan_vars_set(vars, l.global.v[i].name, l.global.v[i].value);
	for (unsigned i = 0; i < l.n; i++) {
		const struct bridge_target *t = &l.t[i];

		check_leg_vars(&t->vars, "[...]");
		bridge_one(r, home, t->dial, t->group,
		           seconds(bridge_target_var(&l, t, "leg_timeout"), "leg_timeout", t->dial),
		           out, &m);
	}
	bridge_targets_free(&l);
	if (!out->n_targets)
		fail(home, out, m.status ? m.status : 404,
		     m.status ? m.cause : HANGUP_CAUSE_NO_ROUTE_DESTINATION,
		     m.reason ? m.reason : "no target");
}

static void hangup(su_home_t *home, const char *data, struct route_result *out)
{
	enum hangup_cause cause = HANGUP_CAUSE_NORMAL_CLEARING;

	if (data && *data && hangup_cause_parse(data, &cause) != 0)
		log_notice("route", "hangup %s: unknown cause, using NORMAL_CLEARING", data);
	fail(home, out, hangup_cause_to_sip(cause), cause, "dialplan hangup");
}

static void early(struct route_result *out, enum route_early e)
{
	if (e > out->early)
		out->early = e;
}

/* FreeSWITCH's log application: "[LEVEL ]message", LEVEL one of its names. */
void router_log_line(const char *data)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"DEBUG", 0}, {"INFO", 1},  {"NOTICE", 2}, {"WARNING", 3},
	              {"ERR", 4},   {"ERROR", 4}, {"CRIT", 4},   {"ALERT", 4}};
	size_t n = strcspn(data, " ");
	int level = 0;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (n == strlen(levels[i].name) && !strncasecmp(data, levels[i].name, n)) {
			level = levels[i].level;
			data += n + strspn(data + n, " ");
			break;
		}
	if (level == 0)
		log_debug("dialplan", "%s", data);
	else if (level == 1)
		log_info("dialplan", "%s", data);
	else if (level == 2)
		log_notice("dialplan", "%s", data);
	else if (level == 3)
		log_warn("dialplan", "%s", data);
	else
		log_error("dialplan", "%s", data);
}

void route_program_free(struct route_program *p)
{
	if (!p)
		return;
	dialplan_result_free(&p->dr);
	dialplan_vars_clear(&p->vars);
	free(p);
}

/* Runs the hunted actions; stops at the first that decides the call, or at the first that
 * waits (*wait_at: its index, else n_actions). */
static void execute(struct router *r, su_home_t *home, const struct dialplan_result *dr,
                    struct dialplan_vars *vars, struct route_result *out, unsigned *wait_at)
{
	*wait_at = dr->n_actions;
	for (unsigned i = 0; i < dr->n_actions; i++) {
		const struct dialplan_action *a = &dr->actions[i];
		char *data = NULL;

		if (dialplan_app_waits(dialplan_app_of(a->application))) {
			*wait_at = i;
			return;
		}

		if (dialplan_vars_expand(vars, a->data ? a->data : "", &data) != 0) {
			fail(home, out, 500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
			     "out of memory");
			return;
		}
		log_debug("route", "execute %s(%s)", a->application, data);
		switch (dialplan_app_of(a->application)) {
		case DIALPLAN_APP_SET:
			if (dialplan_vars_apply_set(vars, data) != 0)
				log_notice("route", "set %s: not name=value, ignored", data);
			break;
		case DIALPLAN_APP_HANGUP:
			hangup(home, data, out);
			free(data);
			return;
		case DIALPLAN_APP_BRIDGE:
			bridge(r, home, data, vars, out);
			free(data);
			return;
		case DIALPLAN_APP_RING_READY:
			early(out, ROUTE_EARLY_RINGING);
			break;
		case DIALPLAN_APP_PRE_ANSWER:
			early(out, ROUTE_EARLY_PRE_ANSWER);
			break;
		case DIALPLAN_APP_ANSWER:
			early(out, ROUTE_EARLY_ANSWER);
			break;
		case DIALPLAN_APP_LOG:
			router_log_line(data);
			break;
		default:
			/* dialplan_load() refuses every other name. */
			log_error("route", "%s: application not supported", a->application);
			break;
		}
		free(data);
	}
	fail(home, out, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION, "no action routed the call");
}

static void vars_to_result(const struct dialplan_vars *vars, su_home_t *home,
                           struct route_result *out)
{
	const char *srtp = dialplan_vars_get(vars, "srtp");

	const char *v = dialplan_vars_get(vars, "call_timeout");
	long t = v ? strtol(v, NULL, 10) : 0;

	if (t > 0 && t <= 3600)
		out->timeout_s = (unsigned)t;
	if ((v = dialplan_vars_get(vars, "codec_string")) != NULL)
		out->codec_string = su_strdup(home, v);
	if ((v = dialplan_vars_get(vars, "absolute_codec_string")) != NULL)
		out->absolute_codec_string = su_strdup(home, v);
	if (srtp)
		out->srtp = su_strdup(home, srtp);
}

void router_bridge(struct router *r, su_home_t *home, const char *data, struct dialplan_vars *vars,
                   struct route_result *out)
{
	bridge(r, home, data, vars, out);
	vars_to_result(vars, home, out);
}

/* Variables whose application runs later in the call's life: a plan setting one needs the
 * executor even when it bridged at once. */
static bool has_hooks(const struct dialplan_vars *vars)
{
	static const char *const hooks[] = {"execute_on_answer", "execute_on_ring", "api_on_answer",
	                                    "api_hangup_hook"};

	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (dialplan_vars_get(vars, hooks[i]))
			return true;
	return false;
}

/* Moves the hunt's actions and variables into out->program (both emptied). */
static void keep_program(struct dialplan_result *dr, struct dialplan_vars *vars, unsigned next,
                         su_home_t *home, struct route_result *out)
{
	struct route_program *p = calloc(1, sizeof(*p));

	if (!p) {
		fail(home, out, 500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE, "out of memory");
		return;
	}
	p->dr = *dr;
	p->vars = *vars;
	p->next = next;
	memset(dr, 0, sizeof(*dr));
	memset(vars, 0, sizeof(*vars));
	out->program = p;
}

void router_route(struct router *r, su_home_t *home, const struct route_request *req,
                  struct route_result *out)
{
	struct dialplan_vars vars = {0};
	struct dialplan_result dr = {0};
	struct dialplan_caller caller = {
	    .destination_number = req->destination,
	    .caller_id_number = req->caller,
	    .caller_id_name = req->caller_name ? req->caller_name : req->caller,
	    .network_addr = req->network_addr,
	    .context = req->context,
	};
	char err[256];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!req->destination[0]) {
		fail(home, out, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION, "no destination");
		return;
	}
	if (!r->dp) {
		struct route_miss m = {0};

		bridge_user(r, home, req->destination, 0, 0, out, &m);
		if (!out->n_targets)
			fail(home, out, m.status, m.cause, m.reason);
		return;
	}
	for (unsigned i = 0; i < req->n_vars; i++)
		if (strcmp(req->vars[i].name, "srtp")) /* the caller's leg's, not the channel's */
			dialplan_vars_set(&vars, req->vars[i].name, req->vars[i].value);
	rc = dialplan_hunt(r->dp, &caller, &vars, &dr, err, sizeof(err));
	if (rc) {
		log_warn("route", "dialplan hunt failed: %s", err);
		fail(home, out, rc == -ENOENT ? 404 : 500,
		     rc == -ENOENT ? HANGUP_CAUSE_NO_ROUTE_DESTINATION
		                   : HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
		     "dialplan hunt failed");
	} else {
		log_info("route", "%s -> %s: context %s, extension %s, %u action(s)", req->caller,
		         req->destination, dr.context, dr.extension ? dr.extension : "(none)",
		         dr.n_actions);
		unsigned wait_at;

		execute(r, home, &dr, &vars, out, &wait_at);
		vars_to_result(&vars, home, out);
		if (wait_at < dr.n_actions || (!out->status && has_hooks(&vars)))
			keep_program(&dr, &vars, wait_at, home, out);
	}
	dialplan_result_free(&dr);
	dialplan_vars_clear(&vars);
}
