/* Hangup causes as FreeSWITCH names them: the Q.850 values (1..127) plus the switch's own causes
 * (487, 7xx, 8xx), their names, and the mapping between causes and SIP final responses used when
 * a leg fails (SIP status -> cause) and when we must answer the other leg (cause -> SIP status).
 * Pure tables; no state, no allocation, safe from any thread. */
#ifndef HANGUP_CAUSE_H
#define HANGUP_CAUSE_H

#include <stdbool.h>
#include <stddef.h>

#define HANGUP_CAUSES(X)                                                                           \
	X(NONE, 0)                                                                                 \
	X(UNALLOCATED_NUMBER, 1)                                                                   \
	X(NO_ROUTE_TRANSIT_NET, 2)                                                                 \
	X(NO_ROUTE_DESTINATION, 3)                                                                 \
	X(CHANNEL_UNACCEPTABLE, 6)                                                                 \
	X(CALL_AWARDED_DELIVERED, 7)                                                               \
	X(NORMAL_CLEARING, 16)                                                                     \
	X(USER_BUSY, 17)                                                                           \
	X(NO_USER_RESPONSE, 18)                                                                    \
	X(NO_ANSWER, 19)                                                                           \
	X(SUBSCRIBER_ABSENT, 20)                                                                   \
	X(CALL_REJECTED, 21)                                                                       \
	X(NUMBER_CHANGED, 22)                                                                      \
	X(REDIRECTION_TO_NEW_DESTINATION, 23)                                                      \
	X(EXCHANGE_ROUTING_ERROR, 25)                                                              \
	X(DESTINATION_OUT_OF_ORDER, 27)                                                            \
	X(INVALID_NUMBER_FORMAT, 28)                                                               \
	X(FACILITY_REJECTED, 29)                                                                   \
	X(RESPONSE_TO_STATUS_ENQUIRY, 30)                                                          \
	X(NORMAL_UNSPECIFIED, 31)                                                                  \
	X(NORMAL_CIRCUIT_CONGESTION, 34)                                                           \
	X(NETWORK_OUT_OF_ORDER, 38)                                                                \
	X(NORMAL_TEMPORARY_FAILURE, 41)                                                            \
	X(SWITCH_CONGESTION, 42)                                                                   \
	X(ACCESS_INFO_DISCARDED, 43)                                                               \
	X(REQUESTED_CHAN_UNAVAIL, 44)                                                              \
	X(PRE_EMPTED, 45)                                                                          \
	X(FACILITY_NOT_SUBSCRIBED, 50)                                                             \
	X(OUTGOING_CALL_BARRED, 52)                                                                \
	X(INCOMING_CALL_BARRED, 54)                                                                \
	X(BEARERCAPABILITY_NOTAUTH, 57)                                                            \
	X(BEARERCAPABILITY_NOTAVAIL, 58)                                                           \
	X(SERVICE_UNAVAILABLE, 63)                                                                 \
	X(BEARERCAPABILITY_NOTIMPL, 65)                                                            \
	X(CHAN_NOT_IMPLEMENTED, 66)                                                                \
	X(FACILITY_NOT_IMPLEMENTED, 69)                                                            \
	X(SERVICE_NOT_IMPLEMENTED, 79)                                                             \
	X(INVALID_CALL_REFERENCE, 81)                                                              \
	X(INCOMPATIBLE_DESTINATION, 88)                                                            \
	X(INVALID_MSG_UNSPECIFIED, 95)                                                             \
	X(MANDATORY_IE_MISSING, 96)                                                                \
	X(MESSAGE_TYPE_NONEXIST, 97)                                                               \
	X(WRONG_MESSAGE, 98)                                                                       \
	X(IE_NONEXIST, 99)                                                                         \
	X(INVALID_IE_CONTENTS, 100)                                                                \
	X(WRONG_CALL_STATE, 101)                                                                   \
	X(RECOVERY_ON_TIMER_EXPIRE, 102)                                                           \
	X(MANDATORY_IE_LENGTH_ERROR, 103)                                                          \
	X(PROTOCOL_ERROR, 111)                                                                     \
	X(INTERWORKING, 127)                                                                       \
	X(ORIGINATOR_CANCEL, 487)                                                                  \
	X(CRASH, 700)                                                                              \
	X(SYSTEM_SHUTDOWN, 701)                                                                    \
	X(LOSE_RACE, 702)                                                                          \
	X(MANAGER_REQUEST, 703)                                                                    \
	X(BLIND_TRANSFER, 800)                                                                     \
	X(ATTENDED_TRANSFER, 801)                                                                  \
	X(ALLOTTED_TIMEOUT, 802)                                                                   \
	X(USER_CHALLENGE, 803)                                                                     \
	X(MEDIA_TIMEOUT, 804)                                                                      \
	X(PICKED_OFF, 805)                                                                         \
	X(USER_NOT_REGISTERED, 806)                                                                \
	X(PROGRESS_TIMEOUT, 807)                                                                   \
	X(INVALID_GATEWAY, 808)                                                                    \
	X(GATEWAY_DOWN, 809)                                                                       \
	X(INVALID_URL, 810)                                                                        \
	X(INVALID_PROFILE, 811)                                                                    \
	X(NO_PICKUP, 812)                                                                          \
	X(SRTP_READ_ERROR, 813)                                                                    \
	X(BOWOUT, 814)                                                                             \
	X(BUSY_EVERYWHERE, 815)                                                                    \
	X(DECLINE, 816)                                                                            \
	X(DOES_NOT_EXIST_ANYWHERE, 817)                                                            \
	X(NOT_ACCEPTABLE, 818)                                                                     \
	X(UNWANTED, 819)                                                                           \
	X(NO_IDENTITY, 820)                                                                        \
	X(BAD_IDENTITY_INFO, 821)                                                                  \
	X(UNSUPPORTED_CERTIFICATE, 822)                                                            \
	X(INVALID_IDENTITY, 823)                                                                   \
	X(STALE_DATE, 824)

