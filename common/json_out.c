/* Escaping follows RFC 8259: quote, backslash and control bytes escaped, the rest as UTF-8. */
#include "json_out.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_out_init(struct json_out *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_string(FILE *f, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		size_t len;

		if (s[i] == '"' || s[i] == '\\') {
			fputc('\\', f);
			fputc(s[i++], f);
		} else if (s[i] == '\n') {
			fputs("\\n", f);
			i++;
		} else if (s[i] == '\r') {
			fputs("\\r", f);
			i++;
		} else if (s[i] == '\t') {
			fputs("\\t", f);
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			fprintf(f, "\\u%04x", s[i++]);
		} else if ((len = utf8_len(s + i, n - i)) == 0) {
			fputs("\\ufffd", f);
			i++;
		} else {
			fwrite(s + i, 1, len, f);
			i += len;
		}
	}
	fputc('"', f);
}

/* The comma before an item and its key. */
static void item(struct json_out *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (key) {
		put_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void begin_(struct json_out *j, const char *key, char c)
{
	if (j->depth >= JSON_OUT_DEPTH) {
		j->bad = true;
		return;
	}
	item(j, key);
	fputc(c, j->f);
	j->more[++j->depth] = false;
}

static void end_(struct json_out *j, char c)
{
	if (!j->depth) {
		j->bad = true;
		return;
	}
	j->depth--;
	fputc(c, j->f);
}

void json_obj_begin(struct json_out *j, const char *key)
{
	begin_(j, key, '{');
}

void json_obj_end(struct json_out *j)
{
	end_(j, '}');
}

void json_arr_begin(struct json_out *j, const char *key)
{
	begin_(j, key, '[');
}

void json_arr_end(struct json_out *j)
{
	end_(j, ']');
}

void json_strn(struct json_out *j, const char *key, const char *v, size_t len)
{
	item(j, key);
	if (v)
		put_string(j->f, v, len);
	else
		fputs("null", j->f);
}

void json_str(struct json_out *j, const char *key, const char *v)
{
	json_strn(j, key, v, v ? strlen(v) : 0);
}

void json_int(struct json_out *j, const char *key, int64_t v)
{
	item(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_uint(struct json_out *j, const char *key, uint64_t v)
{
	item(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_double(struct json_out *j, const char *key, double v)
{
	item(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void json_bool(struct json_out *j, const char *key, bool v)
{
	item(j, key);
	fputs(v ? "true" : "false", j->f);
}

int json_out_check(const struct json_out *j)
{
	if (j->bad || j->depth)
		return -EINVAL;
	return ferror(j->f) ? -EIO : 0;
}
