/* The command line both daemons share: -c FILE, --set section.key=value (repeatable), -t
 * (check the configuration and exit), -V, -h. Each daemon prints its own usage text. */
#ifndef TANDEM_DAEMON_ARGS_H
#define TANDEM_DAEMON_ARGS_H

#include <stdbool.h>
#include <stdio.h>

struct daemon_args {
	const char *config; /* -c, borrowed from argv; NULL: built-in defaults */
	char **sets;        /* --set values, borrowed from argv; the array is owned */
	int n_sets;
	bool check; /* -t */
};

typedef void (*daemon_usage_fn)(FILE *out);

enum {
	DAEMON_ARGS_RUN = 0,  /* go on */
	DAEMON_ARGS_DONE = 1, /* -V or -h printed: exit 0 */
	DAEMON_ARGS_USAGE = 2 /* bad command line, usage printed: exit 2 */
};

/* Parses argv into out (free with daemon_args_free). Returns a DAEMON_ARGS_* value, or
 * -ENOMEM. */
int daemon_args_parse(int argc, char **argv, const char *prog, daemon_usage_fn usage,
                      struct daemon_args *out);
void daemon_args_free(struct daemon_args *a);

/* Raises the open-file soft limit to the hard one (every socket is a descriptor); returns the
 * limit now in force, or 0 when it cannot be read. */
unsigned long daemon_raise_nofile(void);

#endif