enum hangup_cause {
#define HANGUP_CAUSE_ENUM(name, value) HANGUP_CAUSE_##name = value,
	HANGUP_CAUSES(HANGUP_CAUSE_ENUM)
#undef HANGUP_CAUSE_ENUM
};

/* "USER_BUSY" for HANGUP_CAUSE_USER_BUSY; "UNKNOWN" for a value not in the table. Static. */
const char *hangup_cause_name(enum hangup_cause cause);

/* Parses a cause name (case-insensitive, as hangup_cause_name prints it) or its decimal number,
 * as the dialplan's `hangup` application takes it. Returns 0 or -EINVAL (*out untouched). */
int hangup_cause_parse(const char *text, enum hangup_cause *out);

/* True for values defined by Q.850 (1..127): those may go into a "Reason: Q.850;cause=N" header;
 * the switch's own causes may not. */
bool hangup_cause_is_q850(enum hangup_cause cause);

/* The Reason header value (RFC 3326) for a BYE or CANCEL sent because of cause, into buf:
 * "Q.850;cause=16;text=\"NORMAL_CLEARING\"" for Q.850 values, "SIP;cause=200;..." for a call
 * answered elsewhere, and "Tandem;cause=804;text=\"MEDIA_TIMEOUT\"" for the switch's own causes
 * (as FreeSWITCH does with its name). Returns 0, or -ENOENT when the cause gets no Reason (NONE,
 * ORIGINATOR_CANCEL, unknown values) or buf is too small. */
int hangup_cause_reason(enum hangup_cause cause, char *buf, size_t len);

/* Cause of a leg that ended with SIP final status `status` (2xx: NORMAL_CLEARING; a status with
 * no specific entry: NORMAL_UNSPECIFIED). */
enum hangup_cause hangup_cause_from_sip(int status);

/* SIP final status to send on a leg failing for `cause` (480 when no specific entry). */
int hangup_cause_to_sip(enum hangup_cause cause);

#endif
