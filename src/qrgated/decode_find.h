/*
 * Where a QR code may be in a frame, found cheaply before any decoder
 * runs: the cascade decoder (decode_cascade.c) decodes only there, at a
 * resolution suited to the code's module size, in the code's polarity.
 * Nothing here decides what a code says.
 */
#ifndef QRGATE_DECODE_FIND_H
#define QRGATE_DECODE_FIND_H

#include <stdbool.h>

#include "camera.h"

#define DECODE_FIND_MAX 4

struct decode_region {
	int x0, y0, x1, y1;	/* pixels, x1 and y1 exclusive, in the frame */
	float module;		/* estimated pixels per module */
	bool inverted;		/* light modules on a dark quiet zone */
	int finders;		/* finder patterns seen: 3, 2, or 1 */
};

struct decode_find;

/* Returns the finder's buffers, or NULL with the reason logged. */
struct decode_find *decode_find_new(void);
void decode_find_free(struct decode_find *df);

/*
 * Scans every other row of f for finder patterns (the 1:1:3:1:1 rings in
 * three corners of a QR code) of either polarity, checks each across
 * along its column, and groups three (or, failing that, two) of one size
 * into a region that holds the code with its quiet zone.  Returns the
 * number of regions written to out (0 to max), best first, or -1 on a bad
 * frame.
 */
int decode_find_regions(struct decode_find *df, const struct frame *f,
    struct decode_region *out, int max);

/* The finder patterns the last decode_find_regions() confirmed, grouped
 * into regions or not. */
int decode_find_patterns(const struct decode_find *df);

/*
 * Regions around the finder patterns the last decode_find_regions()
 * confirmed, for when none made a region (finders set to 1): a square
 * about each, seen on the most rows first, that holds a code of up to 33
 * modules lying to any side of it.  Returns the number written to out.
 */
int decode_find_lone(const struct decode_find *df, const struct frame *f,
    struct decode_region *out, int max);

#endif
