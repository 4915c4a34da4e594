/* RFC 4733 section 2.3 payload format and the receiver's rules of section 2.5.2 reduced to what
 * a digit report needs. */
#include "rfc4733.h"

#include <errno.h>

static const char digits[] = "0123456789*#ABCD";

int rfc4733_parse(const uint8_t *pl, size_t len, struct rfc4733_event *out)
{
	if (len < 4)
		return -EINVAL;
	out->event = pl[0];
	out->end = (pl[1] & 0x80) != 0;
	out->volume = pl[1] & 0x3f;
	out->duration = (uint16_t)(pl[2] << 8 | pl[3]);
	return 0;
}

void rfc4733_write(const struct rfc4733_event *ev, uint8_t out[4])
{
	out[0] = ev->event;
	out[1] = (uint8_t)((ev->end ? 0x80 : 0) | (ev->volume & 0x3f));
	out[2] = (uint8_t)(ev->duration >> 8);
	out[3] = (uint8_t)ev->duration;
}

char rfc4733_digit(uint8_t event)
{
	return event < 16 ? digits[event] : 0;
}

int rfc4733_event_of(char digit)
{
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	for (int i = 0; i < 16; i++)
		if (digits[i] == digit)
			return i;
	return -1;
}

static int report(struct dtmf_detect *d, struct dtmf_digit *out)
{
	d->reported = true;
	out->digit = rfc4733_digit(d->event);
	out->duration = d->duration;
	return 1;
}

int dtmf_detect_packet(struct dtmf_detect *d, uint32_t ts, const uint8_t *pl, size_t len,
                       uint64_t now_ns, struct dtmf_digit out[2])
{
	struct rfc4733_event ev;
	int n = 0;

	if (rfc4733_parse(pl, len, &ev) || !rfc4733_digit(ev.event))
		return 0;
	if (!d->active || ts != d->ts) {
		/* A new event; one before it that never ended is reported now. A packet of an
		 * older event arriving late is not a new one: RFC 4733 timestamps only grow. */
		if (d->active && (int32_t)(ts - d->ts) < 0)
			return 0;
		if (d->active && !d->reported)
			n += report(d, &out[n]);
		d->active = true;
		d->reported = false;
		d->event = ev.event;
		d->ts = ts;
		d->duration = 0;
		d->start_ns = now_ns;
	}
	if (d->reported)
		return n; /* a retransmitted end, or the rest of an event the guard reported */
	if (ev.duration > d->duration)
		d->duration = ev.duration;
	if (ev.end)
		n += report(d, &out[n]);
	return n;
}

int dtmf_detect_tick(struct dtmf_detect *d, uint64_t now_ns, struct dtmf_digit *out)
{
	if (!d->active || d->reported || now_ns - d->start_ns < DTMF_GUARD_NS)
		return 0;
	return report(d, out);
}
