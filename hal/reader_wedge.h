/*
 * Keyboard-wedge scanners: a USB HID scanner types its code as key
 * presses, which the evdev backend (reader_evdev.c) turns back into the
 * code's bytes here.  Pure functions over key events, so that they are
 * tested without a device.
 */
#ifndef QRGATE_HAL_READER_WEDGE_H
#define QRGATE_HAL_READER_WEDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "reader_frame.h"

/*
 * The character a key types on a US keyboard, with shift held or not:
 * an ASCII byte, '\n' for Enter (and keypad Enter), or -1 for a key that
 * types nothing (a modifier, a function key).  code: a Linux key code
 * (linux/input-event-codes.h).
 */
int reader_wedge_char(unsigned int code, bool shift);

/* What reader_wedge_key() made of a key event. */
enum reader_wedge_step {
	READER_WEDGE_MORE,	/* taken; the code goes on */
	READER_WEDGE_ENDED,	/* Enter ended a code: reader_frame_take() */
	READER_WEDGE_PAUSED,	/* a pause ended a code before this key,
				 * which was NOT taken: take the code, then
				 * give the key again */
};

struct reader_wedge {
	bool shift[2];		/* left and right shift held */
	struct reader_frame fr;
};

/* max: bytes in a code; gap_ms: the longest pause between its keys. */
void reader_wedge_init(struct reader_wedge *w, size_t max, int gap_ms);

/*
 * One key event: code, value (1 pressed, 0 released, 2 autorepeat) and
 * its time.  Returns an enum reader_wedge_step.
 */
int reader_wedge_key(struct reader_wedge *w, unsigned int code, int value,
    int64_t ts_ns);

#endif
