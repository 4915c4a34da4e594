/* What happens in signald, told to whoever listens: the modules report through the obs_*
 * hooks below, and the event publisher (events_pub.c) and the metrics (signald_metrics.c)
 * listen. With no listener a hook costs a loop over an empty array. Loop thread only; what a
 * hook is given is borrowed for the call. */
#ifndef SIGNALD_OBSERVE_H
#define SIGNALD_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

struct call;
struct leg;
struct media_node;

enum obs_reg {
	OBS_REG_REGISTER,   /* a binding made or refreshed */
	OBS_REG_UNREGISTER, /* removed by its phone (Expires 0, Contact *) or by an operator */
	OBS_REG_EXPIRE,     /* bindings that ran out, purged */
};

enum obs_ban {
	OBS_BAN_SOURCE,  /* an address banned after failed authentications */
	OBS_BAN_ACCOUNT, /* a username throttled after failures from many addresses */
};

/* A listener: any hook may be NULL. */
struct observer {
	void *arg;
	/* A state change that passed call.c's table (from != to). */
	void (*call_state)(void *arg, const struct call *c, int from, int to);
	void (*leg_state)(void *arg, const struct leg *l, int from, int to);
	/* The call is being freed: its cause, side and final media counters are known. */
	void (*call_end)(void *arg, const struct call *c);
	/* A mid-call offer from side (0 = A, 1 = B) put the call on hold or took it off. */
	void (*hold)(void *arg, const struct call *c, unsigned side, bool held);
	void (*dtmf)(void *arg, const struct call *c, unsigned side, const char *digit,
	             unsigned duration_ms);
	/* user and realm of the binding(s); contact NULL for all of them (Contact *, expiry);
	 * count is how many bindings the line is about. */
	void (*reg)(void *arg, enum obs_reg what, const char *user, const char *realm,
	            const char *contact, const char *src_ip, long expires, unsigned count);
	/* Credentials that did not verify (method REGISTER or INVITE). */
	void (*auth_failure)(void *arg, const char *method, const char *user, const char *src_ip);
	void (*ban)(void *arg, enum obs_ban what, const char *key);
	void (*node)(void *arg, const struct media_node *n, bool up);
	/* A new call refused before it was set up, by an admission limit other than the load's
	 * (those are counted in struct overload): cause names the limit. */
	void (*refused)(void *arg, const char *cause);
	/* A media RPC answered (ok) or timed out, us after it was sent. */
	void (*rpc)(void *arg, const struct media_node *n, uint64_t us, bool ok);
};

#define OBSERVE_MAX 4

/* Adds a listener (copied); -ENOSPC past OBSERVE_MAX. obs_clear drops them all. */
int observe_add(const struct observer *o);
void observe_clear(void);

void obs_call_state(const struct call *c, int from, int to);
void obs_leg_state(const struct leg *l, int from, int to);
void obs_call_end(const struct call *c);
void obs_hold(const struct call *c, unsigned side, bool held);
void obs_dtmf(const struct call *c, unsigned side, const char *digit, unsigned duration_ms);
void obs_reg(enum obs_reg what, const char *user, const char *realm, const char *contact,
             const char *src_ip, long expires, unsigned count);
void obs_auth_failure(const char *method, const char *user, const char *src_ip);
void obs_ban(enum obs_ban what, const char *key);
void obs_node(const struct media_node *n, bool up);
void obs_rpc(const struct media_node *n, uint64_t us, bool ok);
void obs_refused(const char *cause);

#endif
