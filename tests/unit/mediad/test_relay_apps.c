/* relay_apps.c on a stream with real loopback sockets and a clock of the test's: digits
 * detected from relayed telephone-events (once each), echo, a prompt generated under the SSRC
 * leg A receives with its sequence and timestamps continued and the relayed stream renumbered
 * after it, B's packets to A dropped meanwhile, PlaybackDone reasons (end, replaced, stopped,
 * session closed), digits sent as RFC 4733. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "g711.h"
#include "relay.h"
#include "relay_apps.h"

#define MS 1000000ull

struct fx {
	struct relay_session rs;
	struct relay_stream *st;
	struct app_sched sched;
	int phone_a;          /* leg A's phone: receives what the node sends to A */
	struct net_addr a, b; /* the phones' addresses */
	uint64_t t;
	struct relay_event ev[16];
	int n_ev;
};

static void on_event(void *arg, struct relay_session *rs, const struct relay_event *ev)
{
	struct fx *f = arg;

	(void)rs;
	if (f->n_ev < 16)
		f->ev[f->n_ev++] = *ev;
}

static int udp(struct net_addr *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	if (bound)
		net_addr_from_sockaddr(bound, &sa, len);
	return fd;
}

static struct fx *make(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct port_lease lease[2] = {{30000, true, -1, -1}, {30002, true, -1, -1}};
	struct relay_leg_spec spec[2];

	memset(spec, 0, sizeof(spec));
	lease[0].rtp_fd = udp(NULL); /* the node's port on leg A: generated packets leave here */
	f->phone_a = udp(&f->a);
	net_addr_parse("10.0.0.2", 5000, &f->b);
	spec[0].rtp = f->a;
	spec[1].rtp = f->b;
	spec[0].te_pt = spec[1].te_pt = 101;
	spec[0].law = spec[1].law = G711_ULAW;
	spec[0].mux = spec[1].mux = true;
	f->st = relay_stream_new(0, KIND_AUDIO, 8000, lease, spec, true);
	assert_non_null(f->st);
	assert_non_null(f->st->apps);
	f->st->session = &f->rs;
	f->rs.strict = true;
	f->rs.n_streams = 1;
	f->rs.streams[0] = f->st;
	f->rs.on_event = on_event;
	f->rs.event_arg = f;
	f->t = 5000 * MS;
	return f;
}

static void destroy(struct fx *f)
{
	relay_apps_free(f->st, &f->sched, "session closed");
	relay_stream_free(f->st);
	close(f->phone_a);
	free(f);
}

static size_t rtp(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	memset(p, 0, 172);
	p[0] = 0x80, p[1] = pt;
	p[2] = (uint8_t)(seq >> 8), p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16), p[6] = (uint8_t)(ts >> 8),
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24), p[9] = (uint8_t)(ssrc >> 16), p[10] = (uint8_t)(ssrc >> 8),
	p[11] = (uint8_t)ssrc;
	return 172;
}

/* A packet from leg's phone: relay_packet's verdict, the packet (rewritten) in p. */
static int from(struct fx *f, int leg, uint8_t *p, size_t len, struct relay_fwd *fwd)
{
	const struct net_addr *src = leg ? &f->b : &f->a;

	return relay_packet(&f->st->leg[leg].rtp, p, (uint32_t)len, 2048, false, &src->u, src->len,
	                    f->t, fwd);
}

