/* What b2bua_transfer.c (REFER) shares with b2bua_replaces.c (INVITE with Replaces, RFC 3891):
 * a call's transfer state and the leg helpers both use. Not for other modules. */
#ifndef SIGNALD_B2BUA_TRANSFER_INTERNAL_H
#define SIGNALD_B2BUA_TRANSFER_INTERNAL_H

#include <stdbool.h>

#include "b2bua_internal.h"

enum transfer_phase {
	XFER_CALLING,  /* the target's legs are out */
	XFER_REINVITE, /* the target answered; the transferee's re-INVITE is out */
	/* INVITE with Replaces: the new party's offer is being applied, then the transferee's
	 * re-INVITE is out, then our 200 waits for its ACK */
	XFER_REPLACING,
	XFER_REPLACE_ACK,
};

struct transfer {
	struct leg *referrer;   /* borrowed: the leg that sent the REFER (moves on a swap) */
	struct leg *transferee; /* borrowed: the leg that stays */
	unsigned legs;          /* bit i: call->b[i] calls the target */
	enum transfer_phase phase;
	bool referrer_gone;   /* it hung up while the target rang */
	bool attended;        /* the target is the far end of the referrer's other call */
	struct leg *replacer; /* INVITE with Replaces: the new party's leg (moves on a swap) */
	unsigned glare;       /* 491s the transferee answered our re-INVITE with */
	int best;             /* the failure the referrer is told, once every target leg failed */
	unsigned timeout_s;
	/* on the call's home */
	char *event;         /* the REFER's Event, repeated in every NOTIFY */
	char *target;        /* the Refer-To user, for the log and the CDR */
	char *from, *to;     /* the target's INVITE */
	char *headers;       /* Referred-By */
	char *target_callee; /* the user the dialplan bridged to */
};

enum call_side xfer_side_of(const struct leg *leg);
const char *xfer_side_name(const struct leg *leg); /* "caller" or "callee", for the log */
struct leg *xfer_other_leg(struct call *call, struct leg *leg);
/* The directory user of the leg (the caller, or the callee the call was bridged to). */
const char *xfer_leg_user(const struct call *call, const struct leg *leg);
/* A B slot free for a new leg (zeroed, bound to the call), or NULL. */
struct leg *xfer_free_slot(struct call *call, const struct transfer *x);
/* Frees the call's transfer state (timers included). */
void xfer_transfer_free(struct call *call);
/* The transfer succeeded: logged, counted, state freed. */
void xfer_transfer_done(struct b2bua *b, struct call *call);
/* The leg replacing A takes A's place (side A of the session); the old A takes its B slot. */
void xfer_swap_into_a(struct b2bua *b, struct call *call, struct leg *target);
/* An event on a call whose leg is being replaced; true when taken. */
bool xfer_replace_event(struct b2bua *b, struct call *call, struct leg *leg,
                        const struct ua_leg_event *ev);

#endif
