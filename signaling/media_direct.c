/* Direct (un-NATed) sides, from SDP and the SIP source address. */
#include "media_direct.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/url.h>

/* Same IP address however it is spelt ("::1" and "0::1"). */
static bool same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (!a || !b)
		return false;
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	return false;
}

bool media_direct(const struct media_plan *plan, const char *sip_src_ip)
{
	unsigned n = 0;

	if (!plan || !sip_src_ip)
		return false;
	for (unsigned i = 0; i < plan->n_streams; i++) {
		const struct media_stream *s = &plan->streams[i];

		if (!media_stream_active(s))
			continue;
		if (s->null_addr || !same_ip(s->rtp_ip, sip_src_ip) ||
		    (s->rtcp_ip && !same_ip(s->rtcp_ip, sip_src_ip)))
			return false;
		n++;
	}
	return n > 0;
}

int media_direct_uri_ip(const char *uri, char *buf, size_t len)
{
	su_home_t home[1] = {SU_HOME_INIT(home)};
	url_t *u = uri ? url_make(home, uri) : NULL;
	const char *host =
	    u && (u->url_type == url_sip || u->url_type == url_sips) ? u->url_host : NULL;
	size_t n = host ? strlen(host) : 0;
	int rc = -EINVAL;

	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (host && n < len) {
		memcpy(buf, host, n);
		buf[n] = '\0';
		if (same_ip(buf, buf))
			rc = 0;
	}
	su_home_deinit(home);
	return rc;
}
