/* G.711 (ITU-T G.711) u-law and A-law: 16-bit linear PCM to and from 8-bit codes. Table-driven
 * decoding (256 entries each, built once from the formula); encoding by segment search. Pure
 * functions, safe on any thread after g711_init(). */
#ifndef MEDIAD_G711_H
#define MEDIAD_G711_H

#include <stddef.h>
#include <stdint.h>

enum g711_law {
	G711_NONE = 0, /* a codec this node does not decode or encode */
	G711_ULAW,     /* PCMU, static payload type 0 */
	G711_ALAW,     /* PCMA, static payload type 8 */
};

/* Builds the decoding tables; idempotent, call once before threads start. */
void g711_init(void);

uint8_t g711_ulaw_encode(int16_t pcm);
uint8_t g711_alaw_encode(int16_t pcm);
int16_t g711_ulaw_decode(uint8_t code);
int16_t g711_alaw_decode(uint8_t code);

/* n samples of in encoded with law into out (n octets). */
void g711_encode(enum g711_law law, const int16_t *in, uint8_t *out, size_t n);
/* n octets of in decoded with law into out (n samples). */
void g711_decode(enum g711_law law, const uint8_t *in, int16_t *out, size_t n);

/* The law of a codec name ("PCMU", "PCMA", case-insensitive) or, with no name, of a static
 * payload type (0, 8); G711_NONE otherwise. */
enum g711_law g711_law_of(const char *codec, unsigned pt);

#endif
