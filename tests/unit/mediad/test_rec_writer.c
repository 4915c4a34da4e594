/* Recording: the ring's bound and reserve, and the writer's time line: a leg placed by arrival,
 * then by RTP timestamp (jitter and reordering do not move it), gaps silent, a new SSRC placed
 * by arrival again, the other leg in the other channel, the file as long as start to stop,
 * other codecs silent with a note, the header's sizes those of the file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "g711.h"
#include "rec_writer.h"
#include "wav.h"

#define MS 1000000ull

static void test_ring_reserve(void **state)
{
	struct rec_ring r;
	int audio = 0, marks = 0;

	(void)state;
	assert_int_equal(rec_ring_init(&r, 1), 0);
	assert_int_equal(r.mask + 1, 2 * REC_RING_RESERVE);
	while (rec_ring_slot(&r, false)) {
		rec_ring_commit(&r);
		audio++;
	}
	while (rec_ring_slot(&r, true)) {
		rec_ring_commit(&r);
		marks++;
	}
	assert_int_equal(audio, REC_RING_RESERVE);
	assert_int_equal(marks, REC_RING_RESERVE);
	assert_non_null(rec_ring_peek(&r));
	rec_ring_release(&r);
	assert_non_null(rec_ring_slot(&r, true));
	assert_null(rec_ring_slot(&r, false));
	rec_ring_destroy(&r);
}

static void packet(struct recording *rec, uint8_t leg, uint8_t pt, uint32_t ssrc, uint32_t ts,
                   uint8_t code, uint64_t at)
{
	uint8_t p[12 + 160];

	memset(p, code, sizeof(p));
	p[0] = 0x80;
	p[1] = pt;
	p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16), p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24), p[9] = (uint8_t)(ssrc >> 16), p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	rec_tap_rtp(rec, leg, p, sizeof(p), at);
}

static int16_t sample(const struct wav_info *wi, size_t frame, int ch)
{
	const uint8_t *p = wi->data + 4 * frame + 2 * ch;

	return (int16_t)(p[0] | p[1] << 8);
}

/* The channel holds v over [from, to). */
static void expect(const struct wav_info *wi, int ch, size_t from, size_t to, int16_t v)
{
	for (size_t i = from; i < to; i++)
		if (sample(wi, i, ch) != v) {
			print_error("channel %d frame %zu: %d, want %d\n", ch, i, sample(wi, i, ch),
			            v);
			fail();
		}
}

static void test_time_line(void **state)
{
	char path[] = "/tmp/test_rec_writer.XXXXXX";
	int fd = mkstemp(path);
	struct rec_writer *w;
	struct recording *rec, *done = NULL;
	uint64_t t0 = clock_mono_ns();
	uint8_t a = g711_ulaw_encode(1000), b = g711_ulaw_encode(-3000), buf[65536];
	int16_t va, vb;
	struct wav_info wi;
	char why[64];
	ssize_t n;

	(void)state;
	g711_init();
	va = g711_ulaw_decode(a);
	vb = g711_ulaw_decode(b);
	assert_true(fd >= 0);
	assert_int_equal(rec_writer_new(&w, 1, 512), 0);
	rec = recording_new(fd, path);
	assert_non_null(rec);
	rec->law[0] = rec->law[1] = G711_ULAW;
	rec->te_pt[0] = 101;
	rec->ring = rec_writer_ring(w, 0);
	assert_true(rec_tap_start(rec, t0));
	/* Leg A: 10 packets from the start, arriving as each 20 ms ends... */
	for (uint32_t k = 0; k < 10; k++)
		if (k != 5)
			packet(rec, 0, 0, 1, 1000 + 160 * k, a, t0 + (k + 1) * 20 * MS);
	packet(rec, 0, 0, 1, 1000 + 160 * 5, a, t0 + 7 * 20 * MS + MS); /* late: placed by ts */
	/* ...a digit (telephone-event: silence, no note), 200 ms of silence, then 5 more with
	 * 15 ms of jitter: their timestamps place them. */
	packet(rec, 0, 101, 1, 1000 + 160 * 10, 0x0a, t0 + 210 * MS);
	for (uint32_t k = 20; k < 25; k++)
		packet(rec, 0, 0, 1, 1000 + 160 * k, a, t0 + (k + 1) * 20 * MS + 15 * MS);
	/* Leg B starts 100 ms in (its first packet covers 80..100 ms), 5 packets... */
	for (uint32_t k = 0; k < 5; k++)
		packet(rec, 1, 0, 2, 50000 + 160 * k, b, t0 + (100 + 20 * k) * MS);
	/* ...then a new SSRC whose timestamps mean nothing here: placed by its arrival. */
	packet(rec, 1, 0, 3, 7, b, t0 + 320 * MS);
	/* G.722 on leg B: silence, and a note. */
	packet(rec, 1, 9, 3, 167, 0x33, t0 + 340 * MS);
	assert_true(rec_tap_stop(rec, t0 + 600 * MS));
	for (int i = 0; i < 300 && !(done = rec_writer_take_done(w)); i++)
		nanosleep(&(struct timespec){0, 10 * MS}, NULL);
	assert_ptr_equal(done, rec);
	assert_int_equal(rec->duration_ms, 600);
	assert_int_equal(rec->bytes, 44 + 4800 * 4);
	assert_string_equal(rec->wnote, "leg B payload type 9: silence");
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(path);
	assert_int_equal(n, 44 + 4800 * 4);
	assert_int_equal(wav_parse(buf, (size_t)n, &wi, why, sizeof(why)), 0);
	assert_int_equal(wi.frames, 4800);
	assert_int_equal(buf[40] | buf[41] << 8, (4800 * 4) & 0xffff);
	expect(&wi, 0, 0, 1600, va);    /* A: 0-200 ms, the late packet in its place */
	expect(&wi, 0, 1600, 3200, 0);  /* the digit and the gap */
	expect(&wi, 0, 3200, 4000, va); /* 400-500 ms by timestamp despite the jitter */
	expect(&wi, 0, 4000, 4800, 0);
	expect(&wi, 1, 0, 640, 0);     /* B not yet */
	expect(&wi, 1, 640, 1440, vb); /* 80-180 ms */
	expect(&wi, 1, 1440, 2400, 0);
	expect(&wi, 1, 2400, 2560, vb); /* the new SSRC: 300-320 ms by arrival */
	expect(&wi, 1, 2560, 4800, 0);  /* G.722 is silence */
	recording_free(rec);
	rec_writer_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_reserve),
	    cmocka_unit_test(test_time_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
