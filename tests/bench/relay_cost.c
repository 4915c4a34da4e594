/* relay_cost [PACKETS [CASE]]: CPU per packet of mediad's per-packet decision (relay_packet():
 * classify, source check, counters, SRTP) without sockets, for plain RTP <-> RTP and with SRTP on
 * one or both legs, each suite. The packets (172 octets: 12-octet header, 160 of G.711, as rtp_load
 * sends) are encrypted beforehand by a phone's context, with consecutive sequence numbers from
 * a locked remote; each is copied into a receive buffer and handed to relay_packet(), which is
 * what the worker does after the kernel's receive. Prints one line per case: thread CPU ns per
 * packet, the median of 5 runs, and the difference to plain. The kernel's UDP receive and send
 * (most of a relayed packet's cost: docs/performance.md) are not included. CASE (0..7) runs one
 * case only, for callgrind --toggle-collect=relay_packet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay.h"
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

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
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
	return 0;
}
