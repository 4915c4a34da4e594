/* Call routing: the destination names a directory user, whose live registrations become the
 * B-leg targets. A contact registered from behind NAT is reached through the address the
 * REGISTER came from (the Request-URI stays the contact, the request goes to the NAT binding). */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/su_string.h>

#include "directory.h"
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
	struct store_reg_list regs = {0};
	int rc;

	if (!r->dir || !directory_find(r->dir, user, r->domain)) {
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
	for (size_t i = 0; i < regs.n && out->n_targets < CALL_MAX_FORKS; i++) {
		struct route_target *t = &out->targets[out->n_targets++];
		const struct store_reg *reg = &regs.v[i];

		t->ruri = su_strdup(home, reg->contact);
		if (reg->nat)
			t->proxy = su_sprintf(home, "sip:%s:%u;transport=%s", reg->network_ip,
			                      reg->network_port, reg->network_proto);
	}
	store_reg_list_free(&regs);
}

void router_route(struct router *r, su_home_t *home, const struct route_request *req,
                  struct route_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!req->destination[0]) {
		fail(home, out, 404, HANGUP_CAUSE_NO_ROUTE_DESTINATION, "no destination");
		return;
	}
	bridge_user(r, home, req->destination, out);
}
