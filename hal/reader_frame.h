/*
 * Cutting a reader's stream of bytes into presentations, for the backends
 * (hal/reader_*.c) only: a terminator ends a code (the backend says which
 * bytes are one), a pause of the configured gap ends one too, and a code
 * longer than its bound is cut there and marked too long, never written
 * past the buffer.  Times come from the caller: no clock is read here.
 */
#ifndef QRGATE_HAL_READER_FRAME_H
#define QRGATE_HAL_READER_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

/* decoder.max_payload's ceiling (QR version 40-L) fits. */
#define READER_FRAME_MAX 4096

struct reader_frame {
	size_t max;		/* bytes kept of one code */
	int64_t gap_ns;		/* a pause this long ends a code; 0: none */
	uint8_t buf[READER_FRAME_MAX];	/* the code being received */
	size_t len;
	bool open;		/* a code has begun */
	bool too_long;
	int64_t last_ns;	/* arrival of its last byte */
	uint8_t out[READER_FRAME_MAX];	/* the code last ended */
	size_t out_len;
	bool out_too_long;
	int64_t out_ts_ns;
};

/* max: bytes in a code, at most READER_FRAME_MAX; gap_ms 0: no pause
 * ends a code. */
void reader_frame_init(struct reader_frame *f, size_t max, int gap_ms);

/*
 * Byte b arrived at ts_ns.  Returns false when it was taken; true when
 * the code before it had ended by a pause: b was NOT taken, the ended
 * code waits for reader_frame_take(), and b is to be added again.
 */
bool reader_frame_add(struct reader_frame *f, uint8_t b, int64_t ts_ns);

/* A terminator: ends the code.  True when there was one (an empty code,
 * a CR after an LF, is none). */
bool reader_frame_end(struct reader_frame *f);

/* Ends the code if it has been silent for the gap at now_ns.  True when
 * one ended. */
bool reader_frame_expire(struct reader_frame *f, int64_t now_ns);

/* When the open code ends by a pause (ns), or 0. */
int64_t reader_frame_deadline(const struct reader_frame *f);

/* Forgets the open code (input was lost in the middle of it). */
void reader_frame_drop(struct reader_frame *f);

/* The code last ended, as a READER_CODE presentation: valid until the
 * next one ends. */
void reader_frame_take(const struct reader_frame *f,
    struct reader_presentation *out);

#endif
