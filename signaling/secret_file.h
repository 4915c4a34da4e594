/* The node's nonce secret kept in a file, never on the command line (where `ps` shows it): by
 * default under state_dir, created on first start, so nonces survive restarts without the
 * operator configuring a secret. Nodes that must accept each other's nonces point [auth]
 * secret_file at files with the same content. */
#ifndef SIGNALD_SECRET_FILE_H
#define SIGNALD_SECRET_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Reads the secret (its first line, 16+ characters) from path into out (NUL-terminated text);
 * when the file does not exist and create is set, writes a new random one (64 hex digits, mode
 * 0600) first. Returns 0 or a negative errno with err filled. */
int secret_file_load(const char *path, bool create, char *out, size_t outlen, char *err,
                     size_t errlen);

#endif
