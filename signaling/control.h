/* The local control socket tandemctl speaks to: a Unix stream socket ([control] socket, mode
 * 0660) served from the signald loop, never blocking it. One request per connection: a line
 * "FORMAT COMMAND [ARG]...\n" (FORMAT "json" or "text", words separated by spaces, 1 KiB at
 * most); the answer is a status line "OK" or "ERR", then the body (JSON or text), then the
 * connection closes. At most CONTROL_MAX_CONNS clients at once, each given CONTROL_IDLE_S to
 * send its line. What the commands do is control_cmds.c's. */
#ifndef SIGNALD_CONTROL_H
#define SIGNALD_CONTROL_H

#include <stdbool.h>
#include <stdio.h>

#include <sofia-sip/su_wait.h>

#include "json_out.h"

#define CONTROL_MAX_CONNS 16
#define CONTROL_IDLE_S    10
#define CONTROL_LINE_MAX  1024
#define CONTROL_MAX_ARGS  8
#define CONTROL_PENDING   1 /* a handler's answer comes later, through control_done */

struct control;

/* Where an answer goes for a request that came another way (control_remote.c): answer is the
 * status line and body a socket client would get (len bytes), or NULL when the request is
 * dropped unanswered (control_free). */
typedef void (*control_deliver_fn)(void *arg, const char *answer, size_t len);

/* One request: its words and the body being written. Owned by control.c; a handler that
 * returns CONTROL_PENDING keeps it until it calls control_done (once), even when the client
 * went away meanwhile (then the answer is dropped). */
struct control_req {
	struct control *ctl;
	struct control_conn *conn; /* NULL once the client left */
	bool json;
	bool failed;
	int argc;
	char *argv[CONTROL_MAX_ARGS]; /* argv[0]: the command; pointers into line */
	char line[CONTROL_LINE_MAX];
	char *body;
	size_t len;
	FILE *out;         /* the body, for text answers (and under the JSON writer) */
	struct json_out j; /* for JSON answers: write one value */
	struct control_req *next_pending, **prev_pending; /* while CONTROL_PENDING */
	control_deliver_fn deliver; /* requests of another transport: their answer's way */
	void *deliver_arg;
};

/* Runs a request: 0 when the answer is written, CONTROL_PENDING when control_done will follow,
 * or a negative errno after control_fail. */
typedef int (*control_handler_fn)(void *arg, struct control_req *r);

/* Listens on path (an old socket file there is replaced; NULL: no socket, requests come by
 * control_run_line only); handler runs each request. 0, or -errno with err set. */
int control_new(struct control **out, su_root_t *root, const char *path, control_handler_fn handler,
                void *arg, char *err, size_t errlen);
/* Runs one request line (its newline optional) that came another way than the socket; its
 * answer goes to deliver(arg, ...) once ready, now or later, exactly once. */
void control_run_line(struct control *ctl, const char *line, size_t len, control_deliver_fn deliver,
                      void *arg);
/* Replaces what the body holds by an error (JSON: {"error": msg}); returns rc. */
int control_fail(struct control_req *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a pending request's answer, or drops it when its client left, and frees it. */
void control_done(struct control_req *r);
const char *control_path(const struct control *ctl);
/* Closes every connection, frees the requests still pending (free whatever would call
 * control_done for them first: the media client) and removes the socket. */
void control_free(struct control *ctl);

#endif
