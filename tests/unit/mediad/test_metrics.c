/* The quality histograms: which legs are observed at a session's close and into which bucket
 * each value goes (upper bounds inclusive, as Prometheus' le). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static void leg(struct session_snapshot *s, uint32_t stream, int l, uint64_t packets, uint64_t lost,
                double jitter_ms)
{
	struct traffic_snapshot *t = &s->streams[stream].leg[l].rtp;

	if (s->n_streams <= stream)
		s->n_streams = stream + 1;
	t->packets = packets;
	t->lost = lost;
	t->jitter_ms = jitter_ms;
}

static void test_observe(void **state)
{
	struct metrics_media mm;
	struct session_snapshot s;

	(void)state;
	memset(&mm, 0, sizeof(mm));
	memset(&s, 0, sizeof(s));
	leg(&s, 0, 0, 1000, 0, 1.0); /* no loss, jitter exactly 1 ms: first buckets */
	leg(&s, 0, 1, 0, 0, 0);      /* received nothing: not observed */
	leg(&s, 1, 0, 900, 100, 30); /* 10 % lost, 30 ms */
	leg(&s, 1, 1, 100, 0, 9999); /* beyond every bound: +Inf only */
	metrics_observe_session(&mm, &s);
	assert_int_equal(mm.jitter_s.count, 3);
	assert_int_equal(mm.loss_ratio.count, 3);
	assert_int_equal(mm.jitter_s.bucket[0], 1);                        /* le 0.001 */
	assert_int_equal(mm.jitter_s.bucket[5], 1);                        /* le 0.05 */
	assert_int_equal(mm.jitter_s.bucket[METRICS_HIST_BUCKETS - 1], 1); /* above 0.5 */
	assert_int_equal(mm.loss_ratio.bucket[0], 2);                      /* le 0 */
	assert_int_equal(mm.loss_ratio.bucket[6], 1);                      /* 0.1: le 0.1 */
	assert_true(mm.loss_ratio.sum > 0.0999 && mm.loss_ratio.sum < 0.1001);
	assert_true(mm.jitter_s.sum > 10.03 && mm.jitter_s.sum < 10.031);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_observe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
