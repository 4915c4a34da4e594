/* relay_cost [PACKETS [CASE]]: CPU per packet of mediad's per-packet decision (relay_packet():
 * classify, source check, counters, SRTP) without sockets, for plain RTP <-> RTP and with SRTP on
 * one or both legs, each suite. The packets (172 octets: 12-octet header, 160 of G.711, as rtp_load
 * sends) are encrypted beforehand by a phone's context, with consecutive sequence numbers from
 * a locked remote; each is copied into a receive buffer and handed to relay_packet(), which is
 * what the worker does after the kernel's receive. Prints one line per case: thread CPU ns per
 * packet, the median of 5 runs, and the difference to plain. The kernel's UDP receive and send
 * (most of a relayed packet's cost: docs/performance.md) are not included. CASE (0..7) runs one
 * case only, for callgrind --toggle-collect=relay_packet.
 *
 * Then recording: 10 sessions of one stream relayed A -> B, packets in turn, with none, 1 (10 %)
 * and all 10 (100 %) recorded through the real writer thread (rec_writer.c) into files in a
 * temporary folder: the relay thread's CPU per packet (the copy into the ring), and the writer
 * thread's CPU (process CPU minus the relay thread's) per recorded packet: decode, align,
 * write. Every 256 packets the relay waits (sleeping, not counted) until the writer has drained
 * the ring, as a real node's 20 ms packet spacing lets it. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "g711.h"
#include "rec_writer.h"
#include "relay.h"
#include "relay_apps.h"
#include "srtp_ctx.h"

#define LEN 172u

struct leg_keys {
	struct srtp_ctx *relay, *phone;
};

static void keys(int suite, uint8_t seed, struct leg_keys *k)
{
	uint8_t a[SRTP_CTX_MAX_KEY], b[SRTP_CTX_MAX_KEY];
	size_t n = srtp_ctx_key_len(suite);

	k->relay = k->phone = NULL;
	if (suite == SRTP_NONE)
		return;
	for (size_t i = 0; i < sizeof(a); i++) {
		a[i] = (uint8_t)(seed + i);
		b[i] = (uint8_t)(seed * 3 + i);
	}
	if (srtp_ctx_new(suite, a, n, b, n, &k->relay) ||
	    srtp_ctx_new(suite, b, n, a, n, &k->phone))
		exit(1);
}

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns per packet A -> B with suite_a on leg A and suite_b on leg B, median of 5 runs. */
static double run(int suite_a, int suite_b, unsigned n)
{
	struct port_lease lease[2] = {{30000, false, -1, -1}, {30002, false, -1, -1}};
	struct relay_leg_spec spec[2];
	struct relay_session rs;
	struct leg_keys ka, kb;
	double t[5];
	uint8_t *pkts = malloc((size_t)n * 512), buf[2048];
	uint32_t *lens = malloc(n * sizeof(*lens));
	struct net_addr src;

	if (!pkts || !lens)
		exit(1);
	memset(&rs, 0, sizeof(rs));
	memset(spec, 0, sizeof(spec));
	net_addr_parse("10.0.0.1", 4000, &spec[0].rtp);
	net_addr_parse("10.0.0.2", 5000, &spec[1].rtp);
	src = spec[0].rtp;
	for (int r = 0; r < 5; r++) {
		struct relay_stream *st;
		struct relay_fwd fwd;
		uint32_t ok = 0;
		double t0;

		keys(suite_a, 1, &ka);
		keys(suite_b, 2, &kb);
		spec[0].srtp = ka.relay;
		spec[1].srtp = kb.relay;
		st = relay_stream_new(0, KIND_AUDIO, 8000, lease, spec, true);
		if (!st)
			exit(1);
		st->session = &rs;
		rs.strict = true;
		rs.n_streams = 1;
		rs.streams[0] = st;
		for (unsigned i = 0; i < n; i++) {
			uint8_t *p = pkts + (size_t)i * 512;

			memset(p, 0, LEN);
			p[0] = 0x80;
			p[1] = 8;
			p[2] = (uint8_t)(i >> 8);
			p[3] = (uint8_t)i;
			p[4] = (uint8_t)(i >> 16);
			p[11] = 0x42;
			lens[i] = LEN;
			if (ka.phone && srtp_ctx_protect(ka.phone, false, p, &lens[i], 512))
				exit(1);
		}
		t0 = now_ns();
		for (unsigned i = 0; i < n; i++) {
			memcpy(buf, pkts + (size_t)i * 512, lens[i]);
			ok += (uint32_t)relay_packet(&st->leg[0].rtp, buf, lens[i], sizeof(buf),
			                             false, &src.u, src.len,
			                             1000000000ull + i * 20000000ull, &fwd);
		}
		t[r] = (now_ns() - t0) / n;
		if (ok != n) {
			fprintf(stderr, "relay_cost: %u of %u packets forwarded\n", ok, n);
			exit(1);
		}
		relay_stream_free(st);
		srtp_ctx_free(ka.phone);
		srtp_ctx_free(kb.phone);
	}
	free(pkts);
	free(lens);
	qsort(t, 5, sizeof(t[0]), cmp);
	return t[2];
}

