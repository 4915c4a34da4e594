/* SRTP contexts on libsrtp2. One srtp_t per direction: an inbound one with an any-SSRC template
 * (the remote may change SSRC) and libsrtp's replay window, and an outbound one likewise. */
#include "srtp_ctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <srtp2/srtp.h>

/* Streams libsrtp may hold for the tx side. It makes one for every SSRC it encrypts, and the
 * SSRCs come from the other leg, which may be a plain (unauthenticated) one: beyond this
 * many, the least recently added is dropped, so a flood of made-up SSRCs costs bounded
 * memory. A phone uses one SSRC per stream, two or three around a re-INVITE or transfer. The
 * rx side needs no bound: libsrtp adds a stream only after a packet authenticated. */
#define TX_STREAMS 8

struct srtp_ctx {
	srtp_t rx, tx;
	int suite;
	uint32_t tx_ssrc[TX_STREAMS]; /* network byte order, as libsrtp names streams */
	unsigned n_tx, next_tx;
};

static const struct {
	const char *name;
	size_t key_len;
} suites[] = {
    [SRTP_NONE] = {"", 0},
    [SRTP_AES_CM_128_SHA1_80] = {"AES_CM_128_HMAC_SHA1_80", 30},
    [SRTP_AES_CM_128_SHA1_32] = {"AES_CM_128_HMAC_SHA1_32", 30},
    [SRTP_AEAD_AES_128_GCM] = {"AEAD_AES_128_GCM", 28},
    [SRTP_AEAD_AES_256_GCM] = {"AEAD_AES_256_GCM", 44},
};

#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

int srtp_ctx_global_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : -EIO;
}

size_t srtp_ctx_key_len(int suite)
{
	return suite > 0 && (size_t)suite < N_SUITES ? suites[suite].key_len : 0;
}

const char *srtp_ctx_suite_name(int suite)
{
	return suite > 0 && (size_t)suite < N_SUITES ? suites[suite].name : "";
}

/* RFC 4568 section 6.2: the _32 suite shortens the SRTP tag only; SRTCP keeps 80 bits. */
static void crypto_policy(int suite, srtp_policy_t *p)
{
	switch (suite) {
	case SRTP_AES_CM_128_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case SRTP_AES_CM_128_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	case SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p->rtcp);
		break;
	}
}

static int make(int suite, const uint8_t *key, size_t len, srtp_ssrc_type_t type, srtp_t *out)
{
	unsigned char k[SRTP_CTX_MAX_KEY];
	srtp_policy_t p;
	srtp_err_status_t st;

	memset(&p, 0, sizeof(p));
	crypto_policy(suite, &p);
	memcpy(k, key, len);
	p.ssrc.type = type;
	p.key = k;
	p.window_size = 128;
	p.allow_repeat_tx = 0;
	st = srtp_create(out, &p);
	OPENSSL_cleanse(k, sizeof(k));
	if (st == srtp_err_status_alloc_fail)
		return -ENOMEM;
	return st == srtp_err_status_ok ? 0 : -EIO;
}

int srtp_ctx_new(int suite, const uint8_t *rx_key, size_t rx_len, const uint8_t *tx_key,
                 size_t tx_len, struct srtp_ctx **out)
{
	size_t need = srtp_ctx_key_len(suite);
	struct srtp_ctx *c;
	int rc;

	*out = NULL;
	if (!need || rx_len != need || tx_len != need || !rx_key || !tx_key)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->suite = suite;
	rc = make(suite, rx_key, rx_len, ssrc_any_inbound, &c->rx);
	if (!rc)
		rc = make(suite, tx_key, tx_len, ssrc_any_outbound, &c->tx);
	if (rc) {
		srtp_ctx_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void srtp_ctx_free(struct srtp_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->rx)
		srtp_dealloc(ctx->rx);
	if (ctx->tx)
		srtp_dealloc(ctx->tx);
	free(ctx);
}

int srtp_ctx_suite(const struct srtp_ctx *ctx)
{
	return ctx ? ctx->suite : SRTP_NONE;
}

int srtp_ctx_unprotect(struct srtp_ctx *ctx, bool rtcp, uint8_t *p, uint32_t *len)
{
	int n = (int)*len;
	srtp_err_status_t st =
	    rtcp ? srtp_unprotect_rtcp(ctx->rx, p, &n) : srtp_unprotect(ctx->rx, p, &n);

	if (st == srtp_err_status_ok) {
		*len = (uint32_t)n;
		return 0;
	}
	return st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old ? -EALREADY
	                                                                             : -EBADMSG;
}

/* Keeps the tx side's streams within TX_STREAMS (see above). The packet is a checked RTP or
 * RTCP packet: its SSRC (RTP: octets 8-11; RTCP: the sender's, 4-7) is in it. */
static void tx_stream_bound(struct srtp_ctx *ctx, bool rtcp, const uint8_t *p)
{
	uint32_t ssrc;

	memcpy(&ssrc, p + (rtcp ? 4 : 8), sizeof(ssrc));
	for (unsigned i = 0; i < ctx->n_tx; i++)
		if (ctx->tx_ssrc[i] == ssrc)
			return;
	if (ctx->n_tx < TX_STREAMS) {
		ctx->tx_ssrc[ctx->n_tx++] = ssrc;
		return;
	}
	srtp_remove_stream(ctx->tx, ctx->tx_ssrc[ctx->next_tx]);
	ctx->tx_ssrc[ctx->next_tx] = ssrc;
	ctx->next_tx = (ctx->next_tx + 1) % TX_STREAMS;
}

int srtp_ctx_protect(struct srtp_ctx *ctx, bool rtcp, uint8_t *p, uint32_t *len, uint32_t cap)
{
	int n = (int)*len;
	srtp_err_status_t st;

	/* libsrtp writes up to SRTP_MAX_TRAILER_LEN past the end without being told the size. */
	if (cap < *len || cap - *len < SRTP_MAX_TRAILER_LEN)
		return -EMSGSIZE;
	if (*len < (rtcp ? 8u : 12u))
		return -EIO;
	tx_stream_bound(ctx, rtcp, p);
	st = rtcp ? srtp_protect_rtcp(ctx->tx, p, &n) : srtp_protect(ctx->tx, p, &n);
	if (st != srtp_err_status_ok)
		return -EIO;
	*len = (uint32_t)n;
	return 0;
}
