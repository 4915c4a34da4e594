/* Call routing: the XML dialplan is hunted with the caller's profile and channel variables, and
 * its actions run in order: `set` changes a variable, `hangup` refuses the call with its cause,
 * `bridge user/ID` turns the user's live registrations into the B-leg targets and ends the
 * routing. A contact registered from behind NAT is reached through the address the REGISTER came
 * from (the Request-URI stays the contact, the request goes to the NAT binding). Without a
 * dialplan every destination is taken as `bridge user/${destination_number}`. */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_string.h>

#include "dialplan.h"
#include "directory.h"
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

static void fail(su_home_t *home, struct route_result *out, int status, enum hangup_cause cause,
                 const char *reason)
{
	out->status = status;
	out->cause = cause;
	out->reason = su_strdup(home, reason);
}

/* Bridges to every live contact of user. */
static void bridge_user(struct router *r, su_home_t *home, const char *user,
                        struct route_result *out)
{
	const struct directory_user *u = r->dir ? directory_find(r->dir, user, r->domain) : NULL;
	struct store_reg_list regs = {0};
	const char *srtp;
	int rc;

	if (!u) {
		fail(home, out, 404, HANGUP_CAUSE_UNALLOCATED_NUMBER, "no such user");
		return;
	}
	rc = store_reg_lookup(r->st, user, r->domain, (int64_t)time(NULL), &regs);
	if (rc) {
		fail(home, out, 500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE,
		     "registration lookup failed");
		return;
	}
	if (regs.n == 0) {
		store_reg_list_free(&regs);
		fail(home, out, 480, HANGUP_CAUSE_USER_NOT_REGISTERED, "user not registered");
		return;
	}
	out->callee = su_strdup(home, user);
	srtp = directory_user_var(u, "srtp");
	out->srtp = srtp ? su_strdup(home, srtp) : NULL;
	for (size_t i = 0; i < regs.n && out->n_targets < CALL_MAX_FORKS; i++) {
		struct route_target *t = &out->targets[out->n_targets++];
		const struct store_reg *reg = &regs.v[i];

		t->ruri = su_strdup(home, reg->contact);
		/* Only where it registered from: on UDP always the source address and port,
		 * whatever the contact says (a binding stored before maddr= was refused included);
		 * on TCP the source when behind NAT, else the contact, whose host is that source.
		 */
		if (!reg->nat)
			t->src_ip = su_strdup(home, reg->network_ip);
		if (reg->nat || !strcmp(reg->network_proto, "udp"))
			t->proxy =
			    su_sprintf(home,
			               strchr(reg->network_ip, ':') ? "sip:[%s]:%u;transport=%s"
			                                            : "sip:%s:%u;transport=%s",
			               reg->network_ip, reg->network_port, reg->network_proto);
	}
	store_reg_list_free(&regs);
}

/* bridge data: "user/ID" or "user/ID@domain"; anything else is not a target we can reach. */
static void bridge(struct router *r, su_home_t *home, const char *data, struct route_result *out)
{
	char user[128];
	const char *at;
	size_t n;

	if (strncmp(data, "user/", 5) != 0 || !data[5]) {
		fail(home, out, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION,
		     "bridge target not supported");
		log_notice("route", "bridge %s: only user/ID targets are supported", data);
		return;
	}
	at = strchr(data + 5, '@');
	n = at ? (size_t)(at - data - 5) : strlen(data + 5);
	if (n >= sizeof(user)) {
		fail(home, out, 404, HANGUP_CAUSE_INVALID_NUMBER_FORMAT, "bridge user too long");
		return;
	}
	memcpy(user, data + 5, n);
	user[n] = '\0';
	bridge_user(r, home, user, out);
}

static void hangup(su_home_t *home, const char *data, struct route_result *out)
{
	enum hangup_cause cause = HANGUP_CAUSE_NORMAL_CLEARING;

	if (data && *data && hangup_cause_parse(data, &cause) != 0)
		log_notice("route", "hangup %s: unknown cause, using NORMAL_CLEARING", data);
	fail(home, out, hangup_cause_to_sip(cause), cause, "dialplan hangup");
}

/* Runs the hunted actions; stops at the first that decides the call. */
static void execute(struct router *r, su_home_t *home, const struct dialplan_result *dr,
                    struct dialplan_vars *vars, struct route_result *out)
{
	for (unsigned i = 0; i < dr->n_actions; i++) {
		const struct dialplan_action *a = &dr->actions[i];
		char *data = NULL;

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
			bridge(r, home, data, out);
			free(data);
			return;
		case DIALPLAN_APP_ANSWER:
			/* The B2BUA answers with the callee's SDP; a local answer has no media to
			 * play, so it is noted and the hunt goes on. */
			log_info("route", "answer: ignored (no local media on this node)");
			break;
		default:
			log_notice("route", "%s: application not supported, skipped",
			           a->application);
			break;
		}
		free(data);
	}
	fail(home, out, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION, "no action routed the call");
}

static void timeout_from(const struct dialplan_vars *vars, struct route_result *out)
{
	const char *v = dialplan_vars_get(vars, "call_timeout");
	long t = v ? strtol(v, NULL, 10) : 0;

	if (t > 0 && t <= 3600)
		out->timeout_s = (unsigned)t;
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
		bridge_user(r, home, req->destination, out);
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
		execute(r, home, &dr, &vars, out);
		timeout_from(&vars, out);
		if (dialplan_vars_get(&vars, "srtp"))
			out->srtp = su_strdup(home, dialplan_vars_get(&vars, "srtp"));
	}
	dialplan_result_free(&dr);
	dialplan_vars_clear(&vars);
}
