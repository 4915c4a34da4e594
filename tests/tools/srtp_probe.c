/* srtp_probe A B: plays two phones around a media relay on loopback and checks what crosses it.
 * Each of A and B is LOCAL:REMOTE:plain or LOCAL:REMOTE:SUITE:SENDKEY:RECVKEY, where LOCAL is
 * the RTP port the phone binds (the port its SDP named), REMOTE the relay's port for it,
 * SUITE the SrtpSuite number (1..4) and the keys base64 master key + salt as in a=crypto: the
 * phone encrypts with SENDKEY and decrypts with RECVKEY (libsrtp2).
 *
 * Checks: 20 RTP packets A -> B and 20 B -> A arrive with the payload, sequence numbers and SSRC
 * sent; then, when A speaks SRTP, a tampered packet and a replayed one from A do not arrive.
 * Prints one "ok:"/"FAIL" line per check, exits 0 when all passed, 1 otherwise, 2 on usage.
 * For the test harness only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <srtp2/srtp.h>

struct phone {
	unsigned local, remote;
	int fd;
	bool srtp;
	srtp_t enc, dec;
};

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		bool ok_ = (cond);                                                                 \
		printf(ok_ ? "ok: " : "FAIL: ");                                                   \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		failures += !ok_;                                                                  \
	} while (0)

static void policy(int suite, srtp_policy_t *p)
{
	memset(p, 0, sizeof(*p));
	switch (suite) {
	case 2:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
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
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
	}
}

static int context(int suite, const char *b64, srtp_ssrc_type_t type, srtp_t *out)
{
	unsigned char key[64] = {0};
	srtp_policy_t p;
	size_t n = strlen(b64);

	if (n == 0 || n > 80 || EVP_DecodeBlock(key, (const unsigned char *)b64, (int)n) < 28)
		return -1;
	policy(suite, &p);
	p.ssrc.type = type;
	p.key = key;
	p.window_size = 128;
	return srtp_create(out, &p) == srtp_err_status_ok ? 0 : -1;
}

static int phone_parse(char *spec, struct phone *ph)
{
	char *f[5];
	int n = 0;

	for (char *t = strtok(spec, ":"); t && n < 5; t = strtok(NULL, ":"))
		f[n++] = t;
	if (n < 3)
		return -1;
	ph->local = (unsigned)atoi(f[0]);
	ph->remote = (unsigned)atoi(f[1]);
	if (!strcmp(f[2], "plain"))
		return n == 3 ? 0 : -1;
	if (n != 5)
		return -1;
	ph->srtp = true;
	return context(atoi(f[2]), f[3], ssrc_any_outbound, &ph->enc) ||
	               context(atoi(f[2]), f[4], ssrc_any_inbound, &ph->dec)
	           ? -1
	           : 0;
}

static int udp_bind(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static void send_to(const struct phone *ph, const uint8_t *p, int len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ph->remote)};

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sendto(ph->fd, p, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa)) != len)
		perror("sendto");
}

/* One datagram within ms from the relay's port for this phone; its length or -1. */
static int recv_from_relay(const struct phone *ph, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pfd = {.fd = ph->fd, .events = POLLIN};
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	while (poll(&pfd, 1, ms) == 1) {
		n = recvfrom(ph->fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
		if (n >= 0 && ntohs(from.sin_port) == ph->remote)
			return (int)n;
	}
	return -1;
}

static int rtp(uint8_t *b, uint16_t seq, uint32_t ssrc)
{
	memset(b, 0, 12);
	b[0] = 0x80;
	b[1] = 8; /* PCMA */
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[4] = (uint8_t)(seq >> 2); /* timestamp */
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (int i = 12; i < 172; i++)
		b[i] = (uint8_t)(0xd5 ^ (i + seq));
	return 172;
}

/* One packet from `from` to `to`: true when `to` gets exactly the plain packet. */
static bool crosses(struct phone *from, struct phone *to, uint16_t seq, uint32_t ssrc)
{
	uint8_t plain[256], pkt[512], got[2048];
	int n = rtp(plain, seq, ssrc), len = n, g;

	memcpy(pkt, plain, (size_t)n);
	if (from->srtp && srtp_protect(from->enc, pkt, &len) != srtp_err_status_ok)
		return false;
	send_to(from, pkt, len);
	g = recv_from_relay(to, got, sizeof(got), 1000);
	if (g < 0 || (to->srtp && srtp_unprotect(to->dec, got, &g) != srtp_err_status_ok))
		return false;
	return g == n && !memcmp(got, plain, (size_t)n);
}

int main(int argc, char **argv)
{
	struct phone a = {0}, b = {0};
	int ab = 0, ba = 0;

	if (argc != 3 || srtp_init() || phone_parse(argv[1], &a) || phone_parse(argv[2], &b)) {
		fprintf(stderr, "usage: srtp_probe LOCAL:REMOTE:plain|LOCAL:REMOTE:SUITE:SEND:RECV "
		                "(A) ... (B)\n");
		return 2;
	}
	a.fd = udp_bind(a.local);
	b.fd = udp_bind(b.local);
	if (a.fd < 0 || b.fd < 0) {
		perror("bind");
		return 2;
	}
	for (uint16_t i = 0; i < 20; i++) {
		ab += crosses(&a, &b, (uint16_t)(100 + i), 0x0A0A0A0A);
		ba += crosses(&b, &a, (uint16_t)(700 + i), 0x0B0B0B0B);
	}
	CHECK(ab == 20, "A (%s) -> B (%s): %d/20 packets arrived as sent", a.srtp ? "SRTP" : "RTP",
	      b.srtp ? "SRTP" : "RTP", ab);
	CHECK(ba == 20, "B (%s) -> A (%s): %d/20 packets arrived as sent", b.srtp ? "SRTP" : "RTP",
	      a.srtp ? "SRTP" : "RTP", ba);
	if (a.srtp) {
		uint8_t pkt[512], copy[512], got[2048];
		int len = rtp(pkt, 200, 0x0A0A0A0A);

		srtp_protect(a.enc, pkt, &len);
		memcpy(copy, pkt, (size_t)len);
		pkt[50] ^= 0x20;
		send_to(&a, pkt, len);
		CHECK(recv_from_relay(&b, got, sizeof(got), 300) < 0,
		      "a tampered SRTP packet from A does not reach B");
		CHECK(crosses(&a, &b, 201, 0x0A0A0A0A), "the next genuine packet does");
		send_to(&a, copy, len);
		send_to(&a, copy, len);
		CHECK(recv_from_relay(&b, got, sizeof(got), 300) > 0 &&
		          recv_from_relay(&b, got, sizeof(got), 300) < 0,
		      "an SRTP packet from A sent twice reaches B once");
	}
	for (struct phone *ph = &a; ph; ph = ph == &a ? &b : NULL) {
		if (ph->srtp) {
			srtp_dealloc(ph->enc);
			srtp_dealloc(ph->dec);
		}
		close(ph->fd);
	}
	srtp_shutdown();
	return failures ? 1 : 0;
}
