/* sdes.c: a=crypto values as phones write them (every suite, lifetimes, padding), what is
 * refused and why (MKI, short lifetime, several keys, session parameters, unknown suites,
 * malformed tags and keys), format/parse round trips, fresh keys, and no key in any reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "sdes.h"

/* 30 octets 0x00..0x1d */
#define K30 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

static void test_parse_good(void **state)
{
	struct sdes_crypto c;
	char why[128];

	(void)state;
	assert_int_equal(sdes_parse("1 AES_CM_128_HMAC_SHA1_80 inline:" K30, &c, why, sizeof(why)),
	                 0);
	assert_int_equal(c.tag, 1);
	assert_int_equal(c.suite, SDES_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(c.key_len, 30);
	for (int i = 0; i < 30; i++)
		assert_int_equal(c.key[i], i);
	assert_int_equal(
	    sdes_parse("22 AES_CM_128_HMAC_SHA1_32 inline:" K30 "|2^31", &c, why, sizeof(why)), 0);
	assert_int_equal(c.tag, 22);
	assert_int_equal(c.suite, SDES_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(
	    sdes_parse("3 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|2147483648", &c, why, sizeof(why)),
	    0);
	assert_int_equal(sdes_parse("0 AES_CM_128_HMAC_SHA1_80 INLINE:" K30, &c, why, sizeof(why)),
	                 0);
	/* GCM keys: 28 octets (base64 padded "==", or not), 44 octets */
	assert_int_equal(sdes_parse("1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka"
	                            "Gw==",
	                            &c, why, sizeof(why)),
	                 0);
	assert_int_equal(c.key_len, 28);
	assert_int_equal(c.key[27], 27);
	assert_int_equal(
	    sdes_parse("1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw", &c, why,
	               sizeof(why)),
	    0);
	assert_int_equal(
	    sdes_parse("4 AEAD_AES_256_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG"
	               "xwdHh8gISIjJCUmJygpKis=",
	               &c, why, sizeof(why)),
	    0);
	assert_int_equal(c.suite, SDES_AEAD_AES_256_GCM);
	assert_int_equal(c.key[43], 43);
}

static void refused(const char *value, int err, const char *reason)
{
	struct sdes_crypto c;
	char why[128] = "";

	assert_int_equal(sdes_parse(value, &c, why, sizeof(why)), err);
	assert_non_null(strstr(why, reason));
	assert_null(strstr(why, "AAECAwQF")); /* never the key */
	for (size_t i = 0; i < sizeof(c.key); i++)
		assert_int_equal(c.key[i], 0); /* wiped */
}

static void test_parse_refused(void **state)
{
	(void)state;
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|2^20|1:4", -ENOTSUP,
	        "key lifetime under 2^31");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|1:4", -ENOTSUP, "MKI is not supported");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|2^31|1:4", -ENOTSUP, "MKI");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|1048576", -ENOTSUP, "key lifetime");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 ";inline:" K30, -ENOTSUP,
	        "more than one key");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 " KDR=1", -ENOTSUP, "session parameters");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 " UNENCRYPTED_SRTP", -ENOTSUP,
	        "session parameters (UNENCRYPTED_SRTP)");
	refused("1 F8_128_HMAC_SHA1_80 inline:" K30, -ENOTSUP,
	        "F8_128_HMAC_SHA1_80 is not supported");
	refused("1 AES_256_CM_HMAC_SHA1_80 inline:" K30, -ENOTSUP, "not supported");
	refused("1 aes_cm_128_hmac_sha1_80 inline:" K30, -ENOTSUP, "not supported");
	refused("x AES_CM_128_HMAC_SHA1_80 inline:" K30, -EBADMSG, "tag");
	refused("1234567890 AES_CM_128_HMAC_SHA1_80 inline:" K30, -EBADMSG, "tag");
	refused("1", -EBADMSG, "tag");
	refused("1 AES_CM_128_HMAC_SHA1_80", -EBADMSG, "without key parameters");
	refused("1 AES_CM_128_HMAC_SHA1_80 uri:http://x", -EBADMSG, "inline");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:AAEC", -EBADMSG, "not 30 octets of base64");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "AAAA", -EBADMSG, "30 octets");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk*", -EBADMSG,
	        "base64");
	/* non-canonical: the last character's unused bits set */
	refused("1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx==", -EBADMSG,
	        "base64");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|2^x", -EBADMSG, "lifetime");
	refused("1 AES_CM_128_HMAC_SHA1_80 inline:" K30 "|", -EBADMSG, "lifetime");
}

static void test_format_generate(void **state)
{
	struct sdes_crypto a, b, c;
	char buf[SDES_VALUE_MAX];

	(void)state;
	for (int s = 1; s <= SDES_N_SUITES; s++) {
		assert_int_equal(sdes_generate(s, (unsigned)s, &a), 0);
		assert_int_equal(sdes_generate(s, (unsigned)s, &b), 0);
		assert_false(sdes_equal(&a, &b)); /* fresh every time */
		assert_int_equal(sdes_format(&a, buf, sizeof(buf)), 0);
		assert_int_equal(sdes_parse(buf, &c, NULL, 0), 0);
		assert_true(sdes_equal(&a, &c));
		assert_int_equal(c.suite, s);
	}
	assert_int_equal(sdes_format(&a, buf, 20), -ENOSPC);
	assert_int_equal(sdes_generate(SDES_NONE, 1, &a), -EINVAL);
	assert_int_equal(sdes_suite_by_name("AEAD_AES_256_GCM", 16), SDES_AEAD_AES_256_GCM);
	assert_int_equal(sdes_suite_by_name("AEAD_AES_256_GCMX", 17), SDES_NONE);
	sdes_wipe(&a);
	assert_int_equal(a.key[0] | a.key[10], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_refused),
	    cmocka_unit_test(test_format_generate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
