/* A guard in front of sofia-sip's SDP parser: it retraces how sofia 1.12.11 tokenizes m= lines
 * and refuses the bodies on which its parse_media() would never return. Nothing else. */
#include "media_plan_guard.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Characters sofia's parser accepts in a token (sdp_parse.c TOKEN). */
static bool sofia_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-!#$%&'*+.^_`{|}~", c));
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Transports whose format list sofia reads as payload numbers (sdp_media_has_rtp). */
static bool sofia_rtp_proto(const char *s, size_t n)
{
	return (n == 7 && !strncasecmp(s, "RTP/AVP", n)) ||
	       (n == 8 && !strncasecmp(s, "RTP/SAVP", n)) || (n == 3 && !strncasecmp(s, "RTP", n));
}

static bool space_char(char c)
{
	return c == ' ';
}

static bool proto_char(char c)
{
	return c == '/' || sofia_token_char(c);
}

static size_t span(const char *s, size_t i, size_t len, bool (*ok)(char))
{
	size_t n = 0;

	while (i + n < len && ok(s[i + n]))
		n++;
	return n;
}

/* sofia's token(): skips the separator after a token (one character, whatever it is, then the
 * run of sep characters). Returns the index after it. */
static size_t after_token(const char *s, size_t i, size_t len, bool (*sep)(char))
{
	return i < len ? i + 1 + span(s, i + 1, len, sep) : i;
}

/* sofia's parse_ul(): blanks, then strtoul's own white space, sign and digits, then blanks.
 * Returns the index after it, or len + 1 when there is no number (sofia reports an error). */
static size_t after_number(const char *s, size_t i, size_t len)
{
	i += span(s, i, len, blank);
	while (i < len && (s[i] == '\v' || s[i] == '\f' || blank(s[i])))
		i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == len || s[i] < '0' || s[i] > '9')
		return len + 1;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i + span(s, i, len, blank);
}

/* Whether sofia's parse_media() would loop forever on this m= line (s: what follows "m=").
 * Retraces its steps: media token, port[/count], transport token, then the format loop of
 * non-RTP transports, which stops advancing at a field not starting with a token character. */
static bool sofia_mline_loops(const char *s, size_t len)
{
	size_t i = span(s, 0, len, blank), n;

	if (!(n = span(s, i, len, sofia_token_char)))
		return false;
	i = after_token(s, i + n, len, space_char);
	if ((i = after_number(s, i, len)) > len)
		return false;
	if (i < len && s[i] == '/' && (i = after_number(s, i + 1, len)) > len)
		return false;
	i += span(s, i, len, space_char);
	if (!(n = span(s, i, len, proto_char)) || sofia_rtp_proto(s + i, n))
		return false;
	for (i = after_token(s, i + n, len, space_char); i < len;) {
		i += span(s, i, len, blank);
		if (!(n = span(s, i, len, sofia_token_char)))
			return true;
		i = after_token(s, i + n, len, blank);
	}
	return false;
}

int media_plan_guard(const char *body, size_t len, unsigned *mline)
{
	unsigned idx = 0;

	for (size_t i = 0; i < len;) {
		size_t end = i;

		while (end < len && body[end] != '\r' && body[end] != '\n')
			end++;
		while (i < end && blank(body[i]))
			i++;
		if (end - i >= 2 && body[i] == 'm' && body[i + 1] == '=') {
			if (sofia_mline_loops(body + i + 2, end - i - 2)) {
				*mline = idx;
				return -EBADMSG;
			}
			idx++;
		}
		i = end + 1;
	}
	return 0;
}
