/* ZAP decisions are a lookup in the client list; the User-Id handed back is the client's Z85
 * public key, which rpc_server.c reads from every message to name the session owner. */
#include "rpc_auth.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rpc.h"

/* Refused keys remembered for logging once each; past this many, further ones are counted. */
#define REFUSED_MAX 256

struct rpc_auth {
	void *zap;                           /* owned REP */
	void *mon;                           /* owned PAIR, or NULL */
	const struct rpc_allowlist *clients; /* borrowed */
	char (*refused)[RPC_KEY_Z85_LEN + 1];
	unsigned n_refused;
	uint64_t refused_unlisted;       /* refusals past REFUSED_MAX */
	uint64_t failures, failures_old; /* handshake failures, and at the last log line */
	uint64_t failures_logged_ms;
};

int rpc_auth_new(struct rpc_auth **out, void *zctx, const struct rpc_allowlist *clients)
{
	struct rpc_auth *a = calloc(1, sizeof(*a));
	int rc;

	if (!a)
		return -ENOMEM;
	a->clients = clients;
	a->refused = calloc(REFUSED_MAX, sizeof(*a->refused));
	rc = a->refused ? rpc_zap_bind(zctx, &a->zap) : -ENOMEM;
	if (rc) {
		free(a->refused);
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int rpc_auth_watch(struct rpc_auth *a, void *zctx, void *router)
{
	return rpc_monitor_open(zctx, router, "mediad-rpc", &a->mon);
}

void rpc_auth_free(struct rpc_auth *a)
{
	if (!a)
		return;
	rpc_socket_close(a->mon);
	rpc_socket_close(a->zap);
	free(a->refused);
	free(a);
}

int rpc_auth_fds(const struct rpc_auth *a, int fds[2])
{
	int n = 0;

	fds[n++] = rpc_socket_fd(a->zap);
	if (a->mon)
		fds[n++] = rpc_socket_fd(a->mon);
	return n;
}

/* True the first time key is refused. */
static bool first_refusal(struct rpc_auth *a, const char *key)
{
	for (unsigned i = 0; i < a->n_refused; i++)
		if (strcmp(a->refused[i], key) == 0)
			return false;
	if (a->n_refused == REFUSED_MAX) {
		if (!a->refused_unlisted++)
			log_warn("rpc",
			         "more than %d client keys refused: further ones are not "
			         "logged one by one",
			         REFUSED_MAX);
		return false;
	}
	memcpy(a->refused[a->n_refused++], key, RPC_KEY_Z85_LEN + 1);
	return true;
}

static void serve_zap(struct rpc_auth *a)
{
	struct rpc_zap_request req;
	int budget = 64;

	while (budget-- > 0 && rpc_has_input(a->zap)) {
		const struct rpc_client_key *c;
		int rc = rpc_zap_recv(a->zap, &req);

		if (rc == -EAGAIN)
			break;
		if (rc) {
			log_warn("rpc", "malformed ZAP request refused");
			continue;
		}
		c = req.key[0] ? rpc_allowlist_find(a->clients, req.key) : NULL;
		if (c) {
			log_debug("rpc", "client key %s (%s%s) connected from %s", c->name, c->key,
			          c->role == RPC_ROLE_ADMIN ? ", admin" : "", req.address);
			rpc_zap_reply(a->zap, &req, true, c->key);
			continue;
		}
		if (first_refusal(a, req.key[0] ? req.key : "(none)"))
			log_warn("rpc",
			         "client key %s from %s refused: not in [mediad] rpc_clients_file "
			         "(logged once per key)",
			         req.key[0] ? req.key : "(none)", req.address);
		rpc_zap_reply(a->zap, &req, false, NULL);
	}
}

static void read_monitor(struct rpc_auth *a, uint64_t now_ms)
{
	char what[128];
	int budget = 64;

	while (a->mon && budget-- > 0 && rpc_has_input(a->mon)) {
		if (rpc_monitor_recv(a->mon, what, sizeof(what)))
			break;
		/* Refused keys were logged by the ZAP handler already. */
		if (strncmp(what, "key refused", 11) == 0)
			continue;
		/* The same refused client may show as a mechanism mismatch or as a broken
		 * connection, whichever side closes first: log the first, count the rest. */
		if (!a->failures++) {
			log_warn("rpc",
			         "RPC handshake refused: %s (a client without a CURVE key or with "
			         "another node's public key); further failures are counted once a "
			         "minute",
			         what);
			a->failures_old = a->failures;
			a->failures_logged_ms = now_ms;
		}
	}
	if (a->failures > a->failures_old && now_ms - a->failures_logged_ms >= 60000) {
		log_warn("rpc", "%llu more RPC handshake failures in the last minute",
		         (unsigned long long)(a->failures - a->failures_old));
		a->failures_old = a->failures;
		a->failures_logged_ms = now_ms;
	}
}

void rpc_auth_drain(struct rpc_auth *a, uint64_t now_ms)
{
	serve_zap(a);
	read_monitor(a, now_ms);
}
