/* The node's nonce secret kept in a file under state_dir, created on first start, so nonces
 * survive restarts without the operator configuring a secret. Nodes that must accept each
 * other's nonces set [auth] secret in their configuration instead. */
#ifndef SIGNALD_SECRET_FILE_H
#define SIGNALD_SECRET_FILE_H

#include <stddef.h>

/* Reads the secret from path into out (NUL-terminated text); when the file does not exist,
 * writes a new random one (64 hex digits, mode 0600) first. Returns 0 or a negative errno with
 * err filled. */
int secret_file_load(const char *path, char *out, size_t outlen, char *err, size_t errlen);

#endif
