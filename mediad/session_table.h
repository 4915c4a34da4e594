/* The control thread's sessions: what it needs to answer requests and to give ports back, found
 * by session id, by Call-ID or by the numeric key workers use. The relay state of a session
 * (sockets, remotes, counters) lives in its worker and is never reached from here.
 *
 * Control thread only. The table indexes sessions but does not own them: session_new/free. */
#ifndef MEDIAD_SESSION_TABLE_H
#define MEDIAD_SESSION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session_snapshot.h"

struct owner;
struct recording;
struct wmsg;

/* A recording once complete, for SessionInfo.recording. */
struct rec_final {
	char path[1024];
	uint64_t duration_ms, bytes;
	char note[320];
};

#define SESSION_ID_LEN 80

struct session_stream {
	uint8_t kind;
	bool removed;     /* its ports are back in the pool */
	uint16_t port[2]; /* leased RTP port of leg A and leg B */
	bool mux[2];
	uint8_t te_pt[2];    /* telephone-event payload type per leg, 0 = none */
	uint8_t codec_pt[2]; /* the negotiated audio payload type */
	uint8_t law[2];      /* enum g711_law of the codec */
	char codec[2][16];   /* its name as the client gave it, for messages */
};

struct session {
	uint32_t key; /* non-zero, unique while the session exists */
	char id[SESSION_ID_LEN];
	char *call_id;       /* owned */
	char *owner_tag;     /* owned; the creator's label, for logs */
	char *tag[2];        /* owned; SIP tags of legs A and B */
	struct owner *owner; /* counted reference: owners_put() when freed */
	uint64_t instance;   /* the owner's Envelope.instance that created it; 0 = not told */
	uint64_t created_ms;
	unsigned worker;
	bool strict;
	uint32_t timeout_ms;      /* as requested; 0 = the node's default */
	uint32_t hold_timeout_ms; /* while on hold; 0 = never */
	uint32_t n_streams;
	struct session_stream streams[SESSION_MAX_STREAMS];
	bool deleting;     /* out of the indexes; the worker is closing it */
	bool closed;       /* the worker let go of it and its ports are back in the pool */
	unsigned inflight; /* messages at the worker, and a recording not yet complete */
	/* Media applications (apps_rpc.c). */
	struct recording *rec;       /* running: the writer's until it hands it back; NULL: none */
	struct rec_final *rec_final; /* owned; the last recording once complete */
	void *rec_stop;              /* owned struct rpc_peer: a StopRecording waiting for it */
	struct wmsg *rec_wait;       /* a DELETE answer held until the recording is complete */
	struct session *next_by_id, *next_by_call; /* index chains */
};

struct session_table;

int session_table_new(struct session_table **out);
/* Frees the indexes only; sessions still in it are the caller's. */
void session_table_free(struct session_table *t);

/* Indexes s. Returns 0, -EEXIST (same id or Call-ID present) or -ENOMEM. */
int session_table_add(struct session_table *t, struct session *s);
/* Removes s from every index (a no-op if absent). */
void session_table_remove(struct session_table *t, struct session *s);

struct session *session_table_by_id(const struct session_table *t, const char *id);
struct session *session_table_by_call(const struct session_table *t, const char *call_id);
struct session *session_table_by_key(const struct session_table *t, uint32_t key);
unsigned session_table_count(const struct session_table *t);
/* Iteration in no particular order: for (size_t i = 0; (s = session_table_next(t, &i));).
 * The table must not change while iterating. */
struct session *session_table_next(const struct session_table *t, size_t *pos);

/* A zeroed session with copies of the strings (NULL taken as ""). NULL on ENOMEM. */
struct session *session_new(const char *call_id, const char *owner_tag, const char *tag_a,
                            const char *tag_b);
void session_free(struct session *s);

#endif
