/* G.711 by its definition: u-law with a bias of 0x84 and 8 segments, A-law with 7 segments and
 * even bits inverted. The decoders are tables filled from the expanding formulas. */
#include "g711.h"

#include <stdbool.h>
#include <strings.h>

static int16_t ulaw_table[256], alaw_table[256];
static bool ready;

static int16_t ulaw_expand(uint8_t code)
{
	int u = ~code & 0xff;
	int t = ((u & 0x0f) << 3) + 0x84;

	t <<= (u & 0x70) >> 4;
	return (int16_t)((u & 0x80) ? 0x84 - t : t - 0x84);
}

static int16_t alaw_expand(uint8_t code)
{
	int a = code ^ 0x55;
	int t = (a & 0x0f) << 4;
	int seg = (a & 0x70) >> 4;

	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)((a & 0x80) ? t : -t);
}

void g711_init(void)
{
	if (ready)
		return;
	for (int i = 0; i < 256; i++) {
		ulaw_table[i] = ulaw_expand((uint8_t)i);
		alaw_table[i] = alaw_expand((uint8_t)i);
	}
	ready = true;
}

/* The segment of a magnitude: the position of its highest set bit above bit 7 (0-7). */
static int segment(int v)
{
	int seg = 0;

	for (v >>= 8; v && seg < 7; v >>= 1)
		seg++;
	return seg;
}

uint8_t g711_ulaw_encode(int16_t pcm)
{
	int v = pcm, sign = 0, seg;

	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > 32635)
		v = 32635;
	v += 0x84;
	seg = segment(v);
	return (uint8_t) ~(sign | seg << 4 | ((v >> (seg + 3)) & 0x0f));
}

uint8_t g711_alaw_encode(int16_t pcm)
{
	int v = pcm, sign = 0x80, seg, code;

	if (v < 0) {
		v = -v - 1;
		sign = 0;
	}
	if (v > 32767)
		v = 32767;
	if (v < 256) {
		code = v >> 4;
	} else {
		seg = segment(v);
		code = seg << 4 | ((v >> (seg + 3)) & 0x0f);
	}
	return (uint8_t)((sign | code) ^ 0x55);
}

int16_t g711_ulaw_decode(uint8_t code)
{
	return ulaw_table[code];
}

int16_t g711_alaw_decode(uint8_t code)
{
	return alaw_table[code];
}

void g711_encode(enum g711_law law, const int16_t *in, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = law == G711_ALAW ? g711_alaw_encode(in[i]) : g711_ulaw_encode(in[i]);
}

void g711_decode(enum g711_law law, const uint8_t *in, int16_t *out, size_t n)
{
	const int16_t *t = law == G711_ALAW ? alaw_table : ulaw_table;

	for (size_t i = 0; i < n; i++)
		out[i] = t[in[i]];
}

enum g711_law g711_law_of(const char *codec, unsigned pt)
{
	if (codec && codec[0]) {
		if (!strcasecmp(codec, "PCMU"))
			return G711_ULAW;
		if (!strcasecmp(codec, "PCMA"))
			return G711_ALAW;
		return G711_NONE;
	}
	return pt == 0 ? G711_ULAW : pt == 8 ? G711_ALAW : G711_NONE;
}
