/* Persistent signalling state behind a domain-level interface: registrations now (FreeSWITCH's
 * sip_registrations), dialogs later. A backend fills in struct store_ops; callers use the
 * store_* wrappers and never see SQL, so a PostgreSQL backend can be added without touching the
 * registrar. Calls are synchronous and run on the signalling loop (SQLite answers in
 * microseconds); every function returns 0 or a negative errno. Single-threaded. */
#ifndef SIGNALD_STORE_H
#define SIGNALD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One binding of an address-of-record to a contact. Column names follow sip_registrations. */
struct store_reg {
	char *call_id;
	uint32_t cseq;
	char *sip_user;   /* AOR user (To) */
	char *sip_host;   /* AOR host (To) */
	char *contact;    /* contact URI, without <> and header params */
	char *status;     /* e.g. "Registered(UDP-NAT)" */
	int64_t expires;  /* absolute unix time */
	char *user_agent; /* may be "" */
	char *network_ip; /* where the REGISTER came from (route here when nat) */
	unsigned network_port;
	char *network_proto; /* "udp", "tcp", "tls" */
	char *sip_username;  /* authenticated user */
	char *sip_realm;     /* realm it authenticated in; lookups key on it */
	char *hostname;      /* node that accepted the registration */
	char *profile_name;  /* SIP profile (listen address) it arrived on */
	bool nat;            /* contact differs from the source: route via network_ip:port */
};

/* A list returned by lookups; the strings and the array are owned by the list. */
struct store_reg_list {
	struct store_reg *v;
	size_t n;
};

void store_reg_list_free(struct store_reg_list *l);

/* A live call, as FreeSWITCH's sip_dialogs has it, plus where its media is. Strings borrowed.
 * A row is keyed by an id the store gives it on the first save, not by the Call-ID, which the
 * caller chooses and another call may repeat. */
struct store_dialog {
	const char *call_id;   /* A leg's Call-ID */
	const char *b_call_id; /* the answering B leg's, "" until answered */
	const char *state;     /* setup, ringing, answered, active, ending */
	const char *from_user, *from_host, *from_tag;
	const char *to_user, *to_host, *to_tag;
	const char *contact; /* the B contact that answered */
	const char *user_agent;
	const char *media_node, *media_session;
	const char *hostname;      /* signald node */
	int64_t created, answered; /* unix time; answered 0 while unanswered */
};

/* One finished call. Strings borrowed. */
struct store_cdr {
	const char *call_id, *caller, *callee, *destination, *contact;
	int64_t start_epoch, answer_epoch, end_epoch; /* answer 0 when never answered */
	int64_t duration_ms, billsec;
	const char *hangup_cause; /* FreeSWITCH name, e.g. NORMAL_CLEARING */
	int q850_cause;
	const char *hangup_side; /* caller, callee, media, timeout, switch, dialplan */
	int sip_status;          /* final status sent to the caller (200 when answered) */
	const char *media_node, *media_session;
	uint64_t rtp_packets_a, rtp_packets_b; /* RTP received from each side (final stats) */
	const char *hostname;
	/* record_session's file on the media node ("" or NULL: none), its audio and size */
	const char *record_path;
	uint64_t record_ms, record_bytes;
};

/* What continuing a confirmed call after a restart takes (sip_calls, one row per call next to
 * its sip_dialogs row): both legs' dialogs, the SDP each leg last got and sent, the media session
 * and the CDR's start. Strings borrowed; "" when unknown. */
enum store_call_text {
	SC_CALL_ID,
	SC_B_CALL_ID,
	SC_CALLER,
	SC_CALLER_HOST,
	SC_CALLEE,
	SC_DESTINATION,
	SC_FROM_TAG,
	SC_USER_AGENT,
	SC_FROM_HEADER, /* A's From and To as received: the B legs' From/To */
	SC_TO_HEADER,
	SC_CONTACT,             /* the B contact that answered */
	SC_MEDIA_NODE,          /* the node's RPC endpoint */
	SC_MEDIA_SESSION,       /* its session id */
	SC_LEGS,                /* per leg (A, then B), SC_LEG__N strings each: */
	SC__N = SC_LEGS + 2 * 8 /* 2 * SC_LEG__N */
};
enum store_call_leg_text {
	SC_LEG_LOCAL,    /* our end of the dialog: From or To with our tag, as printed */
	SC_LEG_REMOTE,   /* the phone's end, with its tag */
	SC_LEG_TARGET,   /* its remote target (Contact URI) */
	SC_LEG_ROUTE,    /* route set, comma-separated, "" when none */
	SC_LEG_PROXY,    /* NAT next hop for requests to it, "" when none */
	SC_LEG_SRC_IP,   /* where its SIP came from */
	SC_LEG_SDP,      /* SDP it last sent us */
	SC_LEG_SDP_SENT, /* SDP we last sent it */
	SC_LEG__N
};
#define SC_LEG(side, field) (SC_LEGS + (side)*SC_LEG__N + (field))

struct store_call {
	int64_t dialog_id; /* the call's sip_dialogs row */
	const char *text[SC__N];
	int64_t start_epoch, answer_epoch;
	uint64_t media_instance; /* the node's instance that made the session */
	uint32_t cseq[2];        /* highest CSeq we used in each leg's dialog, 0 for none */
};

/* Called for each call a restarting node takes over; 0 takes it (the row becomes the calling
 * process's), anything else leaves it to be dropped with the other orphans. */
typedef int (*store_call_fn)(void *arg, const struct store_call *c);

struct store;

