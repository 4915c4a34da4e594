/* Prompt files to G.711 (prompt_load.h). */
#include "prompt_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_path.h"
#include "wav.h"

static int read_all(int fd, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > PROMPT_MAX_BYTES)
		return -EFBIG;
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return 0;
}

static int16_t sample(const uint8_t *d, size_t i)
{
	return (int16_t)(d[2 * i] | d[2 * i + 1] << 8);
}

int prompt_load(const char *dir, const char *rel, enum g711_law law, uint8_t pt,
                struct prompt **out, uint32_t *duration_ms, char *why, size_t whylen)
{
	struct wav_info wi;
	struct prompt *pr;
	uint8_t *buf = NULL;
	size_t len = 0, n;
	int fd, rc;

	if (!app_path_ok(rel, why, whylen))
		return -EINVAL;
	fd = app_path_open(dir, rel, O_RDONLY, 0);
	if (fd < 0) {
		snprintf(why, whylen, "%.200s: %s", rel,
		         fd == -EXDEV ? "outside the prompts folder" : strerror(-fd));
		return fd == -EXDEV ? -EINVAL : fd;
	}
	rc = read_all(fd, &buf, &len);
	close(fd);
	if (rc) {
		snprintf(why, whylen, "%.200s: %s", rel,
		         rc == -EFBIG ? "larger than 32 MiB" : strerror(-rc));
		free(buf);
		return rc;
	}
	rc = wav_parse(buf, len, &wi, why, whylen);
	if (!rc && (wi.channels != 1 || (wi.rate != 8000 && wi.rate != 16000))) {
		snprintf(why, whylen, "%u Hz with %u channels; prompts are 8 or 16 kHz mono",
		         wi.rate, wi.channels);
		rc = -EINVAL;
	}
	n = rc ? 0 : wi.rate == 16000 ? wi.frames / 2 : wi.frames;
	pr = rc ? NULL : malloc(sizeof(*pr) + (n ? n : 1));
	if (!rc && !pr) {
		snprintf(why, whylen, "out of memory");
		rc = -ENOMEM;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	memset(pr, 0, sizeof(*pr));
	pr->pt = pt;
	pr->n = (uint32_t)n;
	pr->silence = law == G711_ALAW ? g711_alaw_encode(0) : g711_ulaw_encode(0);
	for (size_t i = 0; i < n; i++) {
		int16_t v;

		if (wi.rate == 16000) {
			/* [1 2 1]/4 around each kept sample: enough low-pass for speech. */
			size_t j = 2 * i;
			int prev = j ? sample(wi.data, j - 1) : sample(wi.data, j);
			int next = j + 1 < wi.frames ? sample(wi.data, j + 1) : sample(wi.data, j);

			v = (int16_t)((prev + 2 * sample(wi.data, j) + next) / 4);
		} else {
			v = sample(wi.data, i);
		}
		pr->data[i] = law == G711_ALAW ? g711_alaw_encode(v) : g711_ulaw_encode(v);
	}
	free(buf);
	*duration_ms = (uint32_t)(n / 8u);
	*out = pr;
	return 0;
}
