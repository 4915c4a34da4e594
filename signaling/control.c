/* Each connection is a small state machine on the loop: reading its line (SU_WAIT_IN), waiting
 * for a pending handler, writing its answer (SU_WAIT_OUT while the socket is full), closed. The
 * listening socket and every connection are non-blocking. */
#include "control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

struct control_conn {
	struct control *ctl;
	int fd;
	int wait_index;
	uint64_t opened_ms;
	size_t got; /* bytes of the line read */
	struct control_req *req;
	char *reply; /* status line and body, being written */
	size_t reply_len, sent;
	bool writing;
};

struct control {
	su_root_t *root; /* borrowed */
	char *path;
	int fd;
	int wait_index;
	su_timer_t *sweep;
	control_handler_fn handler;
	void *arg;
	struct control_conn *conns[CONTROL_MAX_CONNS];
	struct control_req *pending; /* requests whose handler has not called control_done */
	dev_t dev;                   /* the socket file we made: removed at the end if still it */
	ino_t ino;
};

/* Closing a Unix socket with unread input resets the peer, which then loses the answer it
 * has not read yet: what a client sent past its line (at most 64 KiB) is read away first. */
static void drain_input(int fd)
{
	char scratch[4096];

	for (int i = 0; i < 16; i++)
		if (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			return;
}

static void conn_close(struct control_conn *c)
{
	struct control *ctl = c->ctl;

	for (unsigned i = 0; i < CONTROL_MAX_CONNS; i++)
		if (ctl->conns[i] == c)
			ctl->conns[i] = NULL;
	if (c->wait_index > 0)
		su_root_deregister(ctl->root, c->wait_index);
	drain_input(c->fd);
	close(c->fd);
	if (c->req)
		c->req->conn = NULL; /* freed by control_done */
	free(c->reply);
	free(c);
}

static void req_free(struct control_req *r)
{
	if (r->out)
		fclose(r->out);
	free(r->body);
	free(r);
}

/* Writes what the socket takes now; closes once all is sent or the client is gone. */
static void conn_write(struct control_conn *c)
{
	while (c->sent < c->reply_len) {
		ssize_t n = send(c->fd, c->reply + c->sent, c->reply_len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->writing)
				su_root_eventmask(c->ctl->root, c->wait_index, c->fd, SU_WAIT_OUT);
			c->writing = true;
			return;
		}
		if (n <= 0)
			break;
		c->sent += (size_t)n;
	}
	conn_close(c);
}

/* The answer of r, to its connection (if any), and r freed. */
static void finish(struct control_req *r)
{
	struct control_conn *c = r->conn;
	char *answer = NULL;
	size_t len = 0;
	FILE *f;

	if (r->out) {
		if (r->json && !r->failed)
			fputc('\n', r->out);
		fclose(r->out);
		r->out = NULL;
	}
	if (!c && !r->deliver) {
		req_free(r);
		return;
	}
	f = open_memstream(&answer, &len);
	if (f) {
		fprintf(f, "%s\n", r->failed ? "ERR" : "OK");
		if (r->body)
			fwrite(r->body, 1, r->len, f);
		if (fclose(f)) {
			free(answer);
			answer = NULL;
			len = 0;
		}
	}
	if (r->deliver) {
		r->deliver(r->deliver_arg, answer ? answer : "ERR\n", answer ? len : 4);
		free(answer);
		req_free(r);
		return;
	}
	c->req = NULL;
	c->reply = answer;
	c->reply_len = len;
	req_free(r);
	conn_write(c);
}

int control_fail(struct control_req *r, int rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Whatever was written so far goes: the body is the error alone. */
	if (r->out)
		fclose(r->out);
	free(r->body);
	r->body = NULL;
	r->len = 0;
	r->failed = true;
	r->out = open_memstream(&r->body, &r->len);
	if (!r->out)
		return rc;
	if (r->json) {
		json_out_init(&r->j, r->out);
		json_obj_begin(&r->j, NULL);
		json_str(&r->j, "error", msg);
		json_obj_end(&r->j);
		fputc('\n', r->out);
	} else {
		fprintf(r->out, "%s\n", msg);
	}
	return rc;
}

static void unlink_pending(struct control_req *r)
{
	*r->prev_pending = r->next_pending;
	if (r->next_pending)
		r->next_pending->prev_pending = r->prev_pending;
}

void control_done(struct control_req *r)
{
	unlink_pending(r);
	finish(r);
}