struct store_ops {
	const char *name;
	int (*begin)(struct store *st);
	int (*commit)(struct store *st);
	void (*rollback)(struct store *st);
	/* Inserts or replaces the binding (sip_realm, sip_user, contact). */
	int (*reg_save)(struct store *st, const struct store_reg *r);
	/* Live bindings (expires > now) of user in realm, soonest-expiring last. */
	int (*reg_lookup)(struct store *st, const char *user, const char *realm, int64_t now,
	                  struct store_reg_list *out);
	/* Every live binding, by user, at most limit of them. */
	int (*reg_list)(struct store *st, int64_t now, size_t limit, struct store_reg_list *out);
	/* Removes one binding, or all of the user's when contact is NULL. */
	int (*reg_remove)(struct store *st, const char *user, const char *realm,
	                  const char *contact);
	/* Removes bindings with expires <= now; *removed (may be NULL) gets the count. */
	int (*reg_purge_expired)(struct store *st, int64_t now, unsigned *removed);
	/* Number of live bindings in total. */
	int (*reg_count)(struct store *st, int64_t now, unsigned *count);
	/* *id 0: inserts a row and sets *id to its key; else updates row *id. The row records the
	 * calling process as its owner, next to d->hostname. */
	int (*dialog_save)(struct store *st, const struct store_dialog *d, int64_t *id);
	int (*dialog_remove)(struct store *st, int64_t id);
	/* At start-up: the rows of node hostname that no live process owns any more (written by
	 * an earlier process of this node, which ended without removing them: a crash), other
	 * than those call_take_orphans took back, are deleted; *removed (may be NULL) gets the
	 * count. */
	int (*dialog_drop_orphans)(struct store *st, const char *hostname, unsigned *removed);
	int (*dialog_count)(struct store *st, unsigned *count);
	/* Inserts or replaces the sip_calls row of c->dialog_id (removed with that sip_dialogs
	 * row). Batched like dialog_save. */
	int (*call_save)(struct store *st, const struct store_call *c);
	/* At start-up, before dialog_drop_orphans: each orphan row of node hostname that has a
	 * sip_calls row is given to fn; those fn takes become the calling process's rows.
	 * *taken (may be NULL) gets their count. */
	int (*call_take_orphans)(struct store *st, const char *hostname, store_call_fn fn,
	                         void *arg, unsigned *taken);
	int (*cdr_add)(struct store *st, const struct store_cdr *c);
	/* dialog_save, dialog_remove and cdr_add may be held in an open transaction until this
	 * commits them (the owner calls it on a short timer; begin and close flush first). */
	int (*flush)(struct store *st);
	void (*close)(struct store *st);
};

/* Backends embed this first. */
struct store {
	const struct store_ops *ops;
	/* Called when a batch of dialog/CDR writes opens, so the owner can schedule store_flush
	 * only when there is something to commit. Optional; set with store_set_batch_hook. */
	void (*batch_opened)(void *arg);
	void *batch_arg;
};

static inline void store_set_batch_hook(struct store *st, void (*fn)(void *), void *arg)
{
	st->batch_opened = fn;
	st->batch_arg = arg;
}

/* Opens the backend named driver ("sqlite") at path. err gets "path: problem" on failure. */
int store_open(struct store **out, const char *driver, const char *path, char *err, size_t errlen);

static inline int store_begin(struct store *st)
{
	return st->ops->begin(st);
}
static inline int store_flush(struct store *st)
{
	return st->ops->flush(st);
}
static inline int store_commit(struct store *st)
{
	return st->ops->commit(st);
}
static inline void store_rollback(struct store *st)
{
	st->ops->rollback(st);
}
static inline int store_reg_save(struct store *st, const struct store_reg *r)
{
	return st->ops->reg_save(st, r);
}
static inline int store_reg_lookup(struct store *st, const char *user, const char *realm,
                                   int64_t now, struct store_reg_list *out)
{
	return st->ops->reg_lookup(st, user, realm, now, out);
}
static inline int store_reg_list(struct store *st, int64_t now, size_t limit,
                                 struct store_reg_list *out)
{
	return st->ops->reg_list(st, now, limit, out);
}

static inline int store_reg_remove(struct store *st, const char *user, const char *realm,
                                   const char *contact)
{
	return st->ops->reg_remove(st, user, realm, contact);
}
static inline int store_reg_purge_expired(struct store *st, int64_t now, unsigned *removed)
{
	return st->ops->reg_purge_expired(st, now, removed);
}
static inline int store_reg_count(struct store *st, int64_t now, unsigned *count)
{
	return st->ops->reg_count(st, now, count);
}
static inline int store_dialog_save(struct store *st, const struct store_dialog *d, int64_t *id)
{
	return st->ops->dialog_save(st, d, id);
}
static inline int store_dialog_remove(struct store *st, int64_t id)
{
	return st->ops->dialog_remove(st, id);
}
static inline int store_dialog_drop_orphans(struct store *st, const char *hostname,
                                            unsigned *removed)
{
	return st->ops->dialog_drop_orphans(st, hostname, removed);
}
static inline int store_dialog_count(struct store *st, unsigned *count)
{
	return st->ops->dialog_count(st, count);
}
static inline int store_call_save(struct store *st, const struct store_call *c)
{
	return st->ops->call_save(st, c);
}
static inline int store_call_take_orphans(struct store *st, const char *hostname, store_call_fn fn,
                                          void *arg, unsigned *taken)
{
	return st->ops->call_take_orphans(st, hostname, fn, arg, taken);
}
static inline int store_cdr_add(struct store *st, const struct store_cdr *c)
{
	return st->ops->cdr_add(st, c);
}
static inline void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

#endif
