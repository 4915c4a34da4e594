/* RIFF/WAVE, 16-bit linear PCM only: the header a writer puts in front of its samples, and the
 * checks a reader makes on a file's bytes (chunk walk bounded by the buffer; any other format
 * is refused with a reason). Pure functions. */
#ifndef MEDIAD_WAV_H
#define MEDIAD_WAV_H

#include <stddef.h>
#include <stdint.h>

#define WAV_HEADER_LEN 44

/* The canonical 44-octet header of a PCM file with data_bytes of samples after it. */
void wav_header(uint8_t out[WAV_HEADER_LEN], uint32_t rate, uint16_t channels, uint32_t data_bytes);

struct wav_info {
	uint32_t rate;
	uint16_t channels;
	const uint8_t *data; /* little-endian int16 samples, in the parsed buffer */
	size_t frames;       /* samples per channel */
};

/* Parses buf[0..len): RIFF WAVE with a PCM 16-bit fmt chunk and a data chunk (a data chunk
 * longer than the file, as a writer that died leaves it, is cut to what is there). Returns 0,
 * or -EINVAL with why filled. */
int wav_parse(const uint8_t *buf, size_t len, struct wav_info *out, char *why, size_t whylen);

#endif
