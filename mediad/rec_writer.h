/* Recordings: both legs of one audio stream into one stereo 16-bit PCM WAV at 8 kHz (leg A
 * left, leg B right), written by one writer thread so that no relay worker ever waits on a
 * disk.
 *
 * Who owns a struct recording: the control thread creates it (file opened, header written),
 * the session's worker taps the stream (rec_tap_*: START, the payloads, STOP, through its
 * rec_ring), the writer adopts it at START and hands it back, complete, through its done list
 * (rec_writer_take_done, with an eventfd to poll) after STOP; then the control thread frees it.
 * The worker only reads the fields set before it was posted and counts drops (atomic).
 *
 * Alignment: a leg's first packet is placed by its arrival time since START, later ones by
 * their RTP timestamps from there; a new SSRC, or a drift of more than 200 ms from arrival,
 * places it by arrival again. What no packet covers is silence. The file is written 400 ms
 * behind real time (so late packets still find their place), its header rewritten with the
 * sizes once a second, and finalized at STOP: the file is a valid WAV at any moment. */
#ifndef MEDIAD_REC_WRITER_H
#define MEDIAD_REC_WRITER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rec_ring.h"

#define REC_RATE 8000u

struct recording {
	/* Set by the control thread before the recording is posted; read-only afterwards. */
	int fd; /* the writer's from START; the control thread closes it if START never went */
	char path[1024];
	uint32_t stream;
	uint8_t law[2]; /* enum g711_law per leg */
	uint8_t pt[2];  /* the legs' codec payload types */
	uint8_t te_pt[2];
	struct rec_ring *ring; /* the session's worker's */
	void *ctl;             /* the control thread's (its session); nobody else reads it */
	char note[192];        /* what will not be decoded, as known at start */
	/* Worker. */
	atomic_uint_fast64_t drops;  /* frames the full ring refused */
	struct recording *stop_next; /* on the worker's list of STOPs waiting for room */
	uint64_t stop_ns;
	/* Writer, published for queries. */
	atomic_uint_fast64_t frames; /* stereo frames in the file */
	/* Writer's; final once handed back. */
	uint64_t duration_ms, bytes, late;
	char error[128]; /* a write that failed; "" = none */
	char wnote[96];  /* payload types met that were not decoded */
	/* Writer private. */
	uint64_t t0, base, header_ns;
	int16_t *win;
	struct {
		bool valid;
		uint32_t ssrc, ts0;
		uint64_t pos0;
	} leg[2];
	bool noted[2];
	struct recording *next;
};

struct rec_writer;

/* Starts the writer with n_rings rings of ring_frames frames each (one per worker). Returns 0
 * or -errno. */
int rec_writer_new(struct rec_writer **out, unsigned n_rings, unsigned ring_frames);
/* Stops the thread (recordings still open are finalized as if stopped now and go to the done
 * list) and frees the rings; rec_writer_take_done() still works until rec_writer_free(). */
void rec_writer_stop(struct rec_writer *w);
/* Frees what is left, recordings on the done list included. Accepts NULL. */
void rec_writer_free(struct rec_writer *w);
struct rec_ring *rec_writer_ring(struct rec_writer *w, unsigned i);
/* Control thread: the eventfd signalled when recordings complete (non-blocking; read it
 * before taking). */
int rec_writer_fd(const struct rec_writer *w);
void rec_writer_clear(struct rec_writer *w);
/* Control thread: the next completed recording, or NULL. */
struct recording *rec_writer_take_done(struct rec_writer *w);

/* A recording made by the control thread: fd opened (placeholder header written), fields set. */
struct recording *recording_new(int fd, const char *path);
/* Frees a recording that the writer never adopted or handed back (closes fd if still open). */
void recording_free(struct recording *rec);

/* --- worker side (the worker owning the recorded stream) ---------------------------------- */

/* START: false when the ring has no room even in its reserve. */
bool rec_tap_start(struct recording *rec, uint64_t now_ns);
/* One RTP packet (well formed, plain) of leg; drops (counted) when the ring is full. */
void rec_tap_rtp(struct recording *rec, uint8_t leg, const uint8_t *p, uint32_t len,
                 uint64_t now_ns);
/* STOP: false when the ring has no room; try again later with the same now_ns. */
bool rec_tap_stop(struct recording *rec, uint64_t now_ns);

#endif
