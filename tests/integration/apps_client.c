/* apps_client ENDPOINT CASE [DIR]: the media applications of a running mediad through its RPC,
 * with real RTP over loopback: dtmf (RFC 4733 digits become DtmfEvents, once each, and are
 * still forwarded), echo, play (a prompt as G.711 with continuous sequence and timestamps,
 * PlaybackDone, relayed media resuming in sequence; DIR is the node's prompts folder), playctl
 * (replace, stop, delete mid-prompt, refused names and codecs), senddtmf (digits sent to a leg).
 * Prints one "ok:"/"FAIL" line per check; exits 0 when all passed. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "g711.h"
#include "relay_util.h"
#include "wav.h"

#define PB(x) Tandem__Media__V1__##x
#define TE_PT 101

/* Events that arrived while waiting for replies, oldest first. */
static RpcEnvelope *events[64];
static int n_events;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static RpcEnvelope *call(RpcEnvelope *req)
{
	static uint64_t id = 1000;
	uint64_t deadline = now_ms() + 5000;

	req->version = RPC_VERSION;
	req->request_id = ++id;
	if (rpc_send(node_dealer(), NULL, 0, req))
		return NULL;
	while (now_ms() < deadline) {
		RpcEnvelope *env = NULL;

		if (rpc_wait(node_dealer(), (int)(deadline - now_ms()), &env))
			return NULL;
		if (env->body_case == RPC_BODY(EVENT) && n_events < 64) {
			events[n_events++] = env;
			continue;
		}
		if (env->request_id == req->request_id)
			return env;
		rpc_envelope_free(env);
	}
	return NULL;
}

/* The next event (queued first), or NULL after timeout_ms. */
static RpcEnvelope *next_event(int timeout_ms)
{
	if (n_events) {
		RpcEnvelope *e = events[0];

		memmove(events, events + 1, (size_t)--n_events * sizeof(events[0]));
		return e;
	}
	return node_event(timeout_ms);
}

static int status_of(const RpcEnvelope *r)
{
	if (!r)
		return -1;
	switch (r->body_case) {
	case RPC_BODY(PLAY_REPLY):
		return r->play_reply->status ? (int)r->play_reply->status->code : 0;
	case RPC_BODY(STOP_PLAY_REPLY):
		return r->stop_play_reply->status ? (int)r->stop_play_reply->status->code : 0;
	case RPC_BODY(SET_ECHO_REPLY):
		return r->set_echo_reply->status ? (int)r->set_echo_reply->status->code : 0;
	case RPC_BODY(SEND_DTMF_REPLY):
		return r->send_dtmf_reply->status ? (int)r->send_dtmf_reply->status->code : 0;
	default:
		return reply_code(r);
	}
}

static const char *status_text(const RpcEnvelope *r)
{
	if (r && r->body_case == RPC_BODY(PLAY_REPLY) && r->play_reply->status)
		return r->play_reply->status->message;
	return "";
}

static int play(const char *sid, int leg, const char *file, unsigned loops, uint64_t id,
                uint64_t *duration)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT, *r;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	PB(PlayRequest) p = TANDEM__MEDIA__V1__PLAY_REQUEST__INIT;
	int code;

	ref.session_id = (char *)sid;
	p.session = &ref;
	p.leg = leg;
	p.file = (char *)file;
	p.loops = loops;
	p.play_id = id;
	env.body_case = RPC_BODY(PLAY);
	env.play = &p;
	r = call(&env);
	code = status_of(r);
	if (code)
		printf("  Play %s: %s\n", file, status_text(r));
	if (duration && r && r->body_case == RPC_BODY(PLAY_REPLY))
		*duration = r->play_reply->duration_ms;
	rpc_envelope_free(r);
	return code;
}

static int simple(int body, const char *sid, int leg, bool on, const char *digits)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT, *r;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	PB(StopPlayRequest) sp = TANDEM__MEDIA__V1__STOP_PLAY_REQUEST__INIT;
	PB(SetEchoRequest) se = TANDEM__MEDIA__V1__SET_ECHO_REQUEST__INIT;
	PB(SendDtmfRequest) sd = TANDEM__MEDIA__V1__SEND_DTMF_REQUEST__INIT;
	int code;

	ref.session_id = (char *)sid;
	env.body_case = body;
	if (body == RPC_BODY(STOP_PLAY)) {
		sp.session = &ref;
		sp.leg = leg;
		env.stop_play = &sp;
	} else if (body == RPC_BODY(SET_ECHO)) {
		se.session = &ref;
		se.leg = leg;
		se.on = on;
		env.set_echo = &se;
	} else {
		sd.session = &ref;
		sd.leg = leg;
		sd.digits = (char *)digits;
		sd.duration_ms = 60;
		env.send_dtmf = &sd;
	}
	r = call(&env);
	code = status_of(r);
	rpc_envelope_free(r);
	return code;
}

static size_t rtp(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, bool m,
                  const uint8_t *pl, size_t n)
{
	buf[0] = 0x80;
	buf[1] = (uint8_t)((m ? 0x80 : 0) | pt);
	buf[2] = (uint8_t)(seq >> 8), buf[3] = (uint8_t)seq;
	buf[4] = (uint8_t)(ts >> 24), buf[5] = (uint8_t)(ts >> 16), buf[6] = (uint8_t)(ts >> 8),
	buf[7] = (uint8_t)ts;
	buf[8] = (uint8_t)(ssrc >> 24), buf[9] = (uint8_t)(ssrc >> 16),
	buf[10] = (uint8_t)(ssrc >> 8), buf[11] = (uint8_t)ssrc;
	memcpy(buf + 12, pl, n);
	return 12 + n;
}

