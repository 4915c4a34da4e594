/* Creation uses O_EXCL, so an existing secret is never overwritten and outstanding nonces stay
 * valid across restarts. */
#include "secret_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#define MIN_SECRET 16

static int create(const char *path, char *err, size_t errlen)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char raw[32];
	char text[sizeof(raw) * 2 + 2];
	ssize_t w;
	int fd, rc = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		snprintf(err, errlen, "%s: no randomness for a new secret", path);
		return -EIO;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
		text[2 * i] = hx[raw[i] >> 4];
		text[2 * i + 1] = hx[raw[i] & 15];
	}
	text[sizeof(raw) * 2] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		return rc;
	}
	w = write(fd, text, sizeof(raw) * 2 + 1);
	if (w != (ssize_t)(sizeof(raw) * 2 + 1) || fsync(fd) != 0) {
		rc = -EIO;
		snprintf(err, errlen, "%s: cannot write the new secret", path);
		unlink(path);
	}
	close(fd);
	return rc;
}

int secret_file_load(const char *path, bool create_missing, char *out, size_t outlen, char *err,
                     size_t errlen)
{
	FILE *f;
	size_t n;
	int rc = create_missing ? create(path, err, errlen) : 0;

	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return rc;
	}
	n = fread(out, 1, outlen - 1, f);
	fclose(f);
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (strlen(out) < MIN_SECRET) {
		snprintf(err, errlen, "%s: secret shorter than %d characters", path, MIN_SECRET);
		return -EINVAL;
	}
	return 0;
}
