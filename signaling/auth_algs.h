/* Which digest algorithms a challenge offers: the directory's "auth-algorithms" param of the
 * user the request names (set on the user, or on its domain and inherited), else the global
 * [auth] algorithms. A user the directory does not know gets its domain's param, else the global
 * list, exactly like a known user without a param of its own, so a challenge tells nothing
 * about who exists.
 * Single-threaded; no state of its own. */
#ifndef SIGNALD_AUTH_ALGS_H
#define SIGNALD_AUTH_ALGS_H

#include <stddef.h>

#include "digest.h"

struct directory;

#define AUTH_ALGS_PARAM "auth-algorithms"

struct auth_algs {
	enum digest_alg prefs[2]; /* most preferred first */
	size_t n;                 /* 1 or 2 */
};

/* Fills out for user@domain (user may be NULL: the global list). dir may be NULL. */
void auth_algs_for(const struct digest *dg, const struct directory *dir, const char *user,
                   const char *domain, struct auth_algs *out);

/* The algorithms of a as a mask of enum digest_alg. */
unsigned auth_algs_mask(const struct auth_algs *a);

/* A directory_param_check_fn: refuses an auth-algorithms value that is not a list of SHA-256
 * and MD5, so a typo fails the directory load instead of locking the user out. */
int auth_algs_check_param(const char *name, const char *value, char *why, size_t whylen);

#endif
