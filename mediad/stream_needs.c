/* Which streams the relay thread must see every packet of (stream_needs.h). */
#include "stream_needs.h"

#include "relay.h"
#include "relay_apps.h"

bool stream_needs_userspace(const struct relay_stream *st)
{
	if (st->removed || st->session->deleting || relay_apps_busy(st->apps))
		return true;
	for (int i = 0; i < 2; i++) {
		const struct relay_leg *leg = &st->leg[i];

		if (leg->srtp || (leg->direction && leg->direction != DIR_SENDRECV))
			return true;
	}
	return false;
}
