/* Routing of an authenticated call: the dialplan decides what to do with the destination, and a
 * `bridge user/ID` becomes the list of that user's registered contacts (with the NAT next hop
 * recorded at registration). Synchronous: the dialplan is in memory, the store is local. */
#ifndef SIGNALD_ROUTER_H
#define SIGNALD_ROUTER_H

#include <sofia-sip/su_alloc.h>

#include "call.h"
#include "hangup_cause.h"

struct dialplan;
struct directory;
struct store;

struct route_target {
	char *ruri;   /* the registered contact: Request-URI of the B leg */
	char *proxy;  /* "sip:ip:port;transport=x": where it registered from (always on UDP) */
	char *src_ip; /* the address it registered from when no NAT was seen, else NULL */
};

struct route_result {
	/* 0: bridge to targets; else the SIP status to answer A with, and the cause. */
	int status;
	enum hangup_cause cause;
	char *callee; /* user id bridged to */
	struct route_target targets[CALL_MAX_FORKS];
	unsigned n_targets;
	char *reason;       /* for the log */
	unsigned timeout_s; /* call_timeout channel variable, 0 = the configured one */
	/* SRTP policy of the B legs: the dialplan's `srtp` channel variable, else the callee's
	 * directory variable `srtp`, else NULL (off). The caller's own `srtp` directory variable
	 * is its leg's, so it does not seed the channel. */
	char *srtp;
};

struct route_var {
	const char *name, *value;
};

struct route_request {
	const char *caller;  /* authenticated user */
	const char *context; /* dialplan context (the user's user_context or the default) */
	const struct route_var
	    *vars; /* initial channel variables (the user's, from the directory) */
	unsigned n_vars;
	const char *caller_name;  /* From display name, may be NULL */
	const char *destination;  /* Request-URI user */
	const char *network_addr; /* source IP */
	const char *domain;
};

struct router;

/* dp (NULL: no dialplan), dir and st are borrowed. */
int router_new(struct router **out, struct dialplan *dp, struct directory *dir, struct store *st,
               const char *domain);
void router_free(struct router *r);

/* Fills out; every string is allocated on home (the call's). */
void router_route(struct router *r, su_home_t *home, const struct route_request *req,
                  struct route_result *out);

#endif
