/* The user directory: FreeSWITCH-style XML (<domain>/<groups>/<group>/<users>/<user> or bare
 * <user> elements under <include>) read from one file or every *.xml file under a folder. Users
 * carry params (password, a1-hash, ...) and variables (name/value). A reload builds a complete
 * new set and swaps it in only when every file parsed, so a broken edit never empties the
 * directory. Knows nothing of SIP or digest; single-threaded. */
#ifndef SIGNALD_DIRECTORY_H
#define SIGNALD_DIRECTORY_H

#include <stddef.h>

struct directory;

struct directory_pair {
	char *name;  /* owned by the directory */
	char *value; /* owned by the directory */
};

struct directory_user {
	char *id;     /* user part, e.g. "1000" */
	char *domain; /* domain name; users outside any <domain> get the default domain */
	struct directory_pair *params;
	size_t n_params;
	struct directory_pair *vars;
	size_t n_vars;
	const char *file; /* borrowed from the directory: where the user was defined */
	long line;
};

/* Loads path (a file, or a folder searched recursively for *.xml). default_domain names the
 * domain of users outside a <domain> element and replaces FreeSWITCH's "$${domain}". Both
 * strings are copied. On error returns -EINVAL/-ENOENT/-ENOMEM and writes
 * "FILE:LINE: <element>: problem" into err. */
int directory_load(struct directory **out, const char *path, const char *default_domain, char *err,
                   size_t errlen);

/* Checks one <param> value when the file is read: returns 0, or non-zero with a short reason in
 * why, and the load fails naming the file and line of that param. */
typedef int (*directory_param_check_fn)(const char *name, const char *value, char *why,
                                        size_t whylen);

/* directory_load with check applied to every <param> of users and domains, now and on each
 * reload. */
int directory_load_checked(struct directory **out, const char *path, const char *default_domain,
                           directory_param_check_fn check, char *err, size_t errlen);

/* Reads the same path again; on success the new content replaces the old (user pointers from
 * before become invalid), on failure the old content stays and err says why. */
int directory_reload(struct directory *dir, char *err, size_t errlen);

void directory_free(struct directory *dir);

/* Case-sensitive user id, case-insensitive domain. Returns NULL when unknown. The pointer stays
 * valid until the next reload or free. */
const struct directory_user *directory_find(const struct directory *dir, const char *id,
                                            const char *domain);

size_t directory_count(const struct directory *dir);
const char *directory_path(const struct directory *dir);

/* A user's param or variable by name (case-insensitive); user-level values win over the values
 * inherited from its domain. NULL when absent. */
const char *directory_user_param(const struct directory_user *u, const char *name);
const char *directory_user_var(const struct directory_user *u, const char *name);

/* A param set on a <domain> element (case-insensitive domain and name; the first <domain> of
 * that name that sets it), whether or not the domain has users. NULL when absent. */
const char *directory_domain_param(const struct directory *dir, const char *domain,
                                   const char *name);

#endif
