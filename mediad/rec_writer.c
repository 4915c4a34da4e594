/* The recording writer thread and the workers' taps (rec_writer.h). */
#include "rec_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "g711.h"
#include "log.h"
#include "rtp_check.h"
#include "wav.h"

#define WIN_FRAMES    (REC_RATE * 4u)       /* samples per channel held before writing */
#define DELAY_FRAMES  (REC_RATE * 4u / 10u) /* written this far behind real time */
#define FLUSH_FRAMES  (REC_RATE / 5u)       /* write in chunks of at least this */
#define DRIFT_FRAMES  (REC_RATE / 5u)       /* re-anchor a leg beyond this */
#define HEADER_NS     1000000000ull
#define BUSY_SLEEP_NS 10000000L /* between rounds while recording */
#define IDLE_SLEEP_NS 50000000L /* with nothing to record: a START waits at most this */
#define BUSY_FRAMES   256       /* frames in one round that mean: no rest */

struct rec_writer {
	pthread_t thread;
	bool started;
	atomic_bool stop;
	unsigned n_rings;
	struct rec_ring *rings;
	struct recording *active; /* writer thread only */
	pthread_mutex_t lock;     /* the done list only: writer -> control, rare */
	struct recording *done, *done_last;
	int efd;
};

struct recording *recording_new(int fd, const char *path)
{
	struct recording *rec = calloc(1, sizeof(*rec));

	if (!rec)
		return NULL;
	rec->fd = fd;
	snprintf(rec->path, sizeof(rec->path), "%s", path);
	atomic_init(&rec->drops, 0);
	atomic_init(&rec->frames, 0);
	return rec;
}

void recording_free(struct recording *rec)
{
	if (!rec)
		return;
	if (rec->fd >= 0)
		close(rec->fd);
	free(rec->win);
	free(rec);
}

/* --- worker side ------------------------------------------------------------------------- */

static bool mark(struct recording *rec, uint8_t kind, uint64_t now_ns)
{
	struct rec_frame *f = rec_ring_slot(rec->ring, true);

	if (!f)
		return false;
	f->rec = rec;
	f->kind = kind;
	f->ns = now_ns;
	f->len = 0;
	rec_ring_commit(rec->ring);
	return true;
}

bool rec_tap_start(struct recording *rec, uint64_t now_ns)
{
	return mark(rec, REC_FRAME_START, now_ns);
}

bool rec_tap_stop(struct recording *rec, uint64_t now_ns)
{
	return mark(rec, REC_FRAME_STOP, now_ns);
}

void rec_tap_rtp(struct recording *rec, uint8_t leg, const uint8_t *p, uint32_t len,
                 uint64_t now_ns)
{
	uint32_t off = RTP_HEADER_MIN + 4u * (p[0] & 0x0f), end = len;
	struct rec_frame *f;

	if (p[0] & 0x10)
		off += 4 + 4u * (uint32_t)(p[off + 2] << 8 | p[off + 3]);
	if ((p[0] & 0x20) && len > off)
		end -= p[len - 1];
	if (end <= off)
		return;
	f = rec_ring_slot(rec->ring, false);
	if (!f) {
		atomic_fetch_add_explicit(&rec->drops, 1, memory_order_relaxed);
		return;
	}
	f->rec = rec;
	f->kind = REC_FRAME_AUDIO;
	f->ns = now_ns;
	f->leg = leg;
	f->pt = p[1] & 0x7f;
	f->ts = rtp_timestamp(p);
	f->ssrc = rtp_ssrc(p);
	f->len = (uint16_t)(end - off > REC_FRAME_MAX ? REC_FRAME_MAX : end - off);
	memcpy(f->data, p + off, f->len);
	rec_ring_commit(rec->ring);
}

/* --- writer thread ----------------------------------------------------------------------- */

static uint64_t pos_of(const struct recording *rec, uint64_t ns)
{
	return ns > rec->t0 ? (ns - rec->t0) * REC_RATE / 1000000000ull : 0;
}

static void write_error(struct recording *rec, int err)
{
	if (rec->error[0])
		return;
	snprintf(rec->error, sizeof(rec->error), "write failed: %s", strerror(err));
	log_error("apps", "recording %s: %s; the rest of it is lost", rec->path, rec->error);
}

