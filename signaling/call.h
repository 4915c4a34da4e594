/* A call: the caller's leg (A), the legs forked towards the callee's contacts (B), the media
 * session anchoring them, and the bookkeeping for the CDR. Owned by the b2bua; a leg points back
 * at its call without owning it. All fields are touched on the signald loop thread only. */
#ifndef SIGNALD_CALL_H
#define SIGNALD_CALL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "sip_ua.h"

#define CALL_MAX_FORKS 8

enum leg_state {
	LEG_IDLE,        /* created, nothing sent */
	LEG_CALLING,     /* INVITE sent (B) or received and being routed (A) */
	LEG_EARLY,       /* 18x seen */
	LEG_ANSWERED,    /* 2xx sent (A) or received (B), ACK pending on A */
	LEG_CONFIRMED,   /* ACKed dialog */
	LEG_TERMINATING, /* BYE/CANCEL sent or final error, waiting for the stack */
	LEG_DONE,        /* handle released */
	LEG__N,
};

struct call;
struct b2bua;
struct indialog_req;
struct call_fork;
struct codec_prefs;
struct transfer;
struct call_exec;

/* A leg's dialog as seen from outside the stack, kept so that a restarted signald can continue
 * it (call_persist.c); strings on the call's home, NULL while unknown. */
struct leg_dialog {
	char *local;   /* our From (B) or To (A) header, with our tag */
	char *remote;  /* the phone's header, with its tag */
	char *target;  /* its Contact URI */
	char *route;   /* the route set towards it, comma-separated */
	uint32_t cseq; /* the highest CSeq we used in the dialog */
};

struct leg {
	struct call *call; /* borrowed back pointer */
	ua_handle *nh;     /* owned through sip_ua_bind/sip_ua_release; NULL once released */
	bool is_a;
	unsigned index; /* B legs: fork index */
	enum leg_state state;
	int final_status;   /* final answer seen or sent on this leg, 0 while none */
	char *contact;      /* B: the contact called (on the call's home) */
	char *proxy;        /* B: NAT next hop, or the TCP connection it registered on, or NULL
	                     * (on the call's home) */
	bool proxy_is_flow; /* B: proxy is that TCP connection, which dies with the process */
	char *src_ip;       /* A: the address its INVITE came from; B: the address its contact
	                     * registered from when no NAT was seen, else NULL (on the call's home) */
	char *sdp;          /* latest SDP received on this leg (on the call's home) */
	char *sdp_sent;     /* latest SDP we sent on this leg (on the call's home) */
	struct leg_dialog dlg;
};

enum call_state {
	CALL_SETUP,    /* A authenticated and routed, media being allocated */
	CALL_RINGING,  /* B legs out */
	CALL_ANSWERED, /* a B leg answered, A answered, waiting for A's ACK */
	CALL_ACTIVE,   /* confirmed both ways */
	CALL_ENDING,   /* hangup in progress */
	CALL__N,
};

