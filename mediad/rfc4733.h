/* RFC 4733 telephone-events: the 4-octet payload, the detector that turns a leg's event packets
 * into one digit each, and the payloads a sender emits. Pure functions, no I/O; a detector
 * belongs to the worker that owns its leg.
 *
 * One event is the packets sharing an RTP timestamp. It is reported once: at its first packet
 * with the end bit (the two retransmissions of the end that follow are ignored), or, when no end
 * comes, once it has lasted DTMF_GUARD_NS from its first packet. */
#ifndef MEDIAD_RFC4733_H
#define MEDIAD_RFC4733_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTMF_GUARD_NS 1000000000ull

struct rfc4733_event {
	uint8_t event; /* 0-9, 10 = '*', 11 = '#', 12-15 = A-D, others not digits */
	bool end;
	uint8_t volume;    /* -dBm0, 0-63 */
	uint16_t duration; /* in RTP timestamp units */
};

/* Parses an event payload (the RTP payload, at least 4 octets). 0 or -EINVAL. */
int rfc4733_parse(const uint8_t *pl, size_t len, struct rfc4733_event *out);
/* Writes the 4-octet payload of ev at out. */
void rfc4733_write(const struct rfc4733_event *ev, uint8_t out[4]);
/* The character of a DTMF event ('0'-'9', '*', '#', 'A'-'D'), 0 for any other event. */
char rfc4733_digit(uint8_t event);
/* The event of a digit character (either case for A-D), -1 if it is none. */
int rfc4733_event_of(char digit);

struct dtmf_detect {
	bool active;   /* an event is in progress (or was the last seen) */
	bool reported; /* it has been reported */
	uint8_t event;
	uint32_t ts;       /* its RTP timestamp */
	uint16_t duration; /* longest duration seen, timestamp units */
	uint64_t start_ns; /* arrival of its first packet */
};

struct dtmf_digit {
	char digit;
	uint16_t duration; /* timestamp units */
};

/* One telephone-event packet of the leg (RTP timestamp ts, payload pl): returns how many digits
 * to report now (0-2: an event that never ended is reported when the next one starts), in
 * out[]. Malformed payloads and non-digit events report nothing. */
int dtmf_detect_packet(struct dtmf_detect *d, uint32_t ts, const uint8_t *pl, size_t len,
                       uint64_t now_ns, struct dtmf_digit out[2]);
/* The guard: returns 1 with *out filled when the event in progress has lasted DTMF_GUARD_NS
 * without an end. */
int dtmf_detect_tick(struct dtmf_detect *d, uint64_t now_ns, struct dtmf_digit *out);

#endif
