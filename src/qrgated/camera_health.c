/*
 * Camera health: a stall is no frame for stall_ms; a freeze is the same
 * picture for same_frames frames in a row.
 *
 * Why the defaults.  A stall of 3000 ms is three periods of the slowest
 * frame rate the config allows (1 a second) and 45 frames at the default
 * 15, so a camera that is only slow is never called stalled.  For a
 * freeze, a live sensor's noise (a level or two on every pixel, more in
 * low light) makes two consecutive frames differ somewhere in thousands of
 * samples with a probability indistinguishable from 1, so even two equal
 * frames are suspicious.  30 leaves a wide margin for what a working
 * driver may do (hand out the same buffer twice when the sensor missed a
 * frame) and still finds a freeze in 2 s at 15 frames a second, before
 * the 3 s a stall takes.
 *
 * Why this sample.  A frozen camera repeats every byte, so any sample
 * finds it; the sample must only be large enough that a live picture never
 * matches by chance, and cheap: every 16th row, whole, is 30 rows of 640
 * bytes (19 kB) at 640x480, hashed in tens of microseconds, next to
 * decoding times in milliseconds.  Whole rows are contiguous memory, which
 * BLAKE2b (crypto_generichash) takes at full speed; 16 bytes of its output
 * make a chance collision impossible in practice.
 *
 * Why flat pictures are no evidence.  A covered lens, a dark site at
 * night or a lamp shining into the lens clips the noise away, and then a
 * working camera does repeat its picture exactly.  Such a picture carries
 * no code to read either, so a freeze would only raise false alarms; a
 * sample that spans at most CAMERA_HEALTH_FLAT levels neither makes nor
 * keeps a freeze.
 */
#include <string.h>

#include <sodium.h>

#include "camera_health.h"

void
camera_health_init(struct camera_health *h, int stall_ms, int same_frames)
{
	memset(h, 0, sizeof(*h));
	h->stall_ns = stall_ms > 0 ? (int64_t)stall_ms * 1000000 : 0;
	if (same_frames > 0)
		h->same_frames = same_frames < 2 ? 2 : same_frames;
}

/*
 * A quarter, so that a tick a little late (the loop busy with a frame) is
 * still well within the stall_ms / 2 that camera_health_tick() forgives.
 */
int
camera_health_period_ms(const struct camera_health *h)
{
	return (int)(h->stall_ns / 4000000);
}

void
camera_health_start(struct camera_health *h, int64_t now_ns)
{
	h->clock_started = true;
	h->clock_ns = now_ns;
	h->tick_ns = now_ns;
	h->fresh = false;
}

/*
 * The fingerprint of f's sample, and whether the sample is flat.  The
 * size is hashed too: a picture of another size is another picture.
 */
static bool
camera_health_print(const struct frame *f,
    uint8_t print[CAMERA_HEALTH_PRINT_BYTES])
{
	crypto_generichash_state st;
	int32_t dims[2] = { f->width, f->height };
	uint8_t lo = 255, hi = 0;

	crypto_generichash_init(&st, NULL, 0, CAMERA_HEALTH_PRINT_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)dims, sizeof(dims));
	for (int r = 0; r < f->height; r += CAMERA_HEALTH_ROW_STEP) {
		const uint8_t *row = f->y + (size_t)r * (size_t)f->stride;

		crypto_generichash_update(&st, row, (size_t)f->width);
		for (int x = 0; x < f->width; x++) {
			if (row[x] < lo)
				lo = row[x];
			if (row[x] > hi)
				hi = row[x];
		}
	}
	crypto_generichash_final(&st, print, CAMERA_HEALTH_PRINT_BYTES);
	return hi - lo <= CAMERA_HEALTH_FLAT;
}

enum camera_fault
camera_health_frame(struct camera_health *h, const struct frame *f)
{
	uint8_t print[CAMERA_HEALTH_PRINT_BYTES];
	bool flat;

	h->fresh = true;
	h->stalled = false;
	if (h->same_frames == 0)
		return CAMERA_OK;
	if (f->y == NULL || f->width <= 0 || f->height <= 0 ||
	    f->stride < f->width) {
		/* Nothing to compare: no evidence either way. */
		h->have_print = false;
		h->same = 0;
		h->frozen = false;
		return CAMERA_OK;
	}

	flat = camera_health_print(f, print);
	if (!h->have_print || memcmp(print, h->print, sizeof(print)) != 0) {
		memcpy(h->print, print, sizeof(print));
		h->have_print = true;
		h->same = flat ? 0 : 1;
		h->frozen = false;
		return CAMERA_OK;
	}
	/* The same picture again.  Flat, it was flat before too: not frozen. */
	if (flat || h->same >= h->same_frames)
		return CAMERA_OK;
	if (++h->same < h->same_frames)
		return CAMERA_OK;
	h->frozen = true;
	return CAMERA_FROZEN;
}

enum camera_fault
camera_health_tick(struct camera_health *h, int64_t now_ns)
{
	bool late;

	if (h->stall_ns == 0)
		return CAMERA_OK;
	if (!h->clock_started) {
		camera_health_start(h, now_ns);
		return CAMERA_OK;
	}
	late = now_ns - h->tick_ns > h->stall_ns / 2;
	h->tick_ns = now_ns;
	if (h->fresh || late) {
		h->fresh = false;
		h->clock_ns = now_ns;
		return CAMERA_OK;
	}
	if (now_ns - h->clock_ns < h->stall_ns)
		return CAMERA_OK;
	h->clock_ns = now_ns;
	h->stalled = true;
	return CAMERA_STALLED;
}

enum camera_fault
camera_health_fault(const struct camera_health *h)
{
	if (h->stalled)
		return CAMERA_STALLED;
	if (h->frozen)
		return CAMERA_FROZEN;
	return CAMERA_OK;
}

bool
camera_health_faulty(const struct camera_health *h)
{
	return camera_health_fault(h) != CAMERA_OK;
}
