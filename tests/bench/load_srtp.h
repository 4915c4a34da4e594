/* SDES SRTP on the load generator's endpoints (libsrtp2): per call, leg A (endpoint 2i) and leg B
 * (endpoint 2i+1) each speak SRTP or plain RTP. An SRTP endpoint encrypts what it sends with its
 * own key (the one its SDP offered the relay) and decrypts what it receives with the relay's key
 * for that leg (the one the relay's SDP gave it), so the relay must decrypt and re-encrypt for
 * every packet to arrive intact. Every decryption is checked; failures are counted, never passed
 * on to the receiver's checks.
 *
 * Ownership: load_srtp_new() returns a handle the caller frees with load_srtp_free(); it owns the
 * keys, the libsrtp sessions and one send buffer per endpoint and parity of the round. One
 * thread uses it (the generator's). */
#ifndef TANDEM_LOAD_SRTP_H
#define TANDEM_LOAD_SRTP_H

#include <stddef.h>
#include <stdint.h>

/* Which legs speak SRTP. */
enum load_srtp_legs {
	LOAD_SRTP_A = 1,  /* leg A SRTP, leg B plain: SRTP -> RTP and RTP -> SRTP */
	LOAD_SRTP_AB = 3, /* both legs SRTP, different keys: SRTP -> SRTP */
};

#define LOAD_SRTP_MAX_KEY 44 /* master key + salt of AEAD_AES_256_GCM */

struct load_srtp_stats {
	uint64_t protected;   /* packets encrypted by the generator */
	uint64_t unprotected; /* packets received that decrypted and authenticated */
	uint64_t auth_failed; /* received packets that failed authentication (never passed on) */
	uint64_t replayed;    /* received packets libsrtp refused as replayed or too old */
	uint64_t errors;      /* protect failures and other libsrtp errors */
};

struct load_srtp;

/* Suite by its RFC 4568 name (AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32,
 * AEAD_AES_128_GCM, AEAD_AES_256_GCM): media.proto's SrtpSuite number, or -EINVAL. */
int load_srtp_suite_from_name(const char *name);
const char *load_srtp_suite_name(int suite);
/* Master key + salt length of a suite, 0 if unknown. */
size_t load_srtp_key_len(int suite);

/* legs: LOAD_SRTP_A or LOAD_SRTP_AB; suite_b is used only with LOAD_SRTP_AB (a relay bridging
 * two suites, or one suite with different keys). 0, -EINVAL or -ENOMEM. */
int load_srtp_new(struct load_srtp **out, unsigned calls, int suite_a, int suite_b, int legs);
void load_srtp_free(struct load_srtp *s);
/* The suite of leg (0 = A, 1 = B), 0 for a plain leg. */
int load_srtp_suite(const struct load_srtp *s, unsigned leg);
/* Whether leg (0 = A, 1 = B) speaks SRTP. */
int load_srtp_leg_on(const struct load_srtp *s, unsigned leg);

/* Fills every SRTP leg's two keys from the system's random source (the generator makes the
 * relay's keys too, as the controller of a mediad does). 0 or -errno. */
int load_srtp_random_keys(struct load_srtp *s);
/* Reads the keys an external driver negotiated: per call one line "a_own a_relay b_own b_relay",
 * each a key + salt in hex, "-" for a plain leg ('#' lines and blank lines skipped). Errors are
 * printed as "FILE:LINE: problem". 0, -EINVAL or -errno. */
int load_srtp_read_keys(struct load_srtp *s, const char *path);
/* The key endpoint (call, leg) encrypts with (relay = 0) or that the relay encrypts toward it
 * with (relay = 1); load_srtp_key_len() of the leg's suite octets, NULL for a plain leg. */
const uint8_t *load_srtp_key(const struct load_srtp *s, unsigned call, unsigned leg, int relay);

/* Creates the libsrtp sessions from the keys. 0, -EIO (libsrtp refused) or -ENOMEM. */
int load_srtp_start(struct load_srtp *s);

/* Packet path. Endpoint j = 2 * call + leg. protect: *out is what to send, pkt itself for a plain
 * endpoint, else the endpoint's send buffer of that parity (valid until protect is called again
 * with the same endpoint and parity); *len grows by the tag. 0 or -EIO (counted in errors). */
int load_srtp_protect(struct load_srtp *s, unsigned endpoint, unsigned parity, uint8_t *pkt,
                      const uint8_t **out, int *len);
/* Decrypts a received packet in place for an SRTP endpoint (a plain one's is left alone); *len
 * shrinks to the RTP packet. 0, or -EBADMSG (failed: counted, do not use the packet). */
int load_srtp_unprotect(struct load_srtp *s, unsigned endpoint, uint8_t *pkt, int *len);

void load_srtp_get_stats(const struct load_srtp *s, struct load_srtp_stats *out);

#endif
