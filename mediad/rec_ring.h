/* The path from the relay workers to the recording writer: each worker owns one bounded
 * single-producer single-consumer ring of fixed-size frames (the RTP payloads of recorded
 * streams, copied, with their arrival time), the writer thread consumes every ring. Neither
 * side locks or waits: a full ring drops the frame and counts it on the recording. */
#ifndef MEDIAD_REC_RING_H
#define MEDIAD_REC_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct recording;

#define REC_FRAME_MAX 480 /* 60 ms of G.711: longer payloads are cut */
/* Frames kept free for the START and STOP marks, so a full ring of audio never loses one. */
#define REC_RING_RESERVE 64

enum rec_frame_kind {
	REC_FRAME_AUDIO, /* an RTP payload of one leg */
	REC_FRAME_START, /* the recording starts at ns: the writer adopts it */
	REC_FRAME_STOP,  /* the recording ends at ns: no frame of it follows */
};

struct rec_frame {
	struct recording *rec;
	uint64_t ns; /* monotonic arrival (or start/stop) time */
	uint32_t ts, ssrc;
	uint16_t len;
	uint8_t kind, leg, pt;
	uint8_t data[REC_FRAME_MAX];
};

struct rec_ring {
	_Alignas(64) atomic_size_t tail; /* written by the worker */
	_Alignas(64) atomic_size_t head; /* written by the writer */
	_Alignas(64) size_t mask;
	struct rec_frame *slots; /* owned */
};

/* capacity: rounded up to a power of two, at least 2 * REC_RING_RESERVE. 0 or -ENOMEM. */
int rec_ring_init(struct rec_ring *r, size_t capacity);
void rec_ring_destroy(struct rec_ring *r);

/* Producer: a slot to fill, or NULL when the ring is full (for audio: when only the reserve is
 * left). rec_ring_commit() publishes it. */
struct rec_frame *rec_ring_slot(struct rec_ring *r, bool mark);
void rec_ring_commit(struct rec_ring *r);

/* Consumer: the oldest frame or NULL; rec_ring_release() frees it after use. */
const struct rec_frame *rec_ring_peek(struct rec_ring *r);
void rec_ring_release(struct rec_ring *r);

#endif
