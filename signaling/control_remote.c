/* ZeroMQ's descriptors signal changes, not levels: every wakeup reads until ZMQ_EVENTS says
 * nothing is left, and every answer sent is followed by such a read too, since a send may
 * consume the notice of a request that arrived meanwhile. */
#include "control_remote.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "rpc.h"
#include "rpc_keys.h"

#define ID_MAX 256

struct control_remote {
	su_root_t *root;     /* borrowed */
	struct control *ctl; /* borrowed */
	void *zctx;          /* owned: its own, for its own ZAP handler */
	void *router, *zap;
	int router_wait, zap_wait;
	struct rpc_allowlist clients;
	bool reading;      /* in read_requests: an answer sent from within does not recurse */
	unsigned inflight; /* requests whose answer has not come back */
};

/* Who to answer: the client's routing id. */
struct remote_req {
	struct control_remote *cr;
	size_t id_len;
	unsigned char id[ID_MAX];
};

static void read_requests(struct control_remote *cr);

static void deliver(void *arg, const char *answer, size_t len)
{
	struct remote_req *q = arg;
	struct control_remote *cr = q->cr;

	cr->inflight--;
	if (answer && (zmq_send(cr->router, q->id, q->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	               zmq_send(cr->router, answer, len, ZMQ_DONTWAIT) < 0))
		log_debug("control", "remote answer not sent: %s", zmq_strerror(zmq_errno()));
	free(q);
	if (answer && !cr->reading)
		read_requests(cr);
}

/* Each request: [routing id][line]. Anything else is dropped. */
static void read_requests(struct control_remote *cr)
{
	cr->reading = true;
	while (rpc_has_input(cr->router)) {
		struct remote_req *q = calloc(1, sizeof(*q));
		zmq_msg_t line;
		int more = 0, n;
		size_t ml = sizeof(more);

		n = q ? zmq_recv(cr->router, q->id, sizeof(q->id), ZMQ_DONTWAIT) : -1;
		if (n < 0 || (size_t)n > sizeof(q->id)) {
			free(q);
			if (n < 0)
				break;
			continue;
		}
		q->cr = cr;
		q->id_len = (size_t)n;
		zmq_getsockopt(cr->router, ZMQ_RCVMORE, &more, &ml);
		if (!more) {
			free(q);
			continue;
		}
		zmq_msg_init(&line);
		if (zmq_msg_recv(&line, cr->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&line);
			free(q);
			continue;
		}
		zmq_getsockopt(cr->router, ZMQ_RCVMORE, &more, &ml);
		if (more) { /* one frame only: the rest of such a message goes */
			while (more && zmq_recv(cr->router, NULL, 0, ZMQ_DONTWAIT) >= 0)
				zmq_getsockopt(cr->router, ZMQ_RCVMORE, &more, &ml);
			zmq_msg_close(&line);
			free(q);
			continue;
		}
		cr->inflight++;
		control_run_line(cr->ctl, zmq_msg_data(&line), zmq_msg_size(&line), deliver, q);
		zmq_msg_close(&line);
	}
	cr->reading = false;
}

static int on_router(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct control_remote *cr = (struct control_remote *)arg;

	su_wait_events(w, rpc_socket_fd(cr->router));
	read_requests(cr);
	return 0;
}

/* Only the allowlist's admin keys may drive the node. */
static int on_zap(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct control_remote *cr = (struct control_remote *)arg;
	struct rpc_zap_request req;
	int rc;

	su_wait_events(w, rpc_socket_fd(cr->zap));
	while ((rc = rpc_zap_recv(cr->zap, &req)) != -EAGAIN) {
		const struct rpc_client_key *k;

		if (rc)
			continue;
		k = req.key[0] ? rpc_allowlist_find(&cr->clients, req.key) : NULL;
		if (k && k->role == RPC_ROLE_ADMIN) {
			rpc_zap_reply(cr->zap, &req, true, k->name);
			log_info("control", "remote control client %s (%s) let in", k->name,
			         req.address);
		} else {
			rpc_zap_reply(cr->zap, &req, false, NULL);
			log_notice("control", "remote control client %s refused: %s", req.address,
			           k ? "not an admin key"
			             : "key not in [control] remote_clients_file");
		}
	}
	return 0;
}

static int watch(struct control_remote *cr, void *sock, su_wakeup_f fn, int *index)
{
	su_wait_t w;

	if (su_wait_create(&w, rpc_socket_fd(sock), SU_WAIT_IN) != 0)
		return -EIO;
	*index = su_root_register(cr->root, &w, fn, (su_wakeup_arg_t *)cr, 0);
	if (*index <= 0) {
		su_wait_destroy(&w);
		return -EIO;
	}
	return 0;
}

int control_remote_new(struct control_remote **out, su_root_t *root, struct control *ctl,
                       const char *endpoint, const char *key_file, const char *clients_file,
                       char *err, size_t errlen)
{
	struct control_remote *cr = calloc(1, sizeof(*cr));
	struct rpc_keypair kp;
	char why[512];
	int rc;

	if (!cr)
		return -ENOMEM;
	cr->root = root;
	cr->ctl = ctl;
	if (!key_file || !clients_file) {
		snprintf(err, errlen,
		         "[control] remote_listen: needs remote_key_file and remote_clients_file "
		         "(remote control is never open without keys)");
		free(cr);
		return -EINVAL;
	}
	if (rpc_key_load_secret(key_file, &kp, why, sizeof(why))) {
		snprintf(err, errlen, "[control] remote_key_file: %s", why);
		free(cr);
		return -EINVAL;
	}
	if (rpc_allowlist_load(clients_file, &cr->clients, why, sizeof(why))) {
		snprintf(err, errlen, "[control] remote_clients_file: %s", why);
		memset(&kp, 0, sizeof(kp));
		free(cr);
		return -EINVAL;
	}
	cr->zctx = rpc_context_new();
	rc = cr->zctx ? rpc_zap_bind(cr->zctx, &cr->zap) : -ENOMEM;
	if (!rc)
		rc = rpc_router_bind_curve(cr->zctx, endpoint, kp.secret_key, &cr->router);
	memset(&kp, 0, sizeof(kp));
	if (!rc)
		rc = watch(cr, cr->zap, on_zap, &cr->zap_wait);
	if (!rc)
		rc = watch(cr, cr->router, on_router, &cr->router_wait);
	if (rc) {
		snprintf(err, errlen, "[control] remote_listen: cannot serve %s: %s", endpoint,
		         strerror(-rc));
		control_remote_free(cr);
		return rc;
	}
	log_notice("control", "remote control on %s (CURVE, %zu key(s) listed)", endpoint,
	           cr->clients.n);
	*out = cr;
	return 0;
}

void control_remote_free(struct control_remote *cr)
{
	if (!cr)
		return;
	if (cr->router_wait > 0)
		su_root_deregister(cr->root, cr->router_wait);
	if (cr->zap_wait > 0)
		su_root_deregister(cr->root, cr->zap_wait);
	rpc_socket_close(cr->router);
	rpc_socket_close(cr->zap);
	rpc_context_free(cr->zctx);
	rpc_allowlist_free(&cr->clients);
	free(cr);
}
