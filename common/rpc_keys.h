/* CURVE key material for the media RPC: key files in ZeroMQ's Z85 text form, key pair
 * generation (mediactl keygen) and the list of client keys a node lets in.
 *
 * File forms. A secret key file holds the 40-character Z85 secret key on its first line that is
 * neither blank nor a '#' comment; it must not be readable by group or others. A public key file
 * holds the Z85 public key the same way. A client list holds one client per line:
 * "KEY [NAME] [ROLE]" with ROLE "client" (the default) or "admin"; NAME defaults to the key's
 * first 8 characters. Errors are written as "PATH[:LINE]: problem"; callers prefix the config key.
 *
 * Ownership: an rpc_allowlist owns its array; free it with rpc_allowlist_free(). */
#ifndef TANDEM_RPC_KEYS_H
#define TANDEM_RPC_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define RPC_KEY_Z85_LEN  40 /* a 32-byte key in Z85 */
#define RPC_KEY_NAME_MAX 64

struct rpc_keypair {
	char public_key[RPC_KEY_Z85_LEN + 1];
	char secret_key[RPC_KEY_Z85_LEN + 1];
};

enum rpc_role { RPC_ROLE_CLIENT, RPC_ROLE_ADMIN };

struct rpc_client_key {
	char key[RPC_KEY_Z85_LEN + 1]; /* Z85 public key */
	char name[RPC_KEY_NAME_MAX];
	enum rpc_role role;
};

struct rpc_allowlist {
	struct rpc_client_key *v; /* owned */
	size_t n;
};

/* True when s is exactly 40 Z85 characters that decode. */
bool rpc_key_valid(const char *s);

/* Loads a secret key file and derives its public key. Returns 0, -EPERM (group or others may
 * read it), -EINVAL (no valid key in it) or -errno (cannot open). */
int rpc_key_load_secret(const char *path, struct rpc_keypair *out, char *err, size_t errlen);
/* Loads a public key file into out. Returns 0, -EINVAL or -errno. */
int rpc_key_load_public(const char *path, char out[RPC_KEY_Z85_LEN + 1], char *err, size_t errlen);
/* Makes a new key pair and writes it as PREFIX.key (secret, mode 0600) and PREFIX.pub (public,
 * 0644); prefix NULL: only into out. An existing file is never overwritten (-EEXIST). */
int rpc_key_generate(const char *prefix, struct rpc_keypair *out, char *err, size_t errlen);

/* Loads a client list. Returns 0, -EINVAL (a bad line, named in err) or -errno. */
int rpc_allowlist_load(const char *path, struct rpc_allowlist *out, char *err, size_t errlen);
/* The entry for a Z85 public key, or NULL. */
const struct rpc_client_key *rpc_allowlist_find(const struct rpc_allowlist *l, const char *key);
void rpc_allowlist_free(struct rpc_allowlist *l);

#endif
