/* Refer-To and its embedded Replaces, through sofia-sip's URL and header parsers. */
#include "refer_parse.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/url.h>

/* The Replaces header among the URI's embedded headers ("?Replaces=...&..."), or NULL. */
static int embedded_replaces(su_home_t *home, const char *query, sip_replaces_t **out)
{
	char *lines = url_query_as_header_string(home, query);
	static const char name[] = "Replaces:";

	*out = NULL;
	if (!lines)
		return -EBADMSG;
	for (char *line = lines, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!su_casenmatch(line, name, sizeof(name) - 1))
			continue;
		*out = sip_replaces_make(home, line + sizeof(name) - 1);
		return *out && (*out)->rp_call_id && (*out)->rp_to_tag && (*out)->rp_from_tag
		           ? 0
		           : -EBADMSG;
	}
	return 0;
}

int refer_parse(su_home_t *home, const sip_refer_to_t *rt, struct refer_target *out)
{
	url_t bare;
	const char *user;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!rt)
		return -EBADMSG;
	if (rt->r_url->url_type != url_sip && rt->r_url->url_type != url_sips)
		return -EPROTONOSUPPORT;
	user = rt->r_url->url_user;
	if (!rt->r_url->url_host || (user && strlen(user) > REFER_MAX_USER))
		return -EINVAL;
	if (rt->r_url->url_headers) {
		rc = embedded_replaces(home, rt->r_url->url_headers, &out->replaces);
		if (rc)
			return rc;
	}
	/* A blind transfer routes the user. With a Replaces the dialog names the target, and the
	 * URI is whatever the referrer knew of it: often the remote target of that dialog, which
	 * is this switch's own Contact, with no user (liblinphone's current code does so; the 5.1
	 * of Debian 12 still names the remote party, with its user). */
	if (!out->replaces && (!user || !*user))
		return -EINVAL;
	bare = *rt->r_url;
	bare.url_params = NULL;
	bare.url_headers = NULL;
	bare.url_password = NULL;
	out->user = user && *user ? su_strdup(home, user) : NULL;
	out->host = su_strdup(home, bare.url_host);
	out->uri = url_as_string(home, &bare);
	if ((user && *user && !out->user) || !out->host || !out->uri)
		return -ENOMEM;
	return 0;
}

int refer_parse_status(int rc)
{
	return rc == -EPROTONOSUPPORT ? 488 : rc == -ENOMEM ? 500 : 400;
}
