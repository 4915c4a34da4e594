/* SDES (RFC 4568): the value of one a=crypto attribute, read and written, and fresh keys.
 *
 *   a=crypto:<tag> <suite> inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>] [params]
 *
 * Four suites are known (numbered as media.proto's SrtpSuite): AES_CM_128_HMAC_SHA1_80,
 * AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714). What the media
 * node cannot honour is refused with a reason, so that the caller skips that line (RFC 4568
 * lets an answerer pick any acceptable one): an MKI, a key lifetime under 2^31 packets, more
 * than one key, and any session parameter (KDR, UNENCRYPTED_SRTP, ...).
 *
 * The key is a secret: nothing here logs it, reasons never quote it, and struct sdes_crypto
 * should be wiped (sdes_wipe) when dropped. */
#ifndef SIGNALD_SDES_H
#define SIGNALD_SDES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sdes_suite {
	SDES_NONE = 0,
	SDES_AES_CM_128_HMAC_SHA1_80 = 1,
	SDES_AES_CM_128_HMAC_SHA1_32 = 2,
	SDES_AEAD_AES_128_GCM = 3,
	SDES_AEAD_AES_256_GCM = 4,
};
#define SDES_N_SUITES 4

/* Longest master key + salt (AEAD_AES_256_GCM: 32 + 12). */
#define SDES_MAX_KEY 44
/* Longest a=crypto value sdes_format() writes. */
#define SDES_VALUE_MAX 128

struct sdes_crypto {
	unsigned tag; /* 0..999999999 */
	int suite;    /* enum sdes_suite */
	uint8_t key[SDES_MAX_KEY];
	size_t key_len; /* sdes_key_len(suite) */
};

const char *sdes_suite_name(int suite);               /* "" for SDES_NONE or unknown */
int sdes_suite_by_name(const char *name, size_t len); /* SDES_NONE when unknown */
size_t sdes_key_len(int suite);                       /* master key + salt; 0 when unknown */

/* Parses one attribute value. 0, or with a reason in why (never the key):
 *   -EBADMSG  not a crypto attribute (tag, suite, key method or base64 malformed, key of the
 *             wrong length);
 *   -ENOTSUP  well formed but not usable here: unknown suite, MKI, short lifetime, several
 *             keys, session parameters. */
int sdes_parse(const char *value, struct sdes_crypto *out, char *why, size_t whylen);

/* Writes "<tag> <suite> inline:<base64>" (NUL-terminated) into buf. 0 or -ENOSPC/-EINVAL. */
int sdes_format(const struct sdes_crypto *c, char *buf, size_t len);

/* A fresh key for suite from OpenSSL's RAND_bytes. 0, -EINVAL, or -EIO (no randomness). */
int sdes_generate(int suite, unsigned tag, struct sdes_crypto *out);

/* Same tag, suite and key. */
bool sdes_equal(const struct sdes_crypto *a, const struct sdes_crypto *b);

void sdes_wipe(struct sdes_crypto *c);

#endif