static void put_header(struct recording *rec)
{
	uint8_t h[WAV_HEADER_LEN];
	uint64_t frames = atomic_load_explicit(&rec->frames, memory_order_relaxed);
	uint64_t data = frames * 4u;

	wav_header(h, REC_RATE, 2, data > 0xffffffd0u ? 0xffffffd0u : (uint32_t)data);
	if (!rec->error[0] && pwrite(rec->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		write_error(rec, errno ? errno : EIO);
}

/* Writes the window's samples [base, upto) and clears them. */
static void flush_to(struct recording *rec, uint64_t upto)
{
	int16_t chunk[2 * 1024];

	while (rec->base < upto) {
		uint64_t n = upto - rec->base;
		uint32_t at = (uint32_t)(rec->base % WIN_FRAMES);

		if (n > 1024)
			n = 1024;
		if (n > WIN_FRAMES - at)
			n = WIN_FRAMES - at;
		memcpy(chunk, rec->win + 2 * at, (size_t)n * 4u);
		memset(rec->win + 2 * at, 0, (size_t)n * 4u);
		/* Samples are little-endian in the file, as on every host mediad runs on. */
		if (!rec->error[0]) {
			off_t off = WAV_HEADER_LEN + (off_t)rec->base * 4;

			if (pwrite(rec->fd, chunk, (size_t)n * 4u, off) != (ssize_t)(n * 4u))
				write_error(rec, errno ? errno : EIO);
		}
		rec->base += n;
		if (!rec->error[0])
			atomic_store_explicit(&rec->frames, rec->base, memory_order_relaxed);
	}
}

static void note_codec(struct recording *rec, uint8_t leg, uint8_t pt)
{
	size_t n = strlen(rec->wnote);

	if (rec->noted[leg])
		return;
	rec->noted[leg] = true;
	snprintf(rec->wnote + n, sizeof(rec->wnote) - n, "%sleg %s payload type %u: silence",
	         n ? "; " : "", leg ? "B" : "A", pt);
}

static void audio(struct recording *rec, const struct rec_frame *f)
{
	int16_t pcm[REC_FRAME_MAX];
	enum g711_law law = G711_NONE;
	uint64_t arrival = pos_of(rec, f->ns), start = 0;
	uint8_t leg = f->leg & 1;

	if (f->pt == rec->pt[leg] && rec->law[leg] != G711_NONE)
		law = (enum g711_law)rec->law[leg];
	else if (f->pt == 0)
		law = G711_ULAW;
	else if (f->pt == 8)
		law = G711_ALAW;
	else if ((rec->te_pt[leg] && f->pt == rec->te_pt[leg]) || f->pt == 13)
		return; /* digits and comfort noise: silence, nothing to note */
	if (law == G711_NONE) {
		note_codec(rec, leg, f->pt);
		return;
	}
	g711_decode(law, f->data, pcm, f->len);
	/* Arrival marks the end of the packet's audio. */
	arrival = arrival > f->len ? arrival - f->len : 0;
	if (rec->leg[leg].valid && rec->leg[leg].ssrc == f->ssrc) {
		start =
		    rec->leg[leg].pos0 + (uint64_t)(int64_t)(int32_t)(f->ts - rec->leg[leg].ts0);
		if (start + DRIFT_FRAMES < arrival || start > arrival + DRIFT_FRAMES ||
		    (int32_t)(f->ts - rec->leg[leg].ts0) < -(int32_t)WIN_FRAMES)
			rec->leg[leg].valid = false;
	}
	if (!rec->leg[leg].valid || rec->leg[leg].ssrc != f->ssrc) {
		rec->leg[leg].valid = true;
		rec->leg[leg].ssrc = f->ssrc;
		rec->leg[leg].ts0 = f->ts;
		rec->leg[leg].pos0 = arrival;
		start = arrival;
	}
	if (start + f->len > rec->base + WIN_FRAMES)
		flush_to(rec, start + f->len - WIN_FRAMES);
	for (uint32_t i = 0; i < f->len; i++) {
		uint64_t pos = start + i;

		if (pos < rec->base) {
			rec->late++;
			continue;
		}
		rec->win[2 * (pos % WIN_FRAMES) + leg] = pcm[i];
	}
}

static void finish(struct rec_writer *w, struct recording *rec, uint64_t stop_ns)
{
	struct recording **pp;
	uint64_t one = 1;

	flush_to(rec, pos_of(rec, stop_ns));
	put_header(rec);
	rec->duration_ms = rec->base * 1000u / REC_RATE;
	rec->bytes = WAV_HEADER_LEN + rec->base * 4u;
	if (close(rec->fd) && !rec->error[0])
		write_error(rec, errno);
	rec->fd = -1;
	free(rec->win);
	rec->win = NULL;
	for (pp = &w->active; *pp; pp = &(*pp)->next) {
		if (*pp == rec) {
			*pp = rec->next;
			break;
		}
	}
	rec->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->done_last)
		w->done_last->next = rec;
	else
		w->done = rec;
	w->done_last = rec;
	pthread_mutex_unlock(&w->lock);
	if (write(w->efd, &one, sizeof(one)) < 0)
		log_warn("apps", "recording %s: cannot wake the control thread", rec->path);
}

static void frame(struct rec_writer *w, const struct rec_frame *f)
{
	struct recording *rec = f->rec;

	if (f->kind == REC_FRAME_START) {
		rec->t0 = f->ns;
		rec->header_ns = f->ns;
		rec->win = calloc(2u * WIN_FRAMES, sizeof(int16_t));
		if (!rec->win)
			snprintf(rec->error, sizeof(rec->error), "out of memory");
		rec->next = w->active;
		w->active = rec;
	} else if (f->kind == REC_FRAME_STOP) {
		finish(w, rec, f->ns);
	} else if (rec->win) {
		audio(rec, f);
	}
}

static void *writer_main(void *arg)
{
	struct rec_writer *w = arg;
	pthread_setname_np(pthread_self(), "mediad-rec");
	while (!atomic_load_explicit(&w->stop, memory_order_acquire)) {
		unsigned taken = 0;
		uint64_t now;

		for (unsigned i = 0; i < w->n_rings; i++) {
			const struct rec_frame *f;

			while ((f = rec_ring_peek(&w->rings[i]))) {
				frame(w, f);
				rec_ring_release(&w->rings[i]);
				taken++;
			}
		}
		now = clock_mono_ns();
		for (struct recording *rec = w->active; rec; rec = rec->next) {
			uint64_t upto = pos_of(rec, now);

			if (!rec->win)
				continue;
			upto = upto > DELAY_FRAMES ? upto - DELAY_FRAMES : 0;
			if (upto >= rec->base + FLUSH_FRAMES)
				flush_to(rec, upto);
			if (now - rec->header_ns >= HEADER_NS) {
				put_header(rec);
				rec->header_ns = now;
			}
		}
		/* A round that found a lot goes again at once: the rings are filling faster than
		 * a 10 ms rest would drain them. */
		if (taken < BUSY_FRAMES)
			nanosleep(&(struct timespec){0, w->active ? BUSY_SLEEP_NS : IDLE_SLEEP_NS},
			          NULL);
	}
	return NULL;
}

int rec_writer_new(struct rec_writer **out, unsigned n_rings, unsigned ring_frames)
{
	struct rec_writer *w = calloc(1, sizeof(*w));
	int rc = 0;

	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	w->rings = calloc(n_rings, sizeof(*w->rings));
	if (w->efd < 0 || !w->rings)
		rc = w->efd < 0 ? -errno : -ENOMEM;
	for (unsigned i = 0; !rc && i < n_rings; i++) {
		rc = rec_ring_init(&w->rings[i], ring_frames);
		if (!rc)
			w->n_rings = i + 1;
	}
	if (!rc)
		rc = -pthread_create(&w->thread, NULL, writer_main, w);
	if (rc) {
		rec_writer_free(w);
		return rc;
	}
	w->started = true;
	*out = w;
	return 0;
}

void rec_writer_stop(struct rec_writer *w)
{
	if (!w || !w->started)
		return;
	atomic_store_explicit(&w->stop, true, memory_order_release);
	pthread_join(w->thread, NULL);
	w->started = false;
	/* What the workers queued last, then whatever never got its STOP. */
	for (unsigned i = 0; i < w->n_rings; i++) {
		const struct rec_frame *f;

		while ((f = rec_ring_peek(&w->rings[i]))) {
			frame(w, f);
			rec_ring_release(&w->rings[i]);
		}
	}
	while (w->active)
		finish(w, w->active, clock_mono_ns());
}

void rec_writer_free(struct rec_writer *w)
{
	struct recording *rec;

	if (!w)
		return;
	rec_writer_stop(w);
	while ((rec = rec_writer_take_done(w)))
		recording_free(rec);
	for (unsigned i = 0; i < w->n_rings; i++)
		rec_ring_destroy(&w->rings[i]);
	free(w->rings);
	if (w->efd >= 0)
		close(w->efd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

struct rec_ring *rec_writer_ring(struct rec_writer *w, unsigned i)
{
	return i < w->n_rings ? &w->rings[i] : NULL;
}

int rec_writer_fd(const struct rec_writer *w)
{
	return w->efd;
}

void rec_writer_clear(struct rec_writer *w)
{
	uint64_t v;

	if (read(w->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("apps", "recording writer eventfd: %s", strerror(errno));
}

struct recording *rec_writer_take_done(struct rec_writer *w)
{
	struct recording *rec;

	pthread_mutex_lock(&w->lock);
	rec = w->done;
	if (rec) {
		w->done = rec->next;
		if (!w->done)
			w->done_last = NULL;
		rec->next = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	return rec;
}
