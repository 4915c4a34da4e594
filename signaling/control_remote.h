/* The control socket's requests from another host: a ZeroMQ ROUTER with CURVE ([control]
 * remote_listen, remote_key_file), letting in only the admin keys of remote_clients_file (a
 * ZAP handler on a ZeroMQ context of its own, so the media RPC's sockets are not concerned).
 * A request is one message holding the line tandemctl would write on the local socket; the
 * answer one message holding what the local socket would answer (control.h). Served on the
 * signald loop; never blocks it (a client that does not read its answers loses them at the
 * high-water mark). */
#ifndef SIGNALD_CONTROL_REMOTE_H
#define SIGNALD_CONTROL_REMOTE_H

#include <stddef.h>

#include <sofia-sip/su_wait.h>

#include "control.h"

struct control_remote;

/* Binds endpoint with the secret key in key_file and the client keys of clients_file; requests
 * run through ctl (borrowed; freed after this). 0, or -errno with err set. */
int control_remote_new(struct control_remote **out, su_root_t *root, struct control *ctl,
                       const char *endpoint, const char *key_file, const char *clients_file,
                       char *err, size_t errlen);
/* Free after control_free (which drops the requests still pending through their deliver). */
void control_remote_free(struct control_remote *cr);

#endif
