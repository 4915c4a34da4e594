/* Relative names under a folder (app_path.h). */
#include "app_path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

bool app_path_ok(const char *rel, char *why, size_t whylen)
{
	size_t n = rel ? strlen(rel) : 0;

	if (!n) {
		snprintf(why, whylen, "no file name");
		return false;
	}
	if (n >= APP_PATH_MAX) {
		snprintf(why, whylen, "file name longer than %d characters", APP_PATH_MAX - 1);
		return false;
	}
	if (rel[0] == '/') {
		snprintf(why, whylen,
		         "'%.64s' is an absolute path; names are relative to the folder", rel);
		return false;
	}
	for (const char *p = rel; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			snprintf(why, whylen, "file name with a control character");
			return false;
		}
	}
	for (const char *c = rel; c;) {
		const char *slash = strchr(c, '/');
		size_t len = slash ? (size_t)(slash - c) : strlen(c);

		if (len == 2 && c[0] == '.' && c[1] == '.') {
			snprintf(why, whylen, "'%.64s' names '..'; names stay inside the folder",
			         rel);
			return false;
		}
		c = slash ? slash + 1 : NULL;
	}
	return true;
}

static int mkdirs(int dirfd, const char *rel)
{
	char path[APP_PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s", rel);
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (path[0] && mkdirat(dirfd, path, 0750) && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	return 0;
}

int app_path_open(const char *dir, const char *rel, int flags, unsigned mode)
{
	struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC),
	                       .mode = (flags & O_CREAT) ? mode : 0,
	                       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
	int dirfd, fd, rc = 0;

	if ((flags & O_CREAT) && mkdir(dir, 0750) && errno != EEXIST)
		return -errno;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	if (flags & O_CREAT)
		rc = mkdirs(dirfd, rel);
	fd = rc ? rc : (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd < 0 && !rc)
		fd = -errno;
	close(dirfd);
	return fd;
}
