/* getopt for the daemons' shared options. */
#include "daemon_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int daemon_args_parse(int argc, char **argv, const char *prog, daemon_usage_fn usage,
                      struct daemon_args *out)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
	    {"check", no_argument, NULL, 't'},        {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	int c;

	memset(out, 0, sizeof(*out));
	out->sets = calloc((size_t)argc + 1, sizeof(char *));
	if (!out->sets)
		return -ENOMEM;
	while ((c = getopt_long(argc, argv, "c:s:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			out->config = optarg;
			break;
		case 's':
			out->sets[out->n_sets++] = optarg;
			break;
		case 't':
			out->check = true;
			break;
		case 'V':
			printf("%s %s\n", prog, TANDEM_VERSION);
			return DAEMON_ARGS_DONE;
		case 'h':
			usage(stdout);
			return DAEMON_ARGS_DONE;
		default:
			usage(stderr);
			return DAEMON_ARGS_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return DAEMON_ARGS_USAGE;
	}
	return DAEMON_ARGS_RUN;
}

void daemon_args_free(struct daemon_args *a)
{
	free(a->sets);
	a->sets = NULL;
}

unsigned long daemon_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return (unsigned long)rl.rlim_cur;
}
