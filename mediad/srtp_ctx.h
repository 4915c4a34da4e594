/* SRTP and SRTCP of one leg of one stream, on libsrtp2: a context decrypts what the leg's remote
 * sends (rx: authentication, replay window, decryption) and encrypts what the relay forwards to
 * it (tx). Both directions use one suite and each its own master key and salt.
 *
 * Ownership: srtp_ctx_new() returns a context the caller owns and frees with srtp_ctx_free().
 * The control thread builds contexts (libsrtp allocates there) and hands them to a worker with
 * the stream or update that carries them; from then on only that worker uses and frees them.
 * The keys are copied into libsrtp and wiped from this module's buffers; nothing here logs them.
 *
 * On the packet path srtp_ctx_unprotect()/srtp_ctx_protect() work in place in the receive
 * buffer; libsrtp allocates only for the first packet of a new SSRC (a stream cloned from the
 * context's template): after authentication on rx, and on tx for at most 8 SSRCs at a time
 * (the least recently added is dropped), since what is encrypted may come from a plain leg. */
#ifndef MEDIAD_SRTP_CTX_H
#define MEDIAD_SRTP_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numbered as media.proto's SrtpSuite, so values pass through unchanged. */
enum srtp_suite {
	SRTP_NONE = 0,
	SRTP_AES_CM_128_SHA1_80 = 1,
	SRTP_AES_CM_128_SHA1_32 = 2,
	SRTP_AEAD_AES_128_GCM = 3,
	SRTP_AEAD_AES_256_GCM = 4,
};

/* Longest master key + salt of any suite (AEAD_AES_256_GCM: 32 + 12). */
#define SRTP_CTX_MAX_KEY 44

struct srtp_ctx;

/* libsrtp's one-time set-up; call once before any other function, on one thread. 0 or -EIO. */
int srtp_ctx_global_init(void);

/* Master key + salt length of a suite, 0 for SRTP_NONE or an unknown value. */
size_t srtp_ctx_key_len(int suite);
/* "AES_CM_128_HMAC_SHA1_80"...; "" for SRTP_NONE or an unknown value. */
const char *srtp_ctx_suite_name(int suite);

/* A context for suite with rx and tx master key + salt (each srtp_ctx_key_len(suite) octets).
 * Errors: -EINVAL (suite or key length), -ENOMEM, -EIO (libsrtp refused). */
int srtp_ctx_new(int suite, const uint8_t *rx_key, size_t rx_len, const uint8_t *tx_key,
                 size_t tx_len, struct srtp_ctx **out);
/* Accepts NULL. */
void srtp_ctx_free(struct srtp_ctx *ctx);
int srtp_ctx_suite(const struct srtp_ctx *ctx);

/* Authenticates, replay-checks and decrypts an SRTP (rtcp: SRTCP) packet in place; *len
 * shrinks to the plain packet. 0, or -EBADMSG (authentication failed or not SRTP),
 * -EALREADY (replayed or too old for the replay window). */
int srtp_ctx_unprotect(struct srtp_ctx *ctx, bool rtcp, uint8_t *p, uint32_t *len);
/* Encrypts a plain RTP (rtcp: RTCP) packet in place; *len grows by the trailer. cap is the
 * buffer's size from p and must leave libsrtp's SRTP_MAX_TRAILER_LEN (144 octets: it writes
 * without being told the size) after the packet, which bounds what can be encrypted to about
 * 1850 octets in mediad's 2 KiB buffers. 0, or -EMSGSIZE (no room), -EIO (libsrtp refused, e.g.
 * the same sequence number twice). */
int srtp_ctx_protect(struct srtp_ctx *ctx, bool rtcp, uint8_t *p, uint32_t *len, uint32_t cap);

#endif