static uint16_t seq_of(const uint8_t *p)
{
	return (uint16_t)(p[2] << 8 | p[3]);
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A session whose legs speak PCMU with telephone-event 101. */
static const RpcSessionInfo *make(RpcEnvelope **r, const char *what, unsigned pa, unsigned pb)
{
	struct spec sa = {.port = pa, .te_pt = TE_PT, .codec = "PCMU"},
	            sb = {.port = pb, .te_pt = TE_PT, .codec = "PCMU"};

	*r = create_session(new_call(what), 1, &sa, &sb, false, 0);
	CHECK(reply_code(*r) == RPC_OK && reply_session(*r), "CreateSession (%s)", what);
	return reply_session(*r);
}

/* Sends one digit from fd as RFC 4733: `steps` packets, then `ends` end packets, all with
 * timestamp ts; *seq advances. */
static void send_digit(int fd, unsigned port, uint8_t event, uint32_t ts, uint16_t *seq, int steps,
                       int ends)
{
	uint8_t pkt[64], pl[4];

	for (int i = 0; i < steps + ends; i++) {
		uint16_t dur = (uint16_t)(160 * (i < steps ? i + 1 : steps));

		pl[0] = event;
		pl[1] = (uint8_t)((i >= steps ? 0x80 : 0) | 10);
		pl[2] = (uint8_t)(dur >> 8), pl[3] = (uint8_t)dur;
		udp_send(fd, port, pkt, rtp(pkt, TE_PT, (*seq)++, ts, 0xd7d7, i == 0, pl, 4));
		usleep(5000);
	}
}

static int drain(int fd, int ms)
{
	uint8_t buf[2048];
	int n = 0;

	while (udp_recv(fd, buf, sizeof(buf), ms, NULL) >= 0)
		n++;
	return n;
}

/* Digits from A as telephone-events: one DtmfEvent each at its end (retransmitted ends counted
 * once), one for a digit whose end never comes (after the 1 s guard), all still forwarded. */
static void case_dtmf(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	RpcEnvelope *r, *e;
	const RpcSessionInfo *s = make(&r, "dtmf", pa, pb);
	uint16_t seq = 1;
	char got[16] = "";
	unsigned dur[16] = {0}, n = 0, fwd;
	bool legs_ok = true;

	if (!s)
		return;
	send_digit(a, local_rtp(s, 0, 0), 1, 8000, &seq, 6, 3);   /* '1', 120 ms... 960 units */
	send_digit(a, local_rtp(s, 0, 0), 11, 16000, &seq, 4, 3); /* '#' */
	send_digit(a, local_rtp(s, 0, 0), 11, 16000, &seq, 0, 2); /* late retransmitted ends */
	send_digit(a, local_rtp(s, 0, 0), 5, 24000, &seq, 3, 0);  /* '5' without an end */
	fwd = (unsigned)drain(b, 100);
	CHECK(fwd == (unsigned)(seq - 1),
	      "every telephone-event packet is still forwarded to B: %u of %u", fwd, seq - 1u);
	while (n < 4 && (e = next_event(1800))) {
		if (e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_DTMF) {
			got[n] = e->event->dtmf->digit[0];
			dur[n++] = e->event->dtmf->duration_ms;
			legs_ok &= e->event->dtmf->leg == TANDEM__MEDIA__V1__LEG_ID__LEG_A;
		}
		rpc_envelope_free(e);
	}
	CHECK(!strcmp(got, "1#5"), "DtmfEvents for digits '1', '#', '5' in order, once each: '%s'",
	      got);
	CHECK(dur[0] == 120 && dur[1] == 80 && dur[2] == 60,
	      "durations from the packets: %u, %u, %u ms (want 120, 80, 60)", dur[0], dur[1],
	      dur[2]);
	CHECK(legs_ok, "every digit is reported on leg A");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* A latched stream with telephone-event in the kernel fast path (when the node has one): the
 * audio may be forwarded by the kernel, and a digit A sends is still reported and forwarded,
 * since the kernel hands telephone-events up to the relay thread. The shell side reads the
 * node's fast-path counters. */
static void case_dtmf_fast(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb), audio = 0;
	RpcEnvelope *r, *e;
	const RpcSessionInfo *s = make(&r, "dtmf-fast", pa, pb);
	uint8_t pkt[256], pl[160];
	uint16_t seq = 1;
	char digit = 0;

	if (!s)
		return;
	memset(pl, 0xff, sizeof(pl));
	/* latch both legs, then give the worker's tick time to hand the stream to the kernel */
	for (uint16_t i = 0; i < 5; i++) {
		udp_send(a, local_rtp(s, 0, 0), pkt,
		         rtp(pkt, 0, seq++, 160u * i, 0xa0a0, false, pl, 160));
		udp_send(b, local_rtp(s, 1, 0), pkt,
		         rtp(pkt, 0, i, 160u * i, 0xb0b0, false, pl, 160));
	}
	drain(a, 50), drain(b, 50);
	usleep(400 * 1000);
	for (uint16_t i = 0; i < 50; i++)
		udp_send(a, local_rtp(s, 0, 0), pkt,
		         rtp(pkt, 0, seq++, 160u * (5 + i), 0xa0a0, false, pl, 160));
	audio = drain(b, 100);
	CHECK(audio == 50, "50 audio packets from A reach B: %d", audio);
	send_digit(a, local_rtp(s, 0, 0), 7, 160u * 60, &seq, 4, 3); /* '7' */
	CHECK(drain(b, 100) == 7, "the digit's 7 telephone-event packets reach B");
	while (!digit && (e = next_event(1500))) {
		if (e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_DTMF)
			digit = e->event->dtmf->digit[0];
		rpc_envelope_free(e);
	}
	CHECK(digit == '7', "a DtmfEvent for '7' (got '%c')", digit ? digit : '-');
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* SetEcho on A: A's packets come back to A from A's own relay port, B hears nothing; off again:
 * relayed to B as before. */
static void case_echo(void)
{
	unsigned pa, pb, from = 0;
	int a = udp_open(0, &pa), b = udp_open(0, &pb), back = 0;
	RpcEnvelope *r;
	const RpcSessionInfo *s = make(&r, "echo", pa, pb);
	uint8_t pkt[256], in[256], pl[160];

	if (!s)
		return;
	memset(pl, 0x55, sizeof(pl));
	CHECK(simple(RPC_BODY(SET_ECHO), s->session_id, 0, true, NULL) == RPC_OK, "SetEcho on A");
	for (uint16_t i = 0; i < 10; i++) {
		size_t n = rtp(pkt, 0, (uint16_t)(10 + i), 160u * i, 0xec40, false, pl, 160);
		int got;

		udp_send(a, local_rtp(s, 0, 0), pkt, n);
		got = udp_recv(a, in, sizeof(in), 300, &from);
		back += got == (int)n && !memcmp(in, pkt, n) && from == local_rtp(s, 0, 0);
	}
	CHECK(back == 10, "A's packets return to A unchanged from its relay port: %d/10", back);
	CHECK(udp_silent(b, 100), "B receives nothing while A hears its echo");
	CHECK(simple(RPC_BODY(SET_ECHO), s->session_id, 0, false, NULL) == RPC_OK, "SetEcho off");
	CHECK(relayed(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), pkt,
	              rtp(pkt, 0, 30, 3200, 0xec40, false, pl, 160)),
	      "echo off: A's packets reach B again");
	CHECK(simple(RPC_BODY(SET_ECHO), s->session_id, 2, true, NULL) == RPC_BAD_REQUEST,
	      "SetEcho on leg 2 is refused");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* A 1 kHz tone of ms milliseconds at rate, written as a mono WAV; its samples at 8 kHz in pcm. */
static int write_tone(const char *path, unsigned rate, unsigned ms, int16_t *pcm8k)
{
	size_t n = (size_t)rate * ms / 1000;
	uint8_t hdr[WAV_HEADER_LEN];
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	wav_header(hdr, rate, 1, (uint32_t)(n * 2));
	fwrite(hdr, 1, sizeof(hdr), f);
	for (size_t i = 0; i < n; i++) {
		int16_t v = (int16_t)(8000 * sin(2 * M_PI * 1000.0 * (double)i / rate));
		uint8_t le[2] = {(uint8_t)v, (uint8_t)((uint16_t)v >> 8)};

		fwrite(le, 1, 2, f);
		if (pcm8k && rate == 8000)
			pcm8k[i] = v;
	}
	return fclose(f);
}

/* B talks to A (SSRC, seq 100.., ts); a 500 ms prompt is played to A while B keeps talking: A
 * gets the prompt as PCMU under B's SSRC with sequence and timestamps continuing B's, marker on
 * the first, none of B's packets meanwhile; PlaybackDone "end" 500 ms; B's packets then resume
 * in sequence with the marker bit. */
static void case_play(const char *dir)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	RpcEnvelope *r, *e;
	const RpcSessionInfo *s = make(&r, "play", pa, pb);
	static int16_t tone[4000];
	char path[512];
	uint8_t pkt[512], in[512], pl[160];
	uint16_t bseq = 100, last_seq = 0;
	uint32_t bts = 50000, last_ts = 0;
	int prompt = 0, relayed_during = 0, seq_ok = 1, ts_ok = 1, pcm_ok = 0, marker_first = 0;
	int resumed = 0, resumed_ok = 0, marker_resumed = 0;
	uint64_t dur = 0, t_end;
	bool done = false;

	if (!s)
		return;
	snprintf(path, sizeof(path), "%s/tone1k.wav", dir);
	CHECK(write_tone(path, 8000, 500, tone) == 0, "a 500 ms 8 kHz prompt written");
	memset(pl, 0xff, sizeof(pl));
	for (int i = 0; i < 5; i++) {
		udp_send(b, local_rtp(s, 1, 0), pkt,
		         rtp(pkt, 0, bseq++, bts, 0xb0b0, false, pl, 160));
		bts += 160;
		if (udp_recv(a, in, sizeof(in), 300, NULL) > 0) {
			last_seq = seq_of(in);
			last_ts = u32(in + 4);
		}
	}
	CHECK(last_seq == 104, "B's audio reaches A before the prompt");
	CHECK(play(s->session_id, 0, "tone1k.wav", 1, 77, &dur) == RPC_OK && dur == 500,
	      "Play tone1k.wav to A: OK, 500 ms");
	t_end = now_ms() + 1500;
	while (now_ms() < t_end) {
		struct pollfd pf = {.fd = a, .events = POLLIN};
		int n;

		udp_send(b, local_rtp(s, 1, 0), pkt,
		         rtp(pkt, 0, bseq++, bts, 0xb0b0, false, pl, 160));
		bts += 160;
		while (poll(&pf, 1, 20) > 0) {
			n = (int)recv(a, in, sizeof(in), 0);
			if (n < 12)
				break;
			if ((in[1] & 0x7f) != 0 || u32(in + 8) != 0xb0b0) {
				seq_ok = 0;
				continue;
			}
			if (!memcmp(in + 12, pl, 160) && n == 172) {
				/* B's audio: only after the prompt, continuing its numbering. */
				if (prompt < 25)
					relayed_during++;
				else if (!resumed++) {
					resumed_ok = seq_of(in) == (uint16_t)(last_seq + 1) &&
					             u32(in + 4) - last_ts >= 160 &&
					             u32(in + 4) - last_ts <= 8000;
					marker_resumed = (in[1] & 0x80) != 0;
				}
			} else {
				if (!prompt)
					marker_first = (in[1] & 0x80) != 0;
				else if (in[1] & 0x80)
					marker_first = 0;
				if (prompt < 25) {
					bool same = n == 172;

					for (int k = 0; same && k < 160; k++)
						same = in[12 + k] ==
						       g711_ulaw_encode(tone[prompt * 160 + k]);
					pcm_ok += same;
				}
				prompt++;
			}
			if (seq_of(in) != (uint16_t)(last_seq + 1))
				seq_ok = 0;
			if (prompt > 1 && prompt <= 25 && u32(in + 4) != last_ts + 160)
				ts_ok = 0;
			last_seq = seq_of(in);
			last_ts = u32(in + 4);
		}
		if (prompt >= 25 && resumed >= 3)
			break;
	}
	CHECK(prompt == 25, "A received 25 prompt packets: %d", prompt);
	CHECK(pcm_ok == 25, "each is the file's tone in PCMU, octet for octet: %d/25", pcm_ok);
	CHECK(marker_first, "the first prompt packet, and only it, has the marker bit");
	CHECK(seq_ok, "one SSRC (B's) and sequence numbers without a gap, relayed and prompt");
	CHECK(ts_ok, "prompt timestamps advance by 160 per packet");
	CHECK(relayed_during == 0, "none of B's audio reached A during the prompt (%d)",
	      relayed_during);
	CHECK(resumed >= 3 && resumed_ok && marker_resumed,
	      "B's audio resumes after the prompt: next sequence number, timestamp after the "
	      "prompt's, marker bit");
	while (!done && (e = next_event(1000))) {
		if (e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE) {
			PB(PlaybackDone) *pd = e->event->playback_done;

			CHECK(pd->play_id == 77 && !strcmp(pd->reason, "end") &&
			          pd->played_ms == 500 &&
			          pd->leg == TANDEM__MEDIA__V1__LEG_ID__LEG_A,
			      "PlaybackDone: play id %llu, reason '%s', %llu ms, leg A",
			      (unsigned long long)pd->play_id, pd->reason,
			      (unsigned long long)pd->played_ms);
			done = true;
		}
		rpc_envelope_free(e);
	}
	CHECK(done, "a PlaybackDone arrived");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* DeleteSession through call(), so events sent before the reply are kept. */
static RpcEnvelope *delete_keep_events(const char *sid)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	RpcDeleteSessionRequest d = TANDEM__MEDIA__V1__DELETE_SESSION_REQUEST__INIT;

	ref.session_id = (char *)sid;
	d.session = &ref;
	d.reason = "apps-client";
	env.body_case = RPC_BODY(DELETE_SESSION);
	env.delete_session = &d;
	return call(&env);
}

static const char *wait_done(uint64_t id)
{
	static char reason[64];
	RpcEnvelope *e;

	reason[0] = '\0';
	while ((e = next_event(2000))) {
		bool hit = e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE &&
		           e->event->playback_done->play_id == id;

		if (hit)
			snprintf(reason, sizeof(reason), "%s", e->event->playback_done->reason);
		rpc_envelope_free(e);
		if (hit)
			break;
	}
	return reason;
}

/* Replace, stop, delete mid-prompt, a 16 kHz file, and the names and codecs refused. */
static void case_playctl(const char *dir)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	RpcEnvelope *r, *r2, *d;
	const RpcSessionInfo *s = make(&r, "playctl", pa, pb), *s2;
	struct spec ga = {.port = pa, .codec = "G722", .codec_pt = 9}, gb = {.port = pb};
	char path[512];
	uint64_t dur = 0;

	if (!s)
		return;
	snprintf(path, sizeof(path), "%s/long16k.wav", dir);
	CHECK(write_tone(path, 16000, 3000, NULL) == 0, "a 3 s 16 kHz prompt written");
	CHECK(play(s->session_id, 0, "long16k.wav", 1, 1, &dur) == RPC_OK && dur == 3000,
	      "a 16 kHz prompt plays (3000 ms at 8 kHz)");
	CHECK(play(s->session_id, 0, "long16k.wav", 2, 2, NULL) == RPC_OK, "a second Play");
	CHECK(!strcmp(wait_done(1), "replaced"), "the first ends with reason 'replaced'");
	CHECK(simple(RPC_BODY(STOP_PLAY), s->session_id, 0, false, NULL) == RPC_OK, "StopPlay");
	CHECK(!strcmp(wait_done(2), "stopped"), "the second ends with reason 'stopped'");
	CHECK(drain(a, 100) > 0, "A heard the prompts");
	CHECK(play(s->session_id, 1, "long16k.wav", 0, 3, NULL) == RPC_OK, "Play to B");
	d = delete_keep_events(s->session_id);
	CHECK(reply_code(d) == RPC_OK, "DeleteSession mid-prompt");
	rpc_envelope_free(d);
	CHECK(!strcmp(wait_done(3), "session closed"), "the prompt ends with 'session closed'");
	r2 = create_session(new_call("g722"), 1, &ga, &gb, false, 0);
	s2 = reply_session(r2);
	CHECK(s2 != NULL, "a session whose leg A speaks G722");
	if (s2) {
		CHECK(play(s2->session_id, 0, "tone1k.wav", 1, 4, NULL) == RPC_BAD_REQUEST,
		      "Play to a G722 leg is refused");
		CHECK(play(s2->session_id, 1, "../tone1k.wav", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "'../tone1k.wav' is refused");
		CHECK(play(s2->session_id, 1, "/etc/passwd", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "'/etc/passwd' is refused");
		CHECK(play(s2->session_id, 1, "sub/../../x.wav", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "'sub/../../x.wav' is refused");
		CHECK(play(s2->session_id, 1, "escape.wav", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "a symbolic link leading out of the folder is refused");
		CHECK(play(s2->session_id, 1, "missing.wav", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "a missing file is refused");
		CHECK(play(s2->session_id, 1, "notwav.wav", 1, 5, NULL) == RPC_BAD_REQUEST,
		      "a file that is not a WAV is refused");
		CHECK(play(s2->session_id, 1, "tone1k.wav", 1, 6, NULL) == RPC_OK,
		      "leg B (codec unknown, PT 0 = PCMU) plays");
		CHECK(simple(RPC_BODY(SEND_DTMF), s2->session_id, 0, false, "1") == RPC_BAD_REQUEST,
		      "SendDtmf to a leg without telephone-event is refused");
		delete_ok(s2->session_id);
	}
	rpc_envelope_free(r2);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* SendDtmf "1#" to A at 60 ms: per digit a first packet with the marker, one timestamp,
 * growing durations, three end packets at 480 units; the node's own detector (on a second
 * session whose A is fed what arrived) would say the same. */
static void case_senddtmf(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	RpcEnvelope *r;
	const RpcSessionInfo *s = make(&r, "senddtmf", pa, pb);
	uint8_t in[256];
	char digits[8] = "";
	int nd = 0, ends = 0, pkts = 0, markers = 0, seq_ok = 1, ts_ok = 1;
	uint16_t last_seq = 0;
	uint32_t ts = 0;

	if (!s)
		return;
	CHECK(simple(RPC_BODY(SEND_DTMF), s->session_id, 0, false, "1#") == RPC_OK,
	      "SendDtmf '1#' to A");
	while (udp_recv(a, in, sizeof(in), 300, NULL) == 16) {
		uint8_t ev = in[12];
		bool end = in[13] & 0x80;

		if ((in[1] & 0x7f) != TE_PT)
			continue;
		if (pkts++ && seq_of(in) != (uint16_t)(last_seq + 1))
			seq_ok = 0;
		last_seq = seq_of(in);
		if (in[1] & 0x80) {
			markers++;
			ts = u32(in + 4);
			ends = 0;
			if (nd < 7)
				digits[nd++] = ev == 1 ? '1' : ev == 11 ? '#' : '?';
		} else if (u32(in + 4) != ts) {
			ts_ok = 0;
		}
		if (end && (in[14] << 8 | in[15]) == 480)
			ends++;
	}
	CHECK(!strcmp(digits, "1#"), "digits '1' then '#' arrived: '%s'", digits);
	CHECK(markers == 2 && ends == 3, "one marker per digit, three end packets (%d, %d)",
	      markers, ends);
	CHECK(seq_ok && ts_ok, "sequence numbers continuous, one timestamp per digit (%d packets)",
	      pkts);
	CHECK(udp_silent(b, 50), "B receives none of them");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

static int rec_call(bool start, const char *sid, const char *path, PB(RecordingInfo) * out)
{
	RpcEnvelope env = TANDEM__MEDIA__V1__ENVELOPE__INIT, *r;
	RpcSessionRef ref = TANDEM__MEDIA__V1__SESSION_REF__INIT;
	PB(StartRecordingRequest) sr = TANDEM__MEDIA__V1__START_RECORDING_REQUEST__INIT;
	PB(StopRecordingRequest) tr = TANDEM__MEDIA__V1__STOP_RECORDING_REQUEST__INIT;
	PB(RecordingInfo) *info = NULL;
	int code = -1;

	ref.session_id = (char *)sid;
	if (start) {
		sr.session = &ref;
		sr.path = (char *)path;
		env.body_case = RPC_BODY(START_RECORDING);
		env.start_recording = &sr;
	} else {
		tr.session = &ref;
		env.body_case = RPC_BODY(STOP_RECORDING);
		env.stop_recording = &tr;
	}
	r = call(&env);
	if (r && r->body_case == RPC_BODY(START_RECORDING_REPLY)) {
		code = r->start_recording_reply->status
		           ? (int)r->start_recording_reply->status->code
		           : 0;
		info = r->start_recording_reply->recording;
		if (code)
			printf("  StartRecording %s: %s\n", path,
			       r->start_recording_reply->status->message);
	} else if (r && r->body_case == RPC_BODY(STOP_RECORDING_REPLY)) {
		code = r->stop_recording_reply->status ? (int)r->stop_recording_reply->status->code
		                                       : 0;
		info = r->stop_recording_reply->recording;
	}
	if (out) {
		memset(out, 0, sizeof(*out));
		if (info) {
			static char path_copy[1024], note[512];

			*out = *info;
			snprintf(path_copy, sizeof(path_copy), "%s", info->path);
			snprintf(note, sizeof(note), "%s", info->note);
			out->path = path_copy;
			out->note = note;
		}
	}
	rpc_envelope_free(r);
	return code;
}

/* Power of freq in x[0..n) (Goertzel), per sample. */
static double goertzel(const double *x, size_t n, double freq, double rate)
{
	double c = 2 * cos(2 * M_PI * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / (double)n;
}

struct wav_file {
	uint8_t *buf;
	size_t len;
	struct wav_info wi;
	uint32_t riff_size, data_size; /* as the header says */
};

static int load_wav(const char *path, struct wav_file *w)
{
	FILE *f = fopen(path, "rb");
	char why[128];

	memset(w, 0, sizeof(*w));
	if (!f)
		return -1;
	w->buf = malloc(1 << 22);
	w->len = fread(w->buf, 1, 1 << 22, f);
	fclose(f);
	if (w->len < 44 || wav_parse(w->buf, w->len, &w->wi, why, sizeof(why))) {
		printf("  %s: %s\n", path, w->len < 44 ? "short" : why);
		return -1;
	}
	w->riff_size = u32((const uint8_t[]){w->buf[7], w->buf[6], w->buf[5], w->buf[4]});
	w->data_size = u32((const uint8_t[]){w->buf[43], w->buf[42], w->buf[41], w->buf[40]});
	return 0;
}

/* Channel ch of frames [from, to) as doubles; its mean square in *ms. */
static double *channel(const struct wav_file *w, int ch, size_t from, size_t to, double *ms)
{
	double *x = calloc(to - from + 1, sizeof(double)), sum = 0;

	for (size_t i = from; i < to && i < w->wi.frames; i++) {
		const uint8_t *p = w->wi.data + 4 * i + 2 * ch;

		x[i - from] = (int16_t)(p[0] | p[1] << 8);
		sum += x[i - from] * x[i - from];
	}
	*ms = sum / (double)(to - from);
	return x;
}

/* The dominant of two frequencies in channel ch over [from, to): +1 f1, -1 f2, 0 silence. */
static int tone_of(const struct wav_file *w, int ch, size_t from, size_t to, double f1, double f2)
{
	double ms, *x = channel(w, ch, from, to, &ms), p1, p2;
	int r;

	p1 = goertzel(x, to - from, f1, 8000);
	p2 = goertzel(x, to - from, f2, 8000);
	free(x);
	r = ms < 1000 ? 0 : p1 > 20 * p2 ? 1 : p2 > 20 * p1 ? -1 : 2;
	return r;
}

/* The first frame of channel ch louder than a whisper (the file's length if none). */
static size_t first_sound(const struct wav_file *w, int ch)
{
	for (size_t i = 0; i < w->wi.frames; i++) {
		const uint8_t *p = w->wi.data + 4 * i + 2 * ch;
		int16_t v = (int16_t)(p[0] | p[1] << 8);

		if (v > 500 || v < -500)
			return i;
	}
	return w->wi.frames;
}

/* A 20 ms packet of a tone at freq in law's G.711, sample index at. */
static size_t tone_packet(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ssrc, double freq,
                          uint32_t at)
{
	uint8_t pl[160];

	for (int i = 0; i < 160; i++) {
		int16_t v =
		    (int16_t)(6000 * sin(2 * M_PI * freq * (double)(at + (uint32_t)i) / 8000));

		pl[i] = pt == 8 ? g711_alaw_encode(v) : g711_ulaw_encode(v);
	}
	return rtp(buf, pt, seq, at, ssrc, false, pl, 160);
}

/* Both legs talk, each its own tone and law, for ms: A 440 Hz PCMU from 0 with a pause of
 * [1000, 1300) ms, B 1200 Hz PCMA from 500 ms; returns the ms actually elapsed. */
static uint64_t talk(int a, unsigned to_a, int b, unsigned to_b, unsigned ms, bool b_g722)
{
	uint64_t t0 = now_ms();
	uint8_t pkt[256], in[2048];
	unsigned k = 0;

	for (;;) {
		uint64_t due = t0 + 20u * k, now = now_ms();
		unsigned at = 20u * k;

		if (at >= ms)
			break;
		if (due > now)
			usleep((useconds_t)(due - now) * 1000);
		if (at < 1000 || at >= 1300)
			udp_send(a, to_a, pkt,
			         tone_packet(pkt, 0, (uint16_t)k, 0xa1a1, 440, 160u * k));
		if (at >= 500) {
			size_t n =
			    tone_packet(pkt, b_g722 ? 9 : 8, (uint16_t)k, 0xb2b2, 1200, 160u * k);

			udp_send(b, to_b, pkt, n);
		}
		while (recv(a, in, sizeof(in), MSG_DONTWAIT) > 0 ||
		       recv(b, in, sizeof(in), MSG_DONTWAIT) > 0)
			;
		k++;
	}
	return now_ms() - t0;
}

/* Two legs, two tones, one stereo WAV: A's 440 Hz left, B's 1200 Hz right, each where and when
 * it was sent (B's first 500 ms and A's pause silent), duration within 100 ms of the time
 * between StartRecording and StopRecording; the header's sizes match the file. */
static void case_record(const char *dir)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa, .codec = "PCMU"},
	            sb = {.port = pb, .codec = "PCMA", .codec_pt = 8};
	RpcEnvelope *r = create_session(new_call("record"), 1, &sa, &sb, false, 0), *q;
	const RpcSessionInfo *s = reply_session(r), *qs;
	PB(RecordingInfo) info;
	struct wav_file w;
	char path[1200];
	uint64_t t0, t1, t2, t3;
	size_t fr, a0, b0;

	CHECK(s != NULL, "CreateSession: A PCMU, B PCMA");
	if (!s)
		return;
	t0 = now_ms();
	CHECK(rec_call(true, s->session_id, "calls/today/rec1.wav", &info) == RPC_OK &&
	          info.active && strstr(info.path, "calls/today/rec1.wav"),
	      "StartRecording calls/today/rec1.wav (folders created): active, path %s", info.path);
	t1 = now_ms();
	CHECK(rec_call(true, s->session_id, "again.wav", NULL) == RPC_BAD_REQUEST,
	      "a second StartRecording on the session is refused");
	talk(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), 2000, false);
	q = session_op(Q, s->session_id);
	qs = reply_session(q);
	CHECK(qs && qs->recording && qs->recording->active &&
	          strstr(qs->recording->path, "rec1.wav") && qs->recording->duration_ms >= 1000 &&
	          qs->recording->bytes >= 44 + qs->recording->duration_ms * 32 &&
	          qs->recording->bytes < 44 + (qs->recording->duration_ms + 1) * 32,
	      "QuerySession while recording: active, %llu ms written so far",
	      qs && qs->recording ? (unsigned long long)qs->recording->duration_ms : 0ull);
	rpc_envelope_free(q);
	t2 = now_ms();
	CHECK(rec_call(false, s->session_id, NULL, &info) == RPC_OK && !info.active,
	      "StopRecording answers once the file is complete");
	t3 = now_ms();
	/* The node started between t0 and t1 and stopped between t2 and t3. */
	CHECK(info.duration_ms + 20 >= t2 - t1 && info.duration_ms <= t3 - t0 + 20 &&
	          info.duration_ms + 100 >= t2 - t1,
	      "RecordingInfo: %llu ms recorded; the call between start and stop: %llu to %llu ms",
	      (unsigned long long)info.duration_ms, (unsigned long long)(t2 - t1),
	      (unsigned long long)(t3 - t0));
	snprintf(path, sizeof(path), "%s/calls/today/rec1.wav", dir);
	if (load_wav(path, &w)) {
		CHECK(false, "the recording %s is a WAV file", path);
		return;
	}
	fr = w.wi.frames;
	CHECK(w.wi.rate == 8000 && w.wi.channels == 2, "stereo at 8 kHz (%u Hz, %u channels)",
	      w.wi.rate, w.wi.channels);
	CHECK(w.data_size == w.len - 44 && w.riff_size == w.len - 8 && info.bytes == w.len,
	      "header sizes match the file (%zu octets, RecordingInfo %llu)", w.len,
	      (unsigned long long)info.bytes);
	CHECK(fr / 8 == info.duration_ms, "the file holds %zu ms", fr / 8);
	/* Where each leg's audio starts: A at a0 (the client began after the reply), B 500 ms
	 * later; the windows below are from a0. */
	a0 = first_sound(&w, 0);
	b0 = first_sound(&w, 1);
	CHECK(a0 < 2400 && b0 >= a0 + 4000 - 320 && b0 <= a0 + 4000 + 320,
	      "A's audio starts %zu ms in, B's %zd ms after A's (sent 500 ms after)", a0 / 8,
	      (ssize_t)(b0 - a0) / 8);
	CHECK(tone_of(&w, 0, a0 + 400, a0 + 7600, 440, 1200) == 1,
	      "left [0.05, 0.95) s: A's 440 Hz");
	CHECK(tone_of(&w, 1, a0 + 400, a0 + 3600, 440, 1200) == 0,
	      "right [0.05, 0.45) s: silence (B not yet)");
	CHECK(tone_of(&w, 1, a0 + 4400, a0 + 7600, 440, 1200) == -1,
	      "right [0.55, 0.95) s: B's 1200 Hz");
	CHECK(tone_of(&w, 0, a0 + 8400, a0 + 10000, 440, 1200) == 0,
	      "left [1.05, 1.25) s: A's pause is silence");
	CHECK(tone_of(&w, 0, a0 + 10800, a0 + 15200, 440, 1200) == 1 &&
	          tone_of(&w, 1, a0 + 10800, a0 + 15200, 440, 1200) == -1,
	      "[1.35, 1.9) s: A left, B right");
	free(w.buf);
	CHECK(rec_call(true, s->session_id, "../escape.wav", NULL) == RPC_BAD_REQUEST,
	      "'../escape.wav' is refused");
	CHECK(rec_call(true, s->session_id, "/tmp/abs.wav", NULL) == RPC_BAD_REQUEST,
	      "'/tmp/abs.wav' is refused");
	CHECK(rec_call(false, s->session_id, NULL, NULL) == RPC_BAD_REQUEST,
	      "StopRecording without a recording is refused");
	delete_ok(s->session_id);
	rpc_envelope_free(r);
	close(a), close(b);
}

/* A session deleted mid-recording: the DeleteSession reply carries the final RecordingInfo, a
 * RecordingDone "session closed" arrives, the file is a valid WAV of that duration. A G722 leg
 * is recorded as silence with a note. The node's limit refuses one recording too many. */
static void case_recdelete(const char *dir)
{
	unsigned pa, pb, pc, pd;
	int a = udp_open(0, &pa), b = udp_open(0, &pb), c = udp_open(0, &pc), d = udp_open(0, &pd);
	struct spec sa = {.port = pa, .codec = "PCMU"},
	            sb = {.port = pb, .codec = "G722", .codec_pt = 9};
	struct spec sc = {.port = pc}, sd = {.port = pd};
	RpcEnvelope *r = create_session(new_call("recdel"), 1, &sa, &sb, false, 0), *r2, *r3, *del,
	            *e;
	const RpcSessionInfo *s = reply_session(r), *s2, *s3, *fin;
	PB(RecordingInfo) info;
	struct wav_file w;
	char path[1200];
	bool done = false;

	CHECK(s != NULL, "CreateSession: A PCMU, B G722");
	if (!s)
		return;
	r2 = create_session(new_call("recdel2"), 1, &sc, &sd, false, 0);
	r3 = create_session(new_call("recdel3"), 1, &sd, &sc, false, 0);
	s2 = reply_session(r2);
	s3 = reply_session(r3);
	CHECK(rec_call(true, s->session_id, "del.wav", &info) == RPC_OK &&
	          strstr(info.note, "G722"),
	      "StartRecording: note '%s'", info.note);
	CHECK(s2 && rec_call(true, s2->session_id, "second.wav", NULL) == RPC_OK,
	      "a second session records");
	CHECK(s3 && rec_call(true, s3->session_id, "third.wav", NULL) == RPC_OVERLOADED,
	      "a third is refused: [apps] max_recordings = 2");
	talk(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), 1200, true);
	del = delete_keep_events(s->session_id);
	fin = reply_session(del);
	CHECK(fin && fin->recording && !fin->recording->active &&
	          fin->recording->duration_ms >= 1150 && fin->recording->duration_ms <= 2500 &&
	          strstr(fin->recording->note, "G722"),
	      "DeleteSession reply: final recording %llu ms, note '%s'",
	      fin && fin->recording ? (unsigned long long)fin->recording->duration_ms : 0ull,
	      fin && fin->recording ? fin->recording->note : "");
	while (!done && (e = next_event(2000))) {
		if (e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_RECORDING_DONE) {
			CHECK(!strcmp(e->event->recording_done->reason, "session closed"),
			      "RecordingDone: '%s'", e->event->recording_done->reason);
			done = true;
		}
		rpc_envelope_free(e);
	}
	CHECK(done, "a RecordingDone arrived");
	snprintf(path, sizeof(path), "%s/del.wav", dir);
	CHECK(load_wav(path, &w) == 0 && w.data_size == w.len - 44 && fin && fin->recording &&
	          w.len == fin->recording->bytes,
	      "del.wav is a complete WAV (%zu octets)", w.len);
	CHECK(tone_of(&w, 0, 800, 7200, 440, 1200) == 1 &&
	          tone_of(&w, 1, 800, 8000, 440, 1200) == 0,
	      "A's tone left, the G722 leg silent right");
	free(w.buf);
	rpc_envelope_free(del);
	if (s2)
		delete_ok(s2->session_id);
	if (s3)
		delete_ok(s3->session_id);
	rpc_envelope_free(r);
	rpc_envelope_free(r2);
	rpc_envelope_free(r3);
	close(a), close(b), close(c), close(d);
}

/* Starts a recording and talks 1.6 s, then leaves it running: the test kills the node. */
static void case_reckill(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	struct spec sa = {.port = pa}, sb = {.port = pb};
	RpcEnvelope *r = create_session(new_call("reckill"), 1, &sa, &sb, false, 0);
	const RpcSessionInfo *s = reply_session(r);

	CHECK(s && rec_call(true, s->session_id, "killed.wav", NULL) == RPC_OK,
	      "recording started");
	if (s)
		talk(a, local_rtp(s, 0, 0), b, local_rtp(s, 1, 0), 1600, false);
	rpc_envelope_free(r);
}

/* A prompt to an SRTP leg is encrypted with the leg's context: A (AES_CM_128_HMAC_SHA1_80)
 * decrypts B's relayed audio, then the prompt (PCMU, continuing the sequence), then B's audio
 * again, every packet authenticated. */
static void case_srtpplay(void)
{
	unsigned pa, pb;
	int a = udp_open(0, &pa), b = udp_open(0, &pb);
	static uint8_t rx[30], tx[30];
	RpcSrtpParams sp = TANDEM__MEDIA__V1__SRTP_PARAMS__INIT;
	struct spec sa = {.port = pa, .codec = "PCMU", .srtp = &sp}, sb = {.port = pb};
	RpcEnvelope *r, *e;
	const RpcSessionInfo *s;
	srtp_policy_t pol;
	srtp_t dec;
	uint8_t pkt[256], in[512], pl[160];
	int ok = 0, bad = 0, prompt = 0, seq_ok = 1, after = 0;
	uint16_t last = 0;
	bool done = false, have = false;

	for (int i = 0; i < 30; i++)
		rx[i] = (uint8_t)(i + 1), tx[i] = (uint8_t)(0x80 + i);
	sp.suite = TANDEM__MEDIA__V1__SRTP_SUITE__SRTP_AES_CM_128_HMAC_SHA1_80;
	sp.rx_key.data = rx, sp.rx_key.len = 30;
	sp.tx_key.data = tx, sp.tx_key.len = 30;
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_any_inbound;
	pol.key = tx;
	pol.window_size = 128;
	if (srtp_init() || srtp_create(&dec, &pol)) {
		CHECK(false, "libsrtp set up");
		return;
	}
	r = create_session(new_call("srtpplay"), 1, &sa, &sb, false, 0);
	s = reply_session(r);
	CHECK(s != NULL, "CreateSession: A SRTP PCMU, B plain");
	if (!s)
		return;
	memset(pl, 0xff, sizeof(pl));
	for (int i = 0; i < 60; i++) {
		int n;

		udp_send(
		    b, local_rtp(s, 1, 0), pkt,
		    rtp(pkt, 0, (uint16_t)(500 + i), 160u * (uint32_t)i, 0x5e5e, false, pl, 160));
		if (i == 5)
			CHECK(play(s->session_id, 0, "tone1k.wav", 1, 88, NULL) == RPC_OK,
			      "Play to the SRTP leg");
		while ((n = udp_recv(a, in, sizeof(in), i < 5 ? 200 : 0, NULL)) > 0) {
			int len = n;

			if (srtp_unprotect(dec, in, &len) != srtp_err_status_ok) {
				bad++;
				continue;
			}
			ok++;
			if (have && seq_of(in) != (uint16_t)(last + 1)) {
				printf("  sequence %u after %u (%s)\n", seq_of(in), last,
				       len == 172 && memcmp(in + 12, pl, 160) ? "prompt"
				                                              : "relayed");
				seq_ok = 0;
			}
			have = true;
			last = seq_of(in);
			if (len == 172 && memcmp(in + 12, pl, 160))
				prompt++;
			else if (prompt)
				after++;
		}
		usleep(20000);
	}
	CHECK(bad == 0 && ok > 50, "every packet to A authenticates and decrypts (%d, %d bad)", ok,
	      bad);
	CHECK(prompt == 25, "the 500 ms prompt arrived encrypted: %d packets", prompt);
	CHECK(seq_ok, "one sequence across relayed audio, prompt and relayed audio again");
	CHECK(after > 0, "B's audio resumed after the prompt (%d packets)", after);
	while (!done && (e = next_event(1000))) {
		done = e->event->kind_case == TANDEM__MEDIA__V1__EVENT__KIND_PLAYBACK_DONE &&
		       !strcmp(e->event->playback_done->reason, "end");
		rpc_envelope_free(e);
	}
	CHECK(done, "PlaybackDone \"end\"");
	delete_ok(s->session_id);
	srtp_dealloc(dec);
	rpc_envelope_free(r);
	close(a), close(b);
}

int main(int argc, char **argv)
{
	const char *c = argc > 2 ? argv[2] : "";

	if (argc < 3 || node_connect(argv[1], "apps-client")) {
		fprintf(stderr, "usage: apps_client ENDPOINT CASE [DIR]\n");
		return 2;
	}
	g711_init();
	if (!strcmp(c, "dtmf"))
		case_dtmf();
	else if (!strcmp(c, "dtmf_fast"))
		case_dtmf_fast();
	else if (!strcmp(c, "echo"))
		case_echo();
	else if (!strcmp(c, "play") && argc > 3)
		case_play(argv[3]);
	else if (!strcmp(c, "playctl") && argc > 3)
		case_playctl(argv[3]);
	else if (!strcmp(c, "senddtmf"))
		case_senddtmf();
	else if (!strcmp(c, "record") && argc > 3)
		case_record(argv[3]);
	else if (!strcmp(c, "recdelete") && argc > 3)
		case_recdelete(argv[3]);
	else if (!strcmp(c, "reckill"))
		case_reckill();
	else if (!strcmp(c, "srtpplay"))
		case_srtpplay();
	else {
		fprintf(stderr, "apps_client: unknown case %s\n", c);
		node_close();
		return 2;
	}
	node_close();
	return failures ? 1 : 0;
}
