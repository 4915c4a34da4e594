/* The reason a parse or check failed, written into a caller's buffer: the pattern of every
 * function here that takes `char *why, size_t whylen`. */
#ifndef COMMON_WHY_H
#define COMMON_WHY_H

#include <stddef.h>

/* Formats the reason into why (nothing when why is NULL or whylen 0) and returns err, so that
 * `return why_fail(why, whylen, -EINVAL, "...", ...);` reports and fails in one step. */
__attribute__((format(printf, 4, 5))) int why_fail(char *why, size_t whylen, int err,
                                                   const char *fmt, ...);

#endif
