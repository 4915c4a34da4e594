/* Shared between the b2bua's files (b2bua.c: call setup and teardown; b2bua_reinvite.c:
 * mid-call offers). Not for other modules. */
#ifndef SIGNALD_B2BUA_INTERNAL_H
#define SIGNALD_B2BUA_INTERNAL_H

#include "b2bua.h"
#include "b2bua_deps.h"
#include "call.h"
#include "call_media.h"
#include "hangup_cause.h"
#include "log.h"
#include "overload.h"

struct b2bua {
	su_root_t *root;                  /* borrowed */
	const struct signald_config *cfg; /* borrowed */
	struct media_client *media;       /* borrowed */
	struct b2bua_deps deps;           /* borrowed modules */
	struct sip_ua *ua;                /* borrowed */
	struct call_media *cm;            /* owned */
	struct call *calls;               /* owned list */
	struct call *reap;  /* calls marked done, freed by the reaper (linked by reap_next) */
	su_timer_t *reaper; /* frees calls marked done, from the loop */
	unsigned n_calls;
	struct overload overload;         /* admission of new calls */
	uint64_t load_sampled_ns;         /* last overload_sample */
	struct log_ratelimit refusal_log; /* refusals a caller can cause at will */
	/* calls taken back after a restart (call_restore.c) */
	su_timer_t *restore_timer; /* claims of sessions on nodes not connected yet */
	uint64_t restore_started_ms, restore_deadline_ms;
	unsigned restore_kept, restore_ended;
};

/* Frees a call the reaper found done (call.c): writes its CDR, logs its end, drops what the
 * b2bua's modules hold for it, unlinks it and frees its memory. */
void b2bua_call_free(struct b2bua *b, struct call *call);
void call_hangup(struct b2bua *b, struct call *call, enum hangup_cause cause, const char *side);
void respond_a(struct b2bua *b, struct call *call, int status, const char *phrase, const char *sdp);
/* A Warning header (with CRLF) giving call->media_error, why an offer was refused; in buf. */
#define SDP_WARNING_LEN 256
const char *sdp_warning(const struct b2bua *b, const struct call *call, char *buf, size_t len);
/* Refuses A's INVITE offer that call_media could not take (rc from call_media_create): 400 when
 * malformed, 413 when too large, 488 otherwise, each with the reason in a Warning header. */
void refuse_offer_a(struct b2bua *b, struct call *call, int rc);
void leg_end(struct b2bua *b, struct leg *leg, enum hangup_cause cause);
/* Calls the routed B legs (call->b[]) with call->sdp_out, starts the ring timer and writes the
 * call's sip_dialogs row; a call none of whose INVITEs went out is hung up. */
void b2bua_originate(struct b2bua *b, struct call *call);
/* Sends the INVITEs of B legs from..n_b-1 (b2bua.c); returns how many went out. */
unsigned b2bua_call_legs(struct b2bua *b, struct call *call, unsigned from);
void media_stop(struct b2bua *b, struct call *call);
/* First thing in every media callback (call_media has already counted the request as no longer
 * in flight). True when the call is ending: its session is deleted once known and the call
 * freed when nothing is left, so the callback has nothing more to do. */
bool media_reply_ending(struct call *call);
bool leg_live(const struct leg *leg);
/* Releases the leg's handle (no event for it afterwards). */
void leg_release(struct b2bua *b, struct leg *leg);

/* A re-INVITE arrived on `from` (A, or the answering B leg). */
void b2bua_reinvite_received(struct b2bua *b, struct call *call, struct leg *from,
                             const struct ua_leg_event *ev);
/* Forgets a relayed offer without answering it (the call is being freed). */
void b2bua_relay_drop(struct call *call);
/* An UPDATE arrived on `from`: answered at once, or relayed like a re-INVITE. */
void b2bua_update_received(struct b2bua *b, struct call *call, struct leg *from,
                           const struct ua_leg_event *ev);
/* In-dialog INFO/MESSAGE/NOTIFY (b2bua_indialog.c): one arrived on `from` (relayed to the other leg
 * or refused at once); the final answer to one we relayed arrived on `to`; and, when the call
 * is freed, those still waiting are answered 481 (or forgotten when their leg is gone). */
void b2bua_indialog_received(struct b2bua *b, struct call *call, struct leg *from,
                             const struct ua_leg_event *ev);
void b2bua_indialog_answered(struct b2bua *b, struct call *call, struct leg *to,
                             const struct ua_leg_event *ev);
void b2bua_indialog_drop(struct b2bua *b, struct call *call);
/* Call transfer (b2bua_transfer.c): a REFER on `leg`, or an event of a transfer in progress
 * (the target's legs, the transferee's re-INVITE, the referrer leaving). True when consumed. */
bool b2bua_transfer_event(struct b2bua *b, struct call *call, struct leg *leg,
                          const struct ua_leg_event *ev);
/* An authenticated INVITE of `user` with a Replaces header (RFC 3891): the leg it names, of a
 * call of that same user, is replaced by the new party (the call's other leg re-INVITEd to it,
 * the replaced leg hung up), or the INVITE is refused. Always answers or adopts nh. */
bool b2bua_transfer_replaces(struct b2bua *b, ua_handle *nh, const struct ua_request *req,
                             const char *user);
/* The answer to a re-INVITE we relayed arrived on `leg`. */
void b2bua_reinvite_answered(struct b2bua *b, struct call *call, struct leg *leg,
                             const struct ua_leg_event *ev);
/* Reliable provisional answers (b2bua_prack.c): notes what A's INVITE says of 100rel; whether
 * the B legs' INVITEs offer it; a PRACK event on `leg`; and whether A's leg ended (event ev)
 * because it never PRACKed our reliable 1xx (then its 504 is noted). */
void b2bua_prack_note_invite(struct call *call, const struct sip_s *sip);
bool b2bua_prack_offer_b(const struct call *call);
void b2bua_prack_event(const struct leg *leg, const struct ua_leg_event *ev);
bool b2bua_prack_a_timed_out(struct call *call, const struct ua_leg_event *ev);

#endif
