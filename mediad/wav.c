/* WAV header writing and reading. Little-endian fields written and read octet by octet, so the
 * code does not depend on the host's byte order. */
#include "wav.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

void wav_header(uint8_t out[WAV_HEADER_LEN], uint32_t rate, uint16_t channels, uint32_t data_bytes)
{
	memcpy(out, "RIFF", 4);
	put32(out + 4, 36 + data_bytes);
	memcpy(out + 8, "WAVEfmt ", 8);
	put32(out + 16, 16);
	put16(out + 20, 1); /* PCM */
	put16(out + 22, channels);
	put32(out + 24, rate);
	put32(out + 28, rate * channels * 2u);
	put16(out + 32, (uint16_t)(channels * 2u));
	put16(out + 34, 16);
	memcpy(out + 36, "data", 4);
	put32(out + 40, data_bytes);
}

static int bad(char *why, size_t whylen, const char *text)
{
	snprintf(why, whylen, "%s", text);
	return -EINVAL;
}

int wav_parse(const uint8_t *buf, size_t len, struct wav_info *out, char *why, size_t whylen)
{
	size_t pos = 12;
	bool have_fmt = false;

	memset(out, 0, sizeof(*out));
	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4))
		return bad(why, whylen, "not a RIFF WAVE file");
	while (pos + 8 <= len) {
		const uint8_t *ck = buf + pos;
		uint32_t size = get32(ck + 4);
		size_t avail = len - pos - 8;

		if (!memcmp(ck, "fmt ", 4)) {
			if (size < 16 || avail < 16)
				return bad(why, whylen, "fmt chunk too short");
			if (get16(ck + 8) != 1)
				return bad(why, whylen, "not linear PCM (format tag is not 1)");
			if (get16(ck + 22) != 16)
				return bad(why, whylen, "not 16-bit samples");
			out->channels = get16(ck + 10);
			out->rate = get32(ck + 12);
			if (!out->channels)
				return bad(why, whylen, "no channels");
			have_fmt = true;
		} else if (!memcmp(ck, "data", 4)) {
			if (!have_fmt)
				return bad(why, whylen, "data chunk before the fmt chunk");
			if (size > avail)
				size = (uint32_t)avail;
			out->data = ck + 8;
			out->frames = size / (2u * out->channels);
			return 0;
		}
		if (size > avail)
			break;
		pos += 8 + (size_t)size + (size & 1);
	}
	return bad(why, whylen, have_fmt ? "no data chunk" : "no fmt chunk");
}