struct call {
	su_home_t home[1]; /* owns the strings of the call and its legs */
	char *call_id;     /* A leg's Call-ID, the log context */
	char *caller, *callee, *domain;
	char *caller_host, *from_tag, *destination, *user_agent;
	char *b_call_id, *b_to_tag;        /* the answering B leg's dialog */
	int64_t start_epoch, answer_epoch; /* wall clock, for sip_dialogs and the CDR */
	char *from_header, *to_header;
	struct leg a;
	struct leg b[CALL_MAX_FORKS];
	unsigned n_b;
	struct leg *winner; /* the B leg that answered, or NULL */
	enum call_state state;
	bool late_offer; /* A's INVITE had no SDP */
	bool a_ringing_sent, a_early_media;
	/* A's INVITE: Supported or Require 100rel (b2bua_prack.c) */
	bool a_100rel, a_100rel_required;
	int hangup_cause; /* Q.850 cause of the end */
	const char *hangup_side;
	const char *hangup_text; /* Reason header text instead of the cause name, or NULL */
	/* media */
	struct media_node *node; /* borrowed from media_client */
	char *session_id;        /* on the home */
	uint64_t media_instance; /* the node's instance that created the session */
	char *sdp_out;           /* last SDP built for a leg (on the home) */
	char media_error[128];   /* why negotiation failed, for the log */
	uint8_t srtp_policy[2];  /* enum srtp_policy of side A and B (sdp_srtp.h) */
	void *media_plans;       /* call_media's private negotiation state (owned by call_media) */
	uint64_t media_packets[2]; /* RTP packets received per side, from the final stats */
	unsigned rpc_pending;      /* media requests in flight: the call outlives them; counted by
	                            * call_media.c (and call_restore.c for its claim) */
	bool media_deleted;
	bool create_retried; /* CreateSession went unanswered once and was sent to another node */
	uint8_t held;        /* sides on hold by their last offer, bit 1 << side (observe.h) */
	/* timing */
	uint64_t created_ms, answered_ms, ended_ms;
	su_timer_t *timer;   /* call_timeout while ringing */
	unsigned timeout_s;  /* ring time: call_timeout variable or [call] timeout_s */
	struct b2bua *owner; /* borrowed */
	bool media_deleting;
	bool done;                   /* nothing refers to it any more: freed by the reaper */
	bool recorded;               /* has a sip_dialogs row; gets a CDR at the end */
	int64_t dialog_row;          /* its sip_dialogs key, 0 until written */
	struct leg *reinvite_from;   /* leg whose re-INVITE we are relaying, or NULL */
	struct leg *reinvite_to;     /* leg we sent the relayed re-INVITE to */
	struct ua_kept *update_kept; /* owned: the UPDATE being relayed instead of a re-INVITE */
	/* owned: in-dialog INFO/MESSAGE/NOTIFY relayed towards A [0] and the answering B leg [1],
	 * in order, the head in flight (b2bua_indialog.c) */
	struct indialog_req *indialog[2];
	/* a transfer in progress (b2bua_transfer.c; on the home), and how many were accepted */
	struct transfer *transfer;
	unsigned transfers;
	/* moving to another media node (call_move.c) */
	bool moving;
	unsigned move_wait;    /* legs whose re-INVITE answer is awaited: 1 = A, 2 = B */
	unsigned move_repoint; /* legs that answered with a new address, same bits */
	uint64_t move_ms;      /* when the node was found lost */
	char *move_sdp[2];     /* SDP for each side with the new node's ports (on the home) */
	/* taken back after a restart (call_restore.c) */
	bool restored;
	unsigned restore_wait;  /* legs whose restoring re-INVITE is unanswered: 1 = A, 2 = B */
	bool restore_failed;    /* a leg or the media session did not survive: ends once settled */
	bool claim_pending;     /* the media session is not claimed yet */
	bool claim_in_flight;   /* a ClaimSessions is out */
	bool offers_refused;    /* restored without the media state an offer needs: 488 */
	bool session_lost;      /* restored, but its node no longer has the session: moves */
	struct call *next;      /* in the b2bua's list */
	struct call **pprev;    /* the pointer to us in that list: O(1) unlink */
	struct call *reap_next; /* in the b2bua's reap list once done */

	/* What the dialplan asked beyond the first targets: failover groups, leg timeouts, the
	 * caller's early answer (b2bua_fork.c; on the home, its timers destroyed with the call). */
	struct call_fork *fork;
	/* The call's codec_string (codec_string.h), NULL: [codecs]. Points into fork. */
	const struct codec_prefs *codec_prefs;
	/* The plan's actions that run after routing and the channel variables (call_exec.c;
	 * owned, NULL for a plan that only bridged) */
	struct call_exec *exec;
	/* its recording as the node last reported it, for the CDR (rec_path on the home) */
	char *rec_path;
	uint64_t rec_duration_ms, rec_bytes;
};

/* Replaces *slot, a string on the call's home, with a copy of text (len bytes, or up to its NUL
 * when len < 0; NULL clears it) and frees the old one, so that a call's memory does not grow
 * with every re-INVITE. text may point into *slot. Returns 0, or -ENOMEM with *slot unchanged. */
static inline int call_keep_text(struct call *call, char **slot, const char *text, isize_t len)
{
	char *copy = NULL;

	if (text) {
		copy = len < 0 ? su_strdup(call->home, text) : su_strndup(call->home, text, len);
		if (!copy)
			return -ENOMEM;
	}
	su_free(call->home, *slot);
	*slot = copy;
	return 0;
}

const char *leg_state_name(enum leg_state s);
const char *call_state_name(enum call_state s);

/* The state machine (call.c): every state change goes through these, which check it against the
 * table of allowed transitions and log it at debug in the current log context. A change to the
 * same state is allowed and silent. Return 0, or -EINVAL (logged as a warning, state unchanged)
 * for a transition the table does not allow; why says what caused it, for the log. */
int call_set_state(struct call *call, enum call_state to, const char *why);
int leg_set_state(struct leg *leg, enum leg_state to, const char *why);
bool call_state_allowed(enum call_state from, enum call_state to);
bool leg_state_allowed(enum leg_state from, enum leg_state to);

/* The b2bua's list of calls (call.c). call_link puts a new call on it; call_unlink takes a call
 * being freed off it; call_find_by_session finds the live call holding a media session, or NULL.
 * call_maybe_free marks a call that nothing refers to any more (no live handle, no media request
 * in flight, no session left on the node) for the reaper, which frees it from the loop through
 * b2bua_call_free; safe to call any number of times. */
void call_link(struct b2bua *b, struct call *call);
void call_unlink(struct b2bua *b, struct call *call);
struct call *call_find_by_session(struct b2bua *b, const char *session_id);
void call_maybe_free(struct b2bua *b, struct call *call);

#endif
