/* One pass over the SDP text counting what sofia-sip would build from it: m= lines, the format
 * tokens of each, and the a= lines of each section. */
#include "media_plan_limits.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Fields of an m= line after "m=": media, port, transport, then the formats. */
static unsigned mline_formats(const char *s, size_t n)
{
	unsigned fields = 0;

	for (size_t i = 0; i < n;) {
		while (i < n && blank(s[i]))
			i++;
		if (i == n)
			break;
		fields++;
		while (i < n && !blank(s[i]))
			i++;
	}
	return fields > 3 ? fields - 3 : 0;
}

static int refuse(int err, char *why, size_t whylen, const char *what, unsigned idx, size_t n,
                  size_t max)
{
	if (why && whylen) {
		if (idx == (unsigned)-1)
			snprintf(why, whylen, "%s: %zu, more than the %zu allowed", what, n, max);
		else
			snprintf(why, whylen, "m-line %u: %s: %zu, more than the %zu allowed", idx,
			         what, n, max);
	}
	return err;
}

int media_plan_limits_check(const char *body, size_t len, const struct media_plan_limits *lim,
                            char *why, size_t whylen)
{
	unsigned streams = 0, attrs = 0, section = (unsigned)-1; /* -1: session level */
	int rc = 0;

	if (len > lim->max_bytes)
		return refuse(-EMSGSIZE, why, whylen, "SDP bytes", section, len, lim->max_bytes);
	/* The whole body is walked even after a refusal, so the m-line count is exact. */
	for (size_t i = 0; i < len;) {
		size_t end = i;

		while (end < len && body[end] != '\r' && body[end] != '\n')
			end++;
		while (i < end && blank(body[i]))
			i++;
		if (end - i >= 2 && body[i + 1] == '=' && body[i] == 'm') {
			unsigned f = mline_formats(body + i + 2, end - i - 2);

			section = streams++;
			attrs = 0;
			if (!rc && f > lim->max_formats)
				rc = refuse(-E2BIG, why, whylen, "formats", section, f,
				            lim->max_formats);
		} else if (end - i >= 2 && body[i + 1] == '=' && body[i] == 'a') {
			if (!rc && ++attrs > lim->max_attrs)
				rc = refuse(-E2BIG, why, whylen, "a= lines", section, attrs,
				            lim->max_attrs);
		}
		i = end + 1;
	}
	if (streams > lim->max_streams) {
		if (why && whylen)
			snprintf(why, whylen, "%u m-lines, more than the %u allowed", streams,
			         lim->max_streams);
		return -E2BIG;
	}
	return rc;
}
