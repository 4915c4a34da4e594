/* The commands of the control socket (control.h), as tandemctl sends them: status,
 * registrations [USER], unregister USER [CONTACT], calls, call CALL-ID, hangup CALL-ID [CAUSE],
 * nodes, drain NODE, undrain NODE, reload, loglevel [LEVEL], events. Each answers in JSON or in
 * text; docs/operations.md shows both. */
#ifndef SIGNALD_CONTROL_CMDS_H
#define SIGNALD_CONTROL_CMDS_H

#include <stddef.h>
#include <time.h>

#include "control.h"

struct b2bua;
struct media_client;
struct store;
struct signald_config;

/* Everything borrowed; lives as long as the control socket. */
struct control_cmds {
	const struct signald_config *cfg;
	struct b2bua *b2bua;
	struct media_client *media;
	struct store *store;
	const char *events_endpoint; /* NULL: no event stream */
	const char *metrics_listen;  /* NULL: no metrics */
	const char *control_path;
	/* Re-reads the dialplan, directory and codecs; 0, or -errno with err set (the old
	 * settings stay). */
	int (*reload)(void *arg, char *err, size_t errlen);
	void *reload_arg;
	time_t started;
};

/* A control_handler_fn; arg is a struct control_cmds. */
int control_cmds_run(void *arg, struct control_req *r);

#endif
