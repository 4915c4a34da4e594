/* A JSON writer over a stdio stream: objects, arrays and scalars written in order, commas and
 * escaping done here. Strings are made valid UTF-8 (a byte that starts no valid sequence becomes
 * U+FFFD) since much of what is written came from peers (User-Agent, Call-ID). No allocation;
 * nesting up to JSON_OUT_DEPTH. */
#ifndef TANDEM_JSON_OUT_H
#define TANDEM_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_DEPTH 16

struct json_out {
	FILE *f;                       /* borrowed */
	unsigned depth;                /* open objects and arrays */
	bool more[JSON_OUT_DEPTH + 1]; /* per level: an item was written, the next needs a comma */
	bool bad;                      /* nesting went too deep or was closed too often */
};

void json_out_init(struct json_out *j, FILE *f);
/* key is the member name inside an object, NULL inside an array or at the top. */
void json_obj_begin(struct json_out *j, const char *key);
void json_obj_end(struct json_out *j);
void json_arr_begin(struct json_out *j, const char *key);
void json_arr_end(struct json_out *j);
void json_str(struct json_out *j, const char *key, const char *v); /* NULL: null */
void json_strn(struct json_out *j, const char *key, const char *v, size_t len);
void json_int(struct json_out *j, const char *key, int64_t v);
void json_uint(struct json_out *j, const char *key, uint64_t v);
void json_double(struct json_out *j, const char *key, double v); /* not finite: null */
void json_bool(struct json_out *j, const char *key, bool v);
/* 0 when every value was written and closed, else -EINVAL (or -EIO on a stream error). Call
 * it while the stream is open: it reads the stream's error flag. */
int json_out_check(const struct json_out *j);

#endif
