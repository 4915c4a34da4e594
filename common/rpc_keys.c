/* Key files are read with stdio and a strict line form: a key file that is half right must fail
 * loudly at start, not authenticate nobody (or everybody) later. */
#include "rpc_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#define MAX_CLIENTS 4096

bool rpc_key_valid(const char *s)
{
	uint8_t raw[32];

	if (!s || strlen(s) != RPC_KEY_Z85_LEN)
		return false;
	return zmq_z85_decode(raw, s) != NULL;
}

/* The next line that is neither blank nor a comment, split into at most 3 words. Returns the
 * number of words, 0 at end of file. */
static int next_line(FILE *f, unsigned *lineno, char words[3][128])
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *w;
		int n = 0;

		(*lineno)++;
		for (w = strtok_r(line, " \t\r\n", &save); w && n < 3;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			/* '#' is also a Z85 digit: a word that is a valid key is not a comment. */
			if (w[0] == '#' && (n > 0 || !rpc_key_valid(w))) {
				w = NULL;
				break;
			}
			snprintf(words[n++], 128, "%s", w);
		}
		if (w && w[0] == '#')
			w = NULL; /* a comment after the words */
		if (n && w) {
			/* A fourth word: not a form we know. */
			snprintf(words[0], 128, "%s", "");
			return -1;
		}
		if (n)
			return n;
	}
	return 0;
}

static FILE *open_key(const char *path, bool secret, char *err, size_t errlen, int *rc)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FILE *f;

	if (fd < 0) {
		*rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (secret && (fstat(fd, &st) || (st.st_mode & 077))) {
		*rc = -EPERM;
		snprintf(err, errlen,
		         "%s: secret key readable by group or others (mode %04o); "
		         "chmod 600 it",
		         path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

static int read_one_key(const char *path, bool secret, char out[RPC_KEY_Z85_LEN + 1], char *err,
                        size_t errlen)
{
	char words[3][128];
	unsigned lineno = 0;
	int rc = 0, n;
	FILE *f = open_key(path, secret, err, errlen, &rc);

	if (!f)
		return rc;
	n = next_line(f, &lineno, words);
	fclose(f);
	if (n <= 0 || !rpc_key_valid(words[0])) {
		snprintf(err, errlen, "%s: no %s key in it (40 Z85 characters on one line)", path,
		         secret ? "secret" : "public");
		return -EINVAL;
	}
	memcpy(out, words[0], RPC_KEY_Z85_LEN + 1);
	return 0;
}

int rpc_key_load_secret(const char *path, struct rpc_keypair *out, char *err, size_t errlen)
{
	int rc = read_one_key(path, true, out->secret_key, err, errlen);

	if (rc)
		return rc;
	if (zmq_curve_public(out->public_key, out->secret_key)) {
		snprintf(err, errlen, "%s: cannot derive the public key: %s", path,
		         zmq_strerror(errno));
		return -EINVAL;
	}
	return 0;
}

int rpc_key_load_public(const char *path, char out[RPC_KEY_Z85_LEN + 1], char *err, size_t errlen)
{
	return read_one_key(path, false, out, err, errlen);
}

static int write_new(const char *path, mode_t mode, const char *text, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return rc;
	}
	errno = 0;
	/* The umask may have narrowed the mode; a public key should be readable. */
	if (fchmod(fd, mode) || write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		unlink(path);
	}
	close(fd);
	return rc;
}

int rpc_key_generate(const char *prefix, struct rpc_keypair *out, char *err, size_t errlen)
{
	char path_key[4096], path_pub[4096], text[256];
	int rc;

	if (!prefix) {
		if (zmq_curve_keypair(out->public_key, out->secret_key)) {
			snprintf(err, errlen, "cannot make a key pair: %s", zmq_strerror(errno));
			return -ENOTSUP;
		}
		return 0;
	}
	if (snprintf(path_key, sizeof(path_key), "%s.key", prefix) >= (int)sizeof(path_key) ||
	    snprintf(path_pub, sizeof(path_pub), "%s.pub", prefix) >= (int)sizeof(path_pub)) {
		snprintf(err, errlen, "%s: path too long", prefix);
		return -ENAMETOOLONG;
	}
	if (zmq_curve_keypair(out->public_key, out->secret_key)) {
		snprintf(err, errlen, "cannot make a key pair: %s (is CURVE built in?)",
		         zmq_strerror(errno));
		return -ENOTSUP;
	}
	snprintf(text, sizeof(text),
	         "# Tandem media RPC secret key (CURVE, Z85); keep it mode 0600\n%s\n",
	         out->secret_key);
	rc = write_new(path_key, 0600, text, err, errlen);
	if (rc)
		return rc;
	snprintf(text, sizeof(text), "%s\n", out->public_key);
	rc = write_new(path_pub, 0644, text, err, errlen);
	if (rc)
		unlink(path_key);
	return rc;
}

int rpc_allowlist_load(const char *path, struct rpc_allowlist *out, char *err, size_t errlen)
{
	char words[3][128];
	unsigned lineno = 0;
	int rc = 0, n;
	FILE *f = open_key(path, false, err, errlen, &rc);

	memset(out, 0, sizeof(*out));
	if (!f)
		return rc;
	while (!rc && (n = next_line(f, &lineno, words)) != 0) {
		struct rpc_client_key *k;

		if (n < 0) {
			snprintf(err, errlen, "%s:%u: expected KEY [NAME] [client|admin]", path,
			         lineno);
			rc = -EINVAL;
			break;
		}
		if (!rpc_key_valid(words[0])) {
			snprintf(err, errlen, "%s:%u: '%.40s' is not a Z85 public key", path,
			         lineno, words[0]);
			rc = -EINVAL;
			break;
		}
		if (n == 3 && strcmp(words[2], "admin") && strcmp(words[2], "client")) {
			snprintf(err, errlen, "%s:%u: role '%.32s' is not client or admin", path,
			         lineno, words[2]);
			rc = -EINVAL;
			break;
		}
		if (rpc_allowlist_find(out, words[0])) {
			snprintf(err, errlen, "%s:%u: key listed twice", path, lineno);
			rc = -EINVAL;
			break;
		}
		if (out->n >= MAX_CLIENTS) {
			snprintf(err, errlen, "%s:%u: more than %d keys", path, lineno,
			         MAX_CLIENTS);
			rc = -E2BIG;
			break;
		}
		k = realloc(out->v, (out->n + 1) * sizeof(*k));
		if (!k) {
			rc = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory", path);
			break;
		}
		out->v = k;
		k = &out->v[out->n++];
		memcpy(k->key, words[0], RPC_KEY_Z85_LEN + 1);
		snprintf(k->name, sizeof(k->name), "%.63s", n >= 2 ? words[1] : words[0]);
		if (n < 2)
			k->name[8] = '\0';
		k->role = n == 3 && !strcmp(words[2], "admin") ? RPC_ROLE_ADMIN : RPC_ROLE_CLIENT;
	}
	fclose(f);
	if (rc)
		rpc_allowlist_free(out);
	return rc;
}

const struct rpc_client_key *rpc_allowlist_find(const struct rpc_allowlist *l, const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

void rpc_allowlist_free(struct rpc_allowlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
