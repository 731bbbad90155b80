/*
 * Reader backends: a second kind of input beside the camera.  A reader
 * hands the gate a presentation, a credential as the reader saw it: a
 * code's bytes (a keyboard-wedge or serial QR scanner), a card's bits (a
 * Wiegand reader) or PIN digits (a Wiegand keypad).  The gate decides a
 * code exactly as one the camera read.
 *
 * A backend is a const struct reader_ops over an opaque private pointer,
 * as camera.h's.  It never blocks and never sleeps: the daemon polls fd()
 * and calls read() until it says there is nothing more; a presentation
 * that ends by silence (a scanner without a suffix) ends when read() is
 * called at or after deadline_ns(), which the daemon arms as a timer on
 * its loop.  The backend takes "now" from its caller, so its framing is
 * tested without a clock.
 */
#ifndef QRGATE_HAL_READER_H
#define QRGATE_HAL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reader_kind {
	READER_CODE,	/* data: a code's bytes, as a decoder gives them */
	READER_CARD,	/* data: nbits bits, first received in the top bit
			 * of data[0] */
	READER_PIN,	/* data: ASCII digits */
};

/*
 * One presentation.  data belongs to the backend and stays valid until the
 * next read() or close() on the same reader.
 */
struct reader_presentation {
	enum reader_kind kind;
	const uint8_t *data;
	size_t len;		/* bytes in data */
	int nbits;		/* card: bits; 0 otherwise */
	bool too_long;		/* more came than max_payload: data holds the
				 * first max_payload bytes only, and the gate
				 * refuses it as too long */
	int64_t ts_ns;		/* CLOCK_MONOTONIC: when its last byte or
				 * key arrived, the moment it was complete
				 * at the reader */
};

/* How a serial scanner's codes are told apart. */
enum reader_framing {
	READER_FRAME_LINE,	/* a CR or LF ends a code (the usual suffix);
				 * empty lines are skipped */
	READER_FRAME_IDLE,	/* timeout_ms of silence ends a code; every
				 * byte, CR and LF included, is data */
};

struct reader_config {
	const char *device;	/* evdev: /dev/input/eventN or a
				 * /dev/input/by-id link; tty: /dev/ttyUSB0,
				 * /dev/ttyACM0, /dev/serial/by-id/... */
	int baud;		/* tty: 1200 .. 921600 */
	enum reader_framing framing;	/* tty */
	int timeout_ms;		/* evdev: the longest pause between two
				 * keys of one code; tty idle framing: the
				 * silence that ends a code */
	size_t max_payload;	/* longer codes are handed out too_long */
};

enum reader_read {
	READER_PRESENTED = 1,	/* *out holds a presentation */
	READER_NONE = 0,	/* nothing now; poll fd() or wait for
				 * deadline_ns() */
	READER_ERROR = -1,	/* the device failed or went (unplugged);
				 * the reason logged */
};

struct reader_ops {
	const char *name;	/* "evdev", "tty" */
	/* What the log calls an input of this backend: "scanner". */
	const char *source;

	/*
	 * Opens the device (an evdev device grabbed for this process alone;
	 * a tty in raw mode).  Returns private state, or NULL with errno
	 * set and the reason logged.
	 */
	void *(*open)(const struct reader_config *cfg);

	/* The fd that becomes readable when read() may have something. */
	int (*fd)(void *priv);

	/*
	 * Reads what waits (without blocking) and hands out at most one
	 * presentation; call again until READER_NONE, which leaves no
	 * complete presentation behind.  now_ns: CLOCK_MONOTONIC now, the
	 * arrival time of what is read and the time against which a pause
	 * ends a presentation.  Returns an enum reader_read.
	 */
	int (*read)(void *priv, int64_t now_ns,
	    struct reader_presentation *out);

	/*
	 * When an unfinished presentation ends by silence if nothing more
	 * comes (CLOCK_MONOTONIC ns), or 0 when none is unfinished or only
	 * a terminator can end it.
	 */
	int64_t (*deadline_ns)(void *priv);

	/* Releases the device (the grab too) and frees everything; priv may
	 * be NULL. */
	void (*close)(void *priv);
};

/* NULL-terminated; only the backends whose libraries were found at build. */
extern const struct reader_ops *const reader_backends[];

/* The backend called name, or NULL ("none" is no backend). */
const struct reader_ops *reader_find(const char *name);

#endif
