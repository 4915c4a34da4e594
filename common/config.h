/* Table-driven INI loader (libinih underneath). A daemon describes its settings once as an array
 * of struct cfg_key; the same table parses the file, applies defaults, validates ranges and takes
 * command-line overrides, so a setting can never be known to one path and not another.
 *
 * Errors are written into a caller buffer as "FILE:LINE: [section] key: problem" and the loader
 * returns -EINVAL (bad content) or -errno (file could not be read). */
#ifndef TANDEM_CONFIG_H
#define TANDEM_CONFIG_H

#include <stddef.h>
#include <stdbool.h>

enum cfg_type {
	CFG_STR,  /* char *, owned by the config struct, freed by cfg_free() */
	CFG_INT,  /* long, checked against [min, max] */
	CFG_BOOL, /* bool: true/false/yes/no/on/off/1/0 */
	CFG_LIST, /* struct cfg_list: the key may repeat, each value is appended */
};

struct cfg_list {
	char **v; /* owned, freed by cfg_free() */
	size_t n;
};

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t offset;   /* offsetof() into the daemon's config struct */
	const char *def; /* default as text; NULL = no default (CFG_STR stays NULL) */
	long min, max;   /* CFG_INT only */
	const char *help;
};

#define CFG_ERR_LEN 512

/* Applies every default to cfg (zeroed by the caller). */
int cfg_defaults(const struct cfg_key *keys, void *cfg, char *err, size_t errlen);

/* Parses path into cfg (after cfg_defaults). Unknown sections or keys and repeated scalar keys
 * are errors. */
int cfg_load(const struct cfg_key *keys, void *cfg, const char *path, char *err, size_t errlen);

/* Applies one "section.key=value" override, as from the command line. */
int cfg_set(const struct cfg_key *keys, void *cfg, const char *assignment, char *err,
            size_t errlen);

/* Frees every CFG_STR and CFG_LIST the table names; cfg itself belongs to the caller. */
void cfg_free(const struct cfg_key *keys, void *cfg);

/* Parses "host:port" or "[v6]:port" into host (copied) and port. Returns 0 or -EINVAL. */
/* A relative path *p set in the file at config_path means "next to that file", wherever the
 * daemon was started from: *p is replaced (freed and reallocated). NULL, absolute paths and a
 * config_path without a folder are left alone. Returns 0 or -ENOMEM. */
int cfg_path_relative(char **p, const char *config_path);

int cfg_split_hostport(const char *s, char *host, size_t hostlen, unsigned *port);

#endif
