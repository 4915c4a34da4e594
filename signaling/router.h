/* Routing of an authenticated call: the dialplan decides what to do with the destination, and a
 * `bridge user/ID` becomes the list of that user's registered contacts (with the NAT next hop
 * recorded at registration). Synchronous: the dialplan is in memory, the store is local. */
#ifndef SIGNALD_ROUTER_H
#define SIGNALD_ROUTER_H

#include <sofia-sip/su_alloc.h>

#include "call.h"
#include "dialplan.h"
#include "hangup_cause.h"

struct dialplan;
struct directory;
struct store;

struct route_target {
	char *ruri;     /* the registered contact: Request-URI of the B leg */
	char *proxy;    /* "sip:ip:port;transport=x": where it registered from (always on UDP) */
	char *src_ip;   /* the address it registered from when no NAT was seen, else NULL */
	unsigned group; /* failover group (bridge `|`): 0 rings first */
	unsigned leg_timeout_s; /* leg_timeout variable of the leg, 0: none */
	/* TCP without NAT: the connection it registered on ("sip:ip:port;transport=tcp", its
	 * source port in src_port), the next hop instead of the contact while it is open. */
	char *tcp_flow;
	unsigned src_port;
};

/* What the caller hears before the bridge (ring_ready, pre_answer, answer): the strongest asked
 * for wins. */
enum route_early {
	ROUTE_EARLY_NONE = 0,
	ROUTE_EARLY_RINGING,    /* 180 */
	ROUTE_EARLY_PRE_ANSWER, /* 183 with the media node's SDP */
	ROUTE_EARLY_ANSWER,     /* 200 with the media node's SDP */
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
	enum route_early early;
	/* codec_string / absolute_codec_string (codec_string.h) as the channel had them when the
	 * bridge ran ({...} of the bridge included), or NULL */
	char *codec_string, *absolute_codec_string;
	/* SRTP policy of the B legs: the dialplan's `srtp` channel variable, else the callee's
	 * directory variable `srtp`, else NULL (off). The caller's own `srtp` directory variable
	 * is its leg's, so it does not seed the channel. */
	char *srtp;
	/* Actions left to run, or hooks to keep (above): malloc'ed, owned by the caller. status 0
	 * and no targets when actions are left. */
	struct route_program *program;
};

/* The part of a plan that runs after routing (call_exec.c): the hunted actions from the first
 * that waits (playback, sleep, record_session, ...) on, and the call's channel variables. Also
 * made for a plan that bridged at once when its variables name a hook to run later
 * (execute_on_answer, execute_on_ring, api_on_answer, api_hangup_hook). */
struct route_program {
	struct dialplan_result dr;
	unsigned next; /* index of the next action to run */
	struct dialplan_vars vars;
};

void route_program_free(struct route_program *p); /* accepts NULL */

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
/* Routes later calls with dp (borrowed, NULL: no dialplan); the old one is the caller's. */
void router_set_dialplan(struct router *r, struct dialplan *dp);

/* Runs a `bridge` action for a call's executor: out gets the targets as router_route() would
 * give them (or the failure status), with the channel's codec_string and ring time. */
void router_bridge(struct router *r, su_home_t *home, const char *data, struct dialplan_vars *vars,
                   struct route_result *out);

/* The log application: "[LEVEL ]message" written to signald's log. */
void router_log_line(const char *data);

/* Fills out; every string is allocated on home (the call's). */
void router_route(struct router *r, su_home_t *home, const struct route_request *req,
                  struct route_result *out);

#endif
