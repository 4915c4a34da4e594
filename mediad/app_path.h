/* Files of the media applications: a client names them relative to a configured folder and
 * they never leave it. The name is checked as text first (so a refusal says why), then opened
 * with openat2(RESOLVE_BENEATH), so a symbolic link cannot lead out either. Control thread. */
#ifndef MEDIAD_APP_PATH_H
#define MEDIAD_APP_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define APP_PATH_MAX 512

/* A usable relative name: not empty, not absolute, no ".." component, no control characters,
 * shorter than APP_PATH_MAX. false with why filled otherwise. */
bool app_path_ok(const char *rel, char *why, size_t whylen);

/* Opens rel under dir with flags (O_CLOEXEC added) and mode; with O_CREAT the folders on the way
 * are created first (0750). Returns the fd or -errno. */
int app_path_open(const char *dir, const char *rel, int flags, unsigned mode);

#endif
