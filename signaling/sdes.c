/* a=crypto values (RFC 4568 section 9.1 grammar, the parts this switch supports) and keys. The
 * value is tokenised with explicit bounds; base64 goes through OpenSSL and is checked by
 * encoding the result again, so only the canonical text of a key of the right length passes. */
#include "sdes.h"
#include "why.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const struct {
	const char *name;
	size_t key_len;
} suites[] = {
    [SDES_NONE] = {"", 0},
    [SDES_AES_CM_128_HMAC_SHA1_80] = {"AES_CM_128_HMAC_SHA1_80", 30},
    [SDES_AES_CM_128_HMAC_SHA1_32] = {"AES_CM_128_HMAC_SHA1_32", 30},
    [SDES_AEAD_AES_128_GCM] = {"AEAD_AES_128_GCM", 28},
    [SDES_AEAD_AES_256_GCM] = {"AEAD_AES_256_GCM", 44},
};

const char *sdes_suite_name(int suite)
{
	return suite > 0 && suite <= SDES_N_SUITES ? suites[suite].name : "";
}

int sdes_suite_by_name(const char *name, size_t len)
{
	for (int i = 1; i <= SDES_N_SUITES; i++)
		if (strlen(suites[i].name) == len && !strncmp(name, suites[i].name, len))
			return i;
	return SDES_NONE;
}

size_t sdes_key_len(int suite)
{
	return suite > 0 && suite <= SDES_N_SUITES ? suites[suite].key_len : 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
	       c == '/';
}

/* Decodes exactly n octets from the base64 text s (slen chars, padding optional). */
static int decode_key(const char *s, size_t slen, uint8_t *out, size_t n)
{
	char text[4 * ((SDES_MAX_KEY + 2) / 3) + 1], again[sizeof(text)];
	uint8_t raw[sizeof(text)];
	size_t want = 4 * ((n + 2) / 3), core = slen;
	int got;

	while (core > 0 && s[core - 1] == '=')
		core--;
	if (slen > want || core > want)
		return -1;
	for (size_t i = 0; i < core; i++)
		if (!is_b64(s[i]))
			return -1;
	memcpy(text, s, core);
	while (core < want)
		text[core++] = '=';
	text[want] = '\0';
	got = EVP_DecodeBlock(raw, (const unsigned char *)text, (int)want);
	if (got < (int)n) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return -1;
	}
	/* Canonical only: the same octets must give back the same text. */
	EVP_EncodeBlock((unsigned char *)again, raw, (int)n);
	got = strcmp(again, text) == 0 ? 0 : -1;
	if (!got)
		memcpy(out, raw, n);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(again, sizeof(again));
	return got;
}

/* "2^31" or a decimal number of packets: refused below 2^31 (a call never reaches that). */
static int lifetime_ok(const char *s, size_t len)
{
	unsigned long long v = 0;

	if (len > 2 && s[0] == '2' && s[1] == '^') {
		for (size_t i = 2; i < len; i++) {
			if (!is_digit(s[i]) || i > 4)
				return -1;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		return v >= 31 && v <= 64 ? 0 : 1;
	}
	if (!len || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v >= (1ull << 31) ? 0 : 1;
}

/* inline:<key>[|lifetime][|mki:len] */
static int key_params(const char *p, size_t len, struct sdes_crypto *out, char *why, size_t whylen)
{
	const char *bar, *end = p + len;
	size_t klen;
	int lt;

	if (len < 7 || strncasecmp(p, "inline:", 7))
		return why_fail(why, whylen, -EBADMSG, "key method is not inline:");
	p += 7;
	bar = memchr(p, '|', (size_t)(end - p));
	klen = (size_t)((bar ? bar : end) - p);
	if (decode_key(p, klen, out->key, out->key_len))
		return why_fail(why, whylen, -EBADMSG, "%s key is not %zu octets of base64",
		                sdes_suite_name(out->suite), out->key_len);
	while (bar) {
		const char *f = bar + 1, *fe;

		bar = memchr(f, '|', (size_t)(end - f));
		fe = bar ? bar : end;
		if (memchr(f, ':', (size_t)(fe - f)))
			return why_fail(why, whylen, -ENOTSUP, "MKI is not supported");
		lt = lifetime_ok(f, (size_t)(fe - f));
		if (lt < 0)
			return why_fail(why, whylen, -EBADMSG, "bad key lifetime");
		if (lt > 0)
			return why_fail(why, whylen, -ENOTSUP,
			                "key lifetime under 2^31 packets is not supported");
	}
	return 0;
}

int sdes_parse(const char *value, struct sdes_crypto *out, char *why, size_t whylen)
{
	const char *p = value, *sp;
	unsigned long tag = 0;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return why_fail(why, whylen, -EBADMSG, "empty a=crypto");
	/* tag: 1*9DIGIT */
	for (n = 0; is_digit(p[n]) && n < 10; n++)
		tag = tag * 10 + (unsigned)(p[n] - '0');
	if (n == 0 || n > 9 || p[n] != ' ')
		return why_fail(why, whylen, -EBADMSG, "bad a=crypto tag");
	out->tag = (unsigned)tag;
	p += n + 1;
	sp = strchr(p, ' ');
	if (!sp)
		return why_fail(why, whylen, -EBADMSG, "a=crypto without key parameters");
	out->suite = sdes_suite_by_name(p, (size_t)(sp - p));
	if (out->suite == SDES_NONE)
		return why_fail(why, whylen, -ENOTSUP, "crypto suite %.*s is not supported",
		                (int)((size_t)(sp - p) < 40 ? sp - p : 40), p);
	out->key_len = sdes_key_len(out->suite);
	p = sp + 1;
	n = strcspn(p, " ");
	if (memchr(p, ';', n)) {
		sdes_wipe(out);
		return why_fail(why, whylen, -ENOTSUP, "more than one key is not supported");
	}
	rc = key_params(p, n, out, why, whylen);
	if (!rc && p[n] == ' ' && p[n + strspn(p + n, " ")] != '\0')
		rc = why_fail(why, whylen, -ENOTSUP, "session parameters (%.32s) are not supported",
		              p + n + strspn(p + n, " "));
	if (rc)
		sdes_wipe(out);
	return rc;
}

int sdes_format(const struct sdes_crypto *c, char *buf, size_t len)
{
	char b64[4 * ((SDES_MAX_KEY + 2) / 3) + 1];
	int n;

	if (!sdes_key_len(c->suite) || c->key_len != sdes_key_len(c->suite) || c->tag > 999999999)
		return -EINVAL;
	EVP_EncodeBlock((unsigned char *)b64, c->key, (int)c->key_len);
	n = snprintf(buf, len, "%u %s inline:%s", c->tag, sdes_suite_name(c->suite), b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= len) {
		OPENSSL_cleanse(buf, len);
		return -ENOSPC;
	}
	return 0;
}

int sdes_generate(int suite, unsigned tag, struct sdes_crypto *out)
{
	memset(out, 0, sizeof(*out));
	if (!sdes_key_len(suite))
		return -EINVAL;
	out->tag = tag;
	out->suite = suite;
	out->key_len = sdes_key_len(suite);
	if (RAND_bytes(out->key, (int)out->key_len) != 1) {
		sdes_wipe(out);
		return -EIO;
	}
	return 0;
}

bool sdes_equal(const struct sdes_crypto *a, const struct sdes_crypto *b)
{
	return a->tag == b->tag && a->suite == b->suite && a->key_len == b->key_len &&
	       CRYPTO_memcmp(a->key, b->key, a->key_len) == 0;
}

void sdes_wipe(struct sdes_crypto *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