#define REC_SESSIONS 10

struct rec_result {
	double relay_ns;  /* relay thread, per packet (all sessions) */
	double writer_ns; /* writer thread, per recorded packet */
	uint64_t drops;
};

/* Waits (sleeping) until the writer has taken everything from the ring. */
static void drain(struct rec_ring *ring)
{
	struct timespec t = {0, 100000};

	while (atomic_load_explicit(&ring->head, memory_order_acquire) !=
	       atomic_load_explicit(&ring->tail, memory_order_acquire))
		nanosleep(&t, NULL);
}

/* n packets over REC_SESSIONS sessions, the first `recorded` of them recorded into dir; te:
 * both legs negotiated telephone-event (digit detection on every packet). */
static struct rec_result run_rec(unsigned n, unsigned recorded, bool te, const char *dir)
{
	struct port_lease lease[2] = {{30000, false, -1, -1}, {30002, false, -1, -1}};
	struct relay_leg_spec spec[2];
	struct relay_session rs[REC_SESSIONS];
	struct relay_stream *st[REC_SESSIONS];
	struct recording *rec[REC_SESSIONS] = {0};
	struct rec_writer *w;
	struct rec_result out = {0};
	struct app_sched sched = {0};
	uint8_t pkt[LEN], buf[2048];
	struct net_addr src;
	uint64_t base = clock_mono_ns(), t_end;
	double relay = 0, proc0, thr0;
	unsigned done = 0;

	if (rec_writer_new(&w, 1, 4096))
		exit(1);
	memset(spec, 0, sizeof(spec));
	net_addr_parse("10.0.0.1", 4000, &spec[0].rtp);
	net_addr_parse("10.0.0.2", 5000, &spec[1].rtp);
	spec[0].te_pt = spec[1].te_pt = te ? 101 : 0;
	src = spec[0].rtp;
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	for (int i = 0; i < 160; i++)
		pkt[12 + i] = g711_ulaw_encode((int16_t)(i * 200 - 16000));
	for (unsigned k = 0; k < REC_SESSIONS; k++) {
		memset(&rs[k], 0, sizeof(rs[k]));
		st[k] = relay_stream_new(0, KIND_AUDIO, 8000, lease, spec, true);
		if (!st[k])
			exit(1);
		st[k]->session = &rs[k];
		rs[k].strict = true;
		rs[k].n_streams = 1;
		rs[k].streams[0] = st[k];
		if (k < recorded) {
			char path[512];
			int fd;

			snprintf(path, sizeof(path), "%s/rec%u.wav", dir, k);
			fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
			rec[k] = fd >= 0 ? recording_new(fd, path) : NULL;
			if (!rec[k])
				exit(1);
			rec[k]->law[0] = rec[k]->law[1] = G711_ULAW;
			rec[k]->ring = rec_writer_ring(w, 0);
			if (relay_apps_record(st[k], rec[k], base))
				exit(1);
		}
	}
	proc0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	thr0 = now_ns();
	for (unsigned i = 0; i < n;) {
		/* Timed in batches: a clock read per packet would cost more than the packet. */
		double t0 = now_ns();

		for (unsigned end = i + 256 < n ? i + 256 : n; i < end; i++) {
			unsigned k = i % REC_SESSIONS, j = i / REC_SESSIONS;
			struct relay_fwd fwd;

			pkt[2] = (uint8_t)(j >> 8), pkt[3] = (uint8_t)j;
			pkt[4] = (uint8_t)(j * 160u >> 24), pkt[5] = (uint8_t)(j * 160u >> 16);
			pkt[6] = (uint8_t)(j * 160u >> 8), pkt[7] = (uint8_t)(j * 160u);
			pkt[11] = (uint8_t)k;
			memcpy(buf, pkt, LEN);
			done += (unsigned)relay_packet(&st[k]->leg[0].rtp, buf, LEN, sizeof(buf),
			                               false, &src.u, src.len,
			                               base + (uint64_t)j * 20000000u, &fwd);
		}
		relay += now_ns() - t0;
		if (recorded)
			drain(rec_writer_ring(w, 0));
	}
	t_end = base + (uint64_t)(n / REC_SESSIONS) * 20000000u;
	for (unsigned k = 0; k < REC_SESSIONS; k++)
		if (rec[k] && !relay_apps_stop_record(st[k], &sched, t_end))
			exit(1);
	for (unsigned k = 0; k < recorded;) {
		struct recording *r = rec_writer_take_done(w);
		struct timespec t = {0, 1000000};

		if (!r) {
			nanosleep(&t, NULL);
			continue;
		}
		out.drops += atomic_load(&r->drops);
		unlink(r->path);
		recording_free(r);
		k++;
	}
	/* The writer's share: all CPU of the process but this thread's since the start. */
	out.writer_ns = recorded
	                    ? ((clock_ns(CLOCK_PROCESS_CPUTIME_ID) - proc0) - (now_ns() - thr0)) /
	                          ((double)n * recorded / REC_SESSIONS)
	                    : 0;
	out.relay_ns = relay / n;
	if (done != n) {
		fprintf(stderr, "relay_cost: %u of %u packets forwarded\n", done, n);
		exit(1);
	}
	for (unsigned k = 0; k < REC_SESSIONS; k++) {
		relay_apps_free(st[k], &sched, NULL);
		relay_stream_free(st[k]);
	}
	rec_writer_free(w);
	return out;
}

