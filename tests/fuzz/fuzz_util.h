/* Helpers shared by the fuzzers: the libFuzzer entry points' prototypes, quiet logging, and
 * fuzz input as a file for loaders that take a path (a memfd: nothing touches the disk). */
#ifndef TANDEM_FUZZ_UTIL_H
#define TANDEM_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Errors only: a fuzzer runs millions of inputs and the log lines would be most of its time.
 * FUZZ_LOG=info (or any level) in the environment shows more, to see what a seed does. */
static inline void fuzz_quiet(void)
{
	enum log_level level = LOG_LEVEL_ERROR;
	const char *want = getenv("FUZZ_LOG");

	if (want && log_level_parse(want, &level))
		level = LOG_LEVEL_ERROR;
	log_setup("fuzz", level, false);
}

/* Writes data to a new memfd and names it as a path in path (PATH_MAX-sized buffer, or at
 * least 40 bytes). Returns the fd (close it when done) or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t pathlen)
{
	int fd = memfd_create("fuzz", 0);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

/* A NUL-terminated copy of data (malloc), or NULL. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
