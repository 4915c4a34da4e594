/* Prompts: a WAV file (8 or 16 kHz, mono, 16-bit PCM) under the prompts folder, read and
 * encoded on the control thread into the G.711 octets a worker sends (struct prompt,
 * relay_apps.h), so the packet path never touches a file or a codec. 16 kHz is halved with a
 * small low-pass filter. */
#ifndef MEDIAD_PROMPT_LOAD_H
#define MEDIAD_PROMPT_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "g711.h"
#include "relay_apps.h"

#define PROMPT_MAX_BYTES (32u << 20) /* a file larger than this is refused */

/* Loads rel under dir for a leg speaking law with payload type pt. Returns 0 with *out (the
 * caller's, free()) and *duration_ms of one pass, or -errno with why filled: -EINVAL (a name
 * or format refused), -ENOENT, -EFBIG, -ENOMEM, or what open/read said. */
int prompt_load(const char *dir, const char *rel, enum g711_law law, uint8_t pt,
                struct prompt **out, uint32_t *duration_ms, char *why, size_t whylen);

#endif