static uint16_t seq_of(const uint8_t *p)
{
	return (uint16_t)(p[2] << 8 | p[3]);
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What phone A got, or -1. */
static int got(struct fx *f, uint8_t *buf)
{
	struct pollfd pf = {.fd = f->phone_a, .events = POLLIN};

	if (poll(&pf, 1, 100) != 1)
		return -1;
	return (int)recv(f->phone_a, buf, 2048, 0);
}

static void test_prompt_continuity(void **state)
{
	struct fx *f = make();
	struct prompt *pr = calloc(1, sizeof(*pr) + 400);
	uint8_t p[2048], in[2048];
	struct relay_fwd fwd;

	(void)state;
	/* B talks to A: SSRC 0xb0, seq 100-102, ts 1000 + 160 k. */
	for (int k = 0; k < 3; k++) {
		f->t += 20 * MS;
		assert_int_equal(
		    from(f, 1, p, rtp(p, 0, (uint16_t)(100 + k), 1000 + 160u * k, 0xb0), &fwd), 1);
		assert_int_equal(seq_of(p), 100 + k); /* untouched */
	}
	/* A 400-sample prompt (2.5 frames) to A. */
	pr->pt = 0;
	pr->n = 400;
	pr->loops = 1;
	pr->play_id = 5;
	memset(pr->data, 0x11, 400);
	pr->silence = 0xff;
	f->t += 20 * MS;
	assert_int_equal(relay_apps_play(f->st, &f->sched, 0, pr, f->t), 0);
	assert_int_equal(relay_apps_run(&f->sched, f->t), 20 * MS);
	assert_int_equal(got(f, in), 172);
	assert_int_equal(seq_of(in), 103);
	assert_int_equal(u32(in + 8), 0xb0);
	assert_int_equal(u32(in + 4), 1000 + 160 * 3); /* 20 ms after B's last */
	assert_true(in[1] & 0x80);
	/* B's packet meanwhile is not forwarded to A. */
	assert_int_equal(from(f, 1, p, rtp(p, 0, 103, 1480, 0xb0), &fwd), 0);
	for (int k = 1; k < 3; k++) {
		f->t += 20 * MS;
		relay_apps_run(&f->sched, f->t);
		assert_int_equal(got(f, in), 172);
		assert_int_equal(seq_of(in), 103 + k);
		assert_int_equal(u32(in + 4), 1480 + 160u * k);
		assert_false(in[1] & 0x80);
	}
	assert_int_equal(in[12 + 79], 0x11); /* the last 80 samples of the file... */
	assert_int_equal(in[12 + 80], 0xff); /* ...then silence */
	assert_null(f->sched.head);
	assert_int_equal(f->n_ev, 1);
	assert_int_equal(f->ev[0].kind, RELAY_EV_PLAY_DONE);
	assert_string_equal(f->ev[0].reason, "end");
	assert_int_equal(f->ev[0].played_ms, 60);
	/* B resumes: renumbered after the prompt, marker set, timestamp after the prompt's. */
	f->t += 20 * MS;
	assert_int_equal(from(f, 1, p, rtp(p, 0, 107, 1000 + 160 * 7, 0xb0), &fwd), 1);
	assert_int_equal(seq_of(p), 106);
	assert_int_equal(u32(p + 4), 1800 + 160); /* 20 ms after the prompt's last */
	assert_true(p[1] & 0x80);
	f->t += 20 * MS;
	assert_int_equal(from(f, 1, p, rtp(p, 0, 108, 1000 + 160 * 8, 0xb0), &fwd), 1);
	assert_int_equal(seq_of(p), 107);
	assert_int_equal(u32(p + 4), 1800 + 320);
	assert_false(p[1] & 0x80);
	destroy(f);
}

static void test_digits_echo_and_reasons(void **state)
{
	struct fx *f = make();
	uint8_t p[2048], in[2048];
	struct relay_fwd fwd;
	int ends = 0, n = 0;

	(void)state;
	/* Digit '7' from A: three steps, the end three times: one event, still forwarded. */
	for (int i = 0; i < 6; i++) {
		rtp(p, 101, (uint16_t)(10 + i), 8000, 0xa0);
		p[12] = 7;
		p[13] = (uint8_t)(i >= 3 ? 0x80 | 10 : 10);
		p[15] = (uint8_t)(i < 3 ? 160 * (i + 1) : 480) & 0xff;
		p[14] = (uint8_t)((i < 3 ? 160 * (i + 1) : 480) >> 8);
		f->t += 20 * MS;
		assert_int_equal(from(f, 0, p, 16, &fwd), 1);
	}
	assert_int_equal(f->n_ev, 1);
	assert_int_equal(f->ev[0].kind, RELAY_EV_DTMF);
	assert_int_equal(f->ev[0].digit, '7');
	assert_int_equal(f->ev[0].duration_ms, 60);
	assert_int_equal(f->ev[0].leg, 0);
	/* Echo on A: its packets go back out of A's port to A. */
	relay_apps_set_echo(f->st, 0, true);
	f->t += 20 * MS;
	assert_int_equal(from(f, 0, p, rtp(p, 0, 20, 9000, 0xa0), &fwd), 1);
	assert_ptr_equal(fwd.out, &f->st->leg[0].rtp);
	assert_true(net_addr_equal(fwd.to, &f->a));
	relay_apps_set_echo(f->st, 0, false);
	/* Replaced, stopped, session closed. */
	for (uint64_t id = 1; id <= 3; id++) {
		struct prompt *pr = calloc(1, sizeof(*pr) + 1600);

		pr->n = 1600;
		pr->play_id = id;
		assert_int_equal(relay_apps_play(f->st, &f->sched, 1, pr, f->t), 0);
	}
	assert_true(relay_apps_stop_play(f->st, &f->sched, 1));
	assert_false(relay_apps_stop_play(f->st, &f->sched, 1));
	assert_int_equal(f->n_ev, 4);
	assert_string_equal(f->ev[1].reason, "replaced");
	assert_string_equal(f->ev[2].reason, "replaced");
	assert_string_equal(f->ev[3].reason, "stopped");
	assert_int_equal(f->ev[3].play_id, 3);
	/* Digits sent to A: '1' at 60 ms then '#'. */
	assert_int_equal(relay_apps_send_dtmf(f->st, &f->sched, 0, "1#", 60, f->t), 0);
	for (int k = 0; k < 12; k++, f->t += 20 * MS)
		relay_apps_run(&f->sched, f->t);
	while (got(f, in) == 16) {
		assert_int_equal(in[1] & 0x7f, 101);
		ends += (in[13] & 0x80) != 0;
		n++;
	}
	assert_int_equal(ends, 6);
	assert_int_equal(n,
	                 10); /* per digit: 160 (marker), 320, then 480 with the end bit, 3 times */
	assert_null(f->sched.head);
	/* A prompt cut by the session's end. */
	{
		struct prompt *pr = calloc(1, sizeof(*pr) + 160);

		pr->n = 160;
		pr->play_id = 9;
		assert_int_equal(relay_apps_play(f->st, &f->sched, 0, pr, f->t), 0);
	}
	relay_apps_free(f->st, &f->sched, "session closed");
	assert_int_equal(f->n_ev, 5);
	assert_string_equal(f->ev[4].reason, "session closed");
	assert_null(f->sched.head);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prompt_continuity),
	    cmocka_unit_test(test_digits_echo_and_reasons),
	};

	g711_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