/* Splits the line into words and runs the handler. */
static void run_req(struct control *ctl, struct control_req *r)
{
	char *save = NULL, *w;
	int rc;

	r->out = open_memstream(&r->body, &r->len);
	if (!r->out) {
		r->failed = true;
		finish(r);
		return;
	}
	w = strtok_r(r->line, " \t\r", &save);
	if (w && strcmp(w, "json") == 0)
		r->json = true;
	else if (!w || strcmp(w, "text") != 0) {
		control_fail(r, -EINVAL, "a request is: json|text COMMAND [ARG]...");
		finish(r);
		return;
	}
	json_out_init(&r->j, r->out);
	while ((w = strtok_r(NULL, " \t\r", &save)) != NULL) {
		if (r->argc == CONTROL_MAX_ARGS) {
			control_fail(r, -E2BIG, "too many words (at most %d)", CONTROL_MAX_ARGS);
			finish(r);
			return;
		}
		r->argv[r->argc++] = w;
	}
	if (!r->argc) {
		control_fail(r, -EINVAL, "no command");
		finish(r);
		return;
	}
	rc = ctl->handler(ctl->arg, r);
	if (rc == CONTROL_PENDING) {
		r->next_pending = ctl->pending;
		if (ctl->pending)
			ctl->pending->prev_pending = &r->next_pending;
		r->prev_pending = &ctl->pending;
		ctl->pending = r;
		return;
	}
	if (rc < 0 && !r->failed)
		control_fail(r, rc, "%s: %s", r->argv[0], strerror(-rc));
	finish(r);
}

void control_run_line(struct control *ctl, const char *line, size_t len, control_deliver_fn deliver,
                      void *arg)
{
	struct control_req *r = calloc(1, sizeof(*r));

	if (!r) {
		deliver(arg, "ERR\n", 4);
		return;
	}
	r->ctl = ctl;
	r->deliver = deliver;
	r->deliver_arg = arg;
	if (len && line[len - 1] == '\n')
		len--;
	if (len >= sizeof(r->line) || memchr(line, '\n', len) || memchr(line, '\0', len)) {
		r->out = open_memstream(&r->body, &r->len);
		control_fail(r, -EINVAL, "a request is one line of at most %d bytes",
		             CONTROL_LINE_MAX - 1);
		finish(r);
		return;
	}
	memcpy(r->line, line, len);
	r->line[len] = '\0';
	run_req(ctl, r);
}

static void conn_read(struct control_conn *c)
{
	struct control_req *r = c->req;

	for (;;) {
		ssize_t n = recv(c->fd, r->line + c->got, sizeof(r->line) - 1 - c->got, 0);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(c);
			req_free(r);
			return;
		}
		c->got += (size_t)n;
		r->line[c->got] = '\0';
		nl = memchr(r->line, '\n', c->got);
		if (nl) {
			*nl = '\0';
			/* One request: anything after the line is not read. */
			su_root_eventmask(c->ctl->root, c->wait_index, c->fd, 0);
			run_req(c->ctl, r);
			return;
		}
		if (c->got == sizeof(r->line) - 1) {
			r->out = open_memstream(&r->body, &r->len);
			control_fail(r, -E2BIG, "request line longer than %d bytes",
			             CONTROL_LINE_MAX - 1);
			finish(r);
			return;
		}
	}
}

static int on_conn(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct control_conn *c = (struct control_conn *)arg;
	int events = su_wait_events(w, c->fd);

	if (c->writing) {
		if (events & (SU_WAIT_OUT | SU_WAIT_ERR | SU_WAIT_HUP))
			conn_write(c);
		return 0;
	}
	if (c->req && !c->req->argc && !c->req->out)
		conn_read(c);
	else if (events & (SU_WAIT_ERR | SU_WAIT_HUP))
		conn_close(c); /* left while its request is pending */
	return 0;
}

