/* Cause names and the two SIP <-> cause tables (RFC 3398 as FreeSWITCH applies it). Lookups are
 * linear scans over short constant tables: they run once per call end, never per packet. */
#include "hangup_cause.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cause_name {
	enum hangup_cause cause;
	const char *name;
};

static const struct cause_name names[] = {
#define HANGUP_CAUSE_ROW(name, value) {HANGUP_CAUSE_##name, #name},
    HANGUP_CAUSES(HANGUP_CAUSE_ROW)
#undef HANGUP_CAUSE_ROW
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

/* SIP final status -> cause. */
struct sip_to_cause {
	int status;
	enum hangup_cause cause;
};

static const struct sip_to_cause from_sip[] = {
    {401, HANGUP_CAUSE_CALL_REJECTED},
    {402, HANGUP_CAUSE_CALL_REJECTED},
    {403, HANGUP_CAUSE_CALL_REJECTED},
    {407, HANGUP_CAUSE_CALL_REJECTED},
    {603, HANGUP_CAUSE_CALL_REJECTED},
    {608, HANGUP_CAUSE_CALL_REJECTED},
    {404, HANGUP_CAUSE_UNALLOCATED_NUMBER},
    {485, HANGUP_CAUSE_NO_ROUTE_DESTINATION},
    {604, HANGUP_CAUSE_NO_ROUTE_DESTINATION},
    {408, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE},
    {504, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE},
    {410, HANGUP_CAUSE_NUMBER_CHANGED},
    {413, HANGUP_CAUSE_INTERWORKING},
    {414, HANGUP_CAUSE_INTERWORKING},
    {416, HANGUP_CAUSE_INTERWORKING},
    {420, HANGUP_CAUSE_INTERWORKING},
    {421, HANGUP_CAUSE_INTERWORKING},
    {423, HANGUP_CAUSE_INTERWORKING},
    {505, HANGUP_CAUSE_INTERWORKING},
    {513, HANGUP_CAUSE_INTERWORKING},
    {480, HANGUP_CAUSE_NO_USER_RESPONSE},
    {400, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
    {481, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
    {500, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
    {503, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
    {486, HANGUP_CAUSE_USER_BUSY},
    {600, HANGUP_CAUSE_USER_BUSY},
    {484, HANGUP_CAUSE_INVALID_NUMBER_FORMAT},
    {488, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION},
    {606, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION},
    {502, HANGUP_CAUSE_NETWORK_OUT_OF_ORDER},
    {405, HANGUP_CAUSE_SERVICE_UNAVAILABLE},
    {406, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
    {415, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
    {501, HANGUP_CAUSE_SERVICE_NOT_IMPLEMENTED},
    {482, HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR},
    {483, HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR},
    {487, HANGUP_CAUSE_ORIGINATOR_CANCEL},
    /* RFC 8224 identity failures have causes of their own. */
    {428, HANGUP_CAUSE_NO_IDENTITY},
    {429, HANGUP_CAUSE_BAD_IDENTITY_INFO},
    {437, HANGUP_CAUSE_UNSUPPORTED_CERTIFICATE},
    {438, HANGUP_CAUSE_INVALID_IDENTITY},
};

/* Cause -> SIP final status. Not the inverse of from_sip: several statuses share a cause and
 * each cause has one preferred status. */
static const struct sip_to_cause to_sip[] = {
    {404, HANGUP_CAUSE_UNALLOCATED_NUMBER},
    {404, HANGUP_CAUSE_NO_ROUTE_TRANSIT_NET},
    {404, HANGUP_CAUSE_NO_ROUTE_DESTINATION},
    {486, HANGUP_CAUSE_USER_BUSY},
    {408, HANGUP_CAUSE_NO_USER_RESPONSE},
    {480, HANGUP_CAUSE_NO_ANSWER},
    {480, HANGUP_CAUSE_SUBSCRIBER_ABSENT},
    {603, HANGUP_CAUSE_CALL_REJECTED},
    {410, HANGUP_CAUSE_NUMBER_CHANGED},
    {502, HANGUP_CAUSE_DESTINATION_OUT_OF_ORDER},
    {484, HANGUP_CAUSE_INVALID_NUMBER_FORMAT},
    {501, HANGUP_CAUSE_FACILITY_REJECTED},
    {480, HANGUP_CAUSE_NORMAL_UNSPECIFIED},
    {503, HANGUP_CAUSE_NORMAL_CIRCUIT_CONGESTION},
    {503, HANGUP_CAUSE_NETWORK_OUT_OF_ORDER},
    {503, HANGUP_CAUSE_NORMAL_TEMPORARY_FAILURE},
    {503, HANGUP_CAUSE_SWITCH_CONGESTION},
    {403, HANGUP_CAUSE_OUTGOING_CALL_BARRED},
    {403, HANGUP_CAUSE_INCOMING_CALL_BARRED},
    {488, HANGUP_CAUSE_INCOMPATIBLE_DESTINATION},
    {504, HANGUP_CAUSE_RECOVERY_ON_TIMER_EXPIRE},
    {487, HANGUP_CAUSE_ORIGINATOR_CANCEL},
    {483, HANGUP_CAUSE_EXCHANGE_ROUTING_ERROR},
    {600, HANGUP_CAUSE_BUSY_EVERYWHERE},
    {603, HANGUP_CAUSE_DECLINE},
    {428, HANGUP_CAUSE_NO_IDENTITY},
    {429, HANGUP_CAUSE_BAD_IDENTITY_INFO},
    {437, HANGUP_CAUSE_UNSUPPORTED_CERTIFICATE},
    {438, HANGUP_CAUSE_INVALID_IDENTITY},
};

#define N_FROM_SIP (sizeof(from_sip) / sizeof(from_sip[0]))
#define N_TO_SIP   (sizeof(to_sip) / sizeof(to_sip[0]))

const char *hangup_cause_name(enum hangup_cause cause)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (names[i].cause == cause)
			return names[i].name;
	return "UNKNOWN";
}

static int parse_number(const char *text, enum hangup_cause *out)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (end == text || *end)
		return -EINVAL;
	for (size_t i = 0; i < N_NAMES; i++) {
		if ((long)names[i].cause == v) {
			*out = names[i].cause;
			return 0;
		}
	}
	return -EINVAL;
}

int hangup_cause_parse(const char *text, enum hangup_cause *out)
{
	if (!text || !*text)
		return -EINVAL;
	if (text[0] >= '0' && text[0] <= '9')
		return parse_number(text, out);
	for (size_t i = 0; i < N_NAMES; i++) {
		if (!strcasecmp(names[i].name, text)) {
			*out = names[i].cause;
			return 0;
		}
	}
	return -EINVAL;
}

bool hangup_cause_is_q850(enum hangup_cause cause)
{
	return cause >= 1 && cause <= 127;
}

int hangup_cause_reason(enum hangup_cause cause, char *buf, size_t len)
{
	const char *name = hangup_cause_name(cause);
	int n;

	if (strcmp(name, "UNKNOWN") == 0 || cause == HANGUP_CAUSE_NONE ||
	    cause == HANGUP_CAUSE_ORIGINATOR_CANCEL)
		return -ENOENT;
	if (cause == HANGUP_CAUSE_PICKED_OFF || cause == HANGUP_CAUSE_LOSE_RACE)
		n = snprintf(buf, len, "SIP;cause=200;text=\"Call completed elsewhere\"");
	else
		n = snprintf(buf, len, "%s;cause=%d;text=\"%s\"",
		             hangup_cause_is_q850(cause) ? "Q.850" : "Tandem", (int)cause, name);
	return n > 0 && (size_t)n < len ? 0 : -ENOENT;
}

enum hangup_cause hangup_cause_from_sip(int status)
{
	if (status >= 200 && status < 300)
		return HANGUP_CAUSE_NORMAL_CLEARING;
	for (size_t i = 0; i < N_FROM_SIP; i++)
		if (from_sip[i].status == status)
			return from_sip[i].cause;
	return HANGUP_CAUSE_NORMAL_UNSPECIFIED;
}

int hangup_cause_to_sip(enum hangup_cause cause)
{
	for (size_t i = 0; i < N_TO_SIP; i++)
		if (to_sip[i].cause == cause)
			return to_sip[i].status;
	return 480;
}