static void recording_cases(unsigned n)
{
	static const struct {
		unsigned recorded;
		bool te;
		const char *name;
	} rows[] = {
	    {0, false, "0 % of sessions recorded"},
	    {0, true, "0 %, telephone-event on (digit detection)"},
	    {1, false, "10 % of sessions recorded"},
	    {REC_SESSIONS, false, "100 % of sessions recorded"},
	};
	char dir[] = "/tmp/relay_cost.XXXXXX";

	if (n > 50000)
		n = 50000; /* each recorded stream writes 32 KB per second of its audio */
	if (!mkdtemp(dir))
		exit(1);
	g711_init();
	printf("\n%-46s %12s %14s %14s\n", "recording (10 sessions, packets in turn)",
	       "relay ns/pkt", "writer ns/rec", "writer ns/pkt");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rec_result r[3];

		for (int k = 0; k < 3; k++)
			r[k] = run_rec(n, rows[i].recorded, rows[i].te, dir);
		/* the median run by relay cost */
		for (int a = 0; a < 2; a++)
			for (int b = a + 1; b < 3; b++)
				if (r[b].relay_ns < r[a].relay_ns) {
					struct rec_result t = r[a];

					r[a] = r[b];
					r[b] = t;
				}
		printf("%-46s %12.0f %14.0f %14.0f%s\n", rows[i].name, r[1].relay_ns,
		       r[1].writer_ns, r[1].writer_ns * rows[i].recorded / REC_SESSIONS,
		       r[1].drops ? " (packets dropped!)" : "");
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int a, b;
	} cases[] = {
	    {"RTP -> RTP", SRTP_NONE, SRTP_NONE},
	    {"SRTP -> RTP (AES_CM_128_HMAC_SHA1_80)", SRTP_AES_CM_128_SHA1_80, SRTP_NONE},
	    {"RTP -> SRTP (AES_CM_128_HMAC_SHA1_80)", SRTP_NONE, SRTP_AES_CM_128_SHA1_80},
	    {"SRTP -> SRTP (AES_CM_128_HMAC_SHA1_80 both)", SRTP_AES_CM_128_SHA1_80,
	     SRTP_AES_CM_128_SHA1_80},
	    {"SRTP -> SRTP (AES_CM_128_HMAC_SHA1_32 both)", SRTP_AES_CM_128_SHA1_32,
	     SRTP_AES_CM_128_SHA1_32},
	    {"SRTP -> RTP (AEAD_AES_128_GCM)", SRTP_AEAD_AES_128_GCM, SRTP_NONE},
	    {"SRTP -> SRTP (AEAD_AES_128_GCM both)", SRTP_AEAD_AES_128_GCM, SRTP_AEAD_AES_128_GCM},
	    {"SRTP -> SRTP (AEAD_AES_256_GCM both)", SRTP_AEAD_AES_256_GCM, SRTP_AEAD_AES_256_GCM},
	};
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	int only = argc > 2 ? atoi(argv[2]) : -1;
	double plain = 0;

	if (n < 1000 || n > 5000000 || only > 7 || srtp_ctx_global_init()) {
		fprintf(stderr, "usage: relay_cost [PACKETS 1000..5000000 [CASE 0..7]]\n");
		return 2;
	}
	printf("%-46s %12s %14s\n", "case (172-octet packets)", "ns/packet", "vs plain");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double ns;

		if (only >= 0 && (size_t)only != i)
			continue;
		ns = run(cases[i].a, cases[i].b, n);

		if (i == 0)
			plain = ns;
		printf("%-46s %12.0f %+14.0f\n", cases[i].name, ns, ns - plain);
	}
	if (only < 0)
		recording_cases(n);
	return 0;
}
