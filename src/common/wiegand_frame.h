/*
 * The Wiegand frame assembler: falling edges on D0 (a 0) and D1 (a 1),
 * each with the kernel's timestamp, gathered into frames.  A frame ends
 * when no edge came for conf.gap_ns; the assembler does not read a clock
 * but tells the caller when to look (wiegand_asm_deadline()), and an edge
 * that comes after the gap, before the caller's timer fired, ends the
 * last frame by its own timestamp.  So a late timer changes when a frame
 * is reported, never what it holds.
 *
 * Timestamps must be on the caller's timer's clock (CLOCK_MONOTONIC: the
 * default of libgpiod 2 and of Linux >= 5.7 line events) and in the
 * order the kernel saw the edges: both lines in one line request, read
 * from one fd.  An edge out of order is noise, not sorted.
 */
#ifndef QRGATE_WIEGAND_FRAME_H
#define QRGATE_WIEGAND_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "wiegand.h"

/* Why a frame is noise (struct wiegand_frame's flags). */
#define WIEGAND_FRAME_SHORT	0x01	/* fewer edges than conf.min_bits */
#define WIEGAND_FRAME_LONG	0x02	/* more than conf.max_bits, or longer
					 * than they take at the longest
					 * interval */
#define WIEGAND_FRAME_BOTH	0x04	/* both lines low at once */
#define WIEGAND_FRAME_FAST	0x08	/* two pulses on a line too close */
#define WIEGAND_FRAME_ORDER	0x10	/* a timestamp went back */

struct wiegand_frame_conf {
	int64_t gap_ns;		/* silence that ends a frame */
	unsigned min_bits;	/* fewer: a short burst */
	unsigned max_bits;	/* more: a long burst; at most MAX_BITS */
	/* Two edges closer than this are noise: on both lines, two lines
	 * low at once; on one, a glitch or a bouncing contact.  0: only
	 * simultaneous edges on both lines are. */
	int64_t min_spacing_ns;
};

struct wiegand_frame {
	unsigned nbits;		/* bits kept: at most max_bits */
	unsigned edges;		/* edges seen, more than nbits if long */
	unsigned flags;		/* 0: a clean frame */
	int64_t first_ns, last_ns;	/* its first and last edge */
	uint8_t bits[WIEGAND_MAX_BYTES];	/* packed as in wiegand.h */
};

struct wiegand_asm {
	struct wiegand_frame_conf conf;
	bool open;		/* private: a frame is being gathered */
	int last_line;		/* private */
	struct wiegand_frame cur;	/* private */
};

/*
 * The defaults, and why: the Wiegand interface (SIA AC-01) allows 200 us
 * to 20 ms between pulses, readers send 1 to 2 ms, and keypads a key
 * each press, so 25 ms of silence is past any pulse interval and shorter
 * than any pause between keys.  4 bits is the shortest burst anything
 * sends (a 4-bit key).  Edges 100 us apart are half the shortest legal
 * interval: nothing a reader sends.
 */
#define WIEGAND_GAP_NS_DEFAULT		INT64_C(25000000)
#define WIEGAND_INTERVAL_NS_LONGEST	INT64_C(20000000)
#define WIEGAND_MIN_BITS_DEFAULT	4
#define WIEGAND_SPACING_NS_DEFAULT	INT64_C(100000)

void wiegand_frame_conf_default(struct wiegand_frame_conf *conf);

/* Starts with no frame open.  Returns 0, or -1 if conf is not sensible
 * (gap not positive, max_bits 0 or over WIEGAND_MAX_BITS, spacing < 0). */
int wiegand_asm_init(struct wiegand_asm *a,
    const struct wiegand_frame_conf *conf);

/*
 * A falling edge on line 0 (D0) or 1 (D1) at ts_ns.  Returns 1 if it
 * ended the frame before it, which is then in *done (and this edge
 * starts the next): it came after the gap, or that frame has lasted
 * longer than max_bits at the longest interval (noise that leaves no
 * gap); 0 if not; -1 if line is neither.
 */
int wiegand_asm_edge(struct wiegand_asm *a, int line, int64_t ts_ns,
    struct wiegand_frame *done);

/* When the open frame ends if no edge comes, or -1 if none is open. */
int64_t wiegand_asm_deadline(const struct wiegand_asm *a);

/* When the open frame's first edge came, or -1 if none is open. */
int64_t wiegand_asm_started(const struct wiegand_asm *a);

/*
 * The caller's timer, at now_ns: 1 if the open frame has ended (now_ns
 * at or past its deadline), with it in *done; 0 if not.
 */
int wiegand_asm_expire(struct wiegand_asm *a, int64_t now_ns,
    struct wiegand_frame *done);

#endif
