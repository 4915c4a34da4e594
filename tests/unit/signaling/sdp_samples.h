/* SDP bodies shaped like those common SIP endpoints send (soft phones, desk phones, a browser
 * behind a WebRTC gateway, old-style hold), written for these tests, and helpers that look for
 * whole lines in the SDP we print. */
#ifndef TEST_SDP_SAMPLES_H
#define TEST_SDP_SAMPLES_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char SDP_AVPF[] = "v=0\r\n"
                               "o=bob 2890844527 2890844527 IN IP6 2001:db8::2\r\n"
                               "s=-\r\n"
                               "c=IN IP6 2001:db8::2\r\n"
                               "t=0 0\r\n"
                               "m=audio 49170 RTP/AVPF 0 97\r\n"
                               "a=rtpmap:97 telephone-event/8000\r\n"
                               "a=fmtp:97 0-15\r\n"
                               "a=rtcp-fb:* nack\r\n"
                               "m=video 49172 RTP/AVPF 98\r\n"
                               "a=rtpmap:98 H264/90000\r\n"
                               "a=fmtp:98 packetization-mode=1\r\n"
                               "a=rtcp-fb:98 nack pli\r\n"
                               "a=recvonly\r\n"
                               "m=image 49174 udptl t38\r\n"
                               "a=T38FaxVersion:0\r\n";

static const char SDP_HOLD_0000[] = "v=0\r\n"
                                    "o=old 5 6 IN IP4 10.1.1.1\r\n"
                                    "s=-\r\n"
                                    "c=IN IP4 0.0.0.0\r\n"
                                    "t=0 0\r\n"
                                    "m=audio 3456 RTP/AVP 0\r\n";

static const char SDP_HOLD_SENDONLY[] = "v=0\r\n"
                                        "o=- 20018 20019 IN IP4 192.168.0.50\r\n"
                                        "s=SDP data\r\n"
                                        "c=IN IP4 192.168.0.50\r\n"
                                        "t=0 0\r\n"
                                        "m=audio 11800 RTP/AVP 0 8 101\r\n"
                                        "a=rtpmap:0 PCMU/8000\r\n"
                                        "a=rtpmap:8 PCMA/8000\r\n"
                                        "a=rtpmap:101 telephone-event/8000\r\n"
                                        "a=fmtp:101 0-15\r\n"
                                        "a=ptime:20\r\n"
                                        "a=sendonly\r\n";

static const char SDP_LINPHONE[] =
    "v=0\r\n"
    "o=alice 1234 678 IN IP4 192.168.1.10\r\n"
    "s=Talk\r\n"
    "c=IN IP4 192.168.1.10\r\n"
    "t=0 0\r\n"
    "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitter,TTL voip-metrics\r\n"
    "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 useinbandfec=1\r\n"
    "a=rtpmap:97 speex/16000\r\n"
    "a=fmtp:97 vbr=on\r\n"
    "a=rtpmap:98 speex/8000\r\n"
    "a=fmtp:98 vbr=on\r\n"
    "a=fmtp:18 annexb=yes\r\n"
    "a=rtpmap:101 telephone-event/48000\r\n"
    "a=rtpmap:99 telephone-event/16000\r\n"
    "a=rtpmap:100 telephone-event/8000\r\n"
    "a=rtcp-fb:* trr-int 1000\r\n"
    "a=rtcp-fb:* ccm tmmbr\r\n"
    "m=video 9078 RTP/AVP 102 103\r\n"
    "a=rtpmap:102 VP8/90000\r\n"
    "a=rtpmap:103 H264/90000\r\n"
    "a=fmtp:103 profile-level-id=42801F\r\n"
    "a=rtcp-fb:* trr-int 1000\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=rtcp-fb:102 ccm fir\r\n"
    "a=rtcp-fb:103 nack pli\r\n";

