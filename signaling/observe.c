/* The listeners live in one static array: signald has one loop thread and installs them at
 * start, before the first event. */
#include "observe.h"

#include <errno.h>
#include <stddef.h>

static struct observer obs[OBSERVE_MAX];
static size_t n_obs;

int observe_add(const struct observer *o)
{
	if (n_obs == OBSERVE_MAX)
		return -ENOSPC;
	obs[n_obs++] = *o;
	return 0;
}

void observe_clear(void)
{
	n_obs = 0;
}

#define EACH(hook, ...)                                                                            \
	for (size_t i = 0; i < n_obs; i++)                                                         \
		if (obs[i].hook)                                                                   \
	obs[i].hook(obs[i].arg, __VA_ARGS__)

void obs_call_state(const struct call *c, int from, int to)
{
	EACH(call_state, c, from, to);
}

void obs_leg_state(const struct leg *l, int from, int to)
{
	EACH(leg_state, l, from, to);
}

void obs_call_end(const struct call *c)
{
	EACH(call_end, c);
}

void obs_hold(const struct call *c, unsigned side, bool held)
{
	EACH(hold, c, side, held);
}

void obs_dtmf(const struct call *c, unsigned side, const char *digit, unsigned duration_ms)
{
	EACH(dtmf, c, side, digit, duration_ms);
}

void obs_reg(enum obs_reg what, const char *user, const char *realm, const char *contact,
             const char *src_ip, long expires, unsigned count)
{
	EACH(reg, what, user, realm, contact, src_ip, expires, count);
}

void obs_auth_failure(const char *method, const char *user, const char *src_ip)
{
	EACH(auth_failure, method, user, src_ip);
}

void obs_ban(enum obs_ban what, const char *key)
{
	EACH(ban, what, key);
}

void obs_node(const struct media_node *n, bool up)
{
	EACH(node, n, up);
}

void obs_rpc(const struct media_node *n, uint64_t us, bool ok)
{
	EACH(rpc, n, us, ok);
}

void obs_refused(const char *cause)
{
	EACH(refused, cause);
}