static int on_accept(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct control *ctl = (struct control *)arg;
	int fd;

	su_wait_events(w, ctl->fd);
	while ((fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct control_conn *c = NULL;
		unsigned slot = CONTROL_MAX_CONNS;
		su_wait_t cw;

		for (unsigned i = 0; i < CONTROL_MAX_CONNS && slot == CONTROL_MAX_CONNS; i++)
			if (!ctl->conns[i])
				slot = i;
		if (slot < CONTROL_MAX_CONNS)
			c = calloc(1, sizeof(*c));
		if (c)
			c->req = calloc(1, sizeof(*c->req));
		if (!c || !c->req || su_wait_create(&cw, fd, SU_WAIT_IN | SU_WAIT_HUP) != 0) {
			static const char busy[] = "ERR\ntoo many control connections\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("control", "refused a connection: %s", strerror(errno));
			drain_input(fd);
			close(fd);
			if (c)
				free(c->req);
			free(c);
			continue;
		}
		c->ctl = ctl;
		c->fd = fd;
		c->opened_ms = clock_mono_ms();
		c->req->ctl = ctl;
		c->req->conn = c;
		c->wait_index = su_root_register(ctl->root, &cw, on_conn, (su_wakeup_arg_t *)c, 0);
		if (c->wait_index <= 0) {
			su_wait_destroy(&cw);
			close(fd);
			free(c->req);
			free(c);
			continue;
		}
		ctl->conns[slot] = c;
	}
	return 0;
}

/* A client that has not sent its line in CONTROL_IDLE_S is closed. */
static void on_sweep(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct control *ctl = (struct control *)arg;
	uint64_t now = clock_mono_ms();

	for (unsigned i = 0; i < CONTROL_MAX_CONNS; i++) {
		struct control_conn *c = ctl->conns[i];

		if (!c || now - c->opened_ms < CONTROL_IDLE_S * 1000u)
			continue;
		if (c->req && !c->req->out) {
			struct control_req *r = c->req;

			conn_close(c);
			req_free(r);
		} else if (c->writing) {
			conn_close(c);
		}
	}
}

int control_new(struct control **out, su_root_t *root, const char *path, control_handler_fn handler,
                void *arg, char *err, size_t errlen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	su_wait_t w;
	int rc;

	if (!ctl)
		return -ENOMEM;
	ctl->root = root;
	ctl->handler = handler;
	ctl->arg = arg;
	ctl->fd = -1;
	if (!path) {
		*out = ctl;
		return 0;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "[control] socket: path longer than %zu bytes: %s",
		         sizeof(sa.sun_path) - 1, path);
		free(ctl);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ctl->path = strdup(path);
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!ctl->path || ctl->fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* A socket file left by a process that died is replaced; anything else is not ours. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0660) != 0 ||
	    listen(ctl->fd, CONTROL_MAX_CONNS) != 0 || lstat(path, &st) != 0) {
		rc = -errno;
		goto fail;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	if (su_wait_create(&w, ctl->fd, SU_WAIT_IN) != 0) {
		rc = -EIO;
		goto fail;
	}
	ctl->wait_index = su_root_register(root, &w, on_accept, (su_wakeup_arg_t *)ctl, 0);
	if (ctl->wait_index <= 0) {
		su_wait_destroy(&w);
		rc = -EIO;
		goto fail;
	}
	ctl->sweep = su_timer_create(su_root_task(root), 1000);
	if (!ctl->sweep || su_timer_set_for_ever(ctl->sweep, on_sweep, (su_timer_arg_t *)ctl)) {
		rc = -ENOMEM;
		goto fail;
	}
	log_notice("control", "control socket %s", path);
	*out = ctl;
	return 0;
fail:
	snprintf(err, errlen, "[control] socket: cannot listen on %s: %s", path, strerror(-rc));
	control_free(ctl);
	return rc;
}

const char *control_path(const struct control *ctl)
{
	return ctl ? ctl->path : NULL;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	for (unsigned i = 0; i < CONTROL_MAX_CONNS; i++)
		if (ctl->conns[i]) {
			struct control_conn *c = ctl->conns[i];
			struct control_req *r = c->req;
			bool idle = r && !r->out;

			conn_close(c);
			if (idle)
				req_free(r);
		}
	while (ctl->pending) {
		struct control_req *r = ctl->pending;

		unlink_pending(r);
		if (r->deliver)
			r->deliver(r->deliver_arg, NULL, 0);
		req_free(r);
	}
	if (ctl->sweep)
		su_timer_destroy(ctl->sweep);
	if (ctl->wait_index > 0)
		su_root_deregister(ctl->root, ctl->wait_index);
	if (ctl->fd >= 0) {
		struct stat st;

		close(ctl->fd);
		/* Another process may have taken the path over since: its socket stays. */
		if (ctl->path && ctl->ino && lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
		    st.st_ino == ctl->ino)
			unlink(ctl->path);
	}
	free(ctl->path);
	free(ctl);
}
