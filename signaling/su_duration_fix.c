/* Replaces sofia-sip's su_duration() for the whole process, to stop the event loop spinning.
 *
 * sofia-sip 1.12.11 computes the loop's wait from the next timer with su_duration(), which
 * truncates to whole milliseconds: while a timer is less than 1 ms away the wait is 0, and the
 * loop calls epoll_wait(0) again and again until the timer is due. Every timer expiry (each SIP
 * retransmission and transaction timer, every su_timer of ours) cost up to a millisecond of
 * busy polling: about a quarter of a core at 50 calls/s. Rounding a positive fraction up makes
 * the loop sleep until the timer is due instead. libsofia-sip-ua calls su_duration through its
 * PLT, so the definition in the executable takes precedence (the linker exports it because the
 * library refers to it). Negative and whole durations are computed as before. */
#include <stdint.h>

#include <sofia-sip/su_time.h>

su_duration_t su_duration(su_time_t const t1, su_time_t const t2)
{
	int64_t us = ((int64_t)t1.tv_sec - (int64_t)t2.tv_sec) * 1000000 +
	             ((int64_t)t1.tv_usec - (int64_t)t2.tv_usec);
	int64_t ms = us >= 0 ? (us + 999) / 1000 : us / 1000;

	if (ms > SU_DURATION_MAX)
		return SU_DURATION_MAX;
	if (ms < -SU_DURATION_MAX)
		return -SU_DURATION_MAX;
	return (su_duration_t)ms;
}
