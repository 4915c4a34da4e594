/* Session timer decisions that do not need the SIP stack (see session_timer.h). */
#include "session_timer.h"

#include <errno.h>
#include <stdio.h>

int session_timer_check_config(long session_timer_s, long min_se_s, char *err, size_t errlen)
{
	if (session_timer_s != 0 && session_timer_s < min_se_s) {
		snprintf(err, errlen,
		         "[sip] session_timer_s: %ld is below min_se_s (%ld); 0 turns timers off",
		         session_timer_s, min_se_s);
		return -EINVAL;
	}
	return 0;
}

bool session_timer_expired(bool confirmed, bool call_ending)
{
	return confirmed && !call_ending;
}