static const char SDP_POLYCOM[] =
    "v=0\r\n"
    "o=- 1620000000 1620000000 IN IP4 172.16.0.20\r\n"
    "s=Polycom IP Phone\r\n"
    "c=IN IP4 172.16.0.20\r\n"
    "b=AS:512\r\n"
    "t=0 0\r\n"
    "a=sendrecv\r\n"
    "m=audio 2222 RTP/AVP 9 0 8 18 127\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:127 telephone-event/8000\r\n"
    "a=rtcp:2223 IN IP4 172.16.0.21\r\n"
    "m=video 2224 RTP/AVP 109 34\r\n"
    "a=rtpmap:109 H264/90000\r\n"
    "a=fmtp:109 profile-level-id=42E016;max-mbps=108000;max-fs=3600\r\n"
    "a=rtpmap:34 H263/90000\r\n"
    "a=fmtp:34 CIF=1;QCIF=1;SQCIF=1\r\n";

static const char SDP_SESSION_INACTIVE[] = "v=0\r\n"
                                           "o=- 7 7 IN IP4 10.2.2.2\r\n"
                                           "s=-\r\n"
                                           "c=IN IP4 10.2.2.2\r\n"
                                           "t=0 0\r\n"
                                           "a=inactive\r\n"
                                           "m=audio 5000 RTP/AVP 0\r\n"
                                           "m=video 5002 RTP/AVP 31\r\n"
                                           "a=sendonly\r\n";

static const char SDP_WEBRTC[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
    "c=IN IP4 203.0.113.7\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=candidate:1 1 udp 2122260223 203.0.113.7 54321 typ host generation 0\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=ice-pwd:0123456789abcdef01234567\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:E0:DB:50:4B:B8:35:1F:0F:3B:0B:"
    "0D\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=sendrecv\r\n"
    "a=msid:- track0\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:1111 cname:xyz\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103\r\n"
    "c=IN IP4 203.0.113.7\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=ice-pwd:0123456789abcdef01234567\r\n"
    "a=mid:1\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n";

static const char SDP_YEALINK[] = "v=0\r\n"
                                  "o=- 20018 20018 IN IP4 192.168.0.50\r\n"
                                  "s=SDP data\r\n"
                                  "c=IN IP4 192.168.0.50\r\n"
                                  "t=0 0\r\n"
                                  "m=audio 11800 RTP/AVP 0 8 9 18 101\r\n"
                                  "a=rtpmap:0 PCMU/8000\r\n"
                                  "a=rtpmap:8 PCMA/8000\r\n"
                                  "a=rtpmap:9 G722/8000\r\n"
                                  "a=rtpmap:18 G729/8000\r\n"
                                  "a=fmtp:18 annexb=no\r\n"
                                  "a=fmtp:101 0-15\r\n"
                                  "a=rtpmap:101 telephone-event/8000\r\n"
                                  "a=ptime:20\r\n"
                                  "a=sendrecv\r\n";

static const char SDP_ZOIPER[] =
    "v=0\r\n"
    "o=Z 0 12345 IN IP4 10.0.0.5\r\n"
    "s=Z\r\n"
    "c=IN IP4 10.0.0.5\r\n"
    "t=0 0\r\n"
    "m=audio 8000 RTP/AVP 106 9 98 101 0 8 3\r\n"
    "a=rtpmap:106 opus/48000/2\r\n"
    "a=fmtp:106 sprop-maxcapturerate=16000; minptime=20; useinbandfec=1\r\n"
    "a=rtpmap:98 telephone-event/48000\r\n"
    "a=fmtp:98 0-16\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n";

/* True when text has line as one whole CRLF-terminated line. */
static inline bool sdp_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\r' && p[n + 1] == '\n')
			return true;
	return false;
}

/* Number of lines of text that start with prefix. */
static inline unsigned sdp_count_lines(const char *text, const char *prefix)
{
	unsigned n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, prefix, len) == 0;
	return n;
}

#define assert_sdp_line(text, line)                                                                \
	do {                                                                                       \
		if (!sdp_has_line(text, line))                                                     \
			fail_msg("no line '%s' in:\n%s", line, text);                              \
	} while (0)

#define assert_no_sdp_line(text, line)                                                             \
	do {                                                                                       \
		if (sdp_has_line(text, line))                                                      \
			fail_msg("unexpected line '%s' in:\n%s", line, text);                      \
	} while (0)

#endif
