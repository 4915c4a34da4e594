/* Per-user digest algorithm lists, read from the directory at challenge time so a directory
 * reload takes effect on the next request. */
#include "auth_algs.h"

#include <stdio.h>
#include <strings.h>

#include "directory.h"

void auth_algs_for(const struct digest *dg, const struct directory *dir, const char *user,
                   const char *domain, struct auth_algs *out)
{
	const struct directory_user *u = user && domain ? directory_find(dir, user, domain) : NULL;
	/* An unknown user gets what a known user of that domain without the param gets. */
	const char *list = u ? directory_user_param(u, AUTH_ALGS_PARAM)
	                     : directory_domain_param(dir, domain, AUTH_ALGS_PARAM);

	/* The directory refuses unparsable lists at load, so a failure here means no param. */
	if (list && digest_parse_algorithms(list, out->prefs, &out->n) == 0)
		return;
	out->n = digest_default_algs(dg, out->prefs);
}

unsigned auth_algs_mask(const struct auth_algs *a)
{
	unsigned m = 0;

	for (size_t i = 0; i < a->n; i++)
		m |= a->prefs[i];
	return m;
}

int auth_algs_check_param(const char *name, const char *value, char *why, size_t whylen)
{
	enum digest_alg prefs[2];
	size_t n;

	if (strcasecmp(name, AUTH_ALGS_PARAM) != 0 ||
	    digest_parse_algorithms(value, prefs, &n) == 0)
		return 0;
	snprintf(why, whylen, "not a list of SHA-256 and MD5");
	return -1;
}
