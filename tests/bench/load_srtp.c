/* The generator's SRTP: two libsrtp sessions per SRTP endpoint (a session holds one template),
 * the outbound one with the endpoint's own key and the inbound one with the relay's key for that
 * leg, both for any SSRC (the relay forwards the other endpoint's SSRC unchanged). */
#include "load_srtp.h"

#include <errno.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SEND_BUF 256 /* a 172-octet packet and the longest tag (16) */

struct load_srtp {
	unsigned calls;
	int suite[2]; /* per leg */
	int legs;
	uint8_t *keys; /* per endpoint: own key, then relay key (2 * LOAD_SRTP_MAX_KEY) */
	srtp_t *sess;  /* per endpoint: tx then rx, NULL for a plain leg */
	uint8_t *bufs; /* per endpoint and parity: SEND_BUF octets */
	struct load_srtp_stats st;
};

static const struct {
	const char *name;
	size_t key_len;
} suites[] = {
    [1] = {"AES_CM_128_HMAC_SHA1_80", 30},
    [2] = {"AES_CM_128_HMAC_SHA1_32", 30},
    [3] = {"AEAD_AES_128_GCM", 28},
    [4] = {"AEAD_AES_256_GCM", 44},
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

int load_srtp_suite_from_name(const char *name)
{
	for (unsigned i = 1; i < N_SUITES; i++)
		if (!strcmp(name, suites[i].name))
			return (int)i;
	return -EINVAL;
}

const char *load_srtp_suite_name(int suite)
{
	return suite > 0 && (unsigned)suite < N_SUITES ? suites[suite].name : "";
}

size_t load_srtp_key_len(int suite)
{
	return suite > 0 && (unsigned)suite < N_SUITES ? suites[suite].key_len : 0;
}

int load_srtp_new(struct load_srtp **out, unsigned calls, int suite_a, int suite_b, int legs)
{
	struct load_srtp *s;

	if (!calls || !load_srtp_key_len(suite_a) ||
	    (legs != LOAD_SRTP_A && legs != LOAD_SRTP_AB) ||
	    (legs == LOAD_SRTP_AB && !load_srtp_key_len(suite_b)))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->calls = calls;
	s->suite[0] = suite_a;
	s->suite[1] = legs == LOAD_SRTP_AB ? suite_b : 0;
	s->legs = legs;
	s->keys = calloc((size_t)calls * 2, 2 * LOAD_SRTP_MAX_KEY);
	s->sess = calloc((size_t)calls * 4, sizeof(*s->sess));
	s->bufs = aligned_alloc(64, (size_t)calls * 2 * 2 * SEND_BUF);
	if (!s->keys || !s->sess || !s->bufs) {
		load_srtp_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void load_srtp_free(struct load_srtp *s)
{
	if (!s)
		return;
	for (unsigned j = 0; s->sess && j < s->calls * 4; j++)
		if (s->sess[j])
			srtp_dealloc(s->sess[j]);
	if (s->keys)
		memset(s->keys, 0, (size_t)s->calls * 2 * 2 * LOAD_SRTP_MAX_KEY);
	free(s->keys);
	free(s->sess);
	free(s->bufs);
	free(s);
}

int load_srtp_suite(const struct load_srtp *s, unsigned leg)
{
	return leg < 2 ? s->suite[leg] : 0;
}

int load_srtp_leg_on(const struct load_srtp *s, unsigned leg)
{
	return leg < 2 && (s->legs & (1 << leg));
}

static uint8_t *key_at(const struct load_srtp *s, unsigned endpoint, int relay)
{
	return s->keys + ((size_t)endpoint * 2 + (relay ? 1 : 0)) * LOAD_SRTP_MAX_KEY;
}

const uint8_t *load_srtp_key(const struct load_srtp *s, unsigned call, unsigned leg, int relay)
{
	if (call >= s->calls || !load_srtp_leg_on(s, leg))
		return NULL;
	return key_at(s, call * 2 + leg, relay);
}

int load_srtp_random_keys(struct load_srtp *s)
{
	size_t len = (size_t)s->calls * 2 * 2 * LOAD_SRTP_MAX_KEY, done = 0;

	while (done < len) {
		ssize_t n = getrandom(s->keys + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/* "-" for a plain leg (expected exactly when the leg is plain), else the leg's suite's key +
 * salt in hex. */
static int parse_key(const struct load_srtp *s, const char *word, unsigned leg, uint8_t *out)
{
	size_t len = load_srtp_key_len(s->suite[leg]);

	if (!load_srtp_leg_on(s, leg))
		return strcmp(word, "-") ? -EINVAL : 0;
	if (strlen(word) != len * 2)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (sscanf(word + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

int load_srtp_read_keys(struct load_srtp *s, const char *path)
{
	char line[512], w[4][128], extra[2];
	unsigned lineno = 0, got = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		rc = -errno;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return rc;
	}
	while (got < s->calls && fgets(line, sizeof(line), f)) {
		const char *p = line;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '#' || !*p)
			continue;
		if (sscanf(p, "%127s %127s %127s %127s %1s", w[0], w[1], w[2], w[3], extra) != 4 ||
		    parse_key(s, w[0], 0, key_at(s, got * 2, 0)) ||
		    parse_key(s, w[1], 0, key_at(s, got * 2, 1)) ||
		    parse_key(s, w[2], 1, key_at(s, got * 2 + 1, 0)) ||
		    parse_key(s, w[3], 1, key_at(s, got * 2 + 1, 1))) {
			fprintf(stderr,
			        "%s:%u: expected \"a_own a_relay b_own b_relay\" (keys of %s on A, "
			        "%s on B, in hex; - for a plain leg)\n",
			        path, lineno, load_srtp_suite_name(s->suite[0]),
			        s->suite[1] ? load_srtp_suite_name(s->suite[1]) : "none");
			rc = -EINVAL;
			break;
		}
		got++;
	}
	if (!rc && got < s->calls) {
		fprintf(stderr, "%s: keys for %u calls, %u needed\n", path, got, s->calls);
		rc = -EINVAL;
	}
	fclose(f);
	return rc;
}

static void set_policy(int suite, srtp_policy_t *p)
{
	switch (suite) {
	case 2:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_rtp_default(&p->rtcp);
		break;
	case 3:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	case 4:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
		break;
	default:
		srtp_crypto_policy_set_rtp_default(&p->rtp);
		srtp_crypto_policy_set_rtcp_default(&p->rtcp);
	}
}

int load_srtp_start(struct load_srtp *s)
{
	static int initialised;

	if (!initialised) {
		if (srtp_init() != srtp_err_status_ok)
			return -EIO;
		initialised = 1;
	}
	for (unsigned j = 0; j < s->calls * 2; j++) {
		if (!load_srtp_leg_on(s, j & 1))
			continue;
		for (int d = 0; d < 2; d++) {
			srtp_policy_t pol;

			memset(&pol, 0, sizeof(pol));
			set_policy(s->suite[j & 1], &pol);
			pol.ssrc.type = d ? ssrc_any_inbound : ssrc_any_outbound;
			pol.key = key_at(s, j, d);
			pol.window_size = 1024; /* a busy relay may reorder */
			if (srtp_create(&s->sess[j * 2 + d], &pol) != srtp_err_status_ok) {
				s->sess[j * 2 + d] = NULL;
				return -EIO;
			}
		}
	}
	return 0;
}

int load_srtp_protect(struct load_srtp *s, unsigned endpoint, unsigned parity, uint8_t *pkt,
                      const uint8_t **out, int *len)
{
	uint8_t *buf;

	*out = pkt;
	if (!s->sess[endpoint * 2])
		return 0;
	if (*len > SEND_BUF - 16) {
		s->st.errors++;
		return -EIO;
	}
	buf = s->bufs + ((size_t)endpoint * 2 + (parity & 1)) * SEND_BUF;
	memcpy(buf, pkt, (size_t)*len);
	if (srtp_protect(s->sess[endpoint * 2], buf, len) != srtp_err_status_ok) {
		s->st.errors++;
		return -EIO;
	}
	s->st.protected ++;
	*out = buf;
	return 0;
}

int load_srtp_unprotect(struct load_srtp *s, unsigned endpoint, uint8_t *pkt, int *len)
{
	srtp_err_status_t e;

	if (!s->sess[endpoint * 2 + 1])
		return 0;
	e = srtp_unprotect(s->sess[endpoint * 2 + 1], pkt, len);
	switch (e) {
	case srtp_err_status_ok:
		s->st.unprotected++;
		return 0;
	case srtp_err_status_auth_fail:
		s->st.auth_failed++;
		break;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		s->st.replayed++;
		break;
	default:
		s->st.errors++;
	}
	return -EBADMSG;
}

void load_srtp_get_stats(const struct load_srtp *s, struct load_srtp_stats *out)
{
	*out = s->st;
}
